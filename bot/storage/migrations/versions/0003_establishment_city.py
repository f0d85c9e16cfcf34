"""establishment city (finding a school by name and town)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dir_establishments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dir_establishments', schema=None) as batch_op:
        batch_op.drop_column('city')
