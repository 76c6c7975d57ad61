"""import value mappings saved with the column mapping

Revision ID: 0014_import_value_mappings
Revises: 0013_analytical_reports
Create Date: 2026-11-30 20:40:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner.
"""

revision = '0014_import_value_mappings'
down_revision = '0013_analytical_reports'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
