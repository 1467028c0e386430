"""orders: who cancelled and why (the board's 已取消 / 已拒单 mark), and the privacy-number
extension's tail for 尾号 search

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("cancelled_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("receiver_phone_ext", sa.String(length=4), nullable=False, server_default=""))
        batch.create_index("ix_orders_receiver_phone_ext", ["receiver_phone_ext"])
    # Existing privacy numbers get their extension's tail ("…_5885" → "5885"), and the main
    # number's tail is recomputed (an ORM update used to overwrite it with the extension's).
    orders = sa.table("orders", sa.column("id", sa.Integer), sa.column("receiver_phone", sa.String),
                      sa.column("receiver_phone_tail", sa.String), sa.column("receiver_phone_ext", sa.String))
    conn = op.get_bind()
    from qihang_app.domain.display import extension_tail, phone_tail

    extension = sa.or_(*(orders.c.receiver_phone.contains(sep, autoescape=True) for sep in ("_", ",", "#", "转")))
    rows = conn.execute(sa.select(orders.c.id, orders.c.receiver_phone).where(extension)).all()
    for order_id, phone in rows:
        conn.execute(orders.update().where(orders.c.id == order_id).values(
            receiver_phone_tail=phone_tail(phone), receiver_phone_ext=extension_tail(phone)))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_receiver_phone_ext")
        batch.drop_column("receiver_phone_ext")
        batch.drop_column("cancel_reason")
        batch.drop_column("cancelled_by")
