"""the intents agents gave misunderstood and unsure messages (teaching the assistant from its misses)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import bot.storage.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nlu_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('intent', sa.String(length=64), nullable=False),
    sa.Column('agent', sa.String(length=128), nullable=False),
    sa.Column('labelled_at', bot.storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'source_id')
    )
    op.create_index(op.f('ix_nlu_labels_labelled_at'), 'nlu_labels', ['labelled_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_nlu_labels_labelled_at'), table_name='nlu_labels')
    op.drop_table('nlu_labels')
