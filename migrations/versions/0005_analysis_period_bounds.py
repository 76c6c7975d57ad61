"""analysis: period_start and period_end (the period's first and last local day), sortable; filled for existing rows

Revision ID: 0005_analysis_period_bounds
Revises: 0004_merge
Create Date: 2026-11-30 18:00:00

"""
import re
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0005_analysis_period_bounds'
down_revision = '0004_merge'
branch_labels = None
depends_on = None

# The period names of otklik.periods, read here without importing the app (a migration must not change when the
# code does): YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM.
_NAMES = [
    (re.compile(r"^(\d{4})$"), lambda y, k: (1, 12)),
    (re.compile(r"^(\d{4})-H([12])$"), lambda y, k: ((k - 1) * 6 + 1, 6)),
    (re.compile(r"^(\d{4})-Q([1-4])$"), lambda y, k: ((k - 1) * 3 + 1, 3)),
    (re.compile(r"^(\d{4})-(\d{2})$"), lambda y, k: (k, 1) if 1 <= k <= 12 else None),
]


def period_bounds(name):
    """(first day, last day) of a period name; (None, None) for a name that is not a period."""
    text = (name or "").strip().upper()
    for pattern, months in _NAMES:
        m = pattern.match(text)
        if not m:
            continue
        year = int(m.group(1))
        span = months(year, int(m.group(2)) if m.lastindex > 1 else 0)
        if span is None:
            break
        first_month, n = span
        start = date(year, first_month, 1)
        after = first_month - 1 + n
        end = date(year + after // 12, after % 12 + 1, 1) - timedelta(days=1)
        return start, end
    return None, None


def upgrade():
    with op.batch_alter_table('analysis', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('period_end', sa.Date(), nullable=True))
        batch_op.create_index('ix_analysis_tenant_kind_period_end', ['tenant_id', 'kind', 'period_end'], unique=False)

    analysis = sa.table('analysis', sa.column('id', sa.Integer), sa.column('period', sa.String),
                        sa.column('period_start', sa.Date), sa.column('period_end', sa.Date))
    conn = op.get_bind()
    rows = conn.execute(sa.select(analysis.c.id, analysis.c.period)).all()
    for row_id, name in rows:
        start, end = period_bounds(name)
        if start is not None:
            conn.execute(analysis.update().where(analysis.c.id == row_id).values(period_start=start, period_end=end))


def downgrade():
    with op.batch_alter_table('analysis', schema=None) as batch_op:
        batch_op.drop_index('ix_analysis_tenant_kind_period_end')
        batch_op.drop_column('period_end')
        batch_op.drop_column('period_start')
