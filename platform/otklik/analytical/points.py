"""The main points of a report, written from its figures: what changed since the last period.

Sentences, not tables: one per key figure (its value, the previous period's, the change, and whether the change is
larger than the uncertainty: the two Wilson 95 % intervals do not overlap), then the pain map. The officer edits
them before finalising; these are only the first draft.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..results.figures import figure


def _value(row: dict, key: str = "value") -> str:
    return figure(row[key], row["fmt"])


def _change(row: dict) -> str:
    """+4,2 п. п. for shares, +12 for counts and days."""
    change = row["change"]
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if row["fmt"] == "share":
        return _("%(sign)s%(n)s pp", sign=sign, n=figure(abs(change) * 100, "num"))
    return f"{sign}{figure(abs(change), row['fmt'])}"


def _separate(row: dict) -> bool | None:
    """Whether the intervals of the two periods do not overlap (None when a share lacks either)."""
    if None in (row.get("ci_low"), row.get("ci_high"), row.get("prev_ci_low"), row.get("prev_ci_high")):
        return None
    return row["ci_low"] > row["prev_ci_high"] or row["ci_high"] < row["prev_ci_low"]


def figure_point(row: dict, previous_title: str | None) -> str:
    label = row["label"]
    if row["hidden"]:
        return _("%(label)s: hidden by the disclosure control (a small group).", label=label)
    if row["previous"] is None or row["change"] is None:
        return _("%(label)s: %(value)s; there is no previous period to compare with.", label=label,
                 value=_value(row))
    if row["change"] == 0:
        return _("%(label)s: %(value)s, unchanged since %(period)s.", label=label, value=_value(row),
                 period=previous_title)
    text = (_("%(label)s rose to %(value)s from %(before)s in %(period)s (%(change)s).", label=label,
              value=_value(row), before=_value(row, "previous"), period=previous_title, change=_change(row))
            if row["change"] > 0 else
            _("%(label)s fell to %(value)s from %(before)s in %(period)s (%(change)s).", label=label,
              value=_value(row), before=_value(row, "previous"), period=previous_title, change=_change(row)))
    separate = _separate(row)
    if separate is True:
        text += " " + _("The change is larger than the uncertainty: the 95 % intervals do not overlap.")
    elif separate is False:
        text += " " + _("The change is within the uncertainty: the 95 % intervals overlap.")
    return text


def painmap_points(painmap: dict) -> list[str]:
    pains = painmap.get("pains") or []
    if not pains:
        return [_("The pain map holds no pains.")]
    measures = [m for p in pains for m in p["measures"]]
    overdue = sum(1 for m in measures if m["overdue"])
    return [_("The pain map holds %(pains)s pains with %(measures)s measures; %(overdue)s measures are overdue.",
              pains=len(pains), measures=len(measures), overdue=overdue)]


def main_points(snapshot: dict) -> list[str]:
    out = []
    for a in snapshot["analyses"]:
        out += [f"{a['kind_label']}, {a['period_title']}: {figure_point(row, a['previous_title'])}"
                for row in a["key_figures"]]
    if not snapshot["analyses"]:
        out.append(_("No analysis of this month is finished: the report has no figures yet."))
    out += painmap_points(snapshot["painmap"])
    return out
