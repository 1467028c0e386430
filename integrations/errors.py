"""Failed platform calls in words store staff can act on ("中文 / English").

`plain_error` is what the UI shows (pull logs, 测试连接); the technical text (exception type,
errno, response body) belongs in the worker log, never in front of staff. A platform's own error
keeps its code and words: staff quote them to the platform's support.
"""

from __future__ import annotations

import httpx

from integrations import registry
from integrations.base import PlatformError

NETWORK = "连不上平台服务器，请检查网络后重试 / Cannot reach the platform; check the network and retry"
TIMEOUT = "平台响应超时，请稍后重试 / The platform did not answer in time; retry later"
UNREADABLE = "平台的应答无法识别，请稍后重试 / The platform's answer could not be read; retry later"
UNEXPECTED = (
    "出现意外错误，请稍后重试；一直失败请联系管理员 / Something unexpected went wrong; "
    "retry later, and tell an administrator if it keeps failing"
)
UNAVAILABLE = "平台服务暂时不可用（{zh}），请稍后重试 / The platform is temporarily unavailable ({en}); retry later"
REJECTED = (
    "平台拒绝了请求（{zh}），请检查店铺的接口设置 / The platform refused the request ({en}); "
    "check the shop's API settings"
)
RATE_LIMITED = "平台限流（{zh}），请稍后重试 / The platform is limiting calls ({en}); retry later"
CREDENTIALS = (
    "平台不接受店铺的密钥或授权（{zh}），请核对 App ID 和密钥或重新授权 / The platform "
    "rejected the shop's credentials ({en}); check the app id and secret, or "
    "authorise again"
)
PLATFORM_SAID = "平台返回错误（{zh}） / The platform returned an error ({en})"

MAX_PLATFORM_WORDS = 200


def plain_error(exc: BaseException) -> str:
    """One short bilingual sentence for a failed platform call (or anything else that failed)."""
    if isinstance(exc, PlatformError):
        return _platform(_first_error(exc))
    if isinstance(exc, httpx.HTTPStatusError):
        return _http_status(exc.response.status_code)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return TIMEOUT
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return NETWORK
    return UNEXPECTED


def _first_error(exc: PlatformError) -> PlatformError:
    """The error as the platform sent it, before the retry loop added "gave up after …"."""
    while isinstance(exc.__cause__, PlatformError):
        exc = exc.__cause__
    return exc


def _platform(exc: PlatformError) -> str:
    # Codes we made up for what happened on the way (integrations.base), then the platform's own.
    if exc.code == "network":
        return NETWORK
    if exc.code == "timeout":
        return TIMEOUT
    if exc.code == "bad_response":
        return UNREADABLE
    if exc.code.startswith("http_") and exc.code[5:].isdigit():
        return _http_status(int(exc.code[5:]))
    number = int(exc.code) if exc.code.isdigit() else None
    words = " ".join(exc.message.split())[:MAX_PLATFORM_WORDS]
    zh, en = (f"{exc.code}：{words}", f"{exc.code}: {words}") if words else (exc.code, exc.code)
    # The platforms' own codes, per adapter (the same number may mean other things elsewhere).
    adapter = registry.find(exc.platform)
    if adapter is not None and number in adapter.rate_limit_codes:
        return RATE_LIMITED.format(zh=zh, en=en)
    if adapter is not None and number in adapter.credential_codes:
        return CREDENTIALS.format(zh=zh, en=en)
    return PLATFORM_SAID.format(zh=zh, en=en)


def _http_status(status: int) -> str:
    said = f"HTTP {status}"
    if status == 429:
        return RATE_LIMITED.format(zh=said, en=said)
    if status in (401, 403):
        return CREDENTIALS.format(zh=said, en=said)
    if status >= 500:
        return UNAVAILABLE.format(zh=said, en=said)
    return REJECTED.format(zh=said, en=said)
