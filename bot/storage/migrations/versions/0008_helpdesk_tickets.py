"""External helpdesk (GLPI, Zammad): each local ticket's twin there and how far they were synchronised

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import bot.storage.models


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('helpdesk_tickets',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('system', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('last_message_id', sa.Integer(), nullable=False),
    sa.Column('last_followup_id', sa.Integer(), nullable=False),
    sa.Column('created_at', bot.storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('read_at', bot.storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    op.create_index(op.f('ix_helpdesk_tickets_external_id'), 'helpdesk_tickets', ['external_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_helpdesk_tickets_external_id'), table_name='helpdesk_tickets')
    op.drop_table('helpdesk_tickets')
