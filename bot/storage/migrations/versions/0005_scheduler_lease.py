"""scheduler lease and job runs (instances sharing a database take turns running the jobs)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import bot.storage.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduler_lease',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('scheduler_runs',
    sa.Column('job_id', sa.String(length=64), nullable=False),
    sa.Column('running', sa.Boolean(), nullable=False),
    sa.Column('started_at', bot.storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', bot.storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('job_id')
    )


def downgrade() -> None:
    op.drop_table('scheduler_runs')
    op.drop_table('scheduler_lease')
