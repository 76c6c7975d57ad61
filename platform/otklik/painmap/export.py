"""The map as a file: XLSX in the Astrakhan appendix form (its eight columns in its order, a header row per group)
and CSV (UTF-8 with a BOM and `;`, as Russian spreadsheets open it). Both read `table.grouped`, as the page does."""

from __future__ import annotations

import io

import xlsxwriter
from flask_babel import gettext as _

from ..csvout import write_csv
from . import table

# The Astrakhan appendix's columns, in its words and order (a form the act fixes, so not translated).
COLUMNS = (
    "№",
    "Наименование процесса",
    "Выявленные проблемы/потенциальные потребности клиентов",
    "Распространенность проблемы",
    "Приоритетность решения проблемы/удовлетворения потребности",
    "Необходимые к реализации мероприятия",
    "Ответственный",
    "Срок реализации",
)
WIDTHS = (5, 32, 48, 30, 18, 52, 34, 16)


def _cells(row: table.Row, people) -> list:
    wording, owners, dates = table.measure_lines(row.pain, people)
    process = row.pain.process.name if row.pain.process else _("not in the catalogue")
    return [row.number, process, row.pain.wording, table.prevalence_cell(row.measured), table.priority_text(row),
            wording, owners, dates]


def xlsx(tenant, grouping: str = "process", filters: dict | None = None) -> bytes:
    groups = table.grouped(tenant, grouping, filters)
    people = table.members()
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet(_("Pain map")[:31])
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#F3F5F7"})
    group = wb.add_format({"bold": True, "bg_color": "#E4ECF4", "border": 1})
    cell = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for col, (title, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True)):
        ws.write(0, col, title, head)
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    r = 1
    for g in groups:
        ws.merge_range(r, 0, r, len(COLUMNS) - 1, "", group)
        ws.write_string(r, 0, g.title, group)
        r += 1
        for row in g.rows:
            for col, value in enumerate(_cells(row, people)):
                # typed text stays text: write() would take a wording that starts with "=" for a formula
                if isinstance(value, int):
                    ws.write_number(r, col, value, cell)
                else:
                    ws.write_string(r, col, value, cell)
            r += 1
    wb.close()
    return out.getvalue()


def csv_text(tenant, grouping: str = "process", filters: dict | None = None) -> str:
    """The same rows as the XLSX, a "group" column first instead of the group header rows."""
    groups = table.grouped(tenant, grouping, filters)
    people = table.members()
    # the one CSV writer (otklik.csvout): a wording that starts like a formula stays text
    return write_csv(([g.title, *_cells(row, people)] for g in groups for row in g.rows), [_("Group"), *COLUMNS])
