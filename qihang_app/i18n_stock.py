"""Messages of stock (库存): the page, its dialogs, the board's 缺货 / 低库存 marks and the
services' refusals, in the same (简体中文, English) form as qihang_app/i18n.py, which merges them."""

from __future__ import annotations

STOCK_MESSAGES: dict[str, tuple[str, str]] = {
    # refusals
    "stock.err.no_location": ("库存地点不存在（{location_id}）", "No such stock location ({location_id})"),
    "stock.err.no_sku": ("商品 SKU 不存在（{sku_id}）", "No such SKU ({sku_id})"),
    "stock.err.no_shop": ("店铺不存在（{shop_id}）", "No such shop ({shop_id})"),
    "stock.err.below_reserved": (
        "库存不足：现有 {on_hand}，订单已占用 {reserved}",
        "Not enough stock: {on_hand} on hand, {reserved} held by orders",
    ),
    "stock.err.same_location": ("调出和调入不能是同一个地点", "Transfer from and to must differ"),
    "stock.err.bad_reserve_on": ("请选择占用库存的时机", "Choose when orders take stock"),
    # board
    "stock.short": ("缺货：{items}", "Out of stock: {items}"),
    "stock.low_count": ("低库存 {n}", "Low stock {n}"),
}

STOCK_MESSAGES.update(
    {
        "nav.stock": ("库存", "Stock"),
        "stock.title": ("库存", "Stock"),
        "stock.location": ("库存地点", "Location"),
        "stock.search": ("搜索编码、名称或条码", "Search code, name or barcode"),
        "stock.low_only": ("只看低库存", "Low stock only"),
        "stock.on_hand": ("现有", "On hand"),
        "stock.reserved": ("占用", "Reserved"),
        "stock.available": ("可用", "Available"),
        "stock.threshold": ("预警值", "Alert at"),
        "stock.low": ("低库存", "Low"),
        "stock.adjust": ("调整", "Adjust"),
        "stock.ledger": ("流水", "Ledger"),
        "stock.empty": ("没有商品；请先在商品资料里添加 SKU", "No products yet; add SKUs in the catalog first"),
        "stock.ledger_empty": ("还没有库存流水", "No movements yet"),
        "stock.mode.receive": ("采购入库", "Receive"),
        "stock.mode.count": ("盘点", "Count"),
        "stock.mode.write_off": ("报损", "Write off"),
        "stock.mode.transfer": ("调拨", "Transfer"),
        "stock.mode.threshold": ("预警值", "Alert level"),
        "stock.field.quantity": ("数量", "Quantity"),
        "stock.field.counted": ("盘点数量（货架实有）", "Counted (on the shelf)"),
        "stock.field.threshold": (
            "可用数量低于或等于此值时提醒（0 为不提醒）",
            "Alert when available is at or below (0: never)",
        ),
        "stock.field.to_location": ("调入地点", "To location"),
        "stock.field.note": ("备注", "Note"),
        "stock.save": ("确定", "Save"),
        "stock.cancel": ("取消", "Cancel"),
        "stock.saved": ("已保存", "Saved"),
        "stock.kind.reserve": ("订单占用", "Reserved by order"),
        "stock.kind.release": ("订单释放", "Released by order"),
        "stock.kind.deduct": ("出库", "Handed over"),
        "stock.kind.receive": ("采购入库", "Received"),
        "stock.kind.adjust": ("调整", "Adjusted"),
        "stock.kind.transfer_out": ("调拨出", "Transferred out"),
        "stock.kind.transfer_in": ("调拨入", "Transferred in"),
        "stock.reason.count": ("盘点", "Stock count"),
        "stock.reason.damage": ("报损", "Damage / loss"),
        "stock.reason.transfer": ("调拨", "Transfer"),
        "stock.reason.purchase": ("采购入库", "Purchase receipt"),
        "stock.reason.order": ("订单", "Order"),
        "stock.shop.title": ("店铺库存设置", "Shop stock settings"),
        "stock.shop.hint": (
            "安全库存：同步给平台的数量 = 可用 − 安全库存（不低于 0）；为 0 时平台显示售罄",
            "Buffer: platforms are told available − buffer (never below 0); at 0 they show sold out",
        ),
        "stock.shop.reserve_on": ("占用库存", "Take stock"),
        "stock.shop.on_accept": ("接单时", "On accept"),
        "stock.shop.on_paid": ("付款时", "On payment"),
        "stock.shop.buffer": ("安全库存", "Buffer"),
        "stock.shop.location": ("出货地点", "Ships from"),
        "stock.shop.own_store": ("所属门店", "Its own store"),
        "stock.warehouse.new": ("新建仓库", "New warehouse"),
        "stock.warehouse.name": ("仓库名称", "Warehouse name"),
        "stock.col.at": ("时间", "Time"),
        "stock.col.who": ("操作人", "By"),
        "stock.close": ("关闭", "Close"),
        "stock.col.kind": ("变动", "Movement"),
        "stock.col.reason": ("原因", "Reason"),
        "stock.col.on_products": ("可用库存", "In stock"),  # 商品 list: available over the places one may see
        # the 库存不足 alert rule (its line is set per SKU and place on 库存)
        "alerts.rule.stock_low": ("库存不足", "Stock low"),
        "alerts.rule.stock_low.title": ("{location}：{name} 库存不足", "{location}: {name} is running low"),
        "alerts.rule.stock_low.text": (
            "**{location}** 的 **{name}**（{code}）可用库存只剩 **{available}**，已低于预警线，请及时补货。",
            "**{name}** ({code}) at **{location}** is down to **{available}** available, at or below its "
            "low-stock line; restock it.",
        ),
    }
)
