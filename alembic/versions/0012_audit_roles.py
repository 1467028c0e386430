"""audit_log (append-only, refused UPDATE/DELETE by a trigger) and roles (merchant-defined
permission sets; the presets 管理员 / 店长 / 店员 seeded, existing users keep theirs by key)

Revision ID: 0012_audit_roles
Revises: 0004
Create Date: 2026-11-27 13:30:00+00:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qihang_app.models.audit import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL
from qihang_app.models.base import UTCDateTime, utcnow

revision: str = "0012_audit_roles"
down_revision: str | None = "0005_erp_link"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    roles = op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("permissions", sa.Text(), nullable=False),
        sa.Column("preset", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_roles"),
        sa.UniqueConstraint("key", name="uq_roles_key"),
    )
    from qihang_app.domain.permissions import PRESETS

    now = utcnow()
    op.bulk_insert(
        roles,
        [
            dict(key=key, name=zh, permissions=json.dumps(sorted(keys)), preset=True, created_at=now, updated_at=now)
            for key, (zh, _en, keys) in PRESETS.items()
        ],
    )
    # Users keep their role by key (admin / manager / staff): those are exactly the presets' keys.
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("actor_name", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("target_kind", sa.String(), nullable=False),
        sa.Column("target_id", sa.String(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_store_id", "audit_log", ["store_id"])
    op.create_index("ix_audit_log_target", "audit_log", ["target_kind", "target_id"])
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor", "at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])
    for statement in APPEND_ONLY_DDL[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_APPEND_ONLY_DDL[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table("audit_log")
    op.drop_table("roles")
