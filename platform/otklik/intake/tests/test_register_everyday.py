"""The register in everyday use (issue 14, item 4): search by number, no outcome chosen for the officer, only the
actions that still apply, and dates given without a time shown without one."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from otklik.extensions import db
from otklik.intake import deadlines
from otklik.intake.importer import import_file
from otklik.models import Appeal
from otklik.tenancy import tenant_scope

from .helpers import appeals, csv_bytes, row, tenant_row

MSK = ZoneInfo("Europe/Moscow")
NEW = "/vlad-day/office/appeals/new"


@pytest.fixture
def tenant(app, make_tenant):
    return make_tenant("vladimir", slug="vlad-day")


@pytest.fixture
def officer(app, tenant, make_user, login_as):
    make_user("officer@vlad-day.test", tenant=tenant, role="officer")
    login_as("officer@vlad-day.test")


def register(client, number, day="2025-03-03"):
    r = client.post(NEW, data={"external_id": number, "kind": "complaint", "audience": "external",
                               "channel": "website", "registered_on": day, "client_type": "individual"})
    assert r.status_code == 302, r.get_data(as_text=True)
    return r.headers["Location"]


def numbers_listed(html: str) -> list[str]:
    table = html.split('id="appeals"', 1)[1]
    return re.findall(r'/office/appeals/\d+">([^<]+)</a>', table)


def test_search_by_number(app, client, tenant, officer):
    with app.app_context(), tenant_scope(tenant_row(app, tenant)):
        for number in ("ОГ-12/2025", "ОГ-125/2025", "Ж-7", "A_1", "AB1"):
            reg = datetime(2025, 1, 10, 9, tzinfo=UTC)
            db.session.add(Appeal(external_id=number, kind="appeal", channel="website", registered_at=reg,
                                  due_date=deadlines.due_date_for(reg, MSK)))
        db.session.commit()
    listed = lambda q: sorted(numbers_listed(client.get(f"/vlad-day/office/appeals/?number={q}")  # noqa: E731
                                             .get_data(as_text=True)))
    assert listed("ог-12") == ["ОГ-12/2025", "ОГ-125/2025"]  # a part of the number, any case
    assert listed("  ОГ-12/ ") == ["ОГ-12/2025"]
    assert listed("A_1") == ["A_1"]  # "_" is a character here, not a wildcard (AB1 does not match)
    assert listed("%25") == []  # a literal "%"
    assert listed("") == ["AB1", "A_1", "Ж-7", "ОГ-12/2025", "ОГ-125/2025"]
    html = client.get("/vlad-day/office/appeals/?number=%D0%96-7").get_data(as_text=True)
    assert 'name="number"' in html and 'value="Ж-7"' in html and "Найдено: 1" in html


def test_the_outcome_starts_empty_and_must_be_chosen(app, client, tenant, officer):
    url = register(client, "F-1")
    html = client.get(url).get_data(as_text=True)
    select = html.split('name="answer-outcome"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option([^>]*)value="([^"]*)"', select)
    assert options[0][1] == "" and "— выберите —" in select
    assert "selected" not in select.replace('value="" selected', "")  # nothing but the empty choice is preselected
    refused = client.post(url, data={"action": "answer", "answer-answered_on": "2025-03-10"})
    assert refused.status_code == 200 and "Выберите результат." in refused.get_data(as_text=True)
    a = appeals(app, tenant)["F-1"]
    assert (a.answered_at, a.outcome) == (None, "pending")


def forms_offered(html: str) -> set[str]:
    return set(re.findall(r'name="action" value="(answer|redirect|extend)"', html))


def test_only_the_actions_that_apply_are_offered(app, client, tenant, officer):
    url = register(client, "F-1")
    assert forms_offered(client.get(url).get_data(as_text=True)) == {"answer", "redirect", "extend"}
    client.post(url, data={"action": "extend", "extend-days": "10", "extend-extension_reason": "Запрос"})
    assert forms_offered(client.get(url).get_data(as_text=True)) == {"answer", "redirect"}  # extended once
    client.post(url, data={"action": "answer", "answer-answered_on": "2025-03-10", "answer-outcome": "explained"})
    html = client.get(url).get_data(as_text=True)
    assert forms_offered(html) == set() and 'id="no-actions"' in html
    again = client.post(url, data={"action": "answer", "answer-answered_on": "2025-03-12",
                                   "answer-outcome": "supported"}, follow_redirects=True)
    assert "Это действие к обращению больше не применимо" in again.get_data(as_text=True)
    a = appeals(app, tenant)["F-1"]
    assert (a.outcome, a.answered_at.astimezone(MSK).date().isoformat()) == ("explained", "2025-03-10")

    url = register(client, "F-2")
    client.post(url, data={"action": "redirect", "redirect-redirected_on": "2025-03-04",
                           "redirect-redirected_to": "Минздрав"})
    assert forms_offered(client.get(url).get_data(as_text=True)) == set()
    client.post(url, data={"action": "extend", "extend-days": "10", "extend-extension_reason": "Запрос"})
    assert appeals(app, tenant)["F-2"].extended_days == 0


def facts(html: str) -> dict[str, str]:
    """The appeal page's dates, by the instant's name."""
    return {k: v.strip() for k, v in re.findall(r'<dd id="fact-(\w+)">([^<]*)', html)}


def test_a_date_without_a_time_is_shown_without_one(app, client, tenant, officer):
    url = register(client, "F-1", day="2025-03-03")
    client.post(url, data={"action": "answer", "answer-answered_on": "2025-03-10", "answer-outcome": "supported"})
    shown = facts(client.get(url).get_data(as_text=True))
    assert shown["registered_at"] == "03.03.2025" and shown["answered_at"] == "10.03.2025"
    # the import: a time given is kept and shown (Moscow local), a date alone is shown alone
    data = csv_bytes([row("I-1", registered_at="10.01.2025 09:30", answered_at="2025-01-20"),
                      row("I-2", registered_at="2025-01-11", answered_at="")])
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t):
            import_file(db.session, t, data, "a.csv")
    stored = appeals(app, tenant)
    assert stored["I-1"].registered_at.replace(tzinfo=UTC) == datetime(2025, 1, 10, 6, 30, tzinfo=UTC)
    one = facts(client.get(f"/vlad-day/office/appeals/{stored['I-1'].id}").get_data(as_text=True))
    assert one["registered_at"] == "10.01.2025 09:30" and one["answered_at"] == "20.01.2025"
    two = facts(client.get(f"/vlad-day/office/appeals/{stored['I-2'].id}").get_data(as_text=True))
    assert two["registered_at"] == "11.01.2025" and two["answered_at"] == "—"
    listing = client.get("/vlad-day/office/appeals/").get_data(as_text=True)
    assert "<td>11.01.2025</td>" in listing and "<td>10.01.2025 09:30</td>" in listing
    assert "12:00" not in listing and "00:00" not in listing
    # re-importing I-2 with a time turns the mark off
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t):
            import_file(db.session, t, csv_bytes([row("I-2", registered_at="2025-01-11 15:45")]), "a.csv")
    two = facts(client.get(f"/vlad-day/office/appeals/{stored['I-2'].id}").get_data(as_text=True))
    assert two["registered_at"] == "11.01.2025 15:45"
