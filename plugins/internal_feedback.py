"""Internal feedback: employees as clients (Astrakhan 4.5-4.6, Omsk 6, 7.2, 9.2, 14.2).

Employees' appeals and memos are counted apart from the citizens' figures, per topic of the authority's internal
list (Omsk 6's ten areas, Astrakhan 4.2's aspects) under the employee rule; the standing anonymous form
(`standing_form`) lets an employee leave a remark on such a topic at any time. Nothing of it is published: the
section's shape keeps it in the office.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from otklik.analysis import appeals
from otklik.analysis.metrics import Metric
from otklik.hookspecs import hookimpl
from otklik.plugins import Setting
from otklik.results.shapes import OWN, Breakdown, Field, Record
from otklik.surveys.templates import (
    INTERNAL_FEEDBACK,
    INTERNAL_TOPIC_LISTS,
    STAFF_QUESTION,
    internal_topics_of,
)

NAME = INTERNAL_FEEDBACK

SETTINGS = [
    Setting("topics", "str", "omsk_areas", "The internal topic list employees' feedback is counted against",
            choices=tuple(INTERNAL_TOPIC_LISTS)),
    Setting("standing_form", "bool", False, "A standing anonymous form for employees (link and QR code)"),
    Setting("question", "str", STAFF_QUESTION, "The one open question of the standing form"),
]


def validate_settings(settings: dict):
    if not settings["question"].strip():
        return "question", "the standing form needs its open question"
    return None


class OfficeOnly(Record):
    """A record that never leaves the office: disclosure drops it whole (internal figures are never published,
    Astrakhan 5.6, Omsk 18, DESIGN.md), whatever its counts."""

    free_text = True

    def disclose(self, value, path, ctx):
        ctx.hide(path, "*", "internal")
        return None


INTERNAL = OfficeOnly(
    (Field("total", _l("Employees' appeals and memos"), "int"), Field("memos", _l("Of them memos"), "int")),
    nested={"by_topic": Breakdown(total=OWN + "total", codes="text", label_title=_l("Internal topic"))},
    sheet="Внутренняя обратная связь", note=_l("Topics with fewer than five employees are hidden, here as well."))


def _internal(ctx):
    return appeals.internal_topics(ctx, internal_topics_of(ctx.tenant))


@hookimpl
def otklik_metrics(tenant, kind):
    return [Metric("internal_topics", _l("Internal feedback: employees' appeals and memos"), ("appeals",),
                   _internal, 90, INTERNAL)]
