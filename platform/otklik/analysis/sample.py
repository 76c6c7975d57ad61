"""Sample size for an additional collection (DOMAIN.md): Cochran's formula with the finite population correction.

n0 = z^2 p (1 - p) / e^2 with p = 0.5; n = n0 / (1 + (n0 - 1) / N), rounded up. N = 1000 at 95 % and 5 % -> 278.
"""

from __future__ import annotations

import math
from statistics import NormalDist


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
