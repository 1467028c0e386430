"""The daily database backup (same code as `python -m scripts.backup`), in a thread."""

from __future__ import annotations

import asyncio
from typing import Any

from qihang_app.config import get_settings
from qihang_app.services import backups


async def daily_backup(ctx: dict[str, Any]) -> str:
    settings = get_settings()
    url = ctx["engine"].url.render_as_string(hide_password=False)
    path = await asyncio.to_thread(backups.backup, url, settings.backup_dir, keep=settings.backup_keep)
    return str(path)
