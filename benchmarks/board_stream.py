"""The board benchmark's order stream: the sandbox offers orders at a rate, and every pushed order
is followed to the database and onto the measuring page; plus the lines that report it."""

from __future__ import annotations

import os
import time

from benchmarks.board_common import http_json, pct, r1, ratio, say


class StreamMixin:
    """Needs `self.args`, `self.sb` (the in-process sandbox), `self.sandbox_url`, `self.reader`,
    `self.sampler` and the page methods of `PageMixin`."""

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
                rows = session.exec(
                    select(Order.platform_order_id, Order.created_at).where(
                        Order.platform_order_id.in_(ids[i : i + 500])
                    )
                )
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
            "label": label,
            "seconds": seconds,
            "offered": len(pushes),
            "acked": len(delivered),
            "dropped": dropped,
            "push_failed": failed,
            "acked_rate": round(acked_rate, 1),
            "sandbox_queue": queue,
            "drain_s": round(t_acked - t1, 1),
            "ingested": len(created),
            "ingest_done_s": round(t_ingested - t1, 1),
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
        out.update(
            {
                # cards still on their way when the run ended count with the time they had waited
                # so far: with any of them, p99 is a lower bound
                "p50_ms": r1(pct(samples + censored, 50)),
                "p99_ms": r1(pct(samples + censored, 99)),
                "p99_is_lower_bound": bool(censored),
                "max_ms": r1(max(samples + censored, default=None)),
                "p50_shown_ms": r1(pct(samples, 50)),
                "p99_shown_ms": r1(pct(samples, 99)),
                "visible_samples": len(samples),
                "superseded": superseded,
                "not_shown_by_end": pending,
                "not_ingested": not_ingested,
                "dom_p50_ms": r1(pct(dom_samples, 50)),
                "dom_p99_ms": r1(pct(dom_samples, 99)),
                "db_to_visible_p50_ms": r1(pct(db_to_paint, 50)),
                "db_to_visible_p99_ms": r1(pct(db_to_paint, 99)),
                "count_p50_ms": r1(pct(count_lat, 50)),
                "count_p99_ms": r1(pct(count_lat, 99)),
                "count_samples": len(count_lat),
                "updates": len(ups),
                "update_interval_p50_ms": r1(pct(interval, 50)),
                "built_interval_p50_ms": r1(pct(built_every, 50)),
                "update_p50_ms": r1(pct([u[2] for u in ups], 50)),
                "update_p95_ms": r1(pct([u[2] for u in ups], 95)),
                "update_max_ms": r1(max((u[2] for u in ups), default=None)),
                "built_to_ws_p50_ms": r1(pct(emit, 50)),
                "built_to_ws_p95_ms": r1(pct(emit, 95)),
                "ws_to_dom_p50_ms": r1(pct(render, 50)),
                "ws_to_dom_p95_ms": r1(pct(render, 95)),
                "page": busy,
                "page_longest_task_ms": r1(max((d for _, d in long), default=None)),
                "loadavg_1m": round(os.getloadavg()[0], 1),
                "page_visibility": page.evaluate("() => document.visibilityState"),
            }
        )
        return out

    def report_stream(self, s: dict, raw_rtt: float) -> None:
        say(
            f"[{s['label']}] offered {s['offered']} orders ({s['offered'] / s['seconds']:.0f}/s for {s['seconds']:g}s); the app acknowledged "
            f"{s['acked']} at {s['acked_rate']:.0f}/s; {s['dropped']} still queued in the sandbox {s['drain_s']:g}s after the stop were dropped; "
            f"sandbox queue each second {s['sandbox_queue']}"
        )
        if "p50_ms" not in s:
            say(
                f"[{s['label']}] ack → order created by the worker p50 {s['ack_to_db_p50_ms']} ms p99 {s['ack_to_db_p99_ms']} ms"
            )
            return
        bound = " (p99 is a lower bound)" if s["p99_is_lower_bound"] else ""
        say(
            f"[{s['label']}] push → card visible: p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms{bound}, max {s['max_ms']} ms over {s['visible_samples']} cards "
            f"+ {s['not_shown_by_end']} still on their way = {ratio(s['p50_ms'], raw_rtt)}× / {ratio(s['p99_ms'], raw_rtt)}× the bare HTTP round trip ({raw_rtt:.2f} ms)"
        )
        say(
            f"[{s['label']}]   not samples: {s['superseded']} superseded (a board built after the order existed reached the page without it: "
            f"20 newer cards in the 新订单 column), {s['not_ingested']} not ingested, {s['push_failed']} pushes failed"
        )
        say(
            f"[{s['label']}]   push → counted on the board (every order, superseded too): p50 {s['count_p50_ms']} ms p99 {s['count_p99_ms']} ms"
        )
        say(
            f"[{s['label']}]   stages p50: ack → order created by the worker {s['ack_to_db_p50_ms']} ms (p99 {s['ack_to_db_p99_ms']}), in DB → visible {s['db_to_visible_p50_ms']} ms "
            f"(p99 {s['db_to_visible_p99_ms']}); per update: build {s['update_p50_ms']} ms, built → in the page {s['built_to_ws_p50_ms']} ms "
            f"(p95 {s['built_to_ws_p95_ms']}), in the page → DOM {s['ws_to_dom_p50_ms']} ms (p95 {s['ws_to_dom_p95_ms']})"
        )
        say(
            f"[{s['label']}]   {s['updates']} board updates reached the page, one every {s['update_interval_p50_ms']} ms (p50; built one every {s['built_interval_p50_ms']} ms); "
            f"backend build p50 {s['update_p50_ms']} ms p95 {s['update_p95_ms']} ms max {s['update_max_ms']} ms"
        )
        pg = s["page"]
        say(
            f"[{s['label']}]   the page's main thread was busy {pg['busy_pct']}% of the time: script (React) {pg['script_pct']}%, "
            f"style + layout {pg['style_layout_pct']}%, paint and the rest {pg['other_pct']}% (longest task {s['page_longest_task_ms']} ms); "
            f"load average {s['loadavg_1m']} on {os.cpu_count()} CPUs"
        )

    def cpu_line(self, phase: str) -> None:
        c = self.sampler.cores(phase)
        if c:
            say(
                f"  CPU during '{phase}' ({self.sampler.wall[phase]:.0f}s, {os.cpu_count()} cores): app {c['app']}, worker {c['worker']}, "
                f"Chromium {c['browser']}, this process (sandbox, Playwright) {c['bench']} cores on average"
            )
