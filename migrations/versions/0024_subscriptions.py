"""subscriptions (issue 22)

Revision ID: 0024_subscriptions
Revises: 0023_opendata
Create Date: 2026-12-07 21:15:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner (issue 22).
"""

revision = '0024_subscriptions'
down_revision = '0023_opendata'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
