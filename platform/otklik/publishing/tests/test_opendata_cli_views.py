"""Open data validated with frictionless (the package and each resource), the `flask publications` commands, and the
office pages: the preview is the public partial, hidden cells with reasons, buttons for officers only, refusals in
Russian naming the clause, another authority's publication 404."""

import json

import pytest
from frictionless import Package, Resource

from otklik.analysis.tests.helpers import add_appeals
from otklik.extensions import db
from otklik.models import Publication
from otklik.publishing import opendata

from .fixtures import Scope, analyse, load_classifier, quarter_appeals


@pytest.fixture
def vladimir(app, make_tenant, run_jobs):
    tenant = make_tenant("vladimir", slug="vlad-open")
    with app.app_context():
        add_appeals(tenant, quarter_appeals())
        load_classifier(tenant)
    analyse(app, run_jobs, tenant, "appeals", "2026-Q3")
    return tenant


def _draft(app, tenant) -> int:
    with Scope(app, tenant):
        return db.session.query(Publication).filter_by(artifact="appeals_analysis").one().id


def test_open_data_is_a_valid_frictionless_package(app, vladimir, tmp_path):
    with Scope(app, vladimir):
        payload = db.session.query(Publication).one().payload
    descriptor = opendata.datapackage(payload)
    for resource in descriptor["resources"]:
        (tmp_path / resource["path"]).write_text(opendata.block_csv(payload, resource["name"]), encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    for resource in descriptor["resources"]:
        one = Resource(resource, basepath=str(tmp_path))
        one_report = one.validate()
        assert one_report.valid and one_report.tasks[0].stats["rows"] == len(
            next(b for b in payload["blocks"] if b["id"] == resource["name"])["rows"])
    # the CSV of the channels: hidden cells are empty, the header is the columns' keys
    assert opendata.block_csv(payload, "by_channel").splitlines() == [
        "label,count,share", "Электронная приемная официального сайта,20,50.0", "Электронная почта,12,30.0",
        "Почта,,", "Личный прием,,"]
    assert json.loads(opendata.publication_json(payload)) == payload
    assert opendata.datapackage(payload, "https://x.example/vlad-open/publications/appeals_analysis/2026-Q3/v1/"
                                )["resources"][0]["path"].endswith("/v1/figures.csv")


def test_the_command_line(app, vladimir, make_tenant):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["publications", "list", "--tenant", "vlad-open", "--json"])
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.output)
    assert [(i["artifact"], i["period"], i["version"], i["status"]) for i in items] == [
        ("appeals_analysis", "2026-Q3", 1, "draft")]
    approved = runner.invoke(args=["publications", "approve", "--tenant", "vlad-open", "--id", str(items[0]["id"])])
    assert approved.exit_code == 0 and "approved" in approved.output
    built = runner.invoke(args=["publications", "build", "--tenant", "vlad-open", "--artifact", "appeals_analysis",
                                "--period", "2026-q3"])
    assert built.exit_code == 0 and int(built.output) != items[0]["id"]  # v1 stays approved, v2 is a new draft
    make_tenant("nenets", slug="nenets-open")
    refused = runner.invoke(args=["publications", "build", "--tenant", "nenets-open", "--artifact",
                                  "appeals_analysis", "--period", "2026-Q3"])
    assert refused.exit_code == 1 and refused.output.startswith("refused: Публикация запрещена: акт оставляет это "
                                                                "внутри ведомства. п. 10")
    employee = runner.invoke(args=["publications", "build", "--tenant", "nenets-open", "--artifact",
                                   "employee_survey_summary", "--period", "2026-Q3"])
    assert employee.exit_code == 1 and "сотрудников" in employee.output


def test_the_office_pages(app, client, vladimir, make_user, make_tenant, login_as):
    make_user("viewer@vlad.example", tenant=vladimir, role="viewer")
    make_user("officer@vlad.example", tenant=vladimir, role="officer")
    pub_id = _draft(app, vladimir)
    login_as("viewer@vlad.example")
    page = client.get(f"/vlad-open/office/publications/{pub_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Социальная защита семей с детьми" in html and "Личный прием" in html  # the preview and hidden cells
    assert "approve" not in html and "withdraw" not in html  # a viewer sees no buttons
    assert client.post(f"/vlad-open/office/publications/{pub_id}/approve").status_code == 403
    client.get("/logout")
    login_as("officer@vlad.example")
    home = client.get("/vlad-open/office/").get_data(as_text=True)
    assert "Публикации ждут решения" in home and f"/office/publications/{pub_id}" in home
    listing = client.get("/vlad-open/office/publications/").get_data(as_text=True)
    assert f"/office/publications/{pub_id}" in listing and "п. 21" in listing
    html = client.get(f"/vlad-open/office/publications/{pub_id}").get_data(as_text=True)
    assert f"/office/publications/{pub_id}/approve" in html
    client.post(f"/vlad-open/office/publications/{pub_id}/approve")
    client.post(f"/vlad-open/office/publications/{pub_id}/publish")
    with Scope(app, vladimir):
        assert db.session.get(Publication, pub_id).status == "published"
    # what the act keeps internal is refused by hand too, naming the clause (Vladimir: no «we did»)
    response = client.post("/vlad-open/office/publications/build", data={"artifact": "you_said_we_did",
                                                                         "period": "2026-Q3"},
                           follow_redirects=True)
    assert "Публикация запрещена: акт оставляет это внутри ведомства. Порядок не предусматривает" in response.get_data(
        as_text=True)
    # bad input is said in Russian, and nothing is written
    for data in ({"artifact": "appeals_analysis", "period": "третий квартал"}, {"artifact": "salaries",
                                                                              "period": "2026-Q3"}):
        text = client.post("/vlad-open/office/publications/build", data=data, follow_redirects=True).get_data(
            as_text=True)
        assert "не в формате ГГГГ-ММ" in text or "Выберите, что публиковать" in text
    text = client.post(f"/vlad-open/office/publications/{pub_id}/withdraw", data={"reason": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "Заполните форму: Причина" in text
    with Scope(app, vladimir):
        assert db.session.query(Publication).count() == 1
        assert db.session.get(Publication, pub_id).status == "published"
    # another authority's publication is 404
    other = make_tenant("vladimir", slug="vlad-other")
    make_user("officer@vlad.example", tenant=other, role="officer")
    login_as("officer@vlad.example")
    assert client.get("/vlad-other/office/publications/").status_code == 200
    assert client.get(f"/vlad-other/office/publications/{pub_id}").status_code == 404
    assert client.post(f"/vlad-other/office/publications/{pub_id}/withdraw", data={"reason": "x"}).status_code == 404
