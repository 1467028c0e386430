"""Live updates: after a commit, tell every board of the store that an order changed.

Channel `orders:store:<store_id>`, message JSON {order_id, store_id, status, kind: new|changed}.
Redis is not the source of truth: a lost message only delays a board until its next refresh.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from qihang_app.services.ingest import OrderChange

log = logging.getLogger("workers.publish")

CHANNEL = "orders:store:{store_id}"


def channel_for(store_id: int) -> str:
    return CHANNEL.format(store_id=store_id)


def message(change: OrderChange) -> str:
    return json.dumps(
        {"order_id": change.order_id, "store_id": change.store_id, "status": change.status, "kind": change.kind},
        separators=(",", ":"),
    )


async def publish_changes(redis, changes: Sequence[OrderChange]) -> int:
    """Publish after commit; returns how many messages went out (0 when Redis is down)."""
    if not changes or redis is None:
        return 0
    latest: dict[int, OrderChange] = {}
    for change in changes:  # one message per order: the last state, "new" if it was created
        previous = latest.get(change.order_id)
        if previous is not None and previous.kind == "new":
            change = OrderChange(change.order_id, change.store_id, change.status, "new")
        latest[change.order_id] = change
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for change in latest.values():
                pipe.publish(channel_for(change.store_id), message(change))
            await pipe.execute()
    except Exception as exc:
        log.warning("live update publish failed: %s", type(exc).__name__)
        return 0
    return len(latest)
