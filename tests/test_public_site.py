"""The citizens' site of an authority (issue 12, items 5-7 and 9): publications rendered from their snapshots with
tables beside charts, the archive, version history, open data, the Atom feed, 404 for what is not public and 410
for what was withdrawn, the clause that keeps an analysis internal, validators and 304s, the version for the
visually impaired. Publications are hand-made rows that follow docs/PUBLISHING.md; every expected figure is
written here by hand."""

from __future__ import annotations

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from tests.public_site_helpers import (
    add_publication,
    appeals_payload,
    delete_publication,
    set_status,
    sha,
    we_did_payload,
)

PAGE = "/vladimir-minsoc/publications/appeals_analysis/2026-Q3/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def vladimir(make_tenant):
    return make_tenant("vladimir", slug="vladimir-minsoc")


def text(response) -> str:
    return response.get_data(as_text=True)


def test_publication_page_shows_each_chart_with_its_table_and_summary(app, client, vladimir):
    add_publication(app, vladimir, appeals_payload())
    response = client.get(PAGE)
    assert response.status_code == 200
    html = text(response)
    assert "<h1 id=\"publication-title\">Анализ обращений граждан за III квартал 2026 г.</h1>" in html
    assert "Больше всего обращений — 41 (34,2 %) — о тематике «Социальная защита семей с детьми»." in html
    # the table carries the chart's rows: 1234 grouped the Russian way, 34.2 with a comma, a hidden cell as «—»
    assert "<td class=\"num\">1\u00a0234</td>" in html
    assert "<td class=\"num\">34,2</td>" in html
    assert html.count("<td class=\"num\">—</td>") == 2
    assert "Группы меньше 5 обращений не показываются" in html
    # the chart's data attribute holds exactly the table's rows (the page computes nothing)
    assert ("&#34;labels&#34;: [&#34;Социальная защита семей с детьми&#34;, &#34;Пенсионное обеспечение&#34;, "
            "&#34;Прочие тематики&#34;], &#34;values&#34;: [41, 1234, null]") in html
    assert html.count("<canvas class=\"public-chart\"") == 2 and html.count("<table class=\"grid\">") == 2
    # open data of this version, and the chart script from this site only
    for href in ("v1/by_topic.csv", "v1/by_channel.csv", "v1/publication.json", "v1/datapackage.json"):
        assert f'href="{PAGE}{href}"' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html and "<script>" not in html
    assert "Set-Cookie" not in response.headers  # a snapshot page opens no session: it is cacheable
    # the publication is a Russian document: its figures stay Russian on the English interface
    english = text(client.get(PAGE, query_string={"lang": "en"}))
    assert "Basis: п. 21" in english and "<td class=\"num\">1\u00a0234</td>" in english


def test_home_shows_the_acts_section_archive_groups_by_period(app, client, vladimir):
    add_publication(app, vladimir, appeals_payload())
    add_publication(app, vladimir, appeals_payload("2026-Q2", "II квартал 2026 г."),
                    published_at=datetime(2026, 8, 10, tzinfo=UTC))
    home = text(client.get("/vladimir-minsoc/"))
    assert "<h2 id=\"section-1\">Аналитические материалы по итогам обращений в Министерство</h2>" in home
    assert home.index("III квартал 2026") < home.index("II квартал 2026")
    assert f'href="{PAGE}"' in home
    assert 'href="/vladimir-minsoc/surveys/"' in home and 'href="/vladimir-minsoc/opinion"' in home
    # Vladimir's act does not provide for publishing the pain map: the home says so with its clause
    assert "Порядок не предусматривает публикацию карты болей" in home
    archive = text(client.get("/vladimir-minsoc/publications/"))
    assert archive.index("<h2 id=\"period-1\">2026-Q3</h2>") < archive.index("<h2 id=\"period-2\">2026-Q2</h2>")
    index = text(client.get("/"))
    assert "Министерство социальной защиты населения Владимирской области" in index
    assert "Публикует: Анализ обращений, Итоги опросов." in index


@pytest.mark.parametrize("profile, slug, clause", [
    ("omsk", "omsk-mintrud", "п. 18: информация о результатах сбора и анализа носит внутриведомственный характер"),
    ("astrakhan", "astrakhan-gjn", "п. 5.6: информация носит внутриведомственный характер"),
    ("nenets", "nenets-dzsn", "п. 10: информация носит внутриведомственный характер"),
])
def test_authorities_that_keep_analyses_internal_say_which_clause(client, make_tenant, profile, slug, clause):
    make_tenant(profile, slug=slug)
    home = text(client.get(f"/{slug}/"))
    assert "Анализ обращений: не публикуется" in home
    assert clause in home
    assert "Пока ничего не опубликовано." in home
    if profile == "nenets":  # the section its act names is there before anything is published in it
        assert "<h2 id=\"section-1\">Клиентоцентричность</h2>" in home
    assert client.get(f"/{slug}/publications/appeals_analysis/2026-Q3/").status_code == 404


def test_nenets_publishes_we_did_in_its_section(app, client, make_tenant):
    nenets = make_tenant("nenets", slug="nenets-dzsn")
    add_publication(app, nenets, we_did_payload())
    home = text(client.get("/nenets-dzsn/"))
    assert "<h2 id=\"section-1\">Клиентоцентричность</h2>" in home
    page = text(client.get("/nenets-dzsn/publications/you_said_we_did/2026-Q2/"))
    assert "<th scope=\"row\">Долгая очередь</th>" in page
    assert "<td>20 мая 2026</td>" in page  # a date column in Russian
    assert "canvas" not in page  # no chart in this payload: no canvas, the table alone


def test_nenets_surveys_and_opinion_form_sit_in_its_client_centricity_section(client, make_tenant):
    """Nenets 18: «Клиентоцентричность» holds the surveys and the opinion form; Vladimir's act names no such
    section, so its surveys keep a section of their own."""
    make_tenant("nenets", slug="nenets-fb")
    make_tenant("vladimir", slug="vlad-fb")
    home = text(client.get("/nenets-fb/"))
    section = home.split("Клиентоцентричность</h2>", 1)[1].split("</section>", 1)[0]
    assert 'href="/nenets-fb/surveys/"' in section and 'href="/nenets-fb/opinion"' in section
    assert "Ваша обратная связь" not in home
    other = text(client.get("/vlad-fb/"))
    own = other.split("Ваша обратная связь</h2>", 1)[1].split("</section>", 1)[0]
    assert 'href="/vlad-fb/surveys/"' in own and 'href="/vlad-fb/opinion"' in own


def test_not_public_versions_are_404_and_a_withdrawn_one_410_with_its_notice(app, client, vladimir, make_tenant):
    for status in ("draft", "approved", "scheduled", "rejected"):
        pub_id = add_publication(app, vladimir, appeals_payload(), status=status)
        for url in (PAGE, f"{PAGE}v1/", f"{PAGE}v1/by_topic.csv", f"{PAGE}v1/publication.json",
                    f"{PAGE}v1/datapackage.json"):
            assert client.get(url).status_code == 404, (status, url)
        for url in ("/vladimir-minsoc/", "/vladimir-minsoc/publications/", "/vladimir-minsoc/feed.atom"):
            assert "III квартал" not in text(client.get(url)), (status, url)
        delete_publication(app, vladimir, pub_id)  # the next status starts afresh
    pub_id = add_publication(app, vladimir, appeals_payload())
    set_status(app, vladimir, pub_id, "withdrawn", withdrawn_at=datetime(2026, 11, 20, tzinfo=UTC),
               status_reason="В таблице тематик обнаружена ошибка; исправленная версия будет опубликована.")
    for url in (PAGE, f"{PAGE}v1/", f"{PAGE}v1/by_topic.csv", f"{PAGE}v1/publication.json"):
        response = client.get(url)
        assert response.status_code == 410, url
        assert "В таблице тематик обнаружена ошибка" in text(response)
        assert "Отозвана 20 ноября 2026." in text(response)
        assert "Социальная защита семей с детьми" not in text(response)  # none of its figures
    # another authority's address of the same publication does not exist
    make_tenant("omsk", slug="omsk-mintrud")
    add_publication(app, vladimir, appeals_payload("2026-Q2", "II квартал 2026 г."))
    assert client.get("/omsk-mintrud/publications/appeals_analysis/2026-Q2/").status_code == 404
    assert client.get("/no-such-authority/publications/appeals_analysis/2026-Q2/").status_code == 404


def test_a_payload_that_is_not_the_approved_one_is_never_shown(app, client, vladimir):
    pub_id = add_publication(app, vladimir, appeals_payload())
    set_status(app, vladimir, pub_id, "published", payload_sha256="0" * 64)
    assert client.get(PAGE).status_code == 404
    assert client.get(f"{PAGE}v1/by_topic.csv").status_code == 404


def test_a_correction_keeps_the_earlier_version_readable_with_its_note(app, client, vladimir):
    v1 = add_publication(app, vladimir, appeals_payload(first=41))
    set_status(app, vladimir, v1, "superseded")
    add_publication(app, vladimir, appeals_payload(first=42), version=2, note="Исправлено число обращений о семьях.",
                    published_at=datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    current = text(client.get(PAGE))
    assert "Больше всего обращений — 42" in current and "Больше всего обращений — 41" not in current
    assert "Версия 2, опубликована 12 ноября 2026." in current
    assert "Исправлено число обращений о семьях." in current
    assert f'href="{PAGE}v1/"' in current and "заменена исправлением" in current
    earlier = client.get(f"{PAGE}v1/")
    assert earlier.status_code == 200
    assert "Больше всего обращений — 41" in text(earlier)
    assert "Это прежняя версия (1), её заменило исправление." in text(earlier)
    # the earlier version's open data stay at their stable address
    assert "41" in text(client.get(f"{PAGE}v1/by_topic.csv"))
    archive = text(client.get("/vladimir-minsoc/publications/"))
    assert archive.count(f'href="{PAGE}"') == 1


def test_validators_and_conditional_get(app, client, vladimir):
    v1 = add_publication(app, vladimir, appeals_payload(), published_at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    first = client.get(PAGE)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"] == "Tue, 10 Nov 2026 09:00:00 GMT"
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in first.headers["Vary"]
    again = client.get(PAGE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(PAGE, headers={"If-None-Match": '"other"'}).status_code == 200
    for url in ("/vladimir-minsoc/", "/vladimir-minsoc/publications/", "/vladimir-minsoc/feed.atom",
                f"{PAGE}v1/by_topic.csv", f"{PAGE}v1/publication.json", f"{PAGE}v1/datapackage.json"):
        tag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 304, url
    # a browser that accepts gzip gets the same bytes gzipped, under their own ETag
    zipped = client.get(PAGE, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == first.data and len(zipped.data) < len(first.data) / 3
    assert zipped.headers["ETag"] == etag[:-1] + '-gz"'
    assert client.get(PAGE, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}) \
        .status_code == 304
    # the version for the visually impaired is another rendering: another ETag
    client.set_cookie("low_vision", "1")
    assert client.get(PAGE).headers["ETag"] != etag
    client.delete_cookie("low_vision")
    # a correction changes what the address shows, so its ETag
    set_status(app, vladimir, v1, "superseded")
    add_publication(app, vladimir, appeals_payload(first=42), version=2, note="Исправление.")
    assert client.get(PAGE, headers={"If-None-Match": etag}).status_code == 200


def test_open_data_csv_json_and_a_valid_data_package(app, client, vladimir, tmp_path):
    from frictionless import validate

    payload = appeals_payload()
    add_publication(app, vladimir, payload)
    response = client.get(f"{PAGE}v1/by_topic.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text(response))))
    assert rows == [["label", "count", "share"], ["Социальная защита семей с детьми", "41", "34.2"],
                    ["Пенсионное обеспечение", "1234", "12.5"], ["Прочие тематики", "", ""]]
    published = json.loads(text(client.get(f"{PAGE}v1/publication.json")))
    assert published == payload and sha(published) == sha(payload)
    package = json.loads(text(client.get(f"{PAGE}v1/datapackage.json")))
    assert [r["path"] for r in package["resources"]] == ["by_topic.csv", "by_channel.csv"]
    (tmp_path / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False))
    for resource in package["resources"]:
        (tmp_path / resource["path"]).write_bytes(client.get(f"{PAGE}v1/{resource['path']}").data)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert client.get(f"{PAGE}v1/no_such_block.csv").status_code == 404


def test_atom_feed_is_valid_and_lists_every_published_version(app, client, vladimir):
    v1 = add_publication(app, vladimir, appeals_payload(), published_at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    set_status(app, vladimir, v1, "superseded")
    add_publication(app, vladimir, appeals_payload(first=42), version=2, note="Исправлено число & «кавычки».",
                    published_at=datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    add_publication(app, vladimir, appeals_payload("2026-Q2", "II квартал 2026 г."), status="draft")
    response = client.get("/vladimir-minsoc/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Министерство социальной защиты населения Владимирской области"
    assert feed.find(f"{ATOM}updated").text == "2026-11-12T09:00:00+00:00"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/vladimir-minsoc/feed.atom")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2  # v2 and v1; the draft is not there
    ids = []
    for entry in entries:
        for name in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        ids.append(entry.find(f"{ATOM}id").text)
    assert ids[0].endswith(f"{PAGE}v2/") and ids[1].endswith(f"{PAGE}v1/")
    assert entries[0].find(f"{ATOM}summary").text == "Исправлено число & «кавычки»."


def test_version_for_the_visually_impaired_is_a_link_and_a_cookie_of_one(app, client, vladimir):
    add_publication(app, vladimir, appeals_payload())
    page = text(client.get(PAGE))
    assert f'href="/low-vision?on=1&amp;next={PAGE}"' in page
    response = client.get(f"/low-vision?on=1&next={PAGE}")
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("low_vision=1;") and "Max-Age=31536000" in cookie
    low = text(client.get(PAGE))
    assert '<html lang="ru" class="low-vision">' in low
    assert "/static/public-low-vision.css" in low
    assert f'href="/low-vision?on=0&amp;next={PAGE}"' in low and "Обычная версия" in low
    off = client.get(f"/low-vision?on=0&next={PAGE}")
    assert "low_vision=;" in off.headers["Set-Cookie"]
    assert "class=\"low-vision\"" not in text(client.get(PAGE))
    # only a path of this site is a place to go back to
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert client.get("/low-vision", query_string={"on": "1", "next": bad}).headers["Location"] == "/"


def test_archive_orders_periods_by_their_end_and_shows_what_each_address_shows(app, client, vladimir):
    month = appeals_payload("2026-08", "август 2026 г.")
    add_publication(app, vladimir, month)
    add_publication(app, vladimir, appeals_payload("2026-Q2", "II квартал 2026 г."))
    add_publication(app, vladimir, appeals_payload())  # 2026-Q3, version 1 published
    add_publication(app, vladimir, appeals_payload(first=43), version=2, status="withdrawn",
                    status_reason="Ошибка в исправлении.")
    archive = text(client.get("/vladimir-minsoc/publications/"))
    order = [archive.index(f">{name}</h2>") for name in ("2026-Q3", "2026-08", "2026-Q2")]
    assert order == sorted(order)  # Q3 ends 30.09, August 31.08, Q2 30.06
    q3 = archive.split(">2026-Q3</h2>", 1)[1].split("</section>", 1)[0]
    assert "отозвана" not in q3 and "опубликовано" in q3  # the address shows version 1, still published
    assert client.get(PAGE).status_code == 200 and "— 41 (" in text(client.get(PAGE))
    assert client.get(f"{PAGE}v2/").status_code == 410
