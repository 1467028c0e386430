"""Code 128 of waybill labels: known symbol values and check digits, a decoder reading back what
was drawn, and the same bars as an independent encoder where both must choose the same sets."""

from __future__ import annotations

import re

import pytest
from barcode.codex import Code128

from qihang_app.domain import code128


def read_back(bits: str) -> list[int]:
    """Decode modules into symbol values (widths of alternating bars and spaces)."""
    table = {w: i for i, w in enumerate(code128.WIDTHS)}
    runs = [len(m.group()) for m in re.finditer(r"1+|0+", bits)]
    values, i = [], 0
    while len(runs) - i > 7:
        values.append(table["".join(map(str, runs[i : i + 6]))])
        i += 6
    values.append(table["".join(map(str, runs[i:]))])
    return values


def text_of(values: list[int]) -> str:
    out, code_c = [], values[0] == code128.START_C
    for v in values[1:-2]:
        if v == code128.CODE_C:
            code_c = True
        elif v == code128.CODE_B:
            code_c = False
        else:
            out.append(f"{v:02d}" if code_c else chr(v + 32))
    return "".join(out)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # start B, P J J 1 2 3 C, check (104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7) % 103 = 55
        ("PJJ123C", [104, 48, 42, 42, 17, 18, 19, 35, 55, 106]),
        # all digits, even: set C pairs; (105 + 12 + 34·2) % 103 = 82
        ("1234", [105, 12, 34, 82, 106]),
        # letters then 13 digits: one digit in B, then six pairs in C
        ("SF1234567890123", [104, 51, 38, 17, 99, 23, 45, 67, 89, 1, 23, 11, 106]),
        # six digits in the middle: switch to C and back; check 1625 % 103 = 80
        ("A123456B", [104, 33, 99, 12, 34, 56, 100, 34, 80, 106]),
    ],
)
def test_known_symbols_and_check_digit(text, expected):
    assert code128.symbols(text) == expected
    assert read_back(code128.modules(text)) == expected


@pytest.mark.parametrize("text", ["773012345678901", "JT0001234567", "YT9876543210123", "Z", "ab-CD_12", "0"])
def test_every_drawing_reads_back_to_its_text_with_a_valid_check(text):
    values = read_back(code128.modules(text))
    assert text_of(values) == text
    body = values[:-2]
    assert values[-2] == (body[0] + sum(i * v for i, v in enumerate(body[1:], start=1))) % 103
    assert values[-1] == code128.STOP


@pytest.mark.parametrize("text", ["ABC", "Hello World!", "qihang-OMS", "X1Y2Z3"])
def test_same_bars_as_an_independent_encoder_in_set_b(text):
    assert code128.modules(text) == Code128(text).build()[0]


def test_every_symbol_is_eleven_modules_and_stop_thirteen():
    assert all(sum(map(int, w)) == 11 for w in code128.WIDTHS[:106])
    assert sum(map(int, code128.WIDTHS[106])) == 13
    assert len(set(code128.WIDTHS)) == 107


def test_svg_draws_one_rect_per_bar_and_refuses_what_it_cannot_carry():
    drawn = code128.svg("SF1234567890123")
    bars = len(re.findall(r"1+", code128.modules("SF1234567890123")))
    assert drawn.count("<rect") == bars + 1  # + the white background
    assert code128.svg_data_uri("A1").startswith("data:image/svg+xml")
    with pytest.raises(ValueError):
        code128.symbols("")
    with pytest.raises(ValueError):
        code128.symbols("运单")
