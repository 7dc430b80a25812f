"""The annual programme as it prints (sheet *Bản in chương trình*, issue 9): A4 landscape at a
readable size, only the reader's columns, the items grouped by lead agency in Vietnamese
alphabetical order, rewritten with the programme at every write.

Page setup is read back from the written workbook with openpyxl; the cells with python-calamine
(what a reader without recalculation sees)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from ctcong_xl.core import layout as L
from ctcong_xl.core import printview as PV
from ctcong_xl.core.dataset import Dataset
from ctcong_xl.core.forms import PROGRAMME_COLUMNS
from ctcong_xl.core.models import Agency, ProgrammeConfig, WorkItem
from ctcong_xl.core.paper import (A4, MIN_READABLE_PT, column_points, effective_font_size, fit_to_width_scale,
                                  printable_width_pt, row_height, text_lines)
from ctcong_xl.core.summary_sheet import SummaryLayout
from ctcong_xl.core.text import vn_sorted
from ctcong_xl.io import master_build as MB
from ctcong_xl.io.master import read_master

from helpers import AGENCIES, LEADERS, master_sheet, office, pristine  # noqa: F401  (fixtures)
from ooxml import require_validator, structure_problems, validator_errors
from scripted_year import LEAD, OFFICE_WITHDRAWN, SYT_DROPPED, build_scripted_year

TECHNICAL = {c.header for c in PROGRAMME_COLUMNS if c.key in ("ma_don_vi", "nguon", "don_vi_dang_ky", "dau_kiem",
                                                                "ky", "rut")}


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    """The master after a scripted year (registrations, an agency's and the Office's
    withdrawals, a row added by hand, progress reports)."""
    return build_scripted_year(tmp_path_factory.mktemp("print") / "ws").ws.master


@pytest.fixture(scope="module")
def sheet(pristine) -> openpyxl.worksheet.worksheet.Worksheet:  # noqa: F811
    book = openpyxl.load_workbook(next(pristine.glob("*.xlsm")))
    return book[L.PRINT_SHEET]


def _body(path: Path) -> list[list]:
    rows = master_sheet(path, L.PRINT_SHEET)
    return [r for r in rows[PV.HEADER_ROW:] if any(v not in ("", None) for v in r)]


def _codes(rows: list[list]) -> list[str]:
    return [r[1] for r in rows if len(r) > 1 and r[1]]


def test_print_view_is_a4_landscape_fit_to_one_page_wide(sheet):
    assert sheet.page_setup.paperSize == A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # absent: 1, the schema's default
    assert sheet.page_setup.fitToHeight == 0  # as many pages down as the items need


def test_print_view_repeats_its_header_row_and_numbers_its_pages(sheet):
    assert sheet.print_title_rows == f"${PV.HEADER_ROW}:${PV.HEADER_ROW}"
    assert "Trang &P/&N" in sheet.oddFooter.center.text


def test_print_area_holds_the_readers_columns_and_no_technical_column(sheet):
    (area,) = sheet.print_area if isinstance(sheet.print_area, list) else [sheet.print_area]
    first, last = area.split("!")[-1].replace("$", "").split(":")
    assert first == "A1"
    last_col = openpyxl.utils.column_index_from_string("".join(ch for ch in last if ch.isalpha()))
    headers = [sheet.cell(PV.HEADER_ROW, c).value for c in range(1, last_col + 1)]
    assert headers == [c.header for c in PV.PRINT_COLUMNS]
    assert "Nội dung công việc" in headers and "Tình trạng" in headers
    assert not TECHNICAL & set(headers)


def test_print_view_text_is_at_least_9_points_on_paper(sheet):
    last = len(PV.PRINT_COLUMNS)
    widths = [sheet.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(1, last + 1)]
    sizes = {sheet.cell(PV.HEADER_ROW, c).font.sz for c in range(1, last + 1)}
    sizes |= {sheet.column_dimensions[openpyxl.utils.get_column_letter(c)].font.sz for c in range(1, last + 1)}
    scale = fit_to_width_scale(widths, stored=True)
    assert scale < 1  # fit to width does shrink these columns: the size on paper is not the font size
    assert min(effective_font_size(size, widths, stored=True) for size in sizes) >= MIN_READABLE_PT


def test_a_fresh_master_prints_the_title_block_and_says_no_item_yet(pristine):  # noqa: F811
    rows = master_sheet(next(pristine.glob("*.xlsm")), L.PRINT_SHEET)
    assert rows[2][0] == "CHƯƠNG TRÌNH CÔNG TÁC NĂM 2026 CỦA ỦY BAN NHÂN DÂN TỈNH"
    assert "27/CTr-UBND" in rows[3][0]
    assert rows[PV.HEADER_ROW - 1][:len(PV.PRINT_COLUMNS)] == [c.header for c in PV.PRINT_COLUMNS]
    assert _body(next(pristine.glob("*.xlsm"))) == [[PV.NO_ITEM_TEXT, *[""] * (len(rows[PV.HEADER_ROW]) - 1)]]


def test_print_view_lists_every_item_not_withdrawn_exactly_once(year):
    items = read_master(year).items
    codes = _codes(_body(year))
    assert sorted(codes) == sorted(i.ma_dau_viec for i in items if not i.rut)
    assert len(codes) == len(set(codes))
    contents = {r[2] for r in _body(year) if len(r) > 2}
    assert OFFICE_WITHDRAWN not in contents and SYT_DROPPED not in contents  # both withdrawals are left out


def test_print_view_shows_each_item_under_its_lead_agency_with_its_status(year):
    group, seen = None, {}
    for r in _body(year):
        if not r[1]:
            group = r[0]
        else:
            seen[r[2]] = group
            assert r[7]  # its status, as a value
    assert set(seen) == set(LEAD) - {OFFICE_WITHDRAWN, SYT_DROPPED}
    for content, group in seen.items():
        assert LEAD[content].upper() in group


def test_a_consolidation_after_an_office_withdrawal_takes_the_item_out_of_the_print_view(office):  # noqa: F811
    office.send("annual", "STC", [{"noi_dung": "Đề án sắp xếp lại, xử lý tài sản công", "thoi_han": "Tháng 7/2026"},
                                  {"noi_dung": "Báo cáo tình hình thực hiện dự toán ngân sách", "thoi_han": "Quý II/2026"}])
    office.consolidate()
    assert len(_codes(_body(office.ws.master))) == 2
    office.edit_master("2026-STC-001", "rut", "x")
    office.clear_inbox()
    office.send("annual", "SNV", [{"noi_dung": "Đề án vị trí việc làm", "thoi_han": "Quý III/2026"}])
    office.consolidate()
    assert sorted(_codes(_body(office.ws.master))) == ["2026-SNV-001", "2026-STC-002"]
    assert len(_body(office.ws.master)) == 4  # two group rows, two items: the old rows below are cleared


def test_agency_groups_follow_vietnamese_alphabetical_order():
    names = ["Sở Y tế", "Ủy ban Mặt trận", "Đài Phát thanh và Truyền hình tỉnh", "Ban Dân tộc", "Công an tỉnh",
             "Sở Công Thương", "Ban Quản lý Khu kinh tế"]
    agencies = [Agency(code=f"DV{n}", name=name) for n, name in enumerate(names)]
    items = [WorkItem(ma_dau_viec=f"2026-DV{n}-001", noi_dung=f"Báo cáo số {n}", ma_don_vi=f"DV{n}",
                      thoi_han=dt.date(2026, 6, 30)) for n in range(len(names))]
    ds = Dataset(config=ProgrammeConfig(year=2026), agencies=agencies, items=items)
    groups = [r[0] for r in PV.body_rows(ds, dt.date(2026, 9, 30)) if len(r) == 1]
    expected = ["Ban Dân tộc", "Ban Quản lý Khu kinh tế", "Công an tỉnh", "Đài Phát thanh và Truyền hình tỉnh",
                "Sở Công Thương", "Sở Y tế", "Ủy ban Mặt trận"]  # đ after d, ủ after u: not the code-point order
    assert vn_sorted(names) == expected
    assert groups == [PV.group_label(n, name, 1) for n, name in enumerate(expected, start=1)]


def test_items_of_an_agency_print_by_deadline(year):
    rows = _body(year)
    deadlines: dict[str, list] = {}
    group = None
    for r in rows:
        if not r[1]:
            group = r[0]
        else:
            deadlines.setdefault(group, []).append(r[5])
    for group, dates in deadlines.items():
        assert dates == sorted(dates, key=lambda d: d or dt.datetime.max), group


def test_the_sdk_validator_finds_no_error_in_a_master_with_the_print_view(year):
    require_validator()
    assert validator_errors(year) == []
    assert structure_problems(year) == []


# ---- Tổng hợp on A4 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def summary(pristine) -> openpyxl.worksheet.worksheet.Worksheet:  # noqa: F811
    return openpyxl.load_workbook(next(pristine.glob("*.xlsm")))[L.SUMMARY_SHEET]


def test_summary_tables_fill_the_a4_width_at_a_readable_size(summary):
    assert summary.page_setup.paperSize == A4 and summary.page_setup.orientation == "landscape"
    assert not summary.sheet_properties.pageSetUpPr or not summary.sheet_properties.pageSetUpPr.fitToPage
    scale = summary.page_setup.scale / 100
    tables = [summary.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(1, MB.CHART_COL + 1)]
    assert sum(column_points(w, stored=True) for w in tables) * scale <= printable_width_pt()
    assert 12 * scale >= MIN_READABLE_PT


def test_summary_breaks_pages_between_its_tables_and_before_the_charts(summary):
    layout = SummaryLayout.for_new(len(AGENCIES), len(LEADERS))
    assert [b.id for b in summary.row_breaks.brk] == [layout.agency_header - 1, layout.leader_header - 1]
    assert [b.id for b in summary.col_breaks.brk] == [MB.CHART_COL]
    assert summary.page_setup.pageOrder == "overThenDown"  # each table, then the chart beside it
    area = summary.print_area if isinstance(summary.print_area, str) else summary.print_area[0]
    assert area.split("!")[-1].startswith("$A$1:$U$")


def test_summary_paragraph_rows_are_tall_enough_for_the_whole_paragraph(year):
    text = master_sheet(year, L.SUMMARY_SHEET)[int(MB.SUMMARY_NARRATIVE_CELL[1:]) - 1][0]
    assert text.startswith("Năm 2026, UBND tỉnh ban hành")
    sheet = openpyxl.load_workbook(year)[L.SUMMARY_SHEET]
    first = int(MB.SUMMARY_NARRATIVE_CELL[1:])
    height = sum(sheet.row_dimensions[r].height for r in range(first, first + MB.PARAGRAPH_ROWS))
    needed = row_height(text_lines(text, sum(MB.SUMMARY_WIDTHS[:10]), MB.PARAGRAPH_FONT_SIZE), MB.PARAGRAPH_FONT_SIZE)
    assert height >= needed
    merged = next(m for m in sheet.merged_cells.ranges if m.min_row == first)
    assert (merged.min_col, merged.max_col, merged.max_row) == (1, 10, first + MB.PARAGRAPH_ROWS - 1)
    assert sheet[MB.SUMMARY_NARRATIVE_CELL].alignment.wrap_text
