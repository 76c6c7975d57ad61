"""additional_collection: an extra survey started from a signal or a pain, with its population N and sample n

Revision ID: 0011_additional_collections
Revises: 0010_painmap_versions
Create Date: 2026-11-30 19:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011_additional_collections'
down_revision = '0010_painmap_versions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('additional_collection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('pain_id', sa.Integer(), nullable=True),
    sa.Column('analysis_id', sa.Integer(), nullable=True),
    sa.Column('signal_code', sa.String(length=200), nullable=True),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('population_source', sa.Text(), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['analysis_id'], ['analysis.id'], name=op.f('fk_additional_collection_analysis_id_analysis')),
    sa.ForeignKeyConstraint(['pain_id'], ['pain.id'], name=op.f('fk_additional_collection_pain_id_pain')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_additional_collection_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_additional_collection_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_additional_collection'))
    )
    with op.batch_alter_table('additional_collection', schema=None) as batch_op:
        batch_op.create_index('ix_additional_collection_tenant_analysis', ['tenant_id', 'analysis_id'], unique=False)
        batch_op.create_index('ix_additional_collection_tenant_pain', ['tenant_id', 'pain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_additional_collection_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('additional_collection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_additional_collection_tenant_id'))
        batch_op.drop_index('ix_additional_collection_tenant_pain')
        batch_op.drop_index('ix_additional_collection_tenant_analysis')
    op.drop_table('additional_collection')
