"""One 金蝶云星空 connection's calls: JSON POST to {site}/k3cloud/<Service>.common.kdsvc with the
signed headers of 第三方系统登录授权. Business refusals come as HTTP 200 with IsSuccess false;
the gateway refuses with HTTP 519 and an errcode; 429 asks to slow down."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from integrations.base import PlatformError, RetryPolicy, error_from_status, log_call, with_retries
from integrations.erp_base import RateLimited, honour_rate_limits, http_or_shared
from integrations.kingdee.sign import signed_headers
from integrations.kingdee.spec import ERP, GATEWAY_REFUSED, RATE_LIMIT_RETRY


class KingdeeClient:
    def __init__(
        self,
        keys: dict[str, str],
        *,
        base_url: str,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys  # app_id, app_secret, acct_id, username, lcid, org_num
        self.base_url = base_url.rstrip("/") + "/"
        self._http = http
        self.retry = retry or RetryPolicy()
        self._clock = clock

    def headers(self, url: str) -> dict[str, str]:
        k = self._keys
        return signed_headers(
            app_id=k["app_id"], app_secret=k["app_secret"], acct_id=k["acct_id"], username=k["username"],
            lcid=k["lcid"], org_num=k["org_num"], path=urlsplit(url).path, timestamp=str(int(self._clock())),
        )  # fmt: skip

    async def call(self, service: str, body: dict[str, Any]) -> Any:
        http = http_or_shared(self._http)
        url = f"{self.base_url}{service}.common.kdsvc"

        async def attempt(timeout: float) -> Any:
            started = time.monotonic()
            response = await http.post(url, json=body, headers=self.headers(url), timeout=timeout)
            result = self._read(response)
            log_call(ERP, service.rsplit(".", 1)[-1], self._keys["acct_id"], started, "ok")
            return result

        return await with_retries(
            ERP, attempt, self.retry, on_error=honour_rate_limits(attempts=self.retry.max_attempts)
        )

    @staticmethod
    def _read(response: httpx.Response) -> Any:
        if response.status_code == 429:
            wait = response.headers.get("Retry-After", "")
            retry_after = float(wait) if wait.replace(".", "", 1).isdigit() else RATE_LIMIT_RETRY
            raise RateLimited(ERP, "http_429", "请求过于频繁", retry_after=retry_after)
        if response.status_code == GATEWAY_REFUSED:  # the gateway said no: retrying will not help
            try:
                said = response.json()
                code, words = str(said.get("errcode")), str(said.get("description") or said.get("message") or "")
            except (ValueError, AttributeError):
                code, words = "http_519", response.text[:200]
            raise PlatformError(ERP, code, words, http_status=GATEWAY_REFUSED)
        if (error := error_from_status(ERP, response)) is not None:
            raise error
        try:
            return response.json()
        except ValueError:
            raise PlatformError(ERP, "bad_response", response.text[:200]) from None


def status_of(answer: Any) -> dict[str, Any]:
    """The ResponseStatus of a Save/UnAudit/Delete answer (or of a refused query)."""
    if isinstance(answer, list) and answer and isinstance(answer[0], list) and answer[0]:
        answer = answer[0][0]  # a query refusal comes as [[{"Result": ...}]]
    if not isinstance(answer, dict) or "Result" not in answer:
        raise PlatformError(ERP, "bad_response", str(answer)[:200])
    return answer["Result"].get("ResponseStatus") or {}


def succeeded(status: dict[str, Any]) -> bool:
    return str(status.get("IsSuccess")).lower() == "true"  # sometimes the string "True"


def refusal(status: dict[str, Any]) -> PlatformError:
    errors = status.get("Errors") or []
    words = "; ".join(f"{e.get('FieldName') or ''} {e.get('Message') or ''}".strip() for e in errors)
    return PlatformError(ERP, str(status.get("MsgCode") or status.get("ErrorCode") or "refused"), words or "refused")


def rows_of(answer: Any) -> list[list[Any]]:
    """ExecuteBillQuery's bare 2-D array (a refusal raises)."""
    if (
        isinstance(answer, list)
        and answer
        and isinstance(answer[0], list)
        and answer[0]
        and isinstance(answer[0][0], dict)
    ):
        raise refusal(status_of(answer))
    if not isinstance(answer, list):
        raise PlatformError(ERP, "bad_response", str(answer)[:200])
    return answer
