"""Prevalence of a problem (DOMAIN.md): whole percent rounded half up, then a band from the prevalence hook."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

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
