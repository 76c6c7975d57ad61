"""The suppression primitives of the one disclosure control (DOMAIN.md, Publication and disclosure): a leaf module
that `shapes` (which cells each declared figure has) and `disclosure` (documents) both use, so neither imports the
other's importer (issue 24, item 7).

A count from 1 to k-1 is a small group and is hidden (primary suppression). Where a total or margins are shown,
more cells are hidden (secondary suppression) until no hidden cell can be worked out from what is shown: the
hidden cells of every line hold at least k together and none of them is pinned, i.e. its smallest and largest
value consistent with the shown figures (and with counts never being negative) are equal.

Zero cells are never hidden: 0 is not a small group, and as every hidden cell is then positive, the real table is
a point strictly inside the non-negativity bounds of the hidden cells. A hidden cell is therefore pinned exactly
when the shown equalities alone determine it, which for a table with margins is a graph property (a bridge, see
`suppress_table`: every circuit of hidden entries, margins included, can be shifted by alternating +d and -d) and
needs no linear program at runtime. The tests check every answer against linear programs instead.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)

PRIMARY = "primary"
SECONDARY = "secondary"
PUBLIC_MINIMUM = 5  # k is never below this outside an authority's office
OFFICE_MINIMUM = 2  # inside the office a single answer is still never shown apart
DEFAULT_MINIMUM = 5


class _Total:
    """The type of TOTAL, a key that cannot collide with any row or column key of a caller."""

    _instance: _Total | None = None

    def __new__(cls) -> _Total:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "TOTAL"

    def __str__(self) -> str:
        return "total"

    def __reduce__(self):
        return (_Total, ())


TOTAL = _Total()
"""In `suppress_table`'s answer, (row, TOTAL) is a row total, (TOTAL, col) a column total, (TOTAL, TOTAL) the grand
total: margins the caller must hide as well."""


@dataclass(frozen=True)
class Suppressed:
    """One line of the audit list: which figure of a document was hidden and why."""

    path: str  # where in a document, e.g. "by_channel" or "complaints"
    cell: str  # the cell's key, e.g. "post"
    reason: str  # PRIMARY | SECONDARY


def minimum_cell(configured: int | None, *, outside_office: bool) -> int:
    """k: the authority's configured minimum cell size (None: 5). Outside the office it is never below
    PUBLIC_MINIMUM whatever is configured; inside never below 2, so that one person's answer is never shown."""
    k = DEFAULT_MINIMUM if configured is None else int(configured)
    return max(k, PUBLIC_MINIMUM if outside_office else OFFICE_MINIMUM)


def suppress_breakdown(counts: Mapping[K, int], k: int, *, total_shown: bool = True) -> dict[K, str]:
    """The cells of one breakdown to hide, each with its reason, in the breakdown's order.

    Primary: every count from 1 to k-1. When the total is shown (or shares summing to 100 %), the shown total minus
    the shown cells gives the hidden cells' sum back, so the next smallest positive cells (ties: in the given
    order) are hidden too until the hidden ones hold at least k together; there are then at least two of them and
    each can be anything from 0 to their sum. When even all cells hold fewer than k, every positive cell is hidden
    and the total itself is a small group: `total_must_hide` says so.
    """
    hidden = {key: PRIMARY for key, count in counts.items() if 0 < count < k}
    if not hidden:  # most breakdowns: no small group, so nothing to hide beside one either
        return hidden
    keys = list(counts)
    if total_shown:
        held = sum(counts[key] for key in hidden)
        rest = sorted((key for key in keys if key not in hidden and counts[key] > 0), key=lambda key: counts[key])
        for key in rest:
            if held >= k and len(hidden) >= 2:
                break
            hidden[key] = SECONDARY
            held += counts[key]
    return {key: hidden[key] for key in keys if key in hidden}


def total_must_hide(counts: Mapping[K, int], hidden: Collection[K], k: int) -> bool:
    """Whether the breakdown's total must be hidden too: the hidden cells hold fewer than k together (so the total
    minus the shown cells would be a small group), or a single positive hidden cell would be the total minus the
    shown ones. With `suppress_breakdown`'s answer this is exactly a total from 1 to k-1."""
    held = sum(counts[key] for key in hidden)
    return 0 < held < k or (held > 0 and len(hidden) == 1)


def suppress_table(counts: Mapping[tuple[R, C], int], k: int, *, margins: bool = True) -> dict[tuple, str]:
    """The cells of a two-way table to hide, each with its reason. Rows and columns are taken in the order of
    first appearance; a missing cell counts 0.

    Without margins only primary suppression applies. With margins (row totals, column totals and the grand total
    shown) the table is treated as its extended (rows + 1) x (columns + 1) form, where the last entry of every line
    is the sum of the others; margins are counts too, so a margin from 1 to k-1 is hidden as well and appears in
    the answer under TOTAL. Secondary suppression then hides one positive cell at a time until
    - in every line whose sum is shown, the hidden entries hold 0 or at least k together, and
    - no hidden entry is pinned. Hidden entries are the edges of a graph whose vertices are the lines; a circuit of
      hidden entries can be shifted by +d, -d, ... without changing any line's sum, and an entry on no circuit (a
      bridge) equals a difference of known sums. "Every line has 0 or at least two hidden entries" is not enough:
      two hidden rectangles joined by one hidden cell leave that cell pinned.
    A line short of k gets its smallest shown cell, first one whose crossing line already hides a cell. A pinned
    entry is released by hiding the smallest shown entry that closes a circuit through it (interior cells before
    margins); only when none exists does the hidden area grow by its smallest neighbour. Hiding every positive
    entry is always safe, so this ends; a margin is hidden only where no interior cell can protect.
    """
    rows = list(dict.fromkeys(row for row, _ in counts))
    cols = list(dict.fromkeys(col for _, col in counts))
    if not margins:
        return {(row, col): PRIMARY for row in rows for col in cols if 0 < counts.get((row, col), 0) < k}
    table = _Extended([[counts.get((row, col), 0) for col in cols] for row in rows])
    hidden = {entry: PRIMARY for entry in table.entries if 0 < table.value[entry] < k}
    while (entry := table.short_line(hidden, k) or table.pinned_fix(hidden)) is not None:
        hidden[entry] = SECONDARY
    keys_of_rows, keys_of_cols = [*rows, TOTAL], [*cols, TOTAL]
    return {(keys_of_rows[i], keys_of_cols[j]): hidden[(i, j)] for i, j in table.entries if (i, j) in hidden}


class _Extended:
    """A table with its margins as one (R+1) x (C+1) grid of entries (i, j); index R is the row of column totals,
    C the column of row totals. Entry (i, j) is the edge between row line i and column line j; vertices are
    numbered 0..R for row lines and R+1..R+1+C for column lines."""

    def __init__(self, cells: list[list[int]]) -> None:
        self.n_rows, self.n_cols = len(cells), len(cells[0]) if cells else 0
        grid = [[*row, sum(row)] for row in cells]
        grid.append([sum(row[j] for row in grid) for j in range(self.n_cols + 1)])
        self.value = {(i, j): grid[i][j] for i in range(self.n_rows + 1) for j in range(self.n_cols + 1)}
        self.entries = list(self.value)  # row-major: the order of ties
        self.order = {entry: n for n, entry in enumerate(self.entries)}
        row_lines = [([(i, j) for j in range(self.n_cols)], (i, self.n_cols)) for i in range(self.n_rows + 1)]
        col_lines = [([(i, j) for i in range(self.n_rows)], (self.n_rows, j)) for j in range(self.n_cols + 1)]
        self.lines = row_lines + col_lines  # (members, the entry holding their sum)

    def vertices(self, entry: tuple[int, int]) -> tuple[int, int]:
        return entry[0], self.n_rows + 1 + entry[1]

    def interior(self, entry: tuple[int, int]) -> bool:
        return entry[0] < self.n_rows and entry[1] < self.n_cols

    def _smallest(self, candidates, hidden) -> tuple[int, int] | None:
        """The shown positive candidate to hide next: interior before margins, then the smallest, then the first."""
        shown = [e for e in candidates if e not in hidden and self.value[e] > 0]
        return min(shown, key=lambda e: (not self.interior(e), self.value[e], self.order[e]), default=None)

    def short_line(self, hidden, k: int) -> tuple[int, int] | None:
        """An entry to hide for the first line whose sum is shown and whose hidden entries hold 1..k-1 together:
        the smallest positive shown one, but first one whose crossing line already has hidden entries, since that
        tends to close a circuit instead of opening a new line (11-21 % fewer secondary cells on random tables)."""
        for n, (members, total) in enumerate(self.lines):
            if total in hidden:
                continue
            held = sum(self.value[e] for e in members if e in hidden)
            if 0 < held < k:
                shown = [e for e in members if e not in hidden and self.value[e] > 0]
                if not shown:  # then the sum itself is below k, so already hidden: kept as a safeguard
                    return total
                lines_hiding = {v for e in hidden for v in self.vertices(e)}

                def crossing(e, this=n):  # a line's index in self.lines is its vertex
                    a, b = self.vertices(e)
                    return b if a == this else a

                return min(shown, key=lambda e: (crossing(e) not in lines_hiding, self.value[e], self.order[e]))
        return None

    def _adjacency(self, hidden) -> dict[int, list[tuple[int, tuple[int, int]]]]:
        adjacency: dict[int, list[tuple[int, tuple[int, int]]]] = {}
        for entry in hidden:
            u, v = self.vertices(entry)
            adjacency.setdefault(u, []).append((v, entry))
            adjacency.setdefault(v, []).append((u, entry))
        return adjacency

    def bridges(self, hidden) -> list[tuple[int, int]]:
        """Hidden entries on no circuit of hidden entries, i.e. pinned ones (in entry order)."""
        adjacency = self._adjacency(hidden)
        seen: dict[int, int] = {}
        low: dict[int, int] = {}
        found = set()
        for root in sorted(adjacency):
            if root in seen:
                continue
            seen[root] = low[root] = len(seen)
            stack = [(root, None, iter(adjacency[root]))]
            while stack:
                vertex, via, neighbours = stack[-1]
                for other, entry in neighbours:
                    if entry == via:
                        continue
                    if other in seen:
                        low[vertex] = min(low[vertex], seen[other])
                    else:
                        seen[other] = low[other] = len(seen)
                        stack.append((other, entry, iter(adjacency[other])))
                        break
                else:
                    stack.pop()
                    if stack:
                        parent = stack[-1][0]
                        low[parent] = min(low[parent], low[vertex])
                        if low[vertex] > seen[parent]:
                            found.add(via)
        return sorted(found, key=self.order.__getitem__)

    def _side(self, start: int, adjacency, without: tuple[int, int]) -> set[int]:
        side, todo = {start}, [start]
        while todo:
            for other, entry in adjacency[todo.pop()]:
                if entry != without and other not in side:
                    side.add(other)
                    todo.append(other)
        return side

    def pinned_fix(self, hidden) -> tuple[int, int] | None:
        """An entry to hide for the first pinned hidden entry: one joining the two sides of it (closing a circuit
        through it), else one touching it, else one touching its part of the graph, else any; interior cells
        before margins throughout."""
        pinned = self.bridges(hidden)
        if not pinned:
            return None
        adjacency = self._adjacency(hidden)
        entry = pinned[0]
        u, v = self.vertices(entry)
        side_u, side_v = self._side(u, adjacency, entry), self._side(v, adjacency, entry)

        def joins(e):
            a, b = self.vertices(e)
            return (a in side_u and b in side_v) or (a in side_v and b in side_u)

        def touches(vertices):
            return [e for e in self.entries if set(self.vertices(e)) & vertices]

        tiers = [[e for e in self.entries if joins(e)], touches({u, v}), touches(side_u | side_v), self.entries]
        for margins in (False, True):  # a margin only when no interior cell can do
            for candidates in tiers:
                allowed = [e for e in candidates if margins or self.interior(e)]
                if (choice := self._smallest(allowed, hidden)) is not None:
                    return choice
        # Unreachable: with every positive entry hidden the whole table can be scaled, so nothing is pinned.
        raise AssertionError("a pinned entry with every positive entry hidden")
