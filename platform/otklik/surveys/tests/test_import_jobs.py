"""Answer imports run as jobs (issue 15, findings 7 and Deliver 6): the request stores the upload and queues it,
so the documented maximum (20,000 rows) no longer times out in the request; a real RQ worker checks every row,
stores all or nothing, and reports its progress, which the import's page shows with the Russian report."""

import threading
import time
from io import BytesIO

from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import func, select, update

from otklik.extensions import db
from otklik.jobs import get_queue, redis_connection
from otklik.models import SurveyAnswer, SurveyResponse, Tenant
from otklik.models.survey import SurveyImport
from otklik.surveys.importer import MAX_ROWS
from otklik.tenancy import across_tenants, tenant_scope

HEADER = ("submitted_at;channel;q1;q2;q3;q4;q5;q6;q7;q8;q9.clarity;q9.status_info;q9.documents;q9.speed;"
          "q9.electronic;q10;q11;q12;q13;q14;q15\n")
ROW = "2026-02-01 10:{m:02d};pos;child_allowance;gosuslugi|mfc;{mark};gosuslugi;4;self;yes;;5;4;4;5;5;yes;yes;;female;30-44;higher\n"


def _file(rows: int, bad_rows: tuple[int, ...] = ()) -> bytes:
    lines = [HEADER]
    for i in range(rows):
        lines.append(ROW.format(m=i % 60, mark=9 if i in bad_rows else 1 + i % 5))
    return "".join(lines).encode("utf-8")


def _upload(client, tenant, survey_id, data: bytes):
    return client.post(f"/{tenant.slug}/office/surveys/{survey_id}/import",
                       data={"file": (BytesIO(data), "pos.csv"), "mapping": ""}, content_type="multipart/form-data")


def _counts(app, tenant):
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        responses = db.session.execute(select(func.count(SurveyResponse.id))).scalar_one()
        answers = db.session.execute(select(func.count(SurveyAnswer.id))).scalar_one()
        imports = db.session.execute(select(SurveyImport.status, SurveyImport.inserted, SurveyImport.error_count,
                                            SurveyImport.content.is_(None))).all()
        return responses, answers, [tuple(r) for r in imports]


def _operator(open_survey, make_user, login_as):
    tenant, survey_id, _ = open_survey
    make_user("operator@example.org", tenant=tenant, role="operator")
    login_as("operator@example.org")
    return tenant, survey_id


def test_the_largest_import_is_queued_at_once_and_stored_by_the_job(app, client, open_survey, make_user, login_as,
                                                                   run_jobs):
    """20,000 rows (importer.MAX_ROWS): the request answers within two seconds and stores nothing but the
    upload; the job stores 20,000 responses. Each row answers 13 questions (q8 is skipped by q7 = yes, q12 left
    empty), one answer row each, plus the second option of q2 and four more rows of the q9 matrix: 18 a response."""
    tenant, survey_id = _operator(open_survey, make_user, login_as)
    data = _file(MAX_ROWS)
    started = time.monotonic()
    response = _upload(client, tenant, survey_id, data)
    elapsed = time.monotonic() - started
    assert response.status_code == 303 and elapsed < 2, (response.status_code, elapsed)
    assert _counts(app, tenant) == (0, 0, [("queued", 0, 0, False)])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "В очереди" in page and 'id="progress-box"' in page

    run_jobs()
    responses, answers, imports = _counts(app, tenant)
    assert responses == MAX_ROWS
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        per_response = db.session.execute(
            select(func.count(SurveyAnswer.id)).group_by(SurveyAnswer.response_id).limit(1)).scalar_one()
    assert answers == MAX_ROWS * per_response and per_response == 18
    assert imports == [("done", MAX_ROWS, 0, True)]  # the upload is not kept once imported
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Импортировано анкет: 20000." in page and 'id="progress-box"' not in page


def test_one_bad_cell_stores_nothing_and_the_page_reports_it_in_russian(app, client, open_survey, make_user,
                                                                       login_as, run_jobs):
    tenant, survey_id = _operator(open_survey, make_user, login_as)
    response = _upload(client, tenant, survey_id, _file(3000, bad_rows=(2499,)))
    run_jobs()
    assert _counts(app, tenant) == (0, 0, [("refused", 0, 1, True)])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ничего не импортировано: в файле ошибок — 1 (см. отчет)." in page
    # data row 2500 is line 2501 of the file (the header is line 1); column «q3», value 9
    assert "<td>2501</td><td>q3</td><td>9</td><td>Выберите оценку от 1 до 5.</td>" in page


def test_progress_is_reported_in_the_job_meta_and_shown(app, client, open_survey, make_user, login_as):
    """The job saves its progress in the RQ job's meta as it goes (checking the rows, then storing them a thousand
    at a time); the import's progress JSON, which the page polls, reads it back as a label and a share."""
    tenant, survey_id = _operator(open_survey, make_user, login_as)
    response = _upload(client, tenant, survey_id, _file(2000))
    url = response.headers["Location"] + "/progress"
    assert client.get(url).get_json()["status_label"] == "В очереди"

    from otklik.surveys import jobs as survey_jobs

    queue = get_queue(app)
    [job_id] = queue.job_ids
    seen = []
    original = survey_jobs.service.store_imported

    def watching(survey, rows, progress=None, chunk=1000):
        def spy(done, total):
            progress(done, total)
            seen.append(queue.fetch_job(job_id).meta["progress"])  # what a page asking now would read
        return original(survey, rows, progress=spy, chunk=chunk)

    survey_jobs.service.store_imported = watching
    try:
        SimpleWorker([queue], connection=redis_connection(app), serializer=JSONSerializer).work(burst=True)
    finally:
        survey_jobs.service.store_imported = original
    assert seen == [{"phase": "store", "done": 1000, "total": 2000}, {"phase": "store", "done": 2000, "total": 2000}]
    final = client.get(url).get_json()
    assert final["finished"] and final["status"] == "done" and final["percent"] == 100 and final["done"] == 2000

    # The page's reading of a running import: half the bar for checking the rows, half for storing them.
    with app.app_context():
        db.session.execute(across_tenants(update(SurveyImport).values(status="running")))
        db.session.commit()
    job = queue.fetch_job(job_id)
    for meta, label, percent in (({"phase": "check", "done": 1000, "total": 2001}, "Проверка строк", 25),
                                 ({"phase": "store", "done": 1000, "total": 2000}, "Сохранение ответов", 75)):
        job.meta["progress"] = meta
        job.save_meta()
        shown = client.get(url).get_json()
        assert (shown["status_label"], shown["done"], shown["total"], shown["percent"]) == (
            label, meta["done"], meta["total"], percent)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Сохранение ответов: 1000 / 2000" in page and 'value="75"' in page


def test_two_runs_of_one_import_store_it_once(app, client, open_survey, make_user, login_as, monkeypatch):
    """Two runs of one import at once (the tick re-enqueued it while a worker cut off from Redis still ran it): while
    the first checks the rows, the second runs whole; the first then finds the import ended and stores nothing.
    The store moves the row from `running` to `done` in the transaction of the answers."""
    tenant, survey_id = _operator(open_survey, make_user, login_as)
    _upload(client, tenant, survey_id, _file(10))
    from otklik.surveys import jobs as survey_jobs

    with app.app_context():
        import_id = db.session.execute(across_tenants(select(SurveyImport.id))).scalar_one()
    read, outcomes = survey_jobs.read_csv, []

    def read_while_another_run_finishes(*args, **kwargs):
        result = read(*args, **kwargs)
        if not outcomes:
            outcomes.append("first run checked the rows")
            other = threading.Thread(target=lambda: outcomes.append(survey_jobs._run(import_id)))
            other.start()
            other.join(60)
        return result

    monkeypatch.setattr(survey_jobs, "read_csv", read_while_another_run_finishes)
    first = survey_jobs._run(import_id)
    assert outcomes == ["first run checked the rows", {"status": "done", "total": 10, "inserted": 10}]
    assert first == {"status": "ended"}
    assert _counts(app, tenant) == (10, 180, [("done", 10, 0, True)])
    monkeypatch.undo()
    assert survey_jobs._run(import_id) == {"status": "done"}  # a later copy of the job: nothing to do
    assert _counts(app, tenant)[0] == 10


def test_an_import_of_another_authority_is_404(app, client, open_survey, make_user, login_as, make_tenant, run_jobs):
    tenant, survey_id = _operator(open_survey, make_user, login_as)
    response = _upload(client, tenant, survey_id, _file(2))
    run_jobs()
    other = make_tenant("omsk", slug="omsk-other")
    make_user("other@example.org", tenant=other, role="officer")
    client.post("/logout")
    login_as("other@example.org")
    path = response.headers["Location"].replace(f"/{tenant.slug}/", f"/{other.slug}/")
    assert client.get(path).status_code == 404
