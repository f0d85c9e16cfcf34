"""Notices before people get stuck: chats that opted in, notices sent (unique keys), activation watches, schools'
weekly counts of accounts still to activate

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import bot.storage.models


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notice_subscriptions',
    sa.Column('sender_id', sa.String(length=128), nullable=False),
    sa.Column('subscribed_at', bot.storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sender_id')
    )
    op.create_table('notices_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('sender_id', sa.String(length=128), nullable=False),
    sa.Column('sent_at', bot.storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_index(op.f('ix_notices_sent_sent_at'), 'notices_sent', ['sent_at'], unique=False)
    op.create_table('activation_watches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=128), nullable=False),
    sa.Column('login', sa.String(length=128), nullable=False),
    sa.Column('told_at', bot.storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sender_id', 'login')
    )
    op.create_index(op.f('ix_activation_watches_told_at'), 'activation_watches', ['told_at'], unique=False)
    op.create_table('school_week_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uai', sa.String(length=16), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('counted_at', bot.storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uai', 'week')
    )
    op.create_index(op.f('ix_school_week_counts_counted_at'), 'school_week_counts', ['counted_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_school_week_counts_counted_at'), table_name='school_week_counts')
    op.drop_table('school_week_counts')
    op.drop_index(op.f('ix_activation_watches_told_at'), table_name='activation_watches')
    op.drop_table('activation_watches')
    op.drop_index(op.f('ix_notices_sent_sent_at'), table_name='notices_sent')
    op.drop_table('notices_sent')
    op.drop_table('notice_subscriptions')
