"""ERP products with SKUs: create, edit, disable, search; refusals name their field."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qihang_app.models import ErpSku
from qihang_app.services import catalog
from qihang_app.services.errors import ConflictError, ValidationError
from qihang_app.services.scope import ScopeError

SKUS = [
    {
        "sku_code": "T1-R-M",
        "color": "红色",
        "size": "M",
        "barcode": "6901234567892",
        "price_fen": 5900,
        "cost_fen": 2000,
    },
    {"sku_code": "T1-R-L", "color": "红色", "size": "L", "price_fen": 6100, "weight_g": 200},
]


def _create(session, actor, code="T1", name="纯棉T恤", skus=SKUS, **kw):
    view = catalog.save_product(session, actor=actor, product_id=None, code=code, name=name, skus=skus, **kw)
    session.commit()
    return view


def test_create_edit_and_save_again(session, world):
    view = _create(session, world.manager_a, category="服装", unit="件")
    assert [(s.code, s.spec, s.price_fen) for s in view.skus] == [
        ("T1-R-M", "红色 / M", 5900),
        ("T1-R-L", "红色 / L", 6100),
    ]
    first = view.skus[0]
    edited = catalog.save_product(
        session, actor=world.admin, product_id=view.id, code="T1", name="纯棉T恤 2026", category="服装", unit="件",
        skus=[{"id": first.id, "sku_code": "T1-R-M", "color": "红色", "size": "M", "price_fen": 6900},
              {"sku_code": "T1-B-M", "color": "蓝色", "size": "M", "price_fen": 6900}],
    )  # fmt: skip
    session.commit()
    by_code = {s.code: s for s in edited.skus}
    assert by_code["T1-R-M"].id == first.id and by_code["T1-R-M"].price_fen == 6900
    assert by_code["T1-R-M"].name == "纯棉T恤 2026" and by_code["T1-B-M"].enabled
    assert not by_code["T1-R-L"].enabled  # left out of the edit: disabled, never deleted
    again = catalog.save_product(
        session, actor=world.admin, product_id=view.id, code="T1", name="纯棉T恤 2026", category="服装", unit="件",
        skus=[{"id": s.id, "sku_code": s.code, "color": s.color, "size": s.size, "price_fen": s.price_fen,
               "enabled": s.enabled} for s in edited.skus],
    )  # fmt: skip
    assert [(s.code, s.enabled, s.price_fen) for s in again.skus] == [
        (s.code, s.enabled, s.price_fen) for s in edited.skus
    ]


def test_refusals_name_their_field(session, world):
    _create(session, world.admin)
    cases = [
        (dict(code="", name="x", skus=SKUS), "code", "input.required"),
        (dict(code="T2", name="<script>", skus=SKUS), "name", "input.bad_chars"),
        (dict(code="T2", name="长" * 3000, skus=SKUS), "name", "input.too_long"),
        (dict(code="T2", name="x", skus=[]), "skus", "catalog.err.no_skus"),
        (
            dict(code="T2", name="x", skus=[{"sku_code": "A"}, {"sku_code": "A"}]),
            "sku1.sku_code",
            "catalog.err.sku_twice",
        ),
        (dict(code="T2", name="x", skus=[{"sku_code": "A", "price_fen": -1}]), "sku0.price_fen", "input.money_range"),
        (dict(code="T2", name="x", skus=[{"sku_code": "A", "color": "😀"}]), "sku0.color", "input.bad_chars"),
        (
            dict(code="T2", name="x", skus=[{"sku_code": "A", "weight_g": "9" * 12}]),
            "sku0.weight_g",
            "input.whole_range",
        ),
    ]
    for kwargs, field, key in cases:
        with pytest.raises(ValidationError) as info:
            catalog.save_product(session, actor=world.admin, product_id=None, **kwargs)
        assert (info.value.field, info.value.key) == (field, key), kwargs
    for kwargs, field in ((dict(code="T1", name="x", skus=[{"sku_code": "B"}]), "code"),
                          (dict(code="T3", name="x", skus=[{"sku_code": "T1-R-M"}]), "sku0.sku_code")):  # fmt: skip
        session.rollback()
        with pytest.raises(ConflictError) as info:
            catalog.save_product(session, actor=world.admin, product_id=None, **kwargs)
        assert info.value.field == field


def test_staff_may_look_but_not_change(session, world):
    with pytest.raises(ScopeError):
        _create(session, world.staff_a)
    view = _create(session, world.admin)
    assert catalog.list_products(session, actor=world.staff_a).total == 1
    with pytest.raises(ScopeError):
        catalog.set_product_enabled(session, actor=world.staff_a, product_id=view.id, enabled=False)


def test_disable_takes_its_skus_along(session, world):
    view = _create(session, world.admin)
    catalog.set_product_enabled(session, actor=world.admin, product_id=view.id, enabled=False)
    session.commit()
    assert all(not s.enabled for s in session.exec(select(ErpSku)))
    assert catalog.search_skus(session, actor=world.staff_a, q="T1") == []
    assert catalog.list_products(session, actor=world.admin, state="disabled").total == 1
    assert catalog.list_products(session, actor=world.admin, state="enabled").total == 0


def test_list_search_and_filters(session, world):
    _create(session, world.admin, category="服装")
    _create(session, world.admin, code="W1", name="农夫山泉", category="饮料",
            skus=[{"sku_code": "W1-550", "barcode": "6921168509256", "variant": "550ml", "price_fen": 200}])  # fmt: skip
    names = lambda **kw: [p.name for p in catalog.list_products(session, actor=world.admin, **kw).rows]  # noqa: E731
    assert names(q="山泉") == ["农夫山泉"]
    assert names(q="6921168509256") == ["农夫山泉"]  # a SKU's barcode finds its product
    assert names(q="t1-r") == ["纯棉T恤"]  # codes without minding case
    assert names(q="100%_") == []  # LIKE wildcards are searched as typed
    assert names(category="服装") == ["纯棉T恤"]
    assert catalog.categories(session) == ["服装", "饮料"]


def test_sku_search_and_scanner(session, world):
    _create(session, world.admin)
    _create(session, world.admin, code="W1", name="农夫山泉", skus=[{"sku_code": "W1-550", "barcode": "6921168509256"}])
    assert [s.code for s in catalog.search_skus(session, actor=world.staff_a, q="6921168509256")] == ["W1-550"]
    assert [s.code for s in catalog.search_skus(session, actor=world.staff_a, q="T恤")] == ["T1-R-L", "T1-R-M"]
    assert catalog.scanned_sku(session, actor=world.staff_a, code="6901234567892").code == "T1-R-M"
    assert catalog.scanned_sku(session, actor=world.staff_a, code="T1") is None


def test_manual_order_lines_picked_from_the_catalog_come_linked(session, world):
    from qihang_app.models import OrderLine
    from qihang_app.services import orders

    view = _create(session, world.admin)
    by_code = {s.code: s.id for s in view.skus}
    order = orders.create_manual_order(
        session, actor=world.staff_a, store_id=world.store_a, receiver_name="王先生", receiver_phone="13812345678",
        receiver_address="静安区", lines=[
            {"name": "纯棉T恤", "quantity": 1, "unit_price_fen": 5900, "outer_sku_code": "T1-R-L"},
            {"name": "纯棉T恤", "quantity": 2, "unit_price_fen": 5900, "outer_sku_code": "6901234567892"},  # scanned
            {"name": "手写的东西", "quantity": 1, "unit_price_fen": 100},
        ],
    )  # fmt: skip
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    assert [(line.erp_sku_id, line.link_method) for line in lines] == [
        (by_code["T1-R-L"], "outer_code"),
        (by_code["T1-R-M"], "barcode"),
        (None, None),
    ]
