"""How periods and statuses read in Russian (and English): Jinja filters `period_label` and `status_label`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("done"),
    "failed": _l("failed"),
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def period_label(name: str) -> str:
    """`2025-Q1` -> "I квартал 2025", `2025-03` -> "03.2025", `2025-H2` -> "2-е полугодие 2025", `2025` -> "2025 год"."""
    from ..periods import BadPeriod, parse_period

    try:
        period = parse_period(name)
    except BadPeriod:
        return name
    year = period.start.year
    if period.cadence == "quarter":
        return _("%(q)s quarter %(year)s", q=ROMAN[(period.start.month - 1) // 3 + 1], year=year)
    if period.cadence == "half_year":
        return _("half-year %(h)s of %(year)s", h=(period.start.month - 1) // 6 + 1, year=year)
    if period.cadence == "year":
        return _("year %(year)s", year=year)
    return f"{period.start.month:02d}.{year}"


def register(app) -> None:
    app.jinja_env.filters["period_label"] = period_label
    app.jinja_env.filters["status_label"] = status_label
