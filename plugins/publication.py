"""Publication: what the act lets the authority publish (the deadline is a periodicity setting)."""

from __future__ import annotations

from otklik.hookspecs import hookimpl
from otklik.plugins import Setting
from otklik.publishing.opendata import DEFAULT_LICENCE, LICENCES, UPDATE_PERIODS
from otklik.publishing.policy import Decision

NAME = "publication"
SETTINGS = [
    Setting("appeals_analysis", "bool", False, "The quarterly appeals analysis is published on the website"),
    Setting("survey_summary", "bool", False, "Generalised survey results are published"),
    Setting("painmap", "bool", False, "Problems found and the decisions taken («Вы сказали — мы сделали»)"),
    Setting("section", "str", "", "Where on the website it appears (the name the act gives the section)"),
    Setting("survey_section", "str", "", "The section of survey summaries, when the act names another one "
            "(empty: the same section)"),
    Setting("feedback_section", "str", "", "The section that holds the surveys and the opinion form, when the act "
            "names one (Nenets 18: «Клиентоцентричность»; empty: a section «Your feedback» of their own)"),
    Setting("publish_without_approval", "bool", False, "Drafts the worker builds are published at once, without "
            "an officer's approval (what the act forbids is never published)"),
    Setting("min_cell_size", "int", 5, "The smallest group shown outside the office (DOMAIN.md, small cells; "
            "never below 5)"),
    Setting("opendata_responsible", "dict", {}, "The person responsible for each artifact's open data, named in its "
            "passport: {artifact: {name, phone, email}}"),
    Setting("opendata_update_period", "dict", {}, "How often each artifact's open data is updated, as the act sets "
            "it: {artifact: month | quarter | half_year | year | irregular}"),
    Setting("opendata_licence", "str", DEFAULT_LICENCE, "The open licence the open data are published under",
            choices=tuple(LICENCES)),
]
OPEN_DATA_ARTIFACTS = ("appeals_analysis", "survey_summary", "you_said_we_did")
RESPONSIBLE_KEYS = ("name", "phone", "email")

# Employee feedback is never published, whatever an act says of the rest (DOMAIN.md, Publication and disclosure).
EMPLOYEE_CLAUSE = "Результаты опросов сотрудников (внутренних клиентов) не публикуются: платформа, DOMAIN.md"


def validate_settings(settings: dict):
    if settings["min_cell_size"] < 5:
        return "min_cell_size", "outside the office no group smaller than 5 is shown"
    return _open_data_problem(settings)


def _open_data_problem(settings: dict):
    """The open-data settings name known artifacts, a cadence of the update period, and a responsible person's
    name, phone and e-mail as text."""
    for artifact, cadence in settings["opendata_update_period"].items():
        if artifact not in OPEN_DATA_ARTIFACTS:
            return "opendata_update_period", f"unknown artifact {artifact!r}"
        if cadence not in UPDATE_PERIODS:
            return "opendata_update_period", f"{cadence!r} is not one of: {', '.join(UPDATE_PERIODS)}"
    for artifact, person in settings["opendata_responsible"].items():
        if artifact not in OPEN_DATA_ARTIFACTS:
            return "opendata_responsible", f"unknown artifact {artifact!r}"
        if not isinstance(person, dict) or set(person) - set(RESPONSIBLE_KEYS) or not all(
                isinstance(person.get(k, ""), str) for k in RESPONSIBLE_KEYS):
            return "opendata_responsible", f"{artifact}: expected {{name, phone, email}} as text"
    return None


@hookimpl
def otklik_publication_decision(tenant, artifact):
    s = tenant.settings_of(NAME)
    clauses = s.get("clauses", {})
    if artifact == "employee_survey_summary":
        return Decision(False, "employee feedback stays inside the authority",
                        clauses.get("employee_survey_summary", EMPLOYEE_CLAUSE))
    key = {"appeals_analysis": "appeals_analysis", "survey_summary": "survey_summary",
           "you_said_we_did": "painmap"}[artifact]
    allowed = bool(s.get(key))
    reason = "allowed by the act" if allowed else "the act keeps it internal"
    return Decision(allowed, reason, clauses.get(key, ""))
