"""index on lower(login) of the embedded directory's accounts (a lookup no longer reads the whole table)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_dir_accounts_login_lower', 'dir_accounts', [sa.text('lower(login)')], unique=False)


def downgrade() -> None:
    op.drop_index('ix_dir_accounts_login_lower', table_name='dir_accounts')
