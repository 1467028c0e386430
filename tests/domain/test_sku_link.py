"""Order line → ERP SKU auto-link precedence."""

from __future__ import annotations

import pytest

from qihang_app.domain.sku_link import NO_MATCH, LinkHow, link_sku, normalize_code, unique_index

SHOP_LINKS = {"P-1": 10}
BY_CODE = {"A01": 20, "a01": 21}
BY_BARCODE = {"6901234567890": 30}


def link(platform_sku_id=None, outer_code=None, barcode=None):
    return link_sku(
        platform_sku_id,
        outer_code,
        barcode,
        shop_links=SHOP_LINKS,
        erp_by_code=BY_CODE,
        erp_by_barcode=BY_BARCODE,
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (("P-1", "A01", "6901234567890"), (10, "shop_link")),  # explicit link wins
        (("P-9", "A01", "6901234567890"), (20, "outer_code")),  # then outer code
        (("P-9", "ZZZ", "6901234567890"), (30, "barcode")),  # then barcode
        ((None, None, "6901234567890"), (30, "barcode")),
        ((" P-1\t", None, None), (10, "shop_link")),  # whitespace stripped
        ((None, "\u3000A01 ", None), (20, "outer_code")),  # full-width space too
        ((None, "a01", None), (21, "outer_code")),  # case-sensitive: a01 is another SKU
        ((None, "A01 ", " 6901234567890 "), (20, "outer_code")),
        (("P-9", "ZZZ", "000"), (None, None)),
        ((None, None, None), (None, None)),
        (("", "  ", ""), (None, None)),
    ],
)
def test_link_precedence(line, expected):
    match = link(*line)
    assert tuple(match) == expected
    assert (match.erp_sku_id, match.how) == expected


def test_how_is_an_enum_equal_to_its_string():
    assert link("P-1").how is LinkHow.SHOP_LINK
    assert link() is NO_MATCH


def test_case_insensitive_code_does_not_link():
    assert link_sku(None, "abc", None, shop_links={}, erp_by_code={"ABC": 1}, erp_by_barcode={}) == (None, None)


def test_none_value_in_lookup_falls_through():
    match = link_sku("P-1", "A01", None, shop_links={"P-1": None}, erp_by_code={"A01": 5}, erp_by_barcode={})
    assert match == (5, "outer_code")


def test_normalize_code():
    assert normalize_code("  X-1 ") == "X-1"
    assert normalize_code(" ") is None
    assert normalize_code(None) is None
    assert normalize_code("Ab") == "Ab"


def test_unique_index_drops_ambiguous_keys_and_normalizes():
    index = unique_index(
        [
            (" 690 ", 1),
            ("690", 2),
            ("690", 3),  # one barcode, several SKUs → never auto-link
            ("691", 4),
            ("691 ", 4),  # same SKU twice is fine
            ("", 5),
            (None, 6),
            ("X", 7),
        ]
    )
    assert index == {"691": 4, "X": 7}
