"""The Analytical Centre: compares authorities on comparable indicators, aggregates only (docs/CENTRE.md).

The page, its CSV and JSON, and `flask centre compare` read one source, `centre.compare`, whose figures have passed
the disclosure control: shares with their Wilson intervals, funnel plots with verdicts instead of ranks, peer
groups, rates per 10,000 population and trends over the last 8 periods.
"""

from __future__ import annotations

import json
import sys
from datetime import date

import click
from babel.numbers import get_decimal_symbol
from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..access import analyst_required
from ..centre.compare import (
    FUNNELS,
    RATES,
    SUPPRESSED,
    SURVEY_KEYS,
    channel_columns,
    compare_json,
    comparison,
    indicator_titles,
    latest_period_with_data,
    minimum,
    page_data,
    request_missing,
    state_label,
    verdict_label,
)
from ..channels import STANDARD_CHANNELS
from ..csvout import write_csv
from ..extensions import db
from ..models import Tenant
from ..periods import BadPeriod, parse_period

bp = Blueprint("centre", __name__, url_prefix="/centre", cli_group="centre")


def _default_period() -> str:
    return latest_period_with_data() or str(date.today().year - 1)


def _period_from_request() -> str:
    raw = request.values.get("period")
    if not raw:
        return _default_period()
    try:
        return parse_period(raw).name
    except BadPeriod:
        flash(_("Period %(p)s is not one of YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM.", p=raw), "error")
        return _default_period()


def _peer_group() -> tuple[str | None, str | None]:
    return request.values.get("kind") or None, request.values.get("region") or None


def _peer_choices() -> tuple[list[str], list[str]]:
    """The authority kinds and regions of the active authorities (the peer-group filter's options)."""
    rows = db.session.execute(select(Tenant.authority_kind, Tenant.region).where(Tenant.active.is_(True))).all()
    return sorted({k for k, _r in rows if k}), sorted({r for _k, r in rows if r})


def _chart_specs(data: dict, titles: dict, trend: str) -> list[dict]:
    """What static/centre.js draws: each funnel (points and limit lines) and the trend of one indicator."""
    specs = []
    for key in FUNNELS:
        f = data["funnels"][key]
        if not f["points"]:
            continue
        specs.append({"id": f"funnel-{key}", "kind": "funnel", "title": titles[key],
                      "pooled": f["pooled_share"],
                      "points": [{"x": p["n"], "y": p["share"], "label": p["name"], "verdict": p["verdict"]}
                                 for p in f["points"]],
                      "limits": [{"n": c["n"], "lo95": c["95"][0], "hi95": c["95"][1],
                                  "lo998": c["99.8"][0], "hi998": c["99.8"][1]} for c in f["limits"]]})
    rows = data["rows"]
    values = {r.tenant.id: [None if v == SUPPRESSED else v for v in data["trends"][trend][r.tenant.id]] for r in rows}
    series = [{"label": r.tenant.name, "values": values[r.tenant.id]} for r in rows
              if any(v is not None for v in values[r.tenant.id])]
    specs.append({"id": "trend-chart", "kind": "trend", "title": titles[trend], "labels": data["period_labels"],
                  "pooled": data["pooled_trend"][trend], "series": series[:12],
                  "pooled_label": _("All authorities compared (pooled)")})
    return specs


@bp.route("/")
@analyst_required
def home():
    period = _period_from_request()
    kind, region = _peer_group()
    data = page_data(period, kind, region)
    from ..vocabulary import period_label

    data["period_labels"] = [period_label(p) for p in data["periods"]]
    titles = {key: title for key, title, _kind in indicator_titles()}
    trend = request.values.get("trend") if request.values.get("trend") in FUNNELS else FUNNELS[0]
    kinds, regions = _peer_choices()
    rows = data["rows"]
    return render_template(
        "centre/home.html", period=period, rows=rows, data=data, titles=titles,
        appeals_indicators=[t for t in indicator_titles() if not t[0].startswith("survey_")],
        survey_indicators=[t for t in indicator_titles() if t[0].startswith("survey_")],
        channels=channel_columns(rows), channel_titles=STANDARD_CHANNELS, suppressed=SUPPRESSED,
        form=FlaskForm(), k=minimum(), funnels=[key for key in FUNNELS if data["funnels"][key]["points"]],
        all_funnels=FUNNELS, trend=trend, kinds=kinds, regions=regions, kind=kind, region=region,
        rates=RATES, survey_keys=SURVEY_KEYS, kind_label=_kind_label,
        has_population=any(r.tenant.population for r in rows),
        charts=_chart_specs(data, titles, trend), state_label=state_label, verdict_label=verdict_label,
    )


@bp.route("/request", methods=["POST"])
@analyst_required
def request_period():
    period = _period_from_request()
    if FlaskForm().validate_on_submit():
        queued, queue_down, refused = request_missing(period)
        if refused:
            flash(_("Not queued for %(who)s: a period is requested only at an authority's own cadence and where it "
                    "overlaps none of the periods already shown, so that no hidden figure can be worked out from "
                    "overlapping periods.", who="; ".join(f"{slug} ({why})" for slug, why in refused)), "info")
        if queue_down:
            from ..jobs import QUEUE_DOWN

            flash(QUEUE_DOWN, "warning")
        if queued:
            flash(_("Analyses of %(p)s are queued for: %(who)s.", p=period, who=", ".join(queued)), "success")
        else:
            flash(_("Nothing to queue: every authority has this analysis, or the period has not ended."), "info")
    return redirect(url_for("centre.home", period=period))


def _machine_csv(rows, period: str) -> str:
    """Keys, dot decimals, shares as fractions, states as codes: for programs (`?format=machine`)."""
    channels = channel_columns(rows)
    keys = [key for key, _title, _kind in indicator_titles()]
    header = (["authority", "region", "status"] + keys[:9] + [f"channel_{c}" for c in channels]
              + ["survey_status"] + keys[9:]
              + [f"{key}_{part}" for key in FUNNELS for part in ("n", "ci_low", "ci_high", "verdict")]
              + ["authority_kind", "population", "population_source"])
    body = []
    for row in rows:
        line = [row.tenant.name, row.tenant.region, row.status]
        line += [_csv(_value(row, key)) for key in keys[:9]]
        line += [_csv(row.channels.get(c)) for c in channels]
        line += [row.survey_status] + [_csv(_value(row, key)) for key in keys[9:]]
        for key in FUNNELS:
            m = row.measures.get(key)
            shown = m is not None and m.n
            line += [m.n if shown else "", round(m.ci[0], 4) if shown else "", round(m.ci[1], 4) if shown else "",
                     (m.verdict or "") if shown else ""]
        line += [row.tenant.authority_kind, row.tenant.population or "", row.tenant.population_source]
        body.append(line)
    return write_csv(body, header)


def _value(row, key: str):
    m = row.measures.get(key)
    if m is not None:
        return m.value if m.value == SUPPRESSED or m.value is None else round(m.value, 4)
    return row.values.get(key)


def _human(value, kind: str, decimal: str = ",") -> str | int | float:
    """A figure as the reader's locale writes it (`decimal`: its decimal sign, a comma in Russian), a share in
    percent with one decimal: the CSV writes a few hundred thousand of them, too many for a babel call each."""
    if value is None:
        return ""
    if value == SUPPRESSED:
        return _("hidden")
    if kind == "share":
        return f"{value * 100:.1f}".replace(".", decimal)
    if kind == "days":
        return f"{value:.1f}".replace(".", decimal)
    return value


def _kind_label(code: str) -> str:
    from ..vocabulary import AUTHORITY_KINDS

    return str(AUTHORITY_KINDS.get(code, code)) if code else ""


def _human_csv(rows, period: str) -> str:
    """The CSV for people: titles in the reader's language, a decimal comma in Russian, shares in percent with
    their 95 % interval and the verdict in words, states in words."""
    channels = channel_columns(rows)
    decimal = get_decimal_symbol(get_locale())
    hidden = _("hidden")
    header = [_("Authority"), _("Region"), _("Kind of authority"), _("Appeals analysis")]
    columns = []
    for key, title, kind in indicator_titles():
        if key == SURVEY_KEYS[0]:
            header.append(_("Survey analysis"))
            columns.append(("state", None, None))
        header.append(f"{title}, %" if kind == "share" else title)
        columns.append(("value", key, kind))
        if key in FUNNELS:
            header += [_("%(title)s: 95%% interval, from, %%", title=title),
                       _("%(title)s: 95%% interval, to, %%", title=title),
                       _("%(title)s: volume", title=title), _("%(title)s: verdict", title=title)]
            columns.append(("funnel", key, kind))
    header += [f"{_('Channel share')}: {STANDARD_CHANNELS[c]}, %" for c in channels]
    header += [_("Population"), _("Source of the population")]
    # the words of states, verdicts and kinds, translated once each, not once a cell
    states, kinds = _Words(state_label), _Words(_kind_label)
    verdicts = _Words(lambda v: verdict_label(v) or _("no verdict (volume under the minimum)"))
    body = []
    for row in rows:
        tenant = row.tenant
        line = [tenant.name, tenant.region, kinds(tenant.authority_kind), states(row.status)]
        for what, key, kind in columns:
            if what == "state":
                line.append(states(row.survey_status))
            elif what == "value":
                value = _value(row, key)
                line.append(hidden if value == SUPPRESSED else _human(value, kind, decimal))
            else:
                m = row.measures.get(key)
                if m is not None and m.n:
                    low, high = m.ci
                    line += [_human(low, "share", decimal), _human(high, "share", decimal), m.n, verdicts(m.verdict)]
                else:
                    line += ["", "", "", ""]
        line += [hidden if row.channels.get(c) == SUPPRESSED else _human(row.channels.get(c), "share", decimal)
                 for c in channels]
        line += [tenant.population or "", tenant.population_source]
        body.append(line)
    return write_csv(body, header)


class _Words(dict):
    """A code's words, worked out once per CSV (a gettext call per cell cost a second on 5,000 authorities)."""

    def __init__(self, words):
        super().__init__()
        self.words = words

    def __call__(self, code):
        if code not in self:
            self[code] = self.words(code)
        return self[code]


@bp.route("/comparison.csv")
@analyst_required
def comparison_csv():
    period = _period_from_request()
    kind, region = _peer_group()
    rows = comparison(period, kind, region)
    machine = request.args.get("format") == "machine"
    body = _machine_csv(rows, period) if machine else _human_csv(rows, period)
    suffix = "" if machine else f"-{get_locale().language}"
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="otklik-comparison-{period}{suffix}.csv"'})


@bp.route("/comparison.json")
@analyst_required
def comparison_json():
    """The same figures for programs: a hidden figure is null and listed under `suppressed`."""
    period = _period_from_request()
    kind, region = _peer_group()
    rows = comparison(period, kind, region)
    return jsonify({
        "period": period,
        "min_cell_size": minimum(),
        "indicators": [key for key, _title, _kind in indicator_titles()],
        "authorities": [{
            "slug": row.tenant.slug, "name": row.tenant.name, "region": row.tenant.region, "status": row.status,
            # a period shown as the sums of the authority's released periods (results.linked), which it names
            "derived_from": list(row.derived_from),
            "values": {key: _json(_value(row, key)) for key, _title, _kind in indicator_titles()[:9]}
            if row.values else {},
            "survey_status": row.survey_status,
            "survey": {key: _json(_value(row, key)) for key, _title, _kind in indicator_titles()[9:]
                       if key in row.measures},
            "channels": {code: _json(value) for code, value in row.channels.items()},
            # what is hidden, not why: "a small group" would itself say that a cell is 1..k-1
            "suppressed": [{"figure": s.path, "cell": s.cell} for s in row.audit],
        } for row in rows],
    })


@bp.route("/funnel.json")
@analyst_required
def funnel_json():
    """One funnel plot (`centre.compare.funnel`): pooled share, limits and one point per authority shown."""
    from ..centre.compare import funnel

    indicator = request.args.get("indicator", FUNNELS[0])
    if indicator not in FUNNELS:
        return jsonify({"error": _("Unknown indicator %(key)s; one of %(keys)s.", key=indicator,
                                   keys=", ".join(FUNNELS))}), 400
    kind, region = _peer_group()
    return jsonify(funnel(_period_from_request(), indicator, kind, region))


def _json(value):
    return None if value == SUPPRESSED else value


def _csv(value):
    """A figure for the CSV writer: numbers stay numbers (a negative one is no formula), a hidden one «скрыто»."""
    if value is None:
        return ""
    if value == SUPPRESSED:
        return "скрыто"
    return value


@bp.cli.command("compare")
@click.option("--period", required=True, help="2025-03, 2025-Q1, 2025-H1 or 2025")
@click.option("--kind", "authority_kind", default=None, help="Peer group: kind of authority")
@click.option("--region", default=None, help="Peer group: region")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (per authority and indicator: value, n, ci_low, "
              "ci_high, verdict, or suppressed)")
def compare_command(period, authority_kind, region, as_json):
    """Compare the authorities on the standard indicators of a period (aggregates after disclosure control)."""
    try:
        period = parse_period(period).name
    except BadPeriod:
        click.echo(f"error: period {period!r} is not one of YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM", err=True)
        sys.exit(2)
    data = compare_json(period, authority_kind, region)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    for authority in data["authorities"]:
        click.echo(f"{authority['slug']}: appeals {authority['appeals']}, surveys {authority['surveys']}")
        for key, entry in authority["indicators"].items():
            if entry.get("suppressed"):
                click.echo(f"  {key}: suppressed")
            else:
                ci = f" [{entry['ci_low']}, {entry['ci_high']}]" if entry["ci_low"] is not None else ""
                click.echo(f"  {key}: {entry['value']} (n={entry['n']}){ci} {entry['verdict'] or ''}".rstrip())
