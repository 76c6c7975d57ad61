"""`flask surveys templates | create | list` (issue 19, item 7): the names and JSON keys other tools rely on, a
created survey answers at its printed link, and bad input gets a Russian sentence, exit 1 and nothing stored."""

import json

from sqlalchemy import func, select

from otklik.extensions import db
from otklik.models.survey import Questionnaire, Survey
from otklik.tenancy import across_tenants


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["surveys", *args])


def _counts(app):
    with app.app_context():
        return (db.session.execute(across_tenants(select(func.count(Survey.id)))).scalar(),
                db.session.execute(across_tenants(select(func.count(Questionnaire.id)))).scalar())


def test_templates_json_lists_every_builtin_form(app):
    result = _run(app, "templates", "--json")
    assert result.exit_code == 0, result.stderr
    items = {i["key"]: i for i in json.loads(result.stdout)}
    assert {"control_event", "control_prevention", "service_satisfaction", "support_measures", "employee_nenets",
            "employee_rulemaking", "employee_internal_appeals", "vladimir_appendix"} <= set(items)
    control = items["control_event"]
    assert set(control) >= {"key", "title", "audience", "clauses"}
    assert control["audience"] == "external" and "Рекомендации п. 6.3.3" in control["clauses"]
    assert items["employee_nenets"]["audience"] == "internal"


def test_templates_of_one_authority(app, make_tenant):
    make_tenant("vladimir", slug="vlad-cli")
    result = _run(app, "templates", "--json", "--tenant", "vlad-cli")
    assert [i["key"] for i in json.loads(result.stdout)] == ["vladimir_appendix", "appeals_handling",
                                                             "information_access"]


def test_create_then_list_then_answer_at_the_link(app, client, make_tenant):
    tenant = make_tenant("astrakhan", slug="astr-cli")
    created = _run(app, "create", "--tenant", "astr-cli", "--template", "control_event")
    assert created.exit_code == 0, created.stderr
    survey_id, link = created.stdout.split()
    assert link.startswith("/astr-cli/s/")
    again = _run(app, "create", "--tenant", "astr-cli", "--template", "control_event", "--title", "Проверки II")
    second_id = int(again.stdout.split()[0])

    listed = _run(app, "list", "--tenant", "astr-cli", "--json")
    assert listed.exit_code == 0, listed.stderr
    items = json.loads(listed.stdout)
    assert [(i["id"], i["template"]) for i in items] == [(second_id, "control_event"),
                                                        (int(survey_id), "control_event")]
    assert items[1]["link"] == link and items[1]["title"].startswith("Оценка проведения контрольного")
    assert items[0]["title"] == "Проверки II" and items[0]["status"] == "open" and items[0]["responses"] == 0
    # both surveys use the one questionnaire made from the form, published once
    with app.app_context():
        assert db.session.execute(across_tenants(select(func.count(Questionnaire.id)).where(
            Questionnaire.tenant_id == tenant.id))).scalar() == 1

    page = client.get(link)
    assert page.status_code == 200
    assert "Какое контрольное (надзорное) мероприятие проводилось" in page.get_data(as_text=True)


def test_bad_input_is_refused_in_russian(app, make_tenant):
    make_tenant("vladimir", slug="vlad-bad")
    before = _counts(app)
    unknown = _run(app, "create", "--tenant", "vlad-bad", "--template", "nope")
    assert unknown.exit_code == 1 and "Нет встроенной анкеты 'nope'" in unknown.stderr
    not_enabled = _run(app, "create", "--tenant", "vlad-bad", "--template", "control_event")
    assert not_enabled.exit_code == 1
    assert "не включена" in not_enabled.stderr and "[plugins.questionnaires]" in not_enabled.stderr
    assert "vladimir_appendix" in not_enabled.stderr
    for args in (("create", "--tenant", "nowhere", "--template", "control_event"),
                 ("list", "--tenant", "nowhere", "--json"), ("templates", "--tenant", "nowhere")):
        refused = _run(app, *args)
        assert refused.exit_code == 1 and "Нет органа власти 'nowhere'" in refused.stderr, args
    assert _counts(app) == before
