"""数据接收 leads with a plain reason for each technical one the inbox stores."""

from __future__ import annotations

import pytest

from qihang_app.domain.inbox_reasons import inbox_reason
from qihang_app.i18n import tr


@pytest.mark.parametrize(
    ("status", "error", "key"),
    [
        ("rejected", "signature mismatch", "inbox.reason.signature"),
        ("rejected", "sig mismatch", "inbox.reason.signature"),
        ("rejected", "missing signature", "inbox.reason.missing_signature"),
        ("rejected", "msg_time outside the replay window", "inbox.reason.too_old"),
        ("rejected", "timestamp outside the replay window", "inbox.reason.too_old"),
        ("rejected", "unknown shop '9001'", "inbox.reason.unknown_shop"),
        ("rejected", "unknown shop", "inbox.reason.unknown_shop"),
        ("rejected", "payload is for shop 2, signed by shop 1", "inbox.reason.wrong_shop"),
        ("failed", "shop 12 is gone", "inbox.reason.shop_gone"),
        ("failed", "malformed JSON body: Expecting value: line 1 column 1 (char 0)", "inbox.reason.malformed"),
        ("failed", "malformed form body", "inbox.reason.malformed"),
        ("rejected", "body is not a webhook envelope", "inbox.reason.malformed"),
        ("failed", "no parser for source 'eleme'", "inbox.reason.unsupported"),
        ("failed", "could not apply: IntegrityError: duplicate key", "inbox.reason.not_applied"),
        ("failed", "ValueError: Meituan order without ctime (mapping.py:88; base.py:40)", "inbox.reason.parse_failed"),
        ("failed", "", "inbox.reason.parse_failed"),
        ("rejected", "something new", "inbox.reason.refused"),
    ],
)
def test_a_technical_reason_in_plain_words(status, error, key):
    assert inbox_reason(status, error) == key
    assert tr(key, "zh") and tr(key, "en")  # in the catalog, both languages
