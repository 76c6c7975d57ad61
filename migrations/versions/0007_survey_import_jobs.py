"""survey_import: answer imports run as jobs (the upload waits here); stored submission times cut to the hour

Revision ID: 0007_survey_import_jobs
Revises: 0006_user_sessions
Create Date: 2026-12-02 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007_survey_import_jobs'
down_revision = '0006_user_sessions'
branch_labels = None
depends_on = None

_PG_HOUR = "date_trunc('hour', submitted_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
_SQLITE_HOUR = "strftime('%Y-%m-%d %H:00:00.000000', submitted_at)"  # SQLite keeps UTC wall time as text
CUT_TO_THE_HOUR = {
    "postgresql": f"UPDATE survey_response SET submitted_at = {_PG_HOUR} WHERE submitted_at <> {_PG_HOUR}",
    "sqlite": f"UPDATE survey_response SET submitted_at = {_SQLITE_HOUR} WHERE submitted_at <> {_SQLITE_HOUR}",
}


def upgrade():
    op.create_table('survey_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('mapping', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('job_id', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_import_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_survey_import_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_import'))
    )
    with op.batch_alter_table('survey_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_import_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_survey_import_tenant_survey_created', ['tenant_id', 'survey_id', 'created_at'],
                              unique=False)

    # Answers stored before keep their submission time to the hour too (issue 15): the start of the UTC hour.
    op.execute(CUT_TO_THE_HOUR[op.get_bind().dialect.name])


def downgrade():
    # The cut times stay cut: the minutes were not kept anywhere.
    with op.batch_alter_table('survey_import', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_import_tenant_survey_created')
        batch_op.drop_index(batch_op.f('ix_survey_import_tenant_id'))
    op.drop_table('survey_import')
