"""Standard metrics: the six appeals monitoring metrics of DOMAIN.md and the survey metrics, for every authority."""

from __future__ import annotations

from otklik.analysis import appeals, surveys
from otklik.analysis.metrics import Metric
from otklik.hookspecs import hookimpl
from otklik.plugins import Setting

NAME = "standard_metrics"
SETTINGS = [
    Setting("themes", "dict", {}, "Themes of open answers: {title: [lemmas]}, added to the built-in dictionary"),
    Setting("max_themes", "int", 15, "Themes listed before the rest go to «Прочее»"),
]

A, S = ("appeals",), ("surveys", "employee_surveys")
METRICS = [
    Metric("total", "Appeals and complaints registered", A, appeals.total, 10),
    Metric("by_kind", "By kind", A, appeals.by_kind, 15),
    Metric("by_channel", "By channel", A, appeals.by_channel, 20),
    Metric("reasons", "Main reasons", A, appeals.reasons, 30),
    Metric("by_topic", "By topic of the classifier", A, appeals.by_topic, 40),
    Metric("by_section", "By section of the classifier", A, appeals.by_section, 41),
    Metric("by_thematic", "By thematic of the classifier", A, appeals.by_thematic, 42),
    Metric("waiting_days", "Waiting time for an answer, days", A, appeals.waiting_days, 50),
    Metric("complaints", "Satisfied and unsatisfied complaints", A, appeals.complaints, 60),
    Metric("survey", "Survey and instrument", S, surveys.survey, 5),
    Metric("responses", "Responses", S, surveys.responses, 10),
    Metric("by_channel", "By channel", S, surveys.by_channel, 20),
    Metric("questionnaires", "Per questionnaire: CSAT per question, choice questions", S, surveys.questionnaires, 30),
    Metric("parameters", "Satisfaction with parameters", S, surveys.parameters, 40),
    Metric("negative", "Negative answers (1-2 of 5)", S, surveys.negative, 45),
    Metric("by_object", "By object of feedback", S, surveys.by_object, 50),
    Metric("by_segment", "By segment", S, surveys.by_segment, 55),
    Metric("informed", "Informed", S, surveys.informed, 65),
    Metric("prevalence", "Prevalence of problems", S, surveys.prevalence, 70),
    Metric("themes", "Open answers: themes", S, surveys.themes, 80),
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
