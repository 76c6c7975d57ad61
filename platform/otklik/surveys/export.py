"""A survey's results as XLSX and CSV: the rows of the results page, written from `results.survey_results` alone,
so the small-group rule of employee surveys (`small_groups`, `results.disclosure`) holds in the file as on the
page. A group below the minimum gives a file with the note and no figure; a hidden cell reads «менее 5»."""

from __future__ import annotations

import io

import xlsxwriter
from flask_babel import format_decimal
from flask_babel import gettext as _

from .. import csvout
from .results import Results


def header() -> list[str]:
    return [_("No."), _("Question"), _("Answer, row or mark"), _("Number of answers"), _("Share, per cent"),
            _("Mean mark (1-5)"), _("Share of marks 4 and 5, per cent")]


def rows(results: Results) -> list[list]:
    """One row per option, matrix row and mark; None where the page shows no figure."""
    hidden = _("fewer than %(n)s", n=results.min_size)
    if results.suppressed:
        return [["", _("Employee survey: results are not shown for a group smaller than %(n)s respondents. Widen "
                       "the filter.", n=results.min_size), "", None, None, None, None]]
    out: list[list] = [["", _("Respondents in all"), "", results.respondents, None, None, None]]
    for item in results.questions:
        q = item["question"]
        number, text = q.get("number", ""), q.get("text", "")
        if item["suppressed"]:
            out.append([number, text, hidden, None, None, None, None])
            continue
        if "options" in item:
            for o in item["options"]:
                out.append([number, text, o["text"], o["count"] if o["count"] is not None else hidden, o["share"],
                            None, None])
            out.append([number, text, _("Answered the question"), item["answered"], None, None, None])
        elif "marks" in item:
            for m in item["marks"]:
                label = m["text"] or _("All marks")
                if m["suppressed"]:
                    out.append([number, text, label, hidden, None, None, None])
                    continue
                out.append([number, text, label, m["count"], None, m["mean"], m["share_4_5"]])
                if q["type"] == "scale":
                    for d in m["distribution"]:
                        out.append([number, text, _("mark %(m)s", m=d["mark"]),
                                    d["count"] if d["count"] is not None else hidden, d["share"], None, None])
    return out


def to_csv(results: Results) -> str:
    """Through the one CSV writer; a mean with the decimal sign of the request's language (4,25 in Russian)."""
    def cell(i, v):
        return format_decimal(v) if i == 5 and v is not None else v
    return csvout.write_csv([[cell(i, v) for i, v in enumerate(r)] for r in rows(results)], header())


def to_xlsx(results: Results, title: str, filters: str) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#E8F1FB", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    mean = wb.add_format({"num_format": "0.00"})
    ws = wb.add_worksheet(_("Results")[:31])
    ws.write(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    ws.write(1, 0, filters)
    ws.write_row(3, 0, header(), head)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 2, 45, wrap)
    ws.set_column(3, 6, 14)
    for i, r in enumerate(rows(results), start=4):
        for j, v in enumerate(r):
            if v is None:
                continue
            if isinstance(v, (int, float)):
                ws.write_number(i, j, v, mean if j == 5 else None)
            else:
                ws.write_string(i, j, str(v), bold if j == 1 and not r[0] else None)
    ws.freeze_panes(4, 0)
    wb.close()
    return buffer.getvalue()
