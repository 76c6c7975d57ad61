"""Fair comparison statistics (issue 13, item 2; DOMAIN.md, comparison of authorities): Wilson intervals and
funnel limits by hand and against statsmodels, the pooled share, and the verdict on constructed data."""

import math

import pytest
from statsmodels.stats.proportion import proportion_confint

from otklik.fairness import funnel_curve, funnel_limits, pooled_share, verdict, wilson_interval


def test_wilson_by_hand_the_domain_example():
    # 12 of 40: p = 0.3, z = 1.959964; centre (p + z^2/2n) / (1 + z^2/n), half-width z/(1 + z^2/n) sqrt(p(1-p)/n + z^2/4n^2)
    z, n, p = 1.959964, 40, 0.3
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson_interval(12, 40)
    assert (round(low, 3), round(high, 3)) == (0.181, 0.454)  # the figures DOMAIN.md gives
    assert low == pytest.approx(centre - half, abs=1e-6) and high == pytest.approx(centre + half, abs=1e-6)


@pytest.mark.parametrize("successes,n", [(0, 1), (0, 30), (1, 7), (12, 40), (30, 30), (517, 2000), (3, 1000)])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_wilson_agrees_with_statsmodels(successes, n, level):
    low, high = proportion_confint(successes, n, alpha=1 - level, method="wilson")
    assert wilson_interval(successes, n, level) == pytest.approx((low, high), abs=1e-9)


def test_no_interval_without_volume():
    assert wilson_interval(0, 0) is None


def _cdf(r, n, p):
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(r + 1))


def _quantile(q, n, p):
    """Smallest r with P(X <= r) >= q, by summing the binomial terms."""
    return next(r for r in range(n + 1) if _cdf(r, n, p) >= q - 1e-12)


def test_funnel_limits_by_hand_n10_half():
    # Binomial(10, 0.5): P(X<=1) = 11/1024, P(X<=2) = 56/1024, P(X<=0) = 1/1024, P(X<=8) = 1013/1024,
    # P(X<=9) = 1023/1024. 95 %: 2.5 % -> 2, 97.5 % -> 8. 99.8 %: 0.1 % -> 1 (1/1024 < 0.001), 99.9 % -> 9.
    assert funnel_limits(0.5, 10) == {"95": (0.2, 0.8), "99.8": (0.1, 0.9)}


@pytest.mark.parametrize("p0,n", [(0.1, 25), (0.3, 40), (0.62, 200), (0.05, 1000)])
def test_funnel_limits_are_the_exact_binomial_quantiles(p0, n):
    limits = funnel_limits(p0, n)
    for name, level in (("95", 0.95), ("99.8", 0.998)):
        tail = (1 - level) / 2
        assert limits[name] == pytest.approx((_quantile(tail, n, p0) / n, _quantile(1 - tail, n, p0) / n))
    # the 99.8 % limits hold the 95 % ones
    assert limits["99.8"][0] <= limits["95"][0] <= p0 <= limits["95"][1] <= limits["99.8"][1]


def test_the_funnel_narrows_with_volume():
    curve = funnel_curve(0.3, 5000)
    widths = [c["99.8"][1] - c["99.8"][0] for c in curve]
    assert curve[0]["n"] == 1 and curve[-1]["n"] == 5000
    assert widths[-1] < 0.05 < widths[len(widths) // 3]


def test_pooled_share_weighs_by_volume():
    # 10 of 100 and 90 of 100 -> 100 / 200; 1 of 1 and 10 of 100 -> 11 / 101, not the mean of 1.0 and 0.1
    assert pooled_share([(10, 100), (90, 100)]) == 0.5
    assert pooled_share([(1, 1), (10, 100)]) == pytest.approx(11 / 101)
    assert pooled_share([]) is None and pooled_share([(0, 0)]) is None


def test_verdict_on_constructed_data():
    p0 = 0.3
    # n = 200 under p0 = 0.3: the 99.8 % limits are the 0.1 % and 99.9 % quantiles, counted by hand
    lo, hi = _quantile(0.001, 200, p0), _quantile(0.999, 200, p0)
    assert verdict(hi + 1, 200, p0) == "above"
    assert verdict(hi, 200, p0) == "consistent"
    assert verdict(lo, 200, p0) == "consistent"
    assert verdict(lo - 1, 200, p0) == "below"
    assert verdict(60, 200, p0) == "consistent"


def test_a_small_body_never_gets_a_verdict():
    # 29 of 29 satisfied against a pooled 30 %: far above, but under the minimum volume of 30
    assert verdict(29, 29, 0.3) is None
    assert verdict(0, 12, 0.9) is None
    assert verdict(30, 30, 0.3) == "above"  # at the minimum it is judged
    assert verdict(29, 29, 0.3, min_volume=10) == "above"  # the minimum is a setting
    assert verdict(5, 0, 0.3) is None and verdict(5, 40, None) is None


def test_verdicts_at_once_are_the_verdicts_one_by_one():
    from otklik.fairness import verdicts

    pairs = [(0, 0), (29, 29), (10, 100), (30, 100), (45, 100), (300, 1000), (262, 1000), (340, 1000), (None, 50)]
    assert verdicts(pairs, 0.3) == [verdict(s, n, 0.3) for s, n in pairs]
    assert verdicts(pairs, None) == [None] * len(pairs)
