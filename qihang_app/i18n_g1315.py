"""Messages of the after-sale line states, the delivery-cost report, the audit trail's API-key
actors and the catalog pages' permission hints: key → (简体中文, English)."""

from __future__ import annotations

G1315_MESSAGES: dict[str, tuple[str, str]] = {
    # the audit trail: changes made by an ERP through its API key
    "audit.act.erp.api.ship": ("ERP 接口回传发货", "ERP API: shipment"),
    "audit.act.erp.api.cancel_result": ("ERP 接口回传取消结果", "ERP API: cancel result"),
    "audit.act.erp.api.aftersale_result": ("ERP 接口回传售后结果", "ERP API: after-sale result"),
    "audit.target.erp_result": ("ERP 结果", "ERP result"),
    "audit.actor_kind": ("操作者类型", "Actor type"),
    "audit.all_actor_kinds": ("全部操作者", "Every actor"),
    "audit.actor_kind.user": ("用户", "People"),
    "audit.actor_kind.key": ("API 密钥", "API keys"),
    "audit.actor_kind.anonymous": ("未登录", "Not signed in"),
}
