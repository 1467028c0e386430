"""Messages of the ERP link (connections, pushes, shipments), merged into qihang_app/i18n.py."""

from __future__ import annotations

ERP_MESSAGES: dict[str, tuple[str, str]] = {
    # refusals of the services
    "erp.err.bad_kind": ("不支持的 ERP 类型（{erp}）", "Unsupported ERP type ({erp})"),
    "erp.err.key_required": ("请填写{label}", "Fill in {label}"),
    "erp.err.bad_url": (
        "接口地址须以 http:// 或 https:// 开头，不含空格",
        "The URL must start with http:// or https:// and have no spaces",
    ),
    "erp.err.unknown_option": ("未知的设置：{name}", "Unknown setting: {name}"),
    "erp.err.bad_option": ("设置 {name} 的取值不对", "The value of {name} is not allowed"),
    "erp.err.key_taken": ("这个接口 Key 已被另一个 ERP 连接使用", "Another ERP connection already uses this API key"),
    "erp.err.not_found": ("ERP 连接不存在（{connection_id}）", "No such ERP connection ({connection_id})"),
    "erp.err.bad_carrier": ("不认识的快递公司编码（{code}）", "Unknown carrier code ({code})"),
    "erp.err.tracking_required": ("请填写运单号", "Enter the tracking number"),
    "erp.err.bad_lines": (
        "发货明细不对：每行要有 SKU 编码和 1 以上的数量",
        "Shipment lines need an SKU code and a quantity of at least 1",
    ),
    "erp.err.order_ended": ("订单已结束（{status}），不能发货", "The order has ended ({status}); it cannot ship"),
    "erp.err.unknown_sku": ("订单里没有这些 ERP 商品：{sku}", "The order has no such ERP SKU: {sku}"),
    "erp.err.no_connection": ("门店没有启用的 ERP 连接", "The store has no enabled ERP connection"),
    "erp.err.already_pushed": ("订单已推送", "The order was pushed already"),
    # why an order waits
    "erp.blocked.unlinked": (
        "商品未关联 ERP 商品：{lines}，关联后自动推送",
        "Not linked to an ERP SKU: {lines}; it goes once linked",
    ),
    "erp.blocked.no_lines": ("订单没有商品行", "The order has no lines"),
    # 测试连接
    "erp.test.ok": ("连接正常：ERP 已接收测试请求", "Connected: the ERP accepted the test call"),
    "erp.test.bad_url": ("接口地址不对，请检查", "The URL is not right; check it"),
    "erp.test.failed": ("连接失败：{said}", "Connection failed: {said}"),
    "erp.test.queued": ("正在测试连接…", "Testing the connection…"),
    # the ERP's answer in plain words
    "erp_err.timeout": ("ERP 响应超时，稍后自动重试", "The ERP did not answer in time; retrying later"),
    "erp_err.network": ("连不上 ERP，稍后自动重试", "Cannot reach the ERP; retrying later"),
    "erp_err.credentials": (
        "ERP 不接受签名或密钥（{said}），请核对接口 Key 和密钥",
        "The ERP refused the key or signature ({said}); check them",
    ),
    "erp_err.rate_limited": ("ERP 限流（{said}），稍后自动重试", "The ERP is limiting calls ({said}); retrying later"),
    "erp_err.unavailable": (
        "ERP 暂时不可用（{said}），稍后自动重试",
        "The ERP is unavailable ({said}); retrying later",
    ),
    "erp_err.said": ("ERP 拒绝：{said}", "The ERP refused: {said}"),
    "erp_err.unexpected": ("出现意外错误，稍后自动重试", "Something unexpected went wrong; retrying later"),
    "erp_err.no_connection": ("ERP 连接不存在或已停用", "The ERP connection is gone or switched off"),
    # order timeline
    "timeline.erp_pushed": ("已推送到 ERP", "Pushed to the ERP"),
    "timeline.erp_cancel_pushed": ("取消已推送到 ERP", "Cancel pushed to the ERP"),
    "timeline.erp_push_dead": ("推送 ERP 失败", "ERP push failed"),
    "timeline.erp_shipped": ("已发货", "Shipped"),
    "timeline.erp_shipped_part": ("部分发货", "Partly shipped"),
}
ERP_MESSAGES.update(
    {
        "erp.err.none_selected": ("请先选择订单", "Select orders first"),
        "erp.err.push_not_found": ("推送记录不存在（{push_id}）", "No such push ({push_id})"),
    }
)
