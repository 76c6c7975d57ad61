"""The Centre's page of every authority's final analytical reports (analysts only). Drafts never leave the
office: a draft's id answers 404 here as an unknown one does."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from ..access import analyst_required
from ..extensions import db
from ..models import Tenant
from ..tenancy import across_tenants
from .models import AnalyticalReport
from .views import pdf_response

bp = Blueprint("analytical_centre", __name__, url_prefix="/centre/analytical-reports")


@bp.route("/")
@analyst_required
def index():
    rows = db.session.execute(across_tenants(
        select(AnalyticalReport, Tenant).join(Tenant, Tenant.id == AnalyticalReport.tenant_id)
        .where(AnalyticalReport.status == "final")
        .order_by(AnalyticalReport.period.desc(), Tenant.name))).all()
    return render_template("analytical/centre.html", rows=rows)


@bp.route("/<int:report_id>/pdf")
@analyst_required
def pdf(report_id: int):
    report = db.session.execute(across_tenants(select(AnalyticalReport).where(
        AnalyticalReport.id == report_id, AnalyticalReport.status == "final"))).scalar_one_or_none()
    if report is None:
        abort(404)
    return pdf_response(report)
