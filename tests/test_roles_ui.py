"""Roles in the interface (issue 14, item 2): no page shows a link, a button or a form the viewer's role cannot use.

A crawler signs in as a viewer, an operator and an officer of an authority with demo data (appeals, surveys and
their answers, analyses, a pain map), opens every page reachable from the office home and fails on any link that
answers 403 for that role, and on any form whose target refuses the role: by the rule `office_required` keeps on
the view (`otklik.access.required_role`) and by sending the form as it stands (its own values), which also meets
the checks a view makes inside (an officer-only POST on a page every member reads).
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from otklik.access import ROLE_RANK, required_role
from otklik.extensions import db
from otklik.models import Tenant
from otklik.tenancy import tenant_scope
from otklik.testing import login

SLUG = "nao-roles"
# sending these would end the crawler's own session or sign it out: their rule is still checked
NOT_SENT = {"auth.logout", "auth.sign_out_everywhere", "people.remove"}
PER_SHAPE = 2  # pages opened per URL shape (/appeals/<id> is one shape): every template, not every record


class Page(HTMLParser):
    """Links (a[href]) and forms (action, method, the values they would send) of one page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "data": []}
            self.forms.append(self._form)
        elif self._form is not None and a.get("name") and "disabled" not in a:
            if tag == "input" and a.get("type") not in ("checkbox", "radio", "file", "submit", "button"):
                self._form["data"].append((a["name"], a.get("value") or ""))
            elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a:
                self._form["data"].append((a["name"], a.get("value") or "on"))
            elif tag == "select":
                self._select = [a["name"], None, False]
            elif tag == "button" and a.get("value") is not None and not any(
                    k == a["name"] for k, _v in self._form["data"]):
                self._form["data"].append((a["name"], a["value"]))  # the first of several submit buttons
        if tag == "option" and self._select is not None and self._form is not None:
            if self._select[1] is None or ("selected" in a and not self._select[2]):
                self._select[1], self._select[2] = a.get("value") or "", "selected" in a

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            if self._select[1] is not None:
                self._form["data"].append((self._select[0], self._select[1]))
            self._select = None
        elif tag == "form":
            self._form = None


def _shape(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"/(\d+|[0-9a-f-]{8,}|demo-[0-9a-f]+)(?=/|$)", "/#", parts.path)
    return path + "?" + "&".join(sorted({k for k, _v in parse_qsl(parts.query)}))


@pytest.fixture
def world(app, make_tenant, make_user):
    """An authority of the Nenets profile (publishes its surveys and pain map, has employee surveys) with a year
    of demo data, and a member of each role."""
    from otklik.demo import fill_tenant, run_analyses
    from otklik.painmap.sample import demo_map

    end = date(2025, 10, 5)
    tenant = make_tenant("nenets", slug=SLUG, tracking_since=date(2025, 1, 1))
    for role in ("viewer", "operator", "officer"):
        make_user(f"{role}@{SLUG}.local", tenant=tenant, role=role)
    with app.app_context(), force_locale("ru"):
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            fill_tenant(t, 120, 90, seed=7, end=end)
            run_analyses(t, end)
            demo_map(t, end)
            db.session.commit()
    return tenant


def _endpoint(app, url: str, method: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(url).path, method=method.upper())
    except Exception:  # noqa: BLE001 - not a route of ours (or a method it does not take): reported by the request
        return None
    return endpoint


def crawl(app, client, role: str) -> list[str]:
    """Every page reachable from the office home; returns the problems found ("403 on a link ...")."""
    start = f"/{SLUG}/office/"
    seen_shapes: dict[str, int] = {}
    queue, visited, problems, forms = [start], set(), [], []

    def allowed(url: str) -> bool:
        shape = _shape(url)
        if url in visited or seen_shapes.get(shape, 0) >= PER_SHAPE:
            return False
        seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
        visited.add(url)
        return True

    allowed(start)
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code == 403:
            problems.append(f"{role}: link to {url} answers 403")
            continue
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        page = Page()
        page.feed(response.get_data(as_text=True))
        for href in page.links:
            target = urljoin(url, href).split("#")[0]
            parts = urlsplit(target)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost") or not parts.path:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target.startswith("/static/") or not allowed(target):
                continue
            if target.startswith(f"/{SLUG}/office") or target.startswith("/account"):
                queue.append(target)
            else:
                status = client.get(target).status_code
                if status == 403:
                    problems.append(f"{role}: link to {target} on {url} answers 403")
        for form in page.forms:
            action = urljoin(url, form["action"] or url)
            forms.append((url, form, urlsplit(action).path + (f"?{urlsplit(action).query}" if urlsplit(action).query
                                                                else "")))
    # The forms, after the pages (sending them changes records the crawl would otherwise read half-way)
    sent = set()
    for url, form, action in forms:
        endpoint = _endpoint(app, action, form["method"])
        with app.app_context():
            needed = required_role(endpoint) if endpoint else None
        if needed and ROLE_RANK[needed] > ROLE_RANK[role]:
            problems.append(f"{role}: form to {action} ({endpoint}) on {url} needs {needed}")
            continue
        key = (_shape(action), form["method"], tuple(sorted(k for k, _v in form["data"])))
        if endpoint in NOT_SENT or key in sent:
            continue
        sent.add(key)
        if form["method"] == "post":
            status = client.post(action, data=MultiDict(form["data"])).status_code
        else:
            status = client.get(action.split("?")[0] + "?" + urlencode(form["data"])).status_code
        if status == 403:
            problems.append(f"{role}: form to {action} ({endpoint}) on {url} answers 403")
    assert len(visited) > 20, f"the crawl saw too little ({len(visited)} pages): the world is not demo-like"
    return problems


def test_no_control_answers_403_for_the_role_that_sees_it(app, world):
    """One world for the three roles (its demo data take a while to make): the viewer first, the officer last, as
    the forms each one sends change records the next one reads."""
    problems = []
    for role in ("viewer", "operator", "officer"):
        client = app.test_client()
        login(client, f"{role}@{SLUG}.local")
        problems += crawl(app, client, role)
    assert not problems, "\n".join(problems)
