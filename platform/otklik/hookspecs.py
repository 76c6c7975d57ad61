"""The plugin contract. Every rule that differs between authorities comes through one of these hooks.

Each hook is called for one tenant at a time and reaches only the plugins that tenant enabled
(see plugins.py). Implementations read their own settings with `tenant.settings_of(NAME)`.
List hooks add up (every enabled plugin contributes); `firstresult` hooks answer once.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("otklik")
hookimpl = pluggy.HookimplMarker("otklik")


@hookspec
def otklik_channels(tenant):
    """Channels through which the tenant collects feedback.

    Return a list of `otklik.channels.Channel(code, title, standard, clause)`; `standard` is one of the
    standard codes of DOMAIN.md, so the Analytical Centre can compare a tenant's own channel.
    """


@hookspec
def otklik_schedule(tenant):
    """Analyses the tenant's act prescribes.

    Return a list of `otklik.schedule.ScheduleEntry(kind, cadence, clause, ...)`: the kind of analysis
    (`appeals`, `surveys`, `employee_surveys`), its cadence, a volume rule (monthly when the month has at least
    N answers, otherwise quarterly) and a publication deadline in days after the period, if any.
    """


@hookspec
def otklik_metrics(tenant, kind):
    """Metric definitions computed by an analysis of `kind`.

    Return a list of `otklik.analysis.metrics.Metric`; the standard metrics come from a built-in plugin, a
    tenant's extra metric (redirected share, segments) from a plugin that tenant enables.
    """


@hookspec(firstresult=True)
def otklik_prevalence_level(tenant, percent):
    """Prevalence band of a problem reported by `percent` (0-100, whole) of respondents.

    Return `"high"`, `"medium"` or `"low"` (Omsk 16 by default), or None to let the next plugin answer.
    """


@hookspec(firstresult=True)
def otklik_pain_priority(tenant, band):
    """Priority of solving a pain whose prevalence band is `band` (`"high"`, `"medium"`, `"low"`).

    Return `"high"`, `"medium"` or `"low"` (Omsk 16: priority follows prevalence), or None to let the next plugin
    answer; with no answer the priority is the band.
    """


@hookspec(firstresult=True)
def otklik_publication_decision(tenant, artifact):
    """May this artifact (an analysis result, a survey summary, a pain-map item) be published?

    Return `otklik.publishing.Decision(allowed, reason, clause, deadline)`, or None to let the next plugin answer.
    With no answer at all, nothing is published: the platform fails closed.
    """


@hookspec
def otklik_escalation_signals(tenant, analysis):
    """Signals raised by a finished analysis, such as "additional collection recommended".

    `analysis` is the stored result document; return a list of `otklik.analysis.escalation.Signal`.
    """


@hookspec
def otklik_questionnaire_templates(tenant):
    """Questionnaire templates offered to the tenant's officer (Vladimir form, employee forms, ...).

    Return a list of `otklik.surveys.templates.Template`.
    """


@hookspec
def otklik_appeal_importers(tenant):
    """Extra appeal file layouts: a list of `otklik.intake.importers.Importer` (name, title, column mapping)."""


@hookspec
def otklik_blueprints(tenant):
    """Flask blueprints a plugin adds. Called once at start-up with `tenant=None`; registered before core ones.

    Pages of a blueprint are reachable only for tenants that enabled its plugin (the app checks this).
    Return a list of `(plugin_name, blueprint)`.
    """
