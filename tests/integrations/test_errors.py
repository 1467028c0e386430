"""Failed platform calls in plain bilingual words: no exception names, errno or bodies for staff;
the platform's own code and words are kept."""

from __future__ import annotations

import httpx
import pytest

from integrations import errors
from integrations.base import PlatformError, _gave_up, error_from_http, error_from_status
from integrations.errors import plain_error

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
    (error_from_http("meituan", httpx.ConnectError("[Errno 111] Connection refused")),
     errors.NETWORK),
    (error_from_http("douyin_laike", httpx.ReadTimeout("timed out")), errors.TIMEOUT),
    (status_error(502), errors.UNAVAILABLE.format(zh="HTTP 502", en="HTTP 502")),
    (status_error(429), errors.RATE_LIMITED.format(zh="HTTP 429", en="HTTP 429")),
    (status_error(403), errors.CREDENTIALS.format(zh="HTTP 403", en="HTTP 403")),
    (status_error(404), errors.REJECTED.format(zh="HTTP 404", en="HTTP 404")),
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
    assert plain_error(error) == errors.UNAVAILABLE.format(zh="HTTP 503", en="HTTP 503")


@pytest.mark.parametrize(("platform", "code", "words", "template"), [
    ("meituan", "711", "调用太频繁，已触发流控", errors.RATE_LIMITED),
    ("douyin_laike", "2100004", "系统繁忙", errors.RATE_LIMITED),
    ("meituan", "703", "签名验证错误", errors.CREDENTIALS),
    ("meituan", "702", "不存在此app_id", errors.CREDENTIALS),
    ("douyin_laike", "28001008", "access_token过期", errors.CREDENTIALS),
    ("douyin_laike", "10013", "client_key 或者 client_secret 报错", errors.CREDENTIALS),
    ("meituan", "808", "订单状态已变更", errors.PLATFORM_SAID),
    ("douyin_laike", "711", "未知错误", errors.PLATFORM_SAID),  # 711 is Meituan's, not Douyin's
])
def test_platform_errors_keep_the_platforms_code_and_words(platform, code, words, template):
    text = plain_error(PlatformError(platform, code, words))
    assert text == template.format(zh=f"{code}：{words}", en=f"{code}: {words}")
    assert text.count(words) == 2  # in both languages


def test_the_platforms_first_words_are_shown_not_the_retry_loops():
    first = PlatformError("meituan", "711", "调用太频繁，已触发流控", retryable=True)
    final = _gave_up(first, 3)
    assert "gave up" in final.message
    assert plain_error(final) == plain_error(first)


def test_platform_error_without_words_shows_its_code():
    assert plain_error(PlatformError("meituan", "ng", "")) == \
        errors.PLATFORM_SAID.format(zh="ng", en="ng")


def test_long_platform_words_are_cut_and_flattened():
    text = plain_error(PlatformError("meituan", "700", "系统\n错误 " * 200))
    assert "\n" not in text and len(text) < 2 * errors.MAX_PLATFORM_WORDS + 100


@pytest.mark.parametrize("exc", [exc for exc, _ in CASES])
def test_sentences_are_bilingual_and_free_of_technical_text(exc):
    text = plain_error(exc)
    zh, en = text.split(" / ")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()
    for technical in ("Error", "Errno", "Timeout", "<html>", "http://", "Traceback"):
        assert technical not in text
