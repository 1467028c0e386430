"""One row of a catalog file (import and export share these columns), checked by the same rules
as the product form. Pure: the file is read elsewhere; this sees header names and text cells.

A file row is one SKU; its product's columns repeat on every SKU row of that product and must
agree. Amounts are yuan as people type them ("16.90"); inside they are fen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from qihang_app.domain import input_rules as rules
from qihang_app.domain.input_rules import InputError

# (field, 中文表头, English header): the export writes the Chinese header; import reads either.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("product_code", "商品编码", "product_code"),
    ("product_name", "商品名称", "product_name"),
    ("category", "分类", "category"),
    ("unit", "单位", "unit"),
    ("sku_code", "SKU编码", "sku_code"),
    ("color", "颜色", "color"),
    ("size", "尺码", "size"),
    ("variant", "规格", "variant"),
    ("barcode", "条码", "barcode"),
    ("weight_g", "重量(克)", "weight_g"),
    ("price", "售价(元)", "price"),
    ("cost", "成本价(元)", "cost"),
    ("status", "状态", "status"),
)
REQUIRED_HEADERS = ("product_code", "product_name", "sku_code")
ENABLED_WORDS = {"", "启用", "正常", "enabled", "1", "是", "yes", "true"}
DISABLED_WORDS = {"停用", "禁用", "disabled", "0", "否", "no", "false"}
FORMULA_START = "="
# A leading character a spreadsheet would run as a formula: the export quotes it with "'".
RISKY_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class RowProblem:
    line: int  # 1-based line (CSV) or row (sheet) number as the merchant's program shows it
    key: str  # message key of the catalog
    params: dict = field(default_factory=dict)
    column: str = ""  # the field, "" for the whole row


def header_map(header: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """{field: column index} and the required fields the header lacks. Headers match either
    language, case and a unit in brackets aside ("售价" = "售价(元)")."""
    names: dict[str, str] = {}
    for name, zh, en in COLUMNS:
        for label in (zh, zh.split("(")[0], en):
            names[label.lower()] = name
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        label = str(cell or "").strip().lstrip("\ufeff").replace("（", "(").replace("）", ")").lower()
        name = names.get(label)
        if name and name not in found:
            found[name] = index
    return found, [name for name in REQUIRED_HEADERS if name not in found]


def unquote(value: str) -> str:
    """Undo the export's "'" in front of a risky first character."""
    if len(value) > 1 and value[0] == "'" and value[1] in RISKY_START:
        return value[1:]
    return value


def quote(value: str) -> str:
    return "'" + value if value and value[0] in RISKY_START else value


def check_row(line: int, cells: Mapping[str, str]) -> tuple[dict | None, list[RowProblem]]:
    """The clean values of one SKU row, or every problem it has."""
    raw = {name: str(cells.get(name) or "").strip() for name, _, _ in COLUMNS}
    problems = [
        RowProblem(line, "catalog.err.formula", {}, name) for name, value in raw.items() if value.startswith("=")
    ]
    if problems:
        return None, problems
    raw = {name: unquote(value) for name, value in raw.items()}
    checks = {
        "product_code": (rules.code, raw["product_code"], dict(limit="sku_code", required=True)),
        "product_name": (rules.text, raw["product_name"], dict(limit="item_name", required=True)),
        "category": (rules.text, raw["category"], dict(limit="category")),
        "unit": (rules.text, raw["unit"], dict(limit="unit")),
        "sku_code": (rules.code, raw["sku_code"], dict(limit="sku_code", required=True)),
        "color": (rules.text, raw["color"], dict(limit="spec_value")),
        "size": (rules.text, raw["size"], dict(limit="spec_value")),
        "variant": (rules.text, raw["variant"], dict(limit="spec_value")),
        "barcode": (rules.code, raw["barcode"], dict(limit="sku_code")),
        "weight_g": (weight, raw["weight_g"]),
        "price_fen": (rules.money, raw["price"], dict(maximum=rules.MAX_UNIT_PRICE_FEN)),
        "cost_fen": (rules.money, raw["cost"], dict(maximum=rules.MAX_UNIT_PRICE_FEN)),
        "enabled": (status, raw["status"]),
    }
    values, broken = rules.check_all(checks)
    column_of = {"price_fen": "price", "cost_fen": "cost", "enabled": "status"}
    problems = [RowProblem(line, p.key, dict(p.params), column_of.get(name, name)) for name, p in broken.items()]
    return (None if problems else values), problems


def weight(value: object) -> int:
    """Grams, a whole number; empty = 0."""
    if str(value if value is not None else "").strip() == "":
        return 0
    return rules.whole(value, minimum=0, maximum=rules.MAX_WEIGHT_G, limit="weight")


def status(value: object) -> bool:
    word = str(value or "").strip().lower()
    if word in ENABLED_WORDS:
        return True
    if word in DISABLED_WORDS:
        return False
    raise InputError("catalog.err.bad_status")


def spec_text(color: str, size: str, variant: str) -> str:
    """The spec values as one line for tickets and lists ("红色 / XL / 500ml")."""
    return " / ".join(v for v in (color, size, variant) if v)


def check_rows(rows: Iterable[tuple[int, Mapping[str, str]]]) -> tuple[list[dict], list[RowProblem]]:
    """Every row checked, then the file as a whole: a SKU code twice, or one product code whose
    rows disagree on name, category or unit."""
    clean: list[dict] = []
    problems: list[RowProblem] = []
    first_line_of_sku: dict[str, int] = {}
    product_seen: dict[str, tuple[int, tuple[str, str, str]]] = {}
    for line, cells in rows:
        values, row_problems = check_row(line, cells)
        problems += row_problems
        if values is None:
            continue
        values["line"] = line
        sku = values["sku_code"]
        if sku in first_line_of_sku:
            problems.append(
                RowProblem(
                    line, "catalog.err.duplicate_sku", {"code": sku, "first": first_line_of_sku[sku]}, "sku_code"
                )
            )
            continue
        first_line_of_sku[sku] = line
        shape = (values["product_name"], values["category"], values["unit"])
        seen = product_seen.setdefault(values["product_code"], (line, shape))
        if seen[1] != shape:
            problems.append(
                RowProblem(
                    line,
                    "catalog.err.product_disagrees",
                    {"code": values["product_code"], "first": seen[0]},
                    "product_name",
                )
            )
            continue
        clean.append(values)
    return clean, problems
