"""Wrapped rows and wide enough columns in what the Office prints (issue 9): LibreOffice and
previewers do not fit row heights when they open a file, so every writer gives a wrapped row
the height of its lines (one estimate, ``core/paper.py``) and the registry its columns.
Workbooks are read back with openpyxl."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from ctcong_xl.core import layout as L
from ctcong_xl.core.models import Agency, WorkItem
from ctcong_xl.core.paper import LINE_HEIGHT_PT, column_points, row_height, text_lines, text_points
from ctcong_xl.io.reminders import write_reminder

from helpers import build_workspace

LONG_NAME = "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh"
AGENCIES = [
    Agency(code="STC", name="Sở Tài chính", email="stc@tinhmau.gov.vn"),
    Agency(code="BQLDADDCN", name=LONG_NAME, kind="khác", email="vanthu.bqldadandungcongnghiep@tinhmau.gov.vn"),
    Agency(code="XHUNGLONG", name="UBND xã Hưng Long", kind="UBND cấp xã", email="xhunglong@tinhmau.gov.vn"),
]


def test_the_estimate_wraps_words_as_libreoffice_does():
    # seen on LibreOffice's PDF of the print view: a leader's title in the 17-wide column takes
    # three lines, an item code with a nine-letter agency code breaks after a hyphen
    assert text_lines("Phó Chủ tịch UBND tỉnh Phạm Quốc Dũng", 17) == 3
    assert text_lines("2026-XPHUTHINH-001", 17) == 2
    assert text_lines("2026-STC-001", 17) == 1
    assert text_lines("Dòng một\nDòng hai", 40) == 2
    assert row_height(3) == 3 * LINE_HEIGHT_PT


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> openpyxl.Workbook:
    ws = build_workspace(tmp_path_factory.mktemp("heights") / "ws", AGENCIES)
    return openpyxl.load_workbook(ws.master)


def test_every_wrapped_instruction_has_the_height_of_its_lines(book):
    sheet = book[L.INSTRUCTIONS_SHEET]
    width = round(sheet.column_dimensions["A"].width - 5 / 7, 1)  # as the builder set it
    tall = 0
    for row in range(2, sheet.max_row + 1):
        text = sheet.cell(row, 1).value or ""
        lines = text_lines(text, width)
        height = sheet.row_dimensions[row].height
        assert (height or LINE_HEIGHT_PT) >= row_height(lines), (row, text)
        tall += lines > 1
    assert tall >= 2  # the long instructions do wrap


def test_registry_columns_show_the_longest_code_name_and_address_on_one_line(book):
    sheet = book[L.REGISTRY_SHEET]
    headers = [c.value for c in sheet[1]]
    for key in ("code", "name", "email"):
        col = headers.index(next(c.header for c in L.REGISTRY_COLUMNS if c.key == key)) + 1
        letter = openpyxl.utils.get_column_letter(col)
        longest = max((sheet.cell(r, col).value or "" for r in range(2, sheet.max_row + 1)), key=text_points)
        assert text_points(longest) < column_points(sheet.column_dimensions[letter].width, stored=True), key


def test_a_reminder_row_is_as_tall_as_its_longest_wrapped_text(tmp_path):
    items = [WorkItem(ma_dau_viec="2026-BQLDADDCN-003-Q2", noi_dung="Báo cáo tiến độ giải ngân vốn đầu tư công "
                      "các dự án do Ban làm chủ đầu tư, kèm danh mục dự án chậm tiến độ và nguyên nhân, đề xuất giải pháp "
                      "tháo gỡ cho từng dự án", thoi_han=dt.date(2026, 6, 30),
                      tinh_hinh="Chậm do chờ ý kiến thẩm định của Sở Tài chính"),
             WorkItem(ma_dau_viec="2026-BQLDADDCN-004", noi_dung="Kế hoạch đấu thầu năm 2027", thoi_han=dt.date(2026, 9, 1))]
    path = write_reminder(tmp_path, AGENCIES[1], items, [], dt.date(2026, 9, 30), "Chương trình công tác năm 2026")
    sheet = openpyxl.load_workbook(path).active
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    long_row, short_row = rows[items[0].ma_dau_viec], rows[items[1].ma_dau_viec]
    content_width = round(sheet.column_dimensions["B"].width - 5 / 7, 1)
    assert sheet.row_dimensions[long_row].height >= row_height(text_lines(items[0].noi_dung, content_width))
    assert sheet.row_dimensions[long_row].height >= 3 * LINE_HEIGHT_PT
    assert sheet.row_dimensions[short_row].height is None  # one line: the default height
    code = sheet.column_dimensions["A"].width
    assert text_points(items[0].ma_dau_viec) < column_points(code, stored=True)  # the longest code on one line




from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120), st.sampled_from([6, 12, 17, 20, 44]))
def test_a_text_short_enough_to_fit_at_the_widest_advance_counts_the_lines_its_words_take(text, width):
    """The shortcut of :func:`text_lines` (a text that would fit if every character were the
    widest) gives the lines its words laid out take, for any text."""
    from ctcong_xl.core import paper

    capacity = max(1.0, (column_points(width) - paper.CELL_PADDING_PT) * 0.95)
    assert text_lines(text, width) == paper.laid_out_lines(text, capacity)
