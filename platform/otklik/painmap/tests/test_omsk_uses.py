"""Omsk 17.5-17.6: re-engineering of internal processes and methodical materials are uses a measure may have."""

from __future__ import annotations

from otklik.extensions import db
from otklik.models import Pain
from otklik.testing import login

from .test_views import _in, _map, people  # noqa: F401 - the fixture and helpers of the pain map's page tests


def test_a_measure_for_internal_processes_or_methodical_materials(app, client, people):  # noqa: F811
    tenant, _other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    login(client, "officer@map.example")
    url = f"/omsk-map/office/painmap/pains/{made['second']}/measures/new"
    form = client.get(url).get_data(as_text=True)
    assert "Реинжиниринг внутренних процессов" in form and "Методические материалы и разъяснения" in form
    r = client.post(url, data={"wording": "Памятка по оформлению справки", "use": "methodical_materials",
                               "unit": "Отдел справок", "owner": str(ids["operator2"]), "start_date": "2025-04-01",
                               "due_date": "", "status": "planned", "progress": "0"})
    assert r.status_code == 302
    with _in(app, tenant):
        assert db.session.get(Pain, made["second"]).measures[0].use == "methodical_materials"
