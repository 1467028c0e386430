"""The board benchmark's database side: the live orders it starts with, the raw board SQL (a raw
limit), load_board() itself, and the one-order change a worker would make (a "nudge")."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta


class DataMixin:
    """Needs `self.detail`, `self.engine` (the app's engine settings) and `self.redis_url`."""

    def prefill(self, engine, count: int) -> tuple[int, int]:
        """`count` live orders of the Meituan demo store, inserted in one transaction."""
        from sqlmodel import Session, select

        from integrations.sandbox.app import DEMO_SHOPS
        from integrations.sandbox.fake_data import CATALOG
        from qihang_app.domain.order_status import OrderStatus
        from qihang_app.models import Order, OrderLine, Shop, Store

        spec = next(s for s in DEMO_SHOPS if s["platform"] == "meituan")
        rng = random.Random(11)
        now = datetime.now(UTC)
        with Session(engine) as session:
            shop = session.exec(
                select(Shop).where(Shop.platform == "meituan", Shop.platform_shop_id == spec["shop_id"])
            ).one()
            store = session.get(Store, shop.store_id)
            orders = []
            for i in range(count):
                roll = rng.random()
                status = OrderStatus.SHIPPED.value if roll < 0.3 else OrderStatus.TO_SHIP.value
                placed = now - timedelta(minutes=rng.uniform(2, 50))
                accepted = placed + timedelta(seconds=rng.uniform(10, 90))
                order = Order(
                    platform="meituan",
                    shop_id=shop.id,
                    store_id=store.id,
                    platform_order_id=f"9{i:05d}{rng.randrange(10**12):012d}",
                    display_no=f"BENCH{i:05d}",
                    day_seq=i + 1,
                    status=status,
                    buyer_memo=rng.choice(["", "", "不要辣", "放门口", "多给两双筷子"]),
                    receiver_name=rng.choice(["王女士", "李先生", "张先生", "刘女士", "陈先生"]),
                    receiver_phone=f"1{rng.randrange(10**10):010d}_{rng.randrange(10**4):04d}",
                    receiver_address=f"上海市静安区南京西路 {rng.randint(1, 2000)} 号 {rng.randint(1, 30)} 楼",
                    receiver_lat=spec["lat"] + rng.uniform(-0.02, 0.02),
                    receiver_lng=spec["lng"] + rng.uniform(-0.02, 0.02),
                    delivery_type=rng.choice(["platform", "platform", "platform", "self"]),
                    expected_delivery_at=now + timedelta(minutes=rng.uniform(20, 120)),
                    accept_deadline_at=placed + timedelta(minutes=5),
                    goods_fen=0,
                    paid_fen=0,
                    placed_at=placed,
                    paid_at=placed,
                    accepted_at=accepted,
                    ready_at=(accepted + timedelta(minutes=3))
                    if status == OrderStatus.TO_SHIP.value and roll > 0.6
                    else None,
                    shipped_at=(accepted + timedelta(minutes=5)) if status == OrderStatus.SHIPPED.value else None,
                    rider_name=("赵师傅" if status == OrderStatus.SHIPPED.value else None),
                    rider_phone=("138****0000" if status == OrderStatus.SHIPPED.value else None),
                )
                lines = []
                for n, (name, spec_text, price, _unit, _box) in enumerate(
                    rng.sample(CATALOG, rng.randint(1, 4)), start=1
                ):
                    qty = rng.choice([1, 1, 1, 2, 3])
                    lines.append(
                        OrderLine(
                            line_no=n,
                            name=name,
                            spec=spec_text,
                            quantity=qty,
                            unit_price_fen=price,
                            paid_fen=price * qty,
                            outer_sku_code=f"SKU{n:05d}",
                        )
                    )
                order.goods_fen = order.paid_fen = sum(line.paid_fen for line in lines)
                orders.append((order, lines))
            session.add_all([o for o, _ in orders])
            session.flush()
            for order, lines in orders:
                for line in lines:
                    line.order_id = order.id
                session.add_all(lines)
            session.commit()
            return store.id, shop.id

    def raw_board_query(self, reader, store_id: int, reps: int) -> list[float]:
        """The board's SQL (same filter, joins and order; then the lines of up to 60 cards per
        tab) through the bare driver: no ORM objects, no cards, no state."""
        import sqlalchemy as sa

        from qihang_app.models import Order, OrderLine, Shop, Store
        from qihang_app.services.board import ACTIVE, ENDED, shanghai_midnight_utc

        since = shanghai_midnight_utc(datetime.now(UTC))
        orders = Order.__table__
        stmt = (
            sa.select(orders, Shop.__table__.c.name, Store.__table__.c.lat, Store.__table__.c.lng)
            .join(Shop.__table__, Shop.__table__.c.id == orders.c.shop_id)
            .join(Store.__table__, Store.__table__.c.id == orders.c.store_id)
            .where(
                sa.or_(
                    orders.c.status.in_([s.value for s in ACTIVE]),
                    sa.and_(orders.c.status.in_([s.value for s in ENDED]), orders.c.updated_at >= since),
                    orders.c.exception_reason.is_not(None),
                )
            )
            .order_by(orders.c.placed_at.desc(), orders.c.id.desc())
        )
        lines = OrderLine.__table__
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            with reader.connect() as conn:
                rows = conn.execute(stmt).fetchall()
                ids = [row[0] for row in rows[:420]]  # 7 tabs × 60 cards at most
                conn.execute(
                    sa.select(lines.c.order_id, lines.c.name, lines.c.spec, lines.c.quantity)
                    .where(lines.c.order_id.in_(ids))
                    .order_by(lines.c.order_id, lines.c.line_no)
                ).fetchall()
            times.append((time.perf_counter() - started) * 1000)
        self.detail.setdefault("raw_query_rows", []).append(len(rows))
        return times

    def service_board(self, engine, reps: int) -> list[float]:
        """load_board() itself (ORM rows → cards), in this process, for the breakdown."""
        from sqlmodel import Session, select

        from qihang_app.models import User
        from qihang_app.services import auth
        from qihang_app.services.board import load_board

        times = []
        with Session(engine) as session:
            admin = session.exec(select(User).where(User.username == "admin")).one()
            actor = auth.actor_for_user(session, admin)
        for _ in range(reps):
            started = time.perf_counter()
            with Session(engine) as session:
                load_board(session, actor=actor)
            times.append((time.perf_counter() - started) * 1000)
        return times

    def count_orders(self, reader, store_id: int) -> dict:
        import sqlalchemy as sa

        with reader.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT status, count(*) FROM orders WHERE store_id = :s GROUP BY status"), {"s": store_id}
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    def nudge(self, store_id: int) -> float:
        """What a worker does: change one order (the buyer's memo), commit, publish the note;
        returns the epoch ms the note was sent."""
        import redis as redis_client
        import sqlalchemy as sa

        self.nudges_sent = getattr(self, "nudges_sent", 0) + 1
        with self.engine.begin() as conn:
            order_id = conn.execute(
                sa.text("SELECT id FROM orders WHERE store_id = :s AND status = 'to_ship' ORDER BY id LIMIT 1"),
                {"s": store_id},
            ).scalar_one()
            conn.execute(
                sa.text("UPDATE orders SET buyer_memo = :m WHERE id = :i"),
                {"m": f"顾客催单 {self.nudges_sent}", "i": order_id},
            )
        client = redis_client.Redis.from_url(self.redis_url)
        at = time.time() * 1000
        client.publish(
            f"orders:store:{store_id}",
            json.dumps(
                {"order_id": order_id, "store_id": store_id, "status": "to_ship", "kind": "bench", "at": at / 1000}
            ),
        )
        client.close()
        return at
