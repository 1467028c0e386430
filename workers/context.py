"""Per-process resources shared by all tasks of one worker: DB engine, httpx client, identity."""

from __future__ import annotations

import os
import socket
from typing import Any

import httpx

from qihang_app.db import get_engine


async def startup(ctx: dict[str, Any]) -> None:
    ctx["engine"] = get_engine()
    ctx["http"] = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))
    ctx["worker_id"] = f"{socket.gethostname()}:{os.getpid()}"
    ctx["host"] = socket.gethostname()
    ctx["pid"] = os.getpid()
    ctx["jobs_done"] = 0


async def shutdown(ctx: dict[str, Any]) -> None:
    http = ctx.get("http")
    if http is not None:
        await http.aclose()
