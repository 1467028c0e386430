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
    "erp.err.scope_taken": (
        "这里已有一个启用的 ERP 连接（每个门店一个，全部门店一个）",
        "There is an enabled ERP connection here already (one per store, one for all stores)",
    ),
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
    "action.ship": ("同步发货到平台", "Tell the platform it shipped"),
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
ERP_MESSAGES.update(
    {
        "nav.erp": ("ERP 对接", "ERP link"),
        "nav.erp_pushes": ("推送记录", "Push log"),
        "erp.ui.enter_tracking": ("录入运单号", "Enter a tracking number"),
        "erp.ui.tracking_no": ("运单号", "Tracking number"),
        "erp.ui.save_shipment": ("确认发货", "Mark shipped"),
        "erp.ui.ship_saved": ("已发货，正在通知平台", "Shipped; telling the platform"),
        "erp.ui.ship_duplicate": ("这个运单号已录入过", "This tracking number was entered before"),
        "erp.ui.push_now": ("推送到 ERP", "Push to ERP"),
        "erp.ui.push_selected": ("推送选中订单到 ERP", "Push selected to ERP"),
        "erp.ui.push_result": (
            "已排队 {queued}，重新推送 {repushed}，待关联商品 {blocked}，已推送跳过 {skipped}，无 ERP 连接 {no_connection}",
            "Queued {queued}, re-pushed {repushed}, waiting for SKU links {blocked}, already pushed {skipped}, "
            "no ERP connection {no_connection}",
        ),
        "orders.col.erp": ("ERP", "ERP"),
    }
)
ERP_MESSAGES.update(
    {
        "erp.event.order": ("订单", "Order"),
        "erp.event.cancel": ("取消", "Cancel"),
        "erp.event.aftersale": ("售后", "After-sale"),
        "erp.status.pending": ("等待推送", "Waiting"),
        "erp.status.in_flight": ("推送中", "Sending"),
        "erp.status.done": ("已推送", "Pushed"),
        "erp.status.dead": ("推送失败", "Failed"),
        "erp.status.blocked": ("待关联商品", "Waiting for SKU links"),
        "erp.filter.all": ("全部", "All"),
        "erp.filter.waiting": ("等待推送", "Waiting"),
        "erp.filter.retrying": ("重试中", "Retrying"),
        "erp.filter.done": ("已推送", "Pushed"),
        "erp.filter.dead": ("推送失败", "Failed"),
        "erp.filter.blocked": ("待关联商品", "Waiting for SKU links"),
        "erp.filter.all_stores": ("全部门店", "All stores"),
        "erp.col.order": ("订单", "Order"),
        "erp.col.event": ("类型", "Type"),
        "erp.col.status": ("状态", "Status"),
        "erp.col.attempts": ("次数", "Tries"),
        "erp.col.answer": ("ERP 回复", "ERP's answer"),
        "erp.col.at": ("时间", "When"),
        "erp.col.action": ("操作", "Action"),
        "erp.ui.search": ("订单号", "Order number"),
        "erp.ui.repush": ("重新推送", "Re-push"),
        "erp.ui.repushed": ("已重新推送", "Re-pushed"),
        "erp.ui.not_dead": ("这条推送没有失败，无需重推", "This push has not failed; nothing to re-push"),
        "erp.ui.next_try": ("下次重试", "Next try"),
        "erp.ui.no_pushes": ("没有推送记录", "No pushes"),
    }
)
ERP_MESSAGES.update(
    {
        "erp.ui.new": ("添加 ERP 连接", "Add an ERP connection"),
        "erp.ui.form_title": ("ERP 连接", "ERP connection"),
        "erp.ui.name": ("名称", "Name"),
        "erp.ui.kind": ("ERP 类型", "ERP type"),
        "erp.ui.store": ("用于门店", "For store"),
        "erp.ui.all_stores": ("全部门店", "All stores"),
        "erp.ui.url": ("接口地址", "URL"),
        "erp.ui.key": ("接口 Key", "API key"),
        "erp.ui.secret": ("接口密钥", "API secret"),
        "erp.ui.secret_keep": ("不填则保留原密钥", "Leave empty to keep the stored one"),
        "erp.ui.push_on": ("订单何时推送", "When orders go"),
        "erp.ui.push_on.accept": ("接单后", "After acceptance"),
        "erp.ui.push_on.paid": ("付款后", "After payment"),
        "erp.ui.customer_mode": ("ERP 客户", "ERP customer"),
        "erp.ui.customer.per_buyer": ("每个买家一个虚拟客户", "A virtual customer per buyer"),
        "erp.ui.customer.per_shop": ("每个店铺一个固定客户", "A fixed customer per shop"),
        "erp.ui.push_cancels": ("推送取消", "Push cancels"),
        "erp.ui.push_after_sales": ("推送售后", "Push after-sales"),
        "erp.ui.enabled": ("启用", "Enabled"),
        "erp.ui.off": ("已停用", "Off"),
        "erp.ui.edit": ("编辑", "Edit"),
        "erp.ui.test": ("测试连接", "Test connection"),
        "erp.ui.save": ("保存", "Save"),
        "erp.ui.cancel": ("取消", "Cancel"),
        "erp.ui.saved": ("已保存", "Saved"),
        "erp.ui.no_worker": ("后台任务没有响应，请稍后重试", "No worker answered; retry later"),
        "erp.ui.shop_customers": ("店铺固定客户", "Fixed customer per shop"),
        "erp.ui.shop_customers_hint": (
            "填写 ERP 里的客户编码；留空的店铺按买家自动建虚拟客户",
            "The customer code in the ERP; shops left empty get a virtual customer per buyer",
        ),
        "erp.ui.customer_code": ("ERP 客户编码", "ERP customer code"),
        "erp.ui.no_connections": ("还没有 ERP 连接", "No ERP connection yet"),
    }
)
