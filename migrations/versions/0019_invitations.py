"""invitations (issue 19)

Revision ID: 0019_invitations
Revises: 0018_outbound_mail
Create Date: 2026-12-07 21:15:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner (issue 19).
"""

revision = '0019_invitations'
down_revision = '0018_outbound_mail'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
