"""Catalog import and export: the whole file is checked first, every bad row is named with its
line and reason, and nothing changes until the file is clean."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from qihang_app.models import ErpSku, Product
from qihang_app.services import catalog_import as io_service
from qihang_app.services.errors import ValidationError

HEADER = "商品编码,商品名称,分类,单位,SKU编码,颜色,尺码,规格,条码,重量(克),售价(元),成本价(元),状态"
GOOD = [
    "T001,纯棉T恤,服装,件,T001-RED-M,红色,M,,6901234567892,180,59.00,21.50,启用",
    "T001,纯棉T恤,服装,件,T001-RED-L,红色,L,,6901234567908,190,59.00,21.50,启用",
    "W001,农夫山泉饮用天然水,饮料,瓶,W001,,,550ml,6921168509256,560,2,1.1,",
]


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode(encoding)


def _check(session, world, data: bytes, name: str = "商品.csv"):
    return io_service.check_file(session, actor=world.admin, filename=name, data=data)


def _import(session, world, data: bytes, name: str = "商品.csv"):
    check = _check(session, world, data, name)
    assert check.problems == [], check.problems
    result = io_service.apply_import(session, actor=world.admin, check=check)
    session.commit()
    return result


def _problems(check) -> list[tuple[int, str]]:
    return [(p.line, p.key) for p in check.problems]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_utf8_with_and_without_bom_and_gbk_read_the_same(session, world, encoding):
    result = _import(session, world, _csv(*GOOD, encoding=encoding))
    assert result == {"products": 2, "created": 3, "updated": 0}
    sku = session.exec(select(ErpSku).where(ErpSku.code == "T001-RED-M")).one()
    assert (sku.name, sku.color, sku.size, sku.spec) == ("纯棉T恤", "红色", "M", "红色 / M")
    assert (sku.price_fen, sku.cost_fen, sku.weight_g, sku.barcode) == (5900, 2150, 180, "6901234567892")
    water = session.exec(select(ErpSku).where(ErpSku.code == "W001")).one()
    assert water.price_fen == 200 and water.cost_fen == 110 and water.enabled


def test_every_bad_row_is_reported_and_nothing_is_written(session, world):
    data = _csv(
        GOOD[0],
        "T002,,服装,件,T002-A,,,,,,10,,",  # no name
        "T003,袜子,服装,双,T003 A,,,,,,10,,",  # space in a code
        "T004,帽子,服装,顶,T004-A,,,,,,-5,,",  # negative price
        "T005,围巾,服装,条,T005-A,,,,,abc,10,,",  # weight not a number
        "T006,手套,服装,副,T006-A,,,,,,10,,作废",  # unknown status
        "T007,<b>hi</b>,服装,件,T007-A,,,,,,10,,",  # markup
        "T008,表情😀,服装,件,T008-A,,,,,,10,,",  # emoji
        "T009," + "长" * 3000 + ",服装,件,T009-A,,,,,,10,,",  # 3,000 characters
        "T010,鞋,服装,双,T010-A,,,,,,99999999999,,",  # absurd price
    )
    check = _check(session, world, data)
    assert _problems(check) == [
        (3, "input.required"),
        (4, "input.bad_code"),
        (5, "input.money_range"),
        (6, "input.bad_whole"),
        (7, "catalog.err.bad_status"),
        (8, "input.bad_chars"),
        (9, "input.bad_chars"),
        (10, "input.too_long"),
        (11, "input.money_range"),
    ]
    with pytest.raises(ValidationError) as info:
        io_service.apply_import(session, actor=world.admin, check=check)
    assert info.value.key == "catalog.err.file_has_problems"
    session.rollback()
    assert session.exec(select(ErpSku)).all() == [] and session.exec(select(Product)).all() == []


def test_duplicate_codes_and_disagreeing_product_rows(session, world):
    data = _csv(
        GOOD[0], GOOD[1], GOOD[0].replace("59.00", "60.00"), "T001,纯棉T恤 新款,服装,件,T001-BLUE,蓝色,,,,,59,,"
    )
    check = _check(session, world, data)
    assert _problems(check) == [(4, "catalog.err.duplicate_sku"), (5, "catalog.err.product_disagrees")]
    assert check.problems[0].params == {"code": "T001-RED-M", "first": 2}


def test_empty_lines_are_skipped_and_keep_line_numbers(session, world):
    data = (HEADER + "\n\n" + GOOD[0] + "\n,,,,,,,,,,,,\n\n" + "T002,,服装,件,T002-A,,,,,,1,,\n").encode()
    check = _check(session, world, data)
    assert _problems(check) == [(6, "input.required")] and len(check.rows) == 1


def test_a_quoted_cell_with_a_line_break_keeps_the_next_line_number_right(session, world):
    data = (HEADER + '\nT001,"纯棉\nT恤",服装,件,T001-A,,,,,,1,,\nT002,,服装,件,T002-A,,,,,,1,,\n').encode()
    assert _problems(_check(session, world, data)) == [(2, "input.bad_chars"), (4, "input.required")]


def test_formulas_are_refused_in_csv_and_in_sheets(session, world):
    check = _check(session, world, _csv(GOOD[0], "T002,袜子,服装,双,T002-A,,,,,,=B2*1.1,,"))
    assert _problems(check) == [(3, "catalog.err.formula")] and check.problems[0].column == "price"
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(GOOD[0].split(","))
    sheet.append(["T002", "袜子", "服装", "双", "T002-A", "", "", "", "", "", "=K2*2", "", ""])
    out = io.BytesIO()
    book.save(out)
    check = _check(session, world, out.getvalue(), "商品.xlsx")
    assert _problems(check) == [(3, "catalog.err.formula")]


def test_xlsx_numbers_read_as_typed(session, world):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["P1", "可乐", "饮料", "罐", "P1-330", None, None, "330ml", 6901234567892, 350, 3.5, 1.25, "启用"])
    out = io.BytesIO()
    book.save(out)
    _import(session, world, out.getvalue(), "商品.xlsx")
    sku = session.exec(select(ErpSku).where(ErpSku.code == "P1-330")).one()
    assert (sku.barcode, sku.weight_g, sku.price_fen, sku.cost_fen) == ("6901234567892", 350, 350, 125)


def test_unreadable_files_get_one_clear_refusal(session, world):
    for data, key in (
        (b"", "catalog.err.empty_file"),
        (b"PK\x03\x04 broken", "catalog.err.not_a_table"),
        ("名称,价格\n水,2\n".encode(), "catalog.err.missing_columns"),
        (b"\xff\xfe\x00\x00\x81", "catalog.err.encoding"),
        (HEADER.encode(), "catalog.err.no_rows"),
    ):
        with pytest.raises(ValidationError) as info:
            _check(session, world, data)
        assert info.value.key == key, data


def test_a_sku_of_another_product_is_not_moved(session, world):
    _import(session, world, _csv(*GOOD))
    check = _check(session, world, _csv("T009,别的商品,服装,件,T001-RED-M,,,,,,1,,"))
    assert _problems(check) == [(2, "catalog.err.sku_elsewhere")]


def test_export_imports_back_unchanged_in_both_formats(session, world):
    tricky = "=SUM(A1)".replace("=", "-")  # a name a spreadsheet would run as a formula
    _import(session, world, _csv(*GOOD, f"X1,{tricky},,,X1-A,,,,,,0.5,,停用"))
    before = io_service.export_rows(session, actor=world.admin)
    for kind in ("csv", "xlsx"):
        data = io_service.export_file(session, actor=world.admin, kind=kind)
        result = _import(session, world, data, f"商品.{kind}")
        assert result["created"] == 0 and result["updated"] == 4
        assert io_service.export_rows(session, actor=world.admin) == before
    names = [row[1] for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]
    assert "'" + tricky in names  # quoted in the sheet, so a spreadsheet shows it and runs nothing
    assert [r[1] for r in before if r[4] == "X1-A"] == [tricky]


def test_ten_thousand_rows_with_progress(session, world):
    lines = [f"P{i // 4:05d},商品{i // 4},分类{i // 4 % 7},件,P{i:06d},色{i % 3},,,69{i:011d},{i % 900},{i % 500}.{i % 100:02d},1,"
             for i in range(10_000)]  # fmt: skip
    check = _check(session, world, _csv(*lines))
    assert check.problems == [] and (check.new_products, check.new_skus) == (2500, 10_000)
    seen = []
    io_service.apply_import(session, actor=world.admin, check=check, progress=lambda done, total: seen.append(done))
    session.commit()
    assert seen[-1] == 10_000 and len(seen) == 20 and seen == sorted(seen)
    assert session.exec(select(ErpSku).where(ErpSku.code == "P009999")).one().price_fen == 49999
