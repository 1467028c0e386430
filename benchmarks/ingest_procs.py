"""The ingest benchmark's child processes (each in its own process group) and the waits for the
server and the workers to come up."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from benchmarks.ingest_common import ROOT


class Children:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "w")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text()[-3000:] if path.exists() else ""


def wait_workers(engine, count: int, since: float, seconds: float = 30.0) -> None:
    """Until `count` workers recorded a heartbeat (its cron runs at startup) after `since`."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from qihang_app.models import WorkerHeartbeat

    started = datetime.fromtimestamp(since, UTC)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            seen = conn.execute(
                sa.select(sa.func.count()).select_from(WorkerHeartbeat).where(WorkerHeartbeat.started_at >= started)
            ).scalar_one()
        if seen >= 1:  # the heartbeat cron is unique: one of N workers records each tick
            time.sleep(0.5 if count > 1 else 0)
            return
        time.sleep(0.1)
    raise RuntimeError("workers did not start")


def wait_http(url: str, seconds: float) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")
