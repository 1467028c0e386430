"""测试连接: one cheap, authenticated read against the shop's platform, answered in plain words."""

from __future__ import annotations

import time
from typing import Any

from integrations.base import PlatformError
from qihang_app.domain.order_status import Platform
from qihang_app.services import inbox as inbox_service
from workers.tasks.ingest import client_for, run_db


async def test_shop_connection(ctx: dict[str, Any], shop_id: int) -> dict:
    auth = await run_db(ctx, lambda s: inbox_service.shop_auth(s, shop_id=shop_id))
    if auth is None:
        return {"ok": False, "message": "店铺不存在 / shop not found"}
    if not auth.app_key or not auth.secret:
        return {"ok": False, "message": "缺少 App ID 或密钥，请先填写 / app id or secret missing"}
    started = time.monotonic()
    try:
        client = client_for(ctx, auth)
        if auth.platform == Platform.MEITUAN.value:
            items = await client.retail_list(auth.platform_shop_id, 0, 1)
            detail = f"美团接口正常，已读取商品列表（{len(items)} 条样例）"
        elif auth.platform == Platform.DOUYIN_LAIKE.value:
            page = await client.query_orders(page_num=1, page_size=1)
            detail = f"抖音来客接口正常，授权有效（订单总数 {getattr(page, 'total', '?')}）"
        else:
            return {"ok": False, "message": "该平台暂未接入 / platform not supported yet"}
    except PlatformError as exc:
        return {"ok": False, "message": f"平台返回错误 {exc.code}：{exc.message}"}
    except Exception as exc:
        return {"ok": False, "message": f"无法连接平台：{type(exc).__name__}: {exc}"[:300]}
    ms = int((time.monotonic() - started) * 1000)
    return {"ok": True, "message": f"{detail}，耗时 {ms} ms"}
