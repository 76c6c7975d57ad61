"""Benchmark of the appeals import against its floor, `psql \\copy` of the same file into a bare table.

    .venv/bin/python bench/import_appeals.py --rows 1000000 --json bench/import_appeals.json

Generates a canonical CSV with the intake capability's synthetic generator, imports it for a fresh tenant with the
real import code path (`otklik.intake.importer.import_file`: chunked parsing, vectorised validation, COPY into a
staging table, one upsert, one transaction) into PostgreSQL, and in the same run times `psql \\copy` of the same
file into a bare unindexed table. Prints one summary line and writes JSON: rows/s of both, their ratio, and the
peak RSS of the import (resource.getrusage of this process, which does nothing heavier before the import).
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


def psql(url: str, *args: str) -> None:
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", *args], check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", dest="json_path", default="bench/import_appeals.json")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--keep-file", action="store_true")
    args = parser.parse_args()

    from benchdb import ensure_database

    ensure_database(args.database_url)
    os.environ["OTKLIK_DATABASE_URL"] = args.database_url
    os.environ.setdefault("OTKLIK_INSTANCE_DIR", tempfile.mkdtemp(prefix="otklik-bench-"))
    from flask_migrate import upgrade
    from sqlalchemy import delete, select, text

    from otklik import create_app
    from otklik.extensions import db
    from otklik.intake.importer import import_file
    from otklik.intake.synthetic import generate_appeals, write_canonical_csv
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

    psql(args.database_url, "-c", "DROP TABLE IF EXISTS bench_copy", "-c", BARE)
    t0 = time.perf_counter()
    psql(args.database_url, "-c", f"\\copy bench_copy FROM '{path}' WITH (FORMAT csv, HEADER true)")
    copy_seconds = time.perf_counter() - t0
    psql(args.database_url, "-c", "DROP TABLE bench_copy")

    report = {
        "rows": written,
        "file_bytes": size,
        "generate_seconds": round(gen_seconds, 2),
        "import_seconds": round(import_seconds, 2),
        "import_rows_per_s": round(written / import_seconds),
        "copy_seconds": round(copy_seconds, 2),
        "copy_rows_per_s": round(written / copy_seconds),
        "ratio": round(copy_seconds / import_seconds, 3),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "rss_before_import_mb": round(rss_before / 1024, 1),
        "stored": stored,
        "inserted": result.inserted,
        "import_phases_seconds": result.seconds,
        "reimport_seconds": round(reimport_seconds, 2),
        "reimport_phases_seconds": again.seconds,
        "reimport_unchanged": again.unchanged,
        "targets": {"ratio_min": 0.5, "peak_rss_mb_max": 300},
    }
    report["meets_targets"] = report["ratio"] >= 0.5 and report["peak_rss_mb"] <= 300
    Path(args.json_path).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json_path).write_text(json.dumps(report, indent=2) + "\n")
    if not args.keep_file:
        path.unlink()
    print(f"import_appeals rows={written} import={report['import_rows_per_s']}/s copy={report['copy_rows_per_s']}/s "
          f"ratio={report['ratio']} peak_rss={report['peak_rss_mb']}MB reimport={report['reimport_seconds']}s "
          f"{'OK' if report['meets_targets'] else 'MISSES TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
