"""Sample size, prevalence bands and escalation signals."""

import pytest

from otklik.analysis.runner import compute
from otklik.analysis.sample import sample_size
from otklik.extensions import db
from otklik.models import Tenant
from otklik.plugins import SettingsError, get_plugin_manager
from otklik.prevalence import band, percent_half_up, prevalence_level
from otklik.tenancy import tenant_scope

from .helpers import add_appeals


def test_cochran_sample_size_with_finite_population_correction():
    assert sample_size(1000) == 278  # DOMAIN.md's example
    assert sample_size(None) == 385  # infinite population: n0 = 384.16 rounded up
    assert sample_size(100) == 80
    assert sample_size(10) == 10
    assert sample_size(1000, confidence=0.99) == 400
    assert sample_size(1000, margin=0.1) == 88
    with pytest.raises(ValueError):
        sample_size(1000, confidence=1.5)


def test_prevalence_rounds_half_up_and_takes_omsk_bands():
    assert percent_half_up(1, 8) == 13  # 12.5 -> 13 (round() would give 12)
    assert percent_half_up(61, 200) == 31  # 30.5 -> 31: medium, not low
    assert percent_half_up(0, 0) is None
    assert [band(p) for p in (0, 30, 31, 80, 81, 100)] == ["low", "low", "medium", "medium", "high", "high"]


def test_prevalence_hook_uses_the_tenants_bands(make_tenant, db_session):
    omsk = make_tenant("omsk", slug="omsk-p")
    t = db_session.get(Tenant, omsk.id)
    assert prevalence_level(t, 81) == "high" and prevalence_level(t, 80) == "medium"
    t.plugins = {**t.plugins, "prevalence_bands": get_plugin_manager().validate(
        "prevalence_bands", {"high_from": 70, "medium_from": 20})}
    assert prevalence_level(t, 75) == "high" and prevalence_level(t, 20) == "medium"
    vladimir = db_session.get(Tenant, make_tenant("vladimir", slug="vladimir-p").id)
    assert prevalence_level(vladimir, 81) == "high"  # no plugin: Omsk's bands by default
    with pytest.raises(SettingsError):
        get_plugin_manager().validate("prevalence_bands", {"high_from": 20, "medium_from": 50})


def _run(tenant):
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        return compute(t, "appeals", "2025-Q1")


def test_unsatisfied_complaints_raise_additional_collection(make_tenant, db_session):
    vladimir = make_tenant("vladimir", slug="vladimir-s")
    rows = [dict(kind="complaint", registered_at="2025-02-01 10:00", outcome="not_supported")] * 4
    rows += [dict(kind="complaint", registered_at="2025-02-01 10:00", outcome="supported")] * 6
    rows += [dict(kind="appeal", registered_at="2025-02-01 10:00")] * 990
    add_appeals(vladimir, rows)
    doc = _run(vladimir)
    assert doc["complaints"]["unsatisfied_share"] == 0.4
    [signal] = doc["signals"]
    assert signal["code"] == "additional_collection"
    assert signal["message"] == "Рекомендован дополнительный сбор обратной связи"
    assert signal["population"] == 1000 and signal["sample_size"] == 278
    assert signal["metric"] == "complaints.unsatisfied_share" and signal["threshold"] == 0.3
    assert "п. 5" in signal["clause"]
    assert "40.0%" in signal["details"]["reason"]


def test_below_threshold_or_too_few_complaints_raise_nothing(make_tenant, db_session):
    vladimir = make_tenant("vladimir", slug="vladimir-s2")
    add_appeals(vladimir, [dict(kind="complaint", registered_at="2025-02-01 10:00", outcome="not_supported")] * 3)
    assert _run(vladimir)["signals"] == []  # 100 % of 3: fewer than min_complaints (10)
    add_appeals(vladimir, [dict(kind="complaint", registered_at="2025-02-02 10:00", outcome="supported")] * 7)
    assert _run(vladimir)["signals"] == []  # 30 %: not above 30 %


def test_negative_answers_and_high_prevalence_signals(make_tenant, db_session):
    """The escalation hook on a survey document: negative share and Omsk's high prevalence (Omsk 20)."""
    omsk = db_session.get(Tenant, make_tenant("omsk", slug="omsk-s").id)
    doc = {"kind": "surveys", "responses": 200, "negative": {"answers": 400, "count": 160, "share": 0.4},
           "prevalence": [{"title": "Очереди", "percent": 85, "level": "high"}]}
    with tenant_scope(omsk):
        from flask_babel import force_locale

        with force_locale("ru"):
            signals = get_plugin_manager().call_flat(omsk, "otklik_escalation_signals", analysis=doc)
    assert [s.metric for s in signals] == ["negative.share", "prevalence"]
    assert all(s.population == 200 and s.sample_size == 132 for s in signals)
    assert "п. 20" in signals[1].clause


def test_metrics_hook_gives_each_tenant_its_own_metrics(make_tenant, db_session):
    pm = get_plugin_manager()
    vladimir = db_session.get(Tenant, make_tenant("vladimir", slug="vladimir-h").id)
    omsk = db_session.get(Tenant, make_tenant("omsk", slug="omsk-h").id)
    v_keys = {m.key for m in pm.call_flat(vladimir, "otklik_metrics", kind="appeals") if "appeals" in m.kinds}
    o_keys = {m.key for m in pm.call_flat(omsk, "otklik_metrics", kind="appeals") if "appeals" in m.kinds}
    standard = {"total", "by_channel", "reasons", "by_topic", "by_section", "by_thematic", "waiting_days",
                "complaints"}
    assert standard <= v_keys and standard <= o_keys
    assert "redirected" in v_keys and "redirected" not in o_keys  # Vladimir 22.5
    assert "by_segment" in o_keys and "by_segment" not in v_keys  # Omsk 14.4
    survey_keys = {m.key for m in pm.call_flat(omsk, "otklik_metrics", kind="surveys") if "surveys" in m.kinds}
    assert {"responses", "questionnaires", "parameters", "informed", "themes", "prevalence"} <= survey_keys


def test_prevalence_hook_answers_for_omsk_only(make_tenant, db_session):
    pm = get_plugin_manager()
    omsk = db_session.get(Tenant, make_tenant("omsk", slug="omsk-h2").id)
    vladimir = db_session.get(Tenant, make_tenant("vladimir", slug="vladimir-h2").id)
    assert pm.call(omsk, "otklik_prevalence_level", percent=31) == "medium"
    assert pm.call(vladimir, "otklik_prevalence_level", percent=31) is None  # no plugin: the core's default
