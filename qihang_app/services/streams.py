"""Messages from a platform's long-lived message service (profile `streams`), stored in the inbox
exactly like webhook pushes (raw first; the ingest worker parses them with `parse_push`).

A message is stored once: the platform re-delivers whatever was not confirmed, so a batch stored
and then interrupted before its confirm comes again, and `store_batch` skips every message whose
`dedup_key` the inbox already holds for that platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.domain import partners
from qihang_app.models import InboxMessage, Shop

from .inbox import RawMessage, store_raw

CHUNK = 500  # bounded IN lists


@dataclass(frozen=True)
class Incoming:
    """A stream message as the worker hands it over (platform-neutral)."""

    kind: str
    body: str
    dedup_key: str
    shop_key: str = ""  # the platform's shop id the message is for ("" = the consuming shop)


def streaming_platforms() -> list[str]:
    return [p.code for p in partners.profiles() if p.streams]


def streaming_shops(session: Session) -> list[int]:
    """Enabled shops of streaming platforms with credentials and no pending re-authorization."""
    platforms = streaming_platforms()
    if not platforms:
        return []
    return list(
        session.execute(
            sa.select(Shop.id)
            .where(
                Shop.enabled,
                Shop.platform.in_(platforms),
                Shop.credentials_encrypted != "",
                Shop.reauth_reason.is_(None),
            )
            .order_by(Shop.id)
        ).scalars()
    )


def _known(session: Session, platform: str, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        found.update(
            session.execute(
                sa.select(InboxMessage.dedup_key).where(
                    InboxMessage.source == platform, InboxMessage.dedup_key.in_(keys[i : i + CHUNK])
                )
            ).scalars()
        )
    return found


def store_batch(session: Session, *, shop_id: int, messages: Sequence[Incoming]) -> list[int]:
    """Store the batch's new messages (caller commits, then confirms them all); their inbox ids
    with status `received`. A message for another shop of the platform goes to that shop; one for
    a shop the OMS does not know is kept `rejected` (like an unknown shop's push)."""
    shop = session.get(Shop, shop_id)
    if shop is None or not messages:
        return []
    keys = [m.dedup_key for m in messages if m.dedup_key]
    seen = _known(session, shop.platform, keys)
    others = {m.shop_key for m in messages if m.shop_key and m.shop_key != shop.platform_shop_id}
    owners = {shop.platform_shop_id: shop.id}
    if others:
        rows = session.execute(
            sa.select(Shop.platform_shop_id, Shop.id).where(
                Shop.platform == shop.platform, Shop.platform_shop_id.in_(sorted(others))
            )
        )
        owners.update({key: owner for key, owner in rows})  # noqa: C416  (a Result is no mapping)
    rows: list[RawMessage] = []
    for message in messages:
        if message.dedup_key and message.dedup_key in seen:
            continue
        if message.dedup_key:
            seen.add(message.dedup_key)  # the same message twice in one batch
        owner = owners.get(message.shop_key or shop.platform_shop_id)
        rows.append(
            RawMessage(
                source=shop.platform,
                kind=message.kind,
                body=message.body,
                shop_id=owner,
                headers={"via": "stream", "verified": owner is not None},
                status="received" if owner is not None else "rejected",
                error=None if owner is not None else f"unknown shop {message.shop_key}",
                dedup_key=message.dedup_key or None,
            )
        )
    ids = store_raw(session, rows)
    return [i for i, row in zip(ids, rows) if row.status == "received"]
