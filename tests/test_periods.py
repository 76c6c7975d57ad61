"""Periods: names, bounds in the tenant's time zone, and what has ended."""

from datetime import UTC, date, datetime

import pytest

from otklik.periods import BadPeriod, completed_periods, local_today, parse_period, period_containing


@pytest.mark.parametrize("text, cadence, start, end", [
    ("2025-03", "month", date(2025, 3, 1), date(2025, 4, 1)),
    ("2025-q1", "quarter", date(2025, 1, 1), date(2025, 4, 1)),
    ("2025-Q4", "quarter", date(2025, 10, 1), date(2026, 1, 1)),
    ("2025-H2", "half_year", date(2025, 7, 1), date(2026, 1, 1)),
    (" 2025 ", "year", date(2025, 1, 1), date(2026, 1, 1)),
])
def test_parse_and_name(text, cadence, start, end):
    p = parse_period(text)
    assert (p.cadence, p.start, p.end) == (cadence, start, end)
    assert parse_period(p.name) == p


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025-Q5", "2025-H3", "25-Q1", "", "Q1 2025"])
def test_bad_periods_say_what_is_expected(text):
    with pytest.raises(BadPeriod, match="YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY"):
        parse_period(text)


def test_utc_bounds_are_local_midnights():
    q1 = parse_period("2025-Q1")
    assert q1.utc_bounds("Europe/Moscow") == (datetime(2024, 12, 31, 21, tzinfo=UTC),
                                               datetime(2025, 3, 31, 21, tzinfo=UTC))
    assert q1.utc_bounds("Asia/Omsk") == (datetime(2024, 12, 31, 18, tzinfo=UTC),
                                           datetime(2025, 3, 31, 18, tzinfo=UTC))


def test_local_today_and_completed_periods():
    now = datetime(2025, 3, 31, 18, 30, tzinfo=UTC)  # 00:30 on 1 April in Omsk, 21:30 on 31 March in Moscow
    assert local_today("Asia/Omsk", now) == date(2025, 4, 1)
    assert local_today("Europe/Moscow", now) == date(2025, 3, 31)
    assert [p.name for p in completed_periods("quarter", date(2024, 11, 5), date(2025, 4, 1))] == [
        "2024-Q4", "2025-Q1"]
    assert completed_periods("quarter", date(2025, 1, 1), date(2025, 3, 31)) == []
    assert [p.name for p in parse_period("2025-H1").subperiods("quarter")] == ["2025-Q1", "2025-Q2"]
    assert period_containing(date(2025, 12, 31), "month").next().name == "2026-01"
    assert parse_period("2025-01").previous().name == "2024-12"
