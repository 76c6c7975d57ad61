"""The payloads, figures computed by hand: Vladimir's appeals analysis (п. 22), Nenets' survey summary and «Вы
сказали — мы сделали» (п. 16); hidden cells listed with their reasons; no internal free text in any payload."""

from datetime import UTC, datetime

import pytest

from otklik.analysis.tests.helpers import add_appeals
from otklik.extensions import db
from otklik.models import Publication
from otklik.publishing import service
from otklik.publishing.reading import canonical_json, payload_digest

from .fixtures import (
    CANARY,
    Scope,
    analyse,
    load_classifier,
    month_survey,
    pains_and_measures,
    quarter_appeals,
)


@pytest.fixture
def vladimir(app, make_tenant):
    tenant = make_tenant("vladimir", slug="vlad-pub")
    with app.app_context():
        add_appeals(tenant, quarter_appeals())
        load_classifier(tenant)
    return tenant


@pytest.fixture
def nenets(app, make_tenant):
    tenant = make_tenant("nenets", slug="nenets-pub")
    with app.app_context():
        month_survey(tenant)
        pains_and_measures(tenant)
    return tenant


def pub_tenant(pub):
    from otklik.models import Tenant

    return db.session.get(Tenant, pub.tenant_id)


def block(payload, block_id):
    return next(b for b in payload["blocks"] if b["id"] == block_id)


def table(payload, block_id, *keys):
    return [tuple(row[k] for k in keys) for row in block(payload, block_id)["rows"]]


def test_the_appeals_analysis_is_drafted_after_the_analysis(app, run_jobs, vladimir):
    analysis_id = analyse(app, run_jobs, vladimir, "appeals", "2026-Q3")
    with Scope(app, vladimir):
        pub = db.session.query(Publication).filter_by(artifact="appeals_analysis", period="2026-Q3").one()
        assert (pub.status, pub.version, pub.source_analysis_id) == ("draft", 1, analysis_id)
        assert pub.payload_sha256 == payload_digest(pub.payload) and "45-го" in pub.clause
        p = pub.payload
        assert p["title"] == "Анализ обращений граждан за III квартал 2026 г."
        assert p["period"] == {"name": "2026-Q3", "title": "III квартал 2026 г.", "start": "2026-07-01",
                               "end": "2026-09-30"}
        assert p["section"] == "Аналитические материалы по итогам обращений в Министерство" and p["min_cell"] == 5
        assert service.section_of(pub_tenant(pub), "survey_summary") == "Опросы"  # Vladimir 12
        # 40 appeals; 12 complaints: 7 satisfied = 58.3 %, 5 unsatisfied = 41.7 %; 6 of 40 redirected = 15.0 %
        assert table(p, "figures", "count", "share") == [(40, None), (12, None), (7, 58.3), (5, 41.7), (6, 15.0)]
        assert "поступило 40 обращений" in block(p, "figures")["summary"]
        assert "перенаправлено по принадлежности 15,0 %" in block(p, "figures")["summary"]
        # channels: website 20 (50 %), email 12 (30 %); reception 3 is a small group, post 5 hidden beside it
        channels = table(p, "by_channel", "count", "share")
        assert channels == [(20, 50.0), (12, 30.0), (None, None), (None, None)]
        hidden = {(s["label"], s["column"]): s["reason"] for s in pub.suppressed}
        assert hidden == {("Почта", "count"): "secondary", ("Почта", "share"): "secondary",
                          ("Личный прием", "count"): "primary", ("Личный прием", "share"): "primary"}
        # topics with the classifier's titles, not codes: 22 (55 %), 13 (32.5 %), 5 (12.5 %)
        assert table(p, "by_topic", "label", "count", "share") == [
            ("Социальная защита семей с детьми", 22, 55.0), ("Пенсионное обеспечение", 13, 32.5),
            ("Льготы ветеранам", 5, 12.5)]
        assert block(p, "by_topic")["summary"] == ("Больше всего обращений — 22 (55,0 %) — о тематике "
                                                   "«Социальная защита семей с детьми».")
        assert CANARY not in canonical_json(p).decode()


def test_the_survey_summary_and_we_did_of_nenets(app, run_jobs, nenets):
    analyse(app, run_jobs, nenets, "surveys", "2026-03")
    with Scope(app, nenets):
        summary = db.session.query(Publication).filter_by(artifact="survey_summary", period="2026-03").one()
        p = summary.payload
        assert p["section"] == "Клиентоцентричность" and "п. 16" in summary.clause
        # 17 respondents; overall 64 / 17 = 3.76; 5 of 17 informed "no": 12 / 17 = 70.6 %
        figures = dict(table(p, "figures", "label", "value"))
        assert figures["Участники опросов (анкет)"] == 17
        assert figures["Общая удовлетворённость, средняя оценка от 1 до 5"] == 3.76
        assert figures["Доля информированных о порядке получения услуги, %"] == 70.6
        # by service: ЖКУ (3) is small, «Выдача справки» (6) hidden beside it; «Назначение пособия» 8, mean 34/8
        assert table(p, "by_service", "label", "count", "csat_mean") == [
            ("Назначение пособия", 8, 4.25), ("Выдача справки", None, None), ("Субсидия на ЖКУ", None, None)]
        reasons = {s["label"]: s["reason"] for s in summary.suppressed if s["block"] == "by_service"}
        assert reasons == {"Выдача справки": "secondary", "Субсидия на ЖКУ": "primary"}
        # parameters: clarity all 4 (mean 4.0, 100 % of 4-5), speed all 2 (0 %), overall 11 of 17 gave 4-5
        params = {row[0]: row[1:] for row in table(p, "parameters", "label", "n", "mean", "share_4_5")}
        assert sorted(params.values()) == [(17, 2.0, 0.0), (17, 3.76, 64.7), (17, 4.0, 100.0)]
        assert CANARY not in canonical_json(p).decode() and "open answer" not in canonical_json(p).decode()

        we_did = db.session.query(Publication).filter_by(artifact="you_said_we_did", period="2026-03").one()
        w = we_did.payload
        assert [b["id"] for b in w["blocks"]] == ["by_life_situation", "by_service", "by_touchpoint"]
        today = datetime.now(UTC).date().isoformat()
        # the pain of queues has one public measure (done today); the pain of documents one under way; the
        # measure with an internal wording only and the cancelled one are not published
        assert table(w, "by_service", "group", "problem", "measure", "status", "due", "done_on") == [
            ("Назначение пособия", "Долгое ожидание в очереди", "Введена электронная очередь", "Сделано",
             "2026-04-30", today),
            ("Назначение пособия", "Много документов", "Справки запрашиваем сами", "Выполняется", "2026-06-30",
             None)]
        assert sorted({r["group"] for r in block(w, "by_life_situation")["rows"]}) == [
            "Малообеспеченная семья", "Рождение ребёнка"]
        assert len(block(w, "by_life_situation")["rows"]) == 4
        assert table(w, "by_touchpoint", "group", "measure") == [
            ("Личный приём", "Введена электронная очередь"), ("Личный приём", "Справки запрашиваем сами")]
        assert "Отменённая мера" not in canonical_json(w).decode()
        assert CANARY not in canonical_json(w).decode()


def test_what_an_act_keeps_internal_is_never_drafted(app, run_jobs, make_tenant):
    omsk = make_tenant("omsk", slug="omsk-pub")
    with app.app_context():
        add_appeals(omsk, quarter_appeals())
    analyse(app, run_jobs, omsk, "appeals", "2026-Q3")
    with Scope(app, omsk) as tenant:
        assert db.session.query(Publication).count() == 0
        with pytest.raises(service.Refused) as refused:
            service.build_draft(tenant, "appeals_analysis", "2026-Q3")
        assert "п. 18" in refused.value.clause
        with pytest.raises(service.Refused) as employee:
            service.build_draft(tenant, "employee_survey_summary", "2026-Q3")
        assert "сотрудников" in employee.value.clause
        assert db.session.query(Publication).count() == 0
