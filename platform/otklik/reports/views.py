"""Report downloads of one analysis: the XLSX with native charts and the printable information note."""

from __future__ import annotations

import io

from flask import Blueprint, abort, g, render_template, request, send_file

from ..access import office_required
from ..channels import tenant_channels
from ..intake.classifier import name_topics
from ..models import Analysis
from ..results.document import read
from ..tenancy import get_or_404, register_tenant_blueprint
from ..vocabulary import KIND_LABELS
from .note import conclusions, period_title, report_tables, summary
from .xlsx import build_xlsx, file_name

bp = Blueprint("reports", __name__, url_prefix="/<tenant_slug>/office/reports")
register_tenant_blueprint(bp)

NOTE_SECTIONS = ("by_channel", "reasons", "by_section", "by_segment", "csat", "parameters")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _finished(analysis_id) -> Analysis:
    analysis = get_or_404(Analysis, analysis_id)
    if not analysis.result:
        abort(404)
    return analysis


def _channel_titles() -> dict[str, str]:
    return {c.code: c.title for c in tenant_channels(g.tenant)}


@bp.route("/<analysis_id>/xlsx")
@office_required()
def xlsx(analysis_id):
    """The workbook, built from the stored document and streamed under a Russian file name (filename*)."""
    analysis = _finished(analysis_id)
    data = build_xlsx(analysis, g.tenant, _channel_titles(), base_url=request.host_url)
    response = send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True,
                         download_name=file_name(analysis), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<analysis_id>/note")
@office_required()
def note(analysis_id):
    """The information note for the head of the authority (Vladimir 4), printable from the browser."""
    analysis = _finished(analysis_id)
    document = name_topics(read(analysis.result, _channel_titles()))
    return render_template(
        "office/reports/note.html",
        analysis=analysis,
        tenant=g.tenant,
        doc=document.raw,
        kind_label=KIND_LABELS.get(analysis.kind, analysis.kind),
        period_title=period_title(analysis.period),
        figures=document.headline(),
        summary=summary(document),
        conclusions=conclusions(document),
        signals=document.signals(),
        sections=document.sections(NOTE_SECTIONS.__contains__),
        tables=report_tables(g.tenant, analysis),
    )
