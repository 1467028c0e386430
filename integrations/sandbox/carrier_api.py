"""The request loop every carrier twin shares: read the carrier's envelope and check its signature
(the twin's `read`), refuse as the carrier would (rate limit, unknown method), run the method on the
rider desk, answer in the carrier's envelope, and record what was received for /_control."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations.sandbox.riders import Account, Refusal, RiderDesk


@dataclass(slots=True)
class Call:
    account: Account
    method: str
    data: dict[str, Any]


Reader = Callable[[Request, bytes, RiderDesk], Call]  # raises Refusal("credentials"/"sign"/"params")
Method = Callable[[RiderDesk, Account, dict[str, Any]], Awaitable[Any]]


def carrier_route(
    path: str,
    carrier: str,
    read: Reader,
    methods: Mapping[str, Method],
    ok: Callable[[Any], dict],
    refused: Callable[[Refusal], dict],
) -> Route:
    async def endpoint(request: Request) -> JSONResponse:
        desk: RiderDesk = request.app.state.sandbox.riders
        body = await request.body()
        method = request.path_params.get("method", "")
        try:
            call = read(request, body, desk)
        except Refusal as exc:
            desk.record(carrier, exc.account, method, body.decode("utf-8", "replace"), exc.kind)
            return JSONResponse(refused(exc))
        try:
            desk.gate(call.account)
            handler = methods.get(call.method)
            if handler is None:
                raise Refusal("params", f"unknown method {call.method}")
            result = await handler(desk, call.account, call.data)
        except Refusal as exc:
            desk.record(carrier, call.account.key, call.method, call.data, exc.kind)
            if exc.kind == "down":
                return JSONResponse({"error": exc.message}, status_code=503)
            return JSONResponse(refused(exc))
        except (KeyError, TypeError, ValueError) as exc:
            desk.record(carrier, call.account.key, call.method, call.data, "params")
            return JSONResponse(refused(Refusal("params", f"bad parameter: {exc}")))
        desk.record(carrier, call.account.key, call.method, call.data, "ok")
        return JSONResponse(ok(result))

    return Route(path, endpoint, methods=["POST"])


def known_account(desk: RiderDesk, carrier: str, key: str) -> Account:
    account = desk.account(carrier, key)
    if account is None:
        raise Refusal("credentials", f"unknown key {key}")
    return account
