"""due_work (issue 21)

Revision ID: 0022_due_work
Revises: 0021_segments_owners
Create Date: 2026-12-07 21:15:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner (issue 21).
"""

revision = '0022_due_work'
down_revision = '0021_segments_owners'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
