"""Operational bookkeeping."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import At


class WorkerHeartbeat(SQLModel, table=True):
    __tablename__ = "worker_heartbeats"

    worker_id: str = Field(primary_key=True)
    host: str = ""
    pid: int = 0
    started_at: datetime = At(nullable=False)
    last_seen_at: datetime = At(nullable=False, index=True)
    jobs_done: int = 0  # as reported by the worker process since it started
