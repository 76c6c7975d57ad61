"""The XLSX of one analysis: a report sheet with the fields the Analytical Centre asks of an analytical report
(5.1.6 p. 4: survey link, dates, respondents, instrument, conclusions), then a sheet per metric with native
Excel charts (channel shares, topics, waiting time, survey parameters). Written from the stored document only.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import xlsxwriter

from ..intake.classifier import name_topics
from ..localtime import local_time_text
from ..results.document import Document, read
from ..results.figures import as_fraction
from ..results.shapes import Section
from .note import conclusions, period_title, report_tables, summary

KIND_TITLES = {
    "appeals": "Мониторинг обращений и жалоб",
    "surveys": "Анализ результатов опросов",
    "employee_surveys": "Анализ опросов сотрудников",
}
FILE_STEMS = {"appeals": "Анализ обращений", "surveys": "Анализ опросов", "employee_surveys": "Анализ опросов сотрудников"}
_FORBIDDEN = set('[]:*?/\\')


def file_name(analysis) -> str:
    """A Russian file name: `Анализ обращений 2025-Q1.xlsx`."""
    return f"{FILE_STEMS.get(analysis.kind, 'Анализ')} {analysis.period}.xlsx"


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in str(name) if ch not in _FORBIDDEN).strip("'")[:31] or "Лист"
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f" {i}"
        candidate = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(candidate.lower())
    return candidate


class _Writer:
    def __init__(self, buffer):
        self.wb = xlsxwriter.Workbook(
            buffer,
            {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        wb = self.wb
        self.f = {
            "title": wb.add_format({"bold": True, "font_size": 14}),
            "bold": wb.add_format({"bold": True}),
            "head": wb.add_format({"bold": True, "bg_color": "#E8F1FB", "border": 1, "text_wrap": True,
                                   "valign": "top"}),
            "label": wb.add_format({"bold": True, "valign": "top", "text_wrap": True}),
            "text": wb.add_format({"text_wrap": True, "valign": "top"}),
            "int": wb.add_format({"num_format": "#,##0"}),
            "num": wb.add_format({"num_format": "#,##0.0#"}),
            "share": wb.add_format({"num_format": "0.0%"}),
            "link": wb.add_format({"font_color": "blue", "underline": 1}),
            "group": wb.add_format({"bold": True, "bg_color": "#F3F5F7", "text_wrap": True}),
            "indent": wb.add_format({"indent": 1, "text_wrap": True}),
        }
        self.used: set[str] = set()

    def cell(self, ws, row: int, col: int, value, fmt: str = "text") -> None:
        """Numbers as numbers, shares as fractions with a percent format, everything else as a string."""
        if value is None or value == "":
            ws.write_string(row, col, "—")
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value)
        elif isinstance(value, int | float):
            if fmt == "share":
                ws.write_number(row, col, as_fraction(value), self.f["share"])
            else:
                ws.write_number(row, col, value, self.f["int" if fmt == "int" else "num"])
        else:
            ws.write_string(row, col, str(value), self.f["text"])


def build_xlsx(analysis, tenant, channel_titles: dict[str, str] | None = None, base_url: str = "") -> bytes:
    """The workbook of one analysis; `base_url` (https://host) makes the survey links absolute."""
    d = name_topics(read(analysis.result, channel_titles))
    buffer = io.BytesIO()
    w = _Writer(buffer)
    sections = d.sections()
    _report_sheet(w, analysis, tenant, d, sections, base_url)
    _surveys_sheet(w, d, base_url)
    for section in sections:
        _metric_sheet(w, section)
    _signals_sheet(w, d)
    for table in report_tables(tenant, analysis):
        _table_sheet(w, table)
    _inputs_sheet(w, d)
    w.wb.close()
    return buffer.getvalue()


def _surveys_sheet(w: _Writer, d: Document, base_url: str) -> None:
    items = d.survey_items(base_url)
    if not items:
        return
    ws = w.wb.add_worksheet(_sheet_name("Опросы", w.used))
    ws.write_string(0, 0, "Опросы периода: ссылки, инструментарий, число ответов", w.f["title"])
    headers = [("title", "Опрос", 40), ("object", "Объект", 30), ("instrument", "Инструментарий", 45),
               ("responses", "Ответов", 12), ("link", "Ссылка на опрос", 50)]
    for col, (_key, label, width) in enumerate(headers):
        ws.set_column(col, col, width)
        ws.write_string(2, col, label, w.f["head"])
    for i, item in enumerate(items):
        for col, (key, _label, _width) in enumerate(headers):
            value = item.get(key)
            if key == "link" and isinstance(value, str) and value.startswith(("http://", "https://")):
                ws.write_url(3 + i, col, value, w.f["link"], string=value)
            else:
                w.cell(ws, 3 + i, col, value, "int" if key == "responses" else "text")


def _report_sheet(w: _Writer, analysis, tenant, d: Document, sections: list[Section], base_url: str = "") -> None:
    doc = d.raw
    ws = w.wb.add_worksheet(_sheet_name("Отчет", w.used))
    ws.set_column(0, 0, 38)
    ws.set_column(1, 1, 90)
    kind_title = KIND_TITLES.get(analysis.kind, analysis.kind)
    ws.write_string(0, 0, f"Аналитический отчет: {kind_title}, {period_title(analysis.period)}", w.f["title"])
    responses = d.count("responses")
    items = d.survey_items(base_url)
    survey_link = "\n".join(str(i["link"]) for i in items if i.get("link")) or None
    instrument = "\n".join(dict.fromkeys(str(i["instrument"]) for i in items if i.get("instrument"))) or None
    if instrument is None and analysis.kind == "appeals":
        instrument = ("Реестр обращений и жалоб; классификатор обращений граждан (Администрация Президента РФ, "
                      "30.11.2017 № 104)")
    fields = [
        ("Орган власти", tenant.name),
        ("Основание", tenant.legal_act or "—"),
        ("Вид анализа", kind_title),
        ("Период", analysis.period),
        ("Даты проведения (начало)", doc.get("period_start")),
        ("Даты проведения (окончание)", doc.get("period_end")),
        ("Часовой пояс", doc.get("timezone")),
        ("Ссылка на опрос", survey_link if analysis.kind != "appeals" else "не применяется (анализ обращений)"),
        ("Количество респондентов", responses if analysis.kind != "appeals" else "не применяется"),
        ("Количество обращений и жалоб", d.count("total") if analysis.kind == "appeals" else None),
        ("Инструментарий исследования", instrument),
        ("Дата анализа", local_time_text(doc.get("computed_at") or analysis.finished_at, tenant.tz)),
        ("Сформировано", local_time_text(datetime.now(UTC), tenant.tz)),
    ]
    row = 2
    for label, value in fields:
        if label == "Количество обращений и жалоб" and analysis.kind != "appeals":
            continue
        ws.write_string(row, 0, label, w.f["label"])
        if label == "Ссылка на опрос" and isinstance(value, str) and value.startswith(("http://", "https://")) \
                and "\n" not in value:
            ws.write_url(row, 1, value, w.f["link"], string=value)
        else:
            w.cell(ws, row, 1, value, "int" if isinstance(value, int) else "text")
        row += 1
    row += 1
    ws.write_string(row, 0, "Основные показатели", w.f["bold"])
    row += 1
    from flask_babel import force_locale

    with force_locale("ru"):
        figures = [(str(lbl), v, fmt) for lbl, v, fmt in d.headline()]
        summary_lines = summary(d)
        conclusion_lines = conclusions(d)
    for label, value, fmt in figures:
        ws.write_string(row, 0, label, w.f["label"])
        w.cell(ws, row, 1, value, fmt)
        row += 1
    row += 1
    ws.write_string(row, 0, "Описание результатов", w.f["bold"])
    row += 1
    for line in summary_lines:
        ws.write_string(row, 1, line, w.f["text"])
        row += 1
    row += 1
    ws.write_string(row, 0, "Основные выводы", w.f["bold"])
    row += 1
    for line in conclusion_lines or ["—"]:
        ws.write_string(row, 1, line, w.f["text"])
        row += 1
    row += 1
    ws.write_string(row, 0, "Листы показателей", w.f["bold"])
    row += 1
    for section in sections:
        ws.write_string(row, 1, section.sheet or section.key, w.f["text"])
        row += 1


def _metric_sheet(w: _Writer, section: Section) -> None:
    from flask_babel import force_locale

    with force_locale("ru"):
        title = str(section.title)
        columns = [(c.key, str(c.label) or "Показатель", c.fmt) for c in section.columns]
        facts = [(str(lbl), v, fmt) for lbl, v, fmt in section.facts]
        chart_title = str(section.chart.title) if section.chart else ""
        series = str(section.chart.series) if section.chart else ""
        note = str(section.note) if section.note else ""
    ws = w.wb.add_worksheet(_sheet_name(section.sheet or section.key, w.used))
    ws.write_string(0, 0, title, w.f["title"])
    ws.set_column(0, 0, 48)
    ws.set_column(1, max(1, len(columns)), 16)
    row = 2
    for label, value, fmt in facts:
        ws.write_string(row, 0, label, w.f["label"])
        w.cell(ws, row, 1, value, fmt)
        row += 1
    if facts:
        row += 1
    if section.rows:
        for col, (_key, label, _fmt) in enumerate(columns):
            ws.write_string(row, col, label, w.f["head"])
        first = row + 1
        for r in section.rows:
            row += 1
            for col, (key, _label, fmt) in enumerate(columns):
                if col == 0 and (r.get("group") or r.get("indent")):
                    ws.write_string(row, 0, str(r.get(key) or ""), w.f["group" if r.get("group") else "indent"])
                else:
                    w.cell(ws, row, col, r.get(key), fmt)
        ws.autofilter(first - 1, 0, row, len(columns) - 1)
        ws.freeze_panes(first, 1)
        row += 2
    if note:
        ws.write_string(row, 0, note, w.f["text"])
        row += 2
    if section.chart is not None and section.chart.values:
        _chart(w, ws, section, chart_title, series, len(columns) + 1 if section.rows else 3)


def _chart(w: _Writer, ws, section: Section, title: str, series: str, col: int) -> None:
    """A native chart over a data block written beside the table (the chart's own labels and values)."""
    chart_spec = section.chart
    ws.write_string(1, col, title or "Диаграмма", w.f["head"])
    ws.write_string(1, col + 1, series or "Значение", w.f["head"])
    for i, (label, value) in enumerate(zip(chart_spec.labels, chart_spec.values, strict=False)):
        ws.write_string(2 + i, col, str(label))
        w.cell(ws, 2 + i, col + 1, value, chart_spec.fmt)
    last = 2 + len(chart_spec.values) - 1
    kind = {"pie": "pie", "bar": "bar", "column": "column"}.get(chart_spec.kind, "bar")
    chart = w.wb.add_chart({"type": kind})
    sheet = ws.get_name()
    chart.add_series({
        "name": series or title,
        "categories": [sheet, 2, col, last, col],
        "values": [sheet, 2, col + 1, last, col + 1],
        "data_labels": {"value": True, "percentage": False} if kind != "pie" else {"percentage": True},
    })
    chart.set_title({"name": title})
    if kind != "pie":
        chart.set_legend({"none": True})
        if kind == "bar":
            chart.set_y_axis({"reverse": True})
    height = max(320, 22 * len(chart_spec.values) + 120) if kind == "bar" else 320
    chart.set_size({"width": 720, "height": height})
    ws.set_column(col, col, 40)
    ws.insert_chart(last + 3, col, chart)


def _signals_sheet(w: _Writer, d: Document) -> None:
    ws = w.wb.add_worksheet(_sheet_name("Сигналы", w.used))
    ws.set_column(0, 0, 80)
    ws.set_column(1, 4, 18)
    ws.write_string(0, 0, "Сигналы (эскалация)", w.f["title"])
    headers = ["Сигнал", "Размер выборки", "Генеральная совокупность", "Порог", "Пункт акта"]
    for col, h in enumerate(headers):
        ws.write_string(2, col, h, w.f["head"])
    signals = d.signals()
    if not signals:
        ws.write_string(3, 0, "Сигналов нет: показатели в пределах порогов акта.")
    for i, s in enumerate(signals):
        r = 3 + i
        w.cell(ws, r, 0, s.get("message"))
        w.cell(ws, r, 1, s.get("sample_size"), "int")
        w.cell(ws, r, 2, s.get("population"), "int")
        w.cell(ws, r, 3, s.get("threshold"), "share" if isinstance(s.get("threshold"), float) else "text")
        w.cell(ws, r, 4, s.get("clause"))


def _table_sheet(w: _Writer, table) -> None:
    """A table another capability adds (the pain map in the Astrakhan columns): its columns, then each group as a
    header row followed by its rows; text is written as text, never as a formula."""
    ws = w.wb.add_worksheet(_sheet_name(table.sheet, w.used))
    for col in range(len(table.columns)):
        ws.set_column(col, col, 6 if col == 0 else 30)
    for col, title in enumerate(table.columns):
        ws.write_string(0, col, str(title), w.f["head"])
    ws.freeze_panes(1, 0)
    r = 1
    if table.note:
        ws.write_string(r, 0, str(table.note), w.f["label"])
        r += 1
    for title, rows in table.groups:
        ws.write_string(r, 0, str(title), w.f["group"])
        r += 1
        for row in rows:
            for col, value in enumerate(row):
                w.cell(ws, r, col, value, "int" if isinstance(value, int) else "text")
            r += 1


INPUT_TITLES = {  # the input counts an analysis stores (DOMAIN.md), as the report names them
    "appeals": "Обращения и жалобы за период",
    "complaints": "В том числе жалобы",
    "answered": "С ответом за период",
    "responses": "Анкеты за период",
    "open_answers": "Открытые ответы",
    "internal": "Обращения и служебные записки сотрудников (не входят в показатели)",
}


def _inputs_sheet(w: _Writer, d: Document) -> None:
    inputs = d.raw.get("inputs")
    if not isinstance(inputs, dict) or not inputs:
        return
    ws = w.wb.add_worksheet(_sheet_name("Исходные данные", w.used))
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 18)
    ws.write_string(0, 0, "Исходные данные анализа", w.f["title"])
    for i, (k, v) in enumerate(inputs.items()):
        ws.write_string(2 + i, 0, INPUT_TITLES.get(k, str(k)), w.f["label"])
        w.cell(ws, 2 + i, 1, v if isinstance(v, int | float | str) else str(v), "int" if isinstance(v, int) else "text")
