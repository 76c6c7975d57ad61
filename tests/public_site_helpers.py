"""Hand-made publications for the public site's tests, written exactly as docs/PUBLISHING.md describes the row
and its payload (schema 1), with the SHA-256 of the canonical JSON computed here, not by the code under test."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from otklik.extensions import db
from otklik.models import Publication, Tenant
from otklik.tenancy import tenant_scope


def sha(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def appeals_payload(period: str = "2026-Q3", title_period: str = "III квартал 2026 г.", first: int = 41) -> dict:
    return {
        "schema": 1,
        "artifact": "appeals_analysis",
        "title": f"Анализ обращений граждан за {title_period}",
        "period": {"name": period, "title": title_period, "start": "2026-07-01", "end": "2026-09-30"},
        "section": "Аналитические материалы по итогам обращений в Министерство",
        "clause": "п. 21: итоги анализа обращений размещаются на официальном сайте",
        "min_cell": 5,
        "blocks": [
            {"id": "by_topic", "title": "Обращения по тематикам",
             "summary": f"Больше всего обращений — {first} (34,2 %) — о тематике «Социальная защита семей с детьми».",
             "columns": [{"key": "label", "title": "Тематика", "type": "string"},
                         {"key": "count", "title": "Обращений", "type": "integer"},
                         {"key": "share", "title": "Доля, %", "type": "number"}],
             "rows": [{"label": "Социальная защита семей с детьми", "count": first, "share": 34.2},
                      {"label": "Пенсионное обеспечение", "count": 1234, "share": 12.5},
                      {"label": "Прочие тематики", "count": None, "share": None}],
             "chart": {"type": "bar", "label": "label", "value": "count"},
             "notes": ["Группы меньше 5 обращений не показываются; «—» — значение скрыто."]},
            {"id": "by_channel", "title": "Обращения по каналам",
             "summary": "Половина обращений — 60 — пришла через сайт.",
             "columns": [{"key": "label", "title": "Канал", "type": "string"},
                         {"key": "count", "title": "Обращений", "type": "integer"}],
             "rows": [{"label": "Сайт", "count": 60}, {"label": "Почта", "count": 60}],
             "chart": {"type": "horizontalBar", "label": "label", "value": "count"}},
        ],
    }


def we_did_payload() -> dict:
    return {
        "schema": 1, "artifact": "you_said_we_did", "title": "Вы сказали — мы сделали: II квартал 2026 г.",
        "period": {"name": "2026-Q2", "title": "II квартал 2026 г.", "start": "2026-04-01", "end": "2026-06-30"},
        "section": "Клиентоцентричность", "clause": "п. 16", "min_cell": 5,
        "blocks": [{"id": "by_service", "title": "По услугам", "summary": "Два решения по двум услугам.",
                    "columns": [{"key": "problem", "title": "Что мешало", "type": "string"},
                                {"key": "measure", "title": "Что сделано", "type": "string"},
                                {"key": "status", "title": "Состояние", "type": "string"},
                                {"key": "due", "title": "Срок", "type": "date"},
                                {"key": "done_on", "title": "Выполнено", "type": "date"}],
                    "rows": [{"problem": "Долгая очередь", "measure": "Электронная очередь", "status": "выполнено",
                              "due": "2026-06-01", "done_on": "2026-05-20"}]}],
    }


def add_publication(app, tenant, payload: dict, *, version: int = 1, status: str = "published",
                    published_at: datetime | None = None, note: str = "", status_reason: str = "",
                    withdrawn_at: datetime | None = None) -> int:
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            pub = Publication(artifact=payload["artifact"], period=payload["period"]["name"], version=version,
                              status=status, title=payload["title"], section=payload["section"],
                              clause=payload["clause"], payload=payload, payload_sha256=sha(payload), note=note,
                              published_at=published_at or (datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
                                                             if status in ("published", "superseded",
                                                                           "withdrawn") else None),
                              status_reason=status_reason, withdrawn_at=withdrawn_at)
            db.session.add(pub)
            db.session.commit()
            return pub.id


def set_status(app, tenant, pub_id: int, status: str, **fields) -> None:
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            pub = db.session.get(Publication, pub_id)
            pub.status = status
            for key, value in fields.items():
                setattr(pub, key, value)
            db.session.commit()


def delete_publication(app, tenant, pub_id: int) -> None:
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            db.session.delete(db.session.get(Publication, pub_id))
            db.session.commit()
