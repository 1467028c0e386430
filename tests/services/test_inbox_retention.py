"""Inbox retention: processed rows past the cutoff are deleted in bounded batches; failed,
rejected and unprocessed rows are evidence and stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from qihang_app.config import Settings
from qihang_app.models import InboxMessage, utcnow
from qihang_app.services import inbox as inbox_service
from qihang_app.services.inbox import RawMessage

NOW = utcnow()
CUTOFF = NOW - timedelta(days=30)


def add_rows(
    session, status: str, *, days_ago: float, count: int = 1, processed_days_ago: float | None = None
) -> list[int]:
    """`count` rows received `days_ago` with `status` (processed then too, unless told)."""
    ids = inbox_service.store_raw(
        session,
        [RawMessage(source="meituan", kind="order_paid", body="{}", status=status) for _ in range(count)],
        now=NOW - timedelta(days=days_ago),
    )
    if processed_days_ago is not None:
        session.execute(
            sa.update(InboxMessage)
            .where(InboxMessage.id.in_(ids))
            .values(processed_at=NOW - timedelta(days=processed_days_ago))
        )
    session.commit()
    return ids


def remaining(session) -> set[int]:
    return set(session.execute(sa.select(InboxMessage.id)).scalars())


def test_only_old_processed_rows_are_deleted(session):
    old_processed = add_rows(session, "processed", days_ago=40, count=3)
    keep = [
        *add_rows(session, "processed", days_ago=29, count=2),
        *add_rows(session, "failed", days_ago=40),
        *add_rows(session, "rejected", days_ago=40),
        *add_rows(session, "received", days_ago=40),  # never processed (its job was lost)
        # received long ago, replayed and processed yesterday: its retention starts again
        *add_rows(session, "processed", days_ago=40, processed_days_ago=1),
    ]
    deleted = inbox_service.prune_processed(session, older_than=CUTOFF)
    session.commit()
    assert deleted == len(old_processed)
    assert remaining(session) == set(keep)


def test_one_call_deletes_at_most_limit_rows(session):
    add_rows(session, "processed", days_ago=31, count=7)
    failed = add_rows(session, "failed", days_ago=31, count=2)
    counts = []
    for _ in range(4):
        counts.append(inbox_service.prune_processed(session, older_than=CUTOFF, limit=3))
        session.commit()
    assert counts == [3, 3, 1, 0]
    assert remaining(session) == set(failed)


def test_retention_setting_defaults_to_30_days_and_must_be_positive():
    assert Settings(_env_file=None).inbox_retention_days == 30
    assert Settings(_env_file=None, inbox_retention_days=7).inbox_retention_days == 7
    with pytest.raises(ValidationError):
        Settings(_env_file=None, inbox_retention_days=0)
