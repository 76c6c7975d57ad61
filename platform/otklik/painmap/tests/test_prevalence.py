"""Prevalence, its Wilson interval, band and priority, computed by hand (DOMAIN.md, pain map section)."""

import math

import pytest

from otklik.prevalence import percent_half_up, wilson


def _wilson_by_hand(n: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    p = n / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return centre - half, centre + half


@pytest.mark.parametrize("n,total", [(12, 40), (0, 25), (25, 25), (3, 7), (150, 350)])
def test_wilson_interval_matches_the_formula(n, total):
    low, high = wilson(n, total)
    expected = _wilson_by_hand(n, total)
    assert low == pytest.approx(expected[0], abs=1e-6) and high == pytest.approx(expected[1], abs=1e-6)


def test_the_domain_example():
    """12 of 40 -> 30 %, interval 18.1 %-45.4 %."""
    assert percent_half_up(12, 40) == 30
    low, high = wilson(12, 40)
    assert (round(low * 100, 1), round(high * 100, 1)) == (18.1, 45.4)
    assert wilson(0, 0) is None


def test_hook_otklik_pain_priority(app, make_tenant, db_session):
    """Omsk 16: priority follows prevalence; a tenant's plugin setting may map a band to another priority."""
    from otklik.extensions import db
    from otklik.models import Tenant
    from otklik.plugins import get_plugin_manager
    from otklik.prevalence import pain_priority

    omsk = make_tenant("omsk", slug="omsk-priority")
    tenant = db.session.get(Tenant, omsk.id)
    assert [pain_priority(tenant, b) for b in ("high", "medium", "low")] == ["high", "medium", "low"]
    plugins = dict(tenant.plugins)
    plugins["prevalence_bands"] = get_plugin_manager().validate("prevalence_bands", {"priority": {"low": "medium"}})
    tenant.plugins = plugins
    assert pain_priority(tenant, "low") == "medium" and pain_priority(tenant, "high") == "high"
    assert get_plugin_manager().call(tenant, "otklik_pain_priority", band="medium") == "medium"
    db.session.rollback()


def test_too_few_answers_and_the_edges(app, make_tenant, db_session):
    """0 of N, N of N, and N below the tenant's minimum (30 by default) flagged."""
    from otklik.extensions import db
    from otklik.models import Evidence, Tenant
    from otklik.painmap.service import measure

    tenant = db.session.get(Tenant, make_tenant("omsk", slug="omsk-few").id)
    none_of = measure(tenant, Evidence(n=0, total=45, period="2025-Q1"))
    assert (none_of.percent, none_of.band, none_of.too_few, round(none_of.low, 4)) == (0, "low", False, 0.0)
    all_of = measure(tenant, Evidence(n=45, total=45, period="2025-Q1"))
    assert (all_of.percent, all_of.band, round(all_of.high, 4)) == (100, "high", 1.0)
    few = measure(tenant, Evidence(n=9, total=29, period="2025-Q1"))  # 31 %: medium, but only 29 answered
    assert (few.percent, few.band, few.too_few) == (31, "medium", True)
    unknown = measure(tenant, Evidence(source="manual", method="нет данных"))
    assert not unknown.known and unknown.percent is None
