"""Shared helpers of the intake tests: canonical files in any encoding and delimiter, and what is stored."""

from __future__ import annotations

from sqlalchemy import func, select

from otklik.extensions import db
from otklik.models import Appeal, Tenant
from otklik.tenancy import across_tenants

HEADER = ["external_id", "kind", "audience", "channel", "registered_at", "answered_at", "topic_code", "reason",
          "segment", "client_type", "object", "outcome"]


def row(external_id="A-1", kind="complaint", audience="external", channel="website",
        registered_at="10.01.2025", answered_at="", topic_code="0002.0007.0073.0510", reason="Задержка выплаты",
        segment="пенсионеры", client_type="individual", object="Меры поддержки", outcome="pending", **extra):
    values = dict(external_id=external_id, kind=kind, audience=audience, channel=channel,
                  registered_at=registered_at, answered_at=answered_at, topic_code=topic_code, reason=reason,
                  segment=segment, client_type=client_type, object=object, outcome=outcome)
    values.update(extra)
    return values


def csv_bytes(rows, header=None, delimiter=";", encoding="cp1251", bom=False) -> bytes:
    header = header or HEADER
    lines = [delimiter.join(header)]
    for r in rows:
        cells = []
        for h in header:
            v = str(r.get(h, ""))
            if delimiter in v or '"' in v or "\n" in v:
                v = '"' + v.replace('"', '""') + '"'
            cells.append(v)
        lines.append(delimiter.join(cells))
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def stored(app, tenant=None) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(Appeal)
        if tenant is not None:
            stmt = stmt.where(Appeal.tenant_id == tenant.id)
        return db.session.execute(across_tenants(stmt)).scalar()


def appeals(app, tenant) -> dict:
    with app.app_context():
        rows = db.session.execute(across_tenants(
            select(Appeal).where(Appeal.tenant_id == tenant.id).order_by(Appeal.external_id))).scalars().all()
        db.session.expunge_all()
        return {a.external_id: a for a in rows}


def tenant_row(app, tenant):
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        db.session.expunge(t)
        return t
