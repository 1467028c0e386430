"""What the ERP adapters share: a plain connection, 元 on the wire, rate-limit backoff, the
测试连接 answer in words, and Beijing-time text (every ERP here writes local time as text)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

import httpx

from integrations.base import PlatformError, error_from_http
from integrations.http import get_http_client
from qihang_app.domain.errors import DomainError
from qihang_app.domain.money import fen_to_yuan_str

T = TypeVar("T")
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_INLINE_WAIT = 2.0  # a rate-limit answer asking for longer goes back to the relay's schedule


@dataclass(slots=True)
class ErpConnection:
    """One ERP connection with its keys in clear (the services' row satisfies the same protocol)."""

    erp: str
    base_url: str
    keys: Mapping[str, str] = field(default_factory=dict)
    id: int = 0


class RateLimited(PlatformError):
    """The ERP said "too many calls": wait `retry_after` seconds before the next one."""

    def __init__(self, erp: str, code: str, message: str, *, retry_after: float) -> None:
        super().__init__(erp, code, message, retryable=True)
        self.retry_after = retry_after


def honour_rate_limits(
    max_inline: float = MAX_INLINE_WAIT, attempts: int = 0
) -> Callable[[PlatformError], Awaitable[bool]]:
    """`with_retries(on_error=...)` for one call of `attempts` tries: wait out a short rate-limit
    window before the next try (not after the last); a long one (a per-minute quota) is raised at
    once, retryable, for the relay to come back later."""
    seen = 0

    async def on_error(error: PlatformError) -> bool:
        nonlocal seen
        seen += 1
        if isinstance(error, RateLimited):
            if error.retry_after > max_inline:
                raise error
            if not attempts or seen < attempts:
                await asyncio.sleep(error.retry_after)
        return False

    return on_error


def http_or_shared(http: httpx.AsyncClient | None) -> httpx.AsyncClient:
    return http if http is not None else get_http_client()


# ---- money and time on the wire ---------------------------------------------------------------


def yuan_number(fen: int) -> float:
    """Fen -> 元 as a JSON number with at most 2 decimals (1990 -> 19.9; exact for any real amount)."""
    return float(fen_to_yuan_str(int(fen)))


def yuan_text(fen: int) -> str:
    return fen_to_yuan_str(int(fen))


def local_text(at: datetime | str | None) -> str:
    """`yyyy-MM-dd HH:mm:ss` in Beijing time (naive datetimes are taken as UTC)."""
    if at is None or at == "":
        return ""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(BEIJING).strftime(LOCAL_FORMAT)


def parse_local(text: object) -> datetime | None:
    """An ERP's Beijing-time text ("2026-11-27 10:00:00" or ISO) -> aware UTC; empty -> None."""
    if not text or str(text).startswith("0000"):
        return None
    value = datetime.fromisoformat(str(text).replace("/", "-").strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING)
    return value.astimezone(UTC)


# ---- 测试连接 -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodeWords:
    """Which of an ERP's own error codes mean what, for the 测试连接 answer."""

    credentials: frozenset[str] = frozenset()
    ip: frozenset[str] = frozenset()
    permission: frozenset[str] = frozenset()
    clock: frozenset[str] = frozenset()
    rate: frozenset[str] = frozenset()


async def check_by_call(
    name_zh: str, call: Callable[[], Awaitable[Any]], words: CodeWords
) -> tuple[str, dict[str, Any]]:
    """Run one harmless read and answer in plain words (an i18n key and its params); never raises."""
    try:
        await call()
    except PlatformError as exc:
        return connection_words(exc, words)
    except httpx.HTTPError as exc:
        return connection_words(error_from_http("erp", exc), words)
    except (ValueError, KeyError, TypeError):
        return "erp_check.unreadable", {}
    return "erp_check.ok", {"erp": name_zh}


def connection_words(exc: PlatformError, words: CodeWords) -> tuple[str, dict[str, Any]]:
    while isinstance(exc.__cause__, PlatformError):  # what the ERP said, before the retries' summary
        exc = exc.__cause__
    said = f"{exc.code} {' '.join(exc.message.split())[:120]}".strip()
    if exc.code in ("network", "timeout"):
        return f"erp_check.{exc.code}", {}
    if exc.code == "bad_response":
        return "erp_check.unreadable", {}
    if exc.code in ("missing_key", "bad_key"):
        return "erp_check.missing_key", {"said": exc.message}
    for kind in ("credentials", "ip", "permission", "clock", "rate"):
        if exc.code in getattr(words, kind):
            return f"erp_check.{kind}", {"said": said}
    if exc.http_status and exc.http_status >= 500:
        return "erp_check.unavailable", {"said": said}
    return "erp_check.rejected", {"said": said}


def shaped(erp: str, build: Callable[..., T], *args: Any) -> T:
    """Build a request from our order/after-sale; a missing or malformed field is a clear,
    non-retryable error naming it (retrying cannot fix the data), never a crash in the relay."""
    try:
        return build(*args)
    except PlatformError:
        raise
    except KeyError as exc:
        raise PlatformError(erp, "bad_order", f"missing field {exc}") from exc
    except (TypeError, ValueError, ArithmeticError, DomainError) as exc:  # DomainError: MoneyError
        raise PlatformError(erp, "bad_order", f"invalid field: {exc}") from exc


def require_keys(erp: str, keys: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    missing = [name for name in names if not str(keys.get(name) or "").strip()]
    if missing:
        raise PlatformError(erp, "missing_key", ", ".join(missing))
    return {name: str(keys[name]).strip() for name in names}
