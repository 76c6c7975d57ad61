"""The disclosure property test extended to the Centre's tables (issue 13, tests): for any figures of an authority,
everything the Centre shows of it (counts, shares with the counts and volumes behind them, channel shares, survey
indicators) leaves every hidden count a range of values. The range is worked out by a linear program over what is
shown and how the counts add up (results.tests.test_disclosure._ranges), not by the code under test."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otklik.centre.compare import SUPPRESSED, _appeals, survey_measures
from otklik.results.tests.test_disclosure import _ranges

CHANNELS = ("website", "email", "post", "pos")
small = st.one_of(st.integers(0, 9), st.integers(0, 60))


@st.composite
def authorities(draw):
    channels = {c: draw(small) for c in CHANNELS}
    total = sum(channels.values())
    complaints = draw(st.integers(0, total))
    satisfied = draw(st.integers(0, complaints))
    unsatisfied = draw(st.integers(0, complaints - satisfied))
    answered = draw(st.integers(0, total))
    within_30 = draw(st.integers(0, answered))
    redirected = draw(st.integers(0, total))
    indicator_of = draw(small)
    indicator_count = draw(st.integers(0, indicator_of))
    return dict(channels=channels, total=total, complaints=complaints, satisfied=satisfied, unsatisfied=unsatisfied,
                answered=answered, within_30=within_30, redirected=redirected, indicator=(indicator_count, indicator_of),
                k=draw(st.integers(5, 10)))


def _doc(a):
    total = a["total"]

    def share(part, whole):
        return round(part / whole, 4) if whole else None

    return {
        "schema": 2, "kind": "appeals", "total": total,
        "complaints": {"total": a["complaints"], "satisfied": a["satisfied"],
                       "satisfied_share": share(a["satisfied"], a["complaints"]), "unsatisfied": a["unsatisfied"],
                       "unsatisfied_share": share(a["unsatisfied"], a["complaints"])},
        "waiting_days": {"answered": a["answered"], "mean": 10.0, "median": 9.0, "p90": 20.0,
                         "within_30": a["within_30"], "within_30_share": share(a["within_30"], a["answered"])},
        "redirected": {"count": a["redirected"], "share": share(a["redirected"], total)},
        "by_channel": {c: {"count": n, "share": share(n, total)} for c, n in a["channels"].items() if n},
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=authorities())
def test_no_hidden_count_can_be_worked_out_from_the_centre(app, a):
    with app.app_context():
        values, channels, _audit, measures, _volumes = _appeals(_doc(a), None, a["k"],
                                                                 standard_of={c: c for c in CHANNELS})
        c, n = a["indicator"]
        survey = {"schema": 2, "kind": "surveys", "responses": n,
                  "indicators": {"overall": {"count": c, "of": n, "share": round(c / n, 4) if n else None}}}
        shown_survey, _ = survey_measures(survey, a["k"])
    true = {**{f"ch_{x}": v for x, v in a["channels"].items()}, "total": a["total"], "complaints": a["complaints"],
            "satisfied": a["satisfied"], "unsatisfied": a["unsatisfied"],
            "complaints_rest": a["complaints"] - a["satisfied"] - a["unsatisfied"],
            "non_complaints": a["total"] - a["complaints"], "answered": a["answered"], "within_30": a["within_30"],
            "within_rest": a["answered"] - a["within_30"], "redirected": a["redirected"],
            "redirected_rest": a["total"] - a["redirected"], "not_answered": a["total"] - a["answered"],
            "ind_count": c, "ind_rest": n - c, "ind_of": n}
    # how the counts add up (public knowledge: the definitions)
    equations = [({**{f"ch_{x}": 1 for x in CHANNELS}, "total": -1}, 0),
                 ({"satisfied": 1, "unsatisfied": 1, "complaints_rest": 1, "complaints": -1}, 0),
                 ({"complaints": 1, "non_complaints": 1, "total": -1}, 0),
                 ({"within_30": 1, "within_rest": 1, "answered": -1}, 0),
                 ({"answered": 1, "not_answered": 1, "total": -1}, 0),
                 ({"redirected": 1, "redirected_rest": 1, "total": -1}, 0),
                 ({"ind_count": 1, "ind_rest": 1, "ind_of": -1}, 0)]
    shown: dict[str, float] = {}
    # what the Centre shows: counts, and the counts and volumes behind every share shown
    for key, name in (("total", "total"), ("complaints", "complaints")):
        if isinstance(values.get(key), int):
            shown[name] = values[key]
    for key, (num, den) in {"satisfied_share": ("satisfied", "complaints"),
                            "unsatisfied_share": ("unsatisfied", "complaints"),
                            "within_30_share": ("within_30", "answered"),
                            "redirected_share": ("redirected", "total")}.items():
        m = measures.get(key)
        if m is not None and m.n:
            shown[num], shown[den] = m.successes, m.n
        elif values.get(key) not in (None, SUPPRESSED) and isinstance(shown.get(den), int):
            shown[num] = round(values[key] * shown[den])  # a share shown beside its shown base gives its count
    for code, value in channels.items():
        if value not in (None, SUPPRESSED) and "total" in shown:
            shown[f"ch_{code}"] = round(value * shown["total"])
    m = shown_survey.get("survey_overall")
    if m is not None and m.n:
        shown["ind_count"], shown["ind_of"] = m.successes, m.n
    for name, value in shown.items():
        assert value == true[name], name  # what is shown is true
        equations.append(({name: 1}, value))
    cells = ["total", "complaints", "satisfied", "unsatisfied", "answered", "within_30", "redirected", "ind_count",
             "ind_of", *(f"ch_{x}" for x in CHANNELS)]
    hidden = [v for v in cells if v not in shown and 0 < true[v] < a["k"]]
    ranges = _ranges(list(true), equations)
    for name in hidden:
        low, high = ranges[name]
        assert low < high, (name, true[name], shown)
