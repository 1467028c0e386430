"""Database and Redis calls of event handlers run in a worker thread, never on the event loop:
one blocking call there stalls every open tab (and every live board) of this backend process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from qihang_app import live
from qihang_app.db import read_scope, session_scope

T = TypeVar("T")


async def in_session(work: Callable[[Session], T]) -> T:
    """work(session) in a thread, in one transaction (committed on success, rolled back on error)."""

    def run() -> T:
        with session_scope() as session:
            return work(session)

    return await asyncio.to_thread(run)


async def in_read_session(work: Callable[[Session], T]) -> T:
    """work(session) in a thread, read-only: on SQLite it takes no write lock, so a long read
    (a report over a year) never holds up the workers' writes."""

    def run() -> T:
        with read_scope() as session:
            return work(session)

    return await asyncio.to_thread(run)


async def publish(store_id: int, payload: str) -> None:
    """A live note for the boards of this store (best effort, see qihang_app.live)."""
    await asyncio.to_thread(live.publish_sync, store_id, payload)
