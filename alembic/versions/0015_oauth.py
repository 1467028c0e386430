"""OAuth 授权: one-time states; shop token expiry and re-authorization mark; refund cursor

Revision ID: 0015_oauth
Revises: 0014_waybills
Create Date: 2026-11-27 16:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015_oauth"
down_revision: str | None = "0014_waybills"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def At() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("redirect_uri", sa.String(), nullable=False),
        sa.Column("created_at", At(), nullable=False),
        sa.Column("expires_at", At(), nullable=False),
        sa.Column("used_at", At(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_oauth_states_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_oauth_states_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_states_state_hash")),
    )
    op.create_index(op.f("ix_oauth_states_shop_id"), "oauth_states", ["shop_id"], unique=False)
    with op.batch_alter_table("shops") as batch:
        batch.add_column(sa.Column("refresh_expires_at", At(), nullable=True))
        batch.add_column(sa.Column("reauth_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("last_refund_cursor_at", At(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shops") as batch:
        batch.drop_column("last_refund_cursor_at")
        batch.drop_column("reauth_reason")
        batch.drop_column("refresh_expires_at")
    op.drop_index(op.f("ix_oauth_states_shop_id"), table_name="oauth_states")
    op.drop_table("oauth_states")
