"""The audit trail as CSV (the page's 导出 and GET /api/audit.csv write the same columns)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from qihang_app.domain.clock import SHANGHAI
from qihang_app.models import AuditEntry

COLUMNS = (
    "id",
    "at",
    "actor",
    "actor_name",
    "address",
    "action",
    "target_kind",
    "target_id",
    "store_id",
    "before",
    "after",
)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # a cell starting with = + - @ would run as a formula in Excel: quote it as text
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_csv(rows: Iterable[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        at = r.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow([_cell(v) for v in (r.id, at, r.actor, r.actor_name, r.address, r.action, r.target_kind,
                                             r.target_id, r.store_id, r.before, r.after)])  # fmt: skip
    return out.getvalue()
