"""Open data of a publication: each block as CSV, the publication as JSON, and a Frictionless Data Package
(`datapackage.json`) whose Table Schema describes every block's CSV (docs/PUBLISHING.md, "Open data").

Everything is written from the stored payload alone (it imports nothing but the CSV writer), so the public side
can serve it. The CSV is machine-readable open data: comma-separated UTF-8 without a BOM, the header row is the
columns' keys (their Russian titles are in the schema), a hidden or absent value is an empty cell.
"""

from __future__ import annotations

import json

from ..csvout import write_csv

MISSING = ""  # how a hidden (suppressed) or absent value is written in a CSV


def block_of(payload: dict, block_id: str) -> dict | None:
    return next((b for b in payload.get("blocks") or [] if b.get("id") == block_id), None)


def block_csv(payload: dict, block_id: str) -> str:
    """One block as CSV: a header of column keys, then its rows (None written as an empty cell)."""
    block = block_of(payload, block_id)
    if block is None:
        raise KeyError(block_id)
    keys = [c["key"] for c in block.get("columns") or []]
    return write_csv(([row.get(k) for k in keys] for row in block.get("rows") or []), keys, delimiter=",",
                     bom=False)


def publication_json(payload: dict) -> str:
    """The publication as JSON: the payload as stored (schema 1), pretty-printed."""
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False)


def table_schema(block: dict) -> dict:
    """The Frictionless Table Schema of a block's CSV: one field per column, with its title and type."""
    return {
        "fields": [{"name": c["key"], "title": c.get("title", ""), "type": c.get("type", "string")}
                   for c in block.get("columns") or []],
        "missingValues": [MISSING],
    }


def package_name(payload: dict) -> str:
    return f"{payload.get('artifact', 'publication')}-{(payload.get('period') or {}).get('name', '')}".lower()


def datapackage(payload: dict, base: str | None = None, *, version: int | None = None, created: str | None = None,
                licence: str = "", source: dict | None = None) -> dict:
    """The Data Package descriptor: one tabular resource per block, its path `<block>.csv` (absolute under
    `base`, the version's URL, when given); with the publication's `version` (a correction is a new major
    version: 1.0.0, 2.0.0), `created` (when it was published, ISO 8601), the open `licence` (a key of LICENCES)
    and its `source` ({"title", "path"}: the authority and the page of the publication)."""
    prefix = base.rstrip("/") + "/" if base else ""
    period = payload.get("period") or {}
    extra: dict = {}
    if version is not None:
        extra["version"] = f"{version}.0.0"
    if created:
        extra["created"] = created
    extra["licenses"] = [licence_of(licence)]
    if source:
        extra["sources"] = [source]
    return {
        **extra,
        "name": package_name(payload),
        "title": payload.get("title", ""),
        "description": " ".join(x for x in (payload.get("section", ""), payload.get("clause", "")) if x),
        "profile": "tabular-data-package",
        "temporal": {"start": period.get("start"), "end": period.get("end")},
        "resources": [{
            "name": block["id"],
            "title": block.get("title", ""),
            "description": block.get("summary", ""),
            "path": f"{prefix}{block['id']}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": True},
            "schema": table_schema(block),
        } for block in payload.get("blocks") or []],
    }


# ---------------------------------------------------------------- the Russian passport (MR on open data 3.0)
#
# The Methodological Recommendations on open data, version 3.0 (Минэкономразвития, 2014): a dataset is one table
# published under `/opendata/<INN>-<code>/` with a passport `meta.csv` (`property,value`), its data files
# `data-<YYYYMMDD>-structure-<YYYYMMDD>.csv` and their structures `structure-<YYYYMMDD>.csv`, every version kept;
# the authority's list of datasets is `/opendata/list.csv`. One dataset here is one block of one artifact (a table
# with fixed columns), and its versions are the public versions of that artifact, period after period. Every file is
# written from frozen payloads and the authority's settings, as the Frictionless package is. docs/PUBLISHING.md,
# "Open data by the Russian rules".

STANDARD_VERSION = "http://opendata.gosmonitor.ru/standard/3.0"
# The passport's properties, in the order of the recommendations (a version's data and structure rows go where
# `data-…` and `structure-…` stand).
PASSPORT_PROPERTIES = ("standardversion", "identifier", "title", "description", "creator", "publishername",
                       "publisherphone", "publishermbox", "format", "data-…", "structure-…", "created", "modified",
                       "provenance", "valid", "subject")
LIST_HEADER = ("property", "title", "value", "format")
STRUCTURE_HEADER = ("field name", "english description", "russian description", "format")
# The Table Schema type of a column as the format its structure file names.
STRUCTURE_FORMATS = {"string": "string", "integer": "integer", "number": "float", "date": "date"}
# Open licences an authority may choose (the publication setting `opendata_licence`).
LICENCES = {
    "CC-BY-4.0": {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
                  "path": "https://creativecommons.org/licenses/by/4.0/"},
    "CC-BY-SA-4.0": {"name": "CC-BY-SA-4.0", "title": "Creative Commons Attribution-ShareAlike 4.0 International "
                     "(CC BY-SA 4.0)", "path": "https://creativecommons.org/licenses/by-sa/4.0/"},
    "CC0-1.0": {"name": "CC0-1.0", "title": "Creative Commons Zero v1.0 Universal (CC0 1.0)",
                "path": "https://creativecommons.org/publicdomain/zero/1.0/"},
}
DEFAULT_LICENCE = "CC-BY-4.0"
# The update period (publication setting `opendata_update_period`, a cadence per artifact) in the passport's words.
UPDATE_PERIODS = {"month": "ежемесячно", "quarter": "ежеквартально", "half_year": "раз в полгода",
                  "year": "ежегодно", "irregular": "по мере обновления"}
ARTIFACT_TITLES_RU = {"appeals_analysis": "Анализ обращений граждан", "survey_summary": "Результаты опросов",
                      "you_said_we_did": "Вы сказали — мы сделали"}
ARTIFACT_KEYWORDS = {
    "appeals_analysis": ("обращения граждан", "анализ обращений", "жалобы"),
    "survey_summary": ("опросы", "удовлетворенность", "обратная связь"),
    "you_said_we_did": ("обратная связь", "меры", "карта проблем"),
}


def licence_of(code: str) -> dict:
    return dict(LICENCES.get(code) or LICENCES[DEFAULT_LICENCE])


def dataset_code(artifact: str, block_id: str) -> str:
    """The dataset's code after the INN: latin letters, digits and hyphens (`appeals-analysis-by-topic`)."""
    return f"{artifact}-{block_id}".replace("_", "-").lower()


def dataset_identifier(inn: str, artifact: str, block_id: str) -> str:
    return f"{inn}-{dataset_code(artifact, block_id)}"


def yyyymmdd(day) -> str:
    return day.strftime("%Y%m%d")


def data_file_name(day) -> str:
    """The data file of a version: its date twice, as the structure that describes it carries the same date."""
    return f"data-{yyyymmdd(day)}-structure-{yyyymmdd(day)}.csv"


def structure_file_name(day) -> str:
    return f"structure-{yyyymmdd(day)}.csv"


def version_dates(versions) -> dict:
    """The date in each public version's file names: {version id: date}. `versions` are (id, version number, last
    day of its period, local date it was published), every public version of one artifact (withdrawn ones too, so
    a withdrawal never renames another version's files).

    A period's first release is dated by the period's last day (the data are as of then); a correction by the day
    it was published. Names are unique in a dataset, so when a day is taken (a correction on the day another period
    ended, two corrections in a day), the later version, by publication, takes the next free day. Versions are
    dated in the order they were published, so a version's date never changes once it is public."""
    from datetime import timedelta

    taken: set = set()
    out: dict = {}
    for vid, number, period_last_day, published_on in sorted(versions, key=lambda v: (v[3], v[0])):
        day = period_last_day if number == 1 else published_on
        while day in taken:
            day += timedelta(days=1)
        taken.add(day)
        out[vid] = day
    return out


def structure_csv(block: dict) -> str:
    """The structure file of a block: one row per column of its data file (RFC 4180, UTF-8, comma)."""
    rows = [(c["key"], c["key"].replace("_", " "), c.get("title", ""),
             STRUCTURE_FORMATS.get(c.get("type", "string"), "string")) for c in block.get("columns") or []]
    return write_csv(rows, STRUCTURE_HEADER, delimiter=",", bom=False)


def data_csv(payload: dict, block_id: str) -> str:
    """The data file of a version: the block's CSV (a header of the structure's field names, then its rows)."""
    return block_csv(payload, block_id)


def passport_rows(*, inn: str, tenant_name: str, artifact: str, block: dict, versions: list[dict],
                  responsible: dict, update_period: str, licence: dict, section: str, clause: str,
                  base: str) -> list[tuple[str, str]]:
    """The passport (`meta.csv`) of one dataset as (property, value) rows.

    `versions` are the dataset's public versions, oldest first, each {"date": the date of its file names,
    "published": the local date it was published, "period_title", "version", "note"}; the newest is the one the
    passport describes. `base` is the dataset's URL (ending in "/"), under which its files lie."""
    newest = versions[-1]
    title = passport_title(artifact, block)
    period_words = UPDATE_PERIODS.get(update_period, "")
    description = " ".join(part for part in (
        f"{block.get('title', '')} по отчетным периодам: {ARTIFACT_TITLES_RU.get(artifact, artifact).lower()}.",
        f"Раздел официального сайта «{section}»." if section else "",
        f"Основание: {clause}." if clause else "",
        f"Периодичность обновления: {period_words}." if period_words else "",
        f"Лицензия: {licence['title']}.",
        "Только обобщенные данные; значение, скрытое ради защиты малых групп, — пустая ячейка.",
    ) if part)
    if newest["version"] == 1:
        provenance = f"Добавлены данные за {newest['period_title']}"
    else:
        provenance = f"Исправлены данные за {newest['period_title']}" + (
            f": {newest['note']}" if newest.get("note") else "")
    rows = [
        ("standardversion", STANDARD_VERSION),
        ("identifier", dataset_identifier(inn, artifact, block["id"])),
        ("title", title),
        ("description", description),
        ("creator", tenant_name),
        ("publishername", responsible.get("name", "")),
        ("publisherphone", responsible.get("phone", "")),
        ("publishermbox", responsible.get("email", "")),
        ("format", "csv"),
    ]
    for v in reversed(versions):  # the current version first, then every earlier one
        rows.append((data_file_name(v["date"])[:-4], base + data_file_name(v["date"])))
    for v in reversed(versions):
        rows.append((structure_file_name(v["date"])[:-4], base + structure_file_name(v["date"])))
    keywords = [*ARTIFACT_KEYWORDS.get(artifact, ()), block.get("title", "").lower()]
    rows += [
        ("created", yyyymmdd(versions[0]["published"])),
        ("modified", yyyymmdd(newest["published"])),
        ("provenance", provenance),
        ("valid", yyyymmdd(newest["date"])),
        ("subject", ",".join(k for k in keywords if k)),
    ]
    return rows


def passport_csv(rows: list[tuple[str, str]]) -> str:
    return write_csv(rows, ("property", "value"), delimiter=",", bom=False, escape_formulas=False)


def list_csv(datasets: list[dict]) -> str:
    """The authority's list of datasets (`list.csv`): the standard's version, then one row per dataset with its
    identifier, title, the URL of its passport and its format."""
    rows = [("standardversion", "Версия методических рекомендаций", STANDARD_VERSION, "")]
    rows += [(d["identifier"], d["title"], d["meta_url"], "csv") for d in datasets]
    return write_csv(rows, LIST_HEADER, delimiter=",", bom=False)


def passport_title(artifact: str, block: dict) -> str:
    return f"{ARTIFACT_TITLES_RU.get(artifact, artifact)}: {block.get('title', block['id'])}"
