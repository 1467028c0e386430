"""Exports of a report table: CSV (UTF-8 with a BOM, so Excel reads the Chinese) and .xlsx.
Both are written from `registry.Table` cells: the numbers are the screen's numbers."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .registry import Table

FORMATS = ("csv", "xlsx")
_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas


def _safe_text(text: str) -> str:
    """Text that a spreadsheet shows as text (names come from platforms and staff)."""
    return "'" + text if text.startswith(_UNSAFE_START) else text


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for kinds, cells in zip(table.kinds, table.cells):
        writer.writerow([c if k in ("int", "money", "minutes") else _safe_text(c) for k, c in zip(kinds, cells)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_value(kind: str, text: str) -> object:
    """A cell as Excel should hold it: numbers as numbers (money to the fen), the rest text."""
    if text == "":
        return None
    if kind == "int":
        return int(text)
    if kind in ("money", "minutes"):
        return Decimal(text)
    return text


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\\/*?:\[\]]", " ", table.title)[:31] or "report"
    sheet.append(table.headers)
    for kinds, cells in zip(table.kinds, table.cells):
        sheet.append([xlsx_value(k, c) for k, c in zip(kinds, cells)])
        for col, kind in enumerate(kinds, start=1):
            if kind == "money":
                sheet.cell(row=sheet.max_row, column=col).number_format = "0.00"
    for col, header in enumerate(table.headers, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = max(8, min(40, 2 * len(header) + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(table: Table, fmt: str) -> tuple[bytes, str]:
    """(file bytes, file name) of a table in "csv" or "xlsx"."""
    data = to_csv(table) if fmt == "csv" else to_xlsx(table)
    return data, f"{table.key}.{fmt}"


def record_export(session, actor, key: str, fmt: str, rows: int, first, last) -> None:
    """Exports are changes the audit trail keeps (who took which numbers out, and when)."""
    from qihang_app.services import audit  # here: the report modules load before the audit service

    after = {"report": key, "format": fmt, "rows": rows, "from": str(first), "to": str(last)}
    audit.record(session, actor, "reports.export", audit.Target("report", key), after=after)
