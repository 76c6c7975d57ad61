"""outbound_mail (issue 19)

Revision ID: 0018_outbound_mail
Revises: 0017_period_disclosure
Create Date: 2026-12-07 21:15:00

The outbox of otklik.mail: every e-mail the platform sends (invitations, digests), queued, sent or refused.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_outbound_mail'
down_revision = '0017_period_disclosure'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('to_address', sa.String(length=320), nullable=True),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('list_unsubscribe', sa.String(length=1000), nullable=True),
    sa.Column('erase_address_after_send', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=1000), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_outbound_message_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_message'))
    )
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_message_status_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_message_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_message_tenant_id'))
        batch_op.drop_index('ix_outbound_message_status_due')

    op.drop_table('outbound_message')
