"""Words for what the OMS stored or measured, shown to store staff: an order's timeline, the
reasons a card sits in 异常, why 数据接收 kept a row, the worker on 系统状态, a refused print.
Same (简体中文, English) form as qihang_app/i18n.py, which merges them into its catalog.

Keys used by stored messages (`qihang_app.domain.messages.encode`) must never be renamed:
orders keep them for years.
"""

from __future__ import annotations

_REFUND_KINDS = {
    "full": ("全额退款", "Full refund"),
    "partial": ("部分退款", "Partial refund"),
    "return_goods": ("退货退款", "Return and refund"),
}
_REFUND_STATES = {
    "applied": ("已申请", "requested"),
    "agreed": ("商家已同意", "agreed"),
    "rejected": ("已拒绝", "rejected"),
    "cancelled": ("顾客已撤销", "withdrawn"),
    "succeeded": ("已退款", "paid"),
    "failed": ("退款失败", "failed"),
}
_RIDER_STATES = {
    "awaiting_rider": ("等待骑手接单", "Waiting for a rider"),
    "rider_accepted": ("骑手已接单", "Rider assigned"),
    "at_store": ("骑手已到店", "Rider at the store"),
    "delivering": ("骑手配送中", "Rider on the way"),
    "delivered": ("骑手已送达", "Rider delivered"),
    "cancelled": ("骑手取消配送", "Rider cancelled"),
    "exception": ("配送异常", "Delivery problem"),
}
_FIELDS = {
    "receiver": ("收货信息", "receiver"),
    "memo": ("备注", "memo"),
    "amounts": ("金额", "amounts"),
    "delivery": ("配送方式", "delivery"),
    "times": ("送达时间", "delivery time"),
    "lines": ("商品", "items"),
    "number": ("订单号", "order number"),
}

WORDS: dict[str, tuple[str, str]] = {
    # the card's 异常 reason (stored in orders.exception_reason as an encoded message)
    "attention.refund_applied": (
        "顾客申请退款{amount}，请到售后处理",
        "The buyer asks for a refund{amount}; answer it under After-sales",
    ),
    "attention.refund_applied_why": (
        "顾客申请退款{amount}：{reason}，请到售后处理",
        "The buyer asks for a refund{amount}: {reason}; answer it under After-sales",
    ),
    "attention.partial_refund_paid": (
        "部分退款已完成{amount}，退款商品不要再出库",
        "Partial refund paid{amount}; do not send the refunded items",
    ),
    "attention.partial_refund_paid_why": (
        "部分退款已完成{amount}：{reason}，退款商品不要再出库",
        "Partial refund paid{amount}: {reason}; do not send the refunded items",
    ),
    "attention.rider_cancelled": (
        "骑手取消了配送，请重新呼叫骑手或联系平台",
        "The rider cancelled the delivery; call another rider or the platform",
    ),
    "attention.rider_problem": ("配送异常，请联系骑手或平台", "Delivery problem; contact the rider or the platform"),
    "attention.rider_problem_named": (
        "配送异常（{rider}），请联系骑手或平台",
        "Delivery problem ({rider}); contact the rider or the platform",
    ),
    # order events written by ingest (stored in order_events.note as encoded messages)
    "order.event.refund": ("{what}{amount}（{state}）", "{what}{amount} ({state})"),
    "order.event.cancel_reason": ("原因：{reason}", "Reason: {reason}"),
    "order.event.closed_by_refund": ("全额退款，订单关闭", "Fully refunded: the order is closed"),
    "order.event.updated": ("订单信息更新：{fields}", "Order details updated: {fields}"),
    "order.event.rider": ("{state}", "{state}"),
    # the timeline of the order drawer
    "timeline.who.auto": ("自动接单", "Auto-accept"),
    "timeline.who.system": ("系统", "System"),
    "timeline.who.user": ("{name}", "{name}"),
    "timeline.who.platform": ("{name}", "{name}"),
    "timeline.created": ("平台下单", "Order placed on the platform"),
    "timeline.created_manual": ("手工建单", "Entered by hand"),
    "timeline.status": ("状态变更", "Status changed"),
    "timeline.to.to_ship": ("平台确认接单", "Confirmed on the platform"),
    "timeline.to.shipped": ("已发货", "Shipped"),
    "timeline.to.completed": ("订单完成", "Order completed"),
    "timeline.to.cancelled": ("订单取消", "Order cancelled"),
    "timeline.to.closed": ("订单关闭", "Order closed"),
    "timeline.updated": ("订单信息更新", "Order details updated"),
    "timeline.refund": ("退款", "Refund"),
    "timeline.delivery": ("配送进度", "Delivery progress"),
    "timeline.accepted": ("接单", "Accepted"),
    "timeline.rejected": ("拒单", "Rejected"),
    "timeline.cancelled": ("取消订单", "Cancelled"),
    "timeline.ready": ("备货完成", "Packed"),
    "timeline.dispatched": ("自配送出发", "Own rider left"),
    "timeline.delivered": ("已送达", "Delivered"),
    "timeline.exception_acknowledged": ("已确认异常提醒", "Exception acknowledged"),
    "timeline.call_failed": ("平台未接受：{action}", "The platform refused: {action}"),
    "timeline.other": ("{kind}", "{kind}"),
    "timeline.reason": ("原因：{reason}", "Reason: {reason}"),
    "timeline.rider": ("骑手：{rider}", "Rider: {rider}"),
    "timeline.refund_no": ("退款单 {refund_id}", "Refund no. {refund_id}"),
    "timeline.via.push": ("平台推送", "pushed by the platform"),
    "timeline.via.sweep": ("定时补单", "scheduled sweep"),
    "timeline.via.manual": ("手动拉单", "manual pull"),
    "timeline.via.detail": ("补拉详情", "detail fetch"),
    "orders.exception": ("异常", "Exception"),
    # 数据接收: why a row was kept, in plain words (the technical text stays behind 展开)
    "inbox.reason.signature": (
        "签名不符：店铺的 App Secret 可能已更换，核对后重放",
        "The signature does not match: the shop's app secret may have changed; check it, then replay",
    ),
    "inbox.reason.missing_signature": (
        "没有签名，无法确认来自平台",
        "No signature: it cannot be shown to come from the platform",
    ),
    "inbox.reason.too_old": (
        "推送时间过旧，可能是重发的旧消息",
        "Sent too long ago: probably an old message sent again",
    ),
    "inbox.reason.unknown_shop": (
        "找不到对应的店铺：先在「门店与店铺」绑定该平台店铺，再重放",
        "No matching shop: bind this platform shop under Stores & shops, then replay",
    ),
    "inbox.reason.shop_gone": ("对应的店铺已删除", "The shop it belongs to was removed"),
    "inbox.reason.wrong_shop": ("数据属于另一个店铺，已拒收", "The data belongs to another shop; refused"),
    "inbox.reason.malformed": (
        "数据格式无法识别：平台发来的内容不完整或格式不对",
        "The data could not be read: incomplete or in an unexpected format",
    ),
    "inbox.reason.unsupported": ("该平台尚未接入，无法解析", "This platform is not connected yet"),
    "inbox.reason.not_applied": ("数据已读取，但无法写入订单", "Read, but it could not be applied to the order"),
    "inbox.reason.parse_failed": ("数据无法解析，修复后可重放", "Could not be read; replay it after a fix"),
    "inbox.reason.refused": ("已拒收", "Refused"),
    "inbox.col.reason": ("原因", "Reason"),
    "inbox.show_raw": ("展开", "Show details"),
    "inbox.hide_raw": ("收起", "Hide details"),
    "inbox.technical": ("技术原因：", "Technical reason: "),
    "inbox.raw": ("原始数据", "Raw data"),
    # 系统状态: the background worker in words
    "system.jobs": ("后台任务", "Background jobs"),
    "system.jobs_running": ("运行中", "Running"),
    "system.jobs_stopped": ("已停止", "Stopped"),
    "system.jobs_never": ("从未启动", "Never started"),
    "system.jobs_hint": (
        "接单、同步平台、拉单都由后台任务完成",
        "Accepting, syncing with platforms and pulls run as background jobs",
    ),
    "system.jobs_down_hint": (
        "后台任务没有心跳：新订单不会入库，请重启后台任务进程",
        "No heartbeat: new orders are not coming in; restart the worker process",
    ),
    "system.processes": ("进程数", "Processes"),
    "system.process_id": ("进程标识", "Process id"),
    # 打印 refused
    "print.no_permission": ("没有权限打印此订单", "You may not print this order"),
    "print.no_permission_hint": (
        "该订单不属于您可访问的门店，请联系店长或管理员",
        "The order belongs to a store you have no access to; ask a manager or an administrator",
    ),
    "print.not_found": ("订单不存在", "No such order"),
    "print.back": ("返回订单", "Back to orders"),
    # 订单 filters
    "orders.range_swapped": ("开始日期晚于结束日期，已自动对调", "The start was after the end; the dates were swapped"),
    **{f"refund.kind.{k}": v for k, v in _REFUND_KINDS.items()},
    **{f"refund.state.{k}": v for k, v in _REFUND_STATES.items()},
    **{f"rider.state.{k}": v for k, v in _RIDER_STATES.items()},
    **{f"field.{k}": v for k, v in _FIELDS.items()},
}
