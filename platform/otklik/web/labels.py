"""The app-wide Jinja filters, registered in one place by `create_app` (no capability's blueprint registers a
filter for every template): how periods, statuses, figures, dates and instants read in Russian (and English)."""

from __future__ import annotations

from flask import g

from ..vocabulary import period_label, status_label


def local_dt(moment) -> str:
    """An instant in the zone of the authority whose page it is: 30.11.2026 09:37 ("—" when missing)."""
    from ..localtime import local_time_text

    return local_time_text(moment, g.tenant.tz) or "—"


def reject_key(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def register(app) -> None:
    from ..reports.note import format_iso_date
    from ..results.figures import figure

    app.jinja_env.filters.update(
        period_label=period_label,
        status_label=status_label,
        figure=figure,  # `1 234`, `12,5`, `41,5 %`
        iso_date=format_iso_date,  # `2025-03-31` (as documents store dates) -> 31.03.2025
        local_dt=local_dt,
        reject_key=reject_key,
    )
