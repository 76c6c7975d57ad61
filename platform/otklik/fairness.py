"""Fair comparison of authorities (DOMAIN.md, "Comparison of authorities"): a share with its Wilson interval, the
exact binomial limits of a funnel plot around the pooled share, and a verdict instead of a rank.

Core statistics, so that the Centre's page, its command and the analytical report (5.1.6: the authority's position
in the funnel plots) judge an authority the same way. Nothing here reads the database.

The verdict is an exact binomial test at the funnel's outer limits: with X ~ Binomial(n, p0), the 99.8 % limits
are the 0.1 % and 99.9 % quantiles of X over n. A count strictly above the upper quantile has P(X >= x) <= 0.1 %,
one strictly below the lower has P(X <= x) < 0.1 %: "above" / "below the others"; anything between is
"consistent". Under the minimum volume (default 30) there is no verdict: a small body is never judged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .prevalence import z_of

LEVELS = {"95": 0.95, "99.8": 0.998}
"""The funnel's two limits (Spiegelhalter's 2 and 3 standard deviations, as exact binomial quantiles)."""
VERDICT_LEVEL = "99.8"
MIN_VOLUME = 30
VERDICTS = ("below", "consistent", "above")


def share(successes: int, n: int) -> float | None:
    return successes / n if n else None


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval of successes / n as fractions (12 of 40 -> 0.181..0.454); None when n = 0.

    The closed formula, not `prevalence.wilson` (scipy's binomtest): the Centre computes tens of thousands of
    intervals per page, and binomtest also runs a test per call (tests check both against statsmodels)."""
    if not n:
        return None
    z = _z(level)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@lru_cache(maxsize=16)
def _z(level: float) -> float:
    return z_of(level)


@lru_cache(maxsize=65536)
def binomial_limits(p0: float, n: int, level: float) -> tuple[float, float]:
    """(low, high) of a share of n under the pooled share p0: the (1 - level) / 2 and (1 + level) / 2 quantiles
    of Binomial(n, p0), over n (exact, so a small n gets the wide, stepped limits it deserves)."""
    from scipy.stats import binom

    if n <= 0:
        raise ValueError("a funnel limit needs a volume of at least 1")
    if not 0 <= p0 <= 1:
        raise ValueError(f"the pooled share must lie between 0 and 1, got {p0!r}")
    tail = (1 - level) / 2
    low, high = binom.ppf(tail, n, p0), binom.ppf(1 - tail, n, p0)
    return float(low) / n, float(high) / n


def funnel_limits(p0: float, n: int) -> dict[str, tuple[float, float]]:
    """{"95": (low, high), "99.8": (low, high)} of a share of volume n around p0."""
    return {name: binomial_limits(p0, n, level) for name, level in LEVELS.items()}


def pooled_share(pairs: Iterable[tuple[int, int]]) -> float | None:
    """All authorities' successes over all their volumes (not the mean of their shares: a large body weighs
    more); None when no volume."""
    successes = total = 0
    for s, n in pairs:
        successes += s
        total += n
    return successes / total if total else None


def verdicts(pairs: Sequence[tuple[int, int]], p0: float | None, min_volume: int = MIN_VOLUME) -> list[str | None]:
    """`verdict` of many (successes, n) at once (one vectorised quantile call for all the distinct volumes:
    thousands of authorities share a few hundred volumes)."""
    import numpy as np
    from scipy.stats import binom

    out: list[str | None] = [None] * len(pairs)
    judged = [i for i, (s, n) in enumerate(pairs) if s is not None and n and n >= max(1, min_volume)]
    if p0 is None or not judged:
        return out
    volumes, where = np.unique(np.array([pairs[i][1] for i in judged]), return_inverse=True)
    tail = (1 - LEVELS[VERDICT_LEVEL]) / 2
    lows = (binom.ppf(tail, volumes, p0) / volumes)[where]
    highs = (binom.ppf(1 - tail, volumes, p0) / volumes)[where]
    for i, low, high in zip(judged, lows, highs, strict=True):
        observed = pairs[i][0] / pairs[i][1]
        out[i] = "above" if observed > high else "below" if observed < low else "consistent"
    return out


def verdict(successes: int | None, n: int | None, p0: float | None, min_volume: int = MIN_VOLUME) -> str | None:
    """"below", "consistent" or "above" the others (outside the 99.8 % limits around p0); None under the minimum
    volume, or when there is nothing to compare with."""
    if successes is None or not n or p0 is None or n < max(1, min_volume):
        return None
    low, high = binomial_limits(p0, n, LEVELS[VERDICT_LEVEL])
    observed = successes / n
    if observed > high:
        return "above"
    if observed < low:
        return "below"
    return "consistent"


def funnel_curve(p0: float, n_max: int, points: int = 60) -> list[dict]:
    """The limits drawn as lines, at volumes spread from 1 to n_max (geometrically: the funnel narrows fast at
    first): [{"n", "95": (lo, hi), "99.8": (lo, hi)}]."""
    if n_max < 1:
        return []
    volumes = sorted({max(1, round(n_max ** (i / (points - 1)))) for i in range(points)} | {n_max})
    return [{"n": n, **funnel_limits(p0, n)} for n in volumes]
