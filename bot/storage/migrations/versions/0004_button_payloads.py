"""button payloads (long Telegram button payloads kept across restarts)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
import bot.storage.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('button_payloads',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', bot.storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('button_payloads')
