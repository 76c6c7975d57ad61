"""The small-group rule of employee surveys: answers of internal clients are never shown for a group smaller than
the minimum (MIN_CELL_SIZE, default 5), after any filter, even in the office (DESIGN.md, Personal data)."""

from __future__ import annotations

from collections.abc import Hashable

from ..results.disclosure import suppress_breakdown


def hidden_cells(sizes: dict[Hashable, int], min_size: int) -> set:
    """The cells of one breakdown of a shown total to hide. The rule is `results.disclosure.suppress_breakdown`:
    small cells, then the next smallest until the hidden ones hold at least `min_size` together, so that 18
    respondents with 14 online do not give 4 offline back. Empty cells are hidden as well, as this function always
    did for employee surveys (its callers and their tests rely on it), although 0 is not a small group."""
    return set(suppress_breakdown(sizes, min_size)) | {key for key, n in sizes.items() if n == 0}
