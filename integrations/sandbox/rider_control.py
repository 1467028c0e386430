"""/_control/ for the carrier twins: accounts (balance, callback URL, auto riders, faults), the rider
speed, one rider event by hand (including repeats and out-of-order), and what the twins received."""

from __future__ import annotations

import itertools
import json
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations import registry
from integrations.sandbox.riders import Account, Refusal, RiderDesk

SETTINGS = {
    "balance_fen": int,
    "callback_url": str,
    "auto": bool,
    "no_riders": bool,
    "rate_limited": int,
    "failing": int,  # the next N calls answer HTTP 503
    "drop_callbacks": int,  # the next N callbacks are lost
}
_numbers = itertools.count(1)


def _desk(request: Request) -> RiderDesk:
    return request.app.state.sandbox.riders


def _carrier(request: Request) -> str:
    code = request.path_params["carrier"]
    if code not in registry.CARRIERS:
        raise Refusal("not_found", f"carrier must be one of {', '.join(registry.CARRIERS)}")
    return code


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    data = json.loads(raw) if raw else {}
    if not isinstance(data, dict):
        raise Refusal("params", "body must be a JSON object")
    return data


def _apply(account: Account, data: dict[str, Any]) -> None:
    for name, kind in SETTINGS.items():
        if name in data:
            setattr(account, name, kind(data[name]))


def account_json(request: Request, account: Account) -> dict[str, Any]:
    twin = registry.carrier(account.carrier).twin()
    base = str(request.base_url).rstrip("/")
    return {
        "carrier": account.carrier,
        "key": account.key,
        "secret": account.secret,
        "shop": account.shop,
        "balance_fen": account.balance_fen,
        "callback_url": account.callback_url,
        "auto": account.auto,
        "no_riders": account.no_riders,
        "keys": twin.account_keys(account, base),
        "base_url": base + twin.prefix,
    }


def controlled(handler):
    async def endpoint(request: Request) -> JSONResponse:
        try:
            result = await handler(request)
        except Refusal as exc:
            status = {"not_found": 404, "state": 409}.get(exc.kind, 400)
            return JSONResponse({"error": exc.message, "kind": exc.kind}, status_code=status)
        except (KeyError, ValueError, TypeError) as exc:
            return JSONResponse({"error": f"bad request: {exc}"}, status_code=400)
        return result if isinstance(result, JSONResponse) else JSONResponse(result)

    return endpoint


async def create_account(request: Request) -> JSONResponse:
    carrier = _carrier(request)
    data = await _body(request)
    number = next(_numbers)
    account = Account(carrier, f"{70000 + number}", secrets.token_hex(16), f"QH{number:05d}")
    _apply(account, data)
    _desk(request).add_account(account)
    return JSONResponse(account_json(request, account), status_code=201)


def _account(request: Request) -> Account:
    account = _desk(request).account(_carrier(request), request.path_params["key"])
    if account is None:
        raise Refusal("not_found", "no such account")
    return account


async def get_account(request: Request) -> dict:
    return account_json(request, _account(request))


async def update_account(request: Request) -> dict:
    account = _account(request)
    _apply(account, await _body(request))
    return account_json(request, account)


async def get_ride(request: Request) -> dict:
    return _desk(request).find(_carrier(request), request.path_params["ref"]).truth()


async def ride_event(request: Request) -> dict:
    desk = _desk(request)
    ride = desk.find(_carrier(request), request.path_params["ref"])
    sent = await desk.step(ride, request.path_params["event"])
    return {"ride": ride.truth(), "sent": [{k: v for k, v in s.items() if k != "body"} for s in sent]}


async def speed(request: Request) -> dict:
    desk = _desk(request)
    if request.method == "POST":
        value = float((await _body(request))["speed"])
        if not 0 < value <= 100_000:
            raise Refusal("params", "speed must be above 0 and at most 100000")
        desk.speed = value
    return {"speed": desk.speed}


async def received(request: Request) -> list:
    rows = _desk(request).requests
    for name in ("carrier", "account", "method"):
        if request.query_params.get(name):
            rows = [r for r in rows if r[name] == request.query_params[name]]
    return rows


async def callbacks(request: Request) -> list:
    """Every callback the twins sent (repeats included), oldest first: ?carrier&account&event."""
    rows = [
        {"carrier": r.carrier, "account": r.account.key, "ride_id": r.ride_id, "order_ref": r.order_ref, **c}
        for r in _desk(request).rides.values()
        for c in r.truth()["callbacks"]
    ]
    for name in ("carrier", "account", "event"):
        if request.query_params.get(name):
            rows = [r for r in rows if r[name] == request.query_params[name]]
    return rows


routes = [
    Route("/_control/riders/speed", controlled(speed), methods=["GET", "POST"]),
    Route("/_control/carriers/requests", controlled(received), methods=["GET"]),
    Route("/_control/carriers/callbacks", controlled(callbacks), methods=["GET"]),
    Route("/_control/carriers/{carrier}/accounts", controlled(create_account), methods=["POST"]),
    Route("/_control/carriers/{carrier}/accounts/{key}", controlled(get_account), methods=["GET"]),
    Route("/_control/carriers/{carrier}/accounts/{key}", controlled(update_account), methods=["PATCH"]),
    Route("/_control/carriers/{carrier}/rides/{ref}", controlled(get_ride), methods=["GET"]),
    Route("/_control/carriers/{carrier}/rides/{ref}/{event}", controlled(ride_event), methods=["POST"]),
]
