"""The logs a run only appends to (the history of changes, the validation log) are not read cell
by cell: their last row is read from the end of their XML. It must be the row the cell reader
(python-calamine) finds — whoever saved the master last — or the next run would write over a
row of the log or leave a gap in it."""

from __future__ import annotations

import io

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.io import sheetrows
from ctcong_xl.io.recalc import recalculate
from ctcong_xl.io.master import _last_row, read_master
from helpers import RUN_DAY, office, pristine  # noqa: F401 (fixtures)

LOGS = (L.HISTORY_SHEET, L.VALIDATION_LOG_SHEET)
ANNUAL_STC = [
    {"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "loai": "Đề án",
     "thoi_han": "Quý II/2026"},
    {"noi_dung": "Báo cáo công khai ngân sách 6 tháng đầu năm", "loai": "Báo cáo", "thoi_han": "6 tháng đầu năm"},
]
FAULTY_SNV = [{"noi_dung": "Đề án vị trí việc làm", "loai": "Đề án", "thoi_han": "31/02/2026"}]


def _cell_reader_last_rows(path) -> dict[str, int]:
    wb = CalamineWorkbook.from_path(str(path))
    return {n: _last_row(wb.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in LOGS}


def _consolidated(office):
    office.send("annual", "STC", ANNUAL_STC)
    office.send("annual", "SNV", FAULTY_SNV)
    office.consolidate(today=RUN_DAY)
    return office.ws.master


def _resaved(path, edit) -> None:
    """The master edited and saved by openpyxl."""
    book = openpyxl.load_workbook(path, keep_vba=True)
    edit(book)
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())


def test_the_logs_last_rows_read_from_their_xml_are_those_the_cell_reader_finds(office):
    master = _consolidated(office)
    fast = sheetrows.last_rows(master, LOGS)
    assert fast == _cell_reader_last_rows(master)
    assert fast[L.HISTORY_SHEET] == 3 and fast[L.VALIDATION_LOG_SHEET] > 1  # two items added; one finding
    ds = read_master(master)
    assert (ds.history_last_row, ds.validation_log_last_row) == (fast[L.HISTORY_SHEET], fast[L.VALIDATION_LOG_SHEET])


@pytest.mark.libreoffice
def test_a_log_saved_by_libreoffice_ends_where_the_cell_reader_ends_it(office, libreoffice, tmp_path):
    saved = recalculate(_consolidated(office), tmp_path)  # shared strings, LibreOffice's own XML
    fast = sheetrows.last_rows(saved, LOGS)
    assert L.HISTORY_SHEET in fast  # the time in column A is a number: the row needs no shared string
    assert fast == {n: r for n, r in _cell_reader_last_rows(saved).items() if n in fast}
    assert read_master(saved).history_last_row == _cell_reader_last_rows(saved)[L.HISTORY_SHEET]


def test_rows_without_a_value_at_the_end_of_a_log_do_not_count(office):
    master = _consolidated(office)

    def tail(book):
        sheet = book[L.HISTORY_SHEET]
        sheet["B10"] = "=NA()"  # a formula without a cached value: an empty cell to the reader
        sheet["C11"].number_format = "dd/mm/yyyy"  # a formatted cell holding nothing
        sheet["A12"] = ""

    _resaved(master, tail)
    assert sheetrows.last_rows(master, [L.HISTORY_SHEET]) == {L.HISTORY_SHEET: 3}
    assert _cell_reader_last_rows(master)[L.HISTORY_SHEET] == 3


@pytest.mark.libreoffice
def test_a_row_that_only_a_shared_string_fills_is_left_to_the_cell_reader(office, libreoffice, tmp_path):
    master = _consolidated(office)
    _resaved(master, lambda book: book[L.HISTORY_SHEET].cell(row=7, column=4, value="Ghi chú của văn phòng"))
    saved = recalculate(master, tmp_path)  # the note becomes a shared string
    assert L.HISTORY_SHEET not in sheetrows.last_rows(saved, [L.HISTORY_SHEET])
    assert read_master(saved).history_last_row == 7 == _cell_reader_last_rows(saved)[L.HISTORY_SHEET]


def test_a_run_that_appends_to_no_log_leaves_its_last_rows_unread_and_reads_the_rest_alike(office):
    """A summary (or a report, a programme document) writes no log: it does not look for the logs'
    last rows (a large programme's history is tens of MB of XML), and reads all else the same."""
    master = _consolidated(office)
    full, light = read_master(master), read_master(master, logs=False)
    assert (light.history_last_row, light.validation_log_last_row) == (None, None)
    assert light.has_history_sheet
    light.history_last_row, light.validation_log_last_row = full.history_last_row, full.validation_log_last_row
    assert light == full and light.items == full.items


def test_a_consolidation_after_a_summary_appends_below_the_last_row_of_each_log(office):
    master = _consolidated(office)
    ops.summary(office.ws, as_of=RUN_DAY)  # reads the master without the logs' last rows, writes it
    office.send("annual", "STP", [{"noi_dung": "Báo cáo công tác pháp chế", "loai": "Báo cáo",
                                   "thoi_han": "Quý III/2026"}])
    office.consolidate(today=RUN_DAY)
    assert _cell_reader_last_rows(master)[L.HISTORY_SHEET] == 4  # the two items of STC, then that of STP
    assert read_master(master).history_last_row == 4
