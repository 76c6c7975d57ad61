"""Fixtures of the analysis tests: appeals inserted directly, in the tenant's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from otklik.extensions import db
from otklik.models import Appeal, Tenant
from otklik.tenancy import tenant_scope


def local(tenant_tz: str, text: str) -> datetime:
    """'2025-03-31 23:30' in the tenant's zone, as the UTC instant stored."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tenant_tz)).astimezone(UTC)


def add_appeals(tenant, rows: list[dict]) -> None:
    """rows: dicts of Appeal fields; registered_at / answered_at as local 'YYYY-MM-DD HH:MM' strings."""
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        for i, row in enumerate(rows):
            row = dict(row)
            reg = local(t.timezone, row.pop("registered_at"))
            ans = row.pop("answered_at", None)
            db.session.add(Appeal(
                external_id=row.pop("external_id", f"A-{i}-{reg.timestamp()}"),
                kind=row.pop("kind", "appeal"), channel=row.pop("channel", "website"), registered_at=reg,
                answered_at=local(t.timezone, ans) if ans else None,
                due_date=(reg + timedelta(days=30)).date(), **row))
        db.session.commit()
