"""Shared bits of the board benchmark: progress lines, percentiles, ports, HTTP, a loop probe."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
T0 = time.monotonic()


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
