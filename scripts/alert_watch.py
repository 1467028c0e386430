"""One alert run from outside the workers: `python -m scripts.alert_watch` (a systemd timer runs
it every minute in deploy/). It probes Redis itself, so "worker down" and "Redis down" are still
announced when no worker can run the cron. Safe next to the cron: messages are claimed once."""

from __future__ import annotations

import asyncio
import json

import httpx

import integrations.registry  # noqa: F401  (registers the robots)
from qihang_app.config import get_settings
from qihang_app.db import get_engine
from qihang_app.services.system import probe_redis
from workers.tasks.alerts import run_alerts


async def main() -> dict:
    try:
        await probe_redis(get_settings().redis_url)
        probes = {"redis_ok": True}
    except Exception as exc:
        probes = {"redis_ok": False, "redis_error": f"{type(exc).__name__}: {exc}"[:200]}
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0)) as http:
        return await run_alerts(get_engine(), http, probes=probes)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
