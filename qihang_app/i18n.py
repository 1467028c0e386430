"""One message catalog for the whole UI: key → (简体中文, English). Chinese is the default.

Components render both strings and the browser picks by the language switch (no round trip);
state code that builds messages calls `tr(key, lang)`.
"""

from __future__ import annotations

import re

from qihang_app.domain.messages import decode, encode
from qihang_app.i18n_aftersale import AFTERSALE_MESSAGES
from qihang_app.i18n_audit import AUDIT_MESSAGES
from qihang_app.i18n_board import BOARD_MESSAGES
from qihang_app.i18n_carriers import CARRIER_MESSAGES
from qihang_app.i18n_catalog import CATALOG_MESSAGES
from qihang_app.i18n_delivery import DELIVERY_MESSAGES
from qihang_app.i18n_erp import ERP_MESSAGES
from qihang_app.i18n_erp_kinds import ERP_KIND_MESSAGES
from qihang_app.i18n_g12 import G12_MESSAGES
from qihang_app.i18n_g1315 import G1315_MESSAGES
from qihang_app.i18n_oauth import OAUTH_MESSAGES
from qihang_app.i18n_ops import OPS_MESSAGES
from qihang_app.i18n_reports import REPORT_MESSAGES
from qihang_app.i18n_services import SERVICE_MESSAGES
from qihang_app.i18n_stock import STOCK_MESSAGES
from qihang_app.i18n_waybill import WAYBILL_MESSAGES
from qihang_app.i18n_words import WORDS

__all__ = ["MESSAGES", "PLATFORM_LABEL", "encode", "render", "tr", "tr_known"]

MESSAGES: dict[str, tuple[str, str]] = {
    # app
    "app.name": ("启航 OMS", "QiHang OMS"),
    "app.lang_switch": ("English", "中文"),
    "nav.board": ("调度看板", "Dispatch board"),
    "nav.orders": ("订单", "Orders"),
    "nav.stores": ("门店与店铺", "Stores & shops"),
    "nav.users": ("用户", "Users"),
    "nav.system": ("系统状态", "System status"),
    "nav.logout": ("退出登录", "Log out"),
    "nav.menu": ("菜单", "Menu"),
    # login
    "login.title": ("登录启航 OMS", "Sign in to QiHang OMS"),
    "login.subtitle": (
        "多平台订单 · 即时配送 · 售后，一处处理",
        "All platforms' orders, delivery and after-sales in one place",
    ),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.bad_credentials": ("用户名或密码错误", "Wrong username or password"),
    "login.locked": ("登录失败次数过多，请 {seconds} 秒后再试", "Too many failed attempts; try again in {seconds} s"),
    "login.disabled": ("账号已停用，请联系管理员", "This account is disabled; ask an administrator"),
    "login.required": ("请填写用户名和密码", "Enter a username and password"),
    "login.expired": ("登录已过期，请重新登录", "Your session expired; please sign in again"),
    # common
    "common.all": ("全部", "All"),
    "common.save": ("保存", "Save"),
    "common.cancel": ("取消", "Cancel"),
    "common.delete": ("删除", "Delete"),
    "common.edit": ("编辑", "Edit"),
    "common.add": ("新增", "Add"),
    "common.search": ("搜索", "Search"),
    "common.reset": ("重置", "Reset"),
    "common.total": ("共 {n} 条", "{n} in total"),
    "common.prev": ("上一页", "Previous"),
    "common.next": ("下一页", "Next"),
    "common.page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "common.saved": ("已保存", "Saved"),
    "common.deleted": ("已删除", "Deleted"),
    "common.confirm_delete": ("确定删除吗？此操作不可撤销。", "Delete this? It cannot be undone."),
    "common.no_permission": ("没有权限执行此操作", "You are not allowed to do this"),
    "common.yes": ("是", "Yes"),
    "common.no": ("否", "No"),
    "common.enabled": ("启用", "Enabled"),
    "common.disabled": ("停用", "Disabled"),
    "common.actions": ("操作", "Actions"),
    "common.close": ("关闭", "Close"),
    "common.from": ("开始日期", "From"),
    "common.to": ("结束日期", "To"),
    # orders
    "orders.title": ("订单", "Orders"),
    "orders.filter.store": ("门店", "Store"),
    "orders.filter.shop": ("店铺", "Shop"),
    "orders.filter.platform": ("平台", "Platform"),
    "orders.filter.status": ("状态", "Status"),
    "orders.all_stores": ("全部门店", "All stores"),
    "orders.all_shops": ("全部店铺", "All shops"),
    "orders.all_platforms": ("全部平台", "All platforms"),
    "orders.all_statuses": ("全部状态", "All statuses"),
    "orders.search_placeholder": ("订单号 / 手机尾号 / #序号", "Order no. / phone tail / #seq"),
    "orders.col.no": ("订单号", "Order no."),
    "orders.col.shop": ("店铺", "Shop"),
    "orders.col.items": ("商品", "Items"),
    "orders.col.receiver": ("收货人", "Receiver"),
    "orders.col.amount": ("实付", "Paid"),
    "orders.col.status": ("状态", "Status"),
    "orders.col.placed": ("下单时间", "Placed"),
    "orders.empty": (
        "暂无订单 — 平台订单接入后会自动出现在这里",
        "No orders yet — platform orders appear here as they arrive",
    ),
    "orders.detail": ("订单详情", "Order details"),
    "orders.lines": ("商品明细", "Items"),
    "orders.amounts": ("金额", "Amounts"),
    "orders.timeline": ("时间线", "Timeline"),
    "orders.buyer_memo": ("买家备注", "Buyer memo"),
    "orders.seller_memo": ("商家备注", "Seller memo"),
    "orders.receiver": ("收货信息", "Receiver"),
    "orders.amount.goods": ("商品金额", "Goods"),
    "orders.amount.freight": ("运费", "Freight"),
    "orders.amount.packing": ("包装费", "Packing"),
    "orders.amount.platform_discount": ("平台优惠", "Platform discount"),
    "orders.amount.merchant_discount": ("商家优惠", "Merchant discount"),
    "orders.amount.paid": ("实付", "Paid"),
    "orders.amount.receivable": ("商家应收", "Merchant receivable"),
    "orders.line.qty": ("数量", "Qty"),
    "orders.line.price": ("单价", "Price"),
    "orders.line.discount": ("分摊优惠", "Discount"),
    "orders.line.paid": ("实付", "Paid"),
    "orders.line.erp": ("ERP 商品", "ERP SKU"),
    "orders.line.unlinked": ("未关联", "Not linked"),
    "orders.new_manual": ("手工建单", "New manual order"),
    # stores & shops
    "stores.title": ("门店与店铺", "Stores & shops"),
    "stores.add": ("新增门店", "Add store"),
    "stores.edit": ("编辑门店", "Edit store"),
    "stores.name": ("门店名称", "Store name"),
    "stores.address": ("地址", "Address"),
    "stores.phone": ("电话", "Phone"),
    "stores.hours": ("营业时间", "Opening hours"),
    "stores.lat": ("纬度 (GCJ-02)", "Latitude (GCJ-02)"),
    "stores.lng": ("经度 (GCJ-02)", "Longitude (GCJ-02)"),
    "stores.empty": (
        "还没有门店 — 先新增一个门店，再为它绑定平台店铺",
        "No stores yet — add a store, then bind platform shops to it",
    ),
    "stores.shops": ("平台店铺", "Platform shops"),
    "stores.no_shops": ("未绑定平台店铺", "No platform shops bound"),
    "shops.add": ("绑定店铺", "Bind shop"),
    "shops.edit": ("编辑店铺", "Edit shop"),
    "shops.platform": ("平台", "Platform"),
    "shops.platform_shop_id": ("平台店铺 ID", "Platform shop ID"),
    "shops.name": ("店铺名称", "Shop name"),
    "shops.app_key": ("App ID / Key", "App ID / key"),
    "shops.app_secret": ("App Secret（加密保存）", "App secret (stored encrypted)"),
    "shops.secret_kept": ("留空则保持原密钥不变", "Leave empty to keep the current secret"),
    "shops.enabled": ("启用", "Enabled"),
    "shops.test": ("测试连接", "Test connection"),
    "shops.auto_accept": ("自动接单", "Auto-accept"),
    "shops.auto_accept_hint": (
        "在时间段内自动接单，超过每小时上限后转为人工接单；留空表示全天、不限量",
        "Accept automatically inside the window, up to the hourly maximum; empty means all day, no limit",
    ),
    "shops.auto_from": ("开始", "From"),
    "shops.auto_to": ("结束", "To"),
    "shops.auto_max": ("每小时上限", "Max per hour"),
    # users
    "users.title": ("用户", "Users"),
    "users.add": ("新增用户", "Add user"),
    "users.edit": ("编辑用户", "Edit user"),
    "users.username": ("用户名", "Username"),
    "users.display_name": ("姓名", "Name"),
    "users.role": ("角色", "Role"),
    "users.password": ("密码", "Password"),
    "users.password_hint": ("至少 8 位；编辑时留空则不修改", "At least 8 characters; leave empty to keep it"),
    "users.stores": ("可访问门店", "Stores granted"),
    "users.all_stores": ("全部门店（管理员）", "All stores (admin)"),
    "users.last_login": ("最近登录", "Last login"),
    "users.disable": ("停用", "Disable"),
    "users.no_stores": ("未分配门店：看不到订单", "No store: sees no orders"),
    "users.enable": ("启用", "Enable"),
    "users.delete_hint": (
        "账号和登录会话将被删除，订单记录中保留其编号。只想暂时不让其登录请用「停用」。",
        "The account and its sessions go; orders keep its number. To only stop the login, disable it.",
    ),
    "users.username_hint": ("3–32 位小写字母、数字或 _ . -", "3–32 of a–z, 0–9, _ . -"),
    "users.stores_hint": (
        "店员和店长至少选一个门店，只能看到所选门店的订单",
        "Staff and managers need at least one store; they see only its orders",
    ),
    "role.admin": ("管理员", "Administrator"),
    "role.manager": ("店长", "Manager"),
    "role.staff": ("店员", "Staff"),
    # system
    "system.title": ("系统状态", "System status"),
    "system.database": ("数据库", "Database"),
    "system.redis": ("Redis 队列", "Redis queue"),
    "system.worker": ("后台任务进程", "Background worker"),
    "system.last_seen": ("最近心跳", "Last heartbeat"),
    "system.queue_depth": ("队列积压", "Queue depth"),
    "system.ok": ("正常", "OK"),
    "system.down": ("异常", "Down"),
    "system.stale": ("心跳超时", "Heartbeat stale"),
    "system.version": ("版本", "Version"),
    "system.refresh": ("刷新", "Refresh"),
    "system.seconds_ago": ("{s} 秒前", "{s} s ago"),
    "system.never": ("从未", "Never"),
    # 数据接收 (inbox: pushed and pulled payloads that could not be used)
    "nav.inbox": ("数据接收", "Incoming data"),
    "inbox.title": ("数据接收", "Incoming data"),
    "inbox.hint": (
        "平台推送和拉取的原始数据先存入收件箱再解析。解析失败或验签失败的记录保留在这里，修复后可重放。",
        "Platform pushes and pulls are stored raw before parsing. Rows that failed to parse or to verify are kept here and can be replayed after a fix.",
    ),
    "inbox.failed": ("解析失败", "Failed"),
    "inbox.rejected": ("验签失败/已拒收", "Rejected"),
    "inbox.waiting": ("待处理", "Waiting"),
    "inbox.all_problems": ("全部异常", "All problems"),
    "inbox.col.source": ("来源", "Source"),
    "inbox.col.shop": ("店铺", "Shop"),
    "inbox.col.received": ("接收时间", "Received"),
    "inbox.col.error": ("错误", "Error"),
    "inbox.col.body": ("内容预览", "Body preview"),
    "inbox.replay": ("重放", "Replay"),
    "inbox.replay_all": ("全部重放", "Replay all"),
    "inbox.replay_confirm": (
        "将所选记录重新放回待处理队列，后台任务会在几秒内重新解析（验签失败的记录会用当前店铺密钥重新验签）。",
        "The rows go back to the queue; a worker parses them again within seconds (rejected rows are verified again with the shop's current secret).",
    ),
    "inbox.replayed": ("已重放 {n} 条，几秒内处理", "{n} rows replayed; processed within seconds"),
    "inbox.empty": ("没有异常数据，一切正常", "No problem rows: all incoming data was processed"),
    "inbox.unknown_shop": ("未知店铺", "Unknown shop"),
    "inbox.attempts": ("尝试 {n} 次", "{n} attempts"),
    # pulls (sweep and manual pull) on 门店与店铺
    "pulls.title": ("拉单记录", "Pull log"),
    "pulls.pull": ("拉单", "Pull orders"),
    "pulls.dialog_title": ("手动拉单", "Pull orders now"),
    "pulls.dialog_hint": (
        "从平台拉取所选时间段内更新过的订单（最多 7 天），与推送走同一套入库流程，重复数据不会产生重复订单。",
        "Fetches the orders updated in the chosen range (at most 7 days) through the same ingest as pushes; nothing is duplicated.",
    ),
    "pulls.from": ("开始时间", "From"),
    "pulls.to": ("结束时间", "To"),
    "pulls.start": ("开始拉单", "Start"),
    "pulls.queued": ("已提交，等待后台任务开始…", "Queued; waiting for a worker…"),
    "pulls.kind.sweep": ("定时补单", "Sweep"),
    "pulls.kind.manual": ("手动拉单", "Manual"),
    "pulls.status.queued": ("排队中", "Queued"),
    "pulls.status.running": ("进行中", "Running"),
    "pulls.status.ok": ("成功", "OK"),
    "pulls.status.failed": ("失败", "Failed"),
    "pulls.progress": (
        "{pages} 页 · {orders} 单 · 变更 {changed}",
        "{pages} pages · {orders} orders · {changed} changed",
    ),
    "pulls.none": ("暂无拉单记录", "No pulls yet"),
    "pulls.bad_range": ("请选择有效的开始和结束时间", "Choose a valid start and end"),
    # manual (offline) orders on 订单
    "manual.add": ("手工建单", "New manual order"),
    "manual.title": ("手工建单（线下订单）", "New manual (offline) order"),
    "manual.store": ("门店", "Store"),
    "manual.receiver_name": ("收货人", "Receiver"),
    "manual.receiver_phone": ("电话", "Phone"),
    "manual.receiver_address": ("地址", "Address"),
    "manual.memo": ("备注", "Memo"),
    "manual.freight": ("运费（元）", "Freight (yuan)"),
    "manual.discount": ("优惠（元）", "Discount (yuan)"),
    "manual.lines": ("商品", "Items"),
    "manual.line_name": ("商品名称", "Item name"),
    "manual.line_qty": ("数量", "Qty"),
    "manual.line_price": ("单价（元）", "Unit price (yuan)"),
    "manual.line_code": ("商家编码", "SKU code"),
    "manual.add_line": ("添加商品", "Add item"),
    "manual.total": ("合计", "Total"),
    "manual.created": ("已创建订单 {no}", "Order {no} created"),
    "manual.store_required": ("请选择门店", "Choose a store"),
}
MESSAGES.update(BOARD_MESSAGES)  # the dispatch board
MESSAGES.update(SERVICE_MESSAGES)  # what services and workers send as keys
MESSAGES.update(STOCK_MESSAGES)  # stock (库存)
MESSAGES.update(AFTERSALE_MESSAGES)  # the after-sale center
MESSAGES.update(CARRIER_MESSAGES)  # instant-delivery carriers
MESSAGES.update(WAYBILL_MESSAGES)  # 电子面单, split shipments, seller memo
MESSAGES.update(ERP_KIND_MESSAGES)  # 测试连接 of the 聚水潭 / 旺店通 / 金蝶 connections
MESSAGES.update(AUDIT_MESSAGES)  # the audit trail, roles and permissions
MESSAGES.update(CATALOG_MESSAGES)  # 商品 and 店铺商品
MESSAGES.update(G12_MESSAGES)  # retried carrier calls, waiting callbacks, editing carrier keys
MESSAGES.update(OPS_MESSAGES)  # alerts, metrics, backups (operations)
MESSAGES.update(DELIVERY_MESSAGES)  # instant delivery: dispatch, riders, auto-dispatch
MESSAGES.update(REPORT_MESSAGES)  # 报表
MESSAGES.update(WORDS)  # what was stored for later reading (timeline, 异常 reasons, …)
MESSAGES.update(ERP_MESSAGES)  # the ERP link
MESSAGES.update(OAUTH_MESSAGES)  # OAuth 授权, token expiry, refund pulls
MESSAGES.update(G1315_MESSAGES)  # after-sale line states, delivery cost report, API-key audit actors

PLATFORM_LABEL: dict[str, tuple[str, str]] = {
    "meituan": ("美团闪购", "Meituan"),
    "douyin_laike": ("抖音来客", "Douyin Laike"),
    "taobao": ("淘宝天猫", "Taobao"),
    "jd": ("京东", "JD"),
    "pdd": ("拼多多", "Pinduoduo"),
    "doudian": ("抖店", "Doudian"),
    "wechat": ("微信小店", "WeChat Shop"),
    "kuaishou": ("快手小店", "Kuaishou"),
    "offline": ("线下", "Offline"),
}


def tr(key: str, lang: str = "zh", **params: object) -> str:
    zh, en = MESSAGES[key]
    text = en if lang == "en" else zh
    return text.format(**params) if params else text


def tr_known(text: str, lang: str = "zh", **params: object) -> str:
    """`text` translated when it is a catalog key, else as it is (e.g. a platform's own words)."""
    return tr(text, lang, **params) if text in MESSAGES else text


# Texts stored before messages were encoded: "中文 / English" in one string (异常 reasons).
_OLD_PAIR = re.compile(
    r"(?P<zh>.+?) / (?P<en>(?:The buyer asks|Partial refund paid|The rider cancelled|Delivery problem).*)",
    re.DOTALL,
)


class _Blank(dict):
    """Format parameters where a missing one reads as nothing (an old message, a new key)."""

    def __missing__(self, key: str) -> str:
        return ""


def _param(value: object, lang: str) -> str:
    if isinstance(value, dict):  # {"zh": …, "en": …}: a name the catalog does not hold
        return str(value.get(lang) or value.get("zh") or "")
    if isinstance(value, list):
        parts = [_param(v, lang) for v in value]
        return (", " if lang == "en" else "、").join(p for p in parts if p)
    if isinstance(value, str):
        return render(value, lang) if decode(value) else value
    return "" if value is None else str(value)


def render(stored: str | None, lang: str = "zh") -> str:
    """Stored text in the reader's language: an encoded message (`encode`), a plain catalog key,
    an old "中文 / English" pair (one side of it), or anything else as it is."""
    if not stored:
        return ""
    decoded = decode(stored)
    if decoded is None:
        if stored in MESSAGES:
            return tr(stored, lang)
        old = _OLD_PAIR.fullmatch(stored)
        return old[lang if lang == "en" else "zh"].strip() if old else stored
    key, params = decoded
    if key not in MESSAGES:
        return key
    zh, en = MESSAGES[key]
    values = _Blank({name: _param(value, lang) for name, value in params.items()})
    return (en if lang == "en" else zh).format_map(values)
