"""TMC (消息服务): the message stream the workers consume, and `parse_push` for what it stored.

Messages are thin (tid / refund id and a status): trade messages become ORDER_REF events and the
worker fetches `taobao.trade.fullinfo.get`; refund messages carry enough for a refund event."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from integrations.base import PlatformError
from integrations.contract import ParsedPush, ShopKeys
from integrations.ecommerce_contract import StreamMessage
from integrations.taobao.mapping import parse_time
from integrations.taobao.spec import PLATFORM, REFUND_STATUS, REFUND_TOPIC_STATUS, TMC_GROUP, Method
from qihang_app.domain.order_status import Platform
from qihang_app.domain.platform_order import EventKind, PlatformEvent, PlatformRefund, RefundKind


class TaobaoTmc:
    def __init__(self, *, max_seconds: float = 60.0) -> None:
        self.max_seconds = max_seconds  # the consumer reconnects after this (its loop's stop condition)

    async def messages(self, client: Any, shop: ShopKeys) -> AsyncIterator[list[StreamMessage]]:
        url = shop.credentials.get("tmc_url")
        if not url:
            raise PlatformError(PLATFORM, "no_tmc_url", "no TMC endpoint in the shop's credentials")
        params = client.signed("tmc.stream", {"group_name": TMC_GROUP, "max_seconds": self.max_seconds}, session=False)
        timeout = httpx.Timeout(self.max_seconds + 10, connect=5)
        async with client._client().stream("GET", url, params=params, timeout=timeout) as response:
            if response.status_code != 200:
                await response.aread()
                raise PlatformError(PLATFORM, f"http_{response.status_code}", response.text[:200])
            async for line in response.aiter_lines():
                batch = _batch(line)
                if batch:
                    yield batch

    async def confirm(self, client: Any, shop: ShopKeys, confirm_ids: list[str]) -> None:
        if confirm_ids:
            await client.call(
                Method.TMC_CONFIRM, {"group_name": TMC_GROUP, "s_message_ids": ",".join(confirm_ids)}, session=False
            )


def _batch(line: str) -> list[StreamMessage]:
    if not line.strip():
        return []
    data = json.loads(line)
    rows = (data.get("tmc_messages") or {}).get("tmc_message") or []
    return [
        StreamMessage(
            kind=str(row.get("topic") or ""),
            body=json.dumps(row, ensure_ascii=False, separators=(",", ":")),
            dedup_key=str(row.get("id") or ""),
            shop_key=str(row.get("user_nick") or ""),
            confirm_id=str(row.get("id") or ""),
        )
        for row in rows
    ]


def parse_push(kind: str, body: str) -> ParsedPush:
    """One stored TMC message (the whole message, `content` a JSON string inside) → events."""
    message = json.loads(body)
    topic = str(message.get("topic") or kind)
    content = message.get("content") or {}
    if isinstance(content, str):
        content = json.loads(content)
    nick = str(content.get("seller_nick") or message.get("user_nick") or "")
    tid = str(content.get("tid") or "")
    if not tid:
        raise ValueError(f"TMC {topic} without tid")
    at = parse_time(message.get("pub_time"))
    source = f"tmc {topic}"
    if topic.startswith("taobao_refund_"):
        status = REFUND_TOPIC_STATUS.get(topic, "")
        if not status or not content.get("refund_id"):
            return ParsedPush([_ref(topic, nick, tid, at)], source)
        refund = PlatformRefund(
            platform=Platform.TAOBAO,
            platform_shop_id=nick,
            platform_refund_id=str(content["refund_id"]),
            platform_order_id=tid,
            kind=RefundKind.FULL,  # the message does not say; the refund query does
            status=REFUND_STATUS[status],
            amount_fen=None,
            raw_status_code=status,
            updated_at=parse_time(content.get("modified")) or at,
            raw=dict(content),
        )
        event = PlatformEvent(EventKind.REFUND, Platform.TAOBAO, nick, tid, topic, status, at, refund=refund)
        return ParsedPush([event], source)
    # TradeClose too: closed before payment and closed by a full refund differ only in the trade.
    return ParsedPush([_ref(topic, nick, tid, at, str(content.get("status") or ""))], source)


def _ref(topic: str, nick: str, tid: str, at, status: str = "") -> PlatformEvent:
    # Thin: only the id (and maybe a status), so the worker fetches the full trade.
    return PlatformEvent(EventKind.ORDER_REF, Platform.TAOBAO, nick, tid, topic, status, at)


STREAM = TaobaoTmc()
