"""painmap_version: the pain map frozen with every analysis period (its rows as JSON and their SHA-256)

Revision ID: 0010_painmap_versions
Revises: 0009_process_links
Create Date: 2026-11-30 19:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010_painmap_versions'
down_revision = '0009_process_links'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('painmap_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('analysis_id', sa.Integer(), nullable=True),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['analysis_id'], ['analysis.id'], name=op.f('fk_painmap_version_analysis_id_analysis'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_painmap_version_tenant_id_tenant'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_painmap_version')),
    sa.UniqueConstraint('tenant_id', 'period', name=op.f('uq_painmap_version_tenant_id_period'))
    )
    with op.batch_alter_table('painmap_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_painmap_version_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('painmap_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_painmap_version_tenant_id'))
    op.drop_table('painmap_version')
