"""Fulfilment: time to accept, to ready, to pick-up and to delivery (p50 / p90 from the
duration histograms), share accepted late, share cancelled and why, refund rate."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qihang_app.domain.report_rollup import BINS, METRICS, percentile
from qihang_app.models import ReportCancel, ReportDaily, ReportDuration

from .query import ReportQuery, check, store_names, where

_durations = ReportDuration.__table__
_daily = ReportDaily.__table__
_cancels = ReportCancel.__table__
RATE_SUMS = ("orders", "accepted", "accepted_late", "cancelled", "refunded")


def _group_columns(group: str | None) -> list:
    return {"store": ["store_id"], "day": ["day"], None: []}[group]


def percentiles(session: Session, q: ReportQuery, group: str | None = None) -> dict:
    """{group value (or None): {metric: {"p50", "p90", "n"}}}; p50/p90 in seconds or None."""
    check(q)
    cols = [_durations.c[c] for c in _group_columns(group)]
    bins = [sa.func.sum(_durations.c[f"b{i}"]).label(f"b{i}") for i in range(BINS)]
    query = (
        sa.select(*cols, _durations.c.metric, *bins).where(*where(q, _durations)).group_by(*cols, _durations.c.metric)
    )
    out: dict = defaultdict(dict)
    for row in session.execute(query).mappings():
        key = row[group if group != "store" else "store_id"] if group else None
        counts = {i: int(row[f"b{i}"]) for i in range(BINS) if row[f"b{i}"]}
        if row["metric"] in METRICS:
            out[key][row["metric"]] = {
                "p50": percentile(counts, 0.5),
                "p90": percentile(counts, 0.9),
                "n": sum(counts.values()),
            }
    return dict(out)


def rates(session: Session, q: ReportQuery, group: str | None = None) -> dict:
    """{group value (or None): counts of orders, accepted, accepted late, cancelled, refunded}."""
    check(q)
    cols = [_daily.c[c] for c in _group_columns(group)]
    query = (
        sa.select(*cols, *(sa.func.coalesce(sa.func.sum(_daily.c[k]), 0).label(k) for k in RATE_SUMS))
        .where(*where(q, _daily))
        .group_by(*cols)
    )
    out = {}
    for row in session.execute(query).mappings():
        key = row[group if group != "store" else "store_id"] if group else None
        out[key] = {k: int(row[k]) for k in RATE_SUMS}
    return out


def cancel_reasons(session: Session, q: ReportQuery) -> list[dict]:
    """Who cancelled and why, most frequent first."""
    check(q)
    query = (
        sa.select(_cancels.c.cancelled_by, _cancels.c.reason, sa.func.sum(_cancels.c.count).label("count"))
        .where(*where(q, _cancels))
        .group_by(_cancels.c.cancelled_by, _cancels.c.reason)
    )
    rows = [dict(r) | {"count": int(r["count"])} for r in session.execute(query).mappings()]
    rows.sort(key=lambda r: (-r["count"], r["cancelled_by"], r["reason"]))
    return rows


def by_group(session: Session, q: ReportQuery, group: str) -> list[dict]:
    """One row per store or per day: p50 / p90 of each metric and the rates' counts."""
    pcts, counts = percentiles(session, q, group), rates(session, q, group)
    keys = q.period.each_day() if group == "day" else sorted(set(pcts) | set(counts))
    names = store_names(session) if group == "store" else {}
    rows = []
    for key in keys:
        row = {"key": key, "name": names.get(key, str(key))} | counts.get(key, dict.fromkeys(RATE_SUMS, 0))
        for metric in METRICS:
            got = pcts.get(key, {}).get(metric, {})
            row[f"{metric}_p50"], row[f"{metric}_p90"] = got.get("p50"), got.get("p90")
        rows.append(row)
    return rows
