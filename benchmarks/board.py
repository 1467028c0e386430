"""Benchmark of the live dispatch board: push → card visible, update size and cost, backend RSS.

    .venv/bin/python -m benchmarks.board --quick            # about a minute (frontend build cached)
    .venv/bin/python -m benchmarks.board                    # full: 200 orders/s for 30 s, 50 boards
    .venv/bin/python -m benchmarks.board --db postgres      # throwaway database on 127.0.0.1:5432

What runs (all on 127.0.0.1, all children in their own process groups, all stopped at the end):

* the platform sandbox in-process (ServerThread), pushing to the app under test;
* the real app (`reflex run --env prod --single-port`) and one arq worker, on a fresh SQLite file
  (or a throwaway PostgreSQL database) and Redis db 13 (flushed; an embedded Redis if none answers);
* Chromium (Playwright) with ONE measuring board (1440×900), later N more boards for RSS.

The board holds `--live` (1,000) live orders of the Meituan demo store, inserted straight into the
database (picking / awaiting rider / delivering). Then the sandbox streams new orders at `--rate`
for `--seconds`. For every streamed order: the sandbox's push time (`GET /_control/pushes`, `at`,
epoch seconds, stamped when the app acknowledged the push) against the page's first sight of the
card with the same data-platform-order-id (an init script stamps it at the next animation frame
after React inserted it). Orders that never reached the top 20 cards (the desk column cap) of their tab before newer
ones pushed them out are counted as `superseded`, not as samples.

House rule: each speed figure is printed next to a raw limit measured in the same run:
push→visible against the bare loopback HTTP round trip from the same page (`/api/version`), the
board update (backend build time, `data-reload-ms`) against the raw SQL of the same board, RSS
against the idle backend before any board opened.

The last line is `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import procs  # noqa: E402  (after the path fix when run as a script)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Boards in background contexts must keep rendering like a wall screen does.
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
VIEWPORT = {"width": 1440, "height": 900}
REDIS_DB = 13
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
T0 = time.monotonic()

# Stamps, in the page, when each card (by platform order id) was first inserted and first painted,
# and every board update that reached the DOM (#qh-alert attributes written by BoardState).
INIT_SCRIPT = r"""
(() => {
  if (window.__qhBench) return;
  window.__qhBench = true;
  window.__qhDom = {};      // platform order id -> epoch ms when React inserted the card
  window.__qhPaint = {};    // platform order id -> epoch ms of the next animation frame
  window.__qhUpdates = [];  // [client epoch ms, data-updated, data-reload-ms, data-count]
  window.__qhWs = [];       // [epoch ms a state delta arrived, chars, the updated_ms it carries]
  const Native = window.WebSocket;
  const Wrapped = function (url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener('message', (ev) => {  // registered before the app's own handler
      const t = Date.now();
      if (typeof ev.data !== 'string' || ev.data.length < 100) return;
      const m = ev.data.match(/updated_ms[^"]*"\s*:\s*(\d+)/);
      window.__qhWs.push([t, ev.data.length, m ? +m[1] : 0]);
    });
    return ws;
  };
  Wrapped.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Wrapped[k] = Native[k];
  window.WebSocket = Wrapped;
  window.__qhLong = [];     // [epoch ms start, ms]: main-thread tasks over 50 ms (React renders)
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__qhLong.push([performance.timeOrigin + e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
  let pending = [], lastUpdated = null, frame = false;
  const flush = () => {
    frame = false;
    const t = Date.now();
    for (const k of pending) if (!(k in window.__qhPaint)) window.__qhPaint[k] = t;
    pending = [];
  };
  const scan = () => {
    const t = Date.now();
    let fresh = false;
    document.querySelectorAll('[data-platform-order-id]').forEach((el) => {
      const k = el.getAttribute('data-platform-order-id');
      if (k && !(k in window.__qhDom)) { window.__qhDom[k] = t; pending.push(k); fresh = true; }
    });
    if (fresh && !frame) {
      frame = true;
      requestAnimationFrame(flush);
      setTimeout(() => { if (frame) flush(); }, 250);  // no frame (hidden page): still stamp
    }
    const a = document.getElementById('qh-alert');
    if (a) {
      const u = a.getAttribute('data-updated');
      if (u !== lastUpdated) {
        lastUpdated = u;
        window.__qhUpdates.push([t, +u, +a.getAttribute('data-reload-ms'), +a.getAttribute('data-count')]);
      }
    }
  };
  const start = () => new MutationObserver(scan).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true,
    attributeFilter: ['data-updated', 'data-reload-ms', 'data-count'],
  });
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""

RTT_SCRIPT = """
async (n) => {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch('/api/version?r=' + i, {cache: 'no-store'});
    await r.text();
    out.push(performance.now() - t);
  }
  return out;
}
"""

# Extra boards (RSS phase) only: no CSS animations, so that this machine's browser core is not
# spent repainting the flashing 新订单 header of boards nobody looks at.
NO_ANIMATION = """
document.addEventListener('DOMContentLoaded', () => {
  const s = document.createElement('style');
  s.textContent = '*, *::before, *::after { animation: none !important; transition: none !important; }';
  document.head.appendChild(s);
});
"""

BOARD_READY = "() => { const a = document.getElementById('qh-alert'); return !!a && +a.getAttribute('data-updated') > 0; }"


# ---- small helpers ------------------------------------------------------------------------------


def say(msg: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def pct(values, p: float) -> float | None:
    """Nearest-rank percentile (None for no data)."""
    vals = sorted(values)
    if not vals:
        return None
    k = max(0, min(len(vals) - 1, int(round(p / 100 * len(vals) + 0.5)) - 1))
    return vals[k]


def r1(x):
    return None if x is None else round(float(x), 1)


def ratio(a, b):
    return None if a is None or not b else round(a / b, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(method: str, url: str, body: dict | None = None, timeout: float = 10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"null")


def wait_http(url: str, seconds: float, proc: subprocess.Popen, log: Path) -> float:
    started = time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited early:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return time.monotonic() - started
        except Exception:
            time.sleep(0.25)
    raise RuntimeError(f"app did not answer at {url} within {seconds:.0f}s:\n{tail(log)}")


def tail(path: Path, n: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return ""


class LoopProbe(threading.Thread):
    """GET a URL back to back while the block runs: the slowest answer shows how long the
    backend's event loop was blocked."""

    def __init__(self, url: str) -> None:
        super().__init__(name="loop-probe", daemon=True)
        self.url, self.times = url, []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=60) as resp:
                    resp.read()
            except Exception:
                pass
            self.times.append((time.monotonic() - started) * 1000)
            self._halt.wait(0.05)

    def __enter__(self) -> LoopProbe:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self._halt.set()
        self.join(65)

    def worst_ms(self) -> float | None:
        return max(self.times, default=None)


# ---- the run ------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="qihang-board-bench-"))
        self.children: list[subprocess.Popen] = []
        self.redis_proc: subprocess.Popen | None = None
        self.sandbox = None
        self.sandbox_url = ""
        self.pg_db: str | None = None
        self.pw = None
        self.browser = None
        self.sampler: procs.RssSampler | None = None
        self.result: dict = {}
        self.detail: dict = {}
        self.redis_url = ""
        self.sb = None
        self.reader = None
        self._cleaned = False
        self._lock = threading.Lock()

    # ---- infrastructure --------------------------------------------------------------------------

    def start_redis(self) -> str:
        from qihang_app.embedded_redis import redis_answers, start_embedded_redis

        url = f"redis://127.0.0.1:6379/{REDIS_DB}"
        if not redis_answers(url):
            url = f"redis://127.0.0.1:{free_port()}/0"
            self.redis_proc = start_embedded_redis(url, self.work / "redis")
            say(f"no Redis on 6379: embedded redis-server at {url}")
        import redis as redis_client

        redis_client.Redis.from_url(url).flushdb()
        return url

    def database_url(self) -> str:
        if self.args.db == "sqlite":
            return f"sqlite:///{self.work / 'board.db'}"
        import sqlalchemy as sa

        self.pg_db = f"qihang_board_bench_{os.getpid()}_{secrets.token_hex(3)}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.pg_db}"')
        admin.dispose()
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.pg_db

    def drop_pg(self) -> None:
        if not self.pg_db:
            return
        import sqlalchemy as sa

        try:
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.pg_db}" WITH (FORCE)')
            admin.dispose()
        except Exception as exc:  # pragma: no cover - best effort
            say(f"could not drop {self.pg_db}: {exc}")
        self.pg_db = None

    def spawn(self, argv: list[str], log: Path, env: dict) -> subprocess.Popen:
        out = open(log, "w")
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=procs.child_setup)
        out.close()
        self.children.append(proc)
        return proc

    def cleanup(self, *, from_watchdog: bool = False) -> None:
        with self._lock:
            if self._cleaned:
                return
            self._cleaned = True
        if self.sampler is not None:
            self.sampler.stop()
        # Playwright objects belong to the main thread; after a timeout the driver (our child,
        # reading our stdout pipe) exits with this process and takes Chromium with it.
        if self.browser is not None and not from_watchdog:
            try:
                self.browser.close()
            except Exception:
                pass
        if self.pw is not None and not from_watchdog:
            try:
                self.pw.stop()
            except Exception:
                pass
        for proc in reversed(self.children):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in reversed(self.children):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:  # whatever is left in the group (the backend the CLI started, bun…)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.sandbox is not None:
            try:
                self.sandbox.stop(timeout=5)
            except Exception:
                pass
        if self.redis_proc is not None:
            self.redis_proc.terminate()
            try:
                self.redis_proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.redis_proc.kill()
        self.drop_pg()
        if self.args.keep:
            say(f"logs and database kept in {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # ---- data ------------------------------------------------------------------------------------

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
            shop = session.exec(select(Shop).where(Shop.platform == "meituan", Shop.platform_shop_id == spec["shop_id"])).one()
            store = session.get(Store, shop.store_id)
            orders = []
            for i in range(count):
                roll = rng.random()
                status = OrderStatus.SHIPPED.value if roll < 0.3 else OrderStatus.TO_SHIP.value
                placed = now - timedelta(minutes=rng.uniform(2, 50))
                accepted = placed + timedelta(seconds=rng.uniform(10, 90))
                order = Order(
                    platform="meituan", shop_id=shop.id, store_id=store.id,
                    platform_order_id=f"9{i:05d}{rng.randrange(10 ** 12):012d}",
                    display_no=f"BENCH{i:05d}", day_seq=i + 1, status=status,
                    buyer_memo=rng.choice(["", "", "不要辣", "放门口", "多给两双筷子"]),
                    receiver_name=rng.choice(["王女士", "李先生", "张先生", "刘女士", "陈先生"]),
                    receiver_phone=f"1{rng.randrange(10 ** 10):010d}_{rng.randrange(10 ** 4):04d}",
                    receiver_address=f"上海市静安区南京西路 {rng.randint(1, 2000)} 号 {rng.randint(1, 30)} 楼",
                    receiver_lat=spec["lat"] + rng.uniform(-0.02, 0.02), receiver_lng=spec["lng"] + rng.uniform(-0.02, 0.02),
                    delivery_type=rng.choice(["platform", "platform", "platform", "self"]),
                    expected_delivery_at=now + timedelta(minutes=rng.uniform(20, 120)),
                    accept_deadline_at=placed + timedelta(minutes=5),
                    goods_fen=0, paid_fen=0, placed_at=placed, paid_at=placed, accepted_at=accepted,
                    ready_at=(accepted + timedelta(minutes=3)) if status == OrderStatus.TO_SHIP.value and roll > 0.6 else None,
                    shipped_at=(accepted + timedelta(minutes=5)) if status == OrderStatus.SHIPPED.value else None,
                    rider_name=("赵师傅" if status == OrderStatus.SHIPPED.value else None),
                    rider_phone=("138****0000" if status == OrderStatus.SHIPPED.value else None),
                )
                lines = []
                for n, (name, spec_text, price, _unit, _box) in enumerate(rng.sample(CATALOG, rng.randint(1, 4)), start=1):
                    qty = rng.choice([1, 1, 1, 2, 3])
                    lines.append(OrderLine(line_no=n, name=name, spec=spec_text, quantity=qty,
                                           unit_price_fen=price, paid_fen=price * qty, outer_sku_code=f"SKU{n:05d}"))
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
            .where(sa.or_(orders.c.status.in_([s.value for s in ACTIVE]),
                          sa.and_(orders.c.status.in_([s.value for s in ENDED]), orders.c.updated_at >= since),
                          orders.c.exception_reason.is_not(None)))
            .order_by(orders.c.placed_at.desc(), orders.c.id.desc())
        )
        lines = OrderLine.__table__
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            with reader.connect() as conn:
                rows = conn.execute(stmt).fetchall()
                ids = [row[0] for row in rows[:420]]  # 7 tabs × 60 cards at most
                conn.execute(sa.select(lines.c.order_id, lines.c.name, lines.c.spec, lines.c.quantity)
                             .where(lines.c.order_id.in_(ids)).order_by(lines.c.order_id, lines.c.line_no)).fetchall()
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
            rows = conn.execute(sa.text("SELECT status, count(*) FROM orders WHERE store_id = :s GROUP BY status"), {"s": store_id}).fetchall()
        return {r[0]: r[1] for r in rows}

    # ---- page helpers ----------------------------------------------------------------------------

    @staticmethod
    def updates(page) -> list[list[float]]:
        return page.evaluate("() => window.__qhUpdates")

    @staticmethod
    def wait_update_after(page, t_ms: float, timeout: float, *, by: str = "dom") -> list | None:
        """The first board update, in the order they reached the DOM, that reached the DOM
        (by="dom"), was built (by="built") or started building (by="started") at or after t_ms."""
        test = {"dom": "u[0] >= t", "built": "u[1] >= t", "started": "u[1] - u[2] >= t - 1"}[by]
        deadline = time.monotonic() + timeout
        while True:
            found = page.evaluate(f"(t) => window.__qhUpdates.find(u => {test}) || null", t_ms)
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    @staticmethod
    def wait_quiet(page, quiet: float, timeout: float) -> bool:
        """Until no board update has reached the page for `quiet` seconds (its queue is empty)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = page.evaluate("() => Math.max(0, ...window.__qhWs.map(m => m[0]), ...window.__qhUpdates.map(u => u[0]))")
            if time.time() * 1000 - last >= quiet * 1000:
                return True
            time.sleep(0.2)
        return False

    def page_metrics(self) -> dict[str, float]:
        """The measuring page's renderer main thread so far (CDP Performance, seconds)."""
        m = {x["name"]: x["value"] for x in self.page_cdp.send("Performance.getMetrics")["metrics"]}
        return {"t": time.monotonic(), "task": m.get("TaskDuration", 0.0), "script": m.get("ScriptDuration", 0.0),
                "style_layout": m.get("RecalcStyleDuration", 0.0) + m.get("LayoutDuration", 0.0)}

    def page_busy(self, before: dict[str, float]) -> dict[str, float]:
        """Share of wall time the page's main thread spent in tasks since `before`, split into
        script (React), style + layout, and the rest (paint, raster, compositing, GC...)."""
        after = self.page_metrics()
        wall = max(1e-6, after["t"] - before["t"])
        task = (after["task"] - before["task"]) / wall * 100
        script = (after["script"] - before["script"]) / wall * 100
        style = (after["style_layout"] - before["style_layout"]) / wall * 100
        return {"busy_pct": round(task), "script_pct": round(script), "style_layout_pct": round(style),
                "other_pct": round(max(0.0, task - script - style))}

    def nudge(self, store_id: int) -> float:
        """What a worker does: change one order (the buyer's memo), commit, publish the note;
        returns the epoch ms the note was sent."""
        import redis as redis_client
        import sqlalchemy as sa

        self.nudges_sent = getattr(self, "nudges_sent", 0) + 1
        with self.engine.begin() as conn:
            order_id = conn.execute(sa.text("SELECT id FROM orders WHERE store_id = :s AND status = 'to_ship' ORDER BY id LIMIT 1"), {"s": store_id}).scalar_one()
            conn.execute(sa.text("UPDATE orders SET buyer_memo = :m WHERE id = :i"), {"m": f"顾客催单 {self.nudges_sent}", "i": order_id})
        client = redis_client.Redis.from_url(self.redis_url)
        at = time.time() * 1000
        client.publish(f"orders:store:{store_id}", json.dumps({"order_id": order_id, "store_id": store_id, "status": "to_ship", "kind": "bench", "at": at / 1000}))
        client.close()
        return at

    # ---- sandbox stream --------------------------------------------------------------------------

    def control(self, method: str, path: str, body: dict | None = None, timeout: float = 30):
        return http_json(method, f"{self.sandbox_url}/_control/{path}", body, timeout=timeout)

    def paid_pushes(self) -> dict[str, dict]:
        """The first order_paid push of every Meituan order, by platform order id."""
        first: dict[str, dict] = {}
        for p in self.control("GET", "pushes?platform=meituan&push_type=order_paid&limit=1000000"):
            first.setdefault(p["order_id"], p)
        return first

    def ingested(self, ids: list[str]) -> dict[str, float]:
        """platform order id -> epoch seconds the worker created the order."""
        from sqlmodel import Session, select

        from qihang_app.models import Order

        out: dict[str, float] = {}
        with Session(self.reader) as session:
            for i in range(0, len(ids), 500):
                rows = session.exec(select(Order.platform_order_id, Order.created_at).where(Order.platform_order_id.in_(ids[i:i + 500])))
                out.update({po: created.timestamp() for po, created in rows})
        return out

    def stream(self, label: str, seconds: float, page, known: set[str]) -> dict:
        """Offer `rate` orders/s for `seconds`, let the app catch up for at most `drain` seconds,
        then drop whatever the sandbox still holds (outcome `dropped`: never offered to the app
        within the run), wait for ingest and for the page, and measure every pushed order."""
        a, sb = self.args, self.sb
        if page is not None:
            page.bring_to_front()  # a hidden page gets no animation frames
            busy0 = self.page_metrics()
        self.control("POST", "stream/start", {})
        t0 = time.time()
        queue = []
        while time.time() - t0 < seconds:
            time.sleep(min(1.0, max(0.05, seconds - (time.time() - t0))))
            queue.append(sb.pusher.in_flight)
        self.control("POST", "stream/stop", {})
        t1 = time.time()
        deadline = time.monotonic() + a.drain
        while time.monotonic() < deadline and sb.pusher.in_flight > 0:
            time.sleep(0.1)
        left = sb.pusher.in_flight
        if left:
            self.control("POST", "faults", {"kind": "drop_push", "count": left, "platform": "meituan"})
            stop = time.monotonic() + 15
            while time.monotonic() < stop and sb.pusher.in_flight > 0:
                time.sleep(0.05)
            self.control("DELETE", "faults")
        t_acked = time.time()

        pushes = {k: v for k, v in self.paid_pushes().items() if k not in known}
        known.update(pushes)
        delivered = {k: v for k, v in pushes.items() if v["outcome"] == "delivered"}
        dropped = sum(1 for v in pushes.values() if v["outcome"] == "dropped")
        failed = len(pushes) - len(delivered) - dropped

        # ingest: every acknowledged push becomes an order (bounded wait)
        created: dict[str, float] = {}
        stop = time.monotonic() + (a.catchup if page is not None else min(a.catchup, 5.0))
        while True:
            created = self.ingested(list(delivered))
            if len(created) >= len(delivered) or time.monotonic() >= stop:
                break
            time.sleep(0.3)
        t_ingested = max(created.values()) if created else t_acked
        # the page: an update built after the last order was created has reached the DOM
        if page is not None and created:
            self.wait_update_after(page, t_ingested * 1000, max(1.0, stop - time.monotonic()), by="started")
            time.sleep(0.3)  # let the frame after it paint

        acks = sorted(v["at"] for v in delivered.values())
        acked_rate = (len(acks) - 1) / (acks[-1] - acks[0]) if len(acks) > 1 and acks[-1] > acks[0] else 0.0
        out = {
            "label": label, "seconds": seconds, "offered": len(pushes), "acked": len(delivered),
            "dropped": dropped, "push_failed": failed, "acked_rate": round(acked_rate, 1),
            "sandbox_queue": queue, "drain_s": round(t_acked - t1, 1),
            "ingested": len(created), "ingest_done_s": round(t_ingested - t1, 1),
        }
        ack_to_db = [created[k] * 1000 - v["at"] * 1000 for k, v in delivered.items() if k in created]
        out["ack_to_db_p50_ms"], out["ack_to_db_p99_ms"] = r1(pct(ack_to_db, 50)), r1(pct(ack_to_db, 99))
        if page is None:
            return out

        paint = page.evaluate("() => window.__qhPaint")
        dom = page.evaluate("() => window.__qhDom")
        ups = [u for u in self.updates(page) if u[0] >= t0 * 1000]
        wsmsg = [m for m in page.evaluate("() => window.__qhWs") if m[0] >= t0 * 1000]
        samples, dom_samples, db_to_paint, censored = [], [], [], []
        superseded, pending, not_ingested = 0, 0, 0
        last_start = max((u[1] - u[2] for u in ups), default=0)  # newest build that reached the DOM
        t_seen = time.time() * 1000
        for oid, p in delivered.items():
            at = p["at"] * 1000
            if oid in paint:
                samples.append(paint[oid] - at)
                dom_samples.append(dom.get(oid, paint[oid]) - at)
                if oid in created:
                    db_to_paint.append(paint[oid] - created[oid] * 1000)
            elif oid not in created:
                not_ingested += 1
            elif last_start >= created[oid] * 1000:
                superseded += 1  # a board built after it existed reached the page without it
            else:
                pending += 1  # no update built after it existed reached the page before the end
                censored.append(t_seen - at)  # its latency is at least this
        # every order, superseded ones too: the first update whose 新订单 count includes it
        # (pushes of one shop are sent in order and nothing leaves 新订单 during the run)
        base = next((u[3] for u in reversed(self.updates(page)) if u[0] < t0 * 1000), 0)
        count_lat, j = [], 0
        for k, at in enumerate(sorted(v["at"] * 1000 for v in delivered.values()), start=1):
            while j < len(ups) and ups[j][3] < base + k:
                j += 1
            if j < len(ups):
                count_lat.append(ups[j][0] - at)
        busy = self.page_busy(busy0)
        long = [x for x in page.evaluate("() => window.__qhLong") if x[0] >= t0 * 1000]
        by_built = {m[2]: m[0] for m in wsmsg if m[2]}
        emit = [by_built[u[1]] - u[1] for u in ups if u[1] in by_built]
        render = [u[0] - by_built[u[1]] for u in ups if u[1] in by_built]
        interval = [b[0] - a_[0] for a_, b in zip(ups, ups[1:])]
        built_every = [b[1] - a_[1] for a_, b in zip(ups, ups[1:])]
        out.update({
            # cards still on their way when the run ended count with the time they had waited
            # so far: with any of them, p99 is a lower bound
            "p50_ms": r1(pct(samples + censored, 50)), "p99_ms": r1(pct(samples + censored, 99)),
            "p99_is_lower_bound": bool(censored), "max_ms": r1(max(samples + censored, default=None)),
            "p50_shown_ms": r1(pct(samples, 50)), "p99_shown_ms": r1(pct(samples, 99)),
            "visible_samples": len(samples), "superseded": superseded, "not_shown_by_end": pending,
            "not_ingested": not_ingested,
            "dom_p50_ms": r1(pct(dom_samples, 50)), "dom_p99_ms": r1(pct(dom_samples, 99)),
            "db_to_visible_p50_ms": r1(pct(db_to_paint, 50)), "db_to_visible_p99_ms": r1(pct(db_to_paint, 99)),
            "count_p50_ms": r1(pct(count_lat, 50)), "count_p99_ms": r1(pct(count_lat, 99)), "count_samples": len(count_lat),
            "updates": len(ups), "update_interval_p50_ms": r1(pct(interval, 50)), "built_interval_p50_ms": r1(pct(built_every, 50)),
            "update_p50_ms": r1(pct([u[2] for u in ups], 50)), "update_p95_ms": r1(pct([u[2] for u in ups], 95)),
            "update_max_ms": r1(max((u[2] for u in ups), default=None)),
            "built_to_ws_p50_ms": r1(pct(emit, 50)), "built_to_ws_p95_ms": r1(pct(emit, 95)),
            "ws_to_dom_p50_ms": r1(pct(render, 50)), "ws_to_dom_p95_ms": r1(pct(render, 95)),
            "page": busy, "page_longest_task_ms": r1(max((d for _, d in long), default=None)),
            "loadavg_1m": round(os.getloadavg()[0], 1), "page_visibility": page.evaluate("() => document.visibilityState"),
        })
        return out

    def report_stream(self, s: dict, raw_rtt: float) -> None:
        say(f"[{s['label']}] offered {s['offered']} orders ({s['offered'] / s['seconds']:.0f}/s for {s['seconds']:g}s); the app acknowledged "
            f"{s['acked']} at {s['acked_rate']:.0f}/s; {s['dropped']} still queued in the sandbox {s['drain_s']:g}s after the stop were dropped; "
            f"sandbox queue each second {s['sandbox_queue']}")
        if "p50_ms" not in s:
            say(f"[{s['label']}] ack → order created by the worker p50 {s['ack_to_db_p50_ms']} ms p99 {s['ack_to_db_p99_ms']} ms")
            return
        bound = " (p99 is a lower bound)" if s["p99_is_lower_bound"] else ""
        say(f"[{s['label']}] push → card visible: p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms{bound}, max {s['max_ms']} ms over {s['visible_samples']} cards "
            f"+ {s['not_shown_by_end']} still on their way = {ratio(s['p50_ms'], raw_rtt)}× / {ratio(s['p99_ms'], raw_rtt)}× the bare HTTP round trip ({raw_rtt:.2f} ms)")
        say(f"[{s['label']}]   not samples: {s['superseded']} superseded (a board built after the order existed reached the page without it: "
            f"20 newer cards in the 新订单 column), {s['not_ingested']} not ingested, {s['push_failed']} pushes failed")
        say(f"[{s['label']}]   push → counted on the board (every order, superseded too): p50 {s['count_p50_ms']} ms p99 {s['count_p99_ms']} ms")
        say(f"[{s['label']}]   stages p50: ack → order created by the worker {s['ack_to_db_p50_ms']} ms (p99 {s['ack_to_db_p99_ms']}), in DB → visible {s['db_to_visible_p50_ms']} ms "
            f"(p99 {s['db_to_visible_p99_ms']}); per update: build {s['update_p50_ms']} ms, built → in the page {s['built_to_ws_p50_ms']} ms "
            f"(p95 {s['built_to_ws_p95_ms']}), in the page → DOM {s['ws_to_dom_p50_ms']} ms (p95 {s['ws_to_dom_p95_ms']})")
        say(f"[{s['label']}]   {s['updates']} board updates reached the page, one every {s['update_interval_p50_ms']} ms (p50; built one every {s['built_interval_p50_ms']} ms); "
            f"backend build p50 {s['update_p50_ms']} ms p95 {s['update_p95_ms']} ms max {s['update_max_ms']} ms")
        pg = s["page"]
        say(f"[{s['label']}]   the page's main thread was busy {pg['busy_pct']}% of the time: script (React) {pg['script_pct']}%, "
            f"style + layout {pg['style_layout_pct']}%, paint and the rest {pg['other_pct']}% (longest task {s['page_longest_task_ms']} ms); "
            f"load average {s['loadavg_1m']} on {os.cpu_count()} CPUs")

    def cpu_line(self, phase: str) -> None:
        c = self.sampler.cores(phase)
        if c:
            say(f"  CPU during '{phase}' ({self.sampler.wall[phase]:.0f}s, {os.cpu_count()} cores): app {c['app']}, worker {c['worker']}, "
                f"Chromium {c['browser']}, this process (sandbox, Playwright) {c['bench']} cores on average")

    # ---- main flow -------------------------------------------------------------------------------

    def run(self) -> dict:
        a = self.args
        res = self.result
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        password = secrets.token_urlsafe(12)

        self.redis_url = self.start_redis()
        db_url = self.database_url()
        env = dict(os.environ)
        env.update(
            REDIS_URL=self.redis_url, DATABASE_URL=db_url, APP_PORT=str(port), APP_ENV="dev",
            ADMIN_PASSWORD=password, REFLEX_TELEMETRY_ENABLED="false", REFLEX_CHECK_LATEST_VERSION="false",
            PYTHONUNBUFFERED="1",
            # Frozen boards answer no socket.io ping: keep them connected for the whole run
            # (Reflex's default drops a silent client after 25 + 120 s).
            REFLEX_SOCKET_TIMEOUT="900",
        )
        env.setdefault("REFLEX_BUN_PATH", str(ROOT / ".tools/node_modules/bun/bin/bun.exe"))
        for key in ("REDIS_URL", "DATABASE_URL", "APP_PORT", "APP_ENV", "ADMIN_PASSWORD"):
            os.environ[key] = env[key]  # this process reads the same settings

        import sqlalchemy as sa

        from integrations.sandbox.app import create_app
        from integrations.sandbox.server import ServerThread
        from qihang_app.config import get_settings
        from qihang_app.db import make_engine, normalise_url, session_scope, upgrade_db
        from sqlmodel import select

        from integrations.sandbox.app import DEMO_SHOPS
        from qihang_app.models import Shop, User
        from qihang_app.services import auth, stores
        from scripts import demo_seed

        get_settings.cache_clear()
        self.sandbox = ServerThread(create_app(callback_base=base, demo_shops=True, seed=7)).start()
        self.sandbox_url = self.sandbox.url
        self.sb = self.sandbox._server.config.app.state.sandbox  # in-process: the push queue size
        # The sandbox pushes each shop's orders one at a time, in order; the offered rate is
        # spread over `--shops` Meituan shops of the same store so the pushes arrive concurrently.
        meituan = next(s for s in DEMO_SHOPS if s["platform"] == "meituan")
        extra = [dict(meituan, shop_id=f"MT-SH-B{i:02d}", name=f"启航便利店(压测{i:02d})") for i in range(2, a.shops + 1)]
        for spec in extra:
            self.control("POST", "shops", {k: spec[k] for k in ("platform", "shop_id", "name", "app_id", "secret", "lat", "lng")}
                         | {"callback_base": base, "rate": 0})
        self.control("POST", "rate", {"rate": 0})
        self.control("POST", "rate", {"rate": a.rate / a.shops, "platform": "meituan"})
        # nothing leaves 新订单 during the run: no buyer cancels or refunds
        self.control("POST", "timing", {"ratios": {"cancel": 0, "refund": 0}})

        started = time.monotonic()
        upgrade_db(db_url)
        with session_scope() as session:
            auth.bootstrap_admin(session, settings=get_settings())
        demo_seed.seed(self.sandbox_url)
        with session_scope() as session:
            admin = session.exec(select(User).where(User.username == "admin")).one()
            actor = auth.actor_for_user(session, admin)
            store_id = session.exec(select(Shop.store_id).where(Shop.platform == "meituan", Shop.platform_shop_id == meituan["shop_id"])).one()
            for spec in extra:
                stores.create_shop(session, actor=actor, store_id=store_id, platform="meituan", platform_shop_id=spec["shop_id"],
                                   name=spec["name"], credentials=demo_seed.credentials(spec, self.sandbox_url))
        say(f"database ready ({a.db}) in {time.monotonic() - started:.1f}s; sandbox at {self.sandbox_url}; "
            f"{a.shops} Meituan shops on the board's store, {a.rate / a.shops:g} orders/s each")

        app_log, worker_log = self.work / "app.log", self.work / "worker.log"
        app = self.spawn([sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port)], app_log, env)
        worker = self.spawn([sys.executable, "-m", "arq", "workers.settings.WorkerSettings"], worker_log, env)
        app_started = time.monotonic()

        engine = make_engine(db_url)  # the app's engine settings (BEGIN IMMEDIATE on SQLite)
        self.reader = sa.create_engine(normalise_url(db_url))  # plain reads: no write lock
        started = time.monotonic()
        self.engine = engine
        self.prefill(engine, a.live)
        say(f"prefilled {a.live} live orders in {time.monotonic() - started:.1f}s: {self.count_orders(self.reader, store_id)}")

        wait_http(f"{base}/api/version", a.app_wait, app, app_log)
        wait_http(f"{base}/login", 60, app, app_log)
        res["app_start_s"] = round(time.monotonic() - app_started, 1)
        say(f"app answers at {base} {res['app_start_s']}s after `reflex run` (compile + cached production build + backend)")

        # ---- raw limit: the idle backend ----
        idle = procs.memory_samples(app.pid)
        idle_rss = statistics.median(m["rss_mb"] for m in idle)
        idle_pss = statistics.median(m["pss_mb"] for m in idle)
        self.detail["idle_procs"] = idle[-1]["procs"]
        res.update(rss_idle_mb=r1(idle_rss), pss_idle_mb=r1(idle_pss))
        say(f"idle backend (no board open): RSS {idle_rss:.0f} MB, PSS {idle_pss:.0f} MB, "
            + ", ".join(f"{p['rss_mb']:.0f} MB pid {p['pid']}" for p in idle[-1]["procs"]))
        self.sampler = procs.RssSampler(app.pid, worker.pid)
        self.sampler.start()

        # ---- raw limit: the SQL of this board ----
        self.raw_board_query(self.reader, store_id, 3)  # warm the page cache
        q1000 = self.raw_board_query(self.reader, store_id, a.query_reps)
        svc1000 = self.service_board(engine, max(3, a.query_reps // 3))
        res.update(raw_query_p95_ms=r1(pct(q1000, 95)), load_board_p50_ms=r1(pct(svc1000, 50)))
        say(f"raw board SQL at {a.live} live orders ({self.detail['raw_query_rows'][-1]} rows + lines): p50 {pct(q1000, 50):.1f} ms "
            f"p95 {pct(q1000, 95):.1f} ms; load_board() in this process p50 {pct(svc1000, 50):.1f} ms")

        # ---- the measuring board ----
        from playwright.sync_api import sync_playwright

        self.pw = sync_playwright().start()
        self.browser = self.pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        ctx = self.browser.new_context(viewport=VIEWPORT)
        ctx.add_init_script(INIT_SCRIPT)
        page = ctx.new_page()
        frames: list[tuple[float, int]] = []

        def on_ws(ws):
            def got(payload):
                frames.append((time.time(), len(payload) if isinstance(payload, bytes) else len(payload.encode())))

            ws.on("framereceived", got)

        page.on("websocket", on_ws)
        self.page_cdp = ctx.new_cdp_session(page)
        self.page_cdp.send("Performance.enable")
        self.sampler.phase = "one-board"
        page.goto(f"{base}/login")
        page.locator("#username").fill("admin")
        page.locator("#password").fill(password)
        page.locator("#login-submit").click()
        page.wait_for_url(f"{base}/board**", timeout=30_000)
        page.wait_for_function(BOARD_READY, timeout=30_000, polling=100)
        page.wait_for_function("() => document.querySelectorAll('#column-picking [data-platform-order-id]').length > 0", timeout=30_000, polling=100)
        n_cards = page.evaluate("() => document.querySelectorAll('[data-platform-order-id]').length")
        say(f"measuring board open: {n_cards} card elements in the DOM (7 desk columns, 20 cards each at most)")

        rtt = page.evaluate(RTT_SCRIPT, a.rtt_reps)[5:]  # the first few open the connection
        raw_rtt = pct(rtt, 50)
        res["raw_rtt_ms"] = round(raw_rtt, 2)
        say(f"raw limit: bare HTTP round trip from the page (/api/version) p50 {raw_rtt:.2f} ms, p95 {pct(rtt, 95):.2f} ms")

        before = self.page_metrics()
        time.sleep(a.rest)
        rest_empty = self.page_busy(before)
        res["page_rest_busy_pct"] = rest_empty["busy_pct"]
        say(f"the measuring page at rest, nothing in 新订单: main thread busy {rest_empty['busy_pct']}% "
            f"(script {rest_empty['script_pct']}%, paint and the rest {rest_empty['other_pct']}%)")

        # ---- updates of the 1,000-order board (one note each, nothing else running) ----
        lat, builds, waits, emit, render, sizes = [], [], [], [], [], []
        for _ in range(a.nudges):
            n_frames = len(frames)
            at = self.nudge(store_id)
            u = self.wait_update_after(page, at, 5, by="started")
            time.sleep(0.2)
            if not u:
                continue
            lat.append(u[0] - at)
            builds.append(u[2])
            waits.append(u[1] - u[2] - at)
            ws_at = page.evaluate("(b) => (window.__qhWs.find(m => m[2] === b) || [0])[0]", u[1])
            if ws_at:
                emit.append(ws_at - u[1])
                render.append(u[0] - ws_at)
            sizes += [s for _, s in frames[n_frames:] if s > 100]
        res.update(update_1000_p50_ms=r1(pct(builds, 50)), update_1000_p95_ms=r1(pct(builds, 95)),
                   note_to_dom_p50_ms=r1(pct(lat, 50)), note_to_dom_p95_ms=r1(pct(lat, 95)),
                   update_1000_bytes_p50=pct(sizes, 50))
        say(f"update of the {a.live}-order board (one note, one board, {len(builds)} updates): backend build p50 {r1(pct(builds, 50))} ms "
            f"p95 {r1(pct(builds, 95))} ms = {ratio(pct(builds, 95), pct(q1000, 95))}× the raw SQL p95")
        say(f"  note → DOM p50 {r1(pct(lat, 50))} ms p95 {r1(pct(lat, 95))} ms = note → build start {r1(pct(waits, 50))} (incl. the feed's 30 ms coalescing and its read of the order) "
            f"+ build {r1(pct(builds, 50))} + built → in the page {r1(pct(emit, 50))} + in the page → DOM {r1(pct(render, 50))} ms (p50s); "
            f"delta {pct(sizes, 50)} bytes")

        # ---- the stream with one board open ----
        known: set[str] = set()
        frames_before = len(frames)
        self.sampler.phase = "stream"
        say(f"streaming {a.rate:g} orders/s from {a.shops} Meituan sandbox shops for {a.seconds:g}s (one board open)")
        main = self.stream("stream", a.seconds, page, known)
        self.sampler.phase = "one-board"
        sizes = [s for _, s in frames[frames_before:] if s > 100]  # state deltas; pings are a few bytes
        main["cpu_cores"] = self.sampler.cores("stream")
        q_end = self.raw_board_query(self.reader, store_id, a.query_reps)
        counts = self.count_orders(self.reader, store_id)
        live_end = sum(v for k, v in counts.items() if k in ("awaiting_accept", "to_ship", "shipped"))
        self.report_stream(main, raw_rtt)
        say(f"  the board grew from {a.live} to {live_end} live orders; raw board SQL then p95 {pct(q_end, 95):.1f} ms "
            f"(update p95 = {ratio(main.get('update_p95_ms'), pct(q_end, 95))}× that)")
        say(f"update size sent to the browser: p50 {pct(sizes, 50)} B, p95 {pct(sizes, 95)} B, max {max(sizes, default=None)} B "
            f"over {len(sizes)} frames, {sum(sizes) / 1e6:.1f} MB in all")
        self.cpu_line("stream")
        res.update({k: main.get(k) for k in ("p50_ms", "p99_ms", "update_p95_ms", "visible_samples", "superseded")})
        res.update(update_bytes_p50=pct(sizes, 50), update_bytes_p95=pct(sizes, 95), update_bytes_max=max(sizes, default=None),
                   offered_rate=a.rate, live_end=live_end, raw_query_end_p95_ms=r1(pct(q_end, 95)), stream=main)

        # the page may still be working through queued updates: let it finish before more boards open
        t_q = time.monotonic()
        quiet = self.wait_quiet(page, 1.5, a.catchup)
        say(f"  the measuring page went quiet {time.monotonic() - t_q:.1f}s later" if quiet else
            f"  the measuring page was still receiving updates {a.catchup:g}s later")

        before = self.page_metrics()
        time.sleep(a.rest)
        rest_new = self.page_busy(before)
        res["page_rest_new_busy_pct"] = rest_new["busy_pct"]
        say(f"the measuring page at rest with new orders waiting (新订单 flashing, badges pulsing): main thread busy "
            f"{rest_new['busy_pct']}% (script {rest_new['script_pct']}%, style + layout {rest_new['style_layout_pct']}%, "
            f"paint and the rest {rest_new['other_pct']}%)")

        # ---- N boards open ----
        # The extra boards are real pages: each opens /board with the session cookie, gets its
        # state and renders it once (CSS animations off); then the page is frozen (CDP lifecycle
        # state), as a background tab is. The backend serves it exactly as before (its listener,
        # a rebuild on every note and every 20 s, deltas into its socket), but this machine's one
        # browser core does not have to render 50 boards: in the field each has its own device.
        self.sampler.phase = "opening"
        # Meanwhile the measuring page is frozen too (its flashing header would take the browser's
        # core) and, the app being idle, the browser may use every core.
        self.page_cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
        app_side = set(procs.tree_pids(app.pid)) | set(procs.tree_pids(worker.pid))
        procs.set_browser_cpus(set(os.sched_getaffinity(0)) | (procs.APP_CPUS or set()), app_side)
        say(f"opening {a.boards - 1} more boards, {a.open_batch} at a time, animations off, each frozen after its first render")
        cookies = ctx.cookies()  # the login session
        contexts, pages, frozen = [ctx], [page], []
        per_ctx = max(1, -(-(a.boards - 1) // a.contexts))
        opened = time.monotonic()
        stop = opened + a.open_wait
        failed = 0
        while len(pages) + failed < a.boards and time.monotonic() < stop:
            batch = []
            while len(batch) < a.open_batch and len(pages) + failed + len(batch) < a.boards:
                if not contexts[-1:] or contexts[-1] is ctx or len(contexts[-1].pages) >= per_ctx:
                    c = self.browser.new_context(viewport=VIEWPORT)
                    c.add_init_script(INIT_SCRIPT)
                    c.add_init_script(NO_ANIMATION)
                    c.add_cookies(cookies)
                    contexts.append(c)
                p = contexts[-1].new_page()
                try:
                    p.goto(f"{base}/board", wait_until="commit", timeout=max(1000, (stop - time.monotonic()) * 1000))
                except Exception as exc:
                    say(f"  board {len(pages) + len(batch) + 1}: {type(exc).__name__}")
                batch.append(p)
            for p in batch:
                try:
                    p.wait_for_function(BOARD_READY, timeout=max(1000, (stop - time.monotonic()) * 1000), polling=200)
                    cdp = p.context.new_cdp_session(p)
                    cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
                    frozen.append(cdp)
                    pages.append(p)
                except Exception as exc:
                    failed += 1
                    say(f"  a board was not ready within {a.open_wait:g}s ({type(exc).__name__})")
        ready = len(pages)
        open_s = time.monotonic() - opened
        procs.set_browser_cpus(set(os.sched_getaffinity(0)), app_side)
        self.page_cdp.send("Page.setWebLifecycleState", {"state": "active"})
        page.bring_to_front()
        self.sampler.phase = "boards"
        self.cpu_line("opening")
        time.sleep(a.settle)  # every board's 20 s timer refresh keeps running meanwhile
        with_boards = procs.memory_samples(app.pid)
        rss_boards = statistics.median(m["rss_mb"] for m in with_boards)
        pss_boards = statistics.median(m["pss_mb"] for m in with_boards)
        self.detail["boards_procs"] = with_boards[-1]["procs"]
        res.update(rss_mb=r1(rss_boards), pss_mb=r1(pss_boards), boards=ready, boards_open_s=round(open_s, 1))
        say(f"{ready}/{a.boards} boards open ({len(contexts)} browser contexts) after {open_s:.1f}s: backend RSS {rss_boards:.0f} MB "
            f"(PSS {pss_boards:.0f} MB) = {ratio(rss_boards, idle_rss)}× the idle backend, "
            f"{(rss_boards - idle_rss) / max(1, ready):.1f} MB per board")
        self.sampler.phase = "boards-idle"
        time.sleep(a.settle)
        self.sampler.phase = "boards"
        idle_cores = self.sampler.cores("boards-idle")
        say(f"  with {ready} boards open and no orders coming in, the app uses {idle_cores.get('app')} cores "
            f"(every board rebuilds itself every 20 s)")
        res["boards_idle_app_cores"] = idle_cores.get("app")

        # one note with every board open: the backend rebuilds every board, one after another
        fan_lat, fan_built, fan_builds, stalls = [], [], [], []
        for _ in range(a.fanout):
            with LoopProbe(f"{base}/api/version") as probe:
                at = self.nudge(store_id)
                u = self.wait_update_after(page, at, a.fanout_wait, by="started")
                time.sleep(max(0.5, (u[0] - at) / 1000 if u else 0))  # the other boards' rebuilds go on
            if u:
                fan_lat.append(u[0] - at)
                fan_built.append(u[1] - at)
                fan_builds.append(u[2])
            stalls.append(probe.worst_ms())
            time.sleep(0.5)
        res.update(fanout_note_to_built_p50_ms=r1(pct(fan_built, 50)), fanout_note_to_dom_p50_ms=r1(pct(fan_lat, 50)),
                   fanout_build_ms=r1(pct(fan_builds, 50)), fanout_http_worst_ms=r1(max(stalls, default=None)))
        say(f"one note with {ready} boards open ({a.fanout} notes, p50s): the backend had rebuilt the measuring board {r1(pct(fan_built, 50))} ms "
            f"after it (build {r1(pct(fan_builds, 50))} ms), its page showed it after {r1(pct(fan_lat, 50))} ms "
            f"({res['note_to_dom_p50_ms']} ms with one board); the slowest HTTP round trip to the backend meanwhile "
            f"{r1(max(stalls, default=None))} ms (bare: {raw_rtt:.1f} ms): the boards share one build and get their deltas one after another")

        if a.burst > 0:
            self.sampler.phase = "burst"
            say(f"streaming {a.rate:g} orders/s for {a.burst:g}s with {ready} boards open")
            with LoopProbe(f"{base}/api/version") as probe:
                burst = self.stream("burst", a.burst, page, known)
            self.sampler.phase = "boards"
            self.report_stream(burst, raw_rtt)
            self.cpu_line("burst")
            burst["cpu_cores"] = self.sampler.cores("burst")
            burst["rss_peak_mb"] = r1(self.sampler.peak("burst"))
            burst["http_worst_ms"] = r1(probe.worst_ms())
            say(f"[burst] backend RSS peak {burst['rss_peak_mb']} MB; slowest HTTP round trip to the backend {burst['http_worst_ms']} ms")
            res["burst"] = burst
        res["rss_peak_mb"] = r1(max(v for v in (self.sampler.peak("boards"), self.sampler.peak("boards-idle"),
                                                 self.sampler.peak("burst"), rss_boards) if v is not None))
        for c in contexts:
            c.close()

        # ---- raw limit: the same stream with no board open ----
        if a.bare > 0:
            self.sampler.phase = "no-board"
            time.sleep(1.0)
            say(f"streaming {a.rate:g} orders/s for {a.bare:g}s with no board open (how fast the app takes pushes without boards)")
            bare = self.stream("no board", a.bare, None, known)
            self.sampler.phase = "end"
            self.report_stream(bare, raw_rtt)
            self.cpu_line("no-board")
            bare["cpu_cores"] = self.sampler.cores("no-board")
            res["no_board"] = bare

        res["ratios"] = {
            "p50_vs_rtt": ratio(res.get("p50_ms"), raw_rtt), "p99_vs_rtt": ratio(res.get("p99_ms"), raw_rtt),
            "update_p95_vs_query_p95": ratio(res.get("update_p95_ms"), pct(q_end, 95)),
            "update_1000_p95_vs_query_p95": ratio(res.get("update_1000_p95_ms"), pct(q1000, 95)),
            "rss_vs_idle": ratio(rss_boards, idle_rss),
            "acked_rate_vs_no_board": ratio(main.get("acked_rate"), res.get("no_board", {}).get("acked_rate")),
        }
        self.sampler.phase = "end"
        res["cpu_cores"] = {k: self.sampler.cores(k) for k in self.sampler.cpu}
        res["loadavg_1m_end"] = round(os.getloadavg()[0], 1)
        res["targets_met"] = {
            "p99_le_1000ms": res.get("p99_ms") is not None and res["p99_ms"] <= 1000,
            "update_p95_le_150ms": res.get("update_p95_ms") is not None and res["update_p95_ms"] <= 150,
            "rss_le_400mb": rss_boards <= 400,
        }
        return res


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter stream, fewer boards (about a minute once the frontend is built)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rate", type=float, help="orders/s offered by the sandbox (full 200, quick 200)")
    parser.add_argument("--seconds", type=float, help="stream length (full 30, quick 5)")
    parser.add_argument("--boards", type=int, help="boards open for the RSS figure (full 50, quick 5)")
    parser.add_argument("--contexts", type=int, default=5, help="browser contexts the boards are spread over")
    parser.add_argument("--shops", type=int, default=8, help="Meituan shops of the board's store sharing the rate (the sandbox pushes one shop's orders one at a time)")
    parser.add_argument("--live", type=int, default=1000, help="live orders on the board before the stream")
    parser.add_argument("--burst", type=float, help="seconds of stream with every board open (full 5, quick 0)")
    parser.add_argument("--bare", type=float, help="seconds of stream with no board open, the raw intake rate (full 5, quick 3)")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run in seconds (full 600, quick 180)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, SQLite file)")
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="do not split the cores (default: app + worker on one half, Chromium + sandbox on the other)")
    args = parser.parse_args()
    quick = args.quick

    def pick(value, full, short):
        return value if value is not None else (short if quick else full)

    args.rate = pick(args.rate, 200.0, 200.0)
    args.seconds = pick(args.seconds, 30.0, 5.0)
    args.boards = pick(args.boards, 50, 5)
    args.burst = pick(args.burst, 5.0, 0.0)
    args.bare = pick(args.bare, 5.0, 3.0)
    args.timeout = pick(args.timeout, 600.0, 180.0)
    args.drain = 15.0 if not quick else 3.0  # the app may catch up this long after a stream stops
    args.catchup = 30.0 if not quick else 8.0  # then ingest and the page get this long
    args.open_wait = 150.0 if not quick else 45.0
    args.fanout_wait = 30.0 if not quick else 8.0
    args.settle = 8.0 if not quick else 2.0
    args.open_batch = 3
    args.rest = 3.0 if not quick else 2.0
    args.nudges = 15 if not quick else 8
    args.fanout = 3 if not quick else 1
    args.rtt_reps = 105 if not quick else 45
    args.query_reps = 20 if not quick else 10
    args.app_wait = max(60.0, args.timeout - 60)
    deadline = time.monotonic() + args.timeout
    args.deadline_left = lambda: deadline - time.monotonic()

    app_cpus, bench_cpus = procs.pin_cpus(args.pin)
    config = {k: v for k, v in vars(args).items() if not callable(v)}
    config.update(app_cpus=app_cpus, browser_cpus=bench_cpus)
    config.update(cpus=os.cpu_count(), loadavg_1m=round(os.getloadavg()[0], 1))
    print(f"CONFIG {json.dumps(config)}", flush=True)
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"WARNING: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs before the run: other work "
              "on this machine will slow every figure down", flush=True)
    bench = Bench(args)
    outcome: dict = {}

    def watchdog() -> None:
        if not done.wait(args.timeout):
            print(f"TIMEOUT after {args.timeout:.0f}s: stopping everything; where the run was:", flush=True)
            import faulthandler

            sys.stdout.flush()
            faulthandler.dump_traceback(sys.stdout, all_threads=True)
            bench.cleanup(from_watchdog=True)
            print("RESULT " + json.dumps({"error": "timeout", **bench.result}), flush=True)
            os._exit(3)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    done = threading.Event()
    threading.Thread(target=watchdog, name="watchdog", daemon=True).start()
    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    try:
        outcome = bench.run()
    except BaseException as exc:  # report, clean up, and still end with a RESULT line
        traceback.print_exc()
        for name in ("app.log", "worker.log"):
            text = tail(bench.work / name, 2500)
            if text:
                print(f"---- {name} (tail) ----\n{text}", flush=True)
        outcome = {"error": f"{type(exc).__name__}: {exc}"[:500], **bench.result}
        code = 1
    finally:
        bench.cleanup()
        done.set()
    print(f"DETAIL {json.dumps({'idle_procs': bench.detail.get('idle_procs'), 'boards_procs': bench.detail.get('boards_procs')}, ensure_ascii=False)}")
    print(f"total {time.monotonic() - T0:.1f}s")
    print("RESULT " + json.dumps(outcome, ensure_ascii=False), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
