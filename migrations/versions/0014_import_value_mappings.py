"""import value mappings saved with the column mapping; appeal dates given without a time

Revision ID: 0014_import_value_mappings
Revises: 0013_analytical_reports
Create Date: 2026-11-30 20:40:00

`import_mapping.values`: a layout's own words for the coded columns (field -> {source value: code}).
`appeal.date_only`: which instants were given as a date alone (bits of models.appeal.DATE_ONLY), so the register
shows the date without an invented time.
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_import_value_mappings'
down_revision = '0013_analytical_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_mapping') as batch_op:
        batch_op.add_column(sa.Column('values', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('appeal') as batch_op:
        batch_op.add_column(sa.Column('date_only', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('appeal') as batch_op:
        batch_op.drop_column('date_only')
    with op.batch_alter_table('import_mapping') as batch_op:
        batch_op.drop_column('values')
