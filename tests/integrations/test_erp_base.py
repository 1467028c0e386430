"""What the ERP adapters share: 元 on the wire, Beijing-time text, rate-limit waits, and the
测试连接 answers (every key they can give is in the catalog, in both languages)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from integrations import registry
from integrations.base import PlatformError, RetryPolicy, with_retries
from integrations.erp_base import (
    CodeWords,
    RateLimited,
    connection_words,
    honour_rate_limits,
    local_text,
    parse_local,
    yuan_number,
    yuan_text,
)
from qihang_app.i18n import MESSAGES
from qihang_app.i18n_erp_kinds import ERP_KIND_MESSAGES


@pytest.mark.parametrize(("fen", "number", "text"), [(0, 0.0, "0.00"), (1, 0.01, "0.01"), (1990, 19.9, "19.90"), (-5, -0.05, "-0.05"), (123456789012, 1234567890.12, "1234567890.12")])  # fmt: skip
def test_fen_leave_as_yuan(fen, number, text):
    assert yuan_number(fen) == number and yuan_text(fen) == text
    assert round(yuan_number(fen) * 100) == fen


def test_times_go_as_beijing_text_and_come_back_as_utc():
    at = datetime(2026, 11, 27, 16, 30, 5, tzinfo=UTC)
    assert local_text(at) == "2026-11-28 00:30:05"
    assert parse_local("2026-11-28 00:30:05") == at
    assert parse_local("0000-00-00 00:00:00") is None and parse_local("") is None
    assert local_text(None) == ""


def test_every_answer_key_is_in_the_catalog():
    words = CodeWords(credentials=frozenset({"10"}), ip=frozenset({"110"}), permission=frozenset({"190"}), clock=frozenset({"140"}), rate=frozenset({"199"}))  # fmt: skip
    keys = {
        connection_words(PlatformError("x", code, "words"), words)[0]
        for code in ("10", "110", "190", "140", "199", "network", "timeout", "bad_response", "missing_key", "7")
    }
    keys.add(connection_words(PlatformError("x", "http_503", "down", http_status=503), words)[0])
    keys |= {"erp_check.ok", "erp_check.shop_unknown"}  # decided by the kinds themselves
    assert keys == set(ERP_KIND_MESSAGES) and keys <= set(MESSAGES)


def test_words_quote_what_the_erp_said_before_the_retries():
    first = PlatformError("x", "10", "签名错误")
    final = PlatformError("x", "10", "签名错误 (gave up after 3 attempts)")
    final.__cause__ = first
    assert connection_words(final, CodeWords(credentials=frozenset({"10"}))) == (
        "erp_check.credentials",
        {"said": "10 签名错误"},
    )


async def test_a_short_rate_window_is_waited_out_and_a_long_one_goes_back_at_once():
    calls = []

    async def limited_once(timeout: float) -> str:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RateLimited("x", "199", "too fast", retry_after=0.3)
        return "ok"

    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.01, jitter=0)
    assert await with_retries("x", limited_once, policy, on_error=honour_rate_limits(attempts=3)) == "ok"
    assert calls[1] - calls[0] >= 0.3

    async def per_minute(timeout: float) -> str:
        raise RateLimited("x", "200", "quota", retry_after=60)

    started = time.monotonic()
    with pytest.raises(RateLimited) as back:
        await with_retries("x", per_minute, policy, on_error=honour_rate_limits(attempts=3))
    assert back.value.retryable and time.monotonic() - started < 1


def test_three_erp_kinds_are_registered_with_their_twins():
    assert {"jushuitan", "wdt", "kingdee"} <= set(registry.ERPS)
    for code in ("jushuitan", "wdt", "kingdee"):
        kind = registry.erp(code)
        twin = kind.twin()
        assert twin.erp == code and twin.routes() and twin.new_state().accounts
        assert {f.name for f in kind.fields} >= set(twin.demo_keys)
        assert all(f.label_zh and f.label_en for f in kind.fields)
    assert asyncio.iscoroutinefunction(registry.erp("wdt").check_connection)


def test_the_sandbox_keeps_one_state_per_erp_with_its_limits_and_reset_forgets_them():
    from integrations.sandbox.app import Sandbox

    sandbox = Sandbox()
    jst = sandbox.erp_state("jushuitan")
    assert sandbox.erp_state("jushuitan") is jst and (jst.per_second, jst.per_minute) == (5, 100)
    assert sandbox.erp_state("wdt").per_second == 0 and "sandbox-wdt" in sandbox.erp_state("wdt").accounts
    jst.receive("a:1", "SO1", "order", {"items": []})
    sandbox.reset()
    assert sandbox.erp_state("jushuitan") is not jst and not sandbox.erp_state("jushuitan").docs


def test_twin_windows_count_only_the_calls_they_let_through():
    from integrations.sandbox.erp_twin import ErpTwinState

    state = ErpTwinState("x", per_second=2, per_minute=3)
    assert [state.over_limit("k", now=100.0 + t) for t in (0, 0.1, 0.2, 1.5, 1.6, 61.5)] == [
        "", "", "second", "", "minute", "",
    ]  # fmt: skip


@pytest.mark.parametrize("erp", ["jushuitan", "wdt", "kingdee"])
async def test_a_malformed_order_is_a_clear_error_naming_the_field_before_any_call(erp):
    from integrations.erp_base import ErpConnection
    from tests.integrations.erp_support import order

    kind = registry.erp(erp)
    conn = ErpConnection(erp, "http://127.0.0.1:9/", kind.twin().demo_keys)  # nothing listens: no call made
    adapter = kind.connect(conn, None, RetryPolicy(max_attempts=1))
    no_lines = {k: v for k, v in order().items() if k != "lines"}
    bad_money = order()
    bad_money["lines"][0]["price_fen"] = "lots"
    for bad, words in ((no_lines, "missing field 'lines'"), (bad_money, "invalid field")):
        with pytest.raises(PlatformError) as refused:
            await adapter.push_order(bad, idempotency_key="k")
        assert refused.value.code == "bad_order" and words in refused.value.message and not refused.value.retryable
