"""The Analytical Centre: compares authorities on comparable indicators, aggregates only."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from ..access import analyst_required
from ..centre.compare import INDICATORS, SUPPRESSED, channel_columns, comparison, minimum, request_missing
from ..channels import STANDARD_CHANNELS
from ..csvout import write_csv
from ..periods import BadPeriod, parse_period

bp = Blueprint("centre", __name__, url_prefix="/centre")


def _period_from_request() -> str:
    raw = request.values.get("period") or str(date.today().year - 1)
    try:
        return parse_period(raw).name
    except BadPeriod:
        flash(_("Period %(p)s is not one of YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM.", p=raw), "error")
        return str(date.today().year - 1)


@bp.route("/")
@analyst_required
def home():
    period = _period_from_request()
    rows = comparison(period)
    return render_template(
        "centre/home.html", period=period, rows=rows, indicators=INDICATORS, channels=channel_columns(rows),
        channel_titles=STANDARD_CHANNELS, suppressed=SUPPRESSED, form=FlaskForm(), k=minimum(),
    )


@bp.route("/request", methods=["POST"])
@analyst_required
def request_period():
    period = _period_from_request()
    if FlaskForm().validate_on_submit():
        queued, queue_down = request_missing(period)
        if queue_down:
            from ..jobs import QUEUE_DOWN

            flash(QUEUE_DOWN, "warning")
        if queued:
            flash(_("Analyses of %(p)s are queued for: %(who)s.", p=period, who=", ".join(queued)), "success")
        else:
            flash(_("Nothing to queue: every authority has this analysis, or the period has not ended."), "info")
    return redirect(url_for("centre.home", period=period))


@bp.route("/comparison.csv")
@analyst_required
def comparison_csv():
    period = _period_from_request()
    rows = comparison(period)
    channels = channel_columns(rows)
    header = (["authority", "region", "status"] + [key for key, _title, _kind in INDICATORS]
              + [f"channel_{c}" for c in channels])
    body = write_csv(([row.tenant.name, row.tenant.region, row.status]
                      + [_csv(row.values.get(key)) for key, _title, _kind in INDICATORS]
                      + [_csv(row.channels.get(c)) for c in channels] for row in rows), header)
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="otklik-comparison-{period}.csv"'})


@bp.route("/comparison.json")
@analyst_required
def comparison_json():
    """The same figures for programs: a hidden figure is null and listed under `suppressed`."""
    period = _period_from_request()
    rows = comparison(period)
    return jsonify({
        "period": period,
        "min_cell_size": minimum(),
        "indicators": [key for key, _title, _kind in INDICATORS],
        "authorities": [{
            "slug": row.tenant.slug, "name": row.tenant.name, "region": row.tenant.region, "status": row.status,
            "values": {key: _json(row.values.get(key)) for key, _title, _kind in INDICATORS} if row.values else {},
            "channels": {code: _json(value) for code, value in row.channels.items()},
            # what is hidden, not why: "a small group" would itself say that a cell is 1..k-1
            "suppressed": [{"figure": s.path, "cell": s.cell} for s in row.audit],
        } for row in rows],
    })


def _json(value):
    return None if value == SUPPRESSED else value


def _csv(value):
    """A figure for the CSV writer: numbers stay numbers (a negative one is no formula), a hidden one «скрыто»."""
    if value is None:
        return ""
    if value == SUPPRESSED:
        return "скрыто"
    return value
