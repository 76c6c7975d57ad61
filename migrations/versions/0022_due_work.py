"""due_work (issue 21): when each tick duty of a tenant next has work, so the tick reads only the due ones

Revision ID: 0022_due_work
Revises: 0021_segments_owners
Create Date: 2026-12-07 21:15:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner (issue 21).
"""

import sqlalchemy as sa
from alembic import op

revision = '0022_due_work'
down_revision = '0021_segments_owners'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "due_work",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=80), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", "duty"),
    )
    op.create_index("ix_due_work_due_at", "due_work", ["due_at"])
    op.create_index("ix_due_work_checked_at", "due_work", ["checked_at"])


def downgrade():
    op.drop_index("ix_due_work_checked_at", table_name="due_work")
    op.drop_index("ix_due_work_due_at", table_name="due_work")
    op.drop_table("due_work")
