"""Ingest: inbox rows → parsed (adapters) → details fetched where pushes are thin → one
transaction through services.ingest.apply_batch → commit → live "order changed" messages.

`ingest_inbox(ids)` is enqueued by the webhooks (one job per group-committed batch).
`drain_inbox` (cron, every few seconds) processes `received` rows older than a few seconds: rows
whose job Redis lost, rows whose platform call failed, and rows replayed from 数据接收.
Both are safe to run twice and on several workers at once: rows are claimed inside the
transaction, and applying an event twice changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from integrations.base import Token
from qihang_app import metrics
from qihang_app.models import utcnow
from qihang_app.services import inbox as inbox_service
from qihang_app.services import ingest as ingest_service
from qihang_app.services import stores as store_service
from qihang_app.services.inbox import InboxRow
from qihang_app.services.ingest import IngestItem, IngestResult
from qihang_app.services.shop_auth import ShopAuth, shop_auth, webhook_shops
from workers import platforms
from workers.locks import RedisLock
from workers.publish import publish_changes

log = logging.getLogger("workers.ingest")

DRAIN_AGE = timedelta(seconds=3)  # younger rows belong to their own job
DRAIN_BATCH = 200
DRAIN_BUDGET = 25.0  # seconds per drain run
DRAIN_LOCK_MS = 10_000
APPLY_ATTEMPTS = 4
FETCH_CONCURRENCY = 16
BATCH_ROWS = 500  # inbox rows per coalesced batch
ACCUMULATE_ROWS = 100  # below this, a batch waits ACCUMULATE_SECONDS for more jobs to join
ACCUMULATE_SECONDS = 0.02
AUTH_TTL = 5.0  # seconds a worker reuses a shop's decrypted credentials


# -- context helpers --------------------------------------------------------------------------


def db_gate(ctx: dict[str, Any]) -> asyncio.Semaphore:
    """Bounds concurrent write transactions per worker (SQLite has one writer anyway)."""
    gate = ctx.get("db_gate")
    if gate is None:
        sqlite = ctx["engine"].dialect.name == "sqlite"
        gate = ctx["db_gate"] = asyncio.Semaphore(1 if sqlite else 3)
    return gate


async def run_db(ctx: dict[str, Any], fn, *args, **kwargs):
    """Run `fn(session, ...)` in a thread in its own transaction (committed on success)."""
    engine = ctx["engine"]

    def work():
        with Session(engine, expire_on_commit=False) as session:
            try:
                value = fn(session, *args, **kwargs)
                session.commit()
                return value
            except BaseException:
                session.rollback()
                raise

    return await asyncio.to_thread(work)


async def save_token(ctx: dict[str, Any], shop_id: int, token: Token) -> None:
    expires = datetime.fromtimestamp(token.expires_at, UTC)
    await run_db(
        ctx,
        lambda s: store_service.update_shop_credentials(
            s,
            shop_id=shop_id,
            changes={
                "access_token": token.value,
                "access_token_expires": token.expires_at,
                **({"refresh_token": token.refresh_token} if token.refresh_token else {}),
                **({"refresh_token_expires": token.refresh_expires_at} if token.refresh_expires_at else {}),
            },
            token_expires_at=expires,
            refresh_expires_at=datetime.fromtimestamp(token.refresh_expires_at, UTC)
            if token.refresh_expires_at
            else None,
        ),
    )


def client_for(ctx: dict[str, Any], auth: ShopAuth):
    """One API client per shop per worker, rebuilt when the shop's credentials change."""
    clients = ctx.setdefault("clients", {})
    fingerprint = platforms.credentials_fingerprint(auth)
    cached = clients.get(auth.id)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]

    async def on_token(shop_id: int, token: Token) -> None:
        await save_token(ctx, shop_id, token)

    client = platforms.build_client(auth, on_token=on_token, retry=ctx.get("retry_policy"))
    clients[auth.id] = (fingerprint, client)
    return client


def _cached_auth(session: Session, shop_id: int, cache: dict) -> ShopAuth | None:
    """A shop's credentials, decrypted at most every AUTH_TTL seconds per worker (ctx cache)."""
    hit = cache.get(shop_id)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    auth = shop_auth(session, shop_id=shop_id)
    cache[shop_id] = (time.monotonic() + AUTH_TTL, auth)
    return auth


def _shop_auths(session: Session, rows: list[InboxRow], cache: dict | None = None) -> dict[int, ShopAuth | None]:
    """ShopAuth per row id: by the stored shop, else by the shop key the route saw."""
    result: dict[int, ShopAuth | None] = {}
    by_id: dict[int, ShopAuth | None] = {}
    directory: dict[str, list[ShopAuth]] = {}
    for row in rows:
        auth = None
        if row.shop_id is not None:
            if not row.headers.get("verified", True):  # a replayed rejection: today's secret
                auth = shop_auth(session, shop_id=row.shop_id)
            else:
                if row.shop_id not in by_id:
                    by_id[row.shop_id] = _cached_auth(session, row.shop_id, {} if cache is None else cache)
                auth = by_id[row.shop_id]
        else:
            key = str(row.headers.get("shop_key") or "")
            if row.source not in directory:
                directory[row.source] = webhook_shops(session, platform=row.source)
            auth = next((s for s in directory[row.source] if key and s.platform_shop_id == key and s.enabled), None)
        result[row.id] = auth
    return result


@dataclass
class _Prepared:
    items: list[IngestItem]
    auth_by_shop: dict[int, ShopAuth]
    to_fetch: list[tuple[int, str]]
    wanted: dict[tuple[int, str], list[IngestItem]]
    received_at: list[datetime] = field(default_factory=list)  # of the rows, for the latency metric


def _prepare(engine, ids: list[int], auth_cache: dict | None = None) -> _Prepared:
    """In one thread: load the rows (short read), parse them (no transaction open: on SQLite
    any open transaction holds the write lock), and find which orders need their details."""
    with Session(engine) as session:
        rows = inbox_service.load_received(session, ids=ids)
        auths = _shop_auths(session, rows, auth_cache)
        session.commit()
    items = [platforms.parse_row(row, auths[row.id]) for row in rows]
    auth_by_shop = {a.id: a for a in auths.values() if a is not None}
    # Orders this batch refers to without carrying them: their details are fetched first.
    carried = {(i.shop_id, o.platform_order_id) for i in items for o in _carried(i)}
    wanted: dict[tuple[int, str], list[IngestItem]] = {}
    refs: set[tuple[int, str]] = set()
    for item in items:
        if item.error or item.rejected:
            continue
        for event in item.events:
            key = (item.shop_id, str(event.platform_order_id))
            if event.needs_detail:
                refs.add(key)
            if event.needs_detail or key not in carried:
                wanted.setdefault(key, []).append(item)
    others = [k for k in wanted if k not in refs]
    missing: set[tuple[int, str]] = set()
    if others:
        with Session(engine) as session:
            missing = ingest_service.missing_orders(session, keys=others)
            session.commit()
    return _Prepared(items, auth_by_shop, sorted(refs | missing), wanted, [row.received_at for row in rows])


# -- processing -------------------------------------------------------------------------------


async def process_rows(ctx: dict[str, Any], ids: list[int]) -> IngestResult:
    prepared = await asyncio.to_thread(_prepare, ctx["engine"], list(ids), ctx.setdefault("auth_cache", {}))
    if not prepared.items:
        return IngestResult()
    items = prepared.items
    if prepared.to_fetch:
        details = await _fetch_details(ctx, prepared.to_fetch, prepared.auth_by_shop, prepared.wanted)
        items = details + items
    result = await apply_items(ctx, items)
    committed = utcnow()
    await publish_changes(ctx.get("redis"), result.changes)
    await metrics.observe_ingest_latency(
        ctx.get("redis"), [(committed - at).total_seconds() for at in prepared.received_at]
    )
    ctx["jobs_done"] = ctx.get("jobs_done", 0) + 1
    return result


class _Coalescer:
    """Ingest jobs that run at the same time in one worker share one batch: one parse pass, one
    transaction, one publish. Under load, many small jobs become a few large batches."""

    def __init__(self) -> None:
        self.waiting: list[tuple[list[int], asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    async def run(self, ctx: dict[str, Any], ids: list[int]) -> IngestResult:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((ids, future))
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._consume(ctx))
        return await future

    async def _consume(self, ctx: dict[str, Any]) -> None:
        while self.waiting:
            # Let jobs started meanwhile join: a batch of 100 rows costs far less per row than
            # ten batches of ten (one parse pass, one transaction, one publish).
            if sum(len(ids) for ids, _ in self.waiting) < ACCUMULATE_ROWS:
                await asyncio.sleep(ACCUMULATE_SECONDS)
            batch: list[tuple[list[int], asyncio.Future]] = []
            size = 0
            while self.waiting and (not batch or size + len(self.waiting[0][0]) <= BATCH_ROWS):
                ids, future = self.waiting.pop(0)
                batch.append((ids, future))
                size += len(ids)
            try:
                result = await process_rows(ctx, sorted({i for ids, _ in batch for i in ids}))
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for _, future in batch:
                if not future.done():
                    future.set_result(result)


def _carried(item: IngestItem):
    yield from item.orders
    for event in item.events:
        if event.order is not None and event.order.is_complete:
            yield event.order


async def _fetch_details(ctx, keys, auth_by_shop, wanted) -> list[IngestItem]:
    async def one(key):
        auth = auth_by_shop[key[0]]
        raw, _ = await platforms.fetch_order(client_for(ctx, auth), auth, key[1])
        return raw

    results = await platforms.gather_limited([one(k) for k in keys], FETCH_CONCURRENCY)
    details = []
    for key, outcome in zip(keys, results):
        auth = auth_by_shop[key[0]]
        if isinstance(outcome, BaseException):
            text = platforms.technical_error(outcome)
            for item in wanted[key]:  # keep the push waiting; drain retries it later
                if not item.retry:
                    item.retry = f"order detail {key[1]} unavailable: {text}"[:500]
            continue
        details.append(platforms.pulled_item(auth, outcome, kind="detail", source="detail"))
    return details


async def apply_items(ctx: dict[str, Any], items: list[IngestItem]) -> IngestResult:
    """apply_batch in one transaction; retried on conflicts between concurrent workers, and
    finally row by row so one bad row cannot block the others."""
    async with db_gate(ctx):
        for attempt in range(1, APPLY_ATTEMPTS + 1):
            try:
                return await run_db(ctx, lambda s: ingest_service.apply_batch(s, items=items))
            except (sa.exc.IntegrityError, sa.exc.OperationalError) as exc:
                # Two workers inserted the same new order, a deadlock, or SQLite busy: again.
                log.info(
                    "ingest batch conflict (attempt %s): %s", attempt, type(exc.orig).__name__ if exc.orig else exc
                )
                await asyncio.sleep(0.05 * attempt)
            except Exception:
                log.exception("ingest batch failed; applying its rows one by one")
                break
        total = IngestResult()
        for item in items:
            try:
                one = await run_db(ctx, lambda s, i=item: ingest_service.apply_batch(s, items=[i]))
            except sa.exc.OperationalError:
                raise  # the database is unreachable: the rows stay received for later
            except Exception as exc:
                if item.inbox_id is None and item.raw is not None:
                    continue  # a pulled order: the next sweep fetches it again
                reason = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
                error = f"could not apply: {type(reason).__name__}: {reason}"
                bad = IngestItem(
                    inbox_id=item.inbox_id, shop_id=item.shop_id, error=error[:2000], raw=item.raw, source=item.source
                )
                one = await run_db(ctx, lambda s, b=bad: ingest_service.apply_batch(s, items=[b]))
            total.changes += one.changes
            total.after_sales += one.after_sales
            total.processed += one.processed
            total.failed += one.failed
            total.rejected += one.rejected
            total.retried += one.retried
            total.skipped += one.skipped
        return total


# -- arq entry points -------------------------------------------------------------------------


async def ingest_inbox(ctx: dict[str, Any], inbox_ids: list[int]) -> dict:
    coalescer = ctx.get("ingest_coalescer")
    if coalescer is None:
        coalescer = ctx["ingest_coalescer"] = _Coalescer()
    result = await coalescer.run(ctx, list(inbox_ids))
    return _summary(result)


async def drain_inbox(ctx: dict[str, Any]) -> dict:
    """Process received rows that waited longer than DRAIN_AGE (one drain at a time)."""
    # A short TTL, extended after each batch: a worker killed mid-drain blocks others briefly.
    lock = RedisLock(ctx["redis"], "drain_inbox", ttl_ms=DRAIN_LOCK_MS)
    if not await lock.acquire():
        return {"skipped": "another drain is running"}
    total = IngestResult()
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + DRAIN_BUDGET
        while time.monotonic() < deadline:
            ids = await run_db(
                ctx, lambda s: inbox_service.pending_ids(s, older_than=utcnow() - DRAIN_AGE, limit=DRAIN_BATCH * 4)
            )
            ids = [i for i in ids if i not in seen][:DRAIN_BATCH]
            if not ids:
                break
            seen.update(ids)
            result = await process_rows(ctx, ids)
            total.processed += result.processed
            total.failed += result.failed
            total.rejected += result.rejected
            total.retried += result.retried
            await lock.extend()
    finally:
        await lock.release()
    return _summary(total)


def _summary(result: IngestResult) -> dict:
    return {
        "processed": result.processed,
        "failed": result.failed,
        "rejected": result.rejected,
        "retried": result.retried,
        "skipped": result.skipped,
        "changed": len(result.changes),
    }
