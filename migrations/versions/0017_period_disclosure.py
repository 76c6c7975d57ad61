"""released periods: disclosure across overlapping periods (issue 23)

Revision ID: 0017_period_disclosure
Revises: 0016_survey_indicators
Create Date: 2026-12-07 21:15:00

The periods whose figures have left an authority's office, per kind, kept pairwise disjoint by
otklik.results.linked.
"""

import sqlalchemy as sa
from alembic import op

revision = '0017_period_disclosure'
down_revision = '0016_survey_indicators'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "released_period",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("via", sa.String(20), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "kind", "period", name=op.f("uq_released_period_tenant_id_kind_period")),
    )
    op.create_index(op.f("ix_released_period_tenant_id"), "released_period", ["tenant_id"])
    op.create_index("ix_released_period_tenant_kind_start", "released_period", ["tenant_id", "kind", "period_start"])


def downgrade():
    op.drop_index("ix_released_period_tenant_kind_start", table_name="released_period")
    op.drop_index("ix_released_period_tenant_id", table_name="released_period")
    op.drop_table("released_period")
