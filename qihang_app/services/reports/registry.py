"""The report definitions: the page shows each as a table (and a chart), the exports write the
same table. A report for a new data set (stock, ERP pushes, deliveries, after-sales) is one more
`ReportDef` here, reading its own rollup: nothing else changes shape.

A table's cells are computed once (`table`) and both the screen and the CSV / Excel export are
made from them, so an export always shows the screen's numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from qihang_app.domain import carriers
from qihang_app.domain.money import fen_to_yuan_str
from qihang_app.domain.report_period import change_pct, ratio_text
from qihang_app.domain.report_rollup import METRICS
from qihang_app.i18n import MESSAGES, PLATFORM_LABEL, render, tr
from qihang_app.services.errors import ValidationError

from . import delivery_costs, fulfilment, products, sales
from .query import ReportQuery

KINDS = ("text", "int", "money", "pct", "minutes")


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # catalog key
    kind: str = "int"  # how the value is shown: KINDS


@dataclass(frozen=True)
class ReportDef:
    key: str
    title: str  # catalog key
    columns: tuple[Column, ...]
    rows: Callable[[Session, ReportQuery, str], list[dict]]  # (session, query, lang) → values by column key


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    kinds: list[list[str]]  # each cell's KIND (the overview mixes money and counts in a column)
    cells: list[list[str]]  # what the screen shows, cell by cell
    values: list[list[object]]  # the same cells unformatted (int fen, counts, text)


def cell(kind: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return fen_to_yuan_str(int(value))
    if kind == "minutes":
        tenths = (int(value) + 3) // 6  # seconds → tenths of a minute, rounded
        return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"
    if kind == "int":
        return str(int(value))
    return str(value)


# -- the rows of each report -----------------------------------------------------------------

SALES_COLUMNS = (
    Column("valid_orders", "col.orders"),
    Column("gmv_fen", "col.gmv", "money"),
    Column("paid_fen", "col.paid", "money"),
    Column("aov_fen", "col.aov", "money"),
    Column("platform_discount_fen", "col.platform_discount", "money"),
    Column("merchant_discount_fen", "col.merchant_discount", "money"),
    Column("merchant_receivable_fen", "col.receivable", "money"),
    Column("cancelled", "col.cancelled"),
)
SUMMARY_FIGURES = (
    ("valid_orders", "col.orders", "int"),
    ("gmv_fen", "col.gmv", "money"),
    ("paid_fen", "col.paid", "money"),
    ("aov_fen", "col.aov", "money"),
    ("platform_discount_fen", "col.platform_discount", "money"),
    ("merchant_discount_fen", "col.merchant_discount", "money"),
    ("cancelled", "col.cancelled", "int"),
)


def platform_name(code: str, lang: str) -> str:
    zh, en = PLATFORM_LABEL.get(code, (code, code))
    return en if lang == "en" else zh


def _summary(session: Session, q: ReportQuery, lang: str) -> list[dict]:
    now, before = sales.totals(session, q), sales.totals(session, q.previous())
    return [
        {
            "metric": tr(label, lang),
            "kind": kind,
            "current": now[k],
            "previous": before[k],
            "change": change_pct(now[k], before[k]),
        }
        for k, label, kind in SUMMARY_FIGURES
    ]


def _sales(dimension: str) -> Callable[[Session, ReportQuery, str], list[dict]]:
    def rows(session: Session, q: ReportQuery, lang: str) -> list[dict]:
        out = sales.by(session, q, dimension)
        for row in out:
            row["platform_name"] = platform_name(row.get("platform", ""), lang)
            if isinstance(row.get("day"), date):
                row["day"] = row["day"].isoformat()
        return out

    return rows


def _heatmap(session: Session, q: ReportQuery, lang: str) -> list[dict]:
    grid = products.heatmap(session, q)
    return [
        {"weekday": tr(f"reports.weekday.{i}", lang)} | {f"h{h}": n for h, n in enumerate(row)}
        for i, row in enumerate(grid)
    ]


def _top(by: str) -> Callable[[Session, ReportQuery, str], list[dict]]:
    def rows(session: Session, q: ReportQuery, lang: str) -> list[dict]:
        return [r | {"rank": i} for i, r in enumerate(products.top_skus(session, q, by=by), start=1)]

    return rows


def _fulfil(group: str) -> Callable[[Session, ReportQuery, str], list[dict]]:
    def rows(session: Session, q: ReportQuery, lang: str) -> list[dict]:
        out = fulfilment.by_group(session, q, group)
        for row in out:
            if group == "day":
                row["name"] = row["key"].isoformat()
            row["late_share"] = ratio_text(row["accepted_late"], row["accepted"])
            row["cancel_share"] = ratio_text(row["cancelled"], row["orders"])
            row["refund_share"] = ratio_text(row["refunded"], row["orders"])
        return out

    return rows


def _cancels(session: Session, q: ReportQuery, lang: str) -> list[dict]:
    rows = fulfilment.cancel_reasons(session, q)
    total = sum(r["count"] for r in rows)
    for row in rows:
        who = f"by.{row['cancelled_by']}"
        row["who"] = tr(who, lang) if who in MESSAGES else tr("reports.by.unknown", lang)
        row["reason_text"] = render(row["reason"], lang) or tr("reports.reason.none", lang)
        row["share"] = ratio_text(row["count"], total)
    return rows


_FULFIL_COLUMNS = tuple(Column(f"{m}_{p}", f"col.{m}_{p}", "minutes") for m in METRICS for p in ("p50", "p90")) + (
    Column("orders", "col.all_orders"),
    Column("late_share", "col.late_share", "pct"),
    Column("cancel_share", "col.cancel_share", "pct"),
    Column("refund_share", "col.refund_share", "pct"),
)


def carrier_name(code: str, lang: str) -> str:
    """A carrier's own name from its profile; own riders and platform delivery from the catalog."""
    found = carriers.profile(code)
    if found is not None:
        return found.name_en if lang == "en" else found.name_zh
    key = f"reports.carrier.{code}"
    return tr(key, lang) if key in MESSAGES else code


def _delivery(group: tuple[str, ...]) -> Callable[[Session, ReportQuery, str], list[dict]]:
    def rows(session: Session, q: ReportQuery, lang: str) -> list[dict]:
        out = delivery_costs.rows(session, q, group)
        for row in out:
            row["carrier_name"] = carrier_name(row.get("carrier", ""), lang)
        return out

    return rows


_DELIVERY_COLUMNS = (
    Column("rides", "col.rides"),
    Column("orders", "col.delivered_orders"),
    Column("fee_fen", "col.delivery_fee", "money"),
    Column("tip_fen", "col.tip", "money"),
    Column("total_fen", "col.delivery_cost", "money"),
    Column("per_order_fen", "col.cost_per_order", "money"),
)

REPORTS: dict[str, ReportDef] = {
    r.key: r
    for r in (
        ReportDef(
            "summary",
            "reports.summary",
            (
                Column("metric", "col.metric", "text"),
                Column("current", "col.current", "figure"),
                Column("previous", "col.previous", "figure"),
                Column("change", "col.change", "pct"),
            ),  # fmt: skip
            _summary,
        ),
        ReportDef("sales_day", "reports.sales_day", (Column("day", "col.day", "text"), *SALES_COLUMNS), _sales("day")),
        ReportDef(
            "sales_platform",
            "reports.sales_platform",
            (Column("platform_name", "col.platform", "text"), *SALES_COLUMNS),
            _sales("platform"),
        ),
        ReportDef(
            "sales_store", "reports.sales_store", (Column("name", "col.store", "text"), *SALES_COLUMNS), _sales("store")
        ),
        ReportDef(
            "sales_shop",
            "reports.sales_shop",
            (Column("name", "col.shop", "text"), Column("platform_name", "col.platform", "text"), *SALES_COLUMNS),
            _sales("shop"),
        ),
        ReportDef(
            "heatmap",
            "reports.heatmap",
            (Column("weekday", "col.weekday", "text"), *(Column(f"h{h}", f"{h}", "int") for h in range(24))),
            _heatmap,
        ),
        ReportDef(
            "top_quantity",
            "reports.top_quantity",
            (
                Column("rank", "col.rank"),
                Column("erp_code", "col.erp_code", "text"),
                Column("name", "col.sku", "text"),
                Column("quantity", "col.quantity"),
                Column("amount_fen", "col.amount", "money"),
            ),  # fmt: skip
            _top("quantity"),
        ),
        ReportDef(
            "top_amount",
            "reports.top_amount",
            (
                Column("rank", "col.rank"),
                Column("erp_code", "col.erp_code", "text"),
                Column("name", "col.sku", "text"),
                Column("quantity", "col.quantity"),
                Column("amount_fen", "col.amount", "money"),
            ),  # fmt: skip
            _top("amount"),
        ),
        ReportDef(
            "fulfil_store",
            "reports.fulfil_store",
            (Column("name", "col.store", "text"), *_FULFIL_COLUMNS),
            _fulfil("store"),
        ),
        ReportDef(
            "fulfil_day", "reports.fulfil_day", (Column("name", "col.day", "text"), *_FULFIL_COLUMNS), _fulfil("day")
        ),
        ReportDef(
            "cancels",
            "reports.cancels",
            (
                Column("who", "col.cancelled_by", "text"),
                Column("reason_text", "col.reason", "text"),
                Column("count", "col.count"),
                Column("share", "col.share", "pct"),
            ),  # fmt: skip
            _cancels,
        ),
        ReportDef(
            "delivery_day",
            "reports.delivery_day",
            (
                Column("day", "col.day", "text"),
                Column("store", "col.store", "text"),
                Column("carrier_name", "col.carrier", "text"),
                *_DELIVERY_COLUMNS,
            ),
            _delivery(("day", "store_id", "carrier")),
        ),
        ReportDef(
            "delivery_carrier",
            "reports.delivery_carrier",
            (
                Column("carrier_name", "col.carrier", "text"),
                *_DELIVERY_COLUMNS,
                Column("cancelled", "col.cancelled_rides"),
            ),
            _delivery(("carrier",)),
        ),
    )
}


def table(session: Session, key: str, q: ReportQuery, lang: str = "zh") -> Table:
    report = REPORTS.get(key)
    if report is None:
        raise ValidationError(key="reports.err.unknown")
    rows = report.rows(session, q, lang)
    kinds = [c.kind for c in report.columns]
    values, cells, cell_kinds = [], [], []
    for row in rows:
        line = [row.get(c.key) for c in report.columns]
        row_kinds = [row.get("kind", "int") if k == "figure" else k for k in kinds]
        values.append(line)
        cell_kinds.append(row_kinds)
        cells.append([cell(k, v) for k, v in zip(row_kinds, line)])
    headers = [tr(c.label, lang) if c.label in MESSAGES else c.label for c in report.columns]
    return Table(key=key, title=tr(report.title, lang), headers=headers, kinds=cell_kinds, cells=cells, values=values)
