"""Employees' appeals and memos (Astrakhan 4.6, Omsk 7.2, 14.2): counted apart from the citizens' figures, per
internal topic under the employee rule, and never leaving the office. Figures worked out by hand."""

from __future__ import annotations

import pytest

from otklik.analysis.runner import compute
from otklik.extensions import db
from otklik.models import Tenant
from otklik.results.disclosure import disclose
from otklik.tenancy import tenant_scope

from .helpers import add_appeals


def _compute(tenant, period="2025-H1"):
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        return compute(t, "appeals", period)


@pytest.fixture
def astrakhan(make_tenant, db_session):
    return make_tenant("astrakhan", slug="astrakhan-i")


def _external(n):
    # 30 citizens: 10 complaints (4 supported, 3 not supported), 20 appeals, all by website, answered in 10 days
    rows = []
    for i in range(n):
        kind = "complaint" if i < 10 else "appeal"
        outcome = "supported" if i < 4 else "not_supported" if i < 7 else "explained"
        rows.append(dict(external_id=f"E-{i}", kind=kind, outcome=outcome, registered_at="2025-02-03 10:00",
                         answered_at="2025-02-13 10:00", reason="Протечка кровли", segment="citizen"))
    return rows


INTERNAL = [
    # 7 employees' items: 5 on equipment (3 memos, 2 internal appeals), 1 on career, 1 with a code off the list
    *[dict(external_id=f"M-{i}", kind="memo", channel="internal", registered_at="2025-03-03 09:00",
           answered_at="2025-04-30 09:00", topic_code="equipment", reason="Принтер", outcome="not_supported")
      for i in range(3)],
    *[dict(external_id=f"I-{i}", kind="complaint", audience="internal", channel="internal",
           registered_at="2025-03-04 09:00", topic_code="equipment", outcome="not_supported") for i in range(2)],
    dict(external_id="I-c", kind="appeal", audience="internal", channel="internal", registered_at="2025-03-05 09:00",
         topic_code="career"),
    # a memo marked external by mistake is still an employee's
    dict(external_id="M-x", kind="memo", audience="external", channel="internal", registered_at="2025-03-05 09:00",
         topic_code="0002.0014"),
]


def test_citizens_figures_count_external_only(astrakhan):
    add_appeals(astrakhan, _external(30) + INTERNAL)
    doc = _compute(astrakhan)
    assert doc["total"] == 30  # not 37
    assert doc["by_kind"] == {"appeal": {"count": 20, "share": 0.6667}, "complaint": {"count": 10, "share": 0.3333}}
    assert doc["by_channel"] == {"website": {"count": 30, "share": 1.0}}
    assert doc["reasons"] == [{"reason": "Протечка кровли", "count": 30, "share": 1.0}]
    assert doc["complaints"] == {"total": 10, "satisfied": 4, "satisfied_share": 0.4, "unsatisfied": 3,
                                 "unsatisfied_share": 0.3}
    # the memos were answered after 58 days; the citizens' 30 after 10 each
    assert doc["waiting_days"]["answered"] == 30 and doc["waiting_days"]["mean"] == 10.0
    assert "0002.0014" not in str(doc["by_topic"])
    assert doc["inputs"]["appeals"] == 30 and doc["inputs"]["internal"] == 7


def test_internal_section_by_topic_under_the_employee_rule(astrakhan):
    add_appeals(astrakhan, _external(30) + INTERNAL)
    internal = _compute(astrakhan)["internal_topics"]
    assert internal["total"] == 7 and internal["memos"] == 4
    by_topic = internal["by_topic"]
    # equipment: 5 of 7, shown; career 1 (primary) and unclassified 1 (primary) hold 2 < 5 together, so nothing
    # more is positive to hide beside them but equipment itself: 7 - 5 would give 2 back, so it goes (secondary)
    assert by_topic["career"] == {"title": "Возможности должностного роста в службе", "suppressed": "primary"}
    assert by_topic["unclassified"] == {"suppressed": "primary"}
    assert by_topic["equipment"]["suppressed"] == "secondary"
    # the seven other aspects had none: zero is not a small group, shown
    assert by_topic["regulation"] == {"title": "Регламентация профессиональной деятельности", "count": 0,
                                      "share": 0.0}
    assert len(by_topic) == 9 + 1


def test_five_on_a_topic_are_counted_once_the_rest_hold_five_too(astrakhan):
    rows = [dict(external_id=f"Q-{i}", kind="memo", channel="internal", registered_at="2025-03-03 09:00",
                 topic_code="equipment" if i < 6 else "colleagues") for i in range(11)]
    add_appeals(astrakhan, rows)
    internal = _compute(astrakhan)["internal_topics"]
    assert internal["by_topic"]["equipment"] == {"title": "Материально-техническое оснащение", "count": 6,
                                                 "share": 0.5455}  # 6 / 11
    assert internal["by_topic"]["colleagues"]["count"] == 5
    assert _compute(astrakhan)["total"] == 0


def test_internal_section_never_leaves_the_office(astrakhan):
    add_appeals(astrakhan, _external(30) + INTERNAL)
    shown = disclose(_compute(astrakhan), 5)
    assert "internal_topics" not in shown.values
    assert shown.values["total"] == 30
    assert shown.hidden("internal_topics")


def test_omsk_counts_against_its_ten_areas(make_tenant, db_session):
    omsk = make_tenant("omsk", slug="omsk-i")
    add_appeals(omsk, [dict(external_id=f"O-{i}", kind="appeal", audience="internal", channel="internal",
                            registered_at="2025-02-03 10:00", topic_code="accounting") for i in range(5)])
    doc = _compute(omsk, "2025-Q1")
    assert doc["total"] == 0
    assert list(doc["internal_topics"]["by_topic"])[:2] == ["it_support", "units"]
    assert doc["internal_topics"]["by_topic"]["accounting"]["count"] == 5
    assert doc["internal_topics"]["by_topic"]["accounting"]["share"] == 1.0


def test_no_internal_section_where_the_profile_has_no_employees(make_tenant, db_session):
    vladimir = make_tenant("vladimir", slug="vladimir-i")
    add_appeals(vladimir, [dict(registered_at="2025-02-03 10:00")])
    assert "internal_topics" not in _compute(vladimir, "2025-Q1")


def test_office_page_shows_the_internal_section_with_hidden_topics(app, client, astrakhan, make_user):
    from otklik.reports.tests.documents import analysed
    from otklik.testing import login

    add_appeals(astrakhan, _external(30) + INTERNAL)
    with app.app_context():
        analysis_id = analysed(astrakhan, "appeals", "2025-H1")
    make_user("viewer@a.test", tenant=astrakhan, role="viewer")
    login(client, "viewer@a.test")
    html = client.get(f"/astrakhan-i/office/analyses/{analysis_id}").get_data(as_text=True)
    assert "Внутренняя обратная связь: обращения и служебные записки сотрудников" in html
    assert "Возможности должностного роста в службе" in html
    assert "скрыто" in html  # career, unclassified and equipment are hidden: no count of theirs is on the page
    assert "Регламентация профессиональной деятельности" in html
