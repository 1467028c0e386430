"""The messages services and workers hand to the UI as keys (refusals, answers of a worker), in
the same (简体中文, English) form as qihang_app/i18n.py, which merges them into its catalog.

Services raise `ValidationError(key="stores.err.name_required")` (see services/errors.py); the
page translates the key into the reader's language, so nobody sees both languages at once.
"""

from __future__ import annotations

SERVICE_MESSAGES: dict[str, tuple[str, str]] = {
    # a failed platform call (integrations.errors), in words staff can act on
    "platform_err.network": (
        "连不上平台服务器，请检查网络后重试",
        "Cannot reach the platform; check the network and retry",
    ),
    "platform_err.timeout": ("平台响应超时，请稍后重试", "The platform did not answer in time; retry later"),
    "platform_err.unreadable": (
        "平台的应答无法识别，请稍后重试",
        "The platform's answer could not be read; retry later",
    ),
    "platform_err.unexpected": (
        "出现意外错误，请稍后重试；一直失败请联系管理员",
        "Something unexpected went wrong; retry later, and tell an administrator if it keeps failing",
    ),
    "platform_err.unavailable": (
        "平台服务暂时不可用（{said}），请稍后重试",
        "The platform is temporarily unavailable ({said}); retry later",
    ),
    "platform_err.rejected": (
        "平台拒绝了请求（{said}），请检查店铺的接口设置",
        "The platform refused the request ({said}); check the shop's API settings",
    ),
    "platform_err.rate_limited": (
        "平台限流（{said}），请稍后重试",
        "The platform is limiting calls ({said}); retry later",
    ),
    "platform_err.credentials": (
        "平台不接受店铺的密钥或授权（{said}），请核对 App ID 和密钥或重新授权",
        "The platform rejected the shop's credentials ({said}); check the app id and secret, or authorise again",
    ),
    "platform_err.said": ("平台返回错误（{said}）", "The platform returned an error ({said})"),
    # typed input (qihang_app/domain/input_rules.py), shown next to the field
    "input.required": ("请填写此项", "Required"),
    "input.too_long": ("最多 {limit} 个字（现在 {length} 个）", "At most {limit} characters (now {length})"),
    "input.bad_chars": ("不能包含表情、尖括号 < > 或控制字符", "No emoji, angle brackets < > or control characters"),
    "input.bad_phone": (
        "电话只能包含数字、空格和 -，如 13812345678 或 021-62881234",
        "Digits, spaces and dashes only, e.g. 13812345678 or 021-62881234",
    ),
    "input.bad_time": ("时间格式应为 HH:MM，如 09:30", "Use HH:MM, e.g. 09:30"),
    "input.bad_hours": (
        "营业时间格式应为 09:00-22:00，多段用逗号分隔",
        "Opening hours look like 09:00-22:00, ranges separated by commas",
    ),
    "input.bad_lat": ("纬度须为 -90 到 90 之间的数字", "Latitude is a number from -90 to 90"),
    "input.bad_lng": ("经度须为 -180 到 180 之间的数字", "Longitude is a number from -180 to 180"),
    "input.bad_username": (
        "用户名为 {n}–{limit} 位小写字母、数字或 _ . -",
        "A username has {n}–{limit} of a–z, 0–9, _ . -",
    ),
    "input.bad_code": ("只能包含字母、数字和 _ . : - /", "Letters, digits and _ . : - / only"),
    "input.bad_secret": ("不能包含空格、表情或控制字符", "No spaces, emoji or control characters"),
    "input.bad_search": ("请输入订单号、手机尾号或 #序号", "Enter an order number, a phone tail or #seq"),
    "input.bad_whole": ("请输入 {minimum} 到 {maximum} 之间的整数", "Enter a whole number from {minimum} to {maximum}"),
    "input.whole_range": ("须在 {minimum} 到 {maximum} 之间", "Must be from {minimum} to {maximum}"),
    "input.bad_money": ("金额格式应为 12.50（最多两位小数）", "Amounts look like 12.50 (at most two decimals)"),
    "input.money_range": ("金额须在 ¥0.00 到 {maximum} 之间", "The amount must be from ¥0.00 to {maximum}"),
    # stores and shops
    "stores.err.not_found": ("门店不存在（{store_id}）", "No such store ({store_id})"),
    "stores.err.name_required": ("门店名称不能为空", "The store name is required"),
    "stores.err.bad_hours": (
        "营业时间格式应为 09:00-22:00（收到 {hours}）",
        "Opening hours look like 09:00-22:00 (got {hours})",
    ),
    "stores.err.bad_location": ("经纬度超出范围", "Latitude or longitude out of range"),
    "stores.err.fixed_fields": ("不可修改的字段：{fields}", "These fields cannot be changed: {fields}"),
    "stores.err.in_use": (
        "门店下还有店铺或订单，请改为停用",
        "The store still has shops or orders; disable it instead",
    ),
    "shops.err.not_found": ("店铺不存在（{shop_id}）", "No such shop ({shop_id})"),
    "shops.err.name_required": ("店铺名称不能为空", "The shop name is required"),
    "shops.err.bad_hourly_cap": ("每小时上限至少为 1", "The hourly limit must be at least 1"),
    "shops.err.bad_sweep_interval": ("轮询间隔至少 60 秒", "The sweep interval must be at least 60 s"),
    "shops.err.bad_platform": ("未知平台：{platform}", "Unknown platform: {platform}"),
    "shops.err.platform_shop_id_required": ("平台店铺 ID 不能为空", "The platform shop ID is required"),
    "shops.err.taken": (
        "该平台店铺已绑定（{platform} {platform_shop_id}）",
        "This platform shop is already bound ({platform} {platform_shop_id})",
    ),
    "shops.err.in_use": ("店铺已有订单，请改为停用", "The shop has orders; disable it instead"),
    # 测试连接 (answered by a worker)
    "shops.test.not_found": ("店铺不存在", "Shop not found"),
    "shops.test.no_credentials": ("缺少 App ID 或密钥，请先填写", "App ID or secret missing; fill them in first"),
    "shops.test.unsupported": ("该平台暂未接入", "This platform is not supported yet"),
    "shops.test.ok_products": (
        "接口正常，已读取商品列表（{n} 条样例），耗时 {ms} ms",
        "The API answers: read the product list ({n} samples) in {ms} ms",
    ),
    "shops.test.ok_orders": (
        "接口正常，授权有效（订单总数 {n}），耗时 {ms} ms",
        "The API answers: authorised ({n} orders in total) in {ms} ms",
    ),
    "shops.test.no_worker": (
        "后台任务无响应，请检查系统状态（{error}）",
        "No worker answered; check the system status ({error})",
    ),
    # pulls
    "pulls.err.unsupported": ("该平台暂不支持拉单（{platform}）", "Orders cannot be pulled from {platform} yet"),
    "pulls.err.shop_disabled": ("店铺已停用", "The shop is disabled"),
    "pulls.err.naive_time": ("时间须带时区", "Times must carry a time zone"),
    "pulls.err.start_after_end": ("开始时间须早于结束时间", "The start must be before the end"),
    "pulls.err.too_long": ("一次最多拉取 {days} 天", "At most {days} days per pull"),
    "pulls.err.busy": ("该店铺已有拉单任务在进行", "A pull of this shop is already queued or running"),
    "pulls.err.not_found": ("拉单记录不存在（{pull_id}）", "No such pull ({pull_id})"),
    "pulls.err.interrupted": ("拉单被中断（后台任务已停止）", "The pull was interrupted (the worker stopped)"),
    # orders and the board
    "orders.err.not_found": ("订单不存在（{order_id}）", "No such order ({order_id})"),
    "orders.err.no_lines": ("订单至少一件商品", "An order needs at least one item"),
    "orders.err.unknown_fields": ("未知字段：{fields}", "Unknown item fields: {fields}"),
    "orders.err.line_name_required": ("商品名称不能为空", "Every item needs a name"),
    "orders.err.discount_too_big": ("优惠不能超过商品金额", "The discount exceeds the goods amount"),
    "orders.err.too_many_lines": ("一单最多 {n} 种商品", "At most {n} items per order"),
    "orders.event.manual": ("手工录入", "Entered by hand"),
    "board.err.not_awaiting_accept": (
        "订单已不是待接单状态（{status}）",
        "The order no longer awaits acceptance ({status})",
    ),
    "board.err.no_reject_call": (
        "该平台没有拒单接口，请在平台商家后台拒单",
        "This platform has no reject call; reject the order in its merchant console",
    ),
    "board.err.bad_reason": ("未知的取消原因（{code}）", "Unknown cancel reason ({code})"),
    "board.err.not_picking": ("订单不在备货中", "The order is not being picked"),
    "board.err.platform_delivers": ("该订单由平台配送", "The platform delivers this order"),
    "board.reason.cancelled": ("订单已取消，请停止备货", "Cancelled: stop picking"),
    "board.reason.refunded": ("订单已全额退款", "Fully refunded"),
    "board.reason.overdue": ("已超过承诺送达时间", "Past the promised delivery time"),
    "outbox.err.shop_unavailable": ("店铺不存在或已停用", "The shop is missing or disabled"),
    # users and inbox
    "users.err.not_found": ("用户不存在（{user_id}）", "No such user ({user_id})"),
    "users.err.bad_role": ("未知角色：{role}（可选 {roles}）", "Unknown role {role} (one of {roles})"),
    "users.err.username_required": ("用户名不能为空", "The username is required"),
    "users.err.username_taken": ("用户名已存在：{username}", "The username {username} is taken"),
    "users.err.last_admin": ("至少保留一个启用的管理员", "At least one enabled admin must remain"),
    "users.err.short_password": ("密码至少 {n} 位", "The password needs at least {n} characters"),
    "users.err.long_password": ("密码最多 {n} 位", "The password has at most {n} characters"),
    "users.err.store_required": (
        "店员和店长至少要有一个门店，否则看不到任何订单",
        "Staff and managers need at least one store, or they see no orders",
    ),
    "users.err.delete_self": ("不能删除自己的账号", "You cannot delete your own account"),
    "users.err.disable_self": ("不能停用自己的账号", "You cannot disable your own account"),
    "inbox.err.bad_status": (
        "状态只能是 failed/rejected（收到 {status}）",
        "The status must be failed or rejected (got {status})",
    ),
    "inbox.err.nothing_chosen": ("请选择要重放的记录", "Choose rows to replay"),
}
