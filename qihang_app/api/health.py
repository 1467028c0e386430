"""GET /api/health (DB, Redis, worker heartbeat age) and GET /api/version."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from sqlalchemy import text
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from qihang_app import __version__
from qihang_app.config import get_settings
from qihang_app.db import get_engine
from qihang_app.services import system

QUEUE_KEY = "arq:queue"


def _check_db() -> system.WorkerStatus:
    with Session(get_engine()) as session:
        session.exec(text("SELECT 1"))
        status = system.worker_status(session)
    return status


async def _check_redis(url: str) -> int:
    client = aioredis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        await client.ping()
        return int(await client.zcard(QUEUE_KEY))
    finally:
        await client.aclose()


async def health(request: Request) -> JSONResponse:
    settings = get_settings()
    problems: list[str] = []
    body: dict = {"version": __version__}
    try:
        worker = await asyncio.to_thread(_check_db)
        body["database"] = "ok"
        body["worker"] = {
            "last_seen_at": worker.last_seen_at.isoformat() if worker.last_seen_at else None,
            "age_seconds": round(worker.age_seconds, 1) if worker.age_seconds is not None else None,
            "alive": worker.alive,
            "count": sum(1 for w in worker.workers if w.alive),
        }
        if not worker.alive:
            problems.append("worker heartbeat missing or stale")
    except Exception as exc:  # health must answer, whatever broke
        body["database"] = f"error: {type(exc).__name__}: {exc}"[:300]
        problems.append("database unreachable")
    try:
        body["queue_depth"] = await _check_redis(settings.redis_url)
        body["redis"] = "ok"
    except Exception as exc:
        body["redis"] = f"error: {type(exc).__name__}: {exc}"[:300]
        problems.append("redis unreachable")
    body["status"] = "ok" if not problems else "degraded"
    body["problems"] = problems
    return JSONResponse(body, status_code=200 if not problems else 503)


async def version(request: Request) -> JSONResponse:
    return JSONResponse({"name": "QiHang OMS", "version": __version__})
