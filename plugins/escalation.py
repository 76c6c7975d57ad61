"""Escalation: "additional collection recommended" when negative feedback passes the tenant's thresholds, with the
sample size for the general population (Nenets 7, Astrakhan 5.4, Vladimir 5, Omsk 20)."""

from __future__ import annotations

from flask_babel import gettext as _

from otklik.analysis.escalation import Signal
from otklik.analysis.sample import sample_size
from otklik.hookspecs import hookimpl
from otklik.plugins import Setting
from otklik.results.document import read

NAME = "escalation"
SETTINGS = [
    Setting("unsatisfied_complaints_share", "float", 0.3,
            "Share of unsatisfied complaints (of all complaints in the period) above which to escalate; 1 = never"),
    Setting("min_complaints", "int", 10, "Complaints a period needs before their share can escalate"),
    Setting("negative_share", "float", 0.3,
            "Share of negative answers (1-2 on 1-5 questions) above which to escalate; 1 = never"),
    Setting("min_answers", "int", 30, "Answers on 1-5 questions a period needs before their share can escalate"),
    Setting("on_high_prevalence", "bool", False, "Escalate when a problem's prevalence is high"),
    Setting("population", "int", 0,
            "General population of the additional collection; 0 = the analysis's own clients (appeals registered "
            "or respondents)"),
    Setting("confidence", "float", 0.95, "Confidence level of the sample"),
    Setting("margin", "float", 0.05, "Margin of error of the sample"),
]


def validate_settings(settings: dict):
    for key in ("unsatisfied_complaints_share", "negative_share"):
        if not 0 <= settings[key] <= 1:
            return key, "expected a share between 0 and 1"
    if not 0 < settings["confidence"] < 1:
        return "confidence", "expected a level between 0 and 1, e.g. 0.95"
    if not 0 < settings["margin"] < 1:
        return "margin", "expected a share between 0 and 1, e.g. 0.05"
    for key in ("min_complaints", "min_answers", "population"):
        if settings[key] < 0:
            return key, "must not be negative"
    return None


def _signal(s: dict, metric: str, value, threshold, population: int, reason: str, clause_key: str) -> Signal:
    population = s["population"] or population
    n = sample_size(population, s["confidence"], s["margin"]) if population else None
    clauses = s.get("clauses", {})
    return Signal(
        code="additional_collection",
        message=_("Additional collection of feedback recommended"),
        metric=metric,
        value=value,
        threshold=threshold,
        population=population or None,
        sample_size=n,
        confidence=s["confidence"],
        margin=s["margin"],
        clause=clauses.get(clause_key) or clauses.get("plugin", ""),
        details={"reason": reason},
    )


@hookimpl
def otklik_escalation_signals(tenant, analysis):
    s = tenant.settings_of(NAME)
    if not s:
        return []
    d = read(analysis)  # the document's figures through their declared shapes
    out = []
    c = d.record("complaints")
    if c.get("unsatisfied_share") is not None and (c.get("total") or 0) >= s["min_complaints"]:
        if c["unsatisfied_share"] > s["unsatisfied_complaints_share"] and s["unsatisfied_complaints_share"] < 1:
            out.append(_signal(
                s, "complaints.unsatisfied_share", c["unsatisfied_share"], s["unsatisfied_complaints_share"],
                d.count("total") or 0,
                _("Unsatisfied complaints: %(share)s%% of %(total)s, above the threshold of %(threshold)s%%.",
                  share=round(c["unsatisfied_share"] * 100, 1), total=c["total"],
                  threshold=round(s["unsatisfied_complaints_share"] * 100, 1)),
                "unsatisfied_complaints_share"))
    neg = d.record("negative")
    if neg.get("share") is not None and (neg.get("answers") or 0) >= s["min_answers"]:
        if neg["share"] > s["negative_share"] and s["negative_share"] < 1:
            out.append(_signal(
                s, "negative.share", neg["share"], s["negative_share"], d.count("responses") or 0,
                _("Negative answers (1-2 of 5): %(share)s%% of %(total)s, above the threshold of %(threshold)s%%.",
                  share=round(neg["share"] * 100, 1), total=neg["answers"],
                  threshold=round(s["negative_share"] * 100, 1)),
                "negative_share"))
    if s["on_high_prevalence"]:
        high = [p for p in d.rows("prevalence") if p.get("level") == "high"]
        if high:
            top = high[0]
            out.append(_signal(
                s, "prevalence", top.get("percent"), None, d.count("responses") or 0,
                _("High prevalence of a problem: %(title)s (%(percent)s%% of respondents).",
                  title=top.get("title", ""), percent=top.get("percent")),
                "on_high_prevalence"))
    return out
