"""The report's PDF: the page's own template rendered by WeasyPrint as tagged PDF/UA-1 (language, title, structure).

The HTML is rendered from the snapshot alone (no request, no `url_for`), with the DejaVu fonts of the machine,
so the command line, the tick and the office produce the same document.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from . import svg
from .models import AnalyticalReport


def context(report: AnalyticalReport, final: bool) -> dict:
    from .service import points, signer

    return {"report": report, "s": report.snapshot, "points": points(report), "final": final,
            "signer": signer(report) if final else "", "svg": svg}


def render_html(report: AnalyticalReport, final: bool) -> str:
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return render_template("analytical/pdf.html", **context(report, final))


def title(report: AnalyticalReport) -> str:
    s = report.snapshot
    return f"Аналитический отчет: {s['tenant']['name']}, {s['period_title']}"


def render_pdf(report: AnalyticalReport, final: bool) -> bytes:
    from weasyprint import CSS, HTML

    html = render_html(report, final)
    style = CSS(filename=str(Path(current_app.static_folder) / "analytical_pdf.css"))
    return HTML(string=html, base_url=current_app.root_path).write_pdf(
        stylesheets=[style], pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True)
