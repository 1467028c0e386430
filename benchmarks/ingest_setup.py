"""The ingest benchmark's set-up: Meituan shops and their signed paid-order pushes (the sandbox's
own wire code), the database under test (a SQLite file or a throwaway PostgreSQL database), its
schema, shops and ERP SKUs, and the raw batched-INSERT limit of the same rows."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from benchmarks.ingest_load import http_request

PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SHOPS = 4


def make_shops():
    from integrations.meituan.spec import PLATFORM as MEITUAN
    from integrations.sandbox.generator import Generator
    from integrations.sandbox.lifecycle import Lifecycle
    from integrations.sandbox.store import Shop, Store

    class Silent:
        def notify(self, *args, **kwargs) -> None:
            pass

    store = Store()
    generator = Generator(store, Lifecycle(store, Silent()), seed=42)
    generator.ratios.scheduled = 0.0
    shops = []
    for index in range(SHOPS):
        shop = Shop(
            platform=MEITUAN,
            shop_id=f"BENCH-{index + 1:02d}",
            name=f"压测店{index + 1}",
            app_id="9001",
            secret="bench-meituan-secret",
            lat=31.23,
            lng=121.47,
            double_encode=True,
        )
        store.add_shop(shop)
        generator.seed_catalog(shop, 30)
        shops.append(shop)
    return store, generator, shops


def render_pushes(generator, shops, count: int, host: str, port: int) -> tuple[list[bytes], list[str]]:
    from integrations.meituan import twin_wire as meituan_wire
    from integrations.meituan.spec import PushType

    path = "/api/webhooks/meituan/" + PushType.PAID.value
    url = f"http://{host}:{port}{path}"
    now = time.time()
    requests, order_ids = [], []
    for index in range(count):
        shop = shops[index % len(shops)]
        order = generator.create_order(shop, push=False, delivery_type="platform")
        body = meituan_wire.encode_push(url, meituan_wire.order_fields(order, shop), shop, now)
        requests.append(http_request(host, port, path, body))
        order_ids.append(order.order_id)
    return requests, order_ids


class Database:
    def __init__(self, kind: str, work: Path) -> None:
        self.kind = kind
        self.work = work
        self._pg_name = None
        if kind == "sqlite":
            self.url = f"sqlite:///{work / 'bench.db'}"
        else:
            import sqlalchemy as sa

            self._pg_name = f"qihang_bench_{secrets.token_hex(4)}"
            self._server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
            with self._server.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{self._pg_name}"'))
            self.url = PG_SERVER.rsplit("/", 1)[0] + "/" + self._pg_name

    def drop(self) -> None:
        if self._pg_name:
            import sqlalchemy as sa

            with self._server.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)'))
            self._server.dispose()


def setup_schema(db: Database, shops) -> tuple[object, list[int], int]:
    from sqlmodel import Session

    from qihang_app.db import make_engine, upgrade_db
    from qihang_app.models import ErpSku, PullLog, User
    from qihang_app.services import stores
    from qihang_app.services.auth import actor_for_user

    upgrade_db(db.url)
    engine = make_engine(db.url)
    with Session(engine) as session:
        user = User(username="bench", password_hash="x", role="admin")
        session.add(user)
        session.flush()
        admin = actor_for_user(session, user)
        store_id = stores.create_store(session, actor=admin, name="压测门店").id
        shop_ids = []
        codes = set()
        for shop in shops:
            view = stores.create_shop(
                session,
                actor=admin,
                store_id=store_id,
                platform="meituan",
                platform_shop_id=shop.shop_id,
                name=shop.name,
                sweep_interval_seconds=86_400,
                credentials={"app_key": shop.app_id, "app_secret": shop.secret},
            )
            shop_ids.append(view.id)
            # counts as swept just now: no sweep (and no call to the real platform) during the run
            session.add(PullLog(shop_id=view.id, kind="sweep", status="ok"))
            for product in shop.products:
                if product.outer_code not in codes:
                    codes.add(product.outer_code)
                    session.add(ErpSku(code=product.outer_code, name=product.name, barcode=product.barcode))
        session.commit()
    return engine, shop_ids, store_id


def reset_inbox(engine) -> None:
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM inbox_messages"))


def raw_insert_limit(engine, shop_id: int, store_id: int, count: int) -> float:
    """Equivalent rows (inbox + order + lines + event), executemany batches, one connection,
    ids allocated the way ingest does it; no parsing, no logic: what the database can take."""
    from sqlmodel import Session

    from qihang_app.models import InboxMessage, Order, OrderEvent, OrderLine, utcnow
    from qihang_app.services.inbox import insert_returning_ids

    def session_for(conn):  # the same id allocation the ingest uses (sequence / RETURNING)
        return Session(bind=conn)

    inbox, orders, lines, events = (InboxMessage.__table__, Order.__table__, OrderLine.__table__, OrderEvent.__table__)
    body = "x" * 2400  # a paid-order push is about this long
    now = utcnow()
    batch = 500
    started = time.perf_counter()
    with engine.connect() as conn:
        for start in range(0, count, batch):
            n = min(batch, count - start)
            with conn.begin():
                conn.execute(
                    inbox.insert(),
                    [
                        {
                            "source": "meituan",
                            "shop_id": shop_id,
                            "kind": "order_paid",
                            "headers": "{}",
                            "body": body,
                            "received_at": now,
                            "status": "processed",
                            "attempts": 0,
                            "dedup_key": None,
                            "processed_at": now,
                        }
                        for _ in range(n)
                    ],
                )
                ids = insert_returning_ids(
                    session_for(conn),
                    orders,
                    [
                        {
                            "platform": "meituan",
                            "shop_id": shop_id,
                            "store_id": store_id,
                            "platform_order_id": f"RAW{start + i}-{secrets.token_hex(3)}",
                            "display_no": "x",
                            "status": "awaiting_accept",
                            "receiver_name": "张三",
                            "receiver_phone": "13800000000",
                            "receiver_phone_tail": "0000",
                            "receiver_address": "上海市",
                            "paid_fen": 1000,
                            "placed_at": now,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i in range(n)
                    ],
                )
                conn.execute(
                    lines.insert(),
                    [
                        {
                            "order_id": order_id,
                            "line_no": no,
                            "platform_sku_id": "SKU00001",
                            "name": "农夫山泉",
                            "quantity": 1,
                            "unit_price_fen": 200,
                            "paid_fen": 200,
                        }
                        for order_id in ids
                        for no in (1, 2, 3)
                    ],
                )
                conn.execute(
                    events.insert(),
                    [
                        {
                            "order_id": order_id,
                            "at": now,
                            "actor": "platform:meituan",
                            "kind": "created",
                            "to_status": "awaiting_accept",
                            "note": "",
                        }
                        for order_id in ids
                    ],
                )
    return count / (time.perf_counter() - started)
