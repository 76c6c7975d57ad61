"""appeal and survey point to the catalogue of processes (process_id); rows whose object names an entry are linked

Revision ID: 0009_process_links
Revises: 0008_painmap
Create Date: 2026-11-30 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009_process_links'
down_revision = '0008_painmap'
branch_labels = None
depends_on = None


# The matching of otklik.painmap.catalogue, written out here (a migration must not change when the code does):
# an object text names an entry when the two are equal ignoring case and runs of spaces; a text that two entries
# would answer is left unlinked.
def normal(text):
    return " ".join((text or "").split()).casefold()


def link(conn, table_name):
    table = sa.table(table_name, sa.column('id', sa.Integer), sa.column('tenant_id', sa.Integer),
                     sa.column('object', sa.String), sa.column('process_id', sa.Integer))
    process = sa.table('process', sa.column('id', sa.Integer), sa.column('tenant_id', sa.Integer),
                       sa.column('name', sa.String))
    entries = {}
    for pid, tenant_id, name in conn.execute(sa.select(process.c.id, process.c.tenant_id, process.c.name)):
        entries.setdefault((tenant_id, normal(name)), []).append(pid)
    if not entries:
        return
    objects = conn.execute(sa.select(table.c.tenant_id, table.c.object).where(table.c.process_id.is_(None))
                           .group_by(table.c.tenant_id, table.c.object)).all()
    for tenant_id, text in objects:
        found = entries.get((tenant_id, normal(text)), [])
        if normal(text) and len(found) == 1:
            conn.execute(table.update().where(table.c.tenant_id == tenant_id, table.c.object == text,
                                              table.c.process_id.is_(None)).values(process_id=found[0]))


def upgrade():
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('process_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_appeal_tenant_process', ['tenant_id', 'process_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_appeal_process_id_process'), 'process', ['process_id'], ['id'])

    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('process_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_survey_process_id_process'), 'process', ['process_id'], ['id'])

    conn = op.get_bind()
    link(conn, 'appeal')
    link(conn, 'survey')


def downgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_survey_process_id_process'), type_='foreignkey')
        batch_op.drop_column('process_id')

    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appeal_process_id_process'), type_='foreignkey')
        batch_op.drop_index('ix_appeal_tenant_process')
        batch_op.drop_column('process_id')
