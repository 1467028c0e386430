"""The supervisor on small shell children: growing restart delays, the reset after a healthy
run, and a stop that leaves nothing behind (grandchildren included)."""

from __future__ import annotations

import os
import re
import time

from scripts.supervisor import Backoff, Supervisor

from .processes import processes_with


def _supervisor(tmp_path, marker, backoff):
    lines: list[str] = []
    env = {**os.environ, "QH_TEST_MARKER": marker}
    return Supervisor(cwd=tmp_path, env=env, say=lines.append, backoff=backoff), lines


def _run_for(supervisor, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        supervisor.check()
        time.sleep(0.02)


def test_a_crashing_child_is_restarted_with_growing_delays(tmp_path):
    marker = f"crash-{os.getpid()}-{time.monotonic_ns()}"
    supervisor, lines = _supervisor(tmp_path, marker, Backoff(first=0.1, longest=0.4, healthy_after=60))
    child = supervisor.start("worker", ["sh", "-c", "echo ERROR boom; exit 3"], tmp_path / "w.log")
    try:
        _run_for(supervisor, 1.9)
    finally:
        supervisor.stop(timeout=2)
    delays = [float(d) for d in re.findall(r"restarting in ([\d.]+) s", "\n".join(lines))]
    assert delays[:4] == [0.1, 0.2, 0.4, 0.4]
    assert any("worker stopped unexpectedly (exit code 3)" in line for line in lines)
    assert any("started again" in line and "restart #1" in line for line in lines)
    assert child.restarts >= 3
    assert "ERROR boom" in (tmp_path / "w.log").read_text()  # output kept in the log file
    shown = [line for line in lines if "ERROR boom" in line]
    assert 1 <= len(shown) <= 3 * len(child.pids)  # and echoed, a few at most


def test_the_delay_starts_again_from_the_first_after_a_healthy_run(tmp_path):
    marker = f"healthy-{os.getpid()}-{time.monotonic_ns()}"
    supervisor, lines = _supervisor(tmp_path, marker, Backoff(first=0.1, longest=5, healthy_after=0.3))
    supervisor.start("app", ["sh", "-c", "sleep 0.4; exit 1"], tmp_path / "a.log")
    try:
        _run_for(supervisor, 2.0)
    finally:
        supervisor.stop(timeout=2)
    delays = re.findall(r"restarting in ([\d.]+) s", "\n".join(lines))
    assert len(delays) >= 2 and set(delays) == {"0.1"}


def test_stop_ends_children_and_what_they_started(tmp_path):
    marker = f"stop-{os.getpid()}-{time.monotonic_ns()}"
    supervisor, lines = _supervisor(tmp_path, marker, Backoff())
    supervisor.start("app", ["sh", "-c", "sleep 300 & sleep 300 & wait"], tmp_path / "a.log")
    # ignores SIGTERM: must be killed after the timeout
    supervisor.start("stubborn", ["sh", "-c", "trap '' TERM; sleep 300 & wait; sleep 300"], tmp_path / "s.log")
    time.sleep(0.3)
    assert len(processes_with(marker)) >= 5
    started = time.monotonic()
    supervisor.stop(timeout=1)
    assert time.monotonic() - started < 5
    assert processes_with(marker) == []
    assert not any("unexpectedly" in line for line in lines)  # a stop is not a crash
