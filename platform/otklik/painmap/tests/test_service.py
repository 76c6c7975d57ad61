"""Pains from analyses: suggestions after an analysis (on a real RQ worker), accept / dismiss / merge, the history
of changes, and re-measurement that verifies a pain only when a later period's interval lies below."""

import pytest
from sqlalchemy import func, select

from otklik.analysis.tests import test_survey_metrics as fx
from otklik.extensions import db
from otklik.models import Analysis, Measure, Pain, PainEvent, Suggestion, Tenant
from otklik.painmap import service
from otklik.tenancy import tenant_scope


def _respondents(month: str, with_queue: int, total: int) -> list[tuple]:
    """`total` respondents of a month answering the problems question: `with_queue` chose the queue, the rest
    the documents."""
    return [(f"{month}-{1 + i % 27:02d} 10:00", "pension", "citizens", "external", 4, (4, 4),
             ["queue"] if i < with_queue else ["docs"], "yes", "") for i in range(total)]


def _analyse(app, run_jobs, tenant, period):
    from otklik.analysis.jobs import request_analysis

    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            analysis_id = request_analysis(t, "surveys", period).id
    run_jobs()
    return analysis_id


@pytest.fixture
def omsk(app, make_tenant, run_jobs):
    tenant = make_tenant("omsk", slug="omsk-pains")
    with app.app_context():
        fx.add_survey(tenant, _respondents("2025-01", 24, 40) + _respondents("2025-02", 4, 40)
                      + _respondents("2025-03", 20, 40))
    return tenant


def _scope(app, tenant):
    ctx = app.app_context()
    ctx.push()
    t = db.session.get(Tenant, tenant.id)
    scope = tenant_scope(t)
    scope.__enter__()
    return ctx, scope, t


def test_an_analysis_suggests_its_prevalent_problems(app, run_jobs, omsk):
    january = _analyse(app, run_jobs, omsk, "2025-01")
    ctx, scope, tenant = _scope(app, omsk)
    try:
        rows = db.session.execute(select(Suggestion).order_by(Suggestion.id)).scalars().all()
        by_figure = {s.figure: s for s in rows}
        # queue 24 of 40 = 60 % (medium), documents 16 of 40 = 40 % (medium): both suggested, from January
        queue = next(s for f, s in by_figure.items() if f.startswith("prevalence:") and f.endswith(":q3:queue"))
        docs = next(s for f, s in by_figure.items() if f.startswith("prevalence:") and f.endswith(":q3:docs"))
        assert (queue.n, queue.total, queue.period, queue.analysis_id) == (24, 40, "2025-01", january)
        assert (docs.n, docs.total) == (16, 40)
        as_json = service.as_json(tenant, queue)
        assert (as_json["prevalence"], as_json["band"], as_json["ci_low"], as_json["ci_high"]) == (60, "medium",
                                                                                                  44.6, 73.7)
        # running the same analysis's suggestions again proposes nothing twice
        analysis = db.session.get(Analysis, january)
        assert service.suggest(tenant, analysis) == []
    finally:
        scope.__exit__(None, None, None)
        ctx.pop()


def test_accept_dismiss_merge_and_history(app, run_jobs, omsk):
    january = _analyse(app, run_jobs, omsk, "2025-01")
    ctx, scope, tenant = _scope(app, omsk)
    try:
        rows = {s.figure.rsplit(":", 1)[1]: s for s in db.session.execute(select(Suggestion)).scalars()
                if s.figure.startswith("prevalence:")}
        pain = service.accept(tenant, rows["queue"], user_id=None)
        assert pain.wording == "Очереди" and [(e.n, e.total, e.period) for e in pain.evidence] == [(24, 40, "2025-01")]
        m = service.measured(tenant, pain)
        assert (m.percent, m.band, m.priority, m.too_few) == (60, "medium", "medium", False)
        with pytest.raises(ValueError):
            service.accept(tenant, rows["queue"], user_id=None)  # decided once
        with pytest.raises(ValueError):
            service.dismiss(rows["docs"], "  ", user_id=None)  # a dismissal needs a reason
        service.dismiss(rows["docs"], "Не проблема клиента", user_id=None)
        service.suggest(tenant, db.session.get(Analysis, january))
        assert db.session.execute(select(func.count()).select_from(Suggestion)
                                  .where(Suggestion.figure == rows["docs"].figure)).scalar_one() == 1
        other = Pain(wording="Долго ждать в очереди", status="new")
        db.session.add(other)
        db.session.commit()
        other.evidence.append(service.evidence_from(db.session.get(Analysis, january),
                                                    service.read(db.session.get(Analysis, january).result)
                                                    .figure(rows["docs"].figure)))
        db.session.commit()
        service.merge(other, pain, user_id=None)
        pain = db.session.get(Pain, pain.id)
        assert sorted(e.n for e in pain.evidence) == [16, 24]  # both evidence lists kept
        assert db.session.get(Pain, other.id).status == "merged"
        fields = [e.field for e in db.session.execute(select(PainEvent).where(PainEvent.pain_id == pain.id))
                  .scalars()]
        assert fields[:2] == ["status", "evidence"] and "merged" in fields
    finally:
        scope.__exit__(None, None, None)
        ctx.pop()


def _pain_with_done_measure(tenant, suggestion) -> Pain:
    pain = service.accept(tenant, suggestion, user_id=None)
    pain.measures.append(Measure(wording="Электронная очередь", status="done", progress=100))
    db.session.commit()
    return pain


def test_a_pain_is_verified_only_by_a_later_period_below_it(app, run_jobs, omsk):
    _analyse(app, run_jobs, omsk, "2025-01")
    ctx, scope, tenant = _scope(app, omsk)
    try:
        queue = next(s for s in db.session.execute(select(Suggestion)).scalars() if s.figure.endswith(":q3:queue"))
        pain = _pain_with_done_measure(tenant, queue)
        status, reason = service.remeasure(tenant, pain)
        assert status == "resolved" and "waiting" in reason  # no later period yet
    finally:
        scope.__exit__(None, None, None)
        ctx.pop()
    _analyse(app, run_jobs, omsk, "2025-02")
    ctx, scope, tenant = _scope(app, omsk)
    try:
        pain = db.session.execute(select(Pain)).scalar_one()
        status, reason = service.remeasure(tenant, pain)
        # 24 of 40 (44.6-73.7 %) -> 4 of 40 = 10 % (4.0-23.1 %): the intervals do not overlap
        assert status == "verified", reason
        assert "60 % (2025-01) -> 10 % (2025-02)" in reason
        assert [e.period for e in pain.evidence] == ["2025-01", "2025-02"]
    finally:
        scope.__exit__(None, None, None)
        ctx.pop()


def test_an_overlapping_fall_does_not_verify(app, run_jobs, omsk):
    """24 of 40 in January, 20 of 40 in March (50 %, 35.2-64.8 %): lower, but the intervals overlap."""
    _analyse(app, run_jobs, omsk, "2025-01")
    ctx, scope, tenant = _scope(app, omsk)
    try:
        queue = next(s for s in db.session.execute(select(Suggestion)).scalars() if s.figure.endswith(":q3:queue"))
        _pain_with_done_measure(tenant, queue)
    finally:
        scope.__exit__(None, None, None)
        ctx.pop()
    _analyse(app, run_jobs, omsk, "2025-03")
    ctx, scope, tenant = _scope(app, omsk)
    try:
        pain = db.session.execute(select(Pain)).scalar_one()
        status, reason = service.remeasure(tenant, pain)
        assert status == "resolved" and "not confirmed" in reason
        assert service.progress(pain) == 100
    finally:
        scope.__exit__(None, None, None)
        ctx.pop()


def test_topics_and_processes_with_unsatisfied_complaints_are_suggested(app, make_tenant, db_session):
    """Topic A: 12 complaints, 6 not supported (50 % > 30 %, at least 10 complaints): proposed. Topic B: 12 with
    2 (17 %): not. Topic C: 5 of 5 (100 %), but fewer than 10 complaints: not."""
    from otklik.analysis.runner import compute
    from otklik.analysis.tests.helpers import add_appeals

    tenant = make_tenant("vladimir", slug="vlad-unsat")
    a, b, c = "0001.0001.0001.0001", "0002.0002.0002.0002", "0003.0003.0003.0003"
    rows = ([{"kind": "complaint", "outcome": "not_supported", "topic_code": a}] * 6
            + [{"kind": "complaint", "outcome": "supported", "topic_code": a}] * 6
            + [{"kind": "complaint", "outcome": "not_supported", "topic_code": b}] * 2
            + [{"kind": "complaint", "outcome": "explained", "topic_code": b}] * 10
            + [{"kind": "complaint", "outcome": "not_supported", "topic_code": c}] * 5
            + [{"kind": "appeal", "outcome": "explained", "topic_code": c}] * 7)
    add_appeals(tenant, [{**r, "registered_at": "2025-02-03 10:00"} for r in rows])
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        doc = compute(t, "appeals", "2025-Q1")
        assert doc["unsatisfied_by_topic"] == {
            c: {"count": 5, "of": 5, "share": 1.0}, a: {"count": 6, "of": 12, "share": 0.5},
            b: {"count": 2, "of": 12, "share": 0.1667}}
        assert doc["unsatisfied_by_process"] == {"uncatalogued": {"count": 13, "of": 29, "share": 0.4483}}
        analysis = Analysis(kind="appeals", period="2025-Q1", status="done", result=doc)
        db.session.add(analysis)
        db.session.commit()
        found = {s.figure: s for s in service.suggest(t, analysis)}
        assert f"unsatisfied_by_topic:{a}" in found and found[f"unsatisfied_by_topic:{a}"].source == "appeals_topic"
        assert (found[f"unsatisfied_by_topic:{a}"].n, found[f"unsatisfied_by_topic:{a}"].total) == (6, 12)
        assert f"unsatisfied_by_topic:{b}" not in found and f"unsatisfied_by_topic:{c}" not in found
        assert found["unsatisfied_by_process:uncatalogued"].source == "appeals_process"  # 13 of 29 = 45 %
