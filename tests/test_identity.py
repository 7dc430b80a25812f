"""Nobody poses as another agency (SECURITY.md): each template carries a signature over its kind,
year, month, agency and id, keyed with the workspace's secret; a file whose identity was edited,
or another agency's template, is an error naming both; a monthly template's month is checked."""

from __future__ import annotations

import datetime as dt

import openpyxl

from ctcong_xl import ops
from ctcong_xl.demo_data import fill_template
from ctcong_xl.io.templates import META_SHEET, write_template
from helpers import AGENCIES, LEADERS, YEAR, by_file, codes, run_cli

SCT_ROWS = [
    {"noi_dung": "Đề án phát triển công nghiệp hỗ trợ tỉnh đến năm 2030", "thoi_han": "Quý II/2026"},
    {"noi_dung": "Kế hoạch xúc tiến thương mại năm 2026", "thoi_han": "Quý I/2026"},
    {"noi_dung": "Báo cáo tình hình cung ứng xăng dầu", "thoi_han": "Hằng quý", "dinh_ky": "Hằng quý"},
    {"noi_dung": "Quy hoạch phát triển chợ trên địa bàn tỉnh", "thoi_han": dt.date(2026, 10, 30)},
]
STC_ROWS = [{"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "thoi_han": "Quý II/2026"}]


def meta_edit(**values):
    """The sender edits the template's hidden identity (sheet and document properties)."""
    def edit(wb: openpyxl.Workbook, ws) -> None:
        for row in wb[META_SHEET].iter_rows():
            if row[0].value in values:
                row[1].value = values[row[0].value]
        for key, value in values.items():
            wb.custom_doc_props[f"ctcong_{key}"].value = value

    return edit


def test_an_agency_code_edited_in_the_template_is_an_error_naming_both_and_withdraws_nothing(office):
    office.send("annual", "SCT", SCT_ROWS)
    office.consolidate()
    office.clear_inbox()
    office.send("annual", "STC", STC_ROWS, name="DangKy_SCT.xlsx", edit=meta_edit(agency_code="SCT"))
    c = by_file(office.consolidate())["DangKy_SCT.xlsx"]
    assert codes(c.findings) == ["template_agency_mismatch"]
    assert "Sở Tài chính (STC)" in c.findings[0].message and "Sở Công Thương (SCT)" in c.findings[0].message
    sct = [i for i in office.dataset().items if i.ma_don_vi == "SCT"]
    assert len(sct) >= 4 and not any(i.rut for i in sct)


def test_a_template_id_edited_does_not_verify(office):
    office.send("annual", "STC", STC_ROWS, edit=meta_edit(template_id="0" * 20))
    c = by_file(office.consolidate())["annual_STC.xlsx"]
    assert codes(c.findings) == ["template_signature_invalid"]
    assert "Sở Tài chính (STC)" in c.findings[0].message


def unsigned_registration(office, tmp_path):
    """STC's registration on a template made without the workspace's key (as an earlier version
    of the tool made them, or a forger would)."""
    blank = tmp_path / "DangKy_STC.xlsx"
    stc = next(a for a in AGENCIES if a.code == "STC")
    write_template(blank, "annual", year=YEAR, agency=stc, agencies=AGENCIES, leaders=LEADERS)
    return fill_template(blank, STC_ROWS, out=office.inbox / blank.name)


def test_a_template_the_office_never_signed_is_refused(office, tmp_path):
    unsigned_registration(office, tmp_path)
    c = by_file(office.consolidate())["DangKy_STC.xlsx"]
    assert codes(c.findings) == ["template_unsigned"]


def test_a_monthly_template_with_an_impossible_month_is_refused(office):
    for month in (13, -1, 0):
        office.send("monthly", "STC", [], name=f"thang_{month}.xlsx", month=6, edit=meta_edit(month=str(month)))
    report = office.consolidate()
    for month in (13, -1, 0):
        assert codes(by_file(report)[f"thang_{month}.xlsx"].findings) == ["template_month_invalid"]


def test_a_workspace_made_before_signing_gets_its_key_on_first_need_and_says_so(office, tmp_path):
    key_file = office.root / ops.KEY_FILE
    key_file.unlink()  # a workspace made by an earlier version, which issued unsigned templates
    unsigned_registration(office, tmp_path)
    assert by_file(office.consolidate())["DangKy_STC.xlsx"].result.accepted  # nothing to verify against yet
    code, out, err = run_cli("templates", office.root, "--kind", "progress", "--agency", "STC")
    assert code == 0 and key_file.exists()
    assert "Đã tạo khóa ký biểu mẫu" in err
    code, out, err = run_cli("templates", office.root, "--kind", "progress", "--agency", "STC")
    assert "khóa ký" not in err  # said once
