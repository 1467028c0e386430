"""Alerts: evaluate the rules, claim the messages, send them through the robots, record answers.

`check_alerts` runs as a cron on the workers. The same `run_alerts` runs from
`python -m scripts.alert_watch` (a systemd timer), which also probes Redis: it is what still
speaks when every worker or Redis is down.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from integrations.alerts.base import RobotError
from integrations.alerts.registry import robot
from qihang_app.services import alerts as alert_service
from qihang_app.services.alerts import Outgoing

log = logging.getLogger("workers.alerts")


def _in_session(engine: Engine, fn, *args, **kwargs):
    with Session(engine, expire_on_commit=False) as session:
        value = fn(session, *args, **kwargs)
        session.commit()
        return value


def _evaluate_and_claim(session: Session, probes: dict[str, Any]) -> tuple[alert_service.Evaluation, list[Outgoing]]:
    evaluation = alert_service.evaluate(session, probes=probes)
    return evaluation, alert_service.claim_sends(session)


async def deliver(http: httpx.AsyncClient, outgoing: Outgoing) -> str:
    """Send one message; "" when the robot took it, else the error (kept on the message row)."""
    try:
        bot = robot(outgoing.robot)
        request = bot.build(outgoing.url, outgoing.secret, outgoing.card)
        response = await http.post(request.url, json=request.json, timeout=10.0)
        try:
            body = response.json()
        except ValueError:
            body = response.text[:200]
        bot.check_answer(response.status_code, body)
        return ""
    except RobotError as exc:
        return str(exc)
    except (httpx.HTTPError, LookupError) as exc:
        return f"{type(exc).__name__}: {exc}"[:300]


async def run_alerts(engine: Engine, http: httpx.AsyncClient, *, probes: dict[str, Any] | None = None) -> dict:
    evaluation, outgoing = await asyncio.to_thread(_in_session, engine, _evaluate_and_claim, probes or {})
    failed = 0
    for message in outgoing:  # one by one: robots throttle bursts (钉钉 20 a minute)
        error = await deliver(http, message)
        failed += bool(error)
        if error:
            log.warning("alert to channel %s failed: %s", message.channel_id, error)
        await asyncio.to_thread(_in_session, engine, alert_service.finish, delivery_id=message.delivery_id, error=error)
    return {
        "opened": evaluation.opened,
        "resolved": evaluation.resolved,
        "open": evaluation.open,
        "sent": len(outgoing) - failed,
        "failed": failed,
    }


async def check_alerts(ctx: dict[str, Any]) -> dict:
    # this job came through Redis, so Redis answers; the workers' own heartbeats say the rest
    return await run_alerts(ctx["engine"], ctx["http"], probes={"redis_ok": True})


async def send_test_alert(ctx: dict[str, Any], channel_id: int) -> dict:
    """测试: a sample message to one channel; the answer in catalog keys for the page."""
    outgoing = await asyncio.to_thread(_in_session, ctx["engine"], alert_service.claim_test, channel_id=channel_id)
    if outgoing is None:
        return {"ok": False, "key": "alerts.err.not_found", "params": {"channel_id": channel_id}}
    error = await deliver(ctx["http"], outgoing)
    await asyncio.to_thread(
        _in_session, ctx["engine"], alert_service.finish, delivery_id=outgoing.delivery_id, error=error
    )
    if error:
        return {"ok": False, "key": "alerts.test.failed", "params": {"error": error[:200]}}
    return {"ok": True, "key": "alerts.test.sent", "params": {}}


async def prune_alerts(ctx: dict[str, Any]) -> int:
    return await asyncio.to_thread(_in_session, ctx["engine"], alert_service.prune)
