"""测试连接: one cheap, authenticated read against the shop's platform, answered in plain words."""

from __future__ import annotations

import logging
import time
from typing import Any

from integrations import registry
from integrations.errors import plain_error
from qihang_app.i18n import tr
from qihang_app.services.shop_auth import shop_auth
from workers import platforms
from workers.tasks.ingest import client_for, run_db

log = logging.getLogger("workers.connection")


async def test_shop_connection(ctx: dict[str, Any], shop_id: int) -> dict:
    auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=shop_id))
    if auth is None:
        return {"ok": False, "message": "店铺不存在 / shop not found"}
    if not auth.app_key or not auth.secret:
        return {"ok": False, "message": "缺少 App ID 或密钥，请先填写 / app id or secret missing"}
    adapter = registry.find(auth.platform)
    if adapter is None:
        return {"ok": False, "message": "该平台暂未接入 / platform not supported yet"}
    started = time.monotonic()
    try:
        key, params = await adapter.check_connection(client_for(ctx, auth), auth)
        detail = tr(key, "zh", name=adapter.profile.name_zh, **params)
    except Exception as exc:
        # Staff see plain words; the technical text stays in the answer and the worker log.
        technical = platforms.technical_error(exc)
        log.warning("connection test of shop %s failed: %s", shop_id, technical)
        return {"ok": False, "message": plain_error(exc), "technical": technical}
    ms = int((time.monotonic() - started) * 1000)
    return {"ok": True, "message": f"{detail}，耗时 {ms} ms", "key": key,
            "params": {"name": adapter.profile.name_en, **params}, "ms": ms}
