"""No internal string and no small cell reaches the public site (issue 12, item 7).

A canary string is planted in every internal free-text field (appeal ids, reasons, summaries, redirect and
extension notes, open answers, the questionnaire's note, internal measure wordings and results, a pain's status
reason); the pipeline runs as in production: the analyses on the real RQ worker, the drafts the policy allows built
after them, an officer approves and publishes. Then every public page and file reachable from the platform's index
is crawled (HTML, CSV, JSON, datapackage.json, Atom): the canary appears nowhere, and no published count is below
the tenant's minimum cell size (5)."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from otklik.analysis.tests.helpers import add_appeals
from otklik.extensions import db
from otklik.models import Publication
from otklik.publishing import service
from otklik.publishing.tests.fixtures import (
    CANARY,
    Scope,
    analyse,
    load_classifier,
    month_survey,
    pains_and_measures,
    quarter_appeals,
)

HREF = re.compile(r'(?:href|src)="([^"]+)"')
SKIP = ("/login", "/low-vision", "/static/")


def publish_every_draft(app, tenant) -> list[str]:
    with Scope(app, tenant):
        drafts = db.session.query(Publication).filter_by(status="draft").all()
        for draft in drafts:
            service.approve(draft, None)
            service.publish(draft)
        db.session.commit()
        return sorted(d.artifact for d in drafts)


def crawl(client, start: str = "/") -> dict[str, bytes]:
    """Every page and file of this site reachable from `start` by links (the office and sign-in excluded)."""
    seen: dict[str, bytes] = {}
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        seen[url] = response.data
        if response.mimetype in ("text/html", "application/atom+xml"):
            for link in HREF.findall(response.get_data(as_text=True)):
                target = urljoin(url, link.replace("&amp;", "&"))
                parts = urlsplit(target)
                if parts.netloc not in ("", "localhost"):
                    continue
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if path.startswith(SKIP) or "/office/" in path or "/s/" in path:
                    continue
                queue.append(path)
    return seen


def test_no_internal_string_and_no_small_cell_reaches_any_public_page_or_file(app, client, run_jobs, make_tenant):
    vladimir = make_tenant("vladimir", slug="vladimir-minsoc")
    nenets = make_tenant("nenets", slug="nenets-dzsn")
    omsk = make_tenant("omsk", slug="omsk-mintrud")
    with app.app_context():
        add_appeals(vladimir, quarter_appeals())
        load_classifier(vladimir)
        add_appeals(omsk, quarter_appeals())
        month_survey(nenets)
        pains_and_measures(nenets)
    analyse(app, run_jobs, vladimir, "appeals", "2026-Q3")
    analyse(app, run_jobs, omsk, "appeals", "2026-Q3")
    analyse(app, run_jobs, nenets, "surveys", "2026-03")
    assert publish_every_draft(app, vladimir) == ["appeals_analysis"]
    assert publish_every_draft(app, nenets) == ["survey_summary", "you_said_we_did"]
    assert publish_every_draft(app, omsk) == []  # Omsk 18 keeps its analysis internal: nothing was drafted

    # the internal strings are really there, in the office's data, before we look for them outside
    with Scope(app, vladimir):
        from otklik.models import Appeal

        assert db.session.query(Appeal).filter(Appeal.reason.contains(CANARY)).count() == 40

    files = crawl(client)
    kinds = {url.rsplit("/", 1)[-1].rsplit(".", 1)[-1] for url in files if "." in url.rsplit("/", 1)[-1]}
    assert {"csv", "json", "atom"} <= kinds, kinds
    pages = [u for u in files if "/publications/" in u and u.endswith("/")]
    assert any("appeals_analysis/2026-Q3" in u for u in pages)
    assert any("survey_summary/2026-03" in u for u in pages) and any("you_said_we_did" in u for u in pages)
    for url, body in files.items():
        assert CANARY.encode() not in body, f"an internal string reached {url}"

    # a measure's public wording is published, its internal wording (with the canary) is not
    assert "Введена электронная очередь" in files["/nenets-dzsn/publications/you_said_we_did/2026-03/"].decode()

    # no published count below k = 5 (a hidden cell is null, an absent group is no row)
    checked = 0
    for url, body in files.items():
        if not url.endswith("/publication.json"):
            continue
        payload = json.loads(body)
        assert payload["min_cell"] >= 5
        for block in payload["blocks"]:
            for column in block["columns"]:
                if column["type"] != "integer":
                    continue
                for row in block["rows"]:
                    value = row.get(column["key"])
                    checked += 1
                    assert value is None or value == 0 or value >= 5, (url, block["id"], column["key"], value)
    assert checked > 10

    # Omsk's site: its surveys and opinion form, no analysis, and the clause that keeps it internal
    omsk_home = files["/omsk-mintrud/"].decode()
    assert "п. 18: информация о результатах сбора и анализа носит внутриведомственный характер" in omsk_home
    assert not any(u.startswith("/omsk-mintrud/publications/") and u.count("/") > 3 for u in files)
