"""Standard survey indicators (issue 13, item 1; DOMAIN.md, comparison of authorities): per indicator key of the
vocabulary, how many answered and how many answered 4 or 5 (a yes/no question: "yes"), over every questionnaire
of the period whose questions or matrix rows carry that `indicator`. Stored as counts, not means, so the Centre can
pool them across authorities, give each share its Wilson interval and place it in a funnel plot.
"""

from __future__ import annotations

from ..vocabulary import SURVEY_INDICATORS
from .frames import share
from .metrics import MetricContext
from .surveys import YES, _cell, _question


def indicators(ctx: MetricContext) -> dict:
    """{indicator: {"count": answers of 4-5 or yes, "of": answers, "share"}} in the vocabulary's order."""
    counts: dict[str, list[int]] = {}
    scales = ctx.frame("surveys.scales")
    for (qid, key, row_key), g in (scales.groupby(["questionnaire_id", "question_key", "row_key"], sort=False,
                                                  dropna=False) if len(scales) else ()):
        q = _question(ctx, qid, key)
        if row_key:
            row = next((r for r in q.get("rows", []) if r.get("key") == row_key), {})
            indicator = row.get("indicator")
        else:
            indicator = q.get("indicator") if q.get("type") == "scale" else None
        if indicator in SURVEY_INDICATORS:
            n, values = g["n"].astype(int), g["value"].astype(float)
            pair = counts.setdefault(indicator, [0, 0])
            pair[0] += int(n[values >= 4].sum())
            pair[1] += int(n.sum())
    options = ctx.frame("surveys.options")
    for (qid, key), g in (options.groupby(["questionnaire_id", "question_key"], sort=False) if len(options) else ()):
        q = _question(ctx, qid, key)
        indicator = q.get("indicator")
        if indicator not in SURVEY_INDICATORS or q.get("type") == "scale":
            continue
        answered = int(g.loc[g["option"].isna(), "n"].sum())
        chosen = g[g["option"].notna()]
        yes = int(chosen.loc[chosen["option"].astype(str).str.lower().isin(YES), "n"].sum())
        pair = counts.setdefault(indicator, [0, 0])
        pair[0] += yes
        pair[1] += answered
    return {key: _cell(ctx, counts[key][1], {"count": counts[key][0], "of": counts[key][1],
                                             "share": share(counts[key][0], counts[key][1])})
            for key in SURVEY_INDICATORS if key in counts and counts[key][1]}
