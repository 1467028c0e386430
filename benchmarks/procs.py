"""Linux /proc helpers shared by the benchmarks: process trees, their memory and CPU time,
the whole machine's CPU, and pinning the parts of a run to cores."""

from __future__ import annotations

import os
import signal
import threading
import time

APP_CPUS: set[int] | None = None  # with --pin: the cores of the app and the worker


def child_setup() -> None:
    """In the child: SIGTERM when this benchmark dies, even by SIGKILL (Linux prctl), and the
    app's own cores when pinned."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    if APP_CPUS:
        os.sched_setaffinity(0, APP_CPUS)


def pin_cpus(enabled: bool) -> tuple[list[int], list[int]]:
    """Split the cores: the app and its worker on the first half, this process (sandbox,
    Playwright) and Chromium on the rest — in the field the browsers run on other devices."""
    global APP_CPUS
    cpus = sorted(os.sched_getaffinity(0))
    if not enabled or len(cpus) < 2:
        return cpus, cpus
    half = len(cpus) // 2
    APP_CPUS = set(cpus[:half])
    os.sched_setaffinity(0, set(cpus[half:]))  # before any thread or child starts: they inherit it
    return cpus[:half], cpus[half:]


def proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, pgid) for every readable process."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
            table[int(name)] = (int(rest[1]), int(rest[2]))
        except (OSError, IndexError, ValueError):
            continue
    return table


def tree_pids(root: int) -> list[int]:
    """The process group of `root` plus every descendant (wherever it moved)."""
    table = proc_table()
    members = _descendants(table, {pid for pid, (_, pgid) in table.items() if pgid == root} | {root})
    return sorted(p for p in members if p in table)


def _descendants(table: dict[int, tuple[int, int]], members: set[int]) -> set[int]:
    """`members` plus every process below them."""
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _) in table.items():
            if ppid in members and pid not in members:
                members.add(pid)
                grew = True
    return members


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmd(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:90]
    except OSError:
        return "?"


def tree_memory(root: int) -> dict:
    pids = tree_pids(root)
    per = [(pid, _status_kb(pid, "VmRSS"), _pss_kb(pid), _cmd(pid)) for pid in pids]
    return {
        "rss_mb": sum(p[1] for p in per) / 1024,
        "pss_mb": sum(p[2] for p in per) / 1024,
        "procs": [{"pid": p[0], "rss_mb": round(p[1] / 1024, 1), "cmd": p[3]} for p in per if p[1]],
    }


def memory_samples(root: int, n: int = 3, every: float = 0.3) -> list[dict]:
    out = []
    for _ in range(n):
        time.sleep(every)
        out.append(tree_memory(root))
    return out


def cpu_seconds(pids) -> float:
    """User + system CPU seconds so far of these live processes."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
            total += int(rest[11]) + int(rest[12])  # utime + stime of the live process
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def cpu_split(app: int, worker: int) -> dict[str, float]:
    """CPU seconds so far: the app tree, the worker tree, Chromium and this process (sandbox,
    Playwright client); processes that already exited are not counted."""
    app_pids, worker_pids = set(tree_pids(app)), set(tree_pids(worker))
    mine = set(tree_pids_of_parent(os.getpid())) - app_pids - worker_pids - {os.getpid()}
    return {
        "app": cpu_seconds(app_pids),
        "worker": cpu_seconds(worker_pids),
        "browser": cpu_seconds(mine),
        "bench": cpu_seconds([os.getpid()]),
    }


def tree_pids_of_parent(root: int) -> list[int]:
    return sorted(_descendants(proc_table(), {root}))


def set_browser_cpus(cpus: set[int] | None, skip: set[int]) -> None:
    """Move every thread of this run's browser processes (our descendants but the app's and the
    worker's) to `cpus`; new renderers inherit it from the zygote."""
    if not cpus:
        return
    for pid in tree_pids_of_parent(os.getpid()):
        if pid == os.getpid() or pid in skip:
            continue
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            continue
        for tid in tids:
            try:
                os.sched_setaffinity(tid, cpus)
            except OSError:
                pass


class RssSampler(threading.Thread):
    """Samples the app's process tree every `every` seconds, labelled with the current phase,
    and the CPU time each part of the run used per phase."""

    def __init__(self, root: int, worker: int, every: float = 0.5) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.root, self.worker, self.every, self._phase = root, worker, every, "idle"
        self.samples: list[tuple[float, str, float]] = []
        self.cpu: dict[str, dict[str, float]] = {}  # phase -> part -> CPU seconds
        self.wall: dict[str, float] = {}
        self._mark = (time.monotonic(), cpu_split(root, worker))
        self._halt = threading.Event()
        self._lock = threading.Lock()

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, value: str) -> None:
        with self._lock:
            now, split = time.monotonic(), cpu_split(self.root, self.worker)
            then, before = self._mark
            acc = self.cpu.setdefault(self._phase, {})
            for part, sec in split.items():
                acc[part] = acc.get(part, 0.0) + max(0.0, sec - before.get(part, 0.0))
            self.wall[self._phase] = self.wall.get(self._phase, 0.0) + now - then
            self._mark, self._phase = (now, split), value

    def cores(self, phase: str) -> dict[str, float]:
        """Average cores used by each part during a phase."""
        wall = self.wall.get(phase) or 0.0
        return {k: round(v / wall, 2) for k, v in self.cpu.get(phase, {}).items()} if wall else {}

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self.samples.append((time.time(), self._phase, tree_memory(self.root)["rss_mb"]))
            except Exception:
                pass
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()

    def peak(self, phase: str) -> float | None:
        vals = [s[2] for s in self.samples if s[1] == phase]
        return max(vals) if vals else None


def tree_rss_mb(root: int) -> float:
    """VmRSS of `root`, its process group and every descendant, in MB."""
    return sum(_status_kb(pid, "VmRSS") for pid in tree_pids(root)) / 1024


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds so far of `root`, its process group and every descendant still alive."""
    return cpu_seconds(tree_pids(root))


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine so far (/proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)
