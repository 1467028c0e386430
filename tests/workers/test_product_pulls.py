"""Product pulls against the sandbox twins: every SKU stored, auto-linked by outer code then
barcode, waiting order lines back-filled, progress on the pull's row."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from qihang_app.models import ErpSku, OrderLine, PullLog, ShopSku, SkuLinkEvent
from qihang_app.services import catalog, shop_skus
from qihang_app.services.errors import ValidationError
from tests.ingest_support import FAST_RETRY, drain_all
from workers.tasks.sweep import run_pull, schedule_pulls

pytestmark = pytest.mark.timeout(60)


def _catalog(oms, pair) -> list[dict]:
    return oms.sandbox.control.get(f"/shops/{pair.platform}/{pair.platform_shop_id}/catalog").json()


def _erp_skus(oms, products: list[dict], *, by: str) -> None:
    """ERP SKUs for these platform products, matched by their outer code or only their barcode."""
    with Session(oms.engine) as session:
        for n, p in enumerate(products):
            code = p["outer_code"] if by == "code" else f"ERP-{by}-{n}"
            catalog.save_product(
                session, actor=oms.admin, product_id=None, code=f"P-{code}", name=p["name"],
                skus=[{"sku_code": code, "barcode": p["barcode"], "price_fen": p["price_fen"]}],
            )  # fmt: skip
        session.commit()


def _request(oms, pair) -> int:
    with Session(oms.engine) as session:
        view = shop_skus.request_product_pull(session, actor=oms.admin, shop_id=pair.shop_id)
        session.commit()
        return view.id


@pytest.mark.parametrize("platform", ["meituan", "douyin_laike"])
async def test_pull_links_by_code_then_barcode_and_backfills_waiting_lines(oms, ctx, platform):
    pair = oms.add_shop(platform, catalog=12)
    for _ in range(6):
        oms.new_order(pair)
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    with Session(oms.engine) as session:
        lines = session.exec(select(OrderLine)).all()
        assert lines and all(line.erp_sku_id is None for line in lines)  # no ERP SKUs yet
    products = _catalog(oms, pair)
    _erp_skus(oms, products[:5], by="code")
    _erp_skus(oms, products[5:8], by="barcode")
    pull_id = _request(oms, pair)
    with Session(oms.engine) as session, pytest.raises(ValidationError):
        shop_skus.request_product_pull(session, actor=oms.admin, shop_id=pair.shop_id)  # one at a time
    assert (await schedule_pulls(ctx))["pulls"] == 1
    result = await run_pull(ctx, pull_id)
    assert result["ok"] and (result["skus"], result["linked"]) == (12, 8), result
    with Session(oms.engine) as session:
        log = session.get(PullLog, pull_id)
        assert (log.kind, log.status, log.orders, log.changed) == ("products", "ok", 12, 8)
        stored = {s.platform_sku_id: s for s in session.exec(select(ShopSku).where(ShopSku.shop_id == pair.shop_id))}
        erp = {e.id: e for e in session.exec(select(ErpSku))}
        for n, p in enumerate(products):
            shop_sku = stored[p["sku_id"]]
            assert (shop_sku.outer_code, shop_sku.barcode, shop_sku.price_fen) == (
                p["outer_code"],
                p["barcode"],
                p["price_fen"],
            )
            if n < 5:
                assert erp[shop_sku.erp_sku_id].code == p["outer_code"]
            elif n < 8:
                assert erp[shop_sku.erp_sku_id].barcode == p["barcode"]
            else:
                assert shop_sku.erp_sku_id is None
        events = session.exec(select(SkuLinkEvent)).all()
        assert sorted(e.how for e in events) == ["barcode"] * 3 + ["outer_code"] * 5
        assert {e.actor for e in events} == {"worker"}
        linked_skus = {s.platform_sku_id: s.erp_sku_id for s in stored.values() if s.erp_sku_id}
        for line in session.exec(select(OrderLine)).all():
            assert line.erp_sku_id == linked_skus.get(line.platform_sku_id), line
        assert sum(e.backfilled_lines for e in events) == sum(
            1 for line in session.exec(select(OrderLine)) if line.erp_sku_id
        )
    # a second pull finds the same SKUs, adds none and links nothing twice
    again = await run_pull(ctx, _request(oms, pair))
    assert again["ok"] and (again["skus"], again["linked"]) == (12, 0)
    with Session(oms.engine) as session:
        assert len(session.exec(select(ShopSku)).all()) == 12 and len(session.exec(select(SkuLinkEvent)).all()) == 8


async def test_a_failed_product_pull_says_why_in_plain_words(oms, ctx):
    pair = oms.add_shop("meituan", catalog=3)
    oms.sandbox.fault("rate_limit", platform="meituan", path_contains="retail/list", count=50)
    ctx["retry_policy"] = FAST_RETRY
    pull_id = _request(oms, pair)
    result = await run_pull(ctx, pull_id)
    assert not result["ok"] and "711" in result["error"]
    with Session(oms.engine) as session:
        log = session.get(PullLog, pull_id)
        assert log.status == "failed" and "711" in log.error
        assert session.exec(select(ShopSku)).all() == []
