"""Small-number suppression: primary cells and the secondary cells that protect them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.summaries.suppression import suppress_grid, suppress_line


def _lines(grid, result):
    """Every row and column with its total, as lists of hidden flags."""
    rows, cols = len(grid), len(grid[0])

    def hidden(r, c):
        if r < rows and c < cols:
            return (r, c) in result.cells
        if c == cols and r < rows:
            return r in result.row_totals
        if r == rows and c < cols:
            return c in result.column_totals
        return result.grand_total

    lines = [[hidden(r, c) for c in range(cols + 1)] for r in range(rows + 1)]
    lines += [[hidden(r, c) for r in range(rows + 1)] for c in range(cols + 1)]
    return lines


def test_small_cell_and_next_smallest_in_its_row_and_column_are_hidden():
    grid = [[3, 10, 20],
            [12, 8, 30],
            [15, 9, 25]]
    result = suppress_grid(grid, 5)
    assert (0, 0) in result.cells
    assert (0, 1) in result.cells       # next smallest in row 0
    assert (1, 1) in result.cells or (2, 1) in result.cells  # column 1 now needs a second
    assert (1, 0) in result.cells       # column 0 needs a second: 12 is the smallest shown
    assert not result.row_totals and not result.column_totals


def test_zero_is_not_disclosive():
    result = suppress_grid([[0, 10], [7, 9]], 5)
    assert not result.cells


def test_hidden_rows_are_hidden_whole_and_protected_by_another_row():
    result = suppress_grid([[2, 1], [10, 12], [20, 30]], 5, hide_rows=[0])
    assert {(0, 0), (0, 1)} <= result.cells
    assert 0 in result.row_totals
    assert 1 in result.row_totals  # the next smallest row total, so the column sums don't tell


def test_a_line_whose_only_cell_is_hidden_hides_its_total():
    hidden, total_hidden = suppress_line([3], 5)
    assert hidden == {0} and total_hidden


def test_line_of_siblings():
    hidden, total_hidden = suppress_line([3, 10, 7, 40], 5)
    assert hidden == {0, 2} and not total_hidden


def test_threshold_must_be_positive():
    with pytest.raises(ValueError, match="1 or more"):
        suppress_grid([[1]], 0)


grids = st.integers(1, 5).flatmap(lambda cols: st.lists(
    st.lists(st.integers(0, 30), min_size=cols, max_size=cols), min_size=1, max_size=6))


@given(grids, st.integers(1, 10))
def test_every_small_count_is_hidden_and_no_line_has_exactly_one_hidden_entry(grid, threshold):
    result = suppress_grid(grid, threshold)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if 0 < value < threshold:
                assert (r, c) in result.cells
    for line in _lines(grid, result):
        assert sum(line) != 1
