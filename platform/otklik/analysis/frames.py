"""Helpers shared by the metric computations: shares, weighted quantiles, JSON-clean numbers.

Conventions of the result document (docs/ANALYSIS.md): shares are fractions 0..1 rounded to 4 decimals,
means, medians and percentiles are rounded to 2; a share whose denominator is 0 is null (not 0), so "no
complaints" reads differently from "no complaint was satisfied"; no NaN or infinity ever reaches the document.
"""

from __future__ import annotations

import math
from numbers import Number

SHARE_DIGITS = 4
STAT_DIGITS = 2


def share(part, whole) -> float | None:
    if not whole:
        return None
    return round(float(part) / float(whole), SHARE_DIGITS)


def stat(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    return round(value, STAT_DIGITS)


def counted(counts, total) -> dict:
    """{key: count} (pandas Series or dict), largest first -> {key: {"count", "share"}} with shares of `total`."""
    items = counts.items() if hasattr(counts, "items") else counts
    ordered = sorted(((str(k), int(v)) for k, v in items if int(v)), key=lambda kv: (-kv[1], kv[0]))
    return {k: {"count": v, "share": share(v, total)} for k, v in ordered}


def weighted_quantile(values: list[float], weights: list[int], q: float) -> float | None:
    """The q-quantile of the values repeated by their weights, interpolated linearly between order
    statistics (numpy's and pandas' default), computed from the histogram without expanding it."""
    pairs = sorted((float(v), int(w)) for v, w in zip(values, weights, strict=True) if int(w) > 0)
    n = sum(w for _, w in pairs)
    if not n:
        return None
    h = (n - 1) * q
    lo_rank, hi_rank = math.floor(h), math.ceil(h)

    def at(rank: int) -> float:
        seen = 0
        for v, w in pairs:
            seen += w
            if rank < seen:
                return v
        return pairs[-1][0]

    lo, hi = at(lo_rank), at(hi_rank)
    return lo + (h - lo_rank) * (hi - lo)


def json_clean(value):
    """numpy scalars to Python, NaN and infinities to None, keys to str, tuples to lists, recursively."""
    if isinstance(value, dict):
        return {str(k): json_clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_clean(v) for v in value]
    if value is None or isinstance(value, bool | str):
        return value
    if type(value).__module__ == "numpy" and hasattr(value, "item"):  # numpy scalar -> Python
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Number):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
