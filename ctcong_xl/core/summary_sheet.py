"""The formula cells of the master's `Tổng hợp` sheet, each with the value it computes.

One definition for the builder (``init`` writes each formula with its value) and for the write
plan (every later write rewrites them with the values at the run's as-of date), so that a reader
that does not recalculate — LibreOffice with its default settings, Excel's Protected View, file
previewers, phone apps, python-calamine, pandas — shows the same counts, rates and paragraph as
``summary --json``. Excel and LibreOffice still recalculate the live formulas.

The formulas count whole columns of the programme sheet (``'Chương trình năm'!$T:$T``): no cap
on the number of items, and LibreOffice recalculates 25,000 items as fast as with a sized range.
Only functions of Excel 2010 are used.

Layout (1-based rows; counts in column C, rates in D): ``Ngày báo cáo`` in B2; the five statuses
in rows 5..9 (order of :data:`SUMMARY_STATUS_ORDER`), the total in C10, the on-time rate in C11,
the number of units in C12; the paragraph in A15; then three tables with the same columns (C..G
the five statuses, H the total without withdrawn items): per agency (header in row 20; one row
per registry row and spare rows, grown by :func:`grow_agency_table` when the registry outgrows
them; I the on-time rate, J the annual registration's punctuality),
per leader (the configured leaders, then one row for every other or missing name), per month of
the effective deadline.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from . import layout as L
from .dataset import Dataset
from .forms import PROGRAMME_SHEET, column_letter, programme_letter
from .periods import date_to_excel_serial
from .plan import Formula, WritePlan
from .status import COUNTED, Status, classify
from .summary import NARRATIVE_PHRASES, narrative, registration_punctuality, registry_punctuality_formula

SUMMARY_STATUS_ORDER = (*COUNTED, Status.RUT_KHOI)
AS_OF_CELL = "B2"
SUMMARY_STATUS_FIRST_ROW = 5  # the five statuses: rows 5..9
SUMMARY_TOTAL_CELL = "C10"
SUMMARY_ON_TIME_CELL = "C11"
SUMMARY_UNITS_CELL = "C12"
SUMMARY_NARRATIVE_CELL = "A15"
SUMMARY_AGENCY_HEADER_ROW = 20
SUMMARY_SPARE_AGENCY_ROWS = 8  # summary rows kept for agencies added to the registry after init
AGENCY_TABLE_HEAD = "Mã đơn vị"
LEADER_TABLE_HEAD = "Lãnh đạo UBND tỉnh phụ trách"
MONTH_TABLE_HEAD = "Tháng (theo thời hạn hiệu lực)"
OTHER_LEADER_LABEL = L.OTHER_LEADER_LABEL


def summary_agency_rows(agencies: int) -> int:
    """Rows of the summary's per-agency table: the registry at init and spare rows."""
    return max(agencies, 1) + SUMMARY_SPARE_AGENCY_ROWS


@dataclass(frozen=True)
class SummaryLayout:
    """Where the three tables sit (1-based rows): set when the master is built, read back from
    the sheet's column A, grown with the registry (:func:`grow_agency_table`)."""

    agency_rows: int
    leader_rows: int

    @classmethod
    def for_new(cls, agencies: int, leaders: int) -> SummaryLayout:
        return cls(summary_agency_rows(agencies), max(leaders, 1))

    @classmethod
    def from_column_a(cls, column_a: list[object]) -> SummaryLayout | None:
        """The layout of an existing sheet, from the table headers in its column A (row 1
        first); None when a header was removed by hand."""
        texts = [str(v).strip() if v is not None else "" for v in column_a]
        try:
            agency = texts.index(AGENCY_TABLE_HEAD) + 1
            leader = texts.index(LEADER_TABLE_HEAD) + 1
            month = texts.index(MONTH_TABLE_HEAD) + 1
        except ValueError:
            return None
        if agency != SUMMARY_AGENCY_HEADER_ROW or leader <= agency + 1 or month <= leader + 2:
            return None
        return cls(leader - agency - 2, month - leader - 3)

    @property
    def agency_header(self) -> int:
        return SUMMARY_AGENCY_HEADER_ROW

    @property
    def agency_first(self) -> int:
        return self.agency_header + 1

    @property
    def agency_last(self) -> int:
        return self.agency_header + self.agency_rows

    @property
    def leader_header(self) -> int:
        return self.agency_last + 2

    @property
    def other_leader_row(self) -> int:
        return self.leader_header + self.leader_rows + 1

    @property
    def month_header(self) -> int:
        return self.other_leader_row + 2


@dataclass(frozen=True)
class SheetCell:
    """One formula cell: 1-based row and column, the formula with its value, and the builder's
    format key for it."""

    row: int
    col: int
    value: Formula
    style: str


def _column(key: str) -> str:
    c = programme_letter(key)
    return f"'{PROGRAMME_SHEET}'!${c}:${c}"


def _cell_ref(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return int(ref[len(letters):]), n


def narrative_formula() -> str:
    """SPEC §8 as one formula over the summary cells (C5..C8 counts, C9 withdrawn, C10 total,
    C12 units). Reads exactly like :func:`ctcong_xl.core.summary.narrative` (tests compare them
    in LibreOffice). Excel 2010: the parts are joined with MID over ", "-prefixed pieces, not
    TEXTJOIN (Excel 2019)."""
    cells = {s: f"C{SUMMARY_STATUS_FIRST_ROW + i}" for i, s in enumerate(SUMMARY_STATUS_ORDER)}
    total, units, withdrawn = SUMMARY_TOTAL_CELL, SUMMARY_UNITS_CELL, cells[Status.RUT_KHOI]
    parts = "&".join(f'IF({cells[s]}>0,", "&{cells[s]}&" {NARRATIVE_PHRASES[s]}","")' for s in COUNTED)
    d = L.STATUS_DATE_NAME
    as_of = (f'IF({d}=EOMONTH({d},0),"đến cuối tháng "&MONTH({d})&"/"&YEAR({d}),'
             f'"đến ngày "&TEXT(DAY({d}),"00")&"/"&TEXT(MONTH({d}),"00")&"/"&YEAR({d}))')
    return ('="Năm "&NamChuongTrinh&", UBND tỉnh ban hành Chương trình công tác năm"'
            '&IF(SoChuongTrinh="",""," số "&SoChuongTrinh)'
            f'&" có tổng số "&{total}&" đầu việc được giao cho "&{units}&" đơn vị; "&' + as_of +
            f'&IF({total}=0," chưa có công việc nào"," có "&MID({parts},3,1000))&"."'
            f'&IF({withdrawn}>0," Ngoài ra, có "&{withdrawn}&" công việc đã rút khỏi chương trình.","")')


def _fold(a: str) -> str:
    """The key of a text as COUNTIFS compares texts (letter case ignored)."""
    return a.casefold()


_TEXT = {st: st.text for st in Status}  # (an enum's property, asked once per status, not per item)


def summary_cells(ds: Dataset, as_of: dt.date, layout: SummaryLayout) -> list[SheetCell]:
    """Every formula cell of the summary sheet with its value for ``ds`` at ``as_of`` (the
    date the workbook computes statuses at: its Ngày báo cáo, or the day of the write while
    that cell is blank — see :data:`ctcong_xl.core.layout.STATUS_DATE_NAME`)."""
    day = as_of
    statuses: list[tuple[str, str, str, dt.date | None]] = []  # (status text, agency, leader, deadline)
    for item in ds.items:
        text = _TEXT[classify(item.effective_deadline, item.ngay_hoan_thanh, day, item.rut)] if item.noi_dung else ""
        statuses.append((text, item.ma_don_vi, item.lanh_dao, item.effective_deadline))
    order = SUMMARY_STATUS_ORDER
    st, agency_col, leader_col, eff_col = (_column("tinh_trang"), _column("ma_don_vi"), _column("lanh_dao"),
                                           _column("thoi_han_hieu_luc"))

    def count(among) -> list[int]:
        tally = Counter(s[0] for s in among)
        return [tally[status.text] for status in order]

    # the items of each agency and of each leader (as COUNTIFS matches them: case ignored), grouped
    # once: a count per row of those tables is then a count of that row's group
    by_agency: dict[str, list] = {}
    by_leader: dict[str, list] = {}
    by_month: dict[tuple[int, int], list] = {}  # (year, month) of the effective deadline
    for s in statuses:
        by_agency.setdefault(_fold(s[1]), []).append(s)
        by_leader.setdefault(_fold(s[2]), []).append(s)
        if s[3] is not None:
            by_month.setdefault((s[3].year, s[3].month), []).append(s)

    cells: list[SheetCell] = []

    def put(row: int, col: int, text: str, value, style: str) -> None:
        cells.append(SheetCell(row, col, Formula(text, value), style))

    put(*_cell_ref(AS_OF_CELL), f"={L.STATUS_DATE_NAME}", date_to_excel_serial(as_of), "date_left")
    # status block
    by_status = count(statuses)
    counted = sum(by_status[: len(COUNTED)])
    total_ref = "$" + SUMMARY_TOTAL_CELL[0] + "$" + SUMMARY_TOTAL_CELL[1:]
    for i, s in enumerate(order):
        r = SUMMARY_STATUS_FIRST_ROW + i
        put(r, 3, f'=COUNTIFS({st},"{s.text}")', by_status[i], "cell_int")
        if s is not Status.RUT_KHOI:
            put(r, 4, f"=IF({total_ref}=0,0,C{r}/{total_ref})", 0 if counted == 0 else by_status[i] / counted, "cell_pct")
    first_counted, last_counted = SUMMARY_STATUS_FIRST_ROW, SUMMARY_STATUS_FIRST_ROW + len(COUNTED) - 1
    ok, late = by_status[0], by_status[1]
    put(*_cell_ref(SUMMARY_TOTAL_CELL), f"=SUM(C{first_counted}:C{last_counted})", counted, "bold_int")
    done_ok, done_late = f"C{first_counted}", f"C{first_counted + 1}"
    put(*_cell_ref(SUMMARY_ON_TIME_CELL), f"=IF({done_ok}+{done_late}=0,0,{done_ok}/({done_ok}+{done_late}))",
        0 if ok + late == 0 else ok / (ok + late), "cell_pct")
    # per agency: table row i shows registry row i + 2
    registry = {row: code for code, row in ds.registry_index.rows.items()}
    agencies = {a.code: a for a in reversed(ds.agencies)}  # the first of a code, as Dataset.agency finds it
    names = {a.code: a.name for a in ds.agencies}
    deadline = ds.config.default_annual_deadline()
    units = 0
    for i in range(layout.agency_rows):
        r, reg = layout.agency_first + i, i + 2
        code = registry.get(reg, "")
        name = names.get(code, "") if code else ""
        put(r, 1, f"=IF('{L.REGISTRY_SHEET}'!A{reg}=\"\",\"\",'{L.REGISTRY_SHEET}'!A{reg})", code, "cell")
        put(r, 2, f"=IF('{L.REGISTRY_SHEET}'!B{reg}=\"\",\"\",'{L.REGISTRY_SHEET}'!B{reg})", name, "cell")
        counts = count(by_agency.get(_fold(code), [])) if code else None
        _count_row(put, r, agency_col, layout.agency_header, counts)
        done = counts[0] + counts[1] if counts else 0
        put(r, 9, f"=IF(N(C{r})+N(D{r})=0,\"\",C{r}/(C{r}+D{r}))", counts[0] / done if done else "", "cell_pct")
        put(r, 10, registry_punctuality_formula(reg, sheet=L.REGISTRY_SHEET),
            registration_punctuality(ds.received_annual.get(code), deadline, agencies.get(code)) if code else "",
            "cell")
        units += 1 if counts and sum(counts[: len(COUNTED)]) > 0 else 0
    put(*_cell_ref(SUMMARY_UNITS_CELL), f'=COUNTIF(H{layout.agency_first}:H{layout.agency_last},">0")', units,
        "bold_int")
    # the paragraph, from the cells above
    put(*_cell_ref(SUMMARY_NARRATIVE_CELL), narrative_formula(),
        narrative(year=ds.config.year, program_number=ds.config.program_number, total=counted, agencies=units,
                  counts={s.value: by_status[i] for i, s in enumerate(order)}, as_of=day), "para")
    # per leader: the configured leaders, then everything else (other names, blank)
    leaders = ds.config.leaders
    lead_first = layout.leader_header + 1
    shown = [0] * len(order)
    for i in range(layout.leader_rows):
        r = lead_first + i
        name = leaders[i] if i < len(leaders) else ""
        put(r, 1, f"=IF(INDEX({L.LEADERS_NAME},{i + 1})=\"\",\"\",INDEX({L.LEADERS_NAME},{i + 1}))", name, "cell")
        counts = count(by_leader.get(_fold(name), [])) if name else None
        _count_row(put, r, leader_col, layout.leader_header, counts)
        shown = [a + b for a, b in zip(shown, counts or [0] * len(order))]
    r = layout.other_leader_row
    for j in range(len(order)):
        col = column_letter(3 + j)
        put(r, 3 + j, f"=COUNTIFS({st},{col}${layout.leader_header})-SUM({col}{lead_first}:{col}{r - 1})",
            by_status[j] - shown[j], "cell_int")
    put(r, 8, f"=SUM(C{r}:F{r})", sum(by_status[: len(COUNTED)]) - sum(shown[: len(COUNTED)]), "bold_int")
    # per month of the effective deadline
    year = ds.config.year
    for m in range(1, 13):
        r = layout.month_header + m
        lo = f"DATE(NamChuongTrinh,{m},1)"
        hi = f"EOMONTH(DATE(NamChuongTrinh,{m},1),0)"
        counts = count(by_month.get((year, m), []))  # deadlines from its first to its last day
        for j in range(len(order)):
            col = column_letter(3 + j)
            put(r, 3 + j, f'=COUNTIFS({eff_col},">="&{lo},{eff_col},"<="&{hi},{st},{col}${layout.month_header})',
                counts[j], "cell_int")
        put(r, 8, f"=SUM(C{r}:F{r})", sum(counts[: len(COUNTED)]), "bold_int")
    return cells


def _count_row(put, r: int, key_range: str, header_row: int, counts: list[int] | None) -> None:
    """Row ``r`` of a count table: per status (header texts in ``header_row``), the items whose
    ``key_range`` equals column A, and their total; blank while column A is blank."""
    st = _column("tinh_trang")
    for j in range(len(SUMMARY_STATUS_ORDER)):
        col = column_letter(3 + j)
        put(r, 3 + j, f"=IF($A{r}=\"\",\"\",COUNTIFS({key_range},$A{r},{st},{col}${header_row}))",
            "" if counts is None else counts[j], "cell_int")
    put(r, 8, f"=IF($A{r}=\"\",\"\",SUM(C{r}:F{r}))", "" if counts is None else sum(counts[: len(COUNTED)]), "bold_int")


def grow_agency_table(plan: WritePlan, ds: Dataset) -> None:
    """When the registry has outgrown the per-agency table (agencies added after init beyond its
    spare rows), insert rows inside the table — above its last row, so that every reference that
    spans it grows, as when a clerk inserts rows in Excel: the bar chart's series, the count of
    units — and the tables below (leaders, months), the charts beside them and a clerk's own
    notes move down with whatever points at them. Spare rows are kept again for the next ones."""
    layout = ds.summary_layout
    shown = max(ds.registry_index.rows.values(), default=1) - 1  # registry row r is table row r - 1
    if layout is None or shown <= layout.agency_rows:
        return
    grown = SummaryLayout(summary_agency_rows(shown), layout.leader_rows)
    plan.insert_rows(L.SUMMARY_SHEET, layout.agency_last, grown.agency_rows - layout.agency_rows)
    ds.summary_layout = grown


def plan_summary_sheet(plan: WritePlan, ds: Dataset, as_of: dt.date) -> None:
    """Rewrite every formula cell of the summary sheet with its value at ``as_of`` (nothing
    when the sheet's tables were moved by hand: its formulas then stay as they are, and Excel
    still recalculates them)."""
    if ds.summary_layout is None:
        return
    grow_agency_table(plan, ds)
    for c in summary_cells(ds, as_of, ds.summary_layout):
        plan.add(L.SUMMARY_SHEET, c.row, c.col, [[c.value]])
