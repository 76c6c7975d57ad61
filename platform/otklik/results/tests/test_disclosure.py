"""Disclosure control: small cells and the cells hidden so that they cannot be worked out from shown totals.

Whether a hidden cell is safe is checked here on its own terms, with a linear program per hidden cell (its
smallest and largest value consistent with everything shown and with counts never being negative), not through
the code under test.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from otklik.results.disclosure import (
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
from otklik.surveys.small_groups import hidden_cells

# -- an independent audit --------------------------------------------------------------------------------------


def _ranges(variables: list, equations: list[tuple[dict, float]]) -> dict:
    """{variable: (min, max)} over non-negative values satisfying every equation ({variable: coefficient}, rhs);
    max is inf when nothing bounds it."""
    index = {v: n for n, v in enumerate(variables)}
    a_eq = np.array([[coef.get(v, 0) for v in variables] for coef, _ in equations], dtype=float)
    b_eq = np.array([rhs for _, rhs in equations], dtype=float)
    kwargs = {"A_eq": a_eq, "b_eq": b_eq} if equations else {}
    out = {}
    for v in variables:
        c = np.zeros(len(variables))
        c[index[v]] = 1
        low = linprog(c, bounds=(0, None), method="highs", **kwargs)
        high = linprog(-c, bounds=(0, None), method="highs", **kwargs)
        assert low.status == 0, low.message  # the real figures are always a solution
        out[v] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return out


def breakdown_ranges(counts: dict, hidden, total_shown: bool) -> dict:
    equations = []
    if total_shown:
        rest = sum(counts.values()) - sum(n for key, n in counts.items() if key not in hidden)
        equations.append(({key: 1 for key in hidden}, rest))
    return _ranges(list(hidden), equations)


def extended(cells: list[list[int]]) -> dict:
    """The table with its margins: {(i, j): value}, index len(rows) / len(cols) for the totals."""
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(col) for col in zip(*grid, strict=True)])
    return {(i, j): v for i, row in enumerate(grid) for j, v in enumerate(row)}


def table_lines(n_rows: int, n_cols: int) -> list[tuple[list, tuple]]:
    """Every line of the extended table: (its entries, the entry holding their sum)."""
    rows = [([(i, j) for j in range(n_cols)], (i, n_cols)) for i in range(n_rows + 1)]
    cols = [([(i, j) for i in range(n_rows)], (n_rows, j)) for j in range(n_cols + 1)]
    return rows + cols


def table_ranges(cells: list[list[int]], hidden: set) -> dict:
    """Ranges of the hidden entries (cells and margins) given every shown entry and that each line adds up."""
    grid = extended(cells)
    equations = []
    for members, total in table_lines(len(cells), len(cells[0])):
        coef = {e: 1 for e in members if e in hidden}
        rhs = -sum(grid[e] for e in members if e not in hidden)
        if total in hidden:
            coef[total] = -1
        else:
            rhs += grid[total]
        if coef:
            equations.append((coef, rhs))
    return _ranges(sorted(hidden), equations)


def as_grid(table: dict, cells: list[list[int]]) -> set:
    """`suppress_table`'s keys as (i, j) of the extended table."""
    n_rows, n_cols = len(cells), len(cells[0])
    return {(n_rows if r is TOTAL else r, n_cols if c is TOTAL else c) for r, c in table}


def mapping(cells: list[list[int]]) -> dict:
    return {(i, j): v for i, row in enumerate(cells) for j, v in enumerate(row)}


def naive_table(cells: list[list[int]], k: int) -> set:
    """The rule that is NOT enough: every row and column with a hidden cell gets at least two holding k."""
    n_rows, n_cols = len(cells), len(cells[0])
    hidden = {(i, j) for i in range(n_rows) for j in range(n_cols) if 0 < cells[i][j] < k}
    lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    while True:
        for line in lines:
            mine = [e for e in line if e in hidden]
            if mine and (len(mine) < 2 or sum(cells[i][j] for i, j in mine) < k):
                shown = [e for e in line if e not in hidden and cells[e[0]][e[1]] > 0]
                hidden.add(min(shown, key=lambda e: (cells[e[0]][e[1]], e)))
                break
        else:
            return hidden


def pinned(ranges: dict) -> set:
    return {key for key, (low, high) in ranges.items() if high - low < 1e-7}


# -- k ----------------------------------------------------------------------------------------------------------


def test_minimum_cell():
    assert minimum_cell(None, outside_office=True) == 5
    assert minimum_cell(None, outside_office=False) == 5
    assert minimum_cell(10, outside_office=True) == 10
    assert minimum_cell(3, outside_office=True) == PUBLIC_MINIMUM  # an authority cannot publish below five
    assert minimum_cell(3, outside_office=False) == 3
    assert minimum_cell(1, outside_office=False) == 2
    assert minimum_cell(0, outside_office=False) == 2


# -- one breakdown ----------------------------------------------------------------------------------------------


def test_a_small_cell_and_the_next_smallest():
    counts = {"website": 10, "email": 11, "pos": 5, "post": 4}  # 30
    hidden = suppress_breakdown(counts, 5)
    assert hidden == {"pos": SECONDARY, "post": PRIMARY}
    assert not total_must_hide(counts, hidden, 5)
    assert all(low == 0 and high == 9 for low, high in breakdown_ranges(counts, hidden, True).values())


def test_two_cells_both_hidden_the_total_stays():
    counts = {"online": 14, "offline": 4}  # 18: hiding 4 alone gives it back as 18 - 14
    hidden = suppress_breakdown(counts, 5)
    assert hidden == {"online": SECONDARY, "offline": PRIMARY}
    assert not total_must_hide(counts, hidden, 5)  # 18 shown: each of them anything from 0 to 18
    assert breakdown_ranges(counts, hidden, True) == {"online": (0, 18), "offline": (0, 18)}


def test_all_cells_below_k_hide_the_total():
    counts = {"a": 2, "b": 1, "c": 0}
    hidden = suppress_breakdown(counts, 5)
    assert hidden == {"a": PRIMARY, "b": PRIMARY}  # 0 is shown: it is not a small group
    assert total_must_hide(counts, hidden, 5)  # a total of 3 is a small group itself
    single = {"a": 3, "b": 0}
    assert suppress_breakdown(single, 5) == {"a": PRIMARY}
    assert total_must_hide(single, suppress_breakdown(single, 5), 5)


def test_zero_cells():
    assert suppress_breakdown({"a": 0, "b": 0, "c": 12}, 5) == {}
    counts = {"a": 3, "z": 0, "b": 20, "c": 30}  # the zero is skipped, the next positive cell is hidden
    assert suppress_breakdown(counts, 5) == {"a": PRIMARY, "b": SECONDARY}
    assert not total_must_hide({"a": 0, "b": 12}, {}, 5)
    assert not total_must_hide({"a": 0, "b": 12}, {"a"}, 5)  # a hidden 0 alone gives nothing away


def test_k_ten_and_ties_in_order():
    counts = {"a": 6, "b": 12, "c": 12, "d": 40, "e": 0}
    assert suppress_breakdown(counts, 10) == {"a": PRIMARY, "b": SECONDARY}
    assert suppress_breakdown({"a": 9, "b": 12, "c": 12}, 10) == {"a": PRIMARY, "b": SECONDARY}
    assert suppress_breakdown({"c": 12, "b": 12, "a": 9}, 10) == {"c": SECONDARY, "a": PRIMARY}
    assert suppress_breakdown({"a": 1, "b": 1, "c": 7, "d": 30}, 10) == {"a": PRIMARY, "b": PRIMARY,
                                                                        "c": PRIMARY, "d": SECONDARY}


def test_without_a_total_only_small_cells():
    assert suppress_breakdown({"a": 4, "b": 14}, 5, total_shown=False) == {"a": PRIMARY}


def test_small_groups_wrapper_keeps_its_callers_behaviour():
    assert hidden_cells({"online": 14, "offline": 4}, 5) == {"online", "offline"}
    assert hidden_cells({"yes": 6, "no": 3, "hard": 0}, 5) == {"yes", "no", "hard"}
    assert hidden_cells({"yes": 9, "no": 0}, 5) == {"no"}


def _old_hidden_cells(sizes, min_size):
    """small_groups.hidden_cells before it called suppress_breakdown."""
    hidden = {key for key, n in sizes.items() if n < min_size}
    hidden_total = sum(sizes[key] for key in hidden)
    for key, n in sorted(sizes.items(), key=lambda kv: kv[1]):
        if not 0 < hidden_total < min_size:
            break
        if key not in hidden:
            hidden.add(key)
            hidden_total += n
    return hidden


@settings(max_examples=200, deadline=None)
@given(counts=st.lists(st.integers(0, 30), max_size=8), k=st.integers(2, 10))
def test_small_groups_wrapper_is_the_old_rule(counts, k):
    sizes = {f"c{n}": v for n, v in enumerate(counts)}
    assert hidden_cells(sizes, k) == _old_hidden_cells(sizes, k)


def test_suppressed_audit_line():
    line = Suppressed(path="by_channel", cell="post", reason=PRIMARY)
    assert line == Suppressed("by_channel", "post", "primary")
    with pytest.raises(AttributeError):
        line.reason = SECONDARY  # type: ignore[misc]


# -- a table with margins -----------------------------------------------------------------------------------------


def test_one_small_cell_hides_a_rectangle():
    cells = [[10, 12, 15], [11, 3, 20], [14, 16, 18]]
    hidden = suppress_table(mapping(cells), 5)
    assert hidden == {(0, 0): SECONDARY, (0, 1): SECONDARY, (1, 0): SECONDARY, (1, 1): PRIMARY}
    assert not pinned(table_ranges(cells, set(hidden)))
    # The 3 can be anything from 0 to 14: its row's hidden cells hold 14 (11 + 3), its column's 15 (12 + 3).
    assert table_ranges(cells, set(hidden))[(1, 1)] == pytest.approx((0, 14))


def test_a_bridge_the_row_and_column_rule_leaves_pinned():
    """Every row and column below has 0 or at least two hidden cells holding at least 5 under the naive rule,
    yet the cell joining its two hidden circuits is its row total minus known sums."""
    cells = [[24, 4, 36, 35], [14, 36, 5, 17], [23, 18, 36, 34], [7, 29, 17, 6]]
    naive = naive_table(cells, 5)
    assert naive == {(0, 0), (0, 1), (2, 0), (2, 1), (3, 0), (3, 2), (3, 3), (1, 2), (1, 3)}
    assert pinned(table_ranges(cells, naive)) == {(3, 0)}  # the bridge: 7 exactly
    hidden = suppress_table(mapping(cells), 5)
    assert hidden == {(0, 0): SECONDARY, (0, 1): PRIMARY, (2, 0): SECONDARY, (2, 1): SECONDARY}
    assert not pinned(table_ranges(cells, set(hidden)))


def test_a_second_cell_that_closes_a_rectangle_goes_first():
    # Row 1 needs a second hidden cell beside the 4: the 6 is smaller, but the 9 lies in the column of the other
    # small cell and closes one rectangle for both; taking the 6 ends with six hidden cells.
    cells = [[40, 2, 8, 50], [30, 9, 4, 6], [44, 33, 20, 41]]
    hidden = suppress_table(mapping(cells), 5)
    assert not pinned(table_ranges(cells, set(hidden)))
    assert {key for key, reason in hidden.items() if reason == PRIMARY} == {(0, 1), (1, 2)}
    assert len(hidden) == 4  # (0, 1), (0, 2), (1, 1), (1, 2): one rectangle for both small cells


def test_a_small_row_total_is_hidden_and_protected():
    cells = [[2, 1, 0], [10, 12, 8]]  # row 0 holds 3 people: its total is a small group itself
    hidden = suppress_table(mapping(cells), 5)
    assert hidden[(0, TOTAL)] == PRIMARY
    assert (TOTAL, TOTAL) not in hidden  # 33 stays
    assert all(v > 0 for (i, j), v in extended(cells).items() if (i, j) in as_grid(hidden, cells))
    assert not pinned(table_ranges(cells, as_grid(hidden, cells)))


def test_a_small_grand_total_hides_everything_positive():
    cells = [[1, 0], [2, 1]]
    hidden = suppress_table(mapping(cells), 5)
    assert as_grid(hidden, cells) == {e for e, v in extended(cells).items() if v > 0}
    assert set(hidden.values()) == {PRIMARY}
    assert str(TOTAL) == "total" and pickle.loads(pickle.dumps(TOTAL)) is TOTAL


def test_k_ten_table_and_without_margins():
    cells = [[12, 30, 9], [15, 25, 40]]
    hidden = suppress_table(mapping(cells), 10)
    assert hidden == {(0, 0): SECONDARY, (0, 2): PRIMARY, (1, 0): SECONDARY, (1, 2): SECONDARY}
    assert suppress_table(mapping(cells), 10, margins=False) == {(0, 2): PRIMARY}
    named = {("north", "post"): 3, ("north", "web"): 20, ("south", "post"): 0, ("south", "web"): 7}
    assert suppress_table(named, 5, margins=False) == {("north", "post"): PRIMARY}


def test_sparse_keys_count_zero():
    named = {("north", "post"): 30, ("north", "web"): 20, ("south", "web"): 7, ("east", "post"): 11}
    hidden = suppress_table(named, 5)
    assert hidden == {}
    assert ("south", "post") not in suppress_table({**named, ("south", "web"): 4}, 5)


# -- properties ---------------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(counts=st.lists(st.integers(0, 60), min_size=1, max_size=8), k=st.integers(5, 10),
       total_shown=st.booleans())
def test_breakdown_properties(counts, k, total_shown):
    counts = {f"c{n}": v for n, v in enumerate(counts)}
    hidden = suppress_breakdown(counts, k, total_shown=total_shown)
    for key, n in counts.items():
        if key in hidden:
            assert n > 0 and hidden[key] == (PRIMARY if n < k else SECONDARY)
        else:
            assert n == 0 or n >= k
    if not total_shown:
        return
    # Secondary cells are the next smallest: no shown positive cell is smaller than one of them.
    shown = [n for key, n in counts.items() if key not in hidden and n > 0]
    assert all(counts[key] <= min(shown, default=10**9) for key, why in hidden.items() if why == SECONDARY)
    total = sum(counts.values())
    must_hide = total_must_hide(counts, hidden, k)
    assert must_hide == (0 < total < k)
    if hidden and not must_hide:
        assert len(hidden) >= 2 and sum(counts[key] for key in hidden) >= k
    for key, (low, high) in breakdown_ranges(counts, hidden, not must_hide).items():
        assert low < high, key


@st.composite
def tables(draw):
    n_rows, n_cols = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    small = st.one_of(st.integers(0, 9), st.integers(0, 40))  # small cells and zeros often enough
    return [[draw(small) for _ in range(n_cols)] for _ in range(n_rows)], draw(st.integers(5, 10))


@settings(max_examples=200, deadline=None)
@given(example=tables())
def test_table_properties(example):
    cells, k = example
    grid = extended(cells)
    hidden = suppress_table(mapping(cells), k)
    entries = as_grid(hidden, cells)
    assert len(entries) == len(hidden)
    for (i, j), v in grid.items():
        if (i, j) in entries:
            assert v > 0
        else:
            assert v == 0 or v >= k, (i, j)
    for (r, c), why in hidden.items():
        i, j = (len(cells) if r is TOTAL else r), (len(cells[0]) if c is TOTAL else c)
        assert why == (PRIMARY if grid[(i, j)] < k else SECONDARY)
    for members, total in table_lines(len(cells), len(cells[0])):
        mine = [e for e in members if e in entries]
        if mine and total not in entries:
            assert len(mine) >= 2 and sum(grid[e] for e in mine) >= k, (members, total)
    for entry, (low, high) in table_ranges(cells, entries).items():
        assert low < high, entry
    # Without margins, only the small cells.
    assert set(suppress_table(mapping(cells), k, margins=False)) == {
        (i, j) for (i, j), v in mapping(cells).items() if 0 < v < k}
