"""Questionnaires: the survey forms offered to the authority's officer (the acts' own forms and generic ones)."""

from __future__ import annotations

from otklik.hookspecs import hookimpl
from otklik.plugins import Setting
from otklik.surveys.templates import BUILTIN

NAME = "questionnaires"
SETTINGS = [
    Setting("templates", "list", list(BUILTIN), "Questionnaire templates offered to the officer",
            item_choices=tuple(BUILTIN)),
]


def validate_settings(settings: dict):
    if not settings["templates"]:
        return "templates", "offer at least one template"
    return None


@hookimpl
def otklik_questionnaire_templates(tenant):
    keys = tenant.settings_of(NAME).get("templates", list(BUILTIN)) if tenant is not None else list(BUILTIN)
    return [BUILTIN[k] for k in keys if k in BUILTIN]
