"""Catalog import and export. An import reads and checks the whole file first and reports every
bad row (line number and reason); only a clean file is applied, in one transaction, so a file
either goes in completely or changes nothing. Export writes the same columns, so an exported file
imports back unchanged.

Rows are upserts by SKU code: a known SKU is updated, an unknown one created under its product
(created by product code when new). A SKU code that already belongs to another product is
refused rather than moved: moving would silently re-point every shop link of that SKU.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from qihang_app.domain.catalog_rows import COLUMNS, RowProblem, check_rows, header_map, spec_text
from qihang_app.domain.money import fen_to_yuan_str
from qihang_app.models import ErpSku, Product

from .catalog_files import read_table, write_csv, write_xlsx
from .errors import ValidationError
from .scope import Actor, require_role
from .sku_links import chunks

Progress = Callable[[int, int], None]  # (rows done, rows in all)
PROGRESS_EVERY = 500


@dataclass
class ImportCheck:
    rows: list[dict] = field(default_factory=list)  # clean rows, in file order
    problems: list[RowProblem] = field(default_factory=list)
    new_products: int = 0
    new_skus: int = 0
    updated_skus: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def check_file(session: Session, *, actor: Actor, filename: str, data: bytes) -> ImportCheck:
    """Read and check everything; nothing is written."""
    require_role(actor, "admin", "manager")
    table = read_table(filename, data)
    columns, missing = header_map(table.header)
    if missing:
        names = {name: zh for name, zh, _ in COLUMNS}
        raise ValidationError(
            key="catalog.err.missing_columns", field="file", columns="、".join(names[m] for m in missing)
        )
    cells = (
        (line, {name: (row[i] if i < len(row) else "") for name, i in columns.items()}) for line, row in table.rows
    )
    rows, problems = check_rows(cells)
    result = ImportCheck(rows=rows, problems=problems)
    if not rows and not problems:
        raise ValidationError(key="catalog.err.no_rows", field="file")
    _check_against_database(session, result)
    result.problems.sort(key=lambda p: p.line)
    return result


def _check_against_database(session: Session, result: ImportCheck) -> None:
    skus, products = _existing(session, result.rows)
    product_code_of = {pid: code for code, pid in products.items()}
    clean = []
    for row in result.rows:
        known = skus.get(row["sku_code"])
        owner = None if known is None else product_code_of.get(known[1])
        if known is not None and known[1] is not None and owner != row["product_code"]:
            result.problems.append(
                RowProblem(
                    row["line"], "catalog.err.sku_elsewhere", {"code": row["sku_code"], "product": owner}, "sku_code"
                )
            )
            continue
        clean.append(row)
    result.rows = clean
    result.new_skus = sum(1 for r in clean if r["sku_code"] not in skus)
    result.updated_skus = len(clean) - result.new_skus
    result.new_products = len({r["product_code"] for r in clean if r["product_code"] not in products})


def _existing(session: Session, rows: list[dict]) -> tuple[dict[str, tuple[int, int | None]], dict[str, int]]:
    """SKU code → (id, product id) and product code → id, for the codes of these rows."""
    skus: dict[str, tuple[int, int | None]] = {}
    products: dict[str, int] = {}
    for chunk in chunks(sorted({r["sku_code"] for r in rows})):
        for code, sku_id, product_id in session.exec(
            select(ErpSku.code, ErpSku.id, ErpSku.product_id).where(ErpSku.code.in_(chunk))
        ):
            skus[code] = (sku_id, product_id)
    wanted = {r["product_code"] for r in rows}
    owner_ids = sorted({pid for _, pid in skus.values() if pid is not None})
    for chunk in chunks(sorted(wanted)):
        products.update(session.exec(select(Product.code, Product.id).where(Product.code.in_(chunk))).all())
    for chunk in chunks(owner_ids):
        products.update(session.exec(select(Product.code, Product.id).where(Product.id.in_(chunk))).all())
    return skus, products


def apply_import(session: Session, *, actor: Actor, check: ImportCheck, progress: Progress | None = None) -> dict:
    """Write a clean file's rows (the caller commits once at the end: all or nothing)."""
    require_role(actor, "admin", "manager")
    if check.problems:
        raise ValidationError(key="catalog.err.file_has_problems", field="file", n=len(check.problems))
    skus, products = _existing(session, check.rows)
    by_code: dict[str, Product] = {}
    for chunk in chunks(sorted({r["product_code"] for r in check.rows})):
        by_code.update({p.code: p for p in session.exec(select(Product).where(Product.code.in_(chunk)))})
    for row in check.rows:
        product = by_code.get(row["product_code"])
        if product is None:
            product = by_code[row["product_code"]] = Product(code=row["product_code"], name=row["product_name"])
        product.name, product.category, product.unit = row["product_name"], row["category"], row["unit"]
        session.add(product)
    session.flush()
    sku_objects: dict[str, ErpSku] = {}
    for chunk in chunks(sorted(skus)):
        sku_objects.update({s.code: s for s in session.exec(select(ErpSku).where(ErpSku.code.in_(chunk)))})
    total = len(check.rows)
    for done, row in enumerate(check.rows, start=1):
        product = by_code[row["product_code"]]
        sku = sku_objects.get(row["sku_code"]) or ErpSku(code=row["sku_code"], name=product.name)
        sku.product_id, sku.name, sku.unit = product.id, product.name, product.unit
        sku.color, sku.size, sku.variant = row["color"], row["size"], row["variant"]
        sku.spec = spec_text(row["color"], row["size"], row["variant"])
        sku.barcode, sku.weight_g = row["barcode"], row["weight_g"]
        sku.price_fen, sku.cost_fen = row["price_fen"], row["cost_fen"]
        sku.enabled = row["enabled"] and product.enabled
        session.add(sku)
        if done % PROGRESS_EVERY == 0 or done == total:
            session.flush()
            if progress is not None:
                progress(done, total)
    return {"products": check.new_products, "created": check.new_skus, "updated": check.updated_skus}


def export_rows(session: Session, *, actor: Actor) -> list[list[str]]:
    """Every SKU in the import's columns; a SKU without a product stands for its own product."""
    products = {p.id: p for p in session.exec(select(Product))}
    rows = []
    for sku in session.exec(select(ErpSku).order_by(ErpSku.code)):
        product = products.get(sku.product_id)
        rows.append(
            [
                product.code if product else sku.code,
                product.name if product else sku.name,
                product.category if product else "",
                product.unit if product else sku.unit,
                sku.code,
                sku.color,
                sku.size,
                sku.variant,
                sku.barcode,
                str(sku.weight_g or ""),
                fen_to_yuan_str(sku.price_fen),
                fen_to_yuan_str(sku.cost_fen),
                "启用" if sku.enabled else "停用",
            ]
        )
    rows.sort(key=lambda r: (r[0], r[4]))
    return rows


def export_file(session: Session, *, actor: Actor, kind: str) -> bytes:
    rows = export_rows(session, actor=actor)
    return write_xlsx(rows) if kind == "xlsx" else write_csv(rows)
