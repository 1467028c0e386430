"""ERP link: connections, account mapping, each order's ERP state, shipments, ERP results and
the inbound signatures seen inside the replay window

Revision ID: 0005_erp_link
Revises: 0008_ops
Create Date: 2026-11-27 12:49:31.825406+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0005_erp_link'
down_revision: str | None = '0009_delivery'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('erp_seen_signatures',
    sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('signature', name=op.f('pk_erp_seen_signatures'))
    )
    with op.batch_alter_table('erp_seen_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erp_seen_signatures_seen_at'), ['seen_at'], unique=False)

    op.create_table('erp_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('erp', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('base_url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('settings_json', sa.Text(), nullable=False),
    sa.Column('secrets_encrypted', sa.Text(), nullable=False),
    sa.Column('inbound_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('push_on', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('push_cancels', sa.Boolean(), nullable=False),
    sa.Column('push_after_sales', sa.Boolean(), nullable=False),
    sa.Column('customer_mode', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('last_check_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_check_message', sa.Text(), nullable=False),
    sa.Column('last_poll_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_erp_connections_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erp_connections'))
    )
    with op.batch_alter_table('erp_connections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erp_connections_inbound_key'), ['inbound_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_erp_connections_store_id'), ['store_id'], unique=False)

    op.create_table('erp_customer_maps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('buyer_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('customer_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['erp_connections.id'], name=op.f('fk_erp_customer_maps_connection_id_erp_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erp_customer_maps')),
    sa.UniqueConstraint('connection_id', 'platform', 'buyer_ref', name=op.f('uq_erp_customer_maps_connection_id_platform_buyer_ref'))
    )
    op.create_table('erp_order_states',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('blocked_reason', sa.Text(), nullable=False),
    sa.Column('erp_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('customer_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('pushed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['erp_connections.id'], name=op.f('fk_erp_order_states_connection_id_erp_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_erp_order_states_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_erp_order_states'))
    )
    with op.batch_alter_table('erp_order_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erp_order_states_connection_id'), ['connection_id'], unique=False)
        batch_op.create_index('ix_erp_order_states_state', ['state'], unique=False)

    op.create_table('erp_results',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['erp_connections.id'], name=op.f('fk_erp_results_connection_id_erp_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_erp_results_order_id_orders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erp_results')),
    sa.UniqueConstraint('connection_id', 'kind', 'ref', 'outcome', name=op.f('uq_erp_results_connection_id_kind_ref_outcome'))
    )
    with op.batch_alter_table('erp_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erp_results_order_id'), ['order_id'], unique=False)

    op.create_table('erp_shipments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('carrier_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('tracking_no', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lines_json', sa.Text(), nullable=False),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['erp_connections.id'], name=op.f('fk_erp_shipments_connection_id_erp_connections'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_erp_shipments_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erp_shipments')),
    sa.UniqueConstraint('order_id', 'carrier_code', 'tracking_no', name=op.f('uq_erp_shipments_order_id_carrier_code_tracking_no'))
    )
    with op.batch_alter_table('erp_shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erp_shipments_order_id'), ['order_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('erp_shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erp_shipments_order_id'))

    op.drop_table('erp_shipments')
    with op.batch_alter_table('erp_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erp_results_order_id'))

    op.drop_table('erp_results')
    with op.batch_alter_table('erp_order_states', schema=None) as batch_op:
        batch_op.drop_index('ix_erp_order_states_state')
        batch_op.drop_index(batch_op.f('ix_erp_order_states_connection_id'))

    op.drop_table('erp_order_states')
    op.drop_table('erp_customer_maps')
    with op.batch_alter_table('erp_connections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erp_connections_store_id'))
        batch_op.drop_index(batch_op.f('ix_erp_connections_inbound_key'))

    op.drop_table('erp_connections')
    with op.batch_alter_table('erp_seen_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erp_seen_signatures_seen_at'))

    op.drop_table('erp_seen_signatures')
