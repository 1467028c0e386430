"""TMC in the twin: one long-lived HTTP connection per consumer (GET /taobao/tmc/stream) that
writes a JSON line per batch as messages arrive, and a heartbeat line while idle. A message stays
pending until `taobao.tmc.messages.confirm` names it; a new connection delivers pending ones again.
(Real TMC speaks its own protocol over a websocket; the message fields are TMC's.)"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from integrations.taobao.sign import verify
from integrations.taobao.spec import PLATFORM
from integrations.taobao.twin_state import STATE, TmcQueue

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

POLL_SECONDS = 0.05
HEARTBEAT_SECONDS = 5.0
MAX_CONNECTION_SECONDS = 300.0
BATCH = 200


async def stream(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    params = dict(request.query_params)
    app_key = params.get("app_key", "")
    shops = sandbox.store.shops_of_app(PLATFORM, app_key)
    if not shops or not verify(shops[0].secret, params):
        return JSONResponse({"error_response": {"code": 25, "msg": "Invalid signature"}}, status_code=401)
    try:
        seconds = min(MAX_CONNECTION_SECONDS, float(params.get("max_seconds") or 60))
    except ValueError:
        seconds = 60.0
    sandbox.store.record_request(PLATFORM, "/tmc/stream", "ok")
    queue = STATE.tmc.setdefault(app_key, TmcQueue())
    return StreamingResponse(_lines(request, queue, seconds), media_type="application/x-ndjson")


async def _lines(request: Request, queue: TmcQueue, seconds: float) -> AsyncIterator[bytes]:
    sent: set[str] = set()
    started = last = time.monotonic()
    yield _line({"connected": True})
    while time.monotonic() - started < seconds:
        fresh = [m for i, m in list(queue.pending.items()) if i not in sent][:BATCH]
        if fresh:
            sent.update(m["id"] for m in fresh)
            yield _line({"tmc_messages": {"tmc_message": fresh}})
            last = time.monotonic()
        elif time.monotonic() - last >= HEARTBEAT_SECONDS:
            yield _line({"heartbeat": int(time.time())})
            last = time.monotonic()
        if await request.is_disconnected():
            return
        await asyncio.sleep(POLL_SECONDS)


def _line(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
