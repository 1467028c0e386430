"""The 数据接收 page: failed and rejected inbox rows, listed in the actor's scope and replayed.

Replaying a row only sets it back to `received`; the `drain_inbox` cron does the rest (see
`inbox`), so the page never needs the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.models import InboxMessage, Shop, Store

from . import audit
from .errors import ValidationError
from .scope import Actor, ScopeError, require_permission

PREVIEW_CHARS = 160
MAX_PAGE_SIZE = 100
PROBLEM_STATUSES = ("failed", "rejected")

_inbox = InboxMessage.__table__


@dataclass(frozen=True)
class InboxProblem:
    """A failed or rejected row for the 数据接收 page (no secrets; body shortened)."""

    id: int
    source: str
    kind: str
    shop_id: int | None
    shop_name: str
    store_name: str
    received_at: datetime
    status: str
    error: str
    attempts: int
    preview: str


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxProblem]
    total: int
    page: int
    page_size: int
    counts: dict[str, int]  # status -> rows in the actor's scope

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _manager(actor: Actor, permission: str = "page.inbox") -> None:
    require_permission(actor, permission)


def _scope(actor: Actor) -> sa.ColumnElement[bool]:
    """Rows of the actor's stores; rows without a shop (unknown shop) are for admins only."""
    if actor.all_stores:
        return sa.true()
    return Shop.store_id.in_(sorted(actor.store_ids))


def list_problems(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    source: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> InboxPage:
    """Failed and rejected rows, newest first, in the actor's scope. Admins and managers."""
    _manager(actor)
    if status and status not in PROBLEM_STATUSES:
        raise ValidationError(key="inbox.err.bad_status", status=status)
    statuses = [status] if status else list(PROBLEM_STATUSES)
    base = (
        sa.select(_inbox.c.id)
        .select_from(_inbox.outerjoin(Shop.__table__, Shop.id == _inbox.c.shop_id))
        .where(_scope(actor))
    )
    where = [_inbox.c.status.in_(statuses)]
    if source:
        where.append(_inbox.c.source == source)
    total = session.execute(sa.select(sa.func.count()).select_from(base.where(*where).subquery())).scalar_one()
    counts = dict(
        session.execute(
            sa.select(_inbox.c.status, sa.func.count())
            .select_from(_inbox.outerjoin(Shop.__table__, Shop.id == _inbox.c.shop_id))
            .where(_scope(actor), _inbox.c.status.in_(("received", *PROBLEM_STATUSES)))
            .group_by(_inbox.c.status)
        ).all()
    )
    page = max(1, page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    body_head = sa.func.substr(_inbox.c.body, 1, PREVIEW_CHARS * 2)
    query = (
        sa.select(
            _inbox.c.id,
            _inbox.c.source,
            _inbox.c.kind,
            _inbox.c.shop_id,
            Shop.name.label("shop_name"),
            Store.name.label("store_name"),
            _inbox.c.received_at,
            _inbox.c.status,
            _inbox.c.error,
            _inbox.c.attempts,
            body_head.label("head"),
        )
        .select_from(
            _inbox.outerjoin(Shop.__table__, Shop.id == _inbox.c.shop_id).outerjoin(
                Store.__table__, Store.id == Shop.store_id
            )
        )
        .where(_scope(actor), *where)
        .order_by(_inbox.c.received_at.desc(), _inbox.c.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = [
        InboxProblem(
            id=r.id,
            source=r.source,
            kind=r.kind,
            shop_id=r.shop_id,
            shop_name=r.shop_name or "",
            store_name=r.store_name or "",
            received_at=r.received_at,
            status=r.status,
            error=r.error or "",
            attempts=r.attempts,
            preview=_preview(r.head or ""),
        )
        for r in session.execute(query)
    ]
    return InboxPage(
        rows=rows, total=total, page=page, page_size=page_size, counts={k: int(v) for k, v in counts.items()}
    )


def replay_inbox(
    session: Session,
    *,
    actor: Actor,
    inbox_ids: Sequence[int] | None = None,
    all: bool = False,  # noqa: A002  (the use case's own word)
    status: str | None = None,
) -> int:
    """Put failed/rejected rows back to `received`; the `drain_inbox` cron processes them within
    seconds (rejected rows are verified again with the shop's current credentials).

    Either `inbox_ids` or `all=True` (every problem row in scope, optionally of one `status`).
    Rows outside the actor's stores are refused, not silently skipped. Returns the row count.
    """
    _manager(actor, "inbox.replay")
    if not all and not inbox_ids:
        raise ValidationError(key="inbox.err.nothing_chosen")
    statuses = [status] if status else list(PROBLEM_STATUSES)
    joined = _inbox.outerjoin(Shop.__table__, Shop.id == _inbox.c.shop_id)
    query = sa.select(_inbox.c.id, Shop.store_id).select_from(joined).where(_inbox.c.status.in_(statuses))
    if not all:
        wanted = sorted({int(i) for i in inbox_ids or ()})
        query = query.where(_inbox.c.id.in_(wanted))
    else:
        query = query.where(_scope(actor))
    found = session.execute(query).all()
    if not all:
        for _id, store_id in found:
            if not actor.all_stores and (store_id is None or store_id not in actor.store_ids):
                raise ScopeError(f"无权重放记录 {_id}", f"no access to inbox row {_id}")
    ids = [row[0] for row in found]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(
            _inbox.update()
            .where(_inbox.c.id.in_(chunk), _inbox.c.status.in_(PROBLEM_STATUSES))
            .values(status="received", attempts=0, processed_at=None)
        )
    session.flush()
    if ids:
        scope = {store_id for _id, store_id in found}
        store_id = next(iter(scope)) if len(scope) == 1 else None
        audit.record(
            session, actor, "inbox.replay", audit.Target("inbox", ids[0] if len(ids) == 1 else "", store_id),
            after={"rows": len(ids), "ids": ids[:50], "status": status or "", "all": all},
        )  # fmt: skip
    return len(ids)


def _preview(head: str) -> str:
    text = " ".join(head.split())
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
