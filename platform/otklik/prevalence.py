"""Prevalence of a problem (DOMAIN.md): whole percent rounded half up, then a band from the prevalence hook; and the
sample size an additional collection needs to measure it (Cochran with the finite population correction).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

OMSK_BANDS = {"high": 81, "medium": 31}  # Omsk 16: high 81-100, medium 31-80, low 0-30


def percent_half_up(part: int, whole: int) -> int | None:
    """part / whole in whole percent, 0.5 rounded up (Python's round() would round half to even)."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def band(percent: int, high_from: int = OMSK_BANDS["high"], medium_from: int = OMSK_BANDS["medium"]) -> str:
    if percent >= high_from:
        return "high"
    if percent >= medium_from:
        return "medium"
    return "low"


def prevalence_level(tenant, percent: int | None) -> str | None:
    """The tenant's band of a prevalence: its plugin's answer, or Omsk's bands when no plugin answers."""
    if percent is None:
        return None
    from .plugins import get_plugin_manager

    answer = get_plugin_manager().call(tenant, "otklik_prevalence_level", percent=percent)
    return answer or band(percent)


Z95 = 1.959964  # DOMAIN.md: the Wilson score interval at 95 %


def wilson(part: int, whole: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval of part / whole, as fractions (DOMAIN.md: 12 of 40 -> 0.181..0.454); None for
    whole = 0. scipy's binomtest computes it, so the formula is not ours to get wrong."""
    if not whole:
        return None
    from scipy.stats import binomtest

    ci = binomtest(int(part), int(whole)).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def pain_priority(tenant, level: str | None) -> str | None:
    """The priority a pain's band calls for: the tenant's plugin answers (Omsk 16: priority follows
    prevalence); with no answer, the band itself."""
    if level is None:
        return None
    from .plugins import get_plugin_manager

    return get_plugin_manager().call(tenant, "otklik_pain_priority", band=level) or level


# Sample size for an additional collection (DOMAIN.md): n0 = z^2 p (1 - p) / e^2 with p = 0.5;
# n = n0 / (1 + (n0 - 1) / N), rounded up. N = 1000 at 95 % and 5 % -> 278. Core, so that the analysis's signals
# and the pain map's additional collections compute it the same way.


def z_of(confidence: float) -> float:
    """Two-sided z of a confidence level (0.95 -> 1.95996...)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def sample_size(population: int | None, confidence: float = 0.95, margin: float = 0.05, p: float = 0.5) -> int:
    """Respondents to survey out of a general population of `population` (None or 0: an infinite population)."""
    if not 0 < margin < 1:
        raise ValueError(f"margin must be between 0 and 1, got {margin!r}")
    z = z_of(confidence)
    n0 = z * z * p * (1 - p) / (margin * margin)
    if population:
        if population < 0:
            raise ValueError("population must not be negative")
        n = n0 / (1 + (n0 - 1) / population)
        # A float error must not push an exact whole number up: 277.0000000001 is 277.
        return min(population, math.ceil(round(n, 9)))
    return math.ceil(round(n0, 9))
