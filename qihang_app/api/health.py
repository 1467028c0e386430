"""GET /api/health (DB, Redis, worker heartbeat age) and GET /api/version."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from qihang_app import __version__
from qihang_app.services import system

from .guard import public


@public("a load balancer or monitor probes it; it tells no business data")
async def health(request: Request) -> JSONResponse:
    probe = await system.probe_health()
    body: dict = {"version": __version__}
    if probe.database_error:
        body["database"] = f"error: {probe.database_error}"[:300]
    else:
        worker = probe.worker
        body["database"] = "ok"
        body["worker"] = {
            "last_seen_at": worker.last_seen_at.isoformat() if worker.last_seen_at else None,
            "age_seconds": round(worker.age_seconds, 1) if worker.age_seconds is not None else None,
            "alive": worker.alive,
            "count": sum(1 for w in worker.workers if w.alive),
        }
    if probe.redis_error:
        body["redis"] = f"error: {probe.redis_error}"[:300]
    else:
        body["queue_depth"] = probe.queue_depth
        body["redis"] = "ok"
    problems = probe.problems
    body["status"] = "ok" if not problems else "degraded"
    body["problems"] = problems
    return JSONResponse(body, status_code=200 if not problems else 503)


@public("names the product and version only")
async def version(request: Request) -> JSONResponse:
    return JSONResponse({"name": "QiHang OMS", "version": __version__})
