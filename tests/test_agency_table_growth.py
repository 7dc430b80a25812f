"""The per-agency table and bar chart of `Tổng hợp` show every agency of the registry, also the
ones the Office adds after `init` beyond the table's spare rows (`ctcong-xl agencies WS add`).

When the registry outgrows the table, the writer inserts rows inside it, as a clerk would with
Insert Sheet Rows in Excel: the leaders' and months' tables below move down, and so does
everything that points at them — the trend chart's series, a clerk's note and formula below the
tables, a clerk's defined name; the bar chart's ranges grow, and their cached points are the
values written. Scenario: the 12 agencies of the test registry, one registration consolidated,
the clerk's edits, then 20 communes added after init (one of them registers too).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.plan import Formula, WritePlan
from ctcong_xl.core.summary_sheet import SUMMARY_SPARE_AGENCY_ROWS, SummaryLayout
from ctcong_xl.io.master import read_master
from ctcong_xl.io.recalc import as_shown, recalculate
from ctcong_xl.io.rowinsert import shift_formula
from ctcong_xl.io.xlsxpatch import apply_plan, sheet_parts

from helpers import Office, build_workspace, run_cli
from test_older_masters import edit_workbook_xml

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
AS_OF = dt.date(2026, 6, 30)
COMMUNES = [(f"XA{n:02d}", f"UBND xã {name}") for n, name in enumerate(
    ["An Bình", "An Phú", "Bình Thạnh", "Cẩm Xuyên", "Đức Thọ", "Gia Phố", "Hà Linh", "Hương Khê", "Kỳ Anh",
     "Lộc Hà", "Mai Phụ", "Nghi Xuân", "Phúc Trạch", "Quang Lộc", "Sơn Kim", "Thạch Hà", "Tiên Điền",
     "Vũ Quang", "Xuân Lộc", "Yên Hồ"], start=1)]
STC_ROWS = [
    {"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "loai": "Đề án", "thoi_han": "Quý I/2026"},
    {"noi_dung": "Báo cáo công khai ngân sách 6 tháng đầu năm", "loai": "Báo cáo", "thoi_han": "6 tháng đầu năm"},
]
COMMUNE_ROWS = [
    {"noi_dung": "Kế hoạch chuyển đổi số cấp xã năm 2026", "loai": "Kế hoạch", "thoi_han": "Quý II/2026"},
    {"noi_dung": "Báo cáo kết quả xây dựng nông thôn mới nâng cao", "loai": "Báo cáo", "thoi_han": dt.date(2026, 11, 30)},
]
NOTE = "Ghi chú của Văn phòng: số liệu theo tháng gửi Chủ tịch UBND tỉnh"
CLERK_NAME = "TongTheoThang"


def summary_rows(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(L.SUMMARY_SHEET).to_python(skip_empty_area=False)


def layout_of(path: Path) -> SummaryLayout:
    return SummaryLayout.from_column_a([r[0] if r else None for r in summary_rows(path)])


def package(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def clerk_edits(path: Path) -> None:
    """Below the months' table the clerk types a note and a total of the months' column H, and
    names the months' totals; written as Excel stores them (no defined name ensured)."""
    layout = layout_of(path)
    below = layout.month_header + 14
    first, last = layout.month_header + 1, layout.month_header + 12
    plan = WritePlan(names={})
    plan.add(L.SUMMARY_SHEET, below, 1, [[NOTE]])
    plan.add(L.SUMMARY_SHEET, below, 8, [[Formula(f"=SUM(H{first}:H{last})", 0)]])
    path.write_bytes(apply_plan(path.read_bytes(), plan))

    def name_the_totals(wb) -> None:
        etree.SubElement(wb.find(f"{M}definedNames"), f"{M}definedName", name=CLERK_NAME).text = (
            f"'{L.SUMMARY_SHEET}'!$H${first}:$H${last}")
    edit_workbook_xml(path, name_the_totals)


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> tuple[Office, SummaryLayout]:
    """(the workspace after the 20 communes were added and one registered, the layout at init)."""
    office = Office(build_workspace(tmp_path_factory.mktemp("growth") / "ws"))
    code, _, _ = run_cli("summary", office.root, "--as-of", AS_OF.isoformat())
    assert code == 0
    office.send("annual", "STC", STC_ROWS)
    office.consolidate(today=dt.date(2025, 11, 20))
    before = layout_of(office.ws.master)
    clerk_edits(office.ws.master)
    code, _, err = run_cli("agencies", office.root, "add", *COMMUNES[0], "--kind", "UBND cấp xã")
    assert code == 0, err
    for commune, name in COMMUNES[1:]:
        ops.add_agency(office.ws, commune, name, kind="UBND cấp xã", on=dt.date(2026, 1, 5))
    office.clear_inbox()
    office.send("annual", "XA05", COMMUNE_ROWS)
    office.consolidate(today=dt.date(2026, 1, 10))
    return office, before


def test_the_table_grows_to_every_agency_of_the_registry_with_spare_rows_again(grown):
    office, before = grown
    ds = read_master(office.ws.master)
    layout = layout_of(office.ws.master)
    assert len(ds.agencies) == 32 and before.agency_rows == 12 + SUMMARY_SPARE_AGENCY_ROWS
    assert 32 < layout.agency_rows <= 32 + SUMMARY_SPARE_AGENCY_ROWS  # grown in steps of spare rows
    rows = summary_rows(office.ws.master)
    shown = [rows[r - 1][0] for r in range(layout.agency_first, layout.agency_last + 1)]
    assert shown == [a.code for a in ds.agencies] + [""] * (layout.agency_rows - 32)
    commune = rows[layout.agency_first - 1 + [a.code for a in ds.agencies].index("XA05")]
    assert commune[1] == "UBND xã Đức Thọ" and commune[7] == 2  # its two items counted


def test_the_leaders_and_months_tables_move_down_whole(grown):
    office, before = grown
    layout = layout_of(office.ws.master)
    moved = layout.agency_rows - before.agency_rows
    assert (layout.leader_header, layout.month_header) == (before.leader_header + moved, before.month_header + moved)
    rows = summary_rows(office.ws.master)
    assert [rows[layout.month_header + m - 1][0] for m in range(1, 13)] == [f"Tháng {m}" for m in range(1, 13)]
    assert rows[layout.other_leader_row - 1][0] == L.OTHER_LEADER_LABEL
    sheet = etree.fromstring(package(office.ws.master)[sheet_parts(zipfile.ZipFile(office.ws.master))[L.SUMMARY_SHEET]])
    merged = {m.get("ref") for m in sheet.iter(f"{M}mergeCell")}
    assert {f"A{layout.month_header + m}:B{layout.month_header + m}" for m in range(1, 13)} <= merged
    assert f"A{layout.other_leader_row}:B{layout.other_leader_row}" in merged


def test_the_clerks_note_formula_and_name_below_the_tables_move_with_them(grown, tmp_path):
    office, _ = grown
    layout = layout_of(office.ws.master)
    below = layout.month_header + 14
    first, last = layout.month_header + 1, layout.month_header + 12
    book = openpyxl.load_workbook(office.ws.master)
    assert book[L.SUMMARY_SHEET][f"A{below}"].value == NOTE
    assert book[L.SUMMARY_SHEET][f"H{below}"].value == f"=SUM(H{first}:H{last})"
    assert book.defined_names[CLERK_NAME].attr_text == f"'{L.SUMMARY_SHEET}'!$H${first}:$H${last}"
    recalculated = openpyxl.load_workbook(recalculate(office.ws.master, tmp_path / "lo"), data_only=True)
    assert recalculated[L.SUMMARY_SHEET][f"H{below}"].value == 4  # STC's two items and the commune's two


def _bar_chart(pkg: dict[str, bytes]) -> etree._Element:
    for name, data in pkg.items():
        if re.fullmatch(r"xl/charts/chart\d+\.xml", name):
            root = etree.fromstring(data)
            bar = root.find(f".//{C}barDir")
            if bar is not None and bar.get("val") == "bar":
                return root
    raise AssertionError("no bar chart")


def _cache(ref_el: etree._Element) -> list:
    cache = ref_el[1]
    count = int(cache.find(f"{C}ptCount").get("val"))
    points = {int(p.get("idx")): p.findtext(f"{C}v") for p in cache.iter(f"{C}pt")}
    return [points.get(i) for i in range(count)]


def test_the_bar_chart_series_and_their_cached_points_cover_every_agency(grown):
    office, _ = grown
    layout = layout_of(office.ws.master)
    rows = summary_rows(office.ws.master)
    chart = _bar_chart(package(office.ws.master))
    series = chart.findall(f".//{C}ser")
    assert len(series) == 4
    for j, ser in enumerate(series):
        cat, val = ser.find(f"{C}cat/{C}strRef"), ser.find(f"{C}val/{C}numRef")
        col = "CDEF"[j]
        assert cat.findtext(f"{C}f") == f"'{L.SUMMARY_SHEET}'!$B${layout.agency_first}:$B${layout.agency_last}"
        assert val.findtext(f"{C}f") == f"'{L.SUMMARY_SHEET}'!${col}${layout.agency_first}:${col}${layout.agency_last}"
        table = rows[layout.agency_first - 1:layout.agency_last]
        assert _cache(cat) == [r[1] for r in table]
        assert _cache(val) == [None if r[2 + j] == "" else str(int(r[2 + j])) for r in table]
    assert "UBND xã Yên Hồ" in _cache(series[0].find(f"{C}cat/{C}strRef"))


def test_the_charts_beside_the_moved_tables_move_and_the_bar_chart_grows(grown):
    office, before = grown
    layout = layout_of(office.ws.master)
    moved = layout.agency_rows - before.agency_rows
    pkg = package(office.ws.master)
    drawing = etree.fromstring(next(d for n, d in pkg.items() if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)))
    anchors = [(int(a.find(f"{XDR}from/{XDR}row").text), int(a.find(f"{XDR}to/{XDR}row").text))
               for a in drawing.iter(f"{XDR}twoCellAnchor")]
    doughnut, bar, trend = anchors
    assert doughnut[0] == 0 and bar[0] == layout.agency_header - 1 and trend[0] == layout.leader_header - 1
    assert bar[1] >= layout.agency_last  # the bars span the grown table
    trend_chart = next(etree.fromstring(d) for n, d in pkg.items()
                       if n.startswith("xl/charts/") and b"<c:barDir val=\"col\"/>" in d)
    refs = [f.text for f in trend_chart.iter(f"{C}f")]
    assert f"'{L.SUMMARY_SHEET}'!$C${before.month_header + moved + 1}:$C${before.month_header + moved + 12}" in refs


def test_the_grown_master_is_valid_office_open_xml(grown):
    from ooxml import require_validator, structure_problems, validator_errors

    office, _ = grown
    require_validator()
    assert validator_errors(office.ws.master) == []
    assert structure_problems(office.ws.master) == []


def only_sheet(path: Path, keep: str, out: Path) -> Path:
    """A copy in which every other sheet is hidden, so that a PDF holds only ``keep``'s pages."""
    pkg = package(path)
    wb = etree.fromstring(pkg["xl/workbook.xml"])
    for s in wb.iter(f"{M}sheet"):
        if s.get("name") != keep:
            s.set("state", "hidden")
    pkg["xl/workbook.xml"] = etree.tostring(wb, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in pkg.items():
            z.writestr(name, data)
    return out


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_libreoffice_with_its_default_settings_shows_every_agency_on_the_summary(grown, tmp_path):
    office, _ = grown
    pdf = as_shown(only_sheet(office.ws.master, L.SUMMARY_SHEET, tmp_path / "summary.xlsm"), tmp_path / "pdf", "pdf")
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                              check=True).stdout)
    for agency in read_master(office.ws.master).agencies:
        assert agency.name in text
    assert "Tình trạng công việc theo đơn vị" in text and "Tháng 12" in text


# ------------------------------------------------------------------ the references, as Excel moves them


@pytest.mark.parametrize(("formula", "moved"), [
    ("SUM(H55:H66)", "SUM(H63:H74)"),                     # below the insertion: moves
    ("COUNTIF(H21:H51,\">0\")", "COUNTIF(H21:H59,\">0\")"),  # spans it: grows
    ("C5/$C$10", "C5/$C$10"),                             # above it: stays
    ("'Tổng hợp'!$B$60&\" A60 \"", "'Tổng hợp'!$B$68&\" A60 \""),  # text in quotes is not a reference
    ("'Chương trình năm'!A60+A60", "'Chương trình năm'!A60+A68"),  # another sheet's cells stay
    ("LOG10(A60)+SUM(60:61)", "LOG10(A68)+SUM(68:69)"),   # a function name is no cell; whole rows move
])
def test_a_formula_of_the_sheet_moves_its_references_as_excel_does(formula, moved):
    assert shift_formula(formula, 51, 8, L.SUMMARY_SHEET, L.SUMMARY_SHEET) == moved


def test_a_formula_of_another_sheet_moves_only_its_references_to_the_sheet():
    assert shift_formula("'Tổng hợp'!H60+H60", 51, 8, L.SUMMARY_SHEET, "Ghi chép riêng") == "'Tổng hợp'!H68+H60"
