"""Run an ASGI app with uvicorn in a background thread on 127.0.0.1 (tests, benchmarks, scripts).

with ServerThread(create_app()) as server:
    httpx.get(server.url + "/_control/health")
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn


class ServerThread:
    def __init__(self, app, *, host: str = "127.0.0.1", port: int = 0, start_timeout: float = 10.0) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the sandbox only listens on loopback")
        self._config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on", access_log=False)
        self._server = uvicorn.Server(self._config)
        self._thread = threading.Thread(target=self._server.run, name="sandbox-server", daemon=True)
        self._start_timeout = start_timeout
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]  # the port 0 became
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():  # lifespan shutdown stuck: force the loop to end
            self._server.force_exit = True
            self._thread.join(timeout)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
