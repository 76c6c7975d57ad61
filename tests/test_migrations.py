"""The Alembic migrations build exactly the schema the models describe (SQLite and PostgreSQL alike)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect

from otklik.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_migration_history_is_linear_or_merged(app):
    """Parallel work may branch the history; before a release the heads are merged into one."""
    with app.app_context():
        script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
        heads = script.get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: add a merge migration (flask db merge heads)"


def test_every_tenant_index_starts_with_tenant_id(app):
    """So the schema can later be distributed by tenant_id. Exempt: foreign-key indexes (`*_id`, used by joins
    from an already scoped row) and globally unique random secrets (an API token's hash, a survey's link token)."""
    from otklik.tenancy import TenantOwned

    secrets = {"token", "token_hash"}
    with app.app_context():
        inspector = inspect(db.engine)
        for mapper in db.Model.registry.mappers:
            if not issubclass(mapper.class_, TenantOwned):
                continue
            table = mapper.local_table.name
            for index in inspector.get_indexes(table):
                cols = index["column_names"]
                exempt = len(cols) == 1 and (cols[0].endswith("_id") or cols[0] in secrets)
                assert cols[0] == "tenant_id" or exempt, f"{table}.{index['name']} {cols} does not start with tenant_id"
