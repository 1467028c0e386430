"""Messages of instant delivery: carrier accounts, dispatch, own riders, auto-dispatch decisions
and the delivery timeline. Merged by qihang_app/i18n.py."""

from __future__ import annotations

_STATUS = {
    "awaiting_rider": ("待接单", "Awaiting rider"),
    "rider_accepted": ("已接单", "Rider accepted"),
    "at_store": ("已到店", "At the store"),
    "delivering": ("配送中", "Delivering"),
    "delivered": ("已送达", "Delivered"),
    "cancelled": ("已取消", "Cancelled"),
    "exception": ("异常", "Problem"),
}

DELIVERY_MESSAGES: dict[str, tuple[str, str]] = {
    **{f"rider.status.{k}": v for k, v in _STATUS.items()},
    **{
        f"delivery.note.{k}": (f"{{carrier}} {zh} {{rider}}", f"{{carrier}}: {en} {{rider}}")
        for k, (zh, en) in _STATUS.items()
    },
    "delivery.note.booked": (
        "已呼叫{carrier}（{ref}），运费 {fee}，小费 {tip}",
        "Called {carrier} ({ref}); fee {fee}, tip {tip}",
    ),
    "delivery.note.cancelled": ("已取消{carrier}的配送：{reason}", "Cancelled the {carrier} ride: {reason}"),
    "delivery.note.tip": ("加小费 {tip}（共 {total}）", "Added a tip of {tip} ({total} in all)"),
    "delivery.note.own_rider": ("自有骑手 {rider} 出发", "Own rider {rider} set off"),
    # refusals
    "delivery.err.unknown_carrier": ("未知的配送方：{carrier}", "Unknown carrier: {carrier}"),
    "delivery.err.account_not_found": ("配送账号不存在（{account_id}）", "No carrier account {account_id}"),
    "delivery.err.key_required": ("请填写{label}", "Enter the {label}"),
    "delivery.err.bad_url": (
        "接口地址须以 http:// 或 https:// 开头",
        "The API address must start with http:// or https://",
    ),
    "delivery.err.carrier_fixed": ("配送方不能修改，请新建账号", "The carrier cannot change; add a new account"),
    "delivery.err.order_ended": (
        "订单已结束，不能再呼叫骑手（{status}）",
        "The order has ended ({status}); no rider can be called",
    ),
    "delivery.err.not_found": ("配送记录不存在（{delivery_id}）", "No delivery {delivery_id}"),
    "delivery.err.not_merchant": (
        "该订单由平台配送，无需呼叫骑手",
        "The platform delivers this order; no rider to call",
    ),
    "delivery.err.active": ("已有进行中的配送，请先取消", "A ride is already running; cancel it first"),
    "delivery.err.no_active": ("没有进行中的配送", "No ride is running"),
    "delivery.err.no_accounts": ("门店还没有启用的配送账号", "The store has no enabled carrier account"),
    "delivery.err.tip_range": ("小费须在 ¥0.01 到 ¥200 之间", "A tip must be between ¥0.01 and ¥200"),
    "delivery.err.rider_required": ("请选择骑手", "Choose a rider"),
    "delivery.err.rider_not_found": ("骑手不存在或已停用", "No such active rider"),
    "delivery.err.rider_name": ("请填写骑手姓名", "Enter the rider's name"),
    "delivery.err.rider_phone": ("请填写骑手手机号", "Enter the rider's phone"),
    "delivery.err.bad_link": (
        "链接无效或已重置，请向门店索取新链接",
        "This link is no longer valid; ask the store for a new one",
    ),
    "delivery.err.rider_step": ("当前状态不能执行此操作", "This step does not fit the ride's state"),
    "delivery.err.bad_minutes": ("等待分钟数须在 1 到 60 之间", "Minutes to wait must be 1 to 60"),
    "delivery.err.bad_choice": ("无效的选项：{value}", "Not an option: {value}"),
    "delivery.err.worker": ("后台任务没有响应，请稍后再试", "The background worker did not answer; retry shortly"),
    # auto-dispatch decisions (order timeline)
    "delivery.auto.no_quotes": ("自动派单：没有配送方报价", "Auto-dispatch: no carrier quoted"),
    "delivery.auto.all_tried": (
        "自动派单：{n} 家配送方都已尝试，请人工处理",
        "Auto-dispatch: all {n} carriers tried; over to staff",
    ),
    "delivery.auto.over_cap": (
        "自动派单：最低报价 {cheapest} 超过上限 {cap}，请人工处理",
        "Auto-dispatch: the cheapest quote {cheapest} is over the cap {cap}; over to staff",
    ),
    "delivery.auto.chose_cheapest": (
        "自动派单：选择最便宜的{carrier}（{fee}，约 {eta} 分钟）",
        "Auto-dispatch: cheapest is {carrier} ({fee}, about {eta} min)",
    ),
    "delivery.auto.chose_fastest": (
        "自动派单：选择最快的{carrier}（{fee}，约 {eta} 分钟）",
        "Auto-dispatch: fastest is {carrier} ({fee}, about {eta} min)",
    ),
    "delivery.auto.chose_preferred": (
        "自动派单：按优先顺序选择{carrier}（{fee}，约 {eta} 分钟）",
        "Auto-dispatch: preferred carrier {carrier} ({fee}, about {eta} min)",
    ),
    "delivery.auto.timeout": (
        "自动派单：{carrier} {minutes} 分钟内无骑手接单，取消并换下一家",
        "Auto-dispatch: no {carrier} rider within {minutes} min; cancelled, trying the next",
    ),
    "delivery.auto.failed": (
        "自动派单：{carrier}下单失败：{reason}",
        "Auto-dispatch: booking {carrier} failed: {reason}",
    ),
    "nav.delivery": ("配送设置", "Delivery"),
    # board and dialogs
    "dispatch.call_rider": ("呼叫骑手", "Call a rider"),
    "dispatch.quotes_title": ("选择配送", "Choose a carrier"),
    "dispatch.loading": ("正在询价…", "Getting quotes…"),
    "dispatch.cheapest": ("最便宜", "Cheapest"),
    "dispatch.fastest": ("最快", "Fastest"),
    "dispatch.minutes": ("约 {n} 分钟", "about {n} min"),
    "dispatch.choose": ("选这家", "Book"),
    "dispatch.tip": ("小费（元）", "Tip (¥)"),
    "dispatch.add_tip": ("加小费", "Add tip"),
    "dispatch.cancel_ride": ("取消配送", "Cancel ride"),
    "dispatch.redispatch": ("换一家", "Another carrier"),
    "dispatch.booked": ("已呼叫{carrier}", "{carrier} called"),
    "dispatch.cancelled": ("已取消配送", "Ride cancelled"),
    "dispatch.tipped": ("已加小费", "Tip added"),
    "dispatch.no_quotes": ("没有可用的报价", "No quotes"),
    "dispatch.eta_left": ("{n} 分钟后送达", "due in {n} min"),
    "dispatch.own_rider": ("自有骑手", "Own rider"),
    "dispatch.pick_rider": ("选择骑手", "Choose a rider"),
    "carriers.title": ("配送账号", "Carrier accounts"),
    "carriers.add": ("新增配送账号", "Add carrier account"),
    "carriers.kind": ("配送方", "Carrier"),
    "carriers.name": ("账号名称", "Account name"),
    "carriers.base_url": ("接口地址（可选）", "API address (optional)"),
    "carriers.enabled": ("启用", "Enabled"),
    "carriers.test": ("测试连接", "Test connection"),
    "carriers.secret_kept": ("已设置，留空则不修改", "Set; leave empty to keep"),
    "riders.title": ("自有骑手", "Own riders"),
    "riders.add": ("新增骑手", "Add rider"),
    "riders.name": ("姓名", "Name"),
    "riders.phone": ("手机号", "Phone"),
    "riders.link": ("骑手链接", "Rider link"),
    "riders.new_link": ("生成新链接", "New link"),
    "riders.link_once": ("链接只显示一次，请发给骑手", "The link is shown once; send it to the rider"),
    "riders.page_title": ("我的配送", "My deliveries"),
    "riders.none": ("暂无配送单", "No deliveries"),
    "riders.at_store": ("已到店", "At the store"),
    "riders.picked_up": ("已取货", "Picked up"),
    "riders.delivered": ("已送达", "Delivered"),
    "auto.title": ("自动派单", "Auto-dispatch"),
    "auto.trigger.accept": ("接单后立即", "Right after accepting"),
    "auto.trigger.ready": ("备货完成时", "When packed"),
    "auto.strategy.cheapest": ("最便宜", "Cheapest"),
    "auto.strategy.fastest": ("最快", "Fastest"),
    "auto.strategy.preferred": ("按优先顺序", "Preferred order"),
    "auto.max_fee": ("价格上限（元，可空）", "Price cap (¥, optional)"),
    "auto.minutes": ("无人接单等待（分钟）", "Wait for a rider (min)"),
}
