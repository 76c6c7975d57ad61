"""Office pages of the analytical report: list, build on demand, edit the main points, finalise, download the PDF."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired

from ..access import can, office_required
from ..capabilities import add_office_nav
from ..tenancy import get_or_404, register_tenant_blueprint
from . import service, svg
from .models import AnalyticalReport
from .pdf import render_pdf
from .snapshot import NotAMonth

bp = Blueprint("analytical", __name__, url_prefix="/<tenant_slug>/office/analytical-reports")
register_tenant_blueprint(bp)

add_office_nav("analytical.index", _l("Analytical reports"), order=58)


class BuildForm(FlaskForm):
    period = StringField(_l("Month"), validators=[InputRequired(message=_l("Write the month as YYYY-MM."))])


class PointsForm(FlaskForm):
    main_points = TextAreaField(_l("Main points"), render_kw={"rows": 12})


def _file_name(report: AnalyticalReport) -> str:
    return f"Аналитический отчет {report.period}{'' if report.final else ' (черновик)'}.pdf"


def pdf_response(report: AnalyticalReport):
    data = report.pdf if report.final else render_pdf(report, final=False)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=_file_name(report), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/")
@office_required()
def index():
    return render_template("analytical/index.html", reports=service.reports(), form=BuildForm(),
                           can_edit=can("officer"))


@bp.route("/build", methods=["POST"])
@office_required("officer")
def build():
    form = BuildForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for(".index"))
    try:
        report = service.draft(g.tenant, form.period.data.strip(), current_user.id, base_url=request.host_url)
    except (NotAMonth, service.Refused) as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    flash(_("The report of %(period)s is built from the current data.", period=report.period), "success")
    return redirect(url_for(".detail", report_id=report.id))


@bp.route("/<report_id>")
@office_required()
def detail(report_id):
    report = get_or_404(AnalyticalReport, report_id)
    form = PointsForm(main_points=report.main_points)
    return render_template("analytical/page.html", report=report, s=report.snapshot, points=service.points(report),
                           final=report.final, signer=service.signer(report), svg=svg, form=form,
                           can_edit=can("officer"))


@bp.route("/<report_id>/points", methods=["POST"])
@office_required("officer")
def edit(report_id):
    report = get_or_404(AnalyticalReport, report_id)
    form = PointsForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.edit_points(report, form.main_points.data or "")
    except service.Refused as exc:
        flash(str(exc), "error")
    else:
        flash(_("The main points are saved."), "success")
    return redirect(url_for(".detail", report_id=report.id))


@bp.route("/<report_id>/finalise", methods=["POST"])
@office_required("officer")
def finalise(report_id):
    report = get_or_404(AnalyticalReport, report_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        service.finalise(report, current_user.id)
    except service.Refused as exc:
        flash(str(exc), "error")
    else:
        flash(_("The report of %(period)s is final.", period=report.period), "success")
    return redirect(url_for(".detail", report_id=report.id))


@bp.route("/<report_id>/pdf")
@office_required()
def pdf(report_id):
    return pdf_response(get_or_404(AnalyticalReport, report_id))
