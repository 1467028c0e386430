"""Reflex configuration; every value comes from qihang_app.config.Settings."""

import os

import reflex as rx

from qihang_app.config import get_settings

_settings = get_settings()
# A backend-only process (deploy/: several behind nginx, which serves the built frontend) gets
# its port on the command line; Reflex refuses a frontend port there.
_backend_only = os.environ.get("REFLEX_BACKEND_ONLY", "").lower() in ("1", "true", "yes")
_ports = {} if _backend_only else {"frontend_port": _settings.app_port, "backend_port": _settings.app_port}

config = rx.Config(
    app_name="qihang_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    **_ports,
    # The frontend bakes in the backend URL: set PUBLIC_URL when staff reach the app by another host.
    **({"api_url": _settings.public_url} if _settings.public_url else {}),
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium", appearance="light")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    **(
        {"state_manager_mode": rx.constants.StateManagerMode.REDIS, "redis_url": _settings.redis_url}
        if _settings.ui_state == "redis"
        else {"state_manager_mode": rx.constants.StateManagerMode.MEMORY}
    ),
)
