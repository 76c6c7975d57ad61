"""opendata (issue 22)

Revision ID: 0023_opendata
Revises: 0022_due_work
Create Date: 2026-12-07 21:15:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner (issue 22).
"""

revision = '0023_opendata'
down_revision = '0022_due_work'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
