"""Every permission a role can hold: one line per page or action.

A feature that adds a page or an action adds one entry to PERMISSIONS (key, group, 中文, English)
and declares that key on its state handler (`@requires("...")`, state/permissions.py) or API
route (qihang_app/api/guard.py). Roles store keys; a key no longer listed here is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    key: str
    group: str  # "page" (menus follow these) or the area an action belongs to
    zh: str
    en: str


PERMISSIONS: tuple[Permission, ...] = (
    Permission("page.board", "page", "调度看板", "Dispatch board"),
    Permission("page.orders", "page", "订单", "Orders"),
    Permission("page.aftersales", "page", "售后", "After-sales"),
    Permission("page.reports", "page", "报表", "Reports"),
    Permission("page.products", "page", "商品", "Products"),
    Permission("page.shop_products", "page", "店铺商品", "Shop products"),
    Permission("page.stores", "page", "门店与店铺", "Stores and shops"),
    Permission("page.stock", "page", "库存", "Stock"),
    Permission("page.delivery", "page", "配送设置", "Delivery settings"),
    Permission("page.inbox", "page", "数据接收", "Data intake"),
    Permission("page.erp", "page", "ERP 对接", "ERP connections"),
    Permission("page.erp_pushes", "page", "推送记录", "ERP pushes"),
    Permission("page.users", "page", "用户", "Users"),
    Permission("page.roles", "page", "角色", "Roles"),
    Permission("page.audit", "page", "审计日志", "Audit trail"),
    Permission("page.alerts", "page", "告警设置", "Alerts"),
    Permission("page.system", "page", "系统状态", "System status"),
    Permission("order.accept", "order", "接单", "Accept orders"),
    Permission("order.reject", "order", "拒单", "Reject orders"),
    Permission("order.ready", "order", "备货完成", "Mark ready"),
    Permission("order.dispatch", "order", "出发 / 自配送", "Dispatch own rider"),
    Permission("order.deliver", "order", "送达", "Mark delivered"),
    Permission("order.exception", "order", "处理异常", "Handle exceptions"),
    Permission("order.create", "order", "手工录单", "Enter orders by hand"),
    Permission("order.print", "order", "打印小票", "Print tickets"),
    Permission("order.export", "order", "导出订单", "Export orders"),
    Permission("reports.export", "order", "导出报表", "Export reports"),
    Permission("erp.push", "order", "推送 ERP", "Push to ERP"),
    Permission(
        "aftersale.handle",
        "order",
        "处理售后（同意 / 拒绝 / 确认收货 / 备注）",
        "Handle after-sales (agree, refuse, receive, note)",
    ),
    Permission("aftersale.create", "order", "新建售后 / 录入处理结果", "Open after-sales and enter results"),
    Permission("order.partial_refund", "order", "缺货退款", "Refund missing items"),
    Permission("erp.ship", "order", "录入发货单号", "Enter tracking numbers"),
    Permission("order.waybill", "order", "电子面单（取号 / 打印 / 取消）", "E-waybills (issue, print, cancel)"),
    Permission("order.memo", "order", "卖家备注与旗帜", "Seller memo and flag"),
    Permission("erp.settings", "stores", "修改 ERP 对接（含密钥）", "Edit ERP connections (keys included)"),
    Permission("ride.call", "delivery", "呼叫骑手", "Call a rider"),
    Permission("ride.tip", "delivery", "加小费", "Add a tip"),
    Permission("ride.cancel", "delivery", "取消骑手 / 重新呼叫", "Cancel a ride / call again"),
    Permission("ride.own", "delivery", "派自有骑手", "Send an own rider"),
    Permission("delivery.settings", "delivery", "修改配送设置（运力账号、骑手、自动派单）", "Edit delivery settings"),
    Permission("product.edit", "catalog", "新建 / 修改 / 停用商品", "Create, edit, disable products"),
    Permission("product.import", "catalog", "导入商品", "Import products"),
    Permission("product.export", "catalog", "导出商品", "Export products"),
    Permission("shop_products.pull", "catalog", "拉取店铺商品", "Pull shop products"),
    Permission("sku.link", "catalog", "关联商品", "Link shop products"),
    Permission("sku.unlink", "catalog", "解除关联", "Unlink shop products"),
    Permission(
        "stock.adjust",
        "catalog",
        "调整库存（入库、盘点、报损、调拨）",
        "Adjust stock (receive, count, write off, transfer)",
    ),
    Permission(
        "stock.settings", "catalog", "库存设置（仓库、店铺安全库存）", "Stock settings (warehouses, shop buffers)"
    ),
    Permission("stores.all", "stores", "全部门店（含以后新建的）", "Every store, including future ones"),
    Permission("stores.manage", "stores", "修改门店与店铺", "Edit stores and shops"),
    Permission("shops.credentials", "stores", "修改店铺密钥", "Change shop credentials"),
    Permission("shops.pull", "stores", "拉取订单 / 测试连接", "Pull orders / test connection"),
    Permission("inbox.replay", "stores", "重新处理接收数据", "Replay received data"),
    Permission("users.manage", "admin", "管理用户", "Manage users"),
    Permission("roles.manage", "admin", "管理角色与权限", "Manage roles and permissions"),
    Permission("audit.view", "admin", "查看审计日志", "View the audit trail"),
    Permission("audit.export", "admin", "导出审计日志", "Export the audit trail"),
    Permission("alerts.manage", "admin", "修改告警设置", "Edit alert channels and rules"),
)
KEYS: frozenset[str] = frozenset(p.key for p in PERMISSIONS)
BY_KEY: dict[str, Permission] = {p.key: p for p in PERMISSIONS}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(p.group for p in PERMISSIONS))

# Holders of this permission administer the system: at least one enabled user must keep it.
ADMIN_KEY = "users.manage"
ALL_STORES = "stores.all"

_STAFF = {
    "page.board", "page.orders", "page.stores", "page.system", "order.accept", "order.reject", "order.ready", "order.dispatch",
    "order.deliver", "order.exception", "order.create", "order.print",
    "page.products", "page.stock", "page.delivery", "page.aftersales", "order.partial_refund", "order.waybill", "order.memo", "ride.call", "ride.tip", "ride.cancel", "ride.own",
}  # fmt: skip
_MANAGER = _STAFF | {
    "page.inbox", "page.audit", "aftersale.handle", "aftersale.create", "stock.adjust", "stock.settings", "order.export", "page.reports", "reports.export", "erp.push", "erp.ship", "page.erp", "page.erp_pushes", "erp.settings",
    "stores.manage", "shops.credentials", "shops.pull", "inbox.replay", "audit.view",
    "page.shop_products", "product.edit", "product.import", "product.export", "shop_products.pull", "sku.link",
    "sku.unlink", "delivery.settings", "page.alerts", "alerts.manage",
}  # fmt: skip

# The three roles every merchant starts with (the migration seeds them): key → (中文, English, keys).
PRESETS: dict[str, tuple[str, str, frozenset[str]]] = {
    "admin": ("管理员", "Administrator", KEYS),
    "manager": ("店长", "Store manager", frozenset(_MANAGER)),
    "staff": ("店员", "Store clerk", frozenset(_STAFF)),
}


def known(keys) -> frozenset[str]:
    """The registered keys among `keys` (a role saved before a permission was retired keeps the rest)."""
    return frozenset(k for k in keys if k in KEYS)
