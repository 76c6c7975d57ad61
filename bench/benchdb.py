"""The benchmarks' own PostgreSQL databases: created on a fresh machine, where only `postgres` and `test` exist;
and the app the analysis and Centre benches measure, bound to such a database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sa_url(url: str) -> str:
    """A PostgreSQL URL as SQLAlchemy names psycopg 3."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def bench_app(url: str):
    """The platform's app on the bench's database (the measured code path, with its plugins)."""
    os.environ["OTKLIK_DATABASE_URL"] = sa_url(url)
    os.environ.setdefault("OTKLIK_SECRET_KEY", "bench")
    sys.path.insert(0, str(ROOT / "platform"))
    from otklik import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": sa_url(url)})


def ensure_database(db_url: str) -> None:
    """Create the database of `db_url` unless it exists (the server's `postgres` database is the way in)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        return
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": url.database}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    engine.dispose()
