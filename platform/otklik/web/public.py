"""Citizens' side of an authority: the publications its act allows, rendered from their stored snapshots.

These pages read publication rows (through `otklik.publishing.reading`) and the tenant's own row, nothing else:
no internal model, no capability, no computation (the import contract "public-side" checks it). A page is a
rendering of a frozen payload, so it is cached by its ETag (the payload's SHA-256, the version and what else the
page shows), answers a conditional GET with 304 and keeps the rendered bytes per process. What the act keeps
internal is said with its clause, read from the tenant's publication settings. docs/PUBLISHING.md, "The public
site".
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import defer

from ..extensions import db
from ..models.publication import PUBLIC_STATUSES, Publication
from ..models.tenant import Tenant
from ..periods import BadPeriod, parse_period
from ..publishing import changes, opendata
from ..publishing.reading import payload_digest
from ..tenancy import across_tenants, enter_tenant, finds_own_tenant, register_tenant_blueprint

bp = Blueprint("public", __name__, url_prefix="/<tenant_slug>")
register_tenant_blueprint(bp)
site = Blueprint("public_site", __name__)
"""Public pages with no authority: the switch of the version for the visually impaired (the index is auth's)."""


@bp.record_once
def _register_site(state) -> None:
    """`site` comes with `bp` (web/__init__.py registers the public blueprint alone)."""
    state.app.register_blueprint(site)


LOW_VISION_COOKIE = "low_vision"  # value "1": it says how to draw the pages, and identifies nobody
LOW_VISION_AGE = 365 * 24 * 3600
CACHE_CONTROL = "public, max-age=60"  # short: a withdrawal must reach readers soon; 304s make revalidation cheap
ARTIFACT_TITLES = {
    "appeals_analysis": _l("Analysis of appeals"),
    "survey_summary": _l("Survey results"),
    "you_said_we_did": _l("You said, we did"),
}
# The publication plugin's flag of each artifact (plugins/publication.py); its clause says why when it is off.
ARTIFACT_SETTINGS = {"appeals_analysis": "appeals_analysis", "survey_summary": "survey_summary",
                     "you_said_we_did": "painmap"}
_RENDERED: dict[str, tuple[bytes, bytes]] = {}
"""Rendered pages by ETag, as they are and gzipped, per process: an ETag names the exact snapshot, language and
mode, so an entry never goes stale; the dictionary is emptied when it grows past a bound."""
_RENDERED_MAX = 500


# ---------------------------------------------------------------- what every public page shares


def low_vision() -> bool:
    return request.cookies.get(LOW_VISION_COOKIE) == "1"


@bp.app_context_processor
def _public_globals():
    return {"low_vision": low_vision() if request else False, "artifact_titles": ARTIFACT_TITLES}


DOCUMENT_LOCALE = "ru"  # a publication is a document of the authority, in Russian whatever the reader's language


@bp.app_template_filter("public_number")
def public_number(value) -> str:
    """A figure of a payload as the page shows it: «—» for a hidden or absent value, Russian digit grouping and
    decimal comma, as the payload's summary sentences write it."""
    from babel.numbers import format_decimal

    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return format_decimal(value, format="#,##0.##", locale=DOCUMENT_LOCALE)


@bp.app_template_filter("public_cell")
def public_cell(value, type_: str = "string") -> str:
    """A cell of a payload's table: figures as `public_number`, an ISO date in Russian, «—» for null."""
    from babel.dates import format_date

    if value is None or value == "":
        return "—"
    if type_ in ("integer", "number"):
        return public_number(value)
    if type_ == "date" and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value[:10]), "d MMMM yyyy", locale=DOCUMENT_LOCALE)
        except ValueError:
            return value
    return str(value)


@bp.app_template_filter("public_date")
def public_date(value) -> str:
    """A date or moment of the page's own text, in the reader's language (a moment in the authority's zone)."""
    from flask_babel import format_date, format_datetime

    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(_aware(value), "d MMMM yyyy")
    return format_date(value, "d MMMM yyyy")


@bp.app_template_filter("chart_json")
def chart_json(block: dict) -> str:
    """The figures of a block's chart for static/public.js (a data attribute: the CSP allows no inline script).
    The same rows as the table: labels and values as stored, a hidden value as null."""
    chart = block.get("chart") or {}
    label_key, value_key = chart.get("label"), chart.get("value")
    value_title = next((c.get("title", "") for c in block.get("columns", []) if c.get("key") == value_key), "")
    return json.dumps({"type": chart.get("type", "bar"), "title": value_title,
                       "labels": [str(row.get(label_key, "")) for row in block.get("rows", [])],
                       "values": [row.get(value_key) for row in block.get("rows", [])]}, ensure_ascii=False)


@bp.app_template_global("public_offer")
def public_offer(tenant) -> dict:
    """What an authority publishes and what its act keeps internal, from its publication settings (the platform
    index and the authority's home): {"published": [title], "internal": [(title, clause)], "sections": [the
    website sections the act names], "feedback_section": the one of them that also holds the surveys and the
    opinion form, or ""}."""
    settings = tenant.settings_of("publication")
    clauses = settings.get("clauses", {})
    published, internal = [], []
    for artifact, key in ARTIFACT_SETTINGS.items():
        if settings.get(key):
            published.append(str(ARTIFACT_TITLES[artifact]))
        else:
            internal.append((str(ARTIFACT_TITLES[artifact]), clauses.get(key, "")))
    feedback = settings.get("feedback_section", "")
    sections = [name for name in (settings.get("section", ""), settings.get("survey_section", ""), feedback) if name]
    return {"published": published, "internal": internal, "sections": list(dict.fromkeys(sections)),
            "feedback_section": feedback}


def _etag(*parts) -> str:
    """A strong validator of a rendering: the hash of everything the rendering shows (`repr` of plain values:
    strings, numbers, tuples, dates), the language and the reading mode."""
    text = repr((parts, str(get_locale()), low_vision()))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _tenant_key() -> tuple:
    """What of the authority's row a page shows (its header and footer): part of every page's ETag."""
    t = g.tenant
    return t.id, t.slug, t.name, t.short_name, t.region


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _static_response(etag: str, last_modified: datetime | None, render, mimetype: str = "text/html",
                     status: int = 200, download: str | None = None) -> Response:
    """A snapshot's rendering with its validators: 304 when the client has it, else the cached rendered bytes,
    gzipped once (kept beside them) for a client that accepts gzip, as every browser does. Each encoding is its
    own representation, so it has its own ETag (the gzipped one ends in "-gz")."""
    last_modified = _aware(last_modified)
    gzipped = "gzip" in request.accept_encodings
    tag = f"{etag}-gz" if gzipped else etag
    if status == 200 and (etag in request.if_none_match or f"{etag}-gz" in request.if_none_match):
        response = Response(status=304)
    else:
        cached = _RENDERED.get(etag)
        if cached is None:
            rendered = render()
            body = rendered.encode() if isinstance(rendered, str) else rendered
            cached = (body, gzip.compress(body, compresslevel=6, mtime=0))
            if len(_RENDERED) >= _RENDERED_MAX:
                _RENDERED.clear()
            _RENDERED[etag] = cached
        response = Response(cached[1] if gzipped else cached[0], status=status, mimetype=mimetype)
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        if download:
            response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    response.set_etag(tag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    # the language and the version for the visually impaired live in cookies; the encoding follows the request
    response.vary.update(("Cookie", "Accept-Encoding"))
    return response


# ---------------------------------------------------------------- reading publications (rows, never payload twice)


def _public_rows(tenant_id: int, artifact: str | None = None, period: str | None = None) -> list[Publication]:
    """The public versions (published, superseded, withdrawn) of a tenant, optionally of one publication, without
    their payloads (loaded only when a page is rendered), newest first."""
    query = select(Publication).options(defer(Publication.payload), defer(Publication.suppressed)).where(
        Publication.tenant_id == tenant_id, Publication.status.in_(PUBLIC_STATUSES))
    if artifact is not None:
        query = query.where(Publication.artifact == artifact)
    if period is not None:
        query = query.where(Publication.period == period)
    return list(db.session.execute(
        query.order_by(Publication.period.desc(), Publication.artifact, Publication.version.desc())).scalars())


_PAGE_QUERY = None
_PAGE_COLUMNS = tuple((f"pub__{name}", name) for name in (
    "id", "artifact", "period", "version", "status", "title", "section", "clause", "payload_sha256", "note",
    "published_at", "withdrawn_at", "status_reason"))
"""The publication columns of the page's query (no payload): (label in the query, attribute of _Version)."""


def _page_query():
    """One query for the busiest page: the active tenant of the slug and the public versions of one publication
    (no payload). Filtered on the slug explicitly, before any tenant is known (as the public survey form does)."""
    global _PAGE_QUERY
    if _PAGE_QUERY is None:
        from sqlalchemy import bindparam

        tt, pt = Tenant.__table__, Publication.__table__
        columns = [pt.c[name] for _label, name in _PAGE_COLUMNS]
        _PAGE_QUERY = across_tenants(
            select(*[c.label(f"tenant__{c.name}") for c in tt.c], *[c.label(f"pub__{c.name}") for c in columns])
            .select_from(tt.outerjoin(pt, (pt.c.tenant_id == tt.c.id) & (pt.c.artifact == bindparam("artifact"))
                                      & (pt.c.period == bindparam("period"))
                                      & pt.c.status.in_(PUBLIC_STATUSES)))
            .where(tt.c.slug == bindparam("slug"), tt.c.active.is_(True))
            .order_by(pt.c.version.desc()))
    return _PAGE_QUERY


class _Version:
    """A public version's row without its payload (what the page's history and validators need)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


def _read_in_autocommit() -> None:
    """On PostgreSQL a publication page's reads run in autocommit: they are single SELECTs of frozen rows, so
    BEGIN and ROLLBACK would add two round trips and nothing else (the public survey form does the same)."""
    if not db.session().in_transaction() and db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _enter_with_versions(slug: str, artifact: str, period: str) -> list[_Version]:
    _read_in_autocommit()
    rows = db.session.execute(_page_query(), {"slug": slug, "artifact": artifact, "period": period}).mappings().all()
    if not rows:
        abort(404)
    first = rows[0]
    enter_tenant(Tenant(**{c.name: first[f"tenant__{c.name}"] for c in Tenant.__table__.c}))
    return [_Version({name: row[label] for label, name in _PAGE_COLUMNS}) for row in rows
            if row["pub__id"] is not None]


def _payload(pub_id: int) -> dict:
    """The stored payload of a version, checked against its SHA-256: a payload that is not the approved one is
    never shown (a 404 rather than unapproved figures)."""
    pub = db.session.execute(select(Publication.payload, Publication.payload_sha256)
                             .where(Publication.id == pub_id)).one()
    if not pub.payload_sha256 or payload_digest(pub.payload) != pub.payload_sha256:
        abort(404)
    return pub.payload


def _withdrawn(version: _Version, versions: list[_Version]) -> Response:
    html = render_template("public/withdrawn.html", tenant=g.tenant, pub=version, versions=versions)
    response = make_response(html, 410)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _history_key(versions: list[_Version]) -> list:
    return [(v.version, v.status, v.payload_sha256, v.note) for v in versions]


# ---------------------------------------------------------------- pages


@bp.route("/")
def home():
    rows = _public_rows(g.tenant.id)
    current = [p for p in rows if p.status == "published"]
    offer = public_offer(g.tenant)
    sections: dict[str, list] = {name: [] for name in offer["sections"]}  # the act's sections, even while empty
    for pub in current:
        sections.setdefault(pub.section or "", []).append(pub)
    etag = _etag("home", _tenant_key(), offer, [(p.id, p.status, p.payload_sha256) for p in rows])
    last = max((_aware(p.published_at) for p in current if p.published_at), default=None)
    return _static_response(etag, last, lambda: render_template(
        "public/home.html", tenant=g.tenant, sections=sections, offer=offer))


@bp.route("/publications/")
def archive():
    rows = _public_rows(g.tenant.id)
    shown: dict[tuple[str, str], Publication] = {}  # what the publication's address shows (as _render_version)
    for pub in rows:
        key, before = (pub.period, pub.artifact), shown.get((pub.period, pub.artifact))
        if pub.status == "published" or (pub.status == "withdrawn" and before is None):
            shown[key] = pub if before is None or before.status != "published" else before
    by_period: dict[str, list] = {}
    for (period, _artifact), pub in sorted(shown.items(), key=lambda item: (_period_end(item[0][0]), item[0]),
                                           reverse=True):
        by_period.setdefault(period, []).append(pub)
    etag = _etag("archive", _tenant_key(), [(p.id, p.status, p.payload_sha256) for p in rows])
    last = max((_aware(p.published_at) for p in rows if p.published_at), default=None)
    return _static_response(etag, last, lambda: render_template(
        "public/archive.html", tenant=g.tenant, by_period=by_period))


def _period_end(name: str) -> date:
    """Periods of different lengths (a month, a quarter) in the order they end; an unreadable name last."""
    try:
        return parse_period(name).end
    except BadPeriod:
        return date.min


def _render_version(slug: str, artifact: str, period: str, number: int | None) -> Response:
    versions = _enter_with_versions(slug, artifact, period)
    if number is None:
        shown = next((v for v in versions if v.status == "published"), None) or next(
            (v for v in versions if v.status == "withdrawn"), None)
    else:
        shown = next((v for v in versions if v.version == number), None)
    if shown is None:
        abort(404)  # no such publication, or only a draft, approved or scheduled version: not public
    if shown.status == "withdrawn":
        return _withdrawn(shown, versions)
    current = next((v for v in versions if v.status == "published"), None)
    previous = _previous_release(artifact, period)
    replaced = next((v for v in versions if v.version < shown.version and v.status != "withdrawn"), None)
    etag = _etag("publication", _tenant_key(), g.tenant.inn, artifact, period, shown.version, shown.payload_sha256,
                 number is None, _history_key(versions), previous and (previous.id, previous.payload_sha256))

    def render():
        payload = _payload(shown.id)
        since = changes.from_previous_period(payload, _payload(previous.id)) if previous else []
        corrected = changes.correction_cells(payload, _payload(replaced.id)) if replaced else []
        return render_template(
            "public/publication.html", tenant=g.tenant, pub=shown, payload=payload, versions=versions,
            current=current, canonical=number is None, passports=_version_passports(shown, payload),
            previous=previous, since=since, replaced=replaced, corrected=corrected)

    return _static_response(etag, shown.published_at, render)


def _previous_release(artifact: str, period: str) -> Publication | None:
    """The published version of the period before (Q2 for Q3, the month before a month), or None."""
    try:
        before = parse_period(period).previous().name
    except BadPeriod:
        return None
    return next((p for p in _public_rows(g.tenant.id, artifact, before) if p.status == "published"), None)


def _version_passports(shown: _Version, payload: dict) -> list[dict]:
    """Per block of a version: its dataset's passport and this version's data and structure files (the date in
    their names never changes once the version is public, so the cached page stays right)."""
    if not g.tenant.inn:
        return []
    day = _file_dates(_public_rows(g.tenant.id, shown.artifact)).get(shown.id)
    if day is None:
        return []
    out = []
    for block in payload.get("blocks") or []:
        identifier = opendata.dataset_identifier(g.tenant.inn, shown.artifact, block["id"])
        out.append({"title": block.get("title", block["id"]), "identifier": identifier,
                    "data": opendata.data_file_name(day), "structure": opendata.structure_file_name(day)})
    return out


@bp.route("/publications/<artifact>/<period>/")
@finds_own_tenant
def publication(tenant_slug: str, artifact: str, period: str):
    return _render_version(tenant_slug, artifact, period, None)


@bp.route("/publications/<artifact>/<period>/v<int:version>/")
@finds_own_tenant
def version(tenant_slug: str, artifact: str, period: str, version: int):
    return _render_version(tenant_slug, artifact, period, version)


def _open_version(slug: str, artifact: str, period: str, number: int) -> tuple[_Version, list[_Version]]:
    """A version whose open data may be served: 404 when it is not public, 410 (raised) when withdrawn."""
    versions = _enter_with_versions(slug, artifact, period)
    shown = next((v for v in versions if v.version == number), None)
    if shown is None:
        abort(404)
    if shown.status == "withdrawn":
        abort(_withdrawn(shown, versions))
    return shown, versions


@bp.route("/publications/<artifact>/<period>/v<int:version>/publication.json")
@finds_own_tenant
def publication_json(tenant_slug: str, artifact: str, period: str, version: int):
    shown, _versions = _open_version(tenant_slug, artifact, period, version)
    etag = _etag("json", g.tenant.id, artifact, period, version, shown.payload_sha256)
    return _static_response(etag, shown.published_at, lambda: opendata.publication_json(
        _payload(shown.id)), mimetype="application/json")


@bp.route("/publications/<artifact>/<period>/v<int:version>/datapackage.json")
@finds_own_tenant
def datapackage(tenant_slug: str, artifact: str, period: str, version: int):
    shown, _versions = _open_version(tenant_slug, artifact, period, version)
    licence = g.tenant.settings_of("publication").get("opendata_licence", opendata.DEFAULT_LICENCE)
    etag = _etag("datapackage", _tenant_key(), artifact, period, version, shown.payload_sha256, licence,
                 shown.clause)

    def render():
        page = url_for("public.version", tenant_slug=g.tenant.slug, artifact=artifact, period=period,
                       version=version, _external=True)
        source = {"title": " ".join(x for x in (g.tenant.name + ".", shown.clause) if x), "path": page}
        created = _aware(shown.published_at).isoformat() if shown.published_at else None
        return json.dumps(opendata.datapackage(_payload(shown.id), version=version, created=created,
                                               licence=licence, source=source), ensure_ascii=False, indent=2)

    return _static_response(etag, shown.published_at, render, mimetype="application/json")


@bp.route("/publications/<artifact>/<period>/v<int:version>/<block>.csv")
@finds_own_tenant
def block_csv(tenant_slug: str, artifact: str, period: str, version: int, block: str):
    shown, _versions = _open_version(tenant_slug, artifact, period, version)
    etag = _etag("csv", g.tenant.id, artifact, period, version, shown.payload_sha256, block)

    def render():
        payload = _payload(shown.id)
        if not any(b.get("id") == block for b in payload.get("blocks", [])):
            abort(404)
        return opendata.block_csv(payload, block)

    return _static_response(etag, shown.published_at, render, mimetype="text/csv",
                            download=f"{tenant_slug}-{artifact}-{period}-v{version}-{block}.csv")


@bp.route("/feed.atom")
def feed():
    """New publications (every published version, corrections included) as an Atom feed (RFC 4287)."""
    rows = [p for p in _public_rows(g.tenant.id) if p.status in ("published", "superseded") and p.published_at]
    rows.sort(key=lambda p: (_aware(p.published_at), p.id), reverse=True)
    etag = _etag("feed", _tenant_key(), [(p.id, p.status, p.payload_sha256) for p in rows])
    last = _aware(rows[0].published_at) if rows else None

    def render():
        home_url = url_for("public.home", _external=True)
        return render_template("public/feed.xml", tenant=g.tenant, entries=rows, home_url=home_url,
                               self_url=url_for("public.feed", _external=True),
                               updated=(last or datetime(2000, 1, 1, tzinfo=UTC)).isoformat(),
                               as_iso=lambda d: _aware(d).isoformat())

    return _static_response(etag, last, render, mimetype="application/atom+xml")


# ---------------------------------------------------------------- the version for the visually impaired


@site.route("/low-vision")
def switch_low_vision():
    """Turn the version for the visually impaired on (`?on=1`) or off and go back, without JavaScript. The cookie
    holds "1" and nothing else: it tells how to draw the pages, not who reads them."""
    back = request.args.get("next", "")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = url_for("auth.index")
    response = redirect(back, 303)
    if request.args.get("on") == "1":
        response.set_cookie(LOW_VISION_COOKIE, "1", max_age=LOW_VISION_AGE, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    else:
        response.delete_cookie(LOW_VISION_COOKIE, samesite="Lax", httponly=True, secure=request.is_secure)
    response.headers["Cache-Control"] = "no-store"
    return response



# ---------------------------------------------------------------- open data by the Russian rules (issue 22)
#
# The passports, data and structure files of the Methodological Recommendations on open data 3.0, under
# `/<slug>/opendata/`: one dataset per block of an artifact, its versions the artifact's public versions
# (published and superseded; withdrawn ones are not offered), every file written from frozen payloads
# (`publishing.opendata`). Without the authority's INN there is no identifier, so no passport: the page says so.

_DATA_NAME = re.compile(r"^(data-(\d{8})-structure-(\d{8})|structure-(\d{8}))\.csv$")


def _local_day(moment: datetime | None) -> date | None:
    return _aware(moment).astimezone(g.tenant.tz).date() if moment is not None else None


def _period_last_day(name: str) -> date:
    try:
        return parse_period(name).last_day
    except BadPeriod:
        return date.min


def _file_dates(rows) -> dict[int, date]:
    """The date in every public version's file names, per artifact (`opendata.version_dates`)."""
    out: dict[int, date] = {}
    by_artifact: dict[str, list] = {}
    for pub in rows:
        if pub.published_at is not None:
            by_artifact.setdefault(pub.artifact, []).append(
                (pub.id, pub.version, _period_last_day(pub.period), _local_day(pub.published_at)))
    for versions in by_artifact.values():
        out.update(opendata.version_dates(versions))
    return out


def _open_data_settings() -> dict:
    s = g.tenant.settings_of("publication")
    return {"responsible": s.get("opendata_responsible") or {}, "update": s.get("opendata_update_period") or {},
            "licence": opendata.licence_of(s.get("opendata_licence", opendata.DEFAULT_LICENCE))}


def _datasets() -> tuple[dict[str, dict], tuple]:
    """The authority's datasets by identifier ({artifact, block, versions: oldest first, newest: row}) and the
    key of everything they show (for the ETag). Payloads are read only for the versions offered."""
    rows = _public_rows(g.tenant.id)
    key = (_tenant_key(), g.tenant.inn, repr(_open_data_settings()),
           [(p.id, p.status, p.payload_sha256) for p in rows])
    if not g.tenant.inn:
        return {}, key
    dates = _file_dates(rows)
    offered = sorted((p for p in rows if p.status in ("published", "superseded") and p.id in dates),
                     key=lambda p: (_aware(p.published_at), p.id))
    payloads = {r.id: r for r in db.session.execute(
        select(Publication.id, Publication.payload, Publication.payload_sha256)
        .where(Publication.id.in_([p.id for p in offered])))} if offered else {}
    datasets: dict[str, dict] = {}
    for pub in offered:
        stored = payloads[pub.id]
        if not stored.payload_sha256 or payload_digest(stored.payload) != stored.payload_sha256:
            continue  # not the approved bytes: never offered
        for block in stored.payload.get("blocks") or []:
            identifier = opendata.dataset_identifier(g.tenant.inn, pub.artifact, block["id"])
            dataset = datasets.setdefault(identifier, {"identifier": identifier, "artifact": pub.artifact,
                                                       "versions": []})
            dataset.update(block=block, newest=pub)
            dataset["versions"].append({
                "date": dates[pub.id], "published": _local_day(pub.published_at), "version": pub.version,
                "period_title": (stored.payload.get("period") or {}).get("title", pub.period), "note": pub.note,
                "payload": stored.payload, "block": block, "pub": pub})
    return datasets, key


def _dataset_base(identifier: str) -> str:
    return url_for("public.open_data_meta", tenant_slug=g.tenant.slug, identifier=identifier,
                   _external=True).rsplit("/", 1)[0] + "/"


def _passport(dataset: dict) -> list[tuple[str, str]]:
    settings, newest = _open_data_settings(), dataset["newest"]
    return opendata.passport_rows(
        inn=g.tenant.inn, tenant_name=g.tenant.name, artifact=dataset["artifact"], block=dataset["block"],
        versions=dataset["versions"], responsible=settings["responsible"].get(dataset["artifact"], {}),
        update_period=settings["update"].get(dataset["artifact"], ""), licence=settings["licence"],
        section=newest.section, clause=newest.clause, base=_dataset_base(dataset["identifier"]))


def _open_data_last_modified(datasets: dict) -> datetime | None:
    return max((_aware(d["newest"].published_at) for d in datasets.values()), default=None)


@bp.route("/opendata/")
def open_data():
    """«Открытые данные»: every dataset with its passport, current data and structure, update period and
    licence."""
    datasets, key = _datasets()
    settings = _open_data_settings()

    def render():
        items = [{"identifier": d["identifier"], "title": opendata.passport_title(d["artifact"], d["block"]),
                  "current": d["versions"][-1], "versions": len(d["versions"]),
                  "period_words": opendata.UPDATE_PERIODS.get(settings["update"].get(d["artifact"], ""), "")}
                 for d in datasets.values()]
        return render_template("public/open_data.html", tenant=g.tenant, datasets=items,
                               licence=settings["licence"], data_name=opendata.data_file_name,
                               structure_name=opendata.structure_file_name)

    return _static_response(_etag("opendata", key), _open_data_last_modified(datasets), render)


@bp.route("/opendata/list.csv")
def open_data_list():
    datasets, key = _datasets()

    def render():
        return opendata.list_csv([{
            "identifier": d["identifier"], "title": opendata.passport_title(d["artifact"], d["block"]),
            "meta_url": url_for("public.open_data_meta", tenant_slug=g.tenant.slug, identifier=d["identifier"],
                                _external=True)} for d in datasets.values()])

    return _static_response(_etag("opendata-list", key), _open_data_last_modified(datasets), render,
                            mimetype="text/csv", download="list.csv")


def _dataset_or_404(identifier: str) -> tuple[dict, tuple]:
    datasets, key = _datasets()
    if identifier not in datasets:
        abort(404)
    return datasets[identifier], key


@bp.route("/opendata/<identifier>/meta.csv")
def open_data_meta(identifier: str):
    dataset, key = _dataset_or_404(identifier)
    return _static_response(_etag("opendata-meta", identifier, key), _aware(dataset["newest"].published_at),
                            lambda: opendata.passport_csv(_passport(dataset)), mimetype="text/csv",
                            download="meta.csv")


@bp.route("/opendata/<identifier>/<name>")
def open_data_file(identifier: str, name: str):
    """A version's data file or its structure, by the date in its name."""
    match = _DATA_NAME.match(name)
    if match is None:
        abort(404)
    dataset, key = _dataset_or_404(identifier)
    day = match.group(2) or match.group(4)
    if match.group(2) and match.group(2) != match.group(3):
        abort(404)  # a data file is described by the structure of its own date
    version = next((v for v in dataset["versions"] if opendata.yyyymmdd(v["date"]) == day), None)
    if version is None:
        abort(404)
    if match.group(4):
        render = lambda: opendata.structure_csv(version["block"])  # noqa: E731
    else:
        render = lambda: opendata.data_csv(version["payload"], version["block"]["id"])  # noqa: E731
    return _static_response(_etag("opendata-file", identifier, name, version["pub"].payload_sha256, key[0]),
                            _aware(version["pub"].published_at), render, mimetype="text/csv", download=name)
