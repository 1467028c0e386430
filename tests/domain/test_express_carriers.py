"""The carrier list: codes are unique, names map back to codes, the longest name wins."""

from __future__ import annotations

import pytest

from qihang_app.domain.express_carriers import BY_CODE, CARRIERS, OTHER, carrier, carrier_by_name


def test_codes_are_unique_and_every_carrier_has_both_names():
    assert len(BY_CODE) == len(CARRIERS)
    assert {"SF", "ZTO", "YTO", "STO", "YD", "JD", "EMS", "JT", "DBL"} <= set(BY_CODE)
    assert all(c.name_zh and c.name_en and c.code == c.code.upper() for c in CARRIERS)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("顺丰速运", "SF"),
        ("顺丰", "SF"),
        ("中通快递(ZTO)", "ZTO"),
        ("韵达", "YD"),
        ("极兔速递", "JT"),
        ("J&T", "JT"),
        ("邮政EMS", "EMS"),
        ("中国邮政", "YZPY"),
        ("德邦物流", "DBL"),
        ("yto", "YTO"),
        ("", "OTHER"),
        ("某某物流", "OTHER"),
        ("<b>顺丰</b>", "SF"),
    ],
)
def test_names_map_to_our_codes(text, code):
    assert carrier_by_name(text).code == code


def test_lookup_by_code_ignores_case_and_spaces_and_knows_unknowns():
    assert carrier(" sf ") is BY_CODE["SF"]
    assert carrier("NOPE") is None and carrier("") is None
    assert carrier_by_name("nope") is OTHER
