"""people: password reset and membership changes

Revision ID: 0015_people
Revises: 0014_import_value_mappings
Create Date: 2026-11-30 20:40:00

A reset by the administrator gives a one-time password; the person must choose their own at the next sign-in.
"""

import sqlalchemy as sa
from alembic import op

revision = '0015_people'
down_revision = '0014_import_value_mappings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("must_change_password")
