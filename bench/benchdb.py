"""The benchmarks' own PostgreSQL databases: created on a fresh machine, where only `postgres` and `test` exist."""

from __future__ import annotations


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
