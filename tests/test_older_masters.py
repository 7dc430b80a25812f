"""Masters made by older versions of the tool lack workbook-level things the formulas written
today need — the defined name ``NgayTinh`` (the status date) came after the first masters were
handed out. Every write adds the defined names the formulas it writes use, in both doors, and
keeps every name the workbook has (also one a clerk made or redefined)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import PROGRAMME_SHEET, programme_letter
from ctcong_xl.core.plan import WritePlan, names_to_add
from ctcong_xl.core.status import classify
from ctcong_xl.io.recalc import recalculate
from ctcong_xl.io.xlsxpatch import apply_plan, ensure_defined_names

from helpers import Office

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
AS_OF = dt.date(2026, 6, 30)
SNV_ROWS = [
    {"noi_dung": "Đề án sắp xếp tổ chức bộ máy các cơ quan chuyên môn thuộc UBND tỉnh", "loai": "Đề án",
     "thoi_han": "Quý I/2026"},
    {"noi_dung": "Báo cáo công tác cải cách hành chính 6 tháng đầu năm", "loai": "Báo cáo",
     "thoi_han": "6 tháng đầu năm"},
    {"noi_dung": "Kế hoạch tuyển dụng công chức năm 2026", "loai": "Kế hoạch", "thoi_han": dt.date(2026, 10, 15)},
]


def workbook_names(path: Path) -> dict[str, str]:
    """The workbook-level defined names of a package: name -> its text (without "=")."""
    with zipfile.ZipFile(path) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"))
    return {el.get("name"): el.text for el in wb.iter(f"{M}definedName") if el.get("localSheetId") is None}


def edit_workbook_xml(path: Path, edit) -> None:
    """A change to ``xl/workbook.xml`` made at package level, every other part copied as it is."""
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                root = etree.fromstring(part)
                edit(root)
                part = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zout.writestr(info, part)
    path.write_bytes(out.getvalue())


def drop_names(*names: str):
    def edit(root) -> None:
        for el in list(root.iter(f"{M}definedName")):
            if el.get("name") in names:
                el.getparent().remove(el)
    return edit


def record_as_of(office: Office, day: dt.date) -> None:
    """The clerk types the as-of date into Cấu hình (a plan that ensures no name: a hand edit)."""
    plan = WritePlan(names={})
    plan.add(L.CONFIG_SHEET, L.config_row("as_of"), 2, [[day]])
    path = office.ws.master
    path.write_bytes(apply_plan(path.read_bytes(), plan))


@pytest.fixture
def older_master(office) -> Office:
    """A master as handed out before the status date had its own name: no ``NgayTinh``."""
    edit_workbook_xml(office.ws.master, drop_names(L.STATUS_DATE_NAME))
    assert L.STATUS_DATE_NAME not in workbook_names(office.ws.master)
    return office


def test_consolidating_into_an_older_master_defines_the_status_date_name(older_master):
    older_master.send("annual", "SNV", SNV_ROWS)
    assert older_master.consolidate().files[0].result.added == 3
    assert workbook_names(older_master.ws.master)[L.STATUS_DATE_NAME] == L.status_date_formula().removeprefix("=")


def test_every_name_the_builder_defines_is_added_to_a_master_that_lacks_them(office):
    edit_workbook_xml(office.ws.master, drop_names(*L.defined_names()))
    office.send("annual", "SNV", SNV_ROWS)
    office.consolidate()
    names = workbook_names(office.ws.master)
    assert {n: "=" + names.get(n, "") for n in L.defined_names()} == L.defined_names()


def test_names_the_workbook_has_are_kept_also_hand_made_and_redefined_ones(office):
    def hand_edits(root) -> None:
        block = root.find(f"{M}definedNames")
        for el in block:
            if el.get("name") == "SoNgayNhacTruoc":  # the clerk points it at a cell of his own
                el.text = f"'{L.CONFIG_SHEET}'!$F$2"
        etree.SubElement(block, f"{M}definedName", name="DonViTrongDiem").text = f"'{L.REGISTRY_SHEET}'!$A$2:$A$4"
    edit_workbook_xml(office.ws.master, drop_names(L.STATUS_DATE_NAME))
    edit_workbook_xml(office.ws.master, hand_edits)
    office.send("annual", "SNV", SNV_ROWS)
    office.consolidate()
    names = workbook_names(office.ws.master)
    assert names["SoNgayNhacTruoc"] == f"'{L.CONFIG_SHEET}'!$F$2"
    assert names["DonViTrongDiem"] == f"'{L.REGISTRY_SHEET}'!$A$2:$A$4"
    assert L.STATUS_DATE_NAME in names


def test_a_master_with_every_name_keeps_its_workbook_part_byte_for_byte():
    xml = (f'<workbook xmlns="{M[1:-1]}"><sheets><sheet name="{L.CONFIG_SHEET}" sheetId="1"/></sheets>'
           f'<definedNames><definedName name="ngaytinh">1</definedName></definedNames></workbook>').encode()
    assert ensure_defined_names(xml, {L.STATUS_DATE_NAME: L.status_date_formula()}) == xml


def test_a_name_is_placed_where_the_schema_wants_it_in_a_workbook_without_names():
    xml = (f'<workbook xmlns="{M[1:-1]}"><bookViews/><sheets><sheet name="{L.CONFIG_SHEET}" sheetId="1"/></sheets>'
           '<calcPr/></workbook>').encode()
    root = etree.fromstring(ensure_defined_names(xml, {L.STATUS_DATE_NAME: L.status_date_formula()}))
    assert [etree.QName(el).localname for el in root] == ["bookViews", "sheets", "definedNames", "calcPr"]


def test_a_name_that_refers_to_a_sheet_the_workbook_lacks_is_not_added():
    assert names_to_add(L.defined_names(), [], ["Nhật ký"]) == {}
    assert set(names_to_add(L.defined_names(), ["NAMCHUONGTRINH"], [L.CONFIG_SHEET])) == (
        set(L.defined_names()) - {"NamChuongTrinh"})


def test_the_older_master_after_consolidation_is_valid_office_open_xml(older_master):
    from ooxml import require_validator, structure_problems, validator_errors

    older_master.send("annual", "SNV", SNV_ROWS)
    older_master.consolidate()
    require_validator()
    assert validator_errors(older_master.ws.master) == []
    assert structure_problems(older_master.ws.master) == []


@pytest.mark.libreoffice
def test_status_formulas_of_an_older_master_recalculate_to_the_python_status(older_master, tmp_path):
    record_as_of(older_master, AS_OF)
    older_master.send("annual", "SNV", SNV_ROWS)
    older_master.consolidate()
    ds = older_master.dataset()
    sheet = openpyxl.load_workbook(recalculate(older_master.ws.master, tmp_path / "lo"), data_only=True)[PROGRAMME_SHEET]
    col = programme_letter("tinh_trang")
    shown = {i.ma_dau_viec: sheet[f"{col}{ds.programme_index.rows[i.ma_dau_viec]}"].value for i in ds.items}
    expected = {i.ma_dau_viec: classify(i.effective_deadline, i.ngay_hoan_thanh, AS_OF, i.rut).text for i in ds.items}
    assert shown == expected
    assert {"Chưa hoàn thành", "Đang thực hiện"} <= set(shown.values())


# ------------------------------------------------------------------ configuration rows added since

FIRST_FIELDS = 7  # the configuration of the first masters: year .. remind_within_days


def strip_newer_config_rows(path: Path) -> None:
    """The Cấu hình sheet of a first master: no row for the fields added since."""
    plan = WritePlan(names={})
    for f in L.CONFIG_FIELDS[FIRST_FIELDS:]:
        plan.add(L.CONFIG_SHEET, L.config_row(f.key), 1, [[None, None]])
    path.write_bytes(apply_plan(path.read_bytes(), plan))


def test_a_consolidation_labels_the_configuration_rows_an_older_master_lacks(office):
    strip_newer_config_rows(office.ws.master)
    before = office.dataset()
    assert set(before.config_unlabelled) == {f.key for f in L.CONFIG_FIELDS[FIRST_FIELDS:]}
    office.send("annual", "SNV", SNV_ROWS)
    office.consolidate()
    rows = office.sheet(L.CONFIG_SHEET)
    assert [rows[L.config_row(f.key) - 1][0] for f in L.CONFIG_FIELDS] == [f.label for f in L.CONFIG_FIELDS]
    backups = rows[L.config_row("backups_kept") - 1][1]
    assert backups == before.config.backups_kept  # the number that applies, shown where it can be changed
    assert rows[L.config_row("report_number") - 1][1] in ("", None)  # a text stays blank
    after = office.dataset()
    assert after.config == before.config and after.config_unlabelled == {}


def test_a_value_typed_into_an_unlabelled_row_is_kept(office):
    strip_newer_config_rows(office.ws.master)
    plan = WritePlan(names={})
    plan.add(L.CONFIG_SHEET, L.config_row("backups_kept"), 2, [[3]])
    office.ws.master.write_bytes(apply_plan(office.ws.master.read_bytes(), plan))
    office.send("annual", "SNV", SNV_ROWS)
    office.consolidate()
    assert office.dataset().config.backups_kept == 3


def test_a_fresh_master_has_a_label_on_every_configuration_row(pristine):
    from ctcong_xl.io.master import read_master

    assert read_master(next(pristine.glob("*.xlsm"))).config_unlabelled == {}
