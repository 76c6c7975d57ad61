"""The acts' switches of issue 20, item 5, worked out by hand: the additional collection on a high-prevalence
problem for Nenets 7 and Astrakhan 5.4, and Astrakhan's own prevalence bands (thirds of the scale)."""

from __future__ import annotations

from flask_babel import force_locale

from otklik.models import Tenant
from otklik.plugins import get_plugin_manager
from otklik.prevalence import prevalence_level
from otklik.tenancy import tenant_scope


def _signals(db_session, tenant, doc):
    t = db_session.get(Tenant, tenant.id)
    with tenant_scope(t), force_locale("ru"):
        return get_plugin_manager().call_flat(t, "otklik_escalation_signals", analysis=doc)


DOC = {"kind": "surveys", "responses": 200, "negative": {"answers": 400, "count": 40, "share": 0.1},
       "prevalence": [{"title": "Очереди", "percent": 85, "level": "high"}]}


def test_nenets_and_astrakhan_start_an_additional_collection_on_high_prevalence(make_tenant, db_session):
    for profile, clause in (("nenets", "п. 7"), ("astrakhan", "п. 5.4")):
        tenant = make_tenant(profile, slug=f"{profile}-sw")
        [signal] = _signals(db_session, tenant, DOC)  # negative 10 %: below 30 %, so only prevalence
        assert signal.metric == "prevalence" and clause in signal.clause
        assert signal.population == 200 and signal.sample_size == 132  # Cochran, 95 %, 5 %, N = 200


def test_vladimir_has_no_such_switch(make_tenant, db_session):
    assert _signals(db_session, make_tenant("vladimir", slug="vladimir-sw"), DOC) == []


def test_astrakhan_bands_are_its_own_thirds(make_tenant, db_session):
    astrakhan = db_session.get(Tenant, make_tenant("astrakhan", slug="astrakhan-bands").id)
    omsk = db_session.get(Tenant, make_tenant("omsk", slug="omsk-bands").id)
    # 70 %: high for Astrakhan (67-100), medium for Omsk (31-80); 33 %: low for Astrakhan (0-33), medium for Omsk
    assert prevalence_level(astrakhan, 70) == "high" and prevalence_level(omsk, 70) == "medium"
    assert prevalence_level(astrakhan, 66) == "medium" and prevalence_level(astrakhan, 34) == "medium"
    assert prevalence_level(astrakhan, 33) == "low" and prevalence_level(omsk, 33) == "medium"
