"""The authority's place in the Centre's funnel plots (`centre.compare`), as the report keeps it.

The Centre's funnel is already through the disclosure control; the report keeps of the other authorities only
their volume and share (anonymous dots), and of this one its counts, interval and verdict.
"""

from __future__ import annotations

from ..centre.compare import FUNNELS, SURVEY_KEYS, indicator_titles, page_data, verdict_label


def _limits(curve: list[dict]) -> list[dict]:
    return [{"n": c["n"], "low_95": c["95"][0], "high_95": c["95"][1], "low_998": c["99.8"][0],
             "high_998": c["99.8"][1]} for c in curve]


def position(tenant, analyses: list[dict]) -> list[dict]:
    """One entry per funnel indicator in which the authority is a point: appeals indicators over its appeals
    analysis's period, survey indicators over its surveys analysis's period. One pass of the Centre's comparison
    per period (`page_data` gives every funnel of it), not one per indicator."""
    titles = {key: title for key, title, _kind in indicator_titles()}
    periods = {a["kind"]: a["period"] for a in analyses}
    pages = {period: page_data(period, trend_count=1)
             for period in {periods[kind] for kind in ("appeals", "surveys") if kind in periods}}
    out = []
    for key in FUNNELS:
        period = periods.get("surveys" if key in SURVEY_KEYS else "appeals")
        if period is None:
            continue
        page = pages[period]
        plot = {**page["funnels"][key], "period": page["period"], "min_volume": page["min_volume"]}
        own = next((p for p in plot["points"] if p["tenant_id"] == tenant.id), None)
        if own is None or plot.get("pooled_share") is None:
            continue
        out.append({
            "indicator": key, "title": titles.get(key, key), "period": plot["period"],
            "value": own["share"], "n": own["n"], "ci_low": own["ci_low"], "ci_high": own["ci_high"],
            "verdict": own["verdict"], "verdict_label": verdict_label(own["verdict"]) or "—",
            "pooled": plot["pooled_share"], "min_volume": plot["min_volume"], "authorities": len(plot["points"]),
            "points": [{"n": p["n"], "value": p["share"], "self": p["tenant_id"] == tenant.id}
                       for p in plot["points"]],
            "limits": _limits(plot["limits"]),
        })
    return out
