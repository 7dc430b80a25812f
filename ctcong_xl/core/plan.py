"""The write plan: which rectangles of which sheets the tool writes, and with what.

Both doors apply the same plan: the file door patches the workbook package
(:mod:`ctcong_xl.io.xlsxpatch`), the live-Excel door assigns ``range.value`` through xlwings
(:mod:`ctcong_xl.xl`). A plan never names a cell outside the regions the tool manages, so
everything else in the workbook is left as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from collections.abc import Iterable, Sequence
from typing import Union

from .forms import column_letter
from .layout import defined_names
from .periods import date_to_excel_serial


@dataclass(frozen=True)
class Formula:
    """A formula (text starting with '=') with the value Python computed for it, written as
    the cached result so that a reader that does not recalculate still sees the right value."""

    text: str
    cached: str | float | int | None = None


CellValue = Union[str, int, float, bool, dt.date, dt.datetime, Formula, None]


@dataclass(frozen=True)
class RangeWrite:
    """Write ``values`` (rows of cells) with its top-left cell at (row, col), 1-based.
    ``None`` clears a cell's value (its formatting stays)."""

    sheet: str
    row: int
    col: int
    values: tuple[tuple[CellValue, ...], ...]

    @property
    def address(self) -> str:
        """A1 address of the whole rectangle, e.g. ``B2:F40``."""
        nrows = len(self.values)
        ncols = max((len(r) for r in self.values), default=0)
        first = f"{column_letter(self.col)}{self.row}"
        if nrows <= 1 and ncols <= 1:
            return first
        return f"{first}:{column_letter(self.col + max(ncols, 1) - 1)}{self.row + max(nrows, 1) - 1}"


@dataclass(frozen=True)
class RowInsert:
    """Insert ``count`` empty rows above row ``before`` of ``sheet`` (1-based), as Excel's Insert
    Sheet Rows does: the rows below move down with everything that points at them, and a range
    that spans the insertion grows. The new rows take the formats of the row above them."""

    sheet: str
    before: int
    count: int


@dataclass
class WritePlan:
    writes: list[RangeWrite] = field(default_factory=list)
    new_sheets: list[str] = field(default_factory=list)  # sheets to add (at the end) before writing
    formats_like: dict[str, str] = field(default_factory=dict)  # new sheet -> sheet whose column formats it takes
    # the workbook-level defined names the written formulas use (name -> "=reference"): a door
    # adds those the workbook lacks — an older master, e.g. one made before NgayTinh — and keeps
    # every name it has, also one a clerk redefined or made
    names: dict[str, str] = field(default_factory=defined_names)
    # rows inserted before any cell is written (the writes name cells as they are after them)
    inserts: list[RowInsert] = field(default_factory=list)

    def insert_rows(self, sheet: str, before: int, count: int) -> None:
        if count > 0:
            self.inserts.append(RowInsert(sheet, before, count))

    def add_sheet(self, name: str, *, like: str = "") -> None:
        """Add an empty sheet ``name`` (a managed sheet missing from an older master), with the
        column widths and formats of the sheet ``like`` where the door can copy them."""
        if name not in self.new_sheets:
            self.new_sheets.append(name)
        if like:
            self.formats_like[name] = like

    def add(self, sheet: str, row: int, col: int, values: list[list[CellValue]] | list[tuple]) -> None:
        if not values:
            return
        if type(values) is not tuple or any(type(r) is not tuple for r in values):
            values = tuple(tuple(r) for r in values)
        self.writes.append(RangeWrite(sheet, row, col, values))

    def sheets(self) -> list[str]:
        seen: list[str] = []
        for w in self.writes:
            if w.sheet not in seen:
                seen.append(w.sheet)
        return seen

    def for_sheet(self, sheet: str) -> list[RangeWrite]:
        return [w for w in self.writes if w.sheet == sheet]


_SHEET_OF_REF = re.compile(r"'((?:[^']|'')+)'!|([^'!\[\]():,=+*/^&<>\"%{}\s-]+)!")


def names_to_add(names: dict[str, str], have: Iterable[str], sheets: Iterable[str]) -> dict[str, str]:
    """The defined names of ``names`` (name -> "=reference") a workbook with the names ``have``
    and the sheets ``sheets`` lacks (Excel compares names without letter case); a name that
    refers to a sheet the workbook does not have is left out. One rule for both doors."""
    held = {n.casefold() for n in have}
    present = set(sheets)
    return {name: refers_to for name, refers_to in names.items()
            if name.casefold() not in held
            and {(q or p).replace("''", "'") for q, p in _SHEET_OF_REF.findall(refers_to)} <= present}


def holds(read: object, value: CellValue) -> bool:
    """Does a cell whose value was read as ``read`` (as the readers give it: python-calamine in
    the file door, xlwings in the live one — a date as a date, a number as a float, a blank as
    "" or None) already hold ``value``, so that writing it changes nothing a reader sees? A
    formula is compared by its cached value (its text is not read: see the callers)."""
    if isinstance(value, Formula):
        value = value.cached
    if type(value) is str and value:
        return type(read) is str and read == value
    if value is None or value == "":
        return read is None or read == ""
    if isinstance(value, bool) or isinstance(read, bool):
        return type(read) is type(value) and read == value
    if isinstance(value, (dt.date, int, float)) and isinstance(read, (dt.date, int, float)):
        return _serial(read) == _serial(value)
    return False


def row_holds(read: Sequence[object], cells: Iterable[tuple[int, CellValue]]) -> bool:
    """Does a row read as ``read`` (its values from column A) hold every (column, value) of
    ``cells`` (1-based columns)? See :func:`holds`."""
    n = len(read)
    for col, value in cells:
        got = read[col - 1] if col <= n else None
        if not (type(value) is str and value == got) and not holds(got, value):
            return False
    return True


def _serial(v: dt.date | int | float) -> float:
    if isinstance(v, dt.datetime):
        midnight = v.replace(hour=0, minute=0, second=0, microsecond=0)
        return date_to_excel_serial(v.date()) + (v - midnight).total_seconds() / 86400
    if isinstance(v, dt.date):
        return date_to_excel_serial(v)
    return float(v)


def column_runs(col_indexes: list[int]) -> list[list[int]]:
    """Split sorted 1-based column indexes into runs of adjacent columns: [1,2,3,5,6] ->
    [[1,2,3],[5,6]]. Each run becomes one rectangle of the plan."""
    runs: list[list[int]] = []
    for c in sorted(col_indexes):
        if runs and runs[-1][-1] == c - 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs
