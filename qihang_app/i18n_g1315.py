"""Messages of the after-sale line states, the delivery-cost report, the audit trail's API-key
actors and the catalog pages' permission hints: key → (简体中文, English)."""

from __future__ import annotations

G1315_MESSAGES: dict[str, tuple[str, str]] = {
    # 报表: delivery cost and tips
    "reports.delivery_day": ("配送成本（按日·门店·运力）", "Delivery cost by day, store and carrier"),
    "reports.delivery_carrier": ("配送成本（按运力）", "Delivery cost by carrier"),
    "reports.carrier.own": ("自有骑手", "Own riders"),
    "reports.carrier.platform": ("平台配送", "Platform delivery"),
    "col.carrier": ("运力", "Carrier"),
    "col.rides": ("配送单", "Rides"),
    "col.delivered_orders": ("订单数", "Orders"),
    "col.delivery_fee": ("配送费", "Delivery fees"),
    "col.tip": ("小费", "Tips"),
    "col.delivery_cost": ("配送成本", "Delivery cost"),
    "col.cost_per_order": ("单均配送成本", "Cost per order"),
    "col.cancelled_rides": ("已取消配送", "Cancelled rides"),
    # a page opened without its permission
    "gate.no_page": ("没有查看此页面的权限", "You may not open this page"),
    "gate.ask_admin": ("如需使用，请联系管理员为你的角色开通", "Ask an administrator to add it to your role"),
    "catalog.empty_view": ("还没有商品", "No products yet"),
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
