"""The one disclosure control of counts that leave an authority's office (DOMAIN.md, Publication and disclosure):
documents and declared figures, walked by their shapes. The suppression primitives (primary and secondary, one-way
breakdowns and two-way tables with margins) are in `suppression`, which `shapes` uses too; they are re-exported
here, the name every caller knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .document import declarations, upgrade
from .shapes import Count, DiscloseContext
from .suppression import (  # noqa: F401  (re-exported: the one disclosure control's names)
    DEFAULT_MINIMUM,
    OFFICE_MINIMUM,
    PRIMARY,
    PUBLIC_MINIMUM,
    SECONDARY,
    TOTAL,
    Suppressed,
    minimum_cell,
    suppress_breakdown,
    suppress_table,
    total_must_hide,
)

# Documents: every figure that leaves an office goes through `disclose`, driven by the declared shapes.


class UndeclaredShape(ValueError):
    """A figure whose shape nobody declared: it cannot be disclosed safely, so nothing is."""


@dataclass
class Disclosed:
    """A document (or a set of declared figures) as it may leave the office, and what was hidden on the way."""

    values: dict
    audit: list[Suppressed]

    def hidden(self, path: str, cell: str | None = None) -> bool:
        return any(s.path == path and (cell is None or s.cell == cell) for s in self.audit)


# Keys of a document that describe it; they carry no figure and go out as they are.
PLAIN_KEYS = ("schema", "tenant", "kind", "period", "cadence", "period_start", "period_end", "timezone",
              "computed_at")
# Keys that stay in the office: internal counts, signals and conclusions (free text).
OFFICE_KEYS = ("inputs", "signals", "conclusions")


def disclose_values(values: dict, shapes: Mapping, k: int) -> Disclosed:
    """Figures declared by `shapes` ({key: Shape}), each through its shape's disclosure, counts first (the
    breakdowns of a hidden total are hidden with it). Refuses a figure with no declared shape."""
    undeclared = [key for key in values if key not in shapes or shapes[key] is None]
    if undeclared:
        raise UndeclaredShape(f"no declared shape for {', '.join(sorted(undeclared))}: nothing is disclosed")
    ctx = DiscloseContext(k=k, doc=values)
    out: dict = {}
    for key in sorted(values, key=lambda key: not isinstance(shapes[key], Count)):
        shown = shapes[key].disclose(values[key], key, ctx)
        if shown is not None or not shapes[key].free_text:
            out[key] = shown
    return Disclosed({key: out[key] for key in values if key in out}, ctx.audit)


def disclose(doc: dict, k: int) -> Disclosed:
    """A stored analysis document as it may leave its authority's office (`k` from `minimum_cell(...,
    outside_office=True)`): read through its declarations, every metric disclosed by its shape, free text and
    office-only keys left behind. A metric no plugin declares raises UndeclaredShape."""
    if k < PUBLIC_MINIMUM:
        raise ValueError(f"k = {k} is below {PUBLIC_MINIMUM}, the least allowed outside the office")
    doc = upgrade(dict(doc))
    declared = declarations(str(doc.get("kind")))
    figures = {key: v for key, v in doc.items() if key not in PLAIN_KEYS and key not in OFFICE_KEYS}
    result = disclose_values(figures, {key: getattr(declared.get(key), "shape", None) for key in figures}, k)
    plain = {key: doc[key] for key in PLAIN_KEYS if key in doc}
    return Disclosed({**plain, **result.values}, result.audit)
