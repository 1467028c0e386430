"""TOP client: signed form POSTs to the router, `error_response` unwrapped, retries, and one
session refresh (via the OAuth refresh token) when TOP says the session is invalid."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from integrations.base import PlatformError, RetryPolicy, error_from_status, logged_call, with_retries
from integrations.http import get_http_client
from integrations.taobao.sign import top_sign
from integrations.taobao.spec import (
    API_LIMIT_SUB_CODE,
    API_VERSION,
    DEFAULT_SIGN_METHOD,
    GATEWAY,
    PLATFORM,
    RETRYABLE_CODES,
    SESSION_CODES,
    TIME_FORMAT,
    response_key,
)
from qihang_app.domain.clock import SHANGHAI

Refresher = Callable[[], Awaitable[tuple[str, float]]]  # a new session key and its expiry (epoch)
REFRESH_MARGIN = 300.0  # refresh this many seconds before the session expires


def top_time(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime(TIME_FORMAT)


def wire_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, datetime):
        return top_time(value)
    return str(value)


class TaobaoClient:
    def __init__(
        self,
        app_key: str,
        secret: str,
        *,
        session: str = "",
        nick: str = "",
        base_url: str = GATEWAY,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        sign_method: str = DEFAULT_SIGN_METHOD,
        refresher: Refresher | None = None,
        decrypt: bool = False,
        session_expires: float = 0.0,
    ) -> None:
        self.app_key = app_key
        self._secret = secret
        self.session = session
        self.nick = nick
        self.base_url = base_url
        self._http = http
        self.retry = retry or RetryPolicy()
        self.sign_method = sign_method
        self._refresher = refresher
        self.decrypt = decrypt  # the merchant holds the receiver-decrypt permission
        self.session_expires = session_expires
        self.refresh_count = 0

    def __repr__(self) -> str:  # no secret or session in tracebacks
        return f"TaobaoClient(app_key={self.app_key!r}, nick={self.nick!r})"

    def _client(self) -> httpx.AsyncClient:
        return self._http or get_http_client()

    def signed(self, method: str, params: Mapping[str, Any], *, session: bool = True) -> dict[str, str]:
        form = {
            "method": method,
            "app_key": self.app_key,
            "timestamp": top_time(datetime.now(SHANGHAI)),
            "v": API_VERSION,
            "format": "json",
            "sign_method": self.sign_method,
            **{k: wire_value(v) for k, v in params.items() if v is not None},
        }
        if session and self.session:
            form["session"] = self.session
        form["sign"], _ = top_sign(self._secret, form)
        return form

    async def refresh_session(self) -> None:
        if self._refresher is None:
            raise PlatformError(PLATFORM, "27", "session expired and no refresh token")
        self.session, self.session_expires = await self._refresher()
        self.refresh_count += 1

    async def call(self, method: str, params: Mapping[str, Any] | None = None, *, session: bool = True) -> dict:
        """Run one API and return the body under `<name>_response`."""
        refreshed = False
        if session and self._refresher and self.session_expires and time.time() > self.session_expires - REFRESH_MARGIN:
            await self.refresh_session()  # about to expire: refresh before TOP refuses it
            refreshed = True

        async def attempt(timeout: float) -> dict:
            async with logged_call(PLATFORM, method, self.nick):
                response = await self._client().post(
                    self.base_url, data=self.signed(method, params or {}, session=session), timeout=timeout
                )
                return unwrap(response, method)

        async def on_error(error: PlatformError) -> bool:
            nonlocal refreshed
            if error.code.isdigit() and int(error.code) in SESSION_CODES and self._refresher and not refreshed:
                refreshed = True
                await self.refresh_session()
                return True
            return False

        return await with_retries(PLATFORM, attempt, self.retry, on_error=on_error)


def unwrap(response: httpx.Response, method: str) -> dict:
    bad_status = error_from_status(PLATFORM, response)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise bad_status or PlatformError(PLATFORM, "bad_response", response.text[:200])
    error = body.get("error_response")
    if isinstance(error, dict):
        raise error_of(error, response.status_code)
    if bad_status:
        raise bad_status
    data = body.get(response_key(method))
    if not isinstance(data, dict):
        raise PlatformError(PLATFORM, "bad_response", f"no {response_key(method)} in the answer")
    return data


def error_of(error: Mapping[str, Any], http_status: int | None = None) -> PlatformError:
    code = str(error.get("code", ""))
    sub_code = str(error.get("sub_code") or "")
    message = " ".join(str(error.get(k) or "") for k in ("msg", "sub_code", "sub_msg")).strip()
    retryable = (
        (code.isdigit() and int(code) in RETRYABLE_CODES)
        or sub_code.startswith("isp.")
        or sub_code == API_LIMIT_SUB_CODE
    )
    return PlatformError(PLATFORM, code or "bad_response", message, retryable=retryable, http_status=http_status)
