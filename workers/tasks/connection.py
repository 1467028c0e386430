"""测试连接: one cheap, authenticated read against the shop's platform, answered in plain words."""

from __future__ import annotations

import logging
import time
from typing import Any

from integrations import registry
from integrations.errors import plain_error
from qihang_app.services.shop_auth import shop_auth
from workers import platforms
from workers.tasks.ingest import client_for, run_db

log = logging.getLogger("workers.connection")


async def test_shop_connection(ctx: dict[str, Any], shop_id: int) -> dict:
    auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=shop_id))
    if auth is None:
        return {"ok": False, "key": "shops.test.not_found"}
    if not auth.app_key or not auth.secret:
        return {"ok": False, "key": "shops.test.no_credentials"}
    adapter = registry.find(auth.platform)
    if adapter is None:
        return {"ok": False, "key": "shops.test.unsupported"}
    started = time.monotonic()
    try:
        key, params = await adapter.check_connection(client_for(ctx, auth), auth)
    except Exception as exc:
        # Staff see plain words; the technical text stays in the answer and the worker log.
        technical = platforms.technical_error(exc)
        log.warning("connection test of shop %s failed: %s", shop_id, technical)
        return {"ok": False, "message": plain_error(exc), "technical": technical}
    ms = int((time.monotonic() - started) * 1000)
    return {"ok": True, "key": key, "params": {**params, "ms": ms}}
