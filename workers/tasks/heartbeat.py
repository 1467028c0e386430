"""Heartbeat: proves the worker runs and shares the database with the app (shown on 系统状态)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from qihang_app.services import system


async def heartbeat(ctx: dict[str, Any]) -> str:
    with Session(ctx["engine"]) as session:
        system.record_heartbeat(
            session,
            worker_id=ctx["worker_id"],
            host=ctx["host"],
            pid=ctx["pid"],
            jobs_done=ctx.get("jobs_done", 0),
        )
        session.commit()
    return ctx["worker_id"]
