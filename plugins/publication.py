"""Publication: what the act lets the authority publish (the deadline is a periodicity setting)."""

from __future__ import annotations

from otklik.hookspecs import hookimpl
from otklik.plugins import Setting
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
]

# Employee feedback is never published, whatever an act says of the rest (DOMAIN.md, Publication and disclosure).
EMPLOYEE_CLAUSE = "Результаты опросов сотрудников (внутренних клиентов) не публикуются: платформа, DOMAIN.md"


def validate_settings(settings: dict):
    if settings["min_cell_size"] < 5:
        return "min_cell_size", "outside the office no group smaller than 5 is shown"
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
