"""The office page of the bulk update of measures: download the authority's measures as CSV or XLSX, upload the
changed file back (all or nothing, see `bulk`). Officers only; the tenant scope keeps other authorities' measures
out of both the file and the update."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ..access import office_required
from ..extensions import db
from ..models.painmap import MEASURE_STATUSES
from ..tenancy import register_tenant_blueprint
from . import bulk
from .labels import MEASURE_STATUS_LABELS

bp = Blueprint("painmap_bulk", __name__, url_prefix="/<tenant_slug>/office/painmap/bulk")
register_tenant_blueprint(bp)


class UploadForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


@bp.route("/", methods=["GET", "POST"])
@office_required("officer")
def page():
    form = UploadForm()
    errors = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            outcome = bulk.apply(upload.read(), upload.filename or "", current_user.id)
        except bulk.BulkRefused as refused:
            db.session.rollback()
            errors = refused.errors
            flash(_("The file is refused; no measure is changed."), "error")
        else:
            flash(_("Measures in the file: %(rows)s; changed: %(changed)s.", rows=outcome.rows,
                    changed=outcome.changed), "success")
            return redirect(url_for(".page"))
    return render_template("office/painmap/bulk.html", form=form, errors=errors, columns=bulk.COLUMNS,
                           statuses=[(s, MEASURE_STATUS_LABELS[s]) for s in MEASURE_STATUSES])


@bp.route("/measures.<fmt>")
@office_required("officer")
def download(fmt):
    name = f"measures-{g.tenant.slug}"
    if fmt == "xlsx":
        return Response(bulk.xlsx(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
    if fmt == "csv":
        return Response(bulk.csv_text().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    abort(404)
