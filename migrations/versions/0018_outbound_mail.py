"""outbound_mail (issue 19)

Revision ID: 0018_outbound_mail
Revises: 0017_period_disclosure
Create Date: 2026-12-07 21:15:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner (issue 19).
"""

revision = '0018_outbound_mail'
down_revision = '0017_period_disclosure'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
