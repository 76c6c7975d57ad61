"""What changed, in public (issue 22, item 2): Vladimir's Q3 page against Q2's release, in words and a small table,
where a figure hidden in either quarter is not compared; the correction of Q3 shows its note and the cells it
changed. Generated from the two frozen payloads: a later change of the live data changes nothing on the page."""

from __future__ import annotations

import re

from otklik.analysis.tests.helpers import add_appeals
from otklik.web import public

from .fixtures import analyse
from .test_opendata_passport import vladimir  # noqa: F401  (the fixture: Q2, Q3 and Q3's correction published)


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start:html.index("</section>", start)]


def _rows(section: str) -> list[list[str]]:
    """The table rows of a section as their cells' text."""
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        rows.append(cells)
    return rows


def test_the_page_says_what_changed_since_the_quarter_before(app, client, vladimir, run_jobs):  # noqa: F811
    html = client.get("/vlad-od/publications/appeals_analysis/2026-Q3/").get_data(as_text=True)
    since = _section(html, "changes")
    assert "II квартал 2026 г." in since
    rows = _rows(since)
    # Q2: 41 appeals (website 20, e-mail 12, post 6, reception 3: reception hidden, post hidden with it), the 41st a
    # complaint (13); Q3 corrected: 42 (website 22, e-mail 12, post 5 and reception 3 hidden), 12 complaints
    assert ["Обращения и жалобы, всего (п. 22.1)", "Число", "41", "42", "+1"] in rows
    assert ["Жалобы, всего", "Число", "13", "12", "-1"] in rows
    # satisfied complaints 7 of 13 = 53.85 % -> 53.8, 7 of 12 = 58.33 % -> 58.3: +4.5
    assert ["Удовлетворённые жалобы, доля от жалоб (п. 22.3)", "Доля, %", "53,8", "58,3", "+4,5"] in rows
    assert ["Электронная приемная официального сайта", "Обращений", "20", "22", "+2"] in rows
    # shares: 20/41 = 48.78 % -> 48.8, 22/42 = 52.38 % -> 52.4: +3.6; e-mail 12/41 = 29.3, 12/42 = 28.6: -0.7
    assert ["Электронная приемная официального сайта", "Доля, %", "48,8", "52,4", "+3,6"] in rows
    assert ["Электронная почта", "Доля, %", "29,3", "28,6", "-0,7"] in rows
    labels = {r[0] for r in rows}
    assert "Почта" not in labels and "Личный прием" not in labels  # hidden in a quarter: not compared
    assert "Значения, скрытые хотя бы в одном из периодов, не сравниваются." in since
    assert "Электронная приемная официального сайта (обращений): 22 — было 20, +2" in since

    correction = _section(html, "correction")
    assert "Учтены два обращения, зарегистрированные с опозданием" in correction
    cells = _rows(correction)
    assert ["Обращения по каналам поступления (п. 22.1)", "Электронная приемная официального сайта", "Обращений",
            "20", "22"] in cells
    assert ["Основные показатели", "Обращения и жалобы, всего (п. 22.1)", "Число", "40", "42"] in cells
    assert ["Обращения по каналам поступления (п. 22.1)", "Электронная почта", "Доля, %", "30", "28,6"] in cells
    assert not any(c[1] == "Почта" for c in cells)  # hidden in both versions: unchanged

    # the first version of Q3 has no correction section, and Q2 (no quarter before it) no comparison
    v1 = client.get("/vlad-od/publications/appeals_analysis/2026-Q3/v1/").get_data(as_text=True)
    assert 'id="correction"' not in v1 and 'id="changes"' in v1
    q2 = client.get("/vlad-od/publications/appeals_analysis/2026-Q2/").get_data(as_text=True)
    assert 'id="changes"' not in q2

    # live data moves on (ten more Q2 appeals, analysed: a new Q2 draft nobody approved): rendered anew, the page
    # still compares the two published payloads
    with app.app_context():
        add_appeals(vladimir, [{"registered_at": f"2026-05-{10 + i:02d} 10:00", "external_id": f"later-{i}",
                                "channel": "website", "kind": "appeal", "outcome": "explained"} for i in range(10)])
    analyse(app, run_jobs, vladimir, "appeals", "2026-Q2")
    public._RENDERED.clear()
    again = client.get("/vlad-od/publications/appeals_analysis/2026-Q3/").get_data(as_text=True)
    assert _rows(_section(again, "changes")) == rows
