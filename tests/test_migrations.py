"""The Alembic migrations build exactly the schema the models describe (SQLite and PostgreSQL alike)."""

import pytest
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


def _migration(name: str):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_period_bounds_migration_reads_names_as_the_periods_module_does():
    """0005 computes the bounds without importing the app; it must agree with otklik.periods on every name."""
    from otklik.periods import BadPeriod, parse_period

    bounds = _migration("0005_analysis_period_bounds").period_bounds
    names = [f"{y}" for y in (1999, 2024, 2025)]
    names += [f"{y}-H{h}" for y in (2024, 2025) for h in (1, 2)] + [f"{y}-Q{q}" for y in (2024, 2025) for q in range(1, 5)]
    names += [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)] + ["2025-q2", " 2025-03 "]
    for name in names:
        p = parse_period(name)
        assert bounds(name) == (p.start, p.last_day), name
    for bad in ("2025-Q9", "2025-13", "2025-00", "2025-H3", "Q1 2025", "", None):
        with pytest.raises(BadPeriod):
            parse_period(bad)
        assert bounds(bad) == (None, None), bad


def test_period_bounds_migration_fills_existing_rows(app, tmp_path):
    """Rows written before 0005 get their bounds from their names; a name that is no period keeps them empty."""
    from datetime import date

    from flask_migrate import upgrade
    from sqlalchemy import text

    from otklik import create_app

    old = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
                      "REDIS_URL": app.config["REDIS_URL"], "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
                      "SECRET_KEY": "test"})
    with old.app_context():
        upgrade(revision="0004_merge")
        with db.engine.begin() as conn:
            for i, period in enumerate(("2025-Q1", "2025-02", "2024", "2025-H2", "2025-Q9"), start=1):
                conn.execute(text("INSERT INTO analysis (id, tenant_id, kind, period, status, \"trigger\", job_id, error,"
                                  " created_at) VALUES (:i, 1, 'appeals', :p, 'done', 'schedule', '', '', :now)"),
                             {"i": i, "p": period, "now": "2025-07-01 00:00:00"})
        upgrade(revision="0005_analysis_period_bounds")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT period, period_start, period_end FROM analysis ORDER BY id")).all()
        db.engine.dispose()
    as_date = lambda v: v if v is None or isinstance(v, date) else date.fromisoformat(v)  # noqa: E731 - SQLite text
    assert [(p, as_date(s), as_date(e)) for p, s, e in rows] == [
        ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ("2025-02", date(2025, 2, 1), date(2025, 2, 28)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2025-H2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2025-Q9", None, None),
    ]


def test_survey_times_migration_cuts_stored_answers_to_the_hour(app, tmp_path):
    """0007 keeps the hour only of answers stored before it (issue 15): 10:59:59.999999 becomes 10:00."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from otklik import create_app

    old = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
                      "REDIS_URL": app.config["REDIS_URL"], "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
                      "SECRET_KEY": "test"})
    with old.app_context():
        upgrade(revision="0006_user_sessions")
        with db.engine.begin() as conn:
            for i, moment in enumerate(("2025-03-01 10:59:59.999999", "2025-03-01 11:00:00.000000"), start=1):
                conn.execute(text("INSERT INTO survey_response (id, tenant_id, survey_id, questionnaire_version_id, "
                                  "channel, audience, object, segment, submitted_at, source) VALUES "
                                  "(:i, 1, 1, 1, 'web', 'external', '', '', :t, 'web')"), {"i": i, "t": moment})
        upgrade(revision="0007_survey_import_jobs")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT submitted_at FROM survey_response ORDER BY id")).scalars().all()
        db.engine.dispose()
    assert rows == ["2025-03-01 10:00:00.000000", "2025-03-01 11:00:00.000000"]


def test_survey_times_migration_statement_on_this_database(app, make_tenant):
    """The same cut on the test database's own dialect (PostgreSQL when OTKLIK_TEST_DATABASE_URL names one)."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from otklik.localtime import as_utc
    from otklik.models import Survey, Tenant
    from otklik.surveys import service
    from otklik.surveys.templates import BUILTIN
    from otklik.tenancy import tenant_scope

    cut = _migration("0007_survey_import_jobs").CUT_TO_THE_HOUR
    made = make_tenant("vladimir", slug="vlad-hours")
    with app.app_context():
        tenant = db.session.get(Tenant, made.id)
        with tenant_scope(tenant):
            questionnaire = service.create_from_template(BUILTIN["vladimir_appendix"])
            service.publish(questionnaire.latest)
            survey = Survey(questionnaire_version_id=questionnaire.latest.id, title="s", object="o",
                            audience="external", status="open")
            db.session.add(survey)
            db.session.commit()
            survey_id, version_id = survey.id, questionnaire.latest.id
        with db.engine.begin() as conn:  # written as before 0007, with the whole time
            for i, moment in enumerate((datetime(2025, 3, 1, 23, 59, 59, 999999, tzinfo=UTC),
                                        datetime(2025, 3, 2, 0, 0, tzinfo=UTC)), start=9001):
                conn.execute(text("INSERT INTO survey_response (id, tenant_id, survey_id, questionnaire_version_id, "
                                  "channel, audience, object, segment, submitted_at, source) VALUES "
                                  "(:i, :t, :s, :v, 'web', 'external', '', '', :m, 'web')"),
                             {"i": i, "t": made.id, "s": survey_id, "v": version_id,
                              "m": moment if conn.dialect.name == "postgresql" else moment.replace(tzinfo=None)})
            conn.execute(text(cut[db.engine.dialect.name]))
            rows = conn.execute(text("SELECT submitted_at FROM survey_response ORDER BY id")).scalars().all()
    if isinstance(rows[0], str):  # SQLite hands back text
        rows = [datetime.fromisoformat(r) for r in rows]
    assert [as_utc(r) for r in rows] == [datetime(2025, 3, 1, 23, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)]
