"""segments_owners (issue 20)

Revision ID: 0021_segments_owners
Revises: 0020_internal_feedback
Create Date: 2026-12-07 21:15:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner (issue 20).
"""

revision = '0021_segments_owners'
down_revision = '0020_internal_feedback'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
