"""The core vocabulary, defined once: kinds of analysis, audiences, cadences and statuses, with their labels.

Capabilities, plugins and templates import these words from here; none defines its own copy. Labels are lazy
strings (they read in the language of the request, or of the job); `period_label` and `status_label` are also
the Jinja filters of the same names (`web.labels`).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .periods import CADENCES, BadPeriod, parse_period

KINDS = ("appeals", "surveys", "employee_surveys")
"""Kinds of analysis: the schedule's entries, the Analysis rows, the result documents."""
KIND_LABELS = {
    "appeals": _l("Appeals and complaints monitoring"),
    "surveys": _l("Survey analysis"),
    "employee_surveys": _l("Employee survey analysis"),
}

AUDIENCES = ("external", "internal")
"""Whose feedback: external clients (citizens, organisations) or internal ones (employees)."""
AUDIENCE_LABELS = {
    "external": _l("External clients (citizens, organisations)"),
    "internal": _l("Internal clients (employees)"),
}
APPEAL_KIND_LABELS = {
    "appeal": _l("Appeal"),
    "complaint": _l("Complaint"),
    "request": _l("Request"),
    "proposal": _l("Proposal"),
    "memo": _l("Memo"),
}
"""Kinds of an appeal of the register (`models.appeal.KINDS`); the import also accepts these words for the codes."""
OUTCOME_LABELS = {
    "pending": _l("Pending"),
    "supported": _l("Supported"),
    "measures_taken": _l("Measures taken"),
    "explained": _l("Explained"),
    "not_supported": _l("Not supported"),
    "redirected": _l("Redirected"),
    "left_without_answer": _l("Left without answer"),
}
"""Outcomes of an appeal (`models.appeal.OUTCOMES`)."""
CLIENT_TYPE_LABELS = {
    "individual": _l("Individual"),
    "legal_entity": _l("Legal entity"),
    "employee": _l("Employee"),
}
"""Types of client who wrote (`models.appeal.CLIENT_TYPES`)."""
# A member's role in an authority (models.user.TENANT_ROLES), in words.
ROLE_LABELS = {"officer": _l("Responsible officer"), "operator": _l("Operator"), "viewer": _l("Viewer")}

# The kind of authority: the Analytical Centre compares like with like (its peer groups); Tenant.authority_kind.
AUTHORITY_KINDS = {
    "regional_executive": _l("Regional executive body"),
    "health": _l("Health care"),
    "social_protection": _l("Social protection"),
    "labour_employment": _l("Labour and employment"),
    "housing_supervision": _l("Housing supervision"),
    "education": _l("Education"),
    "transport": _l("Transport"),
    "culture": _l("Culture"),
    "other": _l("Other"),
}

AUDIENCE_OF_KIND = {"surveys": "external", "employee_surveys": "internal"}
"""The audience whose survey answers a survey analysis reads (an appeals analysis reads the whole register)."""
SURVEY_KINDS = tuple(AUDIENCE_OF_KIND)

SCHEDULE_CADENCES = (*CADENCES, "month_or_quarter")
"""What an act may prescribe: a period's cadence (`periods.CADENCES`), or monthly turning quarterly by volume."""
CADENCE_LABELS = {
    "month": _l("monthly"),
    "quarter": _l("quarterly"),
    "half_year": _l("half-yearly"),
    "year": _l("yearly"),
    "month_or_quarter": _l("monthly or quarterly, by volume"),
}

STATUSES = ("queued", "running", "done", "failed")
"""Statuses of an analysis."""
STATUS_LABELS = {
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("done"),
    "failed": _l("failed"),
}
SURVEY_INDICATORS = {
    "overall": _l("Overall satisfaction"),
    "clarity": _l("Clarity and ease of applying"),
    "status_info": _l("Information on the status"),
    "documents": _l("Number of documents"),
    "speed": _l("Speed"),
    "electronic": _l("Electronic availability"),
    "politeness": _l("Politeness and competence of staff"),
    "deadlines": _l("Deadlines kept"),
    "informed": _l("Informedness about the procedure"),
}
"""Standard survey indicators (DOMAIN.md, comparison of authorities): a question or a matrix row that carries one
of these keys as its `indicator` is compared across authorities by the Centre, as channels are compared on their
standard codes. A 1-5 question or row counts its answers of 4 and 5; a yes/no question its answers "yes"."""


def indicator_label(key: str) -> str:
    return str(SURVEY_INDICATORS.get(key, key))


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def period_label(name: str) -> str:
    """`2025-Q1` -> "I квартал 2025", `2025-03` -> "03.2025", `2025-H2` -> "2-е полугодие 2025", `2025` -> "2025 год"."""
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
