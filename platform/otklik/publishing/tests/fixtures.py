"""Data of the publishing tests: a quarter of Vladimir's appeals and a month of Nenets' survey answers, with a
canary string planted in every internal free-text field, analysed on the real RQ worker."""

from __future__ import annotations

from otklik.extensions import db
from otklik.models import ClassifierEntry, Tenant
from otklik.tenancy import tenant_scope

CANARY = "CANARY7Q"  # planted in every internal free-text field; must never reach a payload

TOPICS = {
    "0002.0004.0046.0004": "Социальная защита семей с детьми",
    "0002.0004.0046.0005": "Пенсионное обеспечение",
    "0002.0004.0046.0006": "Льготы ветеранам",
}


def quarter_appeals(*, post: int = 5, reception: int = 3) -> list[dict]:
    """40 appeals of 2026-Q3 (with the defaults): website 20, email 12, post 5, reception 3; 12 complaints (7
    supported, 5 not supported) and 28 appeals (6 redirected, 22 explained); topics 22 / 13 / 5."""
    channels = ["website"] * 20 + ["email"] * 12 + ["post"] * post + ["reception"] * reception
    topics = list(TOPICS)
    rows = []
    for i, channel in enumerate(channels):
        complaint = i % 40 < 12
        outcome = ("measures_taken" if i < 7 else "not_supported") if complaint else (
            "redirected" if i < 18 else "explained")
        topic = topics[0] if i < 22 else topics[1] if i < 35 else topics[2]
        rows.append({
            "registered_at": f"2026-08-{1 + i % 28:02d} 10:00", "answered_at": f"2026-08-{1 + i % 28:02d} 15:00",
            "external_id": f"{CANARY}-id-{i}", "kind": "complaint" if complaint else "appeal", "channel": channel,
            "outcome": outcome, "topic_code": topic, "reason": f"{CANARY} reason {i}",
            "summary": f"{CANARY} summary {i}", "redirected_to": f"{CANARY} redirected" if outcome == "redirected"
            else "", "extension_reason": f"{CANARY} extension"})
    return rows


def load_classifier(tenant) -> None:
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        db.session.add_all(ClassifierEntry(code=code, title=title) for code, title in TOPICS.items())
        db.session.commit()


def analyse(app, run_jobs, tenant, kind: str, period: str) -> int:
    """The analysis as the office requests it, run on the real RQ worker (the after-analysis duties with it)."""
    from otklik.analysis.jobs import request_analysis

    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            analysis_id = request_analysis(t, kind, period).id
    run_jobs()
    return analysis_id


class Scope:
    """An app context inside the tenant's scope, for the assertions of a test."""

    def __init__(self, app, tenant):
        self.app, self.tenant_id = app, tenant.id

    def __enter__(self):
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.tenant = db.session.get(Tenant, self.tenant_id)
        self.scope = tenant_scope(self.tenant)
        self.scope.__enter__()
        return self.tenant

    def __exit__(self, *exc):
        self.scope.__exit__(*exc)
        db.session.remove()
        self.ctx.pop()


# Survey answers of 2026-03 (Nenets): (object, q1 overall) per respondent; r1 (clarity) 4 and r2 (speed) 2 for all;
# q4 informed: the first 12 "yes", the last 5 "no"; every open answer and the questionnaire's description carry the
# canary.
SURVEY = [("Назначение пособия", q) for q in (5, 5, 4, 4, 4, 3, 5, 4)] + [
    ("Выдача справки", q) for q in (2, 3, 4, 5, 5, 5)] + [("Субсидия на ЖКУ", q) for q in (1, 2, 3)]


def month_survey(tenant) -> None:
    from otklik.analysis.tests import test_survey_metrics as fx
    from otklik.models.survey import Questionnaire

    rows = [(f"2026-03-{1 + i:02d} 10:00", obj, "citizens", "external", q1, (4, 2), ["queue"],
             "yes" if i < 12 else "no", f"{CANARY} open answer {i}") for i, (obj, q1) in enumerate(SURVEY)]
    fx.add_survey(tenant, rows)
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        for q in db.session.query(Questionnaire).all():
            q.description = f"{CANARY} questionnaire note"
        db.session.commit()


def pains_and_measures(tenant) -> None:
    """Two pains of one service with two life situations and a touchpoint: measures with a public wording (one done,
    one under way), one with an internal wording only, and one cancelled."""
    from otklik.models import Measure, Pain, Process
    from otklik.painmap import service

    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        process = Process(name="Назначение пособия", kind="service", touchpoints=["Личный приём"],
                          life_situations=["Рождение ребёнка", "Малообеспеченная семья"])
        db.session.add(process)
        db.session.flush()
        queue = Pain(process_id=process.id, wording="Долгое ожидание в очереди", status="in_work",
                     touchpoint="Личный приём", status_reason=f"{CANARY} status reason")
        docs = Pain(process_id=process.id, wording="Много документов", status="confirmed")
        db.session.add_all([queue, docs])
        db.session.flush()
        from datetime import date

        done = Measure(pain_id=queue.id, wording=f"{CANARY} internal: перевести двух специалистов",
                       public_wording="Введена электронная очередь", status="in_progress",
                       due_date=date(2026, 4, 30), result=f"{CANARY} result")
        going = Measure(pain_id=docs.id, wording=f"{CANARY} internal wording", public_wording="Справки запрашиваем сами",
                        status="in_progress", due_date=date(2026, 6, 30))
        internal = Measure(pain_id=docs.id, wording=f"{CANARY} only internal", public_wording="", status="planned")
        cancelled = Measure(pain_id=queue.id, wording=f"{CANARY} cancelled", public_wording="Отменённая мера",
                            status="cancelled")
        db.session.add_all([done, going, internal, cancelled])
        db.session.flush()
        service.change(done, "status", "done", None)
        db.session.commit()
