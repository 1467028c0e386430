"""Keep the system's processes running: a child that dies is started again after a growing
delay (1, 2, 4 … s up to a minute, back to 1 s once it has run fine for a while); the others
keep serving. Only stop() (Ctrl-C / SIGTERM in the launcher) ends them all.

Each child runs in a process group of its own, so stopping it also stops whatever it started
(Reflex's web server, bun), and a terminal's Ctrl-C reaches the supervisor only: it stops the
children in order. Their output goes to one log file each; lines that look like errors are
also shown on the console (a few per minute at most).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|Traceback)\b")
ERRORS_SHOWN_PER_MINUTE = 3
LOG_ROTATE_BYTES = 20_000_000  # then the file becomes <name>.log.1 (one old file kept)


@dataclass
class Backoff:
    first: float = 1.0
    longest: float = 60.0
    healthy_after: float = 60.0  # a child that ran this long starts again from `first`


@dataclass
class Child:
    name: str  # shown on the console: "worker", "sandbox", "app", "redis"
    command: list[str]
    log_file: Path
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    delay: float = 0.0  # the next restart waits this long
    restart_at: float | None = None
    pids: list[int] = field(default_factory=list)  # every pid it ever had (tests look for orphans)


class Supervisor:
    def __init__(
        self, *, cwd: Path, env: dict[str, str], say: Callable[[str], None], backoff: Backoff | None = None
    ) -> None:
        self.cwd, self.env, self.say = cwd, env, say
        self.backoff = backoff or Backoff()
        self.children: list[Child] = []
        self._stopping = threading.Event()

    # ---- starting -----------------------------------------------------------------------------
    def start(self, name: str, command: list[str], log_file: Path) -> Child:
        child = Child(name, command, log_file, delay=self.backoff.first)
        self.children.append(child)
        self._spawn(child)
        return child

    def _spawn(self, child: Child) -> None:
        child.log_file.parent.mkdir(parents=True, exist_ok=True)
        child.proc = subprocess.Popen(
            child.command,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        child.started_at, child.restart_at = time.monotonic(), None
        child.pids.append(child.proc.pid)
        threading.Thread(target=self._pump, args=(child, child.proc), daemon=True, name=f"log-{child.name}").start()

    def _pump(self, child: Child, proc: subprocess.Popen) -> None:
        """Copy the child's output to its log file; echo error lines (rate-limited)."""
        shown: list[float] = []
        log = open(child.log_file, "ab")
        try:
            for raw in iter(proc.stdout.readline, b""):
                log.write(raw)
                log.flush()
                if log.tell() > LOG_ROTATE_BYTES:
                    log.close()
                    os.replace(child.log_file, child.log_file.with_suffix(".log.1"))
                    log = open(child.log_file, "ab")
                line = raw.decode("utf-8", "replace").rstrip()
                if ERROR_LINE.search(line) and not self._stopping.is_set():
                    now = time.monotonic()
                    shown = [t for t in shown if now - t < 60]
                    if len(shown) < ERRORS_SHOWN_PER_MINUTE:
                        shown.append(now)
                        self.say(f"{child.name}: {line[:300]}  (more in {_short(child.log_file)})")
        finally:
            log.close()
            proc.stdout.close()

    # ---- watching -----------------------------------------------------------------------------
    def check(self) -> None:
        """Notice children that died and start them again when their delay has passed."""
        now = time.monotonic()
        for child in self.children:
            if self._stopping.is_set():
                return
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._spawn(child)
                    self.say(f"{child.name} started again (pid {child.proc.pid}, restart #{child.restarts})")
                continue
            code = child.proc.poll()
            if code is None:
                continue
            _kill_group(child.proc.pid, signal.SIGKILL)  # whatever it left behind
            if now - child.started_at >= self.backoff.healthy_after:
                child.delay = self.backoff.first
            self.say(
                f"{child.name} stopped unexpectedly ({_describe(code)}); "
                f"restarting in {child.delay:g} s — log: {_short(child.log_file)}"
            )
            child.restart_at = now + child.delay
            child.delay = min(child.delay * 2, self.backoff.longest)

    def run(self, poll: float = 0.5) -> None:
        """check() until stop() is called (from a signal handler or another thread)."""
        while not self._stopping.wait(poll):
            self.check()

    # ---- stopping -----------------------------------------------------------------------------
    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM every child's process group, newest first; SIGKILL what is left after
        `timeout` seconds. Safe to call more than once."""
        self._stopping.set()
        running = [c for c in reversed(self.children) if c.proc is not None]
        for child in running:
            _kill_group(child.proc.pid, signal.SIGTERM)
            _wait(child.proc, timeout)
            _kill_group(child.proc.pid, signal.SIGKILL)  # stragglers of the group
        for child in running:
            _wait(child.proc, 2)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def request_stop(self) -> None:
        self._stopping.set()


def _kill_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # the child leads a group of its own (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass


def _wait(proc: subprocess.Popen, timeout: float) -> None:
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
