"""opendata: the authority's INN (issue 22)

Revision ID: 0023_opendata
Revises: 0022_due_work
Create Date: 2026-12-07 21:15:00

The open-data passport's identifier is `<INN>-<name>` (Methodological Recommendations on open data, version 3.0),
so an authority has its taxpayer number; empty until the administrator enters it.
"""

import sqlalchemy as sa
from alembic import op

revision = '0023_opendata'
down_revision = '0022_due_work'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(sa.Column("inn", sa.String(length=12), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("inn")
