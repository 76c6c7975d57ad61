"""Prevalence bands of a problem: high, medium, low by the share of respondents who report it (Omsk 16)."""

from __future__ import annotations

from otklik.hookspecs import hookimpl
from otklik.plugins import Setting
from otklik.prevalence import OMSK_BANDS, band

NAME = "prevalence_bands"
LEVELS = ("high", "medium", "low")  # bands and priorities: the keys of `priority` and `due_days`
SETTINGS = [
    Setting("high_from", "int", OMSK_BANDS["high"], "Whole percent from which prevalence is high"),
    Setting("medium_from", "int", OMSK_BANDS["medium"], "Whole percent from which prevalence is medium"),
    Setting("min_answers", "int", 30, "Below this many respondents a prevalence is flagged «мало ответов»"),
    Setting("priority", "dict", {}, "Priority of a pain by its band, e.g. {\"low\": \"medium\"}; unset bands "
            "keep their own (Omsk 16: priority follows prevalence)", item_choices=LEVELS),
    Setting("due_days", "dict", {"high": 30, "medium": 90, "low": 180},
            "Default days from a measure's start to its due date, by the pain's priority (Astrakhan appendix: "
            "the deadline is set by the priority)", item_choices=LEVELS),
]


def validate_settings(settings: dict):
    if not 0 < settings["medium_from"] < settings["high_from"] <= 100:
        return "high_from", "expected 0 < medium_from < high_from <= 100"
    levels = {"high", "medium", "low"}
    if not set(settings["priority"]) <= levels or not set(settings["priority"].values()) <= levels:
        return "priority", "bands and priorities are high, medium or low"
    if not set(settings["due_days"]) <= levels or not all(isinstance(v, int) and v > 0
                                                         for v in settings["due_days"].values()):
        return "due_days", "expected whole days above 0 for high, medium or low"
    return None


@hookimpl
def otklik_prevalence_level(tenant, percent):
    s = tenant.settings_of(NAME)
    return band(percent, s.get("high_from", OMSK_BANDS["high"]), s.get("medium_from", OMSK_BANDS["medium"]))


@hookimpl
def otklik_pain_priority(tenant, band):
    return tenant.settings_of(NAME).get("priority", {}).get(band, band)
