"""The release calendar on the office home and the regional administrator's list (issue 12, item 3).

Pages read the real clock, so the fixture is relative to today: Vladimir tracked from the start of the quarter two
before today's. That quarter's deadline (its end + 44 days) is long past: published 3 days after it -> «с опозданием
на 3 дн.»; not published -> missing. The previous quarter is published now (met, whatever its state), and today's
quarter ends after today, so its deadline is more than 44 days ahead: not due."""

from datetime import UTC, datetime, timedelta

import pytest

from otklik.extensions import db
from otklik.models import Publication, Tenant
from otklik.periods import local_today, period_containing
from otklik.tenancy import tenant_scope


def _quarters():
    today = local_today("Europe/Moscow")
    previous = period_containing(today, "quarter").previous()
    return previous.previous(), previous


def _publish(app, tenant, period, on):
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        db.session.add(Publication(artifact="appeals_analysis", period=period, version=1, status="published",
                                   published_at=on))
        db.session.commit()


@pytest.fixture
def vladimir(app, make_tenant):
    two_back, previous = _quarters()
    v = make_tenant("vladimir", slug="vl-release", tracking_since=two_back.start)
    _publish(app, v, previous.name, datetime.now(UTC))
    return v


def test_the_office_home_shows_the_release_calendar(app, client, login_as, make_user, vladimir):
    two_back, previous = _quarters()
    deadline = two_back.end + timedelta(days=44)
    _publish(app, vladimir, two_back.name, datetime(deadline.year, deadline.month, deadline.day, 9, tzinfo=UTC)
             + timedelta(days=3))
    make_user("viewer@vl.test", tenant=vladimir, role="viewer")
    login_as("viewer@vl.test")
    page = client.get("/vl-release/office/").get_data(as_text=True)
    panel = page[page.index('id="release-calendar"'):]
    panel = panel[:panel.index("</section>")]
    assert "Календарь публикаций" in panel
    rows = panel.split('<tr class="state-')[1:]
    assert len(rows) == 3  # today's quarter, the previous one, the one two back: latest first
    assert rows[0].startswith("not_due") and "срок не наступил" in rows[0]
    assert rows[2].startswith("late") and "с опозданием на 3 дн." in rows[2]
    assert deadline.strftime("%d.%m.%Y") in rows[2]
    assert (deadline + timedelta(days=3)).strftime("%d.%m.%Y") in rows[2]
    assert 'id="release-warnings"' not in panel  # every past deadline is met
    assert "п. 21" in panel


def test_a_missed_deadline_warns_on_the_home_and_the_admin_list(app, client, login_as, make_user, make_tenant,
                                                               vladimir):
    two_back, _ = _quarters()
    deadline = two_back.end + timedelta(days=44)
    overdue = (local_today("Europe/Moscow") - deadline).days
    make_tenant("omsk", slug="om-release")  # Omsk's act publishes nothing: no deadline, no panel
    make_user("viewer@vl.test", tenant=vladimir, role="viewer")
    login_as("viewer@vl.test")
    page = client.get("/vl-release/office/").get_data(as_text=True)
    warnings = page[page.index('id="release-warnings"'):page.index("</ul>", page.index('id="release-warnings"'))]
    assert f"срок истёк {deadline.strftime('%d.%m.%Y')}, просрочено на {overdue} дн." in warnings
    client.post("/logout")

    make_user("admin@region.test", global_role="admin")
    login_as("admin@region.test")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Сроки публикаций" in page
    cells = {slug: page[page.index(f"/{slug}/"):].split('class="publication-deadlines">', 1)[1].split("</td>", 1)[0]
             for slug in ("vl-release", "om-release")}
    assert ">1</a>" in cells["vl-release"] and cells["om-release"] == "0"


def test_omsk_has_no_release_calendar(app, client, login_as, make_user, make_tenant):
    omsk = make_tenant("omsk", slug="om-norelease")
    make_user("viewer@om.test", tenant=omsk, role="viewer")
    login_as("viewer@om.test")
    assert 'id="release-calendar"' not in client.get("/om-norelease/office/").get_data(as_text=True)
