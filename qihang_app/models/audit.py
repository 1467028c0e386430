"""The audit trail: one row per change made by a person or an API key. Append-only.

No code path updates or deletes a row (tests/services/test_audit_append_only.py scans for one),
and a trigger on both databases refuses UPDATE and DELETE (APPEND_ONLY_DDL, run by the migration).
No foreign keys: a deleted user's or store's history stays.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, BigIntPK, Text, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_target", "target_kind", "target_id"),
        sa.Index("ix_audit_log_actor_at", "actor", "at"),
        sa.Index("ix_audit_log_action_at", "action", "at"),
    )

    id: int | None = Field(default=None, sa_type=BigIntPK, primary_key=True)
    at: datetime = At(nullable=False, index=True, default_factory=utcnow)
    actor: str  # "user:<id>", "key:<id>", or "anonymous" (a failed log in names no account)
    actor_name: str = ""  # the username then: readable after the account is deleted
    address: str | None = None  # client IP
    action: str  # stable key, e.g. "order.accept", "auth.login_failed"
    target_kind: str = ""  # "order", "user", "role", "store", "shop", "session", ...
    target_id: str = ""
    store_id: int | None = Field(default=None, index=True)  # scope: who may read it
    before: str | None = Text(None, nullable=True)  # JSON; secret fields never, see domain/audit.py
    after: str | None = Text(None, nullable=True)


_REFUSE = "audit_log is append-only"
APPEND_ONLY_DDL: dict[str, list[str]] = {
    "sqlite": [
        f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END",
        f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{_REFUSE}'; END $$",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()",
    ],
}
DROP_APPEND_ONLY_DDL: dict[str, list[str]] = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
        "DROP FUNCTION IF EXISTS audit_log_refuse()",
    ],
}
