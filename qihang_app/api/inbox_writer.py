"""Group commit for webhook payloads: many concurrent requests, one INSERT and one COMMIT.

Each request hands its RawMessage to `InboxWriter.write` and awaits the inbox id. One writer
thread takes everything queued (up to `max_batch`), inserts it with one statement in one
transaction, commits, and only then resolves the waiting requests — so every ack still follows a
durable write of its own payload, while the database sees one commit per batch instead of one per
request. While the writer commits, new requests queue up: the busier it gets, the larger (and
cheaper per row) the batches.

After each commit `on_commit(ids of received rows)` runs on the requests' event loop (the
webhooks enqueue the ingest job there).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session

from qihang_app.services.inbox import RawMessage, store_raw

log = logging.getLogger("qihang_app.api.inbox_writer")

_STOP = object()
GATHER_SECONDS = 0.001  # under load, wait this long for more requests before committing
BUSY_WINDOW = 0.01  # "under load": the previous batch had several rows and ended this recently


class InboxWriter:
    def __init__(
        self,
        engine: Engine | Callable[[], Engine],
        *,
        max_batch: int = 500,
        on_commit: Callable[[list[int]], None] | None = None,
    ) -> None:
        self._engine = engine
        self.max_batch = max_batch
        self.on_commit = on_commit
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._running = False
        self._conn = None
        self.batches = 0
        self.rows = 0

    @property
    def engine(self) -> Engine:
        return self._engine if isinstance(self._engine, Engine) else self._engine()

    async def write(self, message: RawMessage) -> int:
        """Store one payload durably; returns its inbox id (raises if the database failed)."""
        self._ensure_thread()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put((message, future, loop))
        return await future

    def _ensure_thread(self) -> None:
        if self._running:  # cheap check on the hot path; the thread only ends on close()
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._running = True
                self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)
                self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)
        self._running = False

    # -- the writer thread --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._running = False
            self._reset_connection()

    def _loop(self) -> None:
        busy_until = 0.0
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stop = self._drain(batch)
            if not stop and len(batch) < self.max_batch // 4 and time.monotonic() < busy_until:
                # Requests are streaming in: a moment's wait fills the batch, and one commit for
                # many rows costs much less than many small ones (the ack waits ~1 ms more).
                time.sleep(GATHER_SECONDS)
                stop = self._drain(batch)
            self._write(batch)
            busy_until = time.monotonic() + BUSY_WINDOW if len(batch) > 1 else 0.0
            if stop:
                return

    def _drain(self, batch: list) -> bool:
        """Move what is queued into `batch` (up to max_batch); True when asked to stop."""
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return False
            if item is _STOP:
                return True
            batch.append(item)
        return False

    def _write(self, batch: list) -> None:
        try:
            # One connection kept by the writer thread: no pool checkout (and no pre-ping
            # round trip on PostgreSQL) per batch.
            if self._conn is None:
                self._conn = self.engine.connect()
            with Session(bind=self._conn) as session:
                ids = store_raw(session, [message for message, _, _ in batch])
                session.commit()
        except Exception as exc:  # every request of the batch gets the error (HTTP 503)
            log.exception("inbox write of %d payloads failed", len(batch))
            self._reset_connection()
            self._resolve(batch, None, exc)
            return
        self.batches += 1
        self.rows += len(batch)
        self._resolve(batch, ids, None)

    def _reset_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:
                pass

    def _resolve(self, batch: list, ids: Sequence[int] | None, error: BaseException | None) -> None:
        per_loop: dict[asyncio.AbstractEventLoop, list] = defaultdict(list)
        for index, (message, future, loop) in enumerate(batch):
            per_loop[loop].append((message, future, None if ids is None else ids[index]))
        for loop, entries in per_loop.items():
            try:
                loop.call_soon_threadsafe(self._deliver, entries, error)
            except RuntimeError:  # that loop is closed: nobody waits any more
                pass

    def _deliver(self, entries: list, error: BaseException | None) -> None:
        received = []
        for message, future, inbox_id in entries:
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(inbox_id)
                if message.status == "received":
                    received.append(inbox_id)
        if received and self.on_commit is not None:
            try:
                self.on_commit(received)
            except Exception:
                log.exception("on_commit failed")
