"""Daily clean-up: successfully processed inbox rows older than INBOX_RETENTION_DAYS go.

One short transaction per batch (the service deletes at most `batch_size` rows per call), so
webhook writes and ingest get the database between batches, even on SQLite.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from qihang_app.config import get_settings
from qihang_app.models import utcnow
from qihang_app.services import inbox as inbox_service
from workers.tasks.ingest import db_gate, run_db

PAUSE_BETWEEN_BATCHES = 0.05  # seconds: lets waiting writers in


async def prune_inbox(ctx: dict[str, Any], *, batch_size: int = inbox_service.PRUNE_BATCH) -> dict:
    cutoff = utcnow() - timedelta(days=get_settings().inbox_retention_days)
    deleted = 0
    while True:
        async with db_gate(ctx):
            count = await run_db(ctx, lambda s: inbox_service.prune_processed(s, older_than=cutoff, limit=batch_size))
        deleted += count
        if count < batch_size:
            return {"deleted": deleted}
        await asyncio.sleep(PAUSE_BETWEEN_BATCHES)
