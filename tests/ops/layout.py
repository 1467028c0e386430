"""The production layout of deploy/ run on loopback: nginx (Debian's, with deploy/nginx/qihang.conf),
M Reflex backend processes and N arq workers, on PostgreSQL and Redis, APP_ENV=prod.

Every process carries a marker in its environment, so the test can find (and in the end kill)
all of them, the ones they started included."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from qihang_app.config import ROOT
from tests.ops.processes import free_port, kill_all, processes_with

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy/nginx/qihang.conf"


def nginx_config(work: Path, *, listen: int, app_ports: list[int]) -> Path:
    """deploy/nginx/qihang.conf with this run's ports and paths, inside a minimal main config."""
    site = SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in app_ports)
    site, n = re.subn(r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers, site)
    assert n == 1, "the upstream block of deploy/nginx/qihang.conf changed shape"
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};").replace("/opt/qihang", str(ROOT))
    (work / "site.conf").write_text(site)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / name).mkdir(exist_ok=True)
    main = f"""
daemon off;
worker_processes 1;
{"user root;" if os.geteuid() == 0 else ""}
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {work}/access.log;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {work}/site.conf;
}}
"""
    path = work / "nginx.conf"
    path.write_text(main)
    return path


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except Exception:
        return False


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Layout:
    work: Path
    env: dict[str, str]
    marker: str
    nginx_port: int = field(default_factory=free_port)
    app_ports: list[int] = field(default_factory=list)
    procs: dict[str, Proc] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def run(self, *args: str, timeout: float = 900) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"{args}: {done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def start(self, name: str, command: list[str], **extra_env: str) -> Proc:
        log = self.work / f"{name}.log"
        with open(log, "w") as out:
            popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.env, **extra_env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs[name] = Proc(name, popen, log)
        return self.procs[name]

    def start_app(self, name: str, port: int) -> Proc:
        # REFLEX_BACKEND_ONLY, as the systemd unit sets it (rxconfig then leaves the ports alone)
        command = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-host", "127.0.0.1"]
        return self.start(name, [*command, "--backend-port", str(port)], REFLEX_BACKEND_ONLY="true")

    def start_worker(self, name: str) -> Proc:
        return self.start(name, [sys.executable, "-m", "arq", "workers.settings.WorkerSettings"])

    def start_nginx(self) -> Proc:
        config = nginx_config(self.work, listen=self.nginx_port, app_ports=self.app_ports)
        check = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        return self.start("nginx", [NGINX, "-c", str(config)])

    def wait(self, url: str, proc: Proc, seconds: float = 300) -> float:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if proc.popen.poll() is not None:
                raise AssertionError(f"{proc.name} exited ({proc.popen.returncode}):\n{proc.tail()}")
            if answers(url):
                return time.monotonic() - started
            time.sleep(0.3)
        raise AssertionError(f"{proc.name} did not answer at {url} within {seconds}s:\n{proc.tail()}")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs[name]
        try:
            os.killpg(proc.pid, sig)
            proc.popen.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.popen.wait(timeout=10)

    def app_of(self, pid: int) -> str | None:
        """Which app process (by name) a process id belongs to (its session leader)."""
        try:
            session = os.getsid(pid)
        except ProcessLookupError:
            return None
        return next((name for name, p in self.procs.items() if p.pid == session), None)

    def close(self) -> None:
        for name in list(self.procs):
            if self.procs[name].popen.poll() is None:
                self.stop(name)
        kill_all(self.marker)
        assert processes_with(self.marker) == []


def prod_env(*, database_url: str, redis_url: str, work: Path, public_url: str, marker: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        APP_ENV="prod",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATA_KEY=secrets.token_urlsafe(48),
        ADMIN_PASSWORD=secrets.token_urlsafe(12),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        UI_STATE="redis",
        PUBLIC_URL=public_url,
        GRANIAN_WORKERS="1",
        VAR_DIR=str(work / "var"),
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        QH_LAYOUT_MARKER=marker,
    )
    env.setdefault("REFLEX_BUN_PATH", str(ROOT / ".tools/node_modules/bun/bin/bun.exe"))
    return env
