"""Linking shop SKUs by hand: waiting order lines are back-filled (and the orders handed on),
unlinking is recorded with who and why, suggestions, 未关联 counts, scope."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qihang_app.models import OrderLine, ShopSku, SkuLinkEvent
from qihang_app.services import catalog, shop_skus, sku_links
from qihang_app.services.errors import ValidationError
from qihang_app.services.scope import ScopeError

from .factories import platform_order


def _shop_sku(session, shop_id, sku_id, **kw) -> ShopSku:
    sku = ShopSku(shop_id=shop_id, platform_sku_id=sku_id, name=kw.pop("name", "可乐"), **kw)
    session.add(sku)
    session.flush()
    return sku


def _erp(session, actor, code, name="可口可乐", **sku):
    view = catalog.save_product(
        session, actor=actor, product_id=None, code="P-" + code, name=name, skus=[{"sku_code": code, **sku}]
    )
    return view.skus[0].id


def _order_with_line(session, world, no, sku_id, *, shop="a", erp_sku_id=None):
    shop_id, store_id = (world.shop_a, world.store_a) if shop == "a" else (world.shop_b, world.store_b)
    order = platform_order(session, shop_id=shop_id, store_id=store_id, no=no)
    session.add(
        OrderLine(order_id=order.id, line_no=2, platform_sku_id=sku_id, name="可乐", quantity=1, erp_sku_id=erp_sku_id)
    )
    session.flush()
    return order.id


def test_link_backfills_every_waiting_line_of_that_shop_sku(session, world):
    sku = _shop_sku(session, world.shop_a, "MT-1")
    erp_id = _erp(session, world.admin, "COLA-330")
    other_erp = _erp(session, world.admin, "COLA-500", name="可乐 500ml")
    waiting = [_order_with_line(session, world, f"W{i}", "MT-1") for i in range(3)]
    already = _order_with_line(session, world, "DONE", "MT-1", erp_sku_id=other_erp)
    _order_with_line(session, world, "OTHER-SKU", "MT-2")
    _order_with_line(session, world, "OTHER-SHOP", "MT-1", shop="b")
    session.commit()
    result = sku_links.link_shop_sku(session, actor=world.manager_a, shop_sku_id=sku.id, erp_sku_id=erp_id)
    session.commit()
    assert result.order_ids == sorted(waiting) and result.lines == 3
    lines = {line.order_id: line for line in session.exec(select(OrderLine).where(OrderLine.platform_sku_id != ""))}
    assert all(lines[o].erp_sku_id == erp_id and lines[o].link_method == "manual" for o in waiting)
    assert lines[already].erp_sku_id == other_erp  # a line linked before keeps its SKU
    assert [line.erp_sku_id for line in lines.values() if line.order_id not in (*waiting, already)] == [None, None]
    [event] = session.exec(select(SkuLinkEvent)).all()
    assert (event.action, event.how, event.actor, event.backfilled_lines) == ("link", "manual", world.manager_a.ref, 3)
    assert session.get(ShopSku, sku.id).erp_sku_id == erp_id
    # linking again finds nothing left waiting
    assert sku_links.link_shop_sku(session, actor=world.admin, shop_sku_id=sku.id, erp_sku_id=erp_id).order_ids == []


def test_link_hands_the_orders_to_the_follow_ups(session, world, monkeypatch):
    seen = []
    monkeypatch.setattr(sku_links, "_after_link", lambda session, order_ids: seen.append(order_ids))
    sku = _shop_sku(session, world.shop_a, "MT-1")
    erp_id = _erp(session, world.admin, "COLA-330")
    order_id = _order_with_line(session, world, "W1", "MT-1")
    sku_links.link_shop_sku(session, actor=world.admin, shop_sku_id=sku.id, erp_sku_id=erp_id)
    assert seen == [[order_id]]


def test_unlink_records_who_and_why(session, world):
    sku = _shop_sku(session, world.shop_a, "MT-1")
    erp_id = _erp(session, world.admin, "COLA-330")
    order_id = _order_with_line(session, world, "W1", "MT-1")
    sku_links.link_shop_sku(session, actor=world.admin, shop_sku_id=sku.id, erp_sku_id=erp_id)
    for reason, key in (("", "links.err.reason_required"), ("<b>", "input.bad_chars"), ("长" * 3000, "input.too_long")):
        with pytest.raises(ValidationError) as info:
            sku_links.unlink_shop_sku(session, actor=world.manager_a, shop_sku_id=sku.id, reason=reason)
        assert (info.value.field, info.value.key) == ("reason", key)
    sku_links.unlink_shop_sku(session, actor=world.manager_a, shop_sku_id=sku.id, reason="规格选错了")
    session.commit()
    assert session.get(ShopSku, sku.id).erp_sku_id is None
    events = session.exec(select(SkuLinkEvent).order_by(SkuLinkEvent.id)).all()
    assert [(e.action, e.actor, e.reason, e.erp_sku_id) for e in events] == [
        ("link", world.admin.ref, "", erp_id),
        ("unlink", world.manager_a.ref, "规格选错了", erp_id),
    ]
    history = sku_links.link_history(session, actor=world.admin, shop_sku_id=sku.id)
    assert [(h.action, h.username, h.reason, h.erp_code) for h in history] == [
        ("unlink", "mgr_a", "规格选错了", "COLA-330"),
        ("link", "root", "", "COLA-330"),
    ]
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order_id, OrderLine.line_no == 2)).one()
    assert line.erp_sku_id == erp_id  # history stays; the order is fixed on the order
    with pytest.raises(ValidationError) as info:
        sku_links.unlink_shop_sku(session, actor=world.admin, shop_sku_id=sku.id, reason="again")
    assert info.value.key == "links.err.not_linked"


def test_scope_and_roles(session, world):
    sku_b = _shop_sku(session, world.shop_b, "MT-1")
    sku_a = _shop_sku(session, world.shop_a, "MT-1")
    erp_id = _erp(session, world.admin, "COLA-330")
    with pytest.raises(ScopeError):
        sku_links.link_shop_sku(session, actor=world.manager_a, shop_sku_id=sku_b.id, erp_sku_id=erp_id)
    with pytest.raises(ScopeError):
        sku_links.link_shop_sku(session, actor=world.staff_a, shop_sku_id=sku_a.id, erp_sku_id=erp_id)
    catalog.set_product_enabled(session, actor=world.admin, product_id=_product_of(session, erp_id), enabled=False)
    with pytest.raises(ValidationError) as info:
        sku_links.link_shop_sku(session, actor=world.admin, shop_sku_id=sku_a.id, erp_sku_id=erp_id)
    assert info.value.key == "links.err.no_erp_sku"
    assert shop_skus.list_shop_skus(session, actor=world.manager_a).total == 1  # store B's shop is not shown


def _product_of(session, erp_id):
    from qihang_app.models import ErpSku

    return session.get(ErpSku, erp_id).product_id


def test_list_counts_unlinked_and_waiting_lines_and_suggests(session, world):
    by_code = _shop_sku(session, world.shop_a, "MT-1", outer_code="COLA-330")
    by_barcode = _shop_sku(session, world.shop_a, "MT-2", barcode="6901234567892", name="雪碧")
    by_name = _shop_sku(session, world.shop_a, "MT-3", name="农夫山泉", spec="550ml")
    _shop_sku(session, world.shop_a, "MT-4", name="没有对应")
    cola = _erp(session, world.admin, "COLA-330")
    sprite = _erp(session, world.admin, "SPRITE", name="雪碧 330ml", barcode="6901234567892")
    water = _erp(session, world.admin, "WATER", name="农夫山泉", variant="550ml")
    _order_with_line(session, world, "W1", "MT-4")
    _order_with_line(session, world, "W2", "MT-4")
    session.commit()
    page = shop_skus.list_shop_skus(session, actor=world.admin, linked="unlinked")
    assert (page.total, page.unlinked) == (4, 4)
    assert {r.platform_sku_id: r.waiting_lines for r in page.rows}["MT-4"] == 2
    hints = shop_skus.suggestions(session, actor=world.admin)
    assert {(h.shop_sku_id, h.erp_sku_id, h.how) for h in hints} == {
        (by_code.id, cola, "outer_code"),
        (by_barcode.id, sprite, "barcode"),
        (by_name.id, water, "name"),
    }
    for hint in hints:
        sku_links.link_shop_sku(
            session, actor=world.admin, shop_sku_id=hint.shop_sku_id, erp_sku_id=hint.erp_sku_id, how="suggestion"
        )
    page = shop_skus.list_shop_skus(session, actor=world.admin, q="农夫")
    assert (page.total, page.unlinked, page.rows[0].erp_code) == (1, 1, "WATER")
