"""A write changes only the programme rows (and the rows of the print view and the review
sheets) whose values differ from what the master held when it was read — a new as-of date
changes a few statuses, not the whole programme — and the master reads back as if every row had
been rewritten. A master an older version wrote (other formulas) still gets this version's
formulas in every row."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from lxml import etree
from python_calamine import CalamineWorkbook

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import PROGRAMME_SHEET, programme_letter
from ctcong_xl.core.status import classify
from ctcong_xl.core.writeplan import programme_formulas
from ctcong_xl.io.master import MANAGED_SHEETS, read_master, write_master
from ctcong_xl.io.xlsxpatch import sheet_parts
from ctcong_xl.ops.review import plan_summary

from helpers import Office, office, pristine  # noqa: F401

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SNV_ROWS = [
    {"noi_dung": "Đề án vị trí việc làm trong các đơn vị sự nghiệp công lập", "loai": "Đề án", "thoi_han": "Quý I/2026"},
    {"noi_dung": "Báo cáo kết quả thực hiện quy chế dân chủ ở cơ sở", "loai": "Báo cáo", "thoi_han": "6 tháng đầu năm"},
    {"noi_dung": "Kế hoạch tuyển dụng công chức năm 2026", "loai": "Kế hoạch", "thoi_han": dt.date(2026, 10, 15)},
    {"noi_dung": "Tổng kết công tác thi đua, khen thưởng năm 2026", "loai": "Báo cáo", "thoi_han": "Tháng 12/2026"},
]
JUNE, NOVEMBER = dt.date(2026, 7, 31), dt.date(2026, 11, 30)  # the recruitment plan falls due in between


def consolidated(office: Office) -> Office:
    office.send("annual", "SNV", SNV_ROWS)
    office.consolidate()
    ops.summary(office.ws, as_of=JUNE)
    return office


def rows_xml(path: Path, sheet: str) -> dict[int, bytes]:
    """Row number -> the row's XML, of one sheet of the master."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read(sheet_parts(z)[sheet]))
    return {int(r.get("r")): etree.tostring(r, encoding="UTF-8") for r in root.iter(f"{M}row")}


def values(path: Path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names if n in MANAGED_SHEETS}


def row_of(office: Office, content: str) -> int:
    ds = office.dataset()
    (item,) = [i for i in ds.items if i.noi_dung == content]
    return ds.programme_index.rows[item.ma_dau_viec]


def test_a_later_as_of_date_rewrites_the_row_whose_status_changed_and_leaves_the_others_as_they_are(office):
    consolidated(office)
    before = rows_xml(office.ws.master, PROGRAMME_SHEET)
    ops.summary(office.ws, as_of=NOVEMBER)
    after = rows_xml(office.ws.master, PROGRAMME_SHEET)
    changed = row_of(office, "Kế hoạch tuyển dụng công chức năm 2026")
    assert [r for r in after if after[r] != before.get(r)] == [changed]
    status = {i.noi_dung: i for i in office.dataset().items}["Kế hoạch tuyển dụng công chức năm 2026"]
    expected = classify(status.effective_deadline, status.ngay_hoan_thanh, NOVEMBER, status.rut).text
    col = programme_letter("tinh_trang")
    assert office.sheet(PROGRAMME_SHEET)[changed - 1][ord(col) - ord("A")] == expected


def test_the_print_view_rewrites_only_the_row_of_the_changed_status(office):
    consolidated(office)
    before = rows_xml(office.ws.master, L.PRINT_SHEET)
    ops.summary(office.ws, as_of=NOVEMBER)
    after = rows_xml(office.ws.master, L.PRINT_SHEET)
    changed = [r for r in after if after[r] != before.get(r)]
    assert len(changed) == 2  # the as-of line of the title and the recruitment plan's row
    assert any("Kế hoạch tuyển dụng công chức năm 2026".encode() in after[r] for r in changed)


def test_a_master_written_row_by_row_reads_back_as_one_written_whole(office, tmp_path):
    consolidated(office)
    office.edit_master(office.dataset().items[1].ma_dau_viec, "ghi_chu_vp", "Đã nhắc Sở Nội vụ ngày 12/8")
    whole = tmp_path / "whole.xlsm"
    whole.write_bytes(office.master_bytes())
    ds = read_master(whole)
    ds.programme_cells, ds.derived_cells = None, {}  # what a write that compares nothing does
    write_master(whole, plan_summary(ds, as_of=NOVEMBER)[1])
    ops.summary(office.ws, as_of=NOVEMBER)
    assert values(office.ws.master) == values(whole)


def test_an_older_master_whose_formulas_differ_gets_this_versions_formulas_in_every_row(office):
    consolidated(office)
    old_formula = b'<f>IF(M{row}="","",IF(L{row}="","Ch\xc6\xb0a ho\xc3\xa0n th\xc3\xa0nh","Ho\xc3\xa0n th\xc3\xa0nh"))</f>'
    col = programme_letter("tinh_trang").encode()
    rewrite_part(office.ws.master, PROGRAMME_SHEET, lambda xml: re.sub(
        rb'(<c r="' + col + rb'(\d+)"[^>]*>)<f>[^<]*</f>', lambda m: m.group(1) + old_formula.replace(
            b"{row}", m.group(2)), xml))
    assert read_master(office.ws.master).programme_cells is None  # told from the first item's row
    ops.summary(office.ws, as_of=JUNE)  # the same date: no status changes
    ds = office.dataset()
    for item in ds.items:
        r = ds.programme_index.rows[item.ma_dau_viec]
        expected = programme_formulas(ds.programme_index, r)["tinh_trang"].removeprefix("=")
        assert formula_of(office.ws.master, f"{col.decode()}{r}") == expected


def test_a_master_this_version_wrote_is_compared_row_by_row(office):
    consolidated(office)
    assert read_master(office.ws.master).programme_cells is not None


def rewrite_part(path: Path, sheet: str, edit) -> None:
    """A change to one sheet's XML made at package level, every other part copied as it is."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        part = sheet_parts(zin)[sheet]
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, edit(data) if info.filename == part else data)
    path.write_bytes(out.getvalue())


def formula_of(path: Path, ref: str) -> str | None:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read(sheet_parts(z)[PROGRAMME_SHEET]))
    (cell,) = [c for c in root.iter(f"{M}c") if c.get("r") == ref]
    f = cell.find(f"{M}f")
    return None if f is None else f.text


def test_a_status_typed_over_by_hand_gets_its_formula_back_at_the_next_summary(office):
    consolidated(office)
    code = office.dataset().items[0].ma_dau_viec
    office.edit_master(code, "tinh_trang", "Hoàn thành")  # the clerk types over the formula
    ops.summary(office.ws, as_of=JUNE)
    ds = office.dataset()
    r = ds.programme_index.rows[code]
    col = programme_letter("tinh_trang")
    assert formula_of(office.ws.master, f"{col}{r}") == programme_formulas(ds.programme_index, r)["tinh_trang"][1:]
    item = next(i for i in ds.items if i.ma_dau_viec == code)
    expected = classify(item.effective_deadline, item.ngay_hoan_thanh, JUNE, item.rut).text
    assert office.sheet(PROGRAMME_SHEET)[r - 1][ord(col) - ord("A")] == expected != "Hoàn thành"


def test_a_hand_typed_text_the_reading_trims_is_written_back_trimmed_and_no_other_row_changes(office):
    consolidated(office)
    item = office.dataset().items[2]
    office.edit_master(item.ma_dau_viec, "ghi_chu", "  Đã gửi dự thảo xin ý kiến Sở Tư pháp  ")
    before = rows_xml(office.ws.master, PROGRAMME_SHEET)
    ops.summary(office.ws, as_of=JUNE)  # the same date: no status changes
    after = rows_xml(office.ws.master, PROGRAMME_SHEET)
    row = row_of(office, item.noi_dung)
    assert [r for r in after if after[r] != before.get(r)] == [row]
    col = programme_letter("ghi_chu")
    assert office.sheet(PROGRAMME_SHEET)[row - 1][ord(col) - ord("A")] == "Đã gửi dự thảo xin ý kiến Sở Tư pháp"


def test_an_effective_deadline_typed_over_by_hand_gets_its_formula_and_date_back(office):
    consolidated(office)
    item = office.dataset().items[2]
    office.edit_master(item.ma_dau_viec, "thoi_han_hieu_luc", dt.date(2026, 12, 31))
    row = row_of(office, item.noi_dung)
    col = programme_letter("thoi_han_hieu_luc")
    assert formula_of(office.ws.master, f"{col}{row}") is None
    ops.summary(office.ws, as_of=JUNE)
    assert formula_of(office.ws.master, f"{col}{row}") == programme_formulas(
        office.dataset().programme_index, row)["thoi_han_hieu_luc"].removeprefix("=")
    assert office.sheet(PROGRAMME_SHEET)[row - 1][ord(col) - ord("A")] == item.effective_deadline
