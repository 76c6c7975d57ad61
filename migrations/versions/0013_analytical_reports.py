"""analytical reports: frozen monthly snapshots (5.1.6) with their SHA-256

Revision ID: 0013_analytical_reports
Revises: 0012_publications
Create Date: 2026-11-30 20:40:00

One report per authority and month: its snapshot and SHA-256, the officer's main points, who finalised it and
when, and the finalised PDF's bytes with their SHA-256.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_analytical_reports'
down_revision = '0012_publications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analytical_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('snapshot_sha256', sa.String(length=64), nullable=False),
    sa.Column('main_points', sa.Text(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('built_by', sa.Integer(), nullable=True),
    sa.Column('finalised_by', sa.Integer(), nullable=True),
    sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['built_by'], ['user_account.id'], name=op.f('fk_analytical_report_built_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['finalised_by'], ['user_account.id'], name=op.f('fk_analytical_report_finalised_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_analytical_report_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytical_report')),
    sa.UniqueConstraint('tenant_id', 'period', name=op.f('uq_analytical_report_tenant_id_period'))
    )
    with op.batch_alter_table('analytical_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytical_report_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('analytical_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytical_report_tenant_id'))

    op.drop_table('analytical_report')
