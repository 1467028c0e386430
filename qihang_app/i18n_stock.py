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
