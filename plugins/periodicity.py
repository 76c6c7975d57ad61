"""Periodicity: which analyses the act prescribes, how often, and the publication deadline if any."""

from __future__ import annotations

from otklik.hookspecs import hookimpl
from otklik.plugins import Setting
from otklik.schedule import ScheduleEntry
from otklik.vocabulary import KINDS, SCHEDULE_CADENCES

NAME = "periodicity"
_CADENCE = (*SCHEDULE_CADENCES, "none")
SETTINGS = [
    Setting("appeals", "str", "quarter", "Cadence of the appeals monitoring", choices=_CADENCE),
    Setting("surveys", "str", "month", "Cadence of the survey analysis", choices=_CADENCE),
    Setting("employee_surveys", "str", "none", "Cadence of the employee survey analysis", choices=_CADENCE),
    Setting("yearly_appeals_analysis", "bool", False, "Also analyse appeals over the whole year"),
    Setting(
        "survey_min_monthly_volume",
        "int",
        0,
        "For month_or_quarter: answers a month needs to be analysed on its own (else in its quarter)",
    ),
    Setting(
        "publication_deadline_days",
        "int",
        0,
        "Days after the end of an appeals period by which its analysis must be published (0: not published)",
    ),
]


def validate_settings(settings: dict):
    if settings["survey_min_monthly_volume"] < 0:
        return "survey_min_monthly_volume", "must not be negative"
    if settings["publication_deadline_days"] < 0:
        return "publication_deadline_days", "must not be negative"
    if settings["survey_min_monthly_volume"] and settings["surveys"] != "month_or_quarter":
        return "survey_min_monthly_volume", "applies only when surveys = \"month_or_quarter\""
    return None


@hookimpl
def otklik_schedule(tenant):
    s = tenant.settings_of(NAME)
    clauses = s.get("clauses", {})
    out = []
    for kind in KINDS:
        cadence = s.get(kind, "none")
        if cadence == "none":
            continue
        out.append(
            ScheduleEntry(
                kind=kind,
                cadence=cadence,
                clause=clauses.get(kind, ""),
                min_monthly_volume=s.get("survey_min_monthly_volume", 0) if kind != "appeals" else 0,
                publish_within_days=(s.get("publication_deadline_days") or None) if kind == "appeals" else None,
                publish_clause=clauses.get("publication_deadline_days", "") if kind == "appeals" else "",
            )
        )
    if s.get("yearly_appeals_analysis"):
        out.append(ScheduleEntry("appeals", "year", clauses.get("yearly_appeals_analysis", "")))
    return out
