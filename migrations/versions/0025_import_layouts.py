"""import_layouts (issue 24)

Revision ID: 0025_import_layouts
Revises: 0024_subscriptions
Create Date: 2026-12-07 21:15:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner (issue 24).
"""

revision = '0025_import_layouts'
down_revision = '0024_subscriptions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
