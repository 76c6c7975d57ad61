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
        sa.Column("figures", sa.JSON()),
        sa.UniqueConstraint("tenant_id", "kind", "period", name=op.f("uq_released_period_tenant_id_kind_period")),
    )
    op.create_index(op.f("ix_released_period_tenant_id"), "released_period", ["tenant_id"])
    op.create_index("ix_released_period_tenant_kind_start", "released_period", ["tenant_id", "kind", "period_start"])


    # Survey responses get random ids (issue 23, item 5): 64-bit, and on PostgreSQL a random default for the raw
    # inserts that name no id (the ORM draws one in Python: otklik.models.survey.random_response_id). SQLite's
    # INTEGER primary key is 64-bit already and every SQLite insert goes through the ORM.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("survey_answer", "response_id", type_=sa.BigInteger(), existing_nullable=False)
        op.alter_column("survey_response", "id", type_=sa.BigInteger(), existing_nullable=False,
                        server_default=sa.text("(floor(random() * 9007199254740990) + 1)::bigint"))
        op.execute("DROP SEQUENCE IF EXISTS survey_response_id_seq")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS survey_response_id_seq OWNED BY survey_response.id")
        op.execute("SELECT setval('survey_response_id_seq', 1)")
        op.alter_column("survey_response", "id", server_default=sa.text("nextval('survey_response_id_seq')"))
    op.drop_index("ix_released_period_tenant_kind_start", table_name="released_period")
    op.drop_index("ix_released_period_tenant_id", table_name="released_period")
    op.drop_table("released_period")
