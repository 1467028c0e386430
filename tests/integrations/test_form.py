"""integrations.form.parse_form gives exactly what urllib's parse_qsl gives, only faster."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.form import parse_form, unquote_form

ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
TEXT = st.text(ALPHABET, max_size=30)
RAW = st.text(st.sampled_from("ab%25zZ+=&;\\x0F9é你 "), max_size=40)  # malformed on purpose


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, TEXT, max_size=8), st.booleans())
def test_same_as_parse_qsl_for_encoded_forms(fields, double):
    if double:  # Meituan encodes JSON/text fields a second time
        fields = {k: quote(v, safe="") for k, v in fields.items()}
    body = urlencode(fields)
    assert parse_form(body) == dict(parse_qsl(body, keep_blank_values=True))


@settings(max_examples=300, deadline=None)
@given(RAW)
def test_same_as_parse_qsl_for_any_text(text):
    assert parse_form(text) == dict(parse_qsl(text, keep_blank_values=True))


@pytest.mark.parametrize("value", ["%zz", "%4", "%", "%E4%BD", "%ff%fe", "a+b%2Bc", "\\x41%41"])
def test_malformed_escapes_fall_back_to_the_standard_library(value):
    from urllib.parse import unquote_plus

    assert unquote_form(value) == unquote_plus(value)


def test_strict_mode_refuses_fields_without_a_value_separator():
    with pytest.raises(ValueError):
        parse_form("a=1&&b", strict=True)
    assert parse_form("a=1&b=", strict=True) == {"a": "1", "b": ""}
