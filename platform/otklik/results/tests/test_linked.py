"""Periods are linked tables (issue 23): whatever set of months, quarters, half-years and the year of one authority
is asked for, in whatever order, what `results.linked` lets out leaves every hidden count a range of values.

The ranges are worked out by linear programs over everything shown (each shown figure of a period is the sum of
the authority's monthly counts it covers; counts are non-negative, and a hidden cell, never 0, is at least 1), with
scipy's linprog, not by the code under test."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from otklik.periods import Period, parse_period
from otklik.results import linked, standard
from otklik.results.disclosure import disclose_values
from otklik.results.shapes import is_count, is_hidden

YEAR = 2025
MONTHS = [parse_period(f"{YEAR}-{m:02d}") for m in range(1, 13)]
PERIODS = [*MONTHS, *(parse_period(f"{YEAR}-Q{q}") for q in range(1, 5)),
           parse_period(f"{YEAR}-H1"), parse_period(f"{YEAR}-H2"), parse_period(str(YEAR))]
CHANNELS = ("website", "post", "social")
SHAPES = {"total": standard.TOTAL, "by_channel": standard.BY_CHANNEL}
K = 5


def own_figures(period: Period, monthly: dict) -> dict:
    """The figures of a period from the monthly counts, as its own analysis would store them."""
    counts = {c: sum(monthly[(m.name, c)] for m in MONTHS if m.start >= period.start and m.end <= period.end)
              for c in CHANNELS}
    total = sum(counts.values())
    return {"total": total, "by_channel": {c: {"count": n, "share": round(n / total, 4) if total else None}
                                           for c, n in counts.items() if n}}


def show(requested: list[Period], cadences: set[str], monthly: dict):
    """Apply the rule to each request in turn, as the Centre and publishing do: [(period, shown figures)] of every
    period released on its own and of every derived one, and the released periods."""
    released: list[Period] = []
    own: dict[str, dict] = {}
    shown: list[tuple[Period, dict]] = []

    def release(period: Period) -> dict:
        if period.name not in own:
            own[period.name] = disclose_values(own_figures(period, monthly), SHAPES, K).values
            released.append(period)
            shown.append((period, own[period.name]))
        return own[period.name]

    for period in requested:
        decision = linked.plan(period, released, cadences)
        if decision.mode == linked.OWN_PERIOD:
            release(period)
        elif decision.mode == linked.DERIVED:
            parts = [release(parse_period(name)) for name in decision.parts]
            shown.append((period, linked.sum_disclosed(parts, SHAPES).values))
    return shown, released


def _coefficients(period: Period, channel: str | None) -> np.ndarray:
    row = np.zeros(len(MONTHS) * len(CHANNELS))
    for i, m in enumerate(MONTHS):
        if m.start >= period.start and m.end <= period.end:
            for j, c in enumerate(CHANNELS):
                if channel is None or c == channel:
                    row[i * len(CHANNELS) + j] = 1
    return row


def hidden_ranges(shown) -> list[tuple[str, str, float, float]]:
    """(period, channel, min, max) of every hidden channel cell, over everything shown."""
    eq, rhs, hidden = [], [], []
    for period, figures in shown:
        if is_count(figures.get("total")):
            eq.append(_coefficients(period, None))
            rhs.append(figures["total"])
        for c in CHANNELS:
            cell = (figures.get("by_channel") or {}).get(c)
            if cell is None and is_count(figures.get("total")) and isinstance(figures.get("by_channel"), dict):
                eq.append(_coefficients(period, c))  # a shown breakdown without the channel: it is 0
                rhs.append(0)
            elif isinstance(cell, dict) and not is_hidden(cell) and is_count(cell.get("count")):
                eq.append(_coefficients(period, c))
                rhs.append(cell["count"])
            elif isinstance(cell, dict) and is_hidden(cell):
                hidden.append((period, c))
    # a hidden cell is never 0: at least 1 (the attacker may know that much)
    ub = [-_coefficients(p, c) for p, c in hidden]
    kwargs = dict(A_eq=np.array(eq) if eq else None, b_eq=np.array(rhs) if eq else None,
                  A_ub=np.array(ub) if ub else None, b_ub=np.full(len(ub), -1.0) if ub else None,
                  bounds=(0, None), method="highs")
    out = []
    for p, c in hidden:
        objective = _coefficients(p, c)
        low, high = linprog(objective, **kwargs), linprog(-objective, **kwargs)
        assert low.status == 0, low.message  # the real counts are always a solution
        out.append((p.name, c, low.fun, np.inf if high.status == 3 else -high.fun))
    return out


def test_year_minus_three_quarters_gives_nothing_back():
    """The issue's case: a channel of 1 in Q1 (social), hidden with its complementary cell (website, 5); 10 by post;
    5 by website in each other quarter. The quarters are out; the year is shown as their sums with social and
    website hidden, so the year's website minus the other quarters' 5 + 5 + 5 is no longer there to subtract."""
    monthly = {(m.name, c): 0 for m in MONTHS for c in CHANNELS}
    for q in range(4):
        monthly[(MONTHS[q * 3].name, "website")] = 5
    monthly[(MONTHS[0].name, "social")] = 1
    monthly[(MONTHS[1].name, "post")] = 10
    requested = [parse_period(f"{YEAR}-Q{q}") for q in range(1, 5)] + [parse_period(str(YEAR))]
    shown, released = show(requested, {"quarter"}, monthly)
    year = dict(shown)[parse_period(str(YEAR))]
    assert year["total"] == 31  # 16 + 5 + 5 + 5: the sum of the quarters' shown totals
    assert is_hidden(year["by_channel"]["social"]) and is_hidden(year["by_channel"]["website"])
    assert year["by_channel"]["post"]["count"] == 10
    assert [p.name for p in released] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    ranges = {(p, c): (low, high) for p, c, low, high in hidden_ranges(shown)}
    assert ranges[("2025-Q1", "social")] == pytest.approx((1, 5))  # social + website = 6 in Q1, each at least 1
    assert ranges[("2025", "social")] == pytest.approx((1, 5))
    assert all(low < high for low, high in ranges.values())


def test_quarter_minus_two_months_is_not_shown():
    """Vladimir's case: the quarter is out, so September (and every month of it) is not shown on its own; had the
    months come first, the quarter would be their sums."""
    q3 = parse_period(f"{YEAR}-Q3")
    months = q3.subperiods("month")
    assert linked.plan(months[2], [q3], {"quarter"}).reason == linked.OVERLAP
    assert linked.plan(months[2], [], {"quarter"}).reason == linked.OTHER_CADENCE
    assert linked.plan(q3, months[:2], {"month", "quarter"}).mode == linked.DERIVED
    assert linked.plan(q3, months[:2], {"month", "quarter"}).parts == ("2025-07", "2025-08", "2025-09")
    assert linked.plan(q3, months, {"month"}).parts == ("2025-07", "2025-08", "2025-09")
    assert linked.plan(months[0], [parse_period("2025-H2")], {"month"}).overlapping == ("2025-H2",)


def test_survey_n_and_4_5_counts_of_months_sum_into_the_quarter():
    """Omsk's case: July hides the count of 4-5 of a parameter answered by 4; the quarter shown as the sum of its
    months hides it too, so the quarter's count minus August's and September's is not there to subtract."""
    shapes = {"responses": standard.RESPONSES, "indicators": standard.INDICATORS}
    months = [{"responses": 4, "indicators": {"clarity": {"count": 3, "of": 4, "share": 0.75}}},
              {"responses": 30, "indicators": {"clarity": {"count": 20, "of": 30, "share": 0.6667}}},
              {"responses": 40, "indicators": {"clarity": {"count": 25, "of": 40, "share": 0.625}}}]
    shown = [disclose_values(m, shapes, K).values for m in months]
    assert shown[0]["responses"] is None or not is_count(shown[0]["responses"])
    quarter = linked.sum_disclosed(shown, shapes).values
    assert quarter["responses"] is None and is_hidden(quarter["indicators"]["clarity"])
    # August and September alone: 70 responses, 45 of 70
    assert shown[1]["indicators"]["clarity"]["count"] == 20 and shown[2]["indicators"]["clarity"]["of"] == 40


def test_mean_and_median_are_no_sums():
    """A derived period shows counts and the shares on them; a mean or a median of it would be new information."""
    parts = [{"answered": 10, "mean": 5.0, "median": 4.0, "p90": 9.0, "within_30": 9, "within_30_share": 0.9},
             {"answered": 30, "mean": 7.0, "median": 6.0, "p90": 12.0, "within_30": 30, "within_30_share": 1.0}]
    out = linked.sum_disclosed([{"waiting_days": p} for p in parts], {"waiting_days": standard.WAITING_DAYS}).values
    assert out["waiting_days"] == {"answered": 40, "mean": None, "median": None, "p90": None, "within_30": 39,
                                   "within_30_share": 0.975}


@st.composite
def authorities(draw):
    small = st.one_of(st.just(0), st.integers(1, 4), st.integers(0, 12))
    monthly = {(m.name, c): draw(small) for m in MONTHS for c in CHANNELS}
    requested = draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=10))
    cadences = draw(st.sampled_from([{"month"}, {"quarter"}, {"month", "quarter"}, {"half_year"}, {"year"}]))
    return monthly, requested, cadences


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=authorities())
def test_no_hidden_cell_is_pinned_by_any_set_of_periods(a):
    monthly, requested, cadences = a
    shown, released = show(requested, cadences, monthly)
    for i, p in enumerate(released):  # what left the office on its own never overlaps
        assert not any(linked._overlaps(p, q) for q in released[i + 1:])
    for period, channel, low, high in hidden_ranges(shown):
        assert low < high - 1e-6, (period, channel, low, high)


def test_released_periods_are_kept_and_the_first_release_wins(app, make_tenant):
    """In the database: the Centre's quarter goes out first, then a month of it is refused, by the Centre and by a
    publication alike, and the year is the sum of the four quarters."""
    from otklik.extensions import db
    from otklik.models import Tenant

    t = make_tenant("vladimir", slug="vlad-linked")
    with app.app_context():
        tenant = db.session.get(Tenant, t.id)
        assert linked.own_cadences(tenant, "appeals") == {"quarter"}
        assert linked.claim_one(tenant, "appeals", "2025-Q3", "centre").mode == linked.OWN_PERIOD
        assert linked.decide(tenant, "appeals", "2025-Q3").released
        refused = linked.claim_one(tenant, "appeals", "2025-09", "publication")
        assert (refused.mode, refused.reason) == (linked.REFUSED, linked.OVERLAP)
        year = linked.decide(tenant, "appeals", "2025")
        assert (year.mode, year.parts) == (linked.DERIVED, ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"))
        assert linked.claim({t.id: ["2025-Q3", "2025-Q4"]}, "appeals", "centre") == set()
        assert sorted(p.name for p in linked.released_periods([t.id], "appeals")[t.id]) == ["2025-Q3", "2025-Q4"]
        assert date(2025, 7, 1) == linked.released_periods([t.id], "appeals")[t.id][0].start
