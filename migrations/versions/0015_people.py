"""people: password reset and membership changes

Revision ID: 0015_people
Revises: 0014_import_value_mappings
Create Date: 2026-11-30 20:40:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner.
"""

revision = '0015_people'
down_revision = '0014_import_value_mappings'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
