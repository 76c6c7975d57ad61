"""The small-group rule of employee surveys: answers of internal clients are never shown for a group smaller than
the minimum (MIN_CELL_SIZE, default 5), after any filter, even in the office (DESIGN.md, Personal data)."""

from __future__ import annotations

from collections.abc import Hashable


def hidden_cells(sizes: dict[Hashable, int], min_size: int) -> set:
    """The cells of one breakdown to hide: every cell of fewer than `min_size` (primary), then the next smallest
    cells until the hidden ones hold at least `min_size` together (secondary). Without the second step a shown
    total minus the shown cells would give a small cell back (18 respondents, 14 online: 4 offline)."""
    hidden = {key for key, n in sizes.items() if n < min_size}
    hidden_total = sum(sizes[key] for key in hidden)
    for key, n in sorted(sizes.items(), key=lambda kv: kv[1]):
        if not 0 < hidden_total < min_size:
            break
        if key not in hidden:
            hidden.add(key)
            hidden_total += n
    return hidden
