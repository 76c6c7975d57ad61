"""The analytical report (issue 13, items 4 and 6), built from analyses the engine computed from rows put in the
database. Expected figures are worked out by hand below, from those rows.

Vladimir's register: February 2025, 40 appeals of which 20 complaints (10 supported, 10 not supported); March
2025, 50 appeals of which 25 complaints (5 supported, 20 not supported). Every appeal is answered 10 days after
it was registered.

- Appeals in March: 50, in February 40: change +10.
- Unsatisfied complaints in March: 20 of 25 = 80.0 %; in February 10 of 20 = 50.0 %: change +30 pp.
  Wilson 95 % (z = 1.959964): centre (p + z^2/2n) / (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n).
  20 of 25: z^2/n = 0.153658, centre 0.876829 / 1.153658 = 0.760041, half 1.959964 * 0.089088 / 1.153658 = 0.151353
  -> 0.6087 .. 0.9114. 10 of 20: centre 0.5, half 1.959964 * 0.122070 / 1.192073 = 0.200707 -> 0.2993 .. 0.7007.
  The intervals overlap (0.6087 < 0.7007): the change is within the uncertainty.
- Satisfied in March: 5 of 25 = 20.0 %.
"""

from __future__ import annotations

import hashlib
import io
import math
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from otklik.analysis.runner import run
from otklik.analysis.tests.helpers import add_appeals
from otklik.analytical.models import AnalyticalReport, ReportFinal
from otklik.extensions import db
from otklik.models import Analysis, Tenant
from otklik.reports.tests.documents import add_month, analysed
from otklik.tenancy import across_tenants, tenant_scope
from otklik.testing import csrf_token_from, login, set_cadences

Z = 1.959964


def wilson_by_hand(part: int, whole: int) -> tuple[float, float]:
    p, z2 = part / whole, Z * Z
    centre = (p + z2 / (2 * whole)) / (1 + z2 / whole)
    half = Z * math.sqrt(p * (1 - p) / whole + z2 / (4 * whole * whole)) / (1 + z2 / whole)
    return centre - half, centre + half


def month_rows(month: str, satisfied: int, unsatisfied: int, appeals: int) -> list[dict]:
    day = f"2025-{month}-05"
    answered = f"2025-{month}-15 10:00"
    base = dict(channel="website", registered_at=f"{day} 10:00", answered_at=answered, topic_code="0002.0014.0146.0466")
    return ([dict(base, kind="complaint", outcome="supported")] * satisfied
            + [dict(base, kind="complaint", outcome="not_supported")] * unsatisfied
            + [dict(base, kind="appeal", outcome="explained")] * appeals)


def _by_id(report_id: int) -> AnalyticalReport:
    return db.session.execute(across_tenants(select(AnalyticalReport).where(AnalyticalReport.id == report_id))
                              ).scalar_one()


def _report(tenant_id: int, period: str) -> AnalyticalReport | None:
    return db.session.execute(across_tenants(select(AnalyticalReport).where(
        AnalyticalReport.tenant_id == tenant_id, AnalyticalReport.period == period))).scalar_one_or_none()


@pytest.fixture
def vladimir(app, make_tenant):
    t = make_tenant("vladimir", slug="vladimir-test")
    with app.app_context():
        set_cadences(t, appeals="month")  # the Centre and the report show the authority's own cadence only
        add_appeals(t, month_rows("02", 10, 10, 20))
        add_appeals(t, [dict(r, external_id=f"M-{i}") for i, r in enumerate(month_rows("03", 5, 20, 25))])
        analysed(t, "appeals", "2025-02")
        analysed(t, "appeals", "2025-03")
    return t


def draft(app, tenant, period="2025-03"):
    from otklik.analytical.service import draft as build

    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        return build(db.session.get(Tenant, tenant.id), period).id


def finalise(app, tenant, report_id, user_id=None):
    from otklik.analytical.service import finalise as final

    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        return final(db.session.get(AnalyticalReport, report_id), user_id).pdf


def test_key_figures_change_and_intervals_by_hand(app, vladimir):
    report_id = draft(app, vladimir)
    with app.app_context():
        report = _by_id(report_id)
        (appeals,) = report.snapshot["analyses"]
        assert appeals["period"] == "2025-03" and appeals["previous_period"] == "2025-02"
        figures = {f["id"]: f for f in appeals["key_figures"]}
        assert figures["total"]["value"] == 50 and figures["total"]["previous"] == 40
        assert figures["total"]["change"] == 10
        unsat = figures["unsatisfied_share"]
        assert (unsat["value"], unsat["n"], unsat["previous"]) == (0.8, 25, 0.5)
        assert unsat["change"] == pytest.approx(0.3)
        assert (unsat["ci_low"], unsat["ci_high"]) == (pytest.approx(0.6087, abs=1e-4), pytest.approx(0.9114, abs=1e-4))
        assert (unsat["ci_low"], unsat["ci_high"]) == tuple(pytest.approx(x, abs=1e-4) for x in wilson_by_hand(20, 25))
        assert (unsat["prev_ci_low"], unsat["prev_ci_high"]) == (pytest.approx(0.2993, abs=1e-4),
                                                                  pytest.approx(0.7007, abs=1e-4))
        assert figures["satisfied_share"]["value"] == 0.2
        assert figures["within_30_share"]["value"] == 1.0 and figures["within_30_share"]["n"] == 50
        # The SHA-256 is that of the canonical JSON of the snapshot.
        import json

        text = json.dumps(report.snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert report.snapshot_sha256 == hashlib.sha256(text.encode()).hexdigest()
        # The main points say what changed, in Russian, from these numbers.
        points = report.main_points
        assert "80,0" in points and "50,0" in points and "+30 п. п." in points
        assert "в пределах погрешности" in points
        assert "50" in points and "40" in points and "+10" in points


def test_position_in_the_centres_funnel_plots(app, vladimir, make_tenant):
    """A second authority (Omsk's profile) with 100 appeals in March 2025, 40 complaints of which 10 unsatisfied.
    Unsatisfied share: Vladimir 20 of 25 = 0.8; pooled (20 + 10) / (25 + 40) = 30 / 65 = 0.461538. Vladimir's 25
    complaints are under the Centre's minimum volume of 30: no verdict. The other authority is a dot, unnamed."""
    import json

    other = make_tenant("omsk", slug="omsk-funnel")
    with app.app_context():
        set_cadences(other, appeals="month")
        add_appeals(other, [dict(r, external_id=f"O-{i}") for i, r in enumerate(month_rows("03", 30, 10, 60))])
        analysed(other, "appeals", "2025-03")
    report_id = draft(app, vladimir)
    with app.app_context():
        report = _by_id(report_id)
        funnels = {f["indicator"]: f for f in report.snapshot["funnels"]}
        unsat = funnels["unsatisfied_share"]
        assert (unsat["value"], unsat["n"], unsat["authorities"]) == (0.8, 25, 2)
        assert unsat["pooled"] == pytest.approx(30 / 65, abs=1e-4)
        assert unsat["verdict"] is None and unsat["verdict_label"] == "—"
        assert sorted((p["n"], p["value"], p["self"]) for p in unsat["points"]) == [(25, 0.8, True),
                                                                                    (40, 0.25, False)]
        assert "Омской" not in json.dumps(report.snapshot["funnels"], ensure_ascii=False)
        assert "omsk-funnel" not in json.dumps(report.snapshot["funnels"], ensure_ascii=False)
    data = finalise(app, vladimir, report_id)
    text = _pdf_text(data)
    assert "Положение среди органов" in text and "46,2" in text and "(n = 25)" in text


def test_pain_map_with_measure_states_through_the_disclosure_control(app, vladimir):
    """Three pains measured by a survey of 40: queues 24 of 40 (shown: 60 %), certificates 3 of 40 (3 < 5:
    hidden), parking 38 of 40 (the 2 without it would be given back by the shown 40: hidden). The queues' measure
    was due on 10 March and is under way: overdue at the end of March."""
    from datetime import date

    from otklik.models import Evidence, Measure, Pain

    with app.app_context():
        tenant = db.session.get(Tenant, vladimir.id)
        with tenant_scope(tenant):
            queues = Pain(wording="Очереди в приемной", status="in_work")
            queues.evidence.append(Evidence(source="manual", period="2025-03", n=24, total=40, method="Опрос"))
            queues.measures.append(Measure(wording="Электронная очередь", due_date=date(2025, 3, 10),
                                           status="in_progress", progress=40))
            certificates = Pain(wording="Много справок", status="confirmed")
            certificates.evidence.append(Evidence(source="manual", period="2025-03", n=3, total=40, method="Опрос"))
            parking = Pain(wording="Нет парковки", status="new")
            parking.evidence.append(Evidence(source="manual", period="2025-03", n=38, total=40, method="Опрос"))
            db.session.add_all([queues, certificates, parking])
            db.session.commit()
    report_id = draft(app, vladimir)
    with app.app_context():
        report = _by_id(report_id)
        pains = {p["wording"]: p for p in report.snapshot["painmap"]["pains"]}
        assert (pains["Очереди в приемной"]["n"], pains["Очереди в приемной"]["N"],
                pains["Очереди в приемной"]["prevalence"]) == (24, 40, 60)
        assert pains["Очереди в приемной"]["hidden"] is False
        for hidden in ("Много справок", "Нет парковки"):
            assert pains[hidden]["hidden"] is True
            assert pains[hidden]["n"] is None and pains[hidden]["prevalence"] is None, hidden
        (measure,) = pains["Очереди в приемной"]["measures"]
        assert (measure["state"], measure["progress"], measure["overdue"]) == ("Выполняется", 40, True)
        assert "болей: 3, мер: 1, из них просрочено: 1" in report.main_points
    text = _pdf_text(finalise(app, vladimir, report_id))
    assert "Очереди в приемной" in text and "60 % (24 / 40)" in text and "Электронная очередь" in text
    assert "мера просрочена" in text and "38" not in text.split("Нет парковки")[1][:40]


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_pdf_holds_every_section_and_is_tagged(app, make_tenant, make_user):
    omsk = make_tenant("omsk", slug="omsk-test")
    officer = make_user("officer@omsk.test", tenant=omsk)
    with app.app_context():
        add_month(omsk)
        analysed(omsk, "surveys", "2025-03")
    report_id = draft(app, omsk)
    data = finalise(app, omsk, report_id, officer)
    text = _pdf_text(data)
    for words in ("Аналитический отчет", "март 2025", "Орган исполнительной власти Омской области", "№ 230-рп", "5.1.6", "Основные выводы",
                  "Ключевые показатели", "95 %", "Результаты на дату анализа", "Ссылка на опрос",
                  "/omsk-test/s/form-1", "/omsk-test/s/info-2", "Открыт", "Закрыт", "размещен постоянно", "Респонденты", "Инструмент",
                  "Положение среди органов", "Карта болей", "Методика", "Правило скрытия",
                  "Приложение 1", "Насколько Вы в целом удовлетворены?", "Окончательный"):
        assert words.lower() in text.lower(), words
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).lower().startswith("ru")
    assert "Аналитический отчет" in reader.metadata.title
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()  # PDF/UA-1 declared
    assert "<svg" not in text  # charts are drawn, not printed as markup


def test_final_report_never_changes_when_data_change(app, vladimir, make_user):
    from otklik.analytical.service import Refused
    from otklik.analytical.service import draft as rebuild
    from otklik.jobs import after_analysis

    officer = make_user("officer@vladimir.test", tenant=vladimir)
    report_id = draft(app, vladimir)
    data = finalise(app, vladimir, report_id, officer)
    with app.app_context():
        before = _by_id(report_id)
        sha, pdf_sha, snapshot = before.snapshot_sha256, before.pdf_sha256, before.snapshot
        assert pdf_sha == hashlib.sha256(data).hexdigest()
    # Later, 30 more unsatisfied complaints of March arrive and the analysis runs again (the worker's path).
    with app.app_context():
        add_appeals(vladimir, [dict(r, external_id=f"L-{i}") for i, r in enumerate(month_rows("03", 0, 30, 0))])
        analysis_id = db.session.execute(across_tenants(select(Analysis.id).where(
            Analysis.tenant_id == vladimir.id, Analysis.period == "2025-03"))).scalar_one()
        run(analysis_id)
        after_analysis(analysis_id)
        stored = db.session.execute(across_tenants(select(Analysis).where(Analysis.id == analysis_id))).scalar_one()
        assert stored.result["complaints"]["unsatisfied"] == 50
    with app.app_context():
        after = _by_id(report_id)
        assert (after.snapshot_sha256, after.pdf_sha256, after.snapshot) == (sha, pdf_sha, snapshot)
        assert after.pdf == data
        with tenant_scope(db.session.get(Tenant, vladimir.id)), pytest.raises(Refused):
            rebuild(db.session.get(Tenant, vladimir.id), "2025-03")
        after.main_points = "changed"
        with pytest.raises(ReportFinal):
            db.session.commit()
        db.session.rollback()
    # The command line writes the stored bytes.
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        result = app.test_cli_runner().invoke(args=["reports", "analytical", "--tenant", "vladimir-test",
                                                    "--period", "2025-03", "--output", str(path)])
        assert result.exit_code == 0, result.output
        assert path.read_bytes() == data and pdf_sha in result.output


def test_tick_duty_drafts_the_month_after_its_analysis(app, make_tenant, run_jobs):
    from otklik.analysis.jobs import request_analysis

    t = make_tenant("vladimir", slug="vladimir-tick")
    with app.app_context():
        add_appeals(t, month_rows("03", 5, 20, 25))
        tenant = db.session.get(Tenant, t.id)
        with tenant_scope(tenant):
            request_analysis(tenant, "appeals", "2025-Q1", trigger="schedule")
    run_jobs()
    with app.app_context():
        report = _report(t.id, "2025-03")  # the quarter ends in March: March's report shows it
        assert report is not None and report.status == "draft"
        (appeals,) = report.snapshot["analyses"]
        assert appeals["period"] == "2025-Q1"
        assert {f["id"]: f["value"] for f in appeals["key_figures"]}["unsatisfied_share"] == 0.8
        assert _report(t.id, "2025-02") is None


def test_command_line_refuses_a_period_that_is_not_a_month(app, vladimir, tmp_path):
    path = tmp_path / "r.pdf"
    result = app.test_cli_runner().invoke(args=["reports", "analytical", "--tenant", "vladimir-test",
                                                "--period", "2025-Q1", "--output", str(path)])
    assert result.exit_code == 2 and "не месяц" in result.output and not path.exists()
    result = app.test_cli_runner().invoke(args=["reports", "analytical", "--tenant", "vladimir-test",
                                                "--period", "2025-03", "--output", str(path)])
    assert result.exit_code == 0 and "draft" in result.output
    assert path.read_bytes().startswith(b"%PDF") and "ЧЕРНОВИК" in _pdf_text(path.read_bytes())


def test_office_builds_edits_finalises_and_the_centre_downloads(app, client, vladimir, make_tenant, make_user):
    omsk = make_tenant("omsk", slug="omsk-test")
    make_user("officer@vladimir.test", tenant=vladimir)
    make_user("viewer@vladimir.test", tenant=vladimir, role="viewer")
    make_user("officer@omsk.test", tenant=omsk)
    make_user("analyst@centre.test", global_role="analyst")
    base = "/vladimir-test/office/analytical-reports"

    login(client, "viewer@vladimir.test")
    page = client.get(f"{base}/").get_data(as_text=True)
    token = csrf_token_from(page)
    assert client.post(f"{base}/build", data={"csrf_token": token, "period": "2025-03"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})

    login(client, "officer@vladimir.test")
    token = csrf_token_from(client.get(f"{base}/").get_data(as_text=True))
    bad = client.post(f"{base}/build", data={"csrf_token": token, "period": "2025-Q1"}, follow_redirects=True)
    assert "не месяц" in bad.get_data(as_text=True)
    with app.app_context():
        assert _report(vladimir.id, "2025-Q1") is None
    built = client.post(f"{base}/build", data={"csrf_token": token, "period": "2025-03"})
    assert built.status_code == 302
    report_id = int(built.headers["Location"].rstrip("/").split("/")[-1])
    html = client.get(f"{base}/{report_id}").get_data(as_text=True)
    assert "Основные выводы" in html and "<svg" in html and "80,0" in html
    empty = client.post(f"{base}/{report_id}/points", data={"csrf_token": token, "main_points": "  \n "},
                        follow_redirects=True)
    assert "хотя бы один" in empty.get_data(as_text=True)
    client.post(f"{base}/{report_id}/points",
                data={"csrf_token": token, "main_points": "Неудовлетворённых жалоб стало больше.\n\nВторой вывод."})
    draft_pdf = client.get(f"{base}/{report_id}/pdf")
    assert draft_pdf.status_code == 200 and draft_pdf.mimetype == "application/pdf"

    # Drafts do not reach the Centre.
    client.post("/logout", data={"csrf_token": token})
    login(client, "analyst@centre.test")
    assert client.get(f"/centre/analytical-reports/{report_id}/pdf").status_code == 404
    assert "2025" not in client.get("/centre/analytical-reports/").get_data(as_text=True).split("final-reports")[1]
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/centre/analytical-reports/")
                                                                .get_data(as_text=True))})

    login(client, "officer@vladimir.test")
    token = csrf_token_from(client.get(f"{base}/{report_id}").get_data(as_text=True))
    assert client.post(f"{base}/{report_id}/finalise", data={"csrf_token": token}).status_code == 302
    final = client.get(f"{base}/{report_id}/pdf").data
    text = _pdf_text(final)
    assert "Неудовлетворённых жалоб стало больше." in text and "Второй вывод." in text
    assert "officer@vladimir.test" in text or "Окончательный" in text
    again = client.post(f"{base}/{report_id}/points", data={"csrf_token": token, "main_points": "x"},
                        follow_redirects=True)
    assert "окончательн" in again.get_data(as_text=True).lower()
    client.post("/logout", data={"csrf_token": token})

    # Another authority's officer: 404 everywhere.
    login(client, "officer@omsk.test")
    assert client.get(f"{base}/{report_id}").status_code == 404
    assert client.get(f"{base}/{report_id}/pdf").status_code == 404
    assert client.get(f"/omsk-test/office/analytical-reports/{report_id}").status_code == 404
    assert client.get(f"/omsk-test/office/analytical-reports/{report_id}/pdf").status_code == 404
    assert client.get("/centre/analytical-reports/").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/omsk-test/office/analytical-reports/")
                                                                .get_data(as_text=True))})

    login(client, "analyst@centre.test")
    assert 'href="/centre/analytical-reports/"' in client.get("/centre/").get_data(as_text=True)  # in the header
    listing = client.get("/centre/analytical-reports/").get_data(as_text=True)
    assert "март 2025" in listing
    got = client.get(f"/centre/analytical-reports/{report_id}/pdf")
    assert got.status_code == 200 and got.data == final


def test_demo_finalises_one_report_per_demo_authority(app):
    """`flask demo` up to 2 July 2025: every demo authority's analyses end by June, so each gets June's report (or
    its latest month's) finalised by its demo officer, with the PDF stored."""
    runner = app.test_cli_runner()
    with app.app_context():
        boot = runner.invoke(args=["bootstrap", "--tracking-since", "2025-01-01", "--admin-password", "x"])
    assert boot.exit_code == 0, boot.output
    result = runner.invoke(args=["demo", "--appeals", "120", "--answers", "40", "--today", "2025-07-02"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        finals = db.session.execute(across_tenants(
            select(Tenant.slug, AnalyticalReport).join(Tenant, Tenant.id == AnalyticalReport.tenant_id)
            .where(AnalyticalReport.status == "final"))).all()
        assert sorted(slug for slug, _r in finals) == ["astrakhan-gjn", "nenets-dzsn", "omsk-mintrud",
                                                       "vladimir-minsoc"]
        for slug, report in finals:
            assert report.period == "2025-06", slug
            assert report.pdf.startswith(b"%PDF") and report.pdf_sha256 == hashlib.sha256(report.pdf).hexdigest()
            assert f"{slug}: analytical report of 2025-06 final" in result.output


def test_rebuild_keeps_the_officers_points_and_refuses_bad_text(app, vladimir):
    from otklik.analytical.service import Refused, edit_points
    from otklik.analytical.service import draft as rebuild

    report_id = draft(app, vladimir)
    with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
        tenant = db.session.get(Tenant, vladimir.id)
        report = db.session.get(AnalyticalReport, report_id)
        generated = report.main_points
        # not edited: a rebuild after more appeals writes the points anew (60 appeals now, not 50)
        add_appeals(vladimir, [dict(r, external_id=f"N-{i}") for i, r in enumerate(month_rows("03", 0, 0, 10))])
        run(db.session.execute(select(Analysis.id).where(Analysis.period == "2025-03")).scalar_one())
        report = rebuild(tenant, "2025-03")
        assert report.main_points != generated and "до 60" in report.main_points
        # edited: the officer's words stay through a rebuild
        edit_points(report, "  Первый вывод.\r\n\r\nВторой вывод.  ")
        assert report.main_points == "Первый вывод.\nВторой вывод."
        report = rebuild(tenant, "2025-03")
        assert report.main_points == "Первый вывод.\nВторой вывод."
        for bad, words in (("a\x00b", "NUL"), ("x" * 20_001, "не более 20000"), (" \n ", "хотя бы один")):
            with pytest.raises(Refused, match=words):
                edit_points(report, bad)
        db.session.expire_all()
        assert db.session.get(AnalyticalReport, report_id).main_points == "Первый вывод.\nВторой вывод."
