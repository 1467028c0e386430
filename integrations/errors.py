"""Failed platform calls in words store staff can act on, in the reader's language.

`plain_error` returns an encoded message (domain.messages: a catalog key + parameters) that the
UI renders with `qihang_app.i18n.render` (pull logs, 测试连接). The technical text (exception
type, errno, response body) belongs in the worker log, never in front of staff. A platform's own
error keeps its code and words: staff quote them to the platform's support.
"""

from __future__ import annotations

import httpx

from integrations import registry
from integrations.base import PlatformError
from qihang_app.domain.messages import encode

NETWORK = encode("platform_err.network")
TIMEOUT = encode("platform_err.timeout")
UNREADABLE = encode("platform_err.unreadable")
UNEXPECTED = encode("platform_err.unexpected")
MAX_PLATFORM_WORDS = 200


def plain_error(exc: BaseException) -> str:
    """One short sentence (encoded) for a failed platform call, or anything else that failed."""
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
    said = {"zh": f"{exc.code}：{words}", "en": f"{exc.code}: {words}"} if words else exc.code
    kind = registry.CARRIERS.get(exc.platform)
    if kind is not None:
        return _carrier(kind, exc.code, said)
    # The platforms' own codes, per adapter (the same number may mean other things elsewhere).
    adapter = registry.find(exc.platform)
    if adapter is not None and number in adapter.rate_limit_codes:
        return encode("platform_err.rate_limited", said=said)
    if adapter is not None and number in adapter.credential_codes:
        return encode("platform_err.credentials", said=said)
    return encode("platform_err.said", said=said)


def _carrier(kind, code: str, said: object) -> str:
    """A carrier's own refusal: balance and "no rider" get words of their own."""
    carrier = {"zh": kind.name_zh, "en": kind.name_en}
    if code in kind.balance_codes:
        return encode("carrier_err.balance_low", carrier=carrier, said=said)
    if code in kind.no_rider_codes:
        return encode("carrier_err.no_rider", carrier=carrier, said=said)
    if code in kind.rate_limit_codes:
        return encode("carrier_err.rate_limited", carrier=carrier, said=said)
    if code in kind.credential_codes:
        return encode("carrier_err.credentials", carrier=carrier, said=said)
    if code == "unsupported":
        return encode("carrier_err.unsupported", carrier=carrier)
    return encode("platform_err.said", said=said)


def _http_status(status: int) -> str:
    said = f"HTTP {status}"
    if status == 429:
        return encode("platform_err.rate_limited", said=said)
    if status in (401, 403):
        return encode("platform_err.credentials", said=said)
    if status >= 500:
        return encode("platform_err.unavailable", said=said)
    return encode("platform_err.rejected", said=said)
