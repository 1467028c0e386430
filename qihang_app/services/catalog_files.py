"""Catalog files in and out: CSV (UTF-8 with or without BOM, or GBK as Excel saves it in China)
and .xlsx. Reading turns a file into numbered rows of text cells; what the cells mean is
domain.catalog_rows' business.

Formulas are refused, not evaluated: a cell "=B2*1.1" in a price column would import whatever
the spreadsheet last cached (or nothing, for a file no spreadsheet has saved), and the merchant
would not see which. The row gets its own message asking for values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from qihang_app.domain.catalog_rows import COLUMNS, quote

from .errors import ValidationError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number as the merchant's program shows it, cells)


def read_table(filename: str, data: bytes) -> Table:
    """The first sheet (or the CSV) as text; empty lines are skipped but keep their numbers."""
    if not data:
        raise ValidationError(key="catalog.err.empty_file", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(key="catalog.err.file_too_big", field="file", mb=MAX_FILE_BYTES // (1024 * 1024))
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(XLSX_MAGIC)
    lines = _xlsx_lines(data) if is_xlsx else _csv_lines(data)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = cells
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise ValidationError(key="catalog.err.too_many_rows", field="file", n=MAX_ROWS)
    if header is None:
        raise ValidationError(key="catalog.err.empty_file", field="file")
    return Table(header, rows)


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # GBK's superset: what Excel "CSV" saves on a Chinese Windows
    except UnicodeDecodeError:
        raise ValidationError(key="catalog.err.encoding", field="file") from None


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = decode(data)
    except UnicodeDecodeError:
        raise ValidationError(key="catalog.err.encoding", field="file") from None
    if "\x00" in text:
        raise ValidationError(key="catalog.err.not_a_table", field="file")
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error:
        raise ValidationError(key="catalog.err.not_a_table", field="file") from None


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # only imports where a sheet is read

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # a broken zip, a renamed .xls, a password-protected book...
        raise ValidationError(key="catalog.err.not_a_table", field="file") from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(v) for v in values]
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A sheet cell as the merchant typed it: 16.9 → "16.9", 6901234567890.0 → "6901234567890"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        number = Decimal(repr(value))
        return str(number.quantize(Decimal(1))) if number == number.to_integral_value() else format(number, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# -- export -----------------------------------------------------------------------------------


def header_row() -> list[str]:
    return [zh for _, zh, _ in COLUMNS]


def write_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """UTF-8 with a BOM: Excel on Windows opens it in Chinese instead of mojibake."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header_row())
    for row in rows:
        writer.writerow([quote(str(v)) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("商品")
    sheet.append(header_row())
    for row in rows:
        sheet.append([quote(str(v)) for v in row])  # text cells: codes keep their leading zeros
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
