"""Random orders for the report tests, and an independent Python sum of what reports must say."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from qihang_app.domain.report_rollup import BIN_EDGES
from qihang_app.models import Order, OrderEvent, OrderLine

SH = ZoneInfo("Asia/Shanghai")
# Shanghai midnight of 2026-11-21 is 16:00 UTC the day before: orders straddle day boundaries.
BASE = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
FIRST_DAY, LAST_DAY = date(2026, 11, 20), date(2026, 11, 23)
STATUSES = ("to_ship", "shipped", "completed", "cancelled", "closed", "pending_payment", "awaiting_accept")
MONEY = ("goods_fen", "freight_fen", "packing_fen", "platform_discount_fen", "merchant_discount_fen", "paid_fen")

fen = st.integers(min_value=0, max_value=2_000_000)
line_st = st.fixed_dictionaries(
    {"quantity": st.integers(1, 50), "paid_fen": fen, "sku": st.sampled_from(["A", "B", "C", "D"])}
)
order_st = st.fixed_dictionaries(
    {
        "which": st.integers(0, 1),  # store a / store b
        "status": st.sampled_from(STATUSES),
        "minutes": st.integers(-36 * 60, 60 * 60),  # from BASE: a day and a half before to 2.5 days after
        "money": st.fixed_dictionaries(dict.fromkeys(MONEY, fen)),
        "accept_s": st.none() | st.integers(0, 4000),
        "deadline_s": st.none() | st.integers(0, 600),
        "deliver_s": st.none() | st.integers(0, 90_000),
        "reason": st.sampled_from(["", "顾客不想要了", "商品售罄", "<b>x</b>", "🍎" * 3]),
        "by": st.sampled_from([None, "user", "merchant", "system"]),
        "refund": st.booleans(),
        "lines": st.lists(line_st, max_size=3),
    }
)


def insert(session, spec: dict, *, world, no: str) -> Order:
    placed = BASE + timedelta(minutes=spec["minutes"])
    store, shop = (world.store_a, world.shop_a) if spec["which"] == 0 else (world.store_b, world.shop_b)
    order = Order(
        platform="meituan",
        shop_id=shop,
        store_id=store,
        platform_order_id=no,
        status=spec["status"],
        placed_at=placed,
        accepted_at=None if spec["accept_s"] is None else placed + timedelta(seconds=spec["accept_s"]),
        accept_deadline_at=None if spec["deadline_s"] is None else placed + timedelta(seconds=spec["deadline_s"]),
        delivered_at=None if spec["deliver_s"] is None else placed + timedelta(seconds=spec["deliver_s"]),
        cancelled_by=spec["by"],
        cancel_reason=spec["reason"] or None,
        **spec["money"],
    )
    session.add(order)
    session.flush()
    for i, line in enumerate(spec["lines"], start=1):
        session.add(
            OrderLine(
                order_id=order.id,
                line_no=i,
                name=f"商品{line['sku']}",
                platform_sku_id=line["sku"],
                quantity=line["quantity"],
                paid_fen=line["paid_fen"],
            )  # fmt: skip
        )
    if spec["refund"]:
        session.add(OrderEvent(order_id=order.id, actor="platform:meituan", kind="refund", note="退款"))
    session.flush()
    return order


def expected(specs: list[dict], *, first: date, last: date, stores: set[int], world) -> dict:
    """Sums a report over [first, last] must show, computed here without SQL."""
    out = defaultdict(int)
    for spec in specs:
        store = world.store_a if spec["which"] == 0 else world.store_b
        day = (BASE + timedelta(minutes=spec["minutes"])).astimezone(SH).date()
        if store not in stores or not first <= day <= last or spec["status"] in ("pending_payment", "invalid"):
            continue
        out["orders"] += 1
        if spec["status"] in ("cancelled", "closed"):
            out["cancelled"] += 1
            continue
        out["valid_orders"] += 1
        for k in MONEY:
            out[k] += spec["money"][k]
        for line in spec["lines"]:
            out["quantity"] += line["quantity"]
            out["line_fen"] += line["paid_fen"]
    return dict(out)


def nearest_rank_bin_edge(seconds: list[float], q: float) -> int | None:
    """p-quantile by nearest rank, reported as the upper edge of its bin (as rollups do)."""
    if not seconds:
        return None
    ordered = sorted(seconds)
    import math

    value = ordered[max(1, math.ceil(len(ordered) * q - 1e-9)) - 1]
    for edge in BIN_EDGES:
        if max(0.0, value) <= edge:
            return edge
    return BIN_EDGES[-1]
