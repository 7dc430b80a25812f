"""The master workbook's content as plain values, and where its rows sit on each sheet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from typing import TYPE_CHECKING, Any

from .models import Agency, MonthlyItem, ProgrammeConfig, WorkItem

if TYPE_CHECKING:
    from .summary_sheet import SummaryLayout


@dataclass
class SheetIndex:
    """Where things are on one managed sheet, as found when reading it: the column of each
    known header (by key) and the row of each record (by its code)."""

    columns: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    last_row: int = 1  # the last used row; the header is row 1

    def row_of(self, code: str) -> int | None:
        return self.rows.get(code)


@dataclass
class Dataset:
    config: ProgrammeConfig
    agencies: list[Agency]
    items: list[WorkItem] = field(default_factory=list)
    monthly: list[MonthlyItem] = field(default_factory=list)
    received_annual: dict[str, dt.date] = field(default_factory=dict)
    consolidated_hashes: dict[str, str] = field(default_factory=dict)  # sha256 -> file name
    rejected_hashes: set[str] = field(default_factory=set)  # files an earlier run rejected and logged
    superseded_hashes: set[str] = field(default_factory=set)  # faulty files an earlier run logged as superseded
    consolidated_forms: dict[str, tuple[str, str]] = field(default_factory=dict)  # sha256 -> (agency, kind)
    programme_index: SheetIndex = field(default_factory=SheetIndex)
    monthly_index: SheetIndex = field(default_factory=SheetIndex)
    registry_index: SheetIndex = field(default_factory=SheetIndex)
    summary_layout: SummaryLayout | None = None  # where the summary sheet's tables sit (None: moved by hand)
    # the last rows of the logs a run appends to (None: not looked for, by a run that appends none)
    validation_log_last_row: int | None = 1
    import_log_last_row: int = 1
    history_last_row: int | None = 1
    has_history_sheet: bool = True  # False for a master made before the history sheet existed
    sent_mail: set[tuple[str, str]] = field(default_factory=set)  # (agency code, attachment hash) sent
    send_log_last_row: int = 1
    has_send_log_sheet: bool = True  # False for a master made before the send log existed
    review_extents: dict[str, tuple[int, int]] = field(default_factory=dict)  # derived sheet -> (rows, cols) used
    # configuration fields whose row of Cấu hình has no label (a master made before they existed)
    # -> whether their value cell is blank too
    config_unlabelled: dict[str, bool] = field(default_factory=dict)
    # the cell values as read (rows from row 1) of the programme sheet — only when its formulas
    # are those this version writes — and of the derived sheets, so that a plan writes only the
    # rows that differ from them; the plan that compares takes them (they describe the master
    # before its write, not after)
    programme_cells: list[list[Any]] | None = field(default=None, compare=False, repr=False)
    derived_cells: dict[str, list[list[Any]]] = field(default_factory=dict, compare=False, repr=False)

    # the agencies by code, and the list (and its length) they were taken from
    _by_code: tuple[list[Agency], int, dict[str, Agency]] | None = field(default=None, init=False, compare=False,
                                                                          repr=False)

    def agency(self, code: str) -> Agency | None:
        """The first agency of the registry with this code (looked up in a table made again
        whenever the list is replaced or grows: 3,000 agencies are not searched per agency)."""
        return self.agencies_by_code().get(code)

    def agencies_by_code(self) -> dict[str, Agency]:
        memo = self._by_code
        if memo is None or memo[0] is not self.agencies or memo[1] != len(self.agencies):
            memo = self._by_code = (self.agencies, len(self.agencies), {a.code: a for a in reversed(self.agencies)})
        return memo[2]

    def items_of(self, agency_code: str) -> list[WorkItem]:
        return [i for i in self.items if i.ma_don_vi == agency_code]
