"""卖家备注 + 旗帜: the seller's memo and flag colour on an order, written back to the platform.

Only platforms declaring `WriteBack.MEMO` offer it; the flag is one of the platform's own
(`PlatformProfile.memo_flags`). The memo is kept on the order (ingest never overwrites it) and
reaches the platform through the outbox, like every other write-back.
"""

from __future__ import annotations

import json

from sqlmodel import Session, select

from qihang_app.domain import partners
from qihang_app.domain.partners import WriteBack
from qihang_app.models import Order, OrderEvent, OutboxMessage, utcnow

from . import audit
from .errors import NotFoundError, ValidationError
from .scope import Actor, require_permission, require_store

MEMO_LIMIT = 500  # ours; a platform with a shorter limit cuts in its adapter


def memo_options(code: str) -> tuple[bool, dict[str, tuple[str, str]]]:
    """(the platform takes a memo, its flags code → (中文, English))."""
    found = partners.profile(code)
    if found is None or not found.supports(WriteBack.MEMO):
        return False, {}
    return True, dict(found.memo_flags)


def set_memo(session: Session, *, actor: Actor, order_id: int, memo: str, flag: str = "") -> bool:
    """Store the memo and flag and queue the write-back. False when nothing changed."""
    require_permission(actor, "order.memo")
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    require_store(actor, order.store_id)
    takes_memo, flags = memo_options(order.platform)
    if not takes_memo:
        raise ValidationError(key="memo.err.unsupported", field="memo")
    memo, flag = str(memo or "").strip(), str(flag or "").strip()
    if len(memo) > MEMO_LIMIT:
        raise ValidationError(key="memo.err.too_long", field="memo", limit=MEMO_LIMIT)
    if flag and flag not in flags:
        raise ValidationError(key="memo.err.bad_flag", field="flag")
    before = {"memo": order.seller_memo or "", "flag": order.seller_flag or ""}
    after = {"memo": memo, "flag": flag}
    if before == after:
        return False
    order.seller_memo, order.seller_flag = memo, flag
    session.add(order)
    event = OrderEvent(order_id=order.id, actor=actor.ref, kind="seller_memo", note=memo[:200])
    session.add(event)
    session.flush()  # the event's id keys this write-back: each change is sent once
    payload = {"action": WriteBack.MEMO.value, "platform_order_id": order.platform_order_id, **after}
    session.add(
        OutboxMessage(
            kind="platform_memo",
            target=order.platform,
            shop_id=order.shop_id,
            order_id=order.id,
            payload=json.dumps(payload, ensure_ascii=False),
            idempotency_key=f"memo:{order.id}:{event.id}",
            next_attempt_at=utcnow(),
        )
    )
    audit.record(
        session, actor, "order.memo", audit.Target("order", order.id, order.store_id), before=before, after=after
    )
    return True
