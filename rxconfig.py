"""Reflex configuration; every value comes from qihang_app.config.Settings."""

import reflex as rx

from qihang_app.config import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="qihang_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=_settings.app_port,
    backend_port=_settings.app_port,
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
