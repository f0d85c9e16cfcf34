"""CAS login: the single-use states of the logins offered, and how a link was proved

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import bot.storage.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cas_login_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_hash', sa.String(length=128), nullable=False),
    sa.Column('sender_id', sa.String(length=128), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.Column('created_at', bot.storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', bot.storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', bot.storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('state_hash')
    )
    op.create_index(op.f('ix_cas_login_states_sender_id'), 'cas_login_states', ['sender_id'], unique=False)
    op.create_index(op.f('ix_cas_login_states_expires_at'), 'cas_login_states', ['expires_at'], unique=False)
    with op.batch_alter_table('account_links') as batch:
        batch.add_column(sa.Column('method', sa.String(length=16), server_default='code', nullable=False))
        batch.add_column(sa.Column('adml_of', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('account_links') as batch:
        batch.drop_column('adml_of')
        batch.drop_column('method')
    op.drop_index(op.f('ix_cas_login_states_expires_at'), table_name='cas_login_states')
    op.drop_index(op.f('ix_cas_login_states_sender_id'), table_name='cas_login_states')
    op.drop_table('cas_login_states')
