"""The ingest benchmark's load generator (run in its own process through `--loadgen`) and the
pre-rendered HTTP/1.1 requests it sends."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.ingest_common import ROOT

CONNECTIONS = 64


def loadgen_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    requests = [bytes.fromhex(h) for h in json.loads(Path(spec["requests"]).read_text())]
    results: list = [None] * len(requests)
    counter = iter(range(len(requests)))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
        try:
            for index in counter:
                sent = time.time()
                writer.write(requests[index])
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length) if length else b""
                results[index] = (sent, time.time(), status, body[:60].decode("utf-8", "replace"))
        finally:
            writer.close()

    async def run() -> None:
        await asyncio.gather(*(connection() for _ in range(spec["connections"])))

    started = time.time()
    asyncio.run(run())
    Path(spec["out"]).write_text(json.dumps({"started": started, "finished": time.time(), "results": results}))


def http_request(host: str, port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded;charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


def run_load(work: Path, host: str, port: int, requests: list[bytes], name: str) -> dict:
    req_file, spec_file, out_file = (
        work / f"{name}.requests.json",
        work / f"{name}.spec.json",
        work / f"{name}.out.json",
    )
    req_file.write_text(json.dumps([r.hex() for r in requests]))
    spec_file.write_text(
        json.dumps(
            {"requests": str(req_file), "host": host, "port": port, "connections": CONNECTIONS, "out": str(out_file)}
        )
    )
    subprocess.run([sys.executable, "-m", "benchmarks.ingest", "--loadgen", str(spec_file)], cwd=ROOT, check=True)
    data = json.loads(out_file.read_text())
    results = [r for r in data["results"] if r is not None]
    sends = [r[0] for r in results]
    span = max(r[1] for r in results) - min(sends)
    bad = [r for r in results if r[2] != 200]
    return {
        "per_s": len(results) / span if span > 0 else 0.0,
        "span": span,
        "latency_ms": [(r[1] - r[0]) * 1000 for r in results],
        "sends": sends,
        "errors": len(bad),
        "sample_error": bad[0][3] if bad else "",
    }


def fix_length(request: bytes) -> bytes:
    head, body = request.split(b"\r\n\r\n", 1)
    lines = [
        line if not line.startswith(b"Content-Length:") else b"Content-Length: " + str(len(body)).encode()
        for line in head.split(b"\r\n")
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
