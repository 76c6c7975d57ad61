"""publication snapshots; tenant identity, peer group and population

Revision ID: 0012_publications
Revises: 0011_additional_collections
Create Date: 2026-11-30 20:32:32.450660

"""
import sqlalchemy as sa
from alembic import op

revision = '0012_publications'
down_revision = '0011_additional_collections'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artifact', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('section', sa.Text(), nullable=False),
    sa.Column('clause', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('payload_sha256', sa.String(length=64), nullable=False),
    sa.Column('suppressed', sa.JSON(), nullable=False),
    sa.Column('source_analysis_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by'], ['user_account.id'], name=op.f('fk_publication_approved_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_publication_created_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_analysis_id'], ['analysis.id'], name=op.f('fk_publication_source_analysis_id_analysis'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_publication_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
    sa.UniqueConstraint('tenant_id', 'artifact', 'period', 'version', name=op.f('uq_publication_tenant_id_artifact_period_version'))
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_publication_tenant_status_published', ['tenant_id', 'status', 'published_at'], unique=False)

    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('act_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('authority_kind', sa.String(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('population', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('population_source', sa.String(length=200), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('population_source')
        batch_op.drop_column('population')
        batch_op.drop_column('authority_kind')
        batch_op.drop_column('act_date')
        batch_op.drop_column('short_name')

    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index('ix_publication_tenant_status_published')
        batch_op.drop_index(batch_op.f('ix_publication_tenant_id'))

    op.drop_table('publication')
