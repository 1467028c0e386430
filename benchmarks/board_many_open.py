"""The board benchmark's phases with many boards open: opening them, the backend's memory and idle
CPU with them, one note fanned out to all of them, a burst of orders, then the same stream with
no board open (the raw intake rate) and the summary ratios."""

from __future__ import annotations

import os
import statistics
import time

from benchmarks import procs
from benchmarks.board_common import LoopProbe, pct, r1, ratio, say
from benchmarks.board_page import BOARD_READY, INIT_SCRIPT, NO_ANIMATION, VIEWPORT


class ManyBoardPhases:
    """Each phase adds its figures to `self.result`; the one-board phases ran before."""

    def open_more_boards(self) -> None:
        """Open `--boards` - 1 more boards; sets `contexts` and `ready` (boards that opened)."""
        # The extra boards are real pages: each opens /board with the session cookie, gets its
        # state and renders it once (CSS animations off); then the page is frozen (CDP lifecycle
        # state), as a background tab is. The backend serves it exactly as before (its listener,
        # a rebuild on every note and every 20 s, deltas into its socket), but this machine's one
        # browser core does not have to render 50 boards: in the field each has its own device.
        a, base, ctx, page = self.args, self.base, self.ctx, self.page
        self.sampler.phase = "opening"
        # Meanwhile the measuring page is frozen too (its flashing header would take the browser's
        # core) and, the app being idle, the browser may use every core.
        self.page_cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
        app_side = set(procs.tree_pids(self.app_proc.pid)) | set(procs.tree_pids(self.worker_proc.pid))
        procs.set_browser_cpus(set(os.sched_getaffinity(0)) | (procs.APP_CPUS or set()), app_side)
        say(
            f"opening {a.boards - 1} more boards, {a.open_batch} at a time, animations off, each frozen after its first render"
        )
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
        self.contexts, self.ready, self.boards_open_s = contexts, ready, open_s

    def measure_memory_with_boards(self) -> None:
        """The backend's memory with every board open, against the idle backend."""
        a, res, ready, open_s, idle_rss = self.args, self.result, self.ready, self.boards_open_s, self.idle_rss
        time.sleep(a.settle)  # every board's 20 s timer refresh keeps running meanwhile
        with_boards = procs.memory_samples(self.app_proc.pid)
        rss_boards = statistics.median(m["rss_mb"] for m in with_boards)
        pss_boards = statistics.median(m["pss_mb"] for m in with_boards)
        self.detail["boards_procs"] = with_boards[-1]["procs"]
        res.update(rss_mb=r1(rss_boards), pss_mb=r1(pss_boards), boards=ready, boards_open_s=round(open_s, 1))
        say(
            f"{ready}/{a.boards} boards open ({len(self.contexts)} browser contexts) after {open_s:.1f}s: backend RSS {rss_boards:.0f} MB "
            f"(PSS {pss_boards:.0f} MB) = {ratio(rss_boards, idle_rss)}× the idle backend, "
            f"{(rss_boards - idle_rss) / max(1, ready):.1f} MB per board"
        )
        self.rss_boards = rss_boards

    def measure_idle_cpu_with_boards(self) -> None:
        """The app's CPU with every board open and no orders coming in."""
        self.sampler.phase = "boards-idle"
        time.sleep(self.args.settle)
        self.sampler.phase = "boards"
        idle_cores = self.sampler.cores("boards-idle")
        say(
            f"  with {self.ready} boards open and no orders coming in, the app uses {idle_cores.get('app')} cores "
            f"(every board rebuilds itself every 20 s)"
        )
        self.result["boards_idle_app_cores"] = idle_cores.get("app")

    def measure_one_note_fanned_out(self) -> None:
        """One note with every board open: the backend rebuilds every board, one after another."""
        a, res, base, page, ready, raw_rtt = self.args, self.result, self.base, self.page, self.ready, self.raw_rtt
        fan_lat, fan_built, fan_builds, stalls = [], [], [], []
        for _ in range(a.fanout):
            with LoopProbe(f"{base}/api/version") as probe:
                at = self.nudge(self.store_id)
                u = self.wait_update_after(page, at, a.fanout_wait, by="started")
                time.sleep(max(0.5, (u[0] - at) / 1000 if u else 0))  # the other boards' rebuilds go on
            if u:
                fan_lat.append(u[0] - at)
                fan_built.append(u[1] - at)
                fan_builds.append(u[2])
            stalls.append(probe.worst_ms())
            time.sleep(0.5)
        res.update(
            fanout_note_to_built_p50_ms=r1(pct(fan_built, 50)),
            fanout_note_to_dom_p50_ms=r1(pct(fan_lat, 50)),
            fanout_build_ms=r1(pct(fan_builds, 50)),
            fanout_http_worst_ms=r1(max(stalls, default=None)),
        )
        say(
            f"one note with {ready} boards open ({a.fanout} notes, p50s): the backend had rebuilt the measuring board {r1(pct(fan_built, 50))} ms "
            f"after it (build {r1(pct(fan_builds, 50))} ms), its page showed it after {r1(pct(fan_lat, 50))} ms "
            f"({res['note_to_dom_p50_ms']} ms with one board); the slowest HTTP round trip to the backend meanwhile "
            f"{r1(max(stalls, default=None))} ms (bare: {raw_rtt:.1f} ms): the boards share one build and get their deltas one after another"
        )

    def measure_burst_with_boards(self) -> None:
        """`--burst` seconds of the stream with every board open (skipped when 0)."""
        a, base = self.args, self.base
        if a.burst > 0:
            self.sampler.phase = "burst"
            say(f"streaming {a.rate:g} orders/s for {a.burst:g}s with {self.ready} boards open")
            with LoopProbe(f"{base}/api/version") as probe:
                burst = self.stream("burst", a.burst, self.page, self.known)
            self.sampler.phase = "boards"
            self.report_stream(burst, self.raw_rtt)
            self.cpu_line("burst")
            burst["cpu_cores"] = self.sampler.cores("burst")
            burst["rss_peak_mb"] = r1(self.sampler.peak("burst"))
            burst["http_worst_ms"] = r1(probe.worst_ms())
            say(
                f"[burst] backend RSS peak {burst['rss_peak_mb']} MB; slowest HTTP round trip to the backend {burst['http_worst_ms']} ms"
            )
            self.result["burst"] = burst

    def close_boards(self) -> None:
        """Record the backend's RSS peak with boards open, then close every board."""
        self.result["rss_peak_mb"] = r1(
            max(
                v
                for v in (
                    self.sampler.peak("boards"),
                    self.sampler.peak("boards-idle"),
                    self.sampler.peak("burst"),
                    self.rss_boards,
                )
                if v is not None
            )
        )
        for c in self.contexts:
            c.close()

    def measure_stream_without_boards(self) -> None:
        """Raw limit: the same stream with no board open (skipped when `--bare` is 0)."""
        a = self.args
        if a.bare > 0:
            self.sampler.phase = "no-board"
            time.sleep(1.0)
            say(
                f"streaming {a.rate:g} orders/s for {a.bare:g}s with no board open (how fast the app takes pushes without boards)"
            )
            bare = self.stream("no board", a.bare, None, self.known)
            self.sampler.phase = "end"
            self.report_stream(bare, self.raw_rtt)
            self.cpu_line("no-board")
            bare["cpu_cores"] = self.sampler.cores("no-board")
            self.result["no_board"] = bare

    def summarise(self) -> None:
        """Every speed figure against its raw limit, CPU per phase, and the targets."""
        res, raw_rtt, rss_boards = self.result, self.raw_rtt, self.rss_boards
        res["ratios"] = {
            "p50_vs_rtt": ratio(res.get("p50_ms"), raw_rtt),
            "p99_vs_rtt": ratio(res.get("p99_ms"), raw_rtt),
            "update_p95_vs_query_p95": ratio(res.get("update_p95_ms"), pct(self.q_end, 95)),
            "update_1000_p95_vs_query_p95": ratio(res.get("update_1000_p95_ms"), pct(self.q1000, 95)),
            "rss_vs_idle": ratio(rss_boards, self.idle_rss),
            "acked_rate_vs_no_board": ratio(self.main.get("acked_rate"), res.get("no_board", {}).get("acked_rate")),
        }
        self.sampler.phase = "end"
        res["cpu_cores"] = {k: self.sampler.cores(k) for k in self.sampler.cpu}
        res["loadavg_1m_end"] = round(os.getloadavg()[0], 1)
        res["targets_met"] = {
            "p99_le_1000ms": res.get("p99_ms") is not None and res["p99_ms"] <= 1000,
            "update_p95_le_150ms": res.get("update_p95_ms") is not None and res["update_p95_ms"] <= 150,
            "rss_le_400mb": rss_boards <= 400,
        }
