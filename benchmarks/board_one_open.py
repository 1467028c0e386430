"""The board benchmark's phases with one board open: the raw limits (idle backend, board SQL, HTTP
round trip), the measuring board, its updates one note at a time, and the order stream."""

from __future__ import annotations

import statistics
import time

from benchmarks import procs
from benchmarks.board_common import pct, r1, ratio, say
from benchmarks.board_page import BOARD_READY, CHROME_ARGS, CHROMIUM, INIT_SCRIPT, RTT_SCRIPT, VIEWPORT


class OneBoardPhases:
    """Each phase adds its figures to `self.result` and keeps what later phases compare with."""

    def measure_idle_backend(self) -> None:
        """Raw limit: the backend's memory before any board opened; then start the sampler."""
        res, app = self.result, self.app_proc
        idle = procs.memory_samples(app.pid)
        idle_rss = statistics.median(m["rss_mb"] for m in idle)
        idle_pss = statistics.median(m["pss_mb"] for m in idle)
        self.detail["idle_procs"] = idle[-1]["procs"]
        res.update(rss_idle_mb=r1(idle_rss), pss_idle_mb=r1(idle_pss))
        say(
            f"idle backend (no board open): RSS {idle_rss:.0f} MB, PSS {idle_pss:.0f} MB, "
            + ", ".join(f"{p['rss_mb']:.0f} MB pid {p['pid']}" for p in idle[-1]["procs"])
        )
        self.sampler = procs.RssSampler(app.pid, self.worker_proc.pid)
        self.sampler.start()
        self.idle_rss = idle_rss

    def measure_raw_board_sql(self) -> None:
        """Raw limit: the SQL of this board through the bare driver, and load_board() itself."""
        a, res, store_id = self.args, self.result, self.store_id
        self.raw_board_query(self.reader, store_id, 3)  # warm the page cache
        q1000 = self.raw_board_query(self.reader, store_id, a.query_reps)
        svc1000 = self.service_board(self.engine, max(3, a.query_reps // 3))
        res.update(raw_query_p95_ms=r1(pct(q1000, 95)), load_board_p50_ms=r1(pct(svc1000, 50)))
        say(
            f"raw board SQL at {a.live} live orders ({self.detail['raw_query_rows'][-1]} rows + lines): p50 {pct(q1000, 50):.1f} ms "
            f"p95 {pct(q1000, 95):.1f} ms; load_board() in this process p50 {pct(svc1000, 50):.1f} ms"
        )
        self.q1000 = q1000

    def open_measuring_board(self) -> None:
        """Chromium, a login, and the board with its stamping script; every websocket frame the
        page receives is recorded in `self.frames` (time, bytes)."""
        from playwright.sync_api import sync_playwright

        base = self.base
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
        page.locator("#password").fill(self.password)
        page.locator("#login-submit").click()
        page.wait_for_url(f"{base}/board**", timeout=30_000)
        page.wait_for_function(BOARD_READY, timeout=30_000, polling=100)
        page.wait_for_function(
            "() => document.querySelectorAll('#column-picking [data-platform-order-id]').length > 0",
            timeout=30_000,
            polling=100,
        )
        n_cards = page.evaluate("() => document.querySelectorAll('[data-platform-order-id]').length")
        say(f"measuring board open: {n_cards} card elements in the DOM (7 desk columns, 20 cards each at most)")
        self.ctx, self.page, self.frames = ctx, page, frames

    def measure_round_trip(self) -> None:
        """Raw limit: the bare HTTP round trip from the page to the backend (/api/version)."""
        rtt = self.page.evaluate(RTT_SCRIPT, self.args.rtt_reps)[5:]  # the first few open the connection
        raw_rtt = pct(rtt, 50)
        self.result["raw_rtt_ms"] = round(raw_rtt, 2)
        say(
            f"raw limit: bare HTTP round trip from the page (/api/version) p50 {raw_rtt:.2f} ms, p95 {pct(rtt, 95):.2f} ms"
        )
        self.raw_rtt = raw_rtt

    def measure_page_at_rest_empty(self) -> None:
        """How busy the measuring page is with nothing in 新订单."""
        before = self.page_metrics()
        time.sleep(self.args.rest)
        rest_empty = self.page_busy(before)
        self.result["page_rest_busy_pct"] = rest_empty["busy_pct"]
        say(
            f"the measuring page at rest, nothing in 新订单: main thread busy {rest_empty['busy_pct']}% "
            f"(script {rest_empty['script_pct']}%, paint and the rest {rest_empty['other_pct']}%)"
        )

    def measure_updates_one_note_each(self) -> None:
        """Updates of the 1,000-order board, one note each, nothing else running."""
        a, res, page, frames, q1000 = self.args, self.result, self.page, self.frames, self.q1000
        lat, builds, waits, emit, render, sizes = [], [], [], [], [], []
        for _ in range(a.nudges):
            n_frames = len(frames)
            at = self.nudge(self.store_id)
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
        res.update(
            update_1000_p50_ms=r1(pct(builds, 50)),
            update_1000_p95_ms=r1(pct(builds, 95)),
            note_to_dom_p50_ms=r1(pct(lat, 50)),
            note_to_dom_p95_ms=r1(pct(lat, 95)),
            update_1000_bytes_p50=pct(sizes, 50),
        )
        say(
            f"update of the {a.live}-order board (one note, one board, {len(builds)} updates): backend build p50 {r1(pct(builds, 50))} ms "
            f"p95 {r1(pct(builds, 95))} ms = {ratio(pct(builds, 95), pct(q1000, 95))}× the raw SQL p95"
        )
        say(
            f"  note → DOM p50 {r1(pct(lat, 50))} ms p95 {r1(pct(lat, 95))} ms = note → build start {r1(pct(waits, 50))} (incl. the feed's 30 ms coalescing and its read of the order) "
            f"+ build {r1(pct(builds, 50))} + built → in the page {r1(pct(emit, 50))} + in the page → DOM {r1(pct(render, 50))} ms (p50s); "
            f"delta {pct(sizes, 50)} bytes"
        )

    def measure_stream_one_board(self) -> None:
        """The order stream with the measuring board open: push → card visible, update sizes."""
        a, res, frames, store_id = self.args, self.result, self.frames, self.store_id
        known: set[str] = set()
        frames_before = len(frames)
        self.sampler.phase = "stream"
        say(f"streaming {a.rate:g} orders/s from {a.shops} Meituan sandbox shops for {a.seconds:g}s (one board open)")
        main = self.stream("stream", a.seconds, self.page, known)
        self.sampler.phase = "one-board"
        sizes = [s for _, s in frames[frames_before:] if s > 100]  # state deltas; pings are a few bytes
        main["cpu_cores"] = self.sampler.cores("stream")
        q_end = self.raw_board_query(self.reader, store_id, a.query_reps)
        counts = self.count_orders(self.reader, store_id)
        live_end = sum(v for k, v in counts.items() if k in ("awaiting_accept", "to_ship", "shipped"))
        self.report_stream(main, self.raw_rtt)
        say(
            f"  the board grew from {a.live} to {live_end} live orders; raw board SQL then p95 {pct(q_end, 95):.1f} ms "
            f"(update p95 = {ratio(main.get('update_p95_ms'), pct(q_end, 95))}× that)"
        )
        say(
            f"update size sent to the browser: p50 {pct(sizes, 50)} B, p95 {pct(sizes, 95)} B, max {max(sizes, default=None)} B "
            f"over {len(sizes)} frames, {sum(sizes) / 1e6:.1f} MB in all"
        )
        self.cpu_line("stream")
        res.update({k: main.get(k) for k in ("p50_ms", "p99_ms", "update_p95_ms", "visible_samples", "superseded")})
        res.update(
            update_bytes_p50=pct(sizes, 50),
            update_bytes_p95=pct(sizes, 95),
            update_bytes_max=max(sizes, default=None),
            offered_rate=a.rate,
            live_end=live_end,
            raw_query_end_p95_ms=r1(pct(q_end, 95)),
            stream=main,
        )
        self.known, self.main, self.q_end = known, main, q_end

    def measure_page_at_rest_with_new_orders(self) -> None:
        """Once the page has worked through queued updates: how busy it is with 新订单 flashing."""
        a, page = self.args, self.page
        # the page may still be working through queued updates: let it finish before more boards open
        t_q = time.monotonic()
        quiet = self.wait_quiet(page, 1.5, a.catchup)
        say(
            f"  the measuring page went quiet {time.monotonic() - t_q:.1f}s later"
            if quiet
            else f"  the measuring page was still receiving updates {a.catchup:g}s later"
        )

        before = self.page_metrics()
        time.sleep(a.rest)
        rest_new = self.page_busy(before)
        self.result["page_rest_new_busy_pct"] = rest_new["busy_pct"]
        say(
            f"the measuring page at rest with new orders waiting (新订单 flashing, badges pulsing): main thread busy "
            f"{rest_new['busy_pct']}% (script {rest_new['script_pct']}%, style + layout {rest_new['style_layout_pct']}%, "
            f"paint and the rest {rest_new['other_pct']}%)"
        )
