"""Small-number suppression, so that no published figure identifies a handful of audits.

Primary suppression hides any count from 1 to ``threshold - 1`` (a zero
reveals nothing about anyone). Secondary suppression then makes sure no hidden
count can be worked back out by subtraction: in every *line* (a row or column
of cells together with the total they add up to), either nothing is hidden or
at least two entries are. When a line has exactly one hidden entry, the
smallest shown non-zero cell of that line is hidden too (a zero cell if there is
no other, and the line's total if there is no cell left), and the check repeats
until every line is safe. This is the standard "next smallest cell" rule used in
official statistics (for example the ONS and NHS Digital disclosure guidance).

Hidden values are shown as ``c`` ("confidential"), the symbol the ONS uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SUPPRESSED = "c"
DEFAULT_THRESHOLD = 5


def is_small(count: int, threshold: int) -> bool:
    return 0 < count < threshold


@dataclass(frozen=True)
class GridSuppression:
    """Which entries to hide: cells by (row, column), and row, column and grand totals."""

    cells: frozenset[tuple[int, int]]
    row_totals: frozenset[int]
    column_totals: frozenset[int]
    grand_total: bool

    def row_hidden(self, row: int) -> bool:
        return row in self.row_totals


def suppress_grid(
    grid: Sequence[Sequence[int]],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    hide_rows: Sequence[int] = (),
) -> GridSuppression:
    """Suppress a table of counts whose rows and columns are published with their totals.

    ``hide_rows`` are rows to hide whole from the start (for example, a team whose
    audits are too few for any of its figures to be shown).
    """
    if threshold < 1:
        raise ValueError(f"the suppression threshold must be 1 or more, not {threshold}")
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    if any(len(row) != cols for row in grid):
        raise ValueError("every row of the table must have the same number of cells")
    if any(v < 0 for row in grid for v in row):
        raise ValueError("counts cannot be negative")
    # The extended grid: cell (r, c); row totals at column ``cols``; column totals at
    # row ``rows``; the grand total at (rows, cols).
    value: dict[tuple[int, int], int] = {}
    for r in range(rows):
        for c in range(cols):
            value[(r, c)] = grid[r][c]
        value[(r, cols)] = sum(grid[r])
    for c in range(cols):
        value[(rows, c)] = sum(grid[r][c] for r in range(rows))
    value[(rows, cols)] = sum(value[(r, cols)] for r in range(rows))

    hidden = {key for key, v in value.items() if is_small(v, threshold)}
    for r in hide_rows:
        hidden.update((r, c) for c in range(cols + 1))

    lines = [[(r, c) for c in range(cols + 1)] for r in range(rows + 1)]
    lines += [[(r, c) for r in range(rows + 1)] for c in range(cols + 1)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if len(line) < 2 or sum(key in hidden for key in line) != 1:
                continue
            extra = _next_to_hide(line, hidden, value)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return GridSuppression(
        cells=frozenset(k for k in hidden if k[0] < rows and k[1] < cols),
        row_totals=frozenset(k[0] for k in hidden if k[1] == cols and k[0] < rows),
        column_totals=frozenset(k[1] for k in hidden if k[0] == rows and k[1] < cols),
        grand_total=(rows, cols) in hidden,
    )


def _next_to_hide(line, hidden, value):
    """The line's smallest shown non-zero cell, else a zero cell, else its total."""
    *cells, total = line
    shown = [k for k in cells if k not in hidden]
    nonzero = [k for k in shown if value[k] > 0]
    if nonzero:
        return min(nonzero, key=lambda k: (value[k], k))
    if shown:
        return shown[0]
    return total if total not in hidden else None


def suppress_line(
    counts: Sequence[int], threshold: int = DEFAULT_THRESHOLD, *, total_shown: bool = True
) -> tuple[frozenset[int], bool]:
    """Suppress sibling counts published beside their total.

    Returns the indexes to hide and whether the total must be hidden too.
    """
    result = suppress_grid([[c] for c in counts], threshold) if total_shown else None
    if result is None:
        return frozenset(i for i, c in enumerate(counts) if is_small(c, threshold)), False
    # A one-column grid: the row totals equal the cells, so either marks the row.
    hidden = frozenset(r for r, _ in result.cells) | result.row_totals
    return hidden, result.grand_total or 0 in result.column_totals


def show(value, hidden: bool):
    """The value, or ``c`` when it is hidden."""
    return SUPPRESSED if hidden else value
