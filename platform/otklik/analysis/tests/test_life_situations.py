"""Appeals by life situation through the catalogue (recommendations 8.3), worked out by hand."""

from __future__ import annotations

from otklik.analysis.runner import compute
from otklik.extensions import db
from otklik.models import Process, Tenant
from otklik.results.document import validate
from otklik.tenancy import tenant_scope

from .helpers import add_appeals


def test_appeals_count_in_each_life_situation_of_their_entry(make_tenant, db_session):
    tenant = make_tenant("nenets", slug="nenets-ls")
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        birth = Process(name="Пособие при рождении", kind="service", life_situations=["Рождение ребенка"])
        both = Process(name="Материнский капитал", kind="service",
                       life_situations=["Рождение ребенка", "Улучшение жилищных условий"])
        bare = Process(name="Справка", kind="service", life_situations=[])
        db.session.add_all([birth, both, bare])
        db.session.commit()
        ids = (birth.id, both.id, bare.id)
    add_appeals(tenant, [dict(registered_at="2025-02-03 10:00", process_id=ids[0])] * 3
                + [dict(registered_at="2025-02-03 10:00", process_id=ids[1])] * 2
                + [dict(registered_at="2025-02-03 10:00", process_id=ids[2])]
                + [dict(registered_at="2025-02-03 10:00")] * 4
                + [dict(registered_at="2025-02-03 10:00", process_id=ids[0], audience="internal")])
    with tenant_scope(db.session.get(Tenant, tenant.id)):
        doc = compute(db.session.get(Tenant, tenant.id), "appeals", "2025-Q1")
    assert doc["total"] == 10  # the employee's appeal is not a citizen's
    # birth: 3 + 2 = 5 of 10; housing: 2 of 10; none: the bare entry's 1 and the 4 without an entry
    assert doc["by_life_situation"] == {"no_life_situation": {"count": 5, "share": 0.5},
                                        "Рождение ребенка": {"count": 5, "share": 0.5},
                                        "Улучшение жилищных условий": {"count": 2, "share": 0.2}}
    assert validate(doc) == []
