"""The appeals analysis by process of the catalogue: counts and shares of everything registered, by hand, and the
figures a pain's evidence points to."""

import pytest

from otklik.analysis.runner import compute
from otklik.extensions import db
from otklik.models import Process, Tenant
from otklik.results.document import read, validate
from otklik.tenancy import tenant_scope

from .helpers import add_appeals


@pytest.fixture
def omsk(make_tenant, db_session):
    return make_tenant("omsk", slug="omsk-process")


def _processes(tenant, *names) -> dict[str, int]:
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        rows = [Process(name=n, kind="service") for n in names]
        db.session.add_all(rows)
        db.session.commit()
        return {p.name: p.id for p in rows}


def test_by_process_counts_and_shares_by_hand(omsk, make_tenant):
    ids = _processes(omsk, "Выдача справки", "Компенсация ЖКУ", "Не упомянутая услуга")
    other = make_tenant("omsk", slug="omsk-other")
    other_ids = _processes(other, "Выдача справки")
    rows = (
        [dict(registered_at=f"2025-01-{d:02d} 10:00", process_id=ids["Выдача справки"]) for d in range(1, 6)]
        + [dict(registered_at="2025-02-10 10:00", process_id=ids["Компенсация ЖКУ"], kind="complaint")] * 3
        + [dict(registered_at="2025-03-10 10:00", object="Что-то своё")] * 2
        # outside the quarter (local time): not counted
        + [dict(registered_at="2025-04-01 00:30", process_id=ids["Выдача справки"])]
    )
    add_appeals(omsk, rows)
    add_appeals(other, [dict(registered_at="2025-01-15 10:00", process_id=other_ids["Выдача справки"])] * 4)
    t = db.session.get(Tenant, omsk.id)
    with tenant_scope(t):
        doc = compute(t, "appeals", "2025-Q1")
    # 10 registered: 5 + 3 linked, 2 not in the catalogue; the other authority's 4 are not here
    assert doc["total"] == 10
    assert doc["by_process"] == {"Выдача справки": {"count": 5, "share": 0.5},
                                 "Компенсация ЖКУ": {"count": 3, "share": 0.3},
                                 "uncatalogued": {"count": 2, "share": 0.2}}
    assert validate(doc) == []
    figures = {f.id: (f.title, f.n, f.total) for f in read(doc).figures() if f.id.startswith("by_process:")}
    assert figures == {"by_process:Выдача справки": ("Выдача справки", 5, 10),
                       "by_process:Компенсация ЖКУ": ("Компенсация ЖКУ", 3, 10),
                       "by_process:uncatalogued": ("не в каталоге", 2, 10)}
    section = next(s for s in read(doc).sections() if s.key == "by_process")
    assert section.sheet == "Процессы"
    assert [r["label"] for r in section.rows] == ["Выдача справки", "Компенсация ЖКУ", "не в каталоге"]


def test_by_process_of_an_empty_period(omsk):
    t = db.session.get(Tenant, omsk.id)
    with tenant_scope(t):
        doc = compute(t, "appeals", "2025-Q1")
    assert doc["by_process"] == {}
    assert validate(doc) == []
