"""The derived sheets (the print view, the review sheets): rewritten whole at every write, from
row 1, and cleared below and right of what they now hold. Only the rows that differ from what
the sheet held when it was read are written (a new as-of date changes a few statuses, not the
whole programme); a sheet not read (a master made before it existed) is written whole."""

from __future__ import annotations

from collections.abc import Sequence

from .dataset import Dataset
from .plan import CellValue, WritePlan, row_holds


def plan_derived_sheet(plan: WritePlan, ds: Dataset, sheet: str, grid: Sequence[Sequence[CellValue]],
                       width: int) -> None:
    """Write ``grid`` (rows from row 1, at least ``width`` columns wide) into ``sheet``; a
    master without the sheet gets it."""
    if sheet not in ds.review_extents:
        plan.add_sheet(sheet)
    old_rows, old_cols = ds.review_extents.get(sheet, (0, 0))
    width = max(width, old_cols)
    rows = [list(r) + [None] * (width - len(r)) for r in grid]
    rows += [[None] * width for _ in range(max(0, old_rows - len(rows)))]
    held = ds.derived_cells.pop(sheet, None)
    if held is None:
        plan.add(sheet, 1, 1, rows)
    else:
        changed = [n for n, row in enumerate(rows) if not _same(held[n] if n < len(held) else (), row)]
        for first, last in _runs(changed):
            plan.add(sheet, first + 1, 1, rows[first:last + 1])
    ds.review_extents[sheet] = (len(rows), width)


def _same(read: list, row: list[CellValue]) -> bool:
    """Does the row read hold ``row``? (The usual case first: equal once blanks are ""; a row
    that differs that way is compared cell by cell, e.g. a date read as a date and time.)"""
    return [("" if v is None else v) for v in row] == read or row_holds(read, enumerate(row, start=1))


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Ascending numbers -> (first, last) of each run of adjacent ones."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs
