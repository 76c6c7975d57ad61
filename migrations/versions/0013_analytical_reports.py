"""analytical reports: frozen monthly snapshots (5.1.6) with their SHA-256

Revision ID: 0013_analytical_reports
Revises: 0012_publications
Create Date: 2026-11-30 20:40:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner.
"""

revision = '0013_analytical_reports'
down_revision = '0012_publications'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
