"""Failed platform calls in plain words, in the reader's language: no exception names, errno or
bodies for staff; the platform's own code and words are kept."""

from __future__ import annotations

import httpx
import pytest

from integrations import errors
from integrations.base import PlatformError, _gave_up, error_from_http, error_from_status
from integrations.errors import plain_error
from qihang_app.domain.messages import encode
from qihang_app.i18n import render

REQUEST = httpx.Request("GET", "http://127.0.0.1:9/api")


def status_error(status: int) -> httpx.HTTPStatusError:
    response = httpx.Response(status, text="<html>Bad Gateway</html>", request=REQUEST)
    return httpx.HTTPStatusError(f"HTTP {status}", request=REQUEST, response=response)


CASES = [
    # (exception, expected sentence)
    (httpx.ConnectError("[Errno 111] Connection refused"), errors.NETWORK),
    (httpx.RemoteProtocolError("Server disconnected"), errors.NETWORK),
    (ConnectionRefusedError(111, "Connection refused"), errors.NETWORK),
    (httpx.ReadTimeout("timed out"), errors.TIMEOUT),
    (httpx.ConnectTimeout("timed out"), errors.TIMEOUT),
    (TimeoutError(), errors.TIMEOUT),
    # what the clients' retry loop turns transport failures into
    (error_from_http("meituan", httpx.ConnectError("[Errno 111] Connection refused")), errors.NETWORK),
    (error_from_http("douyin_laike", httpx.ReadTimeout("timed out")), errors.TIMEOUT),
    (status_error(502), encode("platform_err.unavailable", said="HTTP 502")),
    (status_error(429), encode("platform_err.rate_limited", said="HTTP 429")),
    (status_error(403), encode("platform_err.credentials", said="HTTP 403")),
    (status_error(404), encode("platform_err.rejected", said="HTTP 404")),
    (PlatformError("meituan", "bad_response", "<html>oops</html>"), errors.UNREADABLE),
    (ValueError("invalid literal for int() with base 10: 'x'"), errors.UNEXPECTED),
    (KeyError("order_id"), errors.UNEXPECTED),
]


@pytest.mark.parametrize(("exc", "expected"), CASES, ids=lambda v: type(v).__name__)
def test_plain_sentence_for_each_kind_of_failure(exc, expected):
    assert plain_error(exc) == expected


def test_http_status_from_the_clients_uses_the_same_words():
    response = httpx.Response(503, text="upstream down", request=REQUEST)
    error = error_from_status("douyin_laike", response)
    assert plain_error(error) == encode("platform_err.unavailable", said="HTTP 503")


@pytest.mark.parametrize(
    ("platform", "code", "words", "key"),
    [
        ("meituan", "711", "调用太频繁，已触发流控", "platform_err.rate_limited"),
        ("douyin_laike", "2100004", "系统繁忙", "platform_err.rate_limited"),
        ("meituan", "703", "签名验证错误", "platform_err.credentials"),
        ("meituan", "702", "不存在此app_id", "platform_err.credentials"),
        ("douyin_laike", "28001008", "access_token过期", "platform_err.credentials"),
        ("douyin_laike", "10013", "client_key 或者 client_secret 报错", "platform_err.credentials"),
        ("meituan", "808", "订单状态已变更", "platform_err.said"),
        ("douyin_laike", "711", "未知错误", "platform_err.said"),  # 711 is Meituan's, not Douyin's
    ],
)
def test_platform_errors_keep_the_platforms_code_and_words(platform, code, words, key):
    text = plain_error(PlatformError(platform, code, words))
    assert text == encode(key, said={"zh": f"{code}：{words}", "en": f"{code}: {words}"})
    zh, en = render(text, "zh"), render(text, "en")
    assert f"{code}：{words}" in zh and f"{code}: {words}" in en
    assert " / " not in zh and " / " not in en  # one language at a time


def test_the_platforms_first_words_are_shown_not_the_retry_loops():
    first = PlatformError("meituan", "711", "调用太频繁，已触发流控", retryable=True)
    final = _gave_up(first, 3)
    assert "gave up" in final.message
    assert plain_error(final) == plain_error(first)


def test_platform_error_without_words_shows_its_code():
    assert plain_error(PlatformError("meituan", "ng", "")) == encode("platform_err.said", said="ng")
    assert render(plain_error(PlatformError("meituan", "ng", "")), "en") == "The platform returned an error (ng)"


def test_long_platform_words_are_cut_and_flattened():
    text = render(plain_error(PlatformError("meituan", "700", "系统\n错误 " * 200)), "zh")
    assert "\n" not in text and len(text) < errors.MAX_PLATFORM_WORDS + 100


@pytest.mark.parametrize("exc", [exc for exc, _ in CASES])
def test_sentences_are_in_one_language_and_free_of_technical_text(exc):
    zh, en = render(plain_error(exc), "zh"), render(plain_error(exc), "en")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()
    for technical in ("Error", "Errno", "Timeout", "<html>", "http://", "Traceback", "i18n:"):
        assert technical not in zh and technical not in en
