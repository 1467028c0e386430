"""What one order adds to the report rollups (pure).

A rollup bucket is (store, Shanghai day of placed_at). The service recomputes whole buckets from
the orders in them, so every row here is a plain sum over the bucket's orders: recomputing is
idempotent and an update or a cancel can never be counted twice.

Which orders count:
* an order counts once it is placed and paid (not 待付款, not the 无效 parent of a split);
* sales money (GMV, paid, discounts) and the top SKUs sum the *valid* orders: not cancelled or
  closed; cancelled ones are counted apart with who cancelled and why;
* GMV = goods + freight + packing before any discount (what 美团商家端 calls 营业额 before
  discounts); paid = what the buyer paid.
Durations are seconds from placed_at, kept as fixed-bin histograms so p50 / p90 come from
rollups without reading orders.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from qihang_app.domain.clock import SHANGHAI

NOT_COUNTED = frozenset({"pending_payment", "invalid"})
ENDED = frozenset({"cancelled", "closed"})

# Upper edges (seconds) of the duration bins; the last bin is open-ended.
BIN_EDGES: tuple[int, ...] = (
    30, 60, 90, 120, 180, 240, 300, 360, 480, 600, 720, 900, 1200, 1500, 1800, 2100, 2400,
    2700, 3000, 3600, 4500, 5400, 7200, 9000, 10800, 14400, 21600, 43200, 86400,
)  # fmt: skip
OPEN_BIN = len(BIN_EDGES)
BINS = OPEN_BIN + 1  # columns b0..b29 of report_durations

# metric → the order's timestamp that ends it (all start at placed_at)
METRICS: dict[str, str] = {
    "accept": "accepted_at",
    "ready": "ready_at",
    "pickup": "shipped_at",
    "deliver": "delivered_at",
}

DAILY_SUMS = (
    "goods_fen", "freight_fen", "packing_fen", "platform_discount_fen",
    "merchant_discount_fen", "paid_fen", "merchant_receivable_fen",
)  # fmt: skip
REASON_MAX = 120


def local_day(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


def bin_of(seconds: float) -> int:
    """Index of the bin holding a duration (negative durations, clock skew, go in bin 0)."""
    return bisect_left(BIN_EDGES, max(0.0, seconds))


def bin_upper(index: int) -> int | None:
    return BIN_EDGES[index] if index < OPEN_BIN else None


def percentile(counts: Mapping[int, int], q: float) -> int | None:
    """The upper edge (seconds) of the bin holding the q-quantile; None without data.
    An answer in the open last bin is reported as its lower edge (">= 24 h")."""
    total = sum(counts.values())
    if total <= 0:
        return None
    rank = max(1, math.ceil(total * q - 1e-9))  # the nearest-rank method
    seen = 0
    for index in sorted(counts):
        seen += counts[index]
        if seen >= rank:
            return bin_upper(index) or BIN_EDGES[-1]
    return BIN_EDGES[-1]


@dataclass
class OrderFacts:
    """The columns of one order the rollups read."""

    id: int
    store_id: int
    shop_id: int
    platform: str
    status: str
    placed_at: datetime | None
    money: dict[str, int] = field(default_factory=dict)  # DAILY_SUMS
    times: dict[str, datetime | None] = field(default_factory=dict)  # METRICS' columns
    accept_deadline_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None
    refunded: bool = False  # has at least one refund event
    lines: list[dict] = field(default_factory=list)  # erp_sku_id, sku, name, quantity, paid_fen

    @classmethod
    def from_row(cls, row: Mapping, *, lines: list[dict] | None = None, refunded: bool = False) -> OrderFacts:
        return cls(
            id=row["id"],
            store_id=row["store_id"],
            shop_id=row["shop_id"],
            platform=row["platform"],
            status=row["status"],
            placed_at=row["placed_at"],
            money={k: int(row[k] or 0) for k in DAILY_SUMS},
            times={c: row[c] for c in METRICS.values()},
            accept_deadline_at=row["accept_deadline_at"],
            cancelled_by=row["cancelled_by"],
            cancel_reason=row["cancel_reason"],
            refunded=refunded,
            lines=lines or [],
        )


@dataclass
class BucketRows:
    """The rollup rows of one or more buckets, keyed like the tables' primary keys."""

    daily: dict[tuple, dict[str, int]] = field(default_factory=lambda: defaultdict(_zero_daily))
    # (day, store) → {"orders", "paid_fen", "hours": {hour: orders}}
    hourly: dict[tuple, dict] = field(
        default_factory=lambda: defaultdict(lambda: {"orders": 0, "paid_fen": 0, "hours": defaultdict(int)})
    )
    # (day, store, metric) → {bin: orders}
    durations: dict[tuple, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    cancels: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))
    skus: dict[tuple, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: {"quantity": 0, "amount_fen": 0})
    )


def _zero_daily() -> dict[str, int]:
    return {
        "orders": 0,
        "valid_orders": 0,
        "cancelled": 0,
        "accepted": 0,
        "accepted_late": 0,
        "refunded": 0,
    } | dict.fromkeys(DAILY_SUMS, 0)


def sku_key(line: Mapping, shop_id: int) -> str:
    """ERP SKU when linked (sums across shops), else the shop's own SKU."""
    if line.get("erp_sku_id"):
        return f"erp:{line['erp_sku_id']}"
    own = line.get("platform_sku_id") or line.get("outer_sku_code") or line.get("name") or "?"
    return f"shop:{shop_id}:{own}"[:200]


def rollup(orders: Iterable[OrderFacts]) -> BucketRows:
    out = BucketRows()
    for order in orders:
        add_order(out, order)
    return out


def add_order(out: BucketRows, order: OrderFacts) -> None:
    if order.placed_at is None or order.status in NOT_COUNTED:
        return
    day = local_day(order.placed_at)
    valid = order.status not in ENDED
    daily = out.daily[(day, order.store_id, order.shop_id, order.platform)]
    daily["orders"] += 1
    daily["refunded"] += int(order.refunded)
    accepted = order.times.get("accepted_at")
    if accepted is not None:
        daily["accepted"] += 1
        late = order.accept_deadline_at is not None and accepted > order.accept_deadline_at
        daily["accepted_late"] += int(late)
    for metric, column in METRICS.items():
        end = order.times.get(column)
        if end is not None:
            out.durations[(day, order.store_id, metric)][bin_of((end - order.placed_at).total_seconds())] += 1
    if not valid:
        daily["cancelled"] += 1
        reason = (order.cancel_reason or "").strip()[:REASON_MAX]
        out.cancels[(day, order.store_id, order.cancelled_by or "", reason)] += 1
        return
    daily["valid_orders"] += 1
    for k in DAILY_SUMS:
        daily[k] += order.money.get(k, 0)
    hourly = out.hourly[(day, order.store_id)]
    hourly["orders"] += 1
    hourly["paid_fen"] += order.money.get("paid_fen", 0)
    hourly["hours"][order.placed_at.astimezone(SHANGHAI).hour] += 1
    for line in order.lines:
        key = sku_key(line, order.shop_id)
        sku = out.skus[(day, order.store_id, key)]
        sku.setdefault("erp_sku_id", line.get("erp_sku_id"))
        sku.setdefault("name", (line.get("name") or "")[:200])
        sku["quantity"] += int(line.get("quantity") or 0)
        sku["amount_fen"] += int(line.get("paid_fen") or 0)
