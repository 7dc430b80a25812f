"""The master workbook ``init`` builds, read back with openpyxl (keep_vba) and by unzipping the
package: its sheets (SPEC §6), buttons bound to the VBA macros, defined names, the programme
sheet's frozen header, filter, conditional formats, date formats and validations, the three
native charts over the summary sheet, and Times New Roman throughout."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from oletools.olevba import VBA_Parser

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.dataset import Dataset
from ctcong_xl.core.forms import PROGRAMME_COLUMNS, PROGRAMME_SHEET, column_letter, programme_letter
from ctcong_xl.core.models import Agency, WorkItem
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.core.writeplan import plan_programme
from ctcong_xl.io import master_build as MB
from ctcong_xl.io import vba
from ctcong_xl.io.master import read_master
from ctcong_xl.io.xlsxpatch import apply_plan, sheet_parts

AGENCIES = [
    Agency(code="STC", name="Sở Tài chính", email="stc@hatinh.gov.vn"),
    Agency(code="SYT", name="Sở Y tế"),
    Agency(code="SNNPTNT", name="Sở Nông nghiệp và Phát triển nông thôn"),
    Agency(code="UBNDHKA", name="UBND huyện Kỳ Anh", kind="UBND cấp huyện"),
]
LEADERS = ["Võ Trọng Hải", "Nguyễn Hồng Lĩnh", "Lê Ngọc Châu"]
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "x": "urn:schemas-microsoft-com:office:excel",
    "v": "urn:schemas-microsoft-com:vml",
}
SPEC_SHEETS = [L.CONTROL_SHEET, L.INSTRUCTIONS_SHEET, L.CONFIG_SHEET, L.REGISTRY_SHEET, PROGRAMME_SHEET, L.PRINT_SHEET,
               L.MONTHLY_SHEET, L.SUMMARY_SHEET, *L.REVIEW_SHEETS, L.VALIDATION_LOG_SHEET, L.IMPORT_LOG_SHEET, L.HISTORY_SHEET, L.SEND_LOG_SHEET]


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ops.init_workspace(tmp_path_factory.mktemp("ws"), 2026, AGENCIES, program_number="27/CTr-UBND",
                                  leaders=LEADERS)


@pytest.fixture(scope="module")
def book(master: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(master, keep_vba=True)


@pytest.fixture(scope="module")
def package(master: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(master) as z:
        return {name: z.read(name) for name in z.namelist()}


def _rels(package: dict[str, bytes], part: str) -> dict[str, str]:
    """Relationship type suffix -> target part of ``part``."""
    folder, name = posixpath.split(part)
    rels = etree.fromstring(package[f"{folder}/_rels/{name}.rels"])
    return {r.get("Type").rsplit("/", 1)[-1]: posixpath.normpath(posixpath.join(folder, r.get("Target")))
            for r in rels.iter(f"{{{NS['pr']}}}Relationship")}


def _part_of(master: Path, sheet: str) -> str:
    with zipfile.ZipFile(master) as z:
        return sheet_parts(z)[sheet]


# ------------------------------------------------------------------ sheets, VBA, buttons


def test_master_has_every_sheet_of_spec_6_in_order_and_a_hidden_xlwings_conf(book):
    assert book.sheetnames == [*SPEC_SHEETS, vba.XLWINGS_CONF_SHEET]
    assert book[vba.XLWINGS_CONF_SHEET].sheet_state == "hidden"
    assert all(book[s].sheet_state == "visible" for s in SPEC_SHEETS)
    assert book.active.title == L.CONTROL_SHEET


def test_master_is_a_macro_workbook_with_a_vba_project(package):
    types = package["[Content_Types].xml"].decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert package["xl/vbaProject.bin"][:8] == bytes.fromhex("D0CF11E0A1B11AE1")


def test_control_sheet_has_eight_buttons_bound_to_the_vba_macros(master, package):
    vml = _rels(package, _part_of(master, L.CONTROL_SHEET))["vmlDrawing"]
    root = etree.fromstring(package[vml])
    buttons = []
    for shape in root.iter(f"{{{NS['v']}}}shape"):
        data = shape.find("x:ClientData", NS)
        if data is not None and data.get("ObjectType") == "Button":
            caption = "".join(shape.find("v:textbox", NS).itertext()).strip()
            buttons.append((caption, data.findtext("x:FmlaMacro", namespaces=NS)))
    assert buttons == [(b.caption, f"[0]!{b.macro}") for b in vba.BUTTONS]
    assert [b.caption for b in vba.BUTTONS] == ["Kiểm tra", "Tổng hợp", "Cập nhật tổng hợp", "Tạo mẫu", "Đôn đốc",
                                                "Gửi đôn đốc", "Lập chương trình", "Kiểm tra máy"]


def test_every_button_macro_is_a_public_sub_of_the_vba_project(master):
    parser = VBA_Parser(str(master))
    try:
        code = "\n".join(source for _, _, _, source in parser.extract_macros())
    finally:
        parser.close()
    for button in vba.BUTTONS:
        assert re.search(rf"^Public Sub {button.macro}\(\)", code, re.M), button.macro


def test_control_sheet_lists_each_button_beside_its_description(book):
    sheet = book[L.CONTROL_SHEET]
    first = MB.CONTROL_FIRST_BUTTON_ROW + 1
    assert sheet.cell(first - 1, 1).value == "Nút"
    assert [sheet.cell(first + i, 2).value for i in range(len(vba.BUTTONS))] == [b.description for b in vba.BUTTONS]


# ------------------------------------------------------------------ defined names and configuration


def test_configuration_cells_have_their_defined_names(book):
    names = {n: book.defined_names[n].attr_text for n in book.defined_names}
    for field in L.CONFIG_FIELDS:
        assert names[field.name] == f"'{L.CONFIG_SHEET}'!$B${L.config_row(field.key)}"
    assert names[L.LEADERS_NAME].startswith(f"'{L.CONFIG_SHEET}'!$D$2")
    config = book[L.CONFIG_SHEET]
    assert config.cell(L.config_row("year"), 2).value == 2026
    assert config.cell(L.config_row("program_number"), 2).value == "27/CTr-UBND"
    assert config.cell(L.config_row("annual_deadline"), 2).value == dt.datetime(2025, 11, 15)
    assert config.cell(L.config_row("as_of"), 2).number_format == "dd/mm/yyyy"
    assert [config.cell(r, L.LEADERS_COL).value for r in range(2, 2 + len(LEADERS))] == LEADERS


def test_master_reads_back_as_the_configuration_and_registry_it_was_built_from(master):
    ds = read_master(master)
    assert ds.config.year == 2026 and ds.config.program_number == "27/CTr-UBND"
    assert ds.config.leaders == LEADERS
    assert [(a.code, a.name, a.kind) for a in ds.agencies] == [(a.code, a.name, a.kind) for a in AGENCIES]
    assert ds.items == []


# ------------------------------------------------------------------ the programme sheet


def test_programme_header_is_frozen_and_filtered_over_the_whole_capacity(book):
    sheet = book[PROGRAMME_SHEET]
    assert [c.value for c in sheet[1]] == [c.header for c in PROGRAMME_COLUMNS]
    assert sheet.freeze_panes == "C2"
    last = programme_letter(PROGRAMME_COLUMNS[-1].key)
    assert sheet.auto_filter.ref == f"A1:{last}{L.MAX_ROWS}"


def test_programme_conditional_formats_colour_overdue_soon_due_done_and_withdrawn(book):
    sheet = book[PROGRAMME_SHEET]
    status = programme_letter("tinh_trang")
    rules = {}
    for cf in sheet.conditional_formatting:
        assert str(cf.sqref) == f"A2:{programme_letter(PROGRAMME_COLUMNS[-1].key)}{L.MAX_ROWS}"
        for rule in cf.rules:
            rules[rule.formula[0]] = rule.dxf
    by_text = {
        "red": f'${status}2="Chưa hoàn thành"',
        "grey": f'${status}2="Đã rút khỏi chương trình"',
        "green": f'LEFT(${status}2,10)="Hoàn thành"',
    }
    assert set(by_text.values()) < set(rules)
    assert rules[by_text["red"]].fill.bgColor.rgb.endswith("FFC7CE")
    assert rules[by_text["green"]].fill.bgColor.rgb.endswith("C6EFCE")
    assert rules[by_text["grey"]].font.strike
    soon = [f for f in rules if "SoNgayNhacTruoc" in f]
    assert len(soon) == 1 and '"Đang thực hiện"' in soon[0] and L.STATUS_DATE_NAME in soon[0]
    assert rules[soon[0]].fill.bgColor.rgb.endswith("FFE0B2")  # orange


def test_programme_date_columns_display_dd_mm_yyyy(book):
    sheet = book[PROGRAMME_SHEET]
    dates = [c for c in PROGRAMME_COLUMNS if c.type == "date" or c.key == "thoi_han_hieu_luc"]
    assert len(dates) >= 6
    formats = {}  # column letter -> number format (adjacent equal columns share one <col>)
    for dim in sheet.column_dimensions.values():
        for n in range(dim.min, dim.max + 1):
            formats[column_letter(n)] = dim.number_format
    for c in dates:
        assert formats[programme_letter(c.key)] == "dd/mm/yyyy", c.header
    assert formats[programme_letter("noi_dung")] == "General"


def test_withdrawn_column_offers_the_office_and_agency_marks_and_approved_deadline_accepts_only_dates(book):
    sheet = book[PROGRAMME_SHEET]
    by_range = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    rut = programme_letter("rut")
    withdrawn = by_range[f"{rut}2:{rut}{L.MAX_ROWS}"]
    assert withdrawn.type == "list" and withdrawn.formula1 == '"x,Đơn vị rút"'
    assert withdrawn.promptTitle == "Rút khỏi chương trình"
    adj = programme_letter("thoi_han_dieu_chinh")
    assert by_range[f"{adj}2:{adj}{L.MAX_ROWS}"].type == "date"


def test_dates_the_tool_writes_into_the_programme_show_as_dd_mm_yyyy(master, tmp_path):
    """A written cell takes its column's style (xlsxpatch), so a real date shows dd/mm/yyyy."""
    ds: Dataset = read_master(master)
    ds.items = [WorkItem(ma_dau_viec="2026-STC-001", noi_dung="Đề án phát triển kinh tế tập thể", ma_don_vi="STC",
                         thoi_han=dt.date(2026, 6, 30), ngay_hoan_thanh=dt.date(2026, 6, 12))]
    plan = WritePlan()
    plan_programme(plan, ds, dt.date(2026, 9, 30))
    out = tmp_path / "m.xlsm"
    out.write_bytes(apply_plan(master.read_bytes(), plan))
    sheet = openpyxl.load_workbook(out)[PROGRAMME_SHEET]
    for key in ("thoi_han", "ngay_hoan_thanh", "thoi_han_hieu_luc"):
        cell = sheet[f"{programme_letter(key)}2"]
        assert cell.number_format == "dd/mm/yyyy", key
    assert sheet[f"{programme_letter('thoi_han')}2"].value == dt.datetime(2026, 6, 30)


# ------------------------------------------------------------------ the summary and its charts


def _charts(master: Path, package: dict[str, bytes]) -> dict[str, etree._Element]:
    drawing = _rels(package, _part_of(master, L.SUMMARY_SHEET))["drawing"]
    folder, name = posixpath.split(drawing)
    rels = etree.fromstring(package[f"{folder}/_rels/{name}.rels"])
    parts = [posixpath.normpath(posixpath.join(folder, r.get("Target"))) for r in rels
             if r.get("Type").endswith("/chart")]
    return {p: etree.fromstring(package[p]) for p in parts}


def test_summary_sheet_holds_three_native_charts_stacked_bar_doughnut_stacked_column(master, package):
    charts = _charts(master, package)
    assert sorted(charts) == sorted(n for n in package if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    kinds = []
    for root in charts.values():
        bar = root.find(".//c:barChart", NS)
        if bar is not None:
            direction = bar.find("c:barDir", NS).get("val")
            assert bar.find("c:grouping", NS).get("val") == "stacked"
            assert bar.find("c:overlap", NS).get("val") == "100"
            kinds.append(f"stacked {direction}")
        elif root.find(".//c:doughnutChart", NS) is not None:
            kinds.append("doughnut")
    assert sorted(kinds) == ["doughnut", "stacked bar", "stacked col"]


def test_every_chart_series_references_the_summary_sheet(master, package):
    for part, root in _charts(master, package).items():
        refs = [f.text for f in root.iter(f"{{{NS['c']}}}f")]
        assert refs, part
        assert all(r.startswith(f"'{L.SUMMARY_SHEET}'!$") for r in refs), refs


def test_per_agency_bars_have_one_series_per_counted_status_over_every_agency(master, package):
    for root in _charts(master, package).values():
        bar = root.find(".//c:barChart", NS)
        if bar is None or bar.find("c:barDir", NS).get("val") != "bar":
            continue
        series = bar.findall("c:ser", NS)
        assert len(series) == 4
        # every row of the per-agency table: also the agencies added to the registry after init
        first = MB.SUMMARY_AGENCY_HEADER_ROW + 1
        last = MB.SUMMARY_AGENCY_HEADER_ROW + MB.summary_agency_rows(len(AGENCIES))
        assert series[0].find("c:val//c:f", NS).text == f"'{L.SUMMARY_SHEET}'!$C${first}:$C${last}"
        return
    pytest.fail("no horizontal bar chart")


def test_summary_formulas_count_whole_programme_columns_without_a_row_cap(book):
    sheet = book[L.SUMMARY_SHEET]
    status = programme_letter("tinh_trang")
    first = sheet.cell(MB.SUMMARY_STATUS_FIRST_ROW, 3).value
    assert first == f'=COUNTIFS(\'{PROGRAMME_SHEET}\'!${status}:${status},"{MB.SUMMARY_STATUS_ORDER[0].text}")'
    assert sheet[MB.SUMMARY_NARRATIVE_CELL].value == MB.narrative_formula()
    assert L.STATUS_DATE_NAME in MB.narrative_formula()


def test_times_new_roman_is_the_font_of_every_cell_and_chart_text(book, package):
    fonts = {cell.font.name for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if cell.value is not None}
    assert fonts == {"Times New Roman"}
    for name, data in package.items():
        if name.startswith("xl/charts/"):
            faces = set(re.findall(rb'typeface="([^"]+)"', data))
            assert faces == {b"Times New Roman"}, name
