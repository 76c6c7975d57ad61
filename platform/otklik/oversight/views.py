"""The compliance calendar's pages: the regional administrator's (/admin/compliance) and the Analytical Centre's
(/centre/compliance), each with its CSV. The same rows: states and counts, no authority's records."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..access import admin_required, analyst_required
from ..csvout import write_csv
from ..extensions import db
from ..models import Tenant
from ..publishing.deadlines import ARTIFACT_LABELS, STATE_LABELS, STATES
from ..vocabulary import KIND_LABELS, period_label
from .compliance import OBLIGATION_LABELS, OBLIGATIONS, calendar

bp = Blueprint("oversight", __name__)

SUBJECT_LABELS = {**KIND_LABELS, **ARTIFACT_LABELS}


def _filters() -> dict:
    """The page's filters from the query string; an unknown value is dropped (the page shows everything)."""
    obligation = request.args.get("obligation", "")
    state = request.args.get("state", "")
    return {"region": request.args.get("region", "").strip(),
            "obligation": obligation if obligation in OBLIGATIONS else "",
            "state": state if state in STATES else ""}


def _tenants() -> list[Tenant]:
    return list(db.session.execute(select(Tenant).where(Tenant.active.is_(True)).order_by(Tenant.name)).scalars())


def state_text(row) -> str:
    """The state in words, with its days: «с опозданием на 3 дн.», «просрочено на 12 дн.»."""
    if row.state == "late":
        return _("late by %(n)s days", n=row.days)
    if row.state == "due":
        return _("due: %(n)s days left", n=row.days)
    if row.state == "missing":
        return _("missing: %(n)s days overdue", n=row.days)
    return str(STATE_LABELS[row.state])


def _page(side: str):
    tenants = _tenants()
    filters = _filters()
    rows = calendar(tenants, **filters)
    regions = sorted({t.region for t in tenants if t.region})
    csv_url = url_for(f"oversight.{side}_csv", **{k: v for k, v in filters.items() if v})
    return render_template("oversight/compliance.html", rows=rows, side=side, filters=filters, regions=regions,
                           obligations=OBLIGATION_LABELS, states=STATE_LABELS, subjects=SUBJECT_LABELS,
                           state_text=state_text, csv_url=csv_url)


def _date(d) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


def _csv():
    rows = calendar(_tenants(), **_filters())
    header = [_("Authority"), _("Region"), _("Obligation"), _("Subject"), _("Period"), _("Clause of the act"),
              _("Last day (deadline)"), _("Met on"), _("State"), _("Days (late, overdue or left)"), _("Met on time"), _("Of")]
    body = [[r.tenant, r.region, str(OBLIGATION_LABELS[r.obligation]), str(SUBJECT_LABELS.get(r.subject, r.subject)),
             period_label(r.period), r.clause, _date(r.deadline), _date(r.met_on), state_text(r), r.days, r.met,
             r.total] for r in rows]
    return Response(write_csv(body, header), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=compliance.csv"})


@bp.route("/admin/compliance")
@admin_required
def admin():
    return _page("admin")


@bp.route("/admin/compliance.csv")
@admin_required
def admin_csv():
    return _csv()


@bp.route("/centre/compliance")
@analyst_required
def centre():
    return _page("centre")


@bp.route("/centre/compliance.csv")
@analyst_required
def centre_csv():
    return _csv()
