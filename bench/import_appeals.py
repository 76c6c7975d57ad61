"""Benchmark of the appeals import against its floor, `psql \\copy` of the same file into a copy of `appeal`.

    .venv/bin/python bench/import_appeals.py --rows 1000000 --json bench/import_appeals.json

Generates a canonical CSV with the intake capability's synthetic generator, imports it for a fresh tenant with the
real import code path (`otklik.intake.importer.import_file`: chunked parsing, vectorised validation, COPY into a
staging table, one upsert, one transaction) into PostgreSQL, and in the same run times `psql \\copy` of the same
file into
- the floor: a copy of the real `appeal` table (`LIKE appeal INCLUDING ALL`: its NOT NULL and CHECK constraints,
  primary key, unique (tenant_id, external_id) and other indexes, plus its foreign key to `tenant`), empty like
  `appeal` before a first import; the columns the file lacks get constant defaults (the bench tenant's id, a due
  date, empty strings) and times are read in the tenant's zone. No import into `appeal` can beat this. It runs
  twice, before the import and after the re-import, and the faster run counts (the machine may be shared);
- for reference, a bare unindexed table of text columns (the earlier floor, which only measures parsing and I/O).
Prints one summary line and writes JSON: rows/s of each, `ratio_to_indexed_copy` (target >= 0.5), and the peak
RSS of the import (resource.getrusage of this process, which does nothing heavier before the import; target
<= 300 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))

DEFAULT_DB = "postgresql://postgres@127.0.0.1/otklik_intake"
BARE = ("CREATE TABLE bench_copy (external_id text, kind text, audience text, channel text, registered_at text, "
        "answered_at text, topic_code text, reason text, segment text, client_type text, object text, outcome text)")
INDEXED = "bench_appeal_copy"
# The file's NOT NULL text columns: an empty field is '' there, not NULL (the import reads them the same way).
NOT_NULL_TEXT = ("external_id", "kind", "audience", "channel", "topic_code", "reason", "segment", "client_type",
                 "object", "outcome")


def indexed_copy_ddl(tenant_id: int) -> list[str]:
    """A copy of `appeal` with its constraints, indexes and foreign key, its own id sequence, and constant defaults
    for the columns a canonical file does not carry (the import computes them; the floor does not)."""
    t = INDEXED
    return [
        f"DROP TABLE IF EXISTS {t}",
        f"CREATE TABLE {t} (LIKE appeal INCLUDING ALL)",
        f"CREATE SEQUENCE {t}_id_seq OWNED BY {t}.id",
        f"ALTER TABLE {t} ALTER id SET DEFAULT nextval('{t}_id_seq'), ALTER tenant_id SET DEFAULT {int(tenant_id)}, "
        "ALTER due_date SET DEFAULT DATE '2024-02-01', ALTER extended_days SET DEFAULT 0, "
        "ALTER extension_reason SET DEFAULT '', ALTER redirected_to SET DEFAULT '', ALTER summary SET DEFAULT '', "
        "ALTER created_at SET DEFAULT now()",
        f"ALTER TABLE {t} ADD CONSTRAINT fk_{t}_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenant (id) "
        "ON DELETE CASCADE",
    ]


def indexes_of(url: str, table: str) -> list[str]:
    """The index names and the foreign keys of `table`, to show in the report that the floor has them all."""
    out = psql(url, "-c", f"SELECT indexdef FROM pg_indexes WHERE tablename = '{table}' UNION ALL "
                          f"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{table}'::regclass "
                          "AND contype = 'f' ORDER BY 1")
    return [line.replace(table, "<table>") for line in out.splitlines() if line]


def psql(url: str, *args: str) -> str:
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-At", *args], check=True, env=env,
                          capture_output=True, text=True).stdout


def timed_psql(url: str, *args: str) -> float:
    t0 = time.perf_counter()
    psql(url, *args)
    return time.perf_counter() - t0


def indexed_copy(url: str, tenant_id: int, zone: str, path: Path, header: list[str]) -> float:
    """The floor: a fresh copy of `appeal` (see indexed_copy_ddl) filled by `psql \\copy` of the file; seconds of
    the copy alone. The table is left for the caller to inspect and drop."""
    psql(url, *(arg for sql in indexed_copy_ddl(tenant_id) for arg in ("-c", sql)))
    columns = ", ".join(header)
    return timed_psql(url, "-c", f"SET TIME ZONE '{zone}'", "-c",
                      f"\\copy {INDEXED} ({columns}) FROM '{path}' WITH (FORMAT csv, HEADER true, "
                      f"FORCE_NOT_NULL ({', '.join(NOT_NULL_TEXT)}))")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", dest="json_path", default="bench/import_appeals.json")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--keep-file", action="store_true")
    args = parser.parse_args()

    from benchdb import ensure_database

    load_before = [round(x, 2) for x in os.getloadavg()]  # other work on the machine skews every figure
    ensure_database(args.database_url)
    os.environ["OTKLIK_DATABASE_URL"] = args.database_url
    os.environ.setdefault("OTKLIK_INSTANCE_DIR", tempfile.mkdtemp(prefix="otklik-bench-"))
    from flask_migrate import upgrade
    from sqlalchemy import delete, select, text

    from otklik import create_app
    from otklik.extensions import db
    from otklik.intake.importer import import_file
    from otklik.intake.synthetic import CANONICAL_HEADER, generate_appeals, write_canonical_csv
    from otklik.models import Appeal, Tenant
    from otklik.profiles import load_profile
    from otklik.tenancy import across_tenants, tenant_scope
    from otklik.tenants import create_tenant

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url.replace("postgresql://", "postgresql+psycopg://")})
    workdir = Path(tempfile.mkdtemp(prefix="otklik-bench-"))
    path = workdir / "appeals.csv"
    with app.app_context():
        upgrade(revision="heads")
        slug = "bench-import"
        tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
        if tenant is None:
            tenant = create_tenant(load_profile(ROOT / "tenants" / "vladimir.toml"), slug)
            db.session.commit()
        others = db.session.execute(text("SELECT count(*) FROM appeal WHERE tenant_id <> :t"), {"t": tenant.id}).scalar()
        db.session.commit()
        if others:  # a shared database: remove only the bench tenant's rows
            db.session.execute(across_tenants(delete(Appeal).where(Appeal.tenant_id == tenant.id)))
            db.session.commit()
            psql(args.database_url, "-c", "VACUUM ANALYZE appeal")
        else:  # the bench's own database: start from clean indexes, as a first import does
            psql(args.database_url, "-c", "TRUNCATE appeal", "-c", "ANALYZE appeal")
        from otklik.channels import channel_codes
        from otklik.intake.importer import default_locale

        t0 = time.perf_counter()
        with default_locale():
            channels = list(channel_codes(tenant))
        written = write_canonical_csv(path, generate_appeals(channels, args.rows, date(2024, 1, 1), date(2025, 12, 1),
                                                             seed=7), tz=tenant.timezone)
        gen_seconds = time.perf_counter() - t0
        size = path.stat().st_size

        # The floor runs twice, before the import and after the re-import, and the faster run counts: the machine
        # is shared, and a floor slowed by someone else's burst would flatter the ratio.
        tenant_id, zone = tenant.id, tenant.timezone
        db.session.commit()  # no transaction of this process may hold `tenant` while psql drops the copy's key
        indexed_runs = [indexed_copy(args.database_url, tenant_id, zone, path, CANONICAL_HEADER)]
        psql(args.database_url, "-c", f"DROP TABLE {INDEXED}")

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        with tenant_scope(tenant):
            result = import_file(db.session, tenant, str(path), "appeals.csv")
        import_seconds = time.perf_counter() - t0
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stored = db.session.execute(text("SELECT count(*) FROM appeal WHERE tenant_id = :t"), {"t": tenant.id}).scalar()
        t0 = time.perf_counter()
        with tenant_scope(tenant):
            again = import_file(db.session, tenant, str(path), "appeals.csv")
        reimport_seconds = time.perf_counter() - t0

    url = args.database_url
    indexed_runs.append(indexed_copy(url, tenant_id, zone, path, CANONICAL_HEADER))
    indexed_seconds = min(indexed_runs)
    floor_has = indexes_of(url, INDEXED)
    # The floor stored what the import stored: the same rows, times read in the same zone.
    same = ("c.kind = a.kind AND c.channel = a.channel AND c.registered_at = a.registered_at "
            "AND c.answered_at IS NOT DISTINCT FROM a.answered_at AND c.topic_code = a.topic_code "
            "AND c.reason = a.reason AND c.segment = a.segment AND c.outcome = a.outcome")
    indexed_stored, indexed_same = map(int, psql(
        url, "-F", " ", "-c", f"SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM appeal a WHERE "
        f"a.tenant_id = c.tenant_id AND a.external_id = c.external_id AND {same})) FROM {INDEXED} c").split())
    psql(url, "-c", f"DROP TABLE {INDEXED}")
    psql(url, "-c", "DROP TABLE IF EXISTS bench_copy", "-c", BARE)
    bare_seconds = timed_psql(url, "-c", f"\\copy bench_copy FROM '{path}' WITH (FORMAT csv, HEADER true)")
    psql(url, "-c", "DROP TABLE bench_copy")

    report = {
        "bench": "import_appeals",
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "rows": written,
        "file_bytes": size,
        "generate_seconds": round(gen_seconds, 2),
        "import_seconds": round(import_seconds, 2),
        "import_rows_per_s": round(written / import_seconds),
        "indexed_copy_seconds": round(indexed_seconds, 2),
        "indexed_copy_runs_seconds": [round(x, 2) for x in indexed_runs],
        "indexed_copy_rows_per_s": round(written / indexed_seconds),
        "indexed_copy_stored": indexed_stored,
        "indexed_copy_same_as_import": indexed_same,
        "indexed_copy_has": floor_has,
        "ratio_to_indexed_copy": round(indexed_seconds / import_seconds, 3),
        "bare_copy_seconds": round(bare_seconds, 2),
        "bare_copy_rows_per_s": round(written / bare_seconds),
        "ratio_to_bare_copy": round(bare_seconds / import_seconds, 3),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "rss_before_import_mb": round(rss_before / 1024, 1),
        "stored": stored,
        "inserted": result.inserted,
        "import_phases_seconds": result.seconds,
        "reimport_seconds": round(reimport_seconds, 2),
        "reimport_phases_seconds": again.seconds,
        "reimport_unchanged": again.unchanged,
        "targets": {"ratio_to_indexed_copy_min": 0.5, "peak_rss_mb_max": 300},
    }
    report["meets_targets"] = report["ratio_to_indexed_copy"] >= 0.5 and report["peak_rss_mb"] <= 300
    Path(args.json_path).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json_path).write_text(json.dumps(report, indent=2) + "\n")
    if not args.keep_file:
        path.unlink()
    print(f"import_appeals rows={written} import={report['import_rows_per_s']}/s "
          f"indexed_copy={report['indexed_copy_rows_per_s']}/s ratio_to_indexed_copy={report['ratio_to_indexed_copy']} "
          f"bare_copy={report['bare_copy_rows_per_s']}/s ratio_to_bare_copy={report['ratio_to_bare_copy']} "
          f"peak_rss={report['peak_rss_mb']}MB reimport={report['reimport_seconds']}s load={load_before[0]} "
          f"{'OK' if report['meets_targets'] else 'MISSES TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
