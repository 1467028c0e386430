"""The running app, as far as state code needs it, without importing the app module (which
imports every page and state). qihang_app.qihang_app registers the app here when it is built."""

from __future__ import annotations

from typing import Any

_app: Any = None


def set_app(app: Any) -> None:
    global _app
    _app = app


def client_connected(token: str) -> bool:
    """Is the browser tab with this client token still connected to this backend? True while
    no app (or no websocket namespace) is registered, e.g. in tests."""
    namespace = getattr(_app, "event_namespace", None)
    return namespace is None or token in namespace.token_to_sid
