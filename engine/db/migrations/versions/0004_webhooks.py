"""webhooks: inbound deliveries, the message buffer, outbound subscriptions, outbox and attempts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 14:39:43.793165

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_buffer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_name', sa.String(length=200), nullable=False),
    sa.Column('correlation_key', sa.String(length=120), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_buffer'))
    )
    with op.batch_alter_table('message_buffer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_buffer_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_buffer_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index('ix_message_buffer_key_name', ['correlation_key', 'message_name'], unique=False)

    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('webhook_id', sa.String(length=200), nullable=False),
    sa.Column('event_type', sa.String(length=120), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('business_key', sa.String(length=120), nullable=True),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replayed_by', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    sa.UniqueConstraint('source', 'webhook_id', name='uq_webhook_delivery_source_webhook_id')
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_delivery_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_webhook_delivery_outcome_received_at', ['outcome', 'received_at'], unique=False)
        batch_op.create_index('ix_webhook_delivery_received_at', ['received_at'], unique=False)

    op.create_table('webhook_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('event_types', sa.JSON(), nullable=False),
    sa.Column('process_id', sa.String(length=200), nullable=True),
    sa.Column('municipality_code', sa.String(length=6), nullable=True),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscription'))
    )
    op.create_table('webhook_outbound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('msg_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=60), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscription.id'], name=op.f('fk_webhook_outbound_subscription_id_webhook_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_outbound')),
    sa.UniqueConstraint('msg_id', name=op.f('uq_webhook_outbound_msg_id'))
    )
    with op.batch_alter_table('webhook_outbound', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_outbound_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_outbound_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('webhook_outbound_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbound_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['outbound_id'], ['webhook_outbound.id'], name=op.f('fk_webhook_outbound_attempt_outbound_id_webhook_outbound'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_outbound_attempt'))
    )
    with op.batch_alter_table('webhook_outbound_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_outbound_attempt_outbound_id'), ['outbound_id'], unique=False)



def downgrade():
    with op.batch_alter_table('webhook_outbound_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_outbound_attempt_outbound_id'))

    op.drop_table('webhook_outbound_attempt')
    with op.batch_alter_table('webhook_outbound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_outbound_subscription_id'))
        batch_op.drop_index('ix_webhook_outbound_status_next_attempt_at')

    op.drop_table('webhook_outbound')
    op.drop_table('webhook_subscription')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_delivery_received_at')
        batch_op.drop_index('ix_webhook_delivery_outcome_received_at')
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_instance_id'))

    op.drop_table('webhook_delivery')
    with op.batch_alter_table('message_buffer', schema=None) as batch_op:
        batch_op.drop_index('ix_message_buffer_key_name')
        batch_op.drop_index(batch_op.f('ix_message_buffer_expires_at'))
        batch_op.drop_index(batch_op.f('ix_message_buffer_delivery_id'))

    op.drop_table('message_buffer')
