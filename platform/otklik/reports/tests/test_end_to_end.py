"""The real path: appeals in the register -> an officer runs the analysis -> the worker computes it -> the XLSX
and the page carry the figures a person computes by hand."""

import io
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from otklik.extensions import db
from otklik.models import Appeal, Tenant
from otklik.tenancy import tenant_scope
from otklik.testing import login

MSK = ZoneInfo("Europe/Moscow")
ROWS = [  # channel, kind, registered, answered (local), reason, topic, outcome
    ("website", "appeal", "2025-01-10 10:00", "2025-01-20 09:00", "Выплата", "0002.0014.0146.0466", "explained"),
    ("website", "complaint", "2025-01-15 10:00", "2025-02-14 18:00", "Выплата", "0002.0014.0146.0466", "supported"),
    ("post", "complaint", "2025-02-01 10:00", "2025-03-05 10:00", "=1+1", "0002.0007.0070.0300", "not_supported"),
    ("email", "complaint", "2025-02-02 10:00", None, "Компенсация ЖКУ", "0005.0005.0056.1153", "pending"),
    ("email", "request", "2025-03-31 23:30", "2025-04-01 09:00", "", "", "redirected"),  # last evening of Q1
    ("post", "appeal", "2025-04-01 00:10", "2025-04-02 10:00", "Выплата", "0002.0014.0146.0466", "explained"),  # Q2
]


def _utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=MSK).astimezone(UTC) if text else None


@pytest.fixture
def vladimir(app, make_tenant, make_user):
    tenant = make_tenant("vladimir", slug="vladimir-e2e")
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        for i, (channel, kind, reg, ans, reason, topic, outcome) in enumerate(ROWS):
            registered = _utc(reg)
            db.session.add(Appeal(external_id=f"E2E-{i}", kind=kind, channel=channel, registered_at=registered,
                                  answered_at=_utc(ans), due_date=(registered + timedelta(days=30)).date(),
                                  reason=reason, topic_code=topic, outcome=outcome))
        db.session.commit()
    make_user("officer@e2e.test", tenant=tenant, role="officer")
    return tenant


def test_appeals_to_xlsx_through_the_engine(app, client, vladimir, run_jobs):
    login(client, "officer@e2e.test")
    response = client.post("/vladimir-e2e/office/analyses/run", data={"kind": "appeals", "period": "2025-Q1"})
    assert response.status_code == 302
    analysis_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    run_jobs()
    progress = client.get(f"/vladimir-e2e/office/analyses/{analysis_id}/progress").get_json()
    assert progress["status"] == "done", progress
    doc = client.get(f"/api/v1/vladimir-e2e/analyses/{analysis_id}").get_json()["result"]

    # By hand: five appeals registered in Q1 (the one of 23:30 on 31 March counts, the one of 1 April not).
    assert doc["total"] == 5
    xlsx = client.get(f"/vladimir-e2e/office/reports/{analysis_id}/xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.data))

    channels = {r[0]: r[1:3] for r in wb["Каналы"].iter_rows(min_row=4, max_col=3, values_only=True) if r[0]}
    assert channels["Электронная приемная официального сайта"] == (2, 0.4)
    assert channels["Электронная почта"] == (2, 0.4)
    assert channels["Почта"] == (1, 0.2)

    waiting = {r[0]: r[1] for r in wb["Время ожидания"].iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    # answered: 10, 30, 32 and 1 days -> mean 18.25, median 20, within 30 days 3 of 4
    assert waiting["Дан ответ"] == 4
    assert waiting["Среднее"] == pytest.approx(18.25)
    assert waiting["Медиана"] == pytest.approx(20)
    assert waiting["Доля ответов в течение 30 дней"] == pytest.approx(0.75)
    assert waiting["Среднее"] == doc["waiting_days"]["mean"]

    complaints = {r[0]: r[1] for r in wb["Жалобы"].iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert (complaints["Всего"], complaints["Удовлетворено"], complaints["Не удовлетворено"]) == (3, 1, 1)
    assert complaints["Доля удовлетворенных"] == pytest.approx(doc["complaints"]["satisfied_share"])
    redirected = {r[0]: r[1] for r in wb["Перенаправлено"].iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert redirected["Количество"] == 1 and redirected["Доля"] == pytest.approx(0.2)

    reasons = wb["Причины"]
    formula_like = [c for row in reasons.iter_rows() for c in row if c.value == "=1+1"]
    assert formula_like and formula_like[0].data_type == "s"

    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4

    page = client.get(f"/vladimir-e2e/office/analyses/{analysis_id}").get_data(as_text=True)
    assert "18,25" in page and "75,0\xa0%" in page and "31-45" in page
