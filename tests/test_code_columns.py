"""Every code column of the master shows the longest code the registry makes whole: a commune's
item code (``2026-XPHUOCTHANHDONG-001``) is wider than the column a department's needs, and the
next cell (the item's content) would cut it off."""

from __future__ import annotations

import openpyxl
import pytest

from ctcong_xl.core import layout as L
from ctcong_xl.core import reviewsheets
from ctcong_xl.core.reviewsheets import titles
from ctcong_xl.core.forms import PROGRAMME_COLUMNS, PROGRAMME_SHEET, column_letter
from ctcong_xl.core.models import Agency
from ctcong_xl.core.paper import CELL_PADDING_PT, column_points, text_points
from ctcong_xl.io.templates import template_filename

from helpers import AGENCIES, YEAR, build_workspace

COMMUNES = [
    Agency(code="XPHUOCTHANHDONG", name="UBND xã Phước Thạnh Đông", kind="UBND cấp xã", email="xptd@tinhmau.gov.vn"),
    Agency(code="PDUCLONG", name="UBND phường Đức Long", kind="UBND cấp xã", email="pduclong@tinhmau.gov.vn"),
]
TABLES = {
    PROGRAMME_SHEET: PROGRAMME_COLUMNS,
    L.MONTHLY_SHEET: L.MONTHLY_COLUMNS,
    L.HISTORY_SHEET: L.HISTORY_COLUMNS,
    L.IMPORT_LOG_SHEET: L.IMPORT_LOG_COLUMNS,
    L.VALIDATION_LOG_SHEET: L.VALIDATION_LOG_COLUMNS,
    L.SEND_LOG_SHEET: L.SEND_LOG_COLUMNS,
}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    ws = build_workspace(tmp_path_factory.mktemp("codes") / "ws", [*AGENCIES, *COMMUNES])
    return openpyxl.load_workbook(ws.master, keep_vba=True)


def longest_codes() -> dict[str, str]:
    texts = L.code_texts(YEAR, [a.code for a in [*AGENCIES, *COMMUNES]])
    return {key: max(values, key=text_points) for key, values in texts.items()}


@pytest.mark.parametrize("sheet", sorted(TABLES))
def test_every_code_column_is_as_wide_as_the_longest_code_of_the_registry(book, sheet):
    longest = longest_codes()
    checked = 0
    for n, column in enumerate(TABLES[sheet], start=1):
        if not L.is_code_column(column.key):
            continue
        width = book[sheet].column_dimensions[column_letter(n)].width
        code = longest[column.key]
        assert text_points(code) + CELL_PADDING_PT <= column_points(width, stored=True), (sheet, column.header, code)
        assert not book[sheet].column_dimensions[column_letter(n)].alignment.wrap_text  # a code stays on one line
        checked += 1
    assert checked >= 1


@pytest.mark.parametrize("sheet", L.REVIEW_SHEETS)
def test_the_review_sheets_code_columns_show_the_longest_code_whole(book, sheet):
    # (the leaders read “Theo lãnh đạo”: a commune's item code cut to 2026-XPHUOCTHA… is no use)
    longest = longest_codes()
    for index, key in reviewsheets.CODE_COLUMNS[sheet].items():
        assert titles(sheet, YEAR)[1][index].startswith("Mã")  # the column the key says
        width = book[sheet].column_dimensions[column_letter(index + 1)].width
        assert text_points(longest[key]) + CELL_PADDING_PT <= column_points(width, stored=True), (sheet, longest[key])


def test_the_longest_item_code_is_the_one_consolidation_gives_the_commune_with_the_longest_code():
    assert longest_codes()["ma_dau_viec"] == L.item_code(YEAR, "XPHUOCTHANHDONG", 999) == "2026-XPHUOCTHANHDONG-999"


def test_the_programme_wraps_its_choice_columns_so_that_a_long_choice_is_not_cut(book):
    # (“Dự thảo văn bản quy phạm pháp luật” is wider than the column of “Loại công việc”)
    for n, column in enumerate(PROGRAMME_COLUMNS, start=1):
        if column.type == "choice":
            assert book[PROGRAMME_SHEET].column_dimensions[column_letter(n)].alignment.wrap_text, column.header


@pytest.mark.parametrize(("sheet", "columns", "kind", "month"), [
    (PROGRAMME_SHEET, PROGRAMME_COLUMNS, "progress", None),
    (L.MONTHLY_SHEET, L.MONTHLY_COLUMNS, "monthly", 12),
])
def test_the_source_column_shows_the_name_of_the_file_each_agency_was_sent(book, sheet, columns, kind, month):
    n = [c.key for c in columns].index("nguon") + 1
    width = book[sheet].column_dimensions[column_letter(n)].width
    longest = max((template_filename(kind, a, YEAR, month) for a in [*AGENCIES, *COMMUNES]), key=text_points)
    assert longest == f"{'TienDo_2026' if kind == 'progress' else 'DangKyThang_2026-12'}_XPHUOCTHANHDONG.xlsx"
    assert text_points(longest) + CELL_PADDING_PT <= column_points(width, stored=True)
