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

Modules: `board_setup` (Redis, database, sandbox, app, worker, clean-up), `board_data` (prefill,
raw board SQL, notes), `board_page` (Chromium, in-page stamps), `board_stream` (the order stream
and its report), `board_one_open` and `board_many_open` (the measuring phases), `board_common`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# (after the path fix when run as a script)
from benchmarks import procs  # noqa: E402
from benchmarks.board_common import T0, tail  # noqa: E402
from benchmarks.board_data import DataMixin  # noqa: E402
from benchmarks.board_many_open import ManyBoardPhases  # noqa: E402
from benchmarks.board_one_open import OneBoardPhases  # noqa: E402
from benchmarks.board_page import PageMixin  # noqa: E402
from benchmarks.board_setup import SetupMixin  # noqa: E402
from benchmarks.board_stream import StreamMixin  # noqa: E402


class Bench(SetupMixin, DataMixin, PageMixin, StreamMixin, OneBoardPhases, ManyBoardPhases):
    """One run: the phases in order, sharing what they started and measured on `self`."""

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

    def run(self) -> dict:
        self.start_sandbox_and_database()
        self.start_app_and_prefill()
        # one board
        self.measure_idle_backend()
        self.measure_raw_board_sql()
        self.open_measuring_board()
        self.measure_round_trip()
        self.measure_page_at_rest_empty()
        self.measure_updates_one_note_each()
        self.measure_stream_one_board()
        self.measure_page_at_rest_with_new_orders()
        # many boards
        self.open_more_boards()
        self.measure_memory_with_boards()
        self.measure_idle_cpu_with_boards()
        self.measure_one_note_fanned_out()
        self.measure_burst_with_boards()
        self.close_boards()
        # no board
        self.measure_stream_without_boards()
        self.summarise()
        return self.result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--quick", action="store_true", help="shorter stream, fewer boards (about a minute once the frontend is built)"
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rate", type=float, help="orders/s offered by the sandbox (full 200, quick 200)")
    parser.add_argument("--seconds", type=float, help="stream length (full 30, quick 5)")
    parser.add_argument("--boards", type=int, help="boards open for the RSS figure (full 50, quick 5)")
    parser.add_argument("--contexts", type=int, default=5, help="browser contexts the boards are spread over")
    parser.add_argument(
        "--shops",
        type=int,
        default=8,
        help="Meituan shops of the board's store sharing the rate (the sandbox pushes one shop's orders one at a time)",
    )
    parser.add_argument("--live", type=int, default=1000, help="live orders on the board before the stream")
    parser.add_argument("--burst", type=float, help="seconds of stream with every board open (full 5, quick 0)")
    parser.add_argument(
        "--bare", type=float, help="seconds of stream with no board open, the raw intake rate (full 5, quick 3)"
    )
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run in seconds (full 600, quick 180)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, SQLite file)")
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="do not split the cores (default: app + worker on one half, Chromium + sandbox on the other)",
    )
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
        print(
            f"WARNING: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs before the run: other work "
            "on this machine will slow every figure down",
            flush=True,
        )
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
    print(
        f"DETAIL {json.dumps({'idle_procs': bench.detail.get('idle_procs'), 'boards_procs': bench.detail.get('boards_procs')}, ensure_ascii=False)}"
    )
    print(f"total {time.monotonic() - T0:.1f}s")
    print("RESULT " + json.dumps(outcome, ensure_ascii=False), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
