"""Templates for many agencies are one template written once and copied (io/templates.TemplateCopies):
each agency's copy must be exactly the template written for that agency alone — every cell, format,
row height, dropdown, protection, defined name and property — while the agency list is shared bytes."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ctcong_xl.core.identity import verifies
from ctcong_xl.core.models import Agency
from ctcong_xl.io.incoming import read_submission
from ctcong_xl.io.templates import LISTS_SHEET, TemplateCopies, template_filename, write_template
from ctcong_xl.io.xlsxpatch import sheet_parts

KEY = b"khoa-mau-bieu-cua-van-phong-ubnd-tinh"
AGENCIES = [
    Agency(code="STC", name="Sở Tài chính", email="stc@tinhmau.gov.vn"),
    Agency(code="SVHTTDL", name="Sở Văn hóa, Thể thao và Du lịch"),
    Agency(code="SNNMT", name="Sở Nông nghiệp và Môi trường"),
    Agency(code="BQLDA-DTXD", name="Ban Quản lý dự án đầu tư xây dựng <các công trình> dân dụng & công nghiệp"),
    Agency(code="XDONGTAM", name="UBND xã Đồng Tâm", kind="UBND cấp xã"),
    Agency(code="PBACHQUANG", name="UBND phường Bắc Quang", kind="UBND cấp xã"),
]
LEADERS = ["Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải"]
MONTH = {"annual": None, "monthly": 7, "progress": 7}


def facts(path: Path) -> dict:
    """Everything a clerk, Excel or the reader sees in a template."""
    wb = openpyxl.load_workbook(path)
    out: dict = {
        "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
        "custom": sorted((c.name, str(c.value)) for c in wb.custom_doc_props.props),
        "properties": (wb.properties.title, wb.properties.subject, wb.properties.creator,
                       wb.properties.description),
        "sheets": wb.sheetnames,
    }
    for ws in wb.worksheets:
        cells = [(c.coordinate, c.value, c.data_type, repr(c.font), repr(c.fill), repr(c.border), repr(c.alignment),
                  c.number_format, repr(c.protection)) for row in ws.iter_rows() for c in row]
        out[ws.title] = (
            cells, sorted((k, d.height, d.customHeight) for k, d in ws.row_dimensions.items()),
            sorted((k, d.width) for k, d in ws.column_dimensions.items()), sorted(map(str, ws.merged_cells.ranges)),
            [(str(d.sqref), d.type, d.formula1, d.prompt, d.error, d.errorStyle) for d in ws.data_validations.dataValidation],
            repr(ws.protection), ws.sheet_state, ws.freeze_panes, str(ws.print_title_rows),
            [(str(k), [r.formula for r in v]) for k, v in ws.conditional_formatting._cf_rules.items()],
        )
    return out


def alone(path: Path, kind: str, agency: Agency) -> Path:
    write_template(path, kind, year=2026, agency=agency, agencies=AGENCIES, leaders=LEADERS, month=MONTH[kind],
                   program_number="27/CTr-UBND", key=KEY)
    return path


@pytest.fixture(scope="module", params=["annual", "monthly", "progress"])
def copies(request, tmp_path_factory) -> tuple[str, Path]:
    kind = request.param
    out = tmp_path_factory.mktemp(kind)
    made = TemplateCopies(kind, year=2026, agencies=AGENCIES, leaders=LEADERS, month=MONTH[kind],
                          program_number="27/CTr-UBND", key=KEY)
    for a in AGENCIES:
        made.write(out / template_filename(kind, a, 2026, MONTH[kind]), a)
    return kind, out


@pytest.mark.parametrize("agency", AGENCIES, ids=lambda a: a.code)
def test_each_agencys_copy_is_the_template_written_for_it_alone(copies, agency, tmp_path):
    kind, out = copies
    copy = out / template_filename(kind, agency, 2026, MONTH[kind])
    assert facts(copy) == facts(alone(tmp_path / copy.name, kind, agency))


def test_each_copy_says_its_own_agency_and_its_signature_verifies_only_for_it(copies):
    kind, out = copies
    for a in AGENCIES:
        submission, findings = read_submission(out / template_filename(kind, a, 2026, MONTH[kind]))
        meta = submission.meta
        assert meta.agency_code == a.code
        assert [b.code for b in AGENCIES if verifies(KEY, meta.signature, kind, 2026, MONTH[kind] if kind != "annual"
                                                     else None, b.code, meta.template_id)] == [a.code]


def test_the_agency_list_and_the_shared_strings_are_the_same_bytes_in_every_copy(copies):
    kind, out = copies
    seen = set()
    for a in AGENCIES:
        with zipfile.ZipFile(out / template_filename(kind, a, 2026, MONTH[kind])) as z:
            seen.add((z.read(sheet_parts(z)[LISTS_SHEET]), z.read("xl/sharedStrings.xml")))
    assert len(seen) == 1


def test_no_copy_holds_another_agencys_name_or_a_stand_in(copies):
    kind, out = copies
    for a in AGENCIES:
        with zipfile.ZipFile(out / template_filename(kind, a, 2026, MONTH[kind])) as z:
            text = b"".join(z.read(n) for n in z.namelist()).decode("utf-8")
        assert not any("\ue000" <= ch <= "\ue003" for ch in text)
        assert f"Đơn vị: {a.name}".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in text


PREFILLED = {
    "progress": [{"ma_dau_viec": "2026-STC-001", "noi_dung": "Đề án cơ cấu lại ngân sách địa phương",
                  "thoi_han": dt.date(2026, 6, 30)},
                 {"ma_dau_viec": "2026-STC-002-T07", "noi_dung": "Báo cáo tình hình thu, chi ngân sách tháng 7",
                  "thoi_han": dt.date(2026, 7, 31)}],
    "monthly": [{"noi_dung": "Báo cáo tình hình thu, chi ngân sách 7 tháng", "thoi_gian": dt.date(2026, 7, 31),
                 "ma_dau_viec": "2026-STC-004"}],
}


@pytest.mark.parametrize("kind", sorted(PREFILLED))
def test_a_template_with_prefilled_rows_is_the_one_written_alone(kind, tmp_path):
    made = TemplateCopies(kind, year=2026, agencies=AGENCIES, leaders=LEADERS, month=7,
                          program_number="27/CTr-UBND", key=KEY)
    made.write(tmp_path / "copy.xlsx", AGENCIES[0], PREFILLED[kind])
    write_template(tmp_path / "alone.xlsx", kind, year=2026, agency=AGENCIES[0], agencies=AGENCIES,
                   leaders=LEADERS, month=7, rows=PREFILLED[kind], program_number="27/CTr-UBND", key=KEY)
    assert facts(tmp_path / "copy.xlsx") == facts(tmp_path / "alone.xlsx")


def test_monthly_templates_with_prefilled_rows_share_the_agency_lists_bytes(tmp_path):
    made = TemplateCopies("monthly", year=2026, agencies=AGENCIES, leaders=LEADERS, month=7,
                          program_number="27/CTr-UBND", key=KEY)
    lists = set()
    for a in AGENCIES[:3]:
        made.write(tmp_path / f"{a.code}.xlsx", a, PREFILLED["monthly"])
        with zipfile.ZipFile(tmp_path / f"{a.code}.xlsx") as z:
            xml = z.read(sheet_parts(z)[LISTS_SHEET])
        lists.add(xml[xml.find(b'<row r="2"'):xml.find(b"</sheetData>")])  # the rows below the header
    (rows,) = lists
    assert all(a.name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode() in rows
               for a in AGENCIES)
