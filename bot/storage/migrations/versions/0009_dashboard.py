"""Support leads' dashboard: each chat's day without anything personal (chat_days), the school of a ticket, and the
indexes its aggregates read (tickets by creation and closing time, each ticket's first agent answer)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('tenant', sa.String(length=32), nullable=True),
    sa.Column('uai', sa.String(length=16), nullable=True),
    sa.Column('diagnosis', sa.String(length=64), nullable=True),
    sa.Column('handed_over', sa.Boolean(), nullable=False),
    sa.Column('turns', sa.Integer(), nullable=False),
    sa.Column('misses', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'day')
    )
    op.create_index(
        'ix_chat_days_day', 'chat_days', ['day', 'diagnosis', 'tenant', 'handed_over', 'misses'], unique=False
    )
    op.create_index('ix_chat_days_diagnosis_day', 'chat_days', ['diagnosis', 'day', 'tenant', 'uai'], unique=False)
    op.create_index(
        'ix_chat_days_uai_day',
        'chat_days',
        ['uai', 'day', 'diagnosis', 'tenant', 'handed_over', 'misses'],
        unique=False,
    )
    op.add_column('tickets', sa.Column('uai', sa.String(length=16), nullable=True))
    op.create_index(op.f('ix_tickets_uai'), 'tickets', ['uai'], unique=False)
    op.create_index('ix_tickets_created_at', 'tickets', ['created_at', 'tenant', 'uai'], unique=False)
    op.create_index('ix_tickets_closed_at', 'tickets', ['closed_at', 'rating', 'tenant', 'uai'], unique=False)
    op.create_index(
        'ix_ticket_messages_author_ticket', 'ticket_messages', ['author', 'ticket_id', 'created_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_ticket_messages_author_ticket', table_name='ticket_messages')
    op.drop_index('ix_tickets_closed_at', table_name='tickets')
    op.drop_index('ix_tickets_created_at', table_name='tickets')
    op.drop_index(op.f('ix_tickets_uai'), table_name='tickets')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_column('uai')
    op.drop_index('ix_chat_days_uai_day', table_name='chat_days')
    op.drop_index('ix_chat_days_diagnosis_day', table_name='chat_days')
    op.drop_index('ix_chat_days_day', table_name='chat_days')
    op.drop_table('chat_days')
