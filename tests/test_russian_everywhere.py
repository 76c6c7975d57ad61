"""Words, not codes (issue 14, item 7): every page of the demo reads in Russian.

A crawler opens every page reachable as an authority's officer, as the regional administrator, as an analyst of
the Centre and as a citizen (the public site), on demo data (`otklik.demo` at a small size: appeals, survey
answers, analyses, a pain map, publications), in Russian, and fails on the known English leftovers in the visible
text (with what a screen reader or a tooltip says: aria-label, title, placeholder, alt; the charts' labels; the
analysis XLSX): metric keys, role codes, statuses, parameter keys. Code, preformatted text, scripts, text areas
(the JSON view), other attribute values and URLs or e-mail addresses are not visible words and are left out.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from html import escape as html_escape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from flask_babel import force_locale

from otklik.extensions import db
from otklik.models import Tenant
from otklik.tenancy import tenant_scope
from otklik.testing import login

SLUG = "omsk-words"
EMPTY = "vladimir-empty"  # an authority whose analyses found no data
PER_SHAPE = 2  # pages opened per URL shape: every template, not every record
FORBIDDEN = {
    # metric and figure keys
    "total", "satisfied", "unsatisfied", "by_channel", "by_topic", "by_section", "by_segment", "by_kind", "nps", "waiting_days", "within_30_share", "redirected", "complaints", "responses", "prevalence", "themes",
    "count", "share", "mean", "median", "answered",
    # parameter and indicator keys
    "overall", "politeness", "clarity", "status_info", "documents", "speed", "electronic", "electronic_service",
    "deadlines", "informed", "completeness",
    # role codes
    "officer", "operator", "viewer", "admin", "analyst",
    # statuses
    "queued", "running", "done", "failed", "draft", "open", "closed", "published", "pending", "refused",
    "approved", "withdrawn", "accepted", "rejected", "proposed",
    # audiences, kinds, levels
    "external", "internal", "appeal", "complaint", "request", "proposal", "high", "medium", "low", "unspecified",
    "individual", "legal",
}
HIDDEN_TAGS = {"script", "style", "code", "pre", "textarea", "kbd", "samp", "template"}
NOT_WORDS = re.compile(r"\S+@\S+|\w+://\S+|/\S*|\S+\.(csv|json|xlsx|pdf|atom|svg|png)\b|\w+(\.\w+)+|"
                       r"\{[^{}]*\}|» \(\w+\)|= \w+")
"""Not words: e-mail addresses, URLs and paths, file names, dotted codes (a matrix row's import column `q9.clarity`,
a topic code `0002.0007.0073.0510`), JSON objects (a setting's default), a code in brackets after its words
(«Жалоба» (complaint), the import's allowed values) and after "=" (a mapping's example). CSAT stays allowed: the
abbreviation is shown beside its Russian words."""
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


SPOKEN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
CHART_WORDS = ("title", "labels", "series")
"""What a chart draws as text (the JSON its script reads): its title, axis labels and series name are visible."""


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0
        self._chart_json: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "script" and a.get("type") == "application/json":
            self._chart_json = []
        if not self._hidden:  # what a screen reader or a tooltip says is read too
            self.text += [a[name] for name in SPOKEN_ATTRIBUTES if a.get(name)]
        if tag in HIDDEN_TAGS:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag == "script" and self._chart_json is not None:
            self.text += _chart_text(json.loads("".join(self._chart_json) or "null"))
            self._chart_json = None
        if tag in HIDDEN_TAGS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if self._chart_json is not None:
            self._chart_json.append(data)
        elif not self._hidden:
            self.text.append(data)


def _chart_text(value) -> list[str]:
    if isinstance(value, list):
        return [t for v in value for t in _chart_text(v)]
    if not isinstance(value, dict):
        return []
    out = []
    for key, inner in value.items():
        if key in CHART_WORDS:
            out += [str(x) for x in (inner if isinstance(inner, list) else [inner]) if isinstance(x, str)]
        elif isinstance(inner, dict | list):
            out += _chart_text(inner)
    return out


def leftovers(html: str) -> set[str]:
    """The forbidden words of a page's visible text, each with a little of the text around it."""
    page = Page()
    page.feed(html)
    text = re.sub(r"\s+", " ", NOT_WORDS.sub(" ", " ".join(page.text)))
    return {f"{m.group(0)} («{text[max(0, m.start() - 40):m.end() + 20].strip()}»)"
            for m in WORD.finditer(text) if m.group(0).lower() in FORBIDDEN}


def test_the_leftover_finder_reads_visible_words_only():
    html = ('<p>Статус: done, всего total</p><code>overall</code><a href="/x/draft">Черновик</a>'
            '<textarea>{"parameter": "politeness"}</textarea><p>officer@omsk.local /office/closed/ report.csv</p>'
            '<script>var open = 1;</script><p data-state="pending" title="done">Ожидает</p>'
            '<script type="application/json">[{"title": "Жалобы", "labels": ["satisfied"], "fmt": "int"}]</script>')
    assert {w.split()[0] for w in leftovers(html)} == {"done", "total", "satisfied"}


def _workbook_leftovers(data: bytes) -> set[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    cells = [f"<p>{html_escape(str(v))}</p>" for ws in book.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if isinstance(v, str)]
    return {f"{word} [XLSX]" for word in leftovers("".join(cells))}


def _shape(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"/(\d+|[0-9a-f-]{8,}|demo-[0-9a-f]+|v\d+|\d{4}(-\w+)?)(?=/|$)", "/#", parts.path)
    return path + "?" + "&".join(sorted({k for k, _v in parse_qsl(parts.query)}))


@pytest.fixture
def demo(app, make_tenant, make_user):
    from otklik.demo import demo_publications, fill_tenant, run_analyses
    from otklik.painmap.sample import demo_map

    end = date(2025, 10, 5)
    tenant = make_tenant("omsk", slug=SLUG, tracking_since=date(2025, 1, 1))
    make_user(f"officer@{SLUG}.local", tenant=tenant, role="officer")
    empty = make_tenant("vladimir", slug=EMPTY, tracking_since=date(2025, 1, 1))
    make_user(f"officer@{EMPTY}.local", tenant=empty, role="officer")
    make_user("admin@otklik.local", global_role="admin")
    make_user("analyst@otklik.local", global_role="analyst")
    with app.app_context(), force_locale("ru"):
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            fill_tenant(t, 150, 90, seed=11, end=end)
            run_analyses(t, end)
            demo_map(t, end)
            db.session.commit()
            demo_publications(t)
            db.session.commit()
        e = db.session.get(Tenant, empty.id)
        with tenant_scope(e):
            assert run_analyses(e, end) > 0
            db.session.commit()
    return tenant


def crawl(client, starts: list[str], inside: tuple[str, ...]) -> tuple[dict[str, set[str]], int]:
    """Every page reachable from `starts` under the prefixes `inside`: {url: English leftovers}, pages read."""
    seen_shapes: dict[str, int] = {}
    queue, visited, found = list(starts), set(starts), {}
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet"):
            if "/office/reports/" not in url:
                continue  # exchange files (the import template, the measures for bulk update) carry codes on purpose
            words = _workbook_leftovers(response.data)  # the analysis XLSX: its sheets are read by people
            if words:
                found[url] = words
            continue
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        words = leftovers(html)
        if words:
            found[url] = words
        page = Page()
        page.feed(html)
        for href in page.links:
            parts = urlsplit(urljoin(url, href))
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in visited or not target.startswith(inside) or "lang=en" in target:
                continue
            shape = _shape(target)
            if seen_shapes.get(shape, 0) >= PER_SHAPE:
                continue
            seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
            visited.add(target)
            queue.append(target)
    return found, len(visited)


def test_every_page_of_the_demo_reads_in_russian(app, client, demo):
    report, pages = {}, 0
    found, n = crawl(client, ["/", f"/{SLUG}/"], (f"/{SLUG}/", "/"))  # the public site, signed out
    report.update(found)
    pages += n
    for email, starts, inside in (
            (f"officer@{SLUG}.local", [f"/{SLUG}/office/", "/account"], (f"/{SLUG}/office", "/account")),
            (f"officer@{EMPTY}.local", [f"/{EMPTY}/office/"], (f"/{EMPTY}/office",)),
            ("admin@otklik.local", ["/admin/", "/account"], ("/admin", "/account")),
            ("analyst@otklik.local", ["/centre/"], ("/centre",))):
        login(client, email)
        found, n = crawl(client, starts, inside)
        report.update(found)
        pages += n
        client.post("/logout")
    assert pages > 60, f"the crawl saw too little ({pages} pages): the demo is not demo-like"
    assert not report, "English words in Russian pages:\n" + "\n".join(
        f"{url}: {'; '.join(sorted(words))}" for url, words in sorted(report.items()))
