"""Messages of the operations side: alert rules and robot cards, the 告警设置 screen, its refusals.

Same (简体中文, English) form as qihang_app/i18n.py, which merges them into its catalog. Robot cards
are sent in Chinese (group chats are read by store staff).
"""

from __future__ import annotations

OPS_MESSAGES: dict[str, tuple[str, str]] = {
    # rules: what each one is called on the settings screen, and its card
    "alerts.rule.new_order_unaccepted": ("新订单超时未接单", "New order not accepted in time"),
    "alerts.rule.new_order_unaccepted.title": (
        "{platform} 订单 {no} 已 {minutes} 分钟未接单",
        "{platform} order {no} waiting {minutes} min to be accepted",
    ),
    "alerts.rule.new_order_unaccepted.text": (
        "**{platform}** 新订单 **{no}** 已等待 **{minutes}** 分钟，请尽快接单，超时平台可能自动取消。",
        "**{platform}** order **{no}** has waited **{minutes}** min; accept it before the platform cancels it.",
    ),
    "alerts.rule.refund_request": ("顾客申请退款", "Refund requested"),
    "alerts.rule.refund_request.title": ("订单 {no} 申请退款", "Order {no}: refund requested"),
    "alerts.rule.refund_request.text": (
        "**{platform}** 订单 **{no}**：{reason}。请在平台处理退款申请。",
        "**{platform}** order **{no}**: {reason}. Answer the request on the platform.",
    ),
    "alerts.rule.rider_problem": ("骑手异常", "Rider problem"),
    "alerts.rule.rider_problem.title": ("订单 {no} 配送异常", "Order {no}: delivery problem"),
    "alerts.rule.rider_problem.text": (
        "**{platform}** 订单 **{no}**：{reason}。请联系骑手或重新呼叫。",
        "**{platform}** order **{no}**: {reason}. Call the rider or ask for another.",
    ),
    "alerts.rule.board_backlog": ("看板积压", "Board backlog"),
    "alerts.rule.board_backlog.title": ("{store} 有 {count} 单待处理", "{store}: {count} orders waiting"),
    "alerts.rule.board_backlog.text": (
        "门店 **{store}** 的看板上有 **{count}** 单待接单或待备货，请加派人手。",
        "Store **{store}** has **{count}** orders to accept or prepare on its board; send more hands.",
    ),
    "alerts.rule.token_expiring": ("平台授权即将过期", "Platform token expiring"),
    "alerts.rule.token_expiring.title": (
        "店铺 {shop} 的授权将在 {hours} 小时内过期",
        "Shop {shop}: platform token expires within {hours} h",
    ),
    "alerts.rule.token_expiring.text": (
        "**{platform}** 店铺 **{shop}** 的授权即将过期，过期后收不到新订单，请在 门店与店铺 重新授权。",
        "**{platform}** shop **{shop}**: its authorisation expires soon and orders will stop; "
        "re-authorise it under Stores & shops.",
    ),
    "alerts.rule.worker_down": ("后台任务停止", "Worker down"),
    "alerts.rule.worker_down.title": (
        "后台任务已停止（{seconds} 秒无心跳）",
        "Workers stopped ({seconds} s without heartbeat)",
    ),
    "alerts.rule.worker_down.text": (
        "没有后台任务在运行：新订单不会入库，平台回传暂停。请检查服务器。",
        "No worker is running: new orders are not ingested and write-backs wait. Check the server.",
    ),
    "alerts.rule.redis_down": ("Redis 不可用", "Redis down"),
    "alerts.rule.redis_down.title": ("Redis 无法连接", "Redis unreachable"),
    "alerts.rule.redis_down.text": (
        "任务队列和看板实时更新停止（{error}）。订单数据不受影响，恢复后自动补齐。",
        "The job queue and live board updates stopped ({error}). No order is lost; they catch up when it is back.",
    ),
    "alerts.rule.outbox_dead": ("平台回传失败", "Write-back gave up"),
    "alerts.rule.outbox_dead.title": ("{target} 有 {count} 条回传失败", "{target}: {count} write-backs gave up"),
    "alerts.rule.outbox_dead.text": (
        "发往 **{target}** 的 **{count}** 条状态回传已多次重试失败，请在 系统状态 查看原因。",
        "**{count}** write-backs to **{target}** failed after every retry; see System status.",
    ),
    "alerts.rule.erp_push_dead": ("ERP 推送失败", "ERP push gave up"),
    "alerts.rule.erp_push_dead.title": ("订单 {no} 推送 ERP 失败", "Order {no}: ERP push gave up"),
    "alerts.rule.erp_push_dead.text": (
        "订单 **{no}** 多次推送 ERP 均失败，请检查 ERP 连接后重推。",
        "Order **{no}** could not be pushed to the ERP after every retry; check the ERP connection and push again.",
    ),
    "alerts.unit.minutes": ("分钟", "min"),
    "alerts.unit.seconds": ("秒", "s"),
    "alerts.unit.hours": ("小时", "h"),
    "alerts.unit.orders": ("单", "orders"),
    "alerts.unit.rows": ("条", "rows"),
    # cards
    "alerts.card.resolved": ("已恢复：{title}", "Resolved: {title}"),
    "alerts.card.resolved_text": (
        "问题已解除，前后约 {minutes} 分钟。",
        "The problem cleared after about {minutes} min.",
    ),
    "alerts.card.open_order": ("查看订单", "Open the order"),
    "alerts.card.open_system": ("查看系统状态", "Open system status"),
    "alerts.card.open_settings": ("告警设置", "Alert settings"),
    "alerts.card.test_title": ("启航 OMS 测试消息", "QiHang OMS test message"),
    "alerts.card.test_text": (
        "告警渠道 **{channel}** 已连通。出现问题时会在这里提醒，恢复时再发一条。",
        "Alert channel **{channel}** works. Problems are announced here, and again when they clear.",
    ),
    # settings screen
    "nav.alerts": ("告警设置", "Alerts"),
    "alerts.title": ("告警设置", "Alert settings"),
    "alerts.channels": ("告警渠道", "Channels"),
    "alerts.rules": ("告警规则", "Rules"),
    "alerts.history": ("最近发送", "Recently sent"),
    "alerts.add_channel": ("新增渠道", "Add a channel"),
    "alerts.field.name": ("名称", "Name"),
    "alerts.field.kind": ("机器人", "Robot"),
    "alerts.field.store": ("门店", "Store"),
    "alerts.field.all_stores": ("全部门店（含系统告警）", "Every store (and system alerts)"),
    "alerts.field.url": ("Webhook 地址", "Webhook address"),
    "alerts.field.secret": ("加签密钥", "Signing secret"),
    "alerts.field.secret_keep": ("留空则保留原密钥", "Leave empty to keep the stored secret"),
    "alerts.field.quiet": ("免打扰时段", "Quiet hours"),
    "alerts.field.max_per_hour": ("每小时最多条数", "At most per hour"),
    "alerts.field.threshold": ("阈值", "Threshold"),
    "alerts.field.enabled": ("启用", "On"),
    "alerts.test": ("测试", "Test"),
    "alerts.test.sent": ("测试消息已发送", "Test message sent"),
    "alerts.test.failed": ("发送失败：{error}", "Sending failed: {error}"),
    "alerts.test.no_worker": (
        "没有后台任务响应（{error}），请稍后再试",
        "No worker answered ({error}); try again later",
    ),
    "alerts.status.sent": ("已发送", "Sent"),
    "alerts.status.sending": ("发送中", "Sending"),
    "alerts.status.failed": ("失败", "Failed"),
    "alerts.kind.fire": ("告警", "Alert"),
    "alerts.kind.resolve": ("恢复", "Resolved"),
    "alerts.kind.test": ("测试", "Test"),
    "alerts.empty": ("还没有告警渠道", "No alert channel yet"),
    # refusals
    "alerts.err.not_found": ("告警渠道 {channel_id} 不存在", "Alert channel {channel_id} does not exist"),
    "alerts.err.name_required": ("请填写渠道名称", "Enter a name for the channel"),
    "alerts.err.bad_kind": ("不支持的机器人类型：{kind}", "Unknown robot kind: {kind}"),
    "alerts.err.bad_rule": ("未知的告警规则：{rule}", "Unknown alert rule: {rule}"),
    "alerts.err.unknown_field": ("未知字段", "Unknown field"),
    "alerts.err.url_required": ("请填写机器人的 Webhook 地址", "Enter the robot's webhook address"),
    "alerts.err.bad_url": (
        "Webhook 地址应以 http:// 或 https:// 开头，且不含空格和中文",
        "A webhook address starts with http:// or https:// and has no spaces or non-ASCII characters",
    ),
    "alerts.err.bad_quiet": (
        "免打扰时段请填写开始和结束时间（如 22:00 和 08:00）",
        "Give quiet hours as start and end (e.g. 22:00 and 08:00)",
    ),
}
