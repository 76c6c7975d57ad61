"""Prevalence bands of a problem: high, medium, low by the share of respondents who report it (Omsk 16)."""

from __future__ import annotations

from otklik.analysis.prevalence import OMSK_BANDS, band
from otklik.hookspecs import hookimpl
from otklik.plugins import Setting

NAME = "prevalence_bands"
SETTINGS = [
    Setting("high_from", "int", OMSK_BANDS["high"], "Whole percent from which prevalence is high"),
    Setting("medium_from", "int", OMSK_BANDS["medium"], "Whole percent from which prevalence is medium"),
]


def validate_settings(settings: dict):
    if not 0 < settings["medium_from"] < settings["high_from"] <= 100:
        return "high_from", "expected 0 < medium_from < high_from <= 100"
    return None


@hookimpl
def otklik_prevalence_level(tenant, percent):
    s = tenant.settings_of(NAME)
    return band(percent, s.get("high_from", OMSK_BANDS["high"]), s.get("medium_from", OMSK_BANDS["medium"]))
