"""Standard metrics: the six appeals monitoring metrics of DOMAIN.md and the survey metrics, for every authority."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from otklik.analysis import appeals, indicators, surveys
from otklik.analysis.metrics import Metric
from otklik.hookspecs import hookimpl
from otklik.plugins import Setting
from otklik.results import standard as shapes
from otklik.results.shapes import Breakdown
from otklik.results.standard import TITLES

# Appeals by life situation through the catalogue (recommendations 8.3): a breakdown whose cells overlap.
BY_LIFE_SITUATION = Breakdown(codes="text", sheet="Жизненные ситуации")

NAME = "standard_metrics"
SETTINGS = [
    Setting("themes", "dict", {}, "Themes of open answers: {title: [lemmas]}, added to the built-in dictionary"),
    Setting("max_themes", "int", 15, "Themes listed before the rest go to «Прочее»"),
]

A, S = ("appeals",), ("surveys", "employee_surveys")
METRICS = [
    Metric("total", TITLES["total"], A, appeals.total, 10, shapes.TOTAL),
    Metric("by_kind", TITLES["by_kind"], A, appeals.by_kind, 15, shapes.BY_KIND),
    Metric("by_channel", TITLES["by_channel"], A, appeals.by_channel, 20, shapes.BY_CHANNEL),
    Metric("reasons", TITLES["reasons"], A, appeals.reasons, 30, shapes.REASONS),
    Metric("by_topic", TITLES["by_topic"], A, appeals.by_topic, 40, shapes.BY_TOPIC),
    Metric("by_section", TITLES["by_section"], A, appeals.by_section, 41, shapes.BY_SECTION),
    Metric("by_thematic", TITLES["by_thematic"], A, appeals.by_thematic, 42, shapes.BY_THEMATIC),
    Metric("by_process", TITLES["by_process"], A, appeals.by_process, 45, shapes.BY_PROCESS),
    Metric("by_life_situation", _l("By life situation"), A, appeals.by_life_situation, 46, BY_LIFE_SITUATION),
    Metric("unsatisfied_by_topic", TITLES["unsatisfied_by_topic"], A, appeals.unsatisfied_by_topic, 62,
           shapes.UNSATISFIED_BY_TOPIC),
    Metric("unsatisfied_by_process", TITLES["unsatisfied_by_process"], A, appeals.unsatisfied_by_process, 63,
           shapes.UNSATISFIED_BY_PROCESS),
    Metric("waiting_days", TITLES["waiting_days"], A, appeals.waiting_days, 50, shapes.WAITING_DAYS),
    Metric("complaints", TITLES["complaints"], A, appeals.complaints, 60, shapes.COMPLAINTS),
    Metric("survey", TITLES["survey"], S, surveys.survey, 5, shapes.SURVEY),
    Metric("responses", TITLES["responses"], S, surveys.responses, 10, shapes.RESPONSES),
    Metric("by_channel", TITLES["by_channel"], S, surveys.by_channel, 20, shapes.SURVEY_CHANNELS),
    Metric("questionnaires", TITLES["questionnaires"], S, surveys.questionnaires, 30, shapes.QUESTIONNAIRES),
    Metric("parameters", TITLES["parameters"], S, surveys.parameters, 40, shapes.PARAMETERS),
    Metric("negative", TITLES["negative"], S, surveys.negative, 45, shapes.NEGATIVE),
    Metric("by_object", TITLES["by_object"], S, surveys.by_object, 50, shapes.BY_OBJECT),
    Metric("by_segment", TITLES["by_segment"], S, surveys.by_segment, 55, shapes.BY_SEGMENT_SURVEYS),
    Metric("informed", TITLES["informed"], S, surveys.informed, 65, shapes.INFORMED),
    Metric("indicators", TITLES["indicators"], S, indicators.indicators, 67, shapes.INDICATORS),
    Metric("prevalence", TITLES["prevalence"], S, surveys.prevalence, 70, shapes.PREVALENCE),
    Metric("themes", TITLES["themes"], S, surveys.themes, 80, shapes.THEMES),
]


def validate_settings(settings: dict):
    for title, words in settings["themes"].items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            return f"themes.{title}", "expected a list of lemmas"
    if settings["max_themes"] < 1:
        return "max_themes", "must be at least 1"
    return None


@hookimpl
def otklik_metrics(tenant, kind):
    return [m for m in METRICS if kind in m.kinds]
