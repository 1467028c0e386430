"""The daily prune_inbox task: loops over bounded batches until no old processed row is left."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.config import get_settings
from qihang_app.models import InboxMessage, utcnow
from qihang_app.services import inbox as inbox_service
from qihang_app.services.inbox import RawMessage
from workers.tasks.retention import prune_inbox


def add_rows(engine, status: str, *, days_ago: float, count: int) -> list[int]:
    with Session(engine) as session:
        ids = inbox_service.store_raw(
            session,
            [
                RawMessage(source="douyin_laike", kind="life_trade_order_notify", body="{}", status=status)
                for _ in range(count)
            ],
            now=utcnow() - timedelta(days=days_ago),
        )
        session.commit()
    return ids


@pytest.mark.parametrize(("old", "calls"), [(7, 3), (6, 3), (2, 1), (0, 1)])
async def test_prune_inbox_loops_until_a_short_batch(engine, monkeypatch, old, calls):
    days = get_settings().inbox_retention_days
    add_rows(engine, "processed", days_ago=days + 1, count=old)
    keep = [
        *add_rows(engine, "processed", days_ago=days - 1, count=2),
        *add_rows(engine, "failed", days_ago=days + 1, count=2),
        *add_rows(engine, "rejected", days_ago=days + 1, count=1),
    ]
    batches = []
    prune = inbox_service.prune_processed

    def counted(session, **kwargs):
        batches.append(prune(session, **kwargs))
        return batches[-1]

    monkeypatch.setattr(inbox_service, "prune_processed", counted)
    assert await prune_inbox({"engine": engine}, batch_size=3) == {"deleted": old}
    assert len(batches) == calls and all(n <= 3 for n in batches)
    with Session(engine) as session:
        assert set(session.execute(sa.select(InboxMessage.id)).scalars()) == set(keep)
