"""Benchmark of the public site: a publication page against the app's own `/health` on the same gunicorn.

    .venv/bin/python bench/public_pages.py --requests 4000 --json bench/public_pages.json

Creates (or reuses) a tenant `bench-public` from the Vladimir profile with a published appeals analysis (a payload
of docs/PUBLISHING.md's schema: 4 blocks, 30 topic rows, charts), starts gunicorn with the real app against
PostgreSQL and Redis (the same settings and start as bench/survey_submit.py: 2 gthread workers of 2 threads, a free
port on 127.0.0.1, run under this interpreter), and in one run loads, with the same client and concurrency:
- the publication page (`/<slug>/publications/appeals_analysis/2026-Q3/`), plain GETs with a browser's
  `Accept-Encoding: gzip`: the page is rendered from its snapshot (and gzipped) once a process and served from
  those bytes after one query;
- the same page with `If-None-Match` (a browser or a cache revalidating: 304);
- the app's `/health` (one SELECT): the floor of the app's own stack.
Every response's status is counted; latencies are taken per request. The target is the page at no less than 0.8
of `/health`'s rate. Prints one summary line; writes JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from survey_submit import http, serving_env, start_gunicorn  # noqa: E402 - the submission bench's set-up

DEFAULT_DB = "postgresql://postgres@127.0.0.1/otklik_public_pages"
DEFAULT_REDIS = "redis://127.0.0.1:6379/2"
SLUG = "bench-public"
PAGE = f"/{SLUG}/publications/appeals_analysis/2026-Q3/"
TARGET_RATIO = 0.8


def payload() -> dict:
    topics = [(f"Тематика обращений № {i + 1}", 200 - i * 6) for i in range(30)]
    total = sum(n for _t, n in topics)
    share = lambda n: round(100 * n / total, 1)  # noqa: E731 - the bench's own data, not the app's figures
    blocks = [
        {"id": "by_topic", "title": "Обращения по тематикам",
         "summary": f"Больше всего обращений — {topics[0][1]} ({share(topics[0][1])} %) — о тематике «{topics[0][0]}».",
         "columns": [{"key": "label", "title": "Тематика", "type": "string"},
                     {"key": "count", "title": "Обращений", "type": "integer"},
                     {"key": "share", "title": "Доля, %", "type": "number"}],
         "rows": [{"label": t, "count": n, "share": share(n)} for t, n in topics] + [
             {"label": "Прочие тематики", "count": None, "share": None}],
         "chart": {"type": "bar", "label": "label", "value": "count"},
         "notes": ["Группы меньше 5 обращений не показываются; «—» — значение скрыто."]},
    ]
    for block_id, title, labels in (
            ("by_channel", "Обращения по каналам", ["Сайт", "Электронная почта", "Почта", "Личный приём"]),
            ("by_kind", "Обращения по видам", ["Заявления", "Жалобы", "Предложения"]),
            ("by_outcome", "Результаты рассмотрения", ["Разъяснено", "Поддержано", "Перенаправлено"])):
        blocks.append({"id": block_id, "title": title, "summary": f"{title}: {len(labels)} групп.",
                       "columns": [{"key": "label", "title": "Группа", "type": "string"},
                                   {"key": "count", "title": "Обращений", "type": "integer"}],
                       "rows": [{"label": label, "count": 100 + 7 * i} for i, label in enumerate(labels)],
                       "chart": {"type": "horizontalBar", "label": "label", "value": "count"}})
    return {"schema": 1, "artifact": "appeals_analysis", "title": "Анализ обращений граждан за III квартал 2026 г.",
            "period": {"name": "2026-Q3", "title": "III квартал 2026 г.", "start": "2026-07-01", "end": "2026-09-30"},
            "section": "Аналитические материалы по итогам обращений в Министерство",
            "clause": "п. 21: итоги анализа обращений размещаются на официальном сайте", "min_cell": 5,
            "blocks": blocks}


def prepare(db_url: str, redis_url: str) -> None:
    """The tenant and its published publication (made once; the payload's SHA-256 as docs/PUBLISHING.md says)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from otklik import create_app
    from otklik.extensions import db
    from otklik.models import Publication, Tenant
    from otklik.profiles import load_profile
    from otklik.tenancy import tenant_scope
    from otklik.tenants import create_tenant

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": redis_url})
    with app.app_context():
        upgrade(revision="heads")
        tenant = db.session.execute(select(Tenant).where(Tenant.slug == SLUG)).scalar_one_or_none()
        if tenant is None:
            tenant = create_tenant(load_profile(ROOT / "tenants" / "vladimir.toml"), SLUG)
            db.session.commit()
        with tenant_scope(tenant):
            if db.session.execute(select(Publication.id)).first() is None:
                data = payload()
                digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False,
                                                   separators=(",", ":")).encode()).hexdigest()
                db.session.add(Publication(artifact="appeals_analysis", period="2026-Q3", version=1,
                                           status="published", title=data["title"], section=data["section"],
                                           clause=data["clause"], payload=data, payload_sha256=digest,
                                           published_at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC)))
                db.session.commit()


def get(path: str, etag: str | None = None) -> bytes:
    extra = f"If-None-Match: {etag}\r\n" if etag else ""
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept-Encoding: gzip, deflate, br\r\n"
            f"{extra}\r\n").encode()


async def _one(port: int, raw: bytes) -> tuple[int, int]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    status_line = await reader.readline()
    body = await reader.read()  # until the server closes
    writer.close()
    return (int(status_line.split()[1]) if status_line else 0), len(body)


async def _load(port: int, raw: bytes, count: int, concurrency: int, deadline: float) -> dict:
    codes: dict[int, int] = {}
    latencies: list[float] = []
    sizes: list[int] = []
    left = count

    async def client():
        nonlocal left
        while left > 0 and time.perf_counter() < deadline:
            left -= 1
            t0 = time.perf_counter()
            try:
                code, size = await _one(port, raw)
            except OSError:
                code, size = 0, 0
            latencies.append(time.perf_counter() - t0)
            codes[code] = codes.get(code, 0) + 1
            sizes.append(size)

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - t0
    latencies.sort()
    ok = sum(n for c, n in codes.items() if c in (200, 304))
    return {"requests": len(latencies), "status_codes": {str(k): v for k, v in sorted(codes.items())},
            "seconds": round(seconds, 3), "per_second": round(ok / seconds, 1) if seconds else 0.0,
            "p50_ms": round(1000 * statistics.median(latencies), 2) if latencies else None,
            "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 2)
            if latencies else None,
            "bytes_per_response": round(statistics.mean(sizes)) if sizes else 0}


def load(port: int, raw: bytes, count: int, args) -> dict:
    return asyncio.run(_load(port, raw, count, args.concurrency, time.perf_counter() + args.max_seconds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="requests of each kind (page, 304, /health)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="upper bound of each load phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="threads a worker (gthread)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="page and /health alternate this many times; each side's best round is kept (another "
                             "process's burst on a shared machine hits one round, not both sides)")
    parser.add_argument("--json", dest="json_path", default="bench/public_pages.json")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args()
    count = max(1, min(args.requests, 200_000))
    db_url, env = serving_env(args)
    prepare(db_url, args.redis_url)
    load_before = [round(x, 2) for x in os.getloadavg()]

    port, server = start_gunicorn(args, env, ROOT, 'otklik:create_app({"RATELIMIT_ENABLED": False})')
    try:
        first = http(port, get(PAGE))
        head, _, body = first.partition(b"\r\n\r\n")
        assert b" 200 " in head[:20], head[:200]
        etag = re.search(rb"ETag: (\"[^\"]+\")", head, re.I).group(1).decode()
        assert b"Content-Encoding: gzip" in head and "Больше всего обращений".encode() in gzip.decompress(body)
        load(port, get("/health"), 400, args)  # warm both workers' pools and caches
        load(port, get(PAGE), 400, args)
        pages, healths = [], []
        for _ in range(max(1, args.rounds)):
            pages.append(load(port, get(PAGE), count, args))
            healths.append(load(port, get("/health"), count, args))
        revalidated = load(port, get(PAGE, etag), count, args)
    finally:
        server.terminate()
        server.wait(30)

    page = max(pages, key=lambda r: r["per_second"])
    health = max(healths, key=lambda r: r["per_second"])
    ratio = round(page["per_second"] / health["per_second"], 3) if health["per_second"] else None
    result = {
        "bench": "public_pages",
        "server": f"gunicorn, {args.workers} gthread workers x {args.threads} threads, PostgreSQL, Redis; rate "
                  "limits off",
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "page": PAGE,
        "page_bytes_gzipped": len(body),
        "page_bytes": len(gzip.decompress(body)),
        "publication_page": page,
        "publication_page_rounds": [r["per_second"] for r in pages],
        "publication_page_304": revalidated,
        "health": health,
        "health_rounds": [r["per_second"] for r in healths],
        "ratio_to_health": ratio,
        "ratio_304_to_health": round(revalidated["per_second"] / health["per_second"], 3)
        if health["per_second"] else None,
        "target_ratio": TARGET_RATIO,
    }
    Path(args.json_path).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json_path).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"public_pages: page {page['per_second']:.0f}/s (p50 {page['p50_ms']} ms, p99 {page['p99_ms']} ms), "
          f"304 {revalidated['per_second']:.0f}/s, /health {health['per_second']:.0f}/s (p50 {health['p50_ms']} ms, "
          f"p99 {health['p99_ms']} ms); ratio {ratio} (target {TARGET_RATIO}: "
          f"{'met' if ratio and ratio >= TARGET_RATIO else 'NOT met'}); load {load_before[0]}")
    ok = page["status_codes"] == {"200": page["requests"]} and revalidated["status_codes"] == {
        "304": revalidated["requests"]} and health["status_codes"] == {"200": health["requests"]}
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
