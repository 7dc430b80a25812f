"""Everyday mistakes of agency clerks are never silent (issue 8): each drives the real CLI on files
made from the product's real templates and checks the findings (code, cell, severity), the
master's cells, the summary's counts, and that a rerun on the same inbox changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl

from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import NO_CONTENT_CHOICE, PROGRAMME_SHEET, column_letter, programme_column, programme_letter
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.core.programme import monthly_meetings
from ctcong_xl.io.master import read_master
from ctcong_xl.io.templates import CHOICE_LABEL_COLUMNS, CHOICE_ROW
from ctcong_xl.io.xlsxpatch import apply_plan
from helpers import Office, cell, json_of, rows_as_dicts, run_cli, set_cells, stamp

CHOICE_CELL = f"{column_letter(CHOICE_LABEL_COLUMNS + 1)}{CHOICE_ROW}"
AS_OF = dt.date(2026, 10, 15)

SXD_ROWS = [
    {"noi_dung": "Đề án phát triển nhà ở xã hội tỉnh đến năm 2030", "loai": "Đề án", "thoi_han": "Quý III/2026"},
    {"noi_dung": "Đề án huy động vốn đầu tư hạ tầng khu đô thị mới phía Đông", "loai": "Đề án",
     "don_vi_chu_tri": "Sở TC", "thoi_han": dt.date(2026, 9, 30)},
]
STC_ROWS = [
    {"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "loai": "Đề án",
     "lanh_dao": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải", "thoi_han": "Quý II/2026"},
    {"noi_dung": "Quyết định quy định giá đất điều chỉnh năm 2026", "loai": "Dự thảo văn bản quy phạm pháp luật",
     "thoi_han": dt.date(2026, 9, 30)},
]


# ---- the CLI as the Office runs it ----------------------------------------------------------------

def consolidate(office: Office) -> tuple[int, dict]:
    code, out, _ = run_cli("consolidate", office.root, "--json")
    return code, json_of(out)


def summary(office: Office, as_of: dt.date = AS_OF) -> dict:
    code, out, _ = run_cli("summary", office.root, "--as-of", as_of.isoformat(), "--json")
    assert code == 0
    return json_of(out)


def findings(doc: dict, code: str) -> list[dict]:
    return [f for f in doc["findings"] if f["code"] == code]


def programme(office: Office) -> dict[str, dict[str, Any]]:
    """Item code -> the programme row, keyed by header."""
    code = programme_column("ma_dau_viec").header
    return {r[code]: r for r in rows_as_dicts(office.sheet(PROGRAMME_SHEET))}


def h(key: str) -> str:
    return programme_column(key).header


def agency_counts(doc: dict) -> dict[str, dict]:
    return {a["code"]: a for a in doc["by_agency"]}


def rerun_changes_nothing(office: Office) -> dict:
    before = office.master_bytes()
    code, doc = consolidate(office)
    assert code == 0 and office.master_bytes() == before
    return doc


# ---- another agency named as lead ---------------------------------------------------------------

def test_an_item_registered_for_another_lead_agency_is_the_leads_with_a_warning_naming_both(office):
    office.send("annual", "SXD", SXD_ROWS, received=dt.date(2025, 11, 10))
    code, out, _ = run_cli("validate", office.root)
    assert code == 0
    assert "Đăng ký hộ đơn vị khác — tệp annual_SXD.xlsx (SXD): 1 việc có đơn vị chủ trì khác (STC: 1)" in out

    code, doc = consolidate(office)
    assert code == 0
    (warning,) = findings(doc, "lead_is_other_agency")
    assert (warning["severity"], warning["sheet"], warning["cell"]) == (
        "warning", "Đăng ký năm", cell("annual", "don_vi_chu_tri", 1))
    for name in ("Sở Xây dựng (SXD)", "Sở Tài chính (STC)", SXD_ROWS[1]["noi_dung"]):
        assert name in warning["message"]
    (f,) = doc["files"]
    assert f["accepted"] and f["added"] == 2 and f["for_other_agencies"] == {"STC": 1}

    rows = programme(office)
    for_stc, own = rows["2026-SXD-002"], rows["2026-SXD-001"]
    assert (for_stc[h("ma_don_vi")], for_stc[h("don_vi_chu_tri")], for_stc[h("don_vi_dang_ky")]) == (
        "STC", "Sở Tài chính", "SXD")
    assert (own[h("ma_don_vi")], own[h("don_vi_dang_ky")]) == ("SXD", "SXD")
    by_agency = agency_counts(summary(office))
    assert (by_agency["STC"]["total"], by_agency["SXD"]["total"]) == (1, 1)
    progress = openpyxl.load_workbook(office.template("progress", "STC"))
    assert "2026-SXD-002" in [c.value for c in progress["Tiến độ"]["A"]]  # the lead reports on it
    rerun_changes_nothing(office)


# ---- a template sent back blank ---------------------------------------------------------------------

def test_a_registration_sent_back_blank_is_an_error_and_gives_no_receipt(office):
    office.send("annual", "SYT", [], received=dt.date(2025, 11, 12))
    code, doc = consolidate(office)
    assert code == 1
    (error,) = doc["findings"]
    assert (error["code"], error["severity"], error["cell"]) == ("nothing_registered", "error", cell("annual", "noi_dung"))
    assert CHOICE_CELL in error["hint"] and NO_CONTENT_CHOICE in error["hint"]
    assert not doc["files"][0]["accepted"]
    assert agency_counts(summary(office))["SYT"]["registration"] == "Chưa gửi"
    assert (office.ws.folder("returned") / "annual_SYT_CanSua.xlsx").is_file()
    before = office.master_bytes()
    assert consolidate(office)[0] == 1 and office.master_bytes() == before


def test_no_content_chosen_on_the_template_records_the_receipt_with_no_item(office):
    office.send("annual", "SYT", [], received=dt.date(2025, 11, 12), edit=set_cells({CHOICE_CELL: NO_CONTENT_CHOICE}))
    code, doc = consolidate(office)
    assert code == 0 and doc["findings"] == []
    (f,) = doc["files"]
    assert f["accepted"] and (f["rows"], f["added"]) == (0, 0)
    registry = {r["Mã đơn vị"]: r for r in rows_as_dicts(office.sheet(L.REGISTRY_SHEET))}
    assert registry["SYT"]["Ngày nhận đăng ký năm"] == dt.date(2025, 11, 12)
    by_agency = agency_counts(summary(office))
    assert (by_agency["SYT"]["registration"], by_agency["SYT"]["total"]) == ("Đúng hạn", 0)
    rerun_changes_nothing(office)


def test_no_content_chosen_while_the_table_has_items_is_an_error_at_the_choice(office):
    office.send("annual", "SYT", [{"noi_dung": "Kế hoạch phòng, chống dịch bệnh năm 2026", "thoi_han": "Quý I/2026"}],
                edit=set_cells({CHOICE_CELL: NO_CONTENT_CHOICE}))
    code, doc = consolidate(office)
    assert code == 1
    (error,) = doc["findings"]
    assert (error["code"], error["severity"], error["cell"]) == ("no_content_but_rows", "error", CHOICE_CELL)
    assert programme(office) == {}


def test_a_monthly_registration_with_no_content_counts_as_sent_for_that_month(office):
    office.send("monthly", "SYT", [], month=6, received=dt.date(2026, 5, 18),
                edit=set_cells({CHOICE_CELL: NO_CONTENT_CHOICE}))
    office.send("monthly", "STC", [{"noi_dung": "Hội nghị triển khai dự toán ngân sách 6 tháng cuối năm",
                                    "hinh_thuc": "Hội nghị", "thoi_gian": dt.date(2026, 6, 12)}],
                month=6, received=dt.date(2026, 5, 25))
    code, doc = consolidate(office)
    assert code == 0 and doc["findings"] == []
    month = [r for r in rows_as_dicts(office.sheet(L.MONTHLY_SHEET)) if r["Mã đơn vị"] == "SYT"]
    assert [(r["Tháng"], r["Nội dung công việc"]) for r in month] == [("06/2026", NO_CONTENT_CHOICE)]
    by_agency = agency_counts(summary(office))
    assert by_agency["SYT"]["monthly_registration"]["06/2026"] == "Đúng hạn"
    assert by_agency["STC"]["monthly_registration"]["06/2026"].startswith("Chậm")
    rerun_changes_nothing(office)


def test_a_month_with_no_content_lists_no_work_in_the_monthly_programme(office):
    office.send("monthly", "SYT", [], month=6, received=dt.date(2026, 5, 18),
                edit=set_cells({CHOICE_CELL: NO_CONTENT_CHOICE}))
    office.send("monthly", "STC", [{"noi_dung": "Hội nghị triển khai dự toán ngân sách 6 tháng cuối năm",
                                    "hinh_thuc": "Hội nghị", "thoi_gian": dt.date(2026, 6, 12)}],
                month=6, received=dt.date(2026, 5, 18))
    assert consolidate(office)[0] == 0
    listed = monthly_meetings(read_master(office.ws.master), 6, set())
    assert [(m.ma_don_vi, m.noi_dung) for m in listed] == [
        ("STC", "Hội nghị triển khai dự toán ngân sách 6 tháng cuối năm")]


def test_a_blank_file_from_a_template_without_the_choice_says_how_to_register_nothing(office):
    def older_template(wb, ws):  # a template made before the choice existed
        ws.unmerge_cells(f"A{CHOICE_ROW}:{column_letter(CHOICE_LABEL_COLUMNS)}{CHOICE_ROW}")
        ws[f"A{CHOICE_ROW}"] = None

    office.send("annual", "SYT", [], edit=older_template)
    code, doc = consolidate(office)
    assert code == 1
    (error,) = doc["findings"]
    assert (error["code"], error["severity"], error["cell"]) == (
        "nothing_registered_no_choice", "error", cell("annual", "noi_dung"))


# ---- a faulty file superseded by a later accepted one -----------------------------------------------

def test_a_faulty_file_superseded_by_a_later_accepted_file_is_one_warning_and_exit_0(office):
    faulty = [{"noi_dung": SXD_ROWS[0]["noi_dung"], "thoi_han": "Quý V"}]
    office.send("annual", "SXD", faulty, name="DangKy_SXD_lan1.xlsx", received=dt.date(2025, 11, 10))
    assert consolidate(office)[0] == 1
    office.send("annual", "SXD", SXD_ROWS[:1], name="DangKy_SXD_lan2.xlsx", received=dt.date(2025, 11, 12))
    code, doc = consolidate(office)
    assert code == 0
    (superseded,) = [f for f in doc["findings"] if f["file"] == "DangKy_SXD_lan1.xlsx"]
    assert (superseded["code"], superseded["severity"]) == ("superseded_file", "warning")
    assert "DangKy_SXD_lan2.xlsx" in superseded["message"]
    files = {f["file"]: f for f in doc["files"]}
    assert files["DangKy_SXD_lan1.xlsx"]["superseded_by"] == "DangKy_SXD_lan2.xlsx"
    assert files["DangKy_SXD_lan2.xlsx"]["accepted"] and list(programme(office)) == ["2026-SXD-001"]
    log = [(r["Tệp"], r["Kết quả"]) for r in rows_as_dicts(office.sheet(L.IMPORT_LOG_SHEET))]
    assert [name for name, _ in log] == ["DangKy_SXD_lan1.xlsx", "DangKy_SXD_lan2.xlsx", "DangKy_SXD_lan1.xlsx"]
    assert "DangKy_SXD_lan2.xlsx" in log[2][1]
    validation_log = rows_as_dicts(office.sheet(L.VALIDATION_LOG_SHEET))
    assert [r["Mã lỗi"] for r in validation_log] == ["quarter_invalid", "superseded_file"]
    assert agency_counts(summary(office))["SXD"]["total"] == 1
    again = rerun_changes_nothing(office)
    assert [f["code"] for f in again["findings"] if f["file"] == "DangKy_SXD_lan1.xlsx"] == ["superseded_file"]


def test_a_faulty_file_received_after_the_accepted_one_still_counts(office):
    office.send("annual", "SXD", SXD_ROWS[:1], name="DangKy_SXD_lan1.xlsx", received=dt.date(2025, 11, 10))
    assert consolidate(office)[0] == 0
    office.send("annual", "SXD", [{"noi_dung": SXD_ROWS[0]["noi_dung"], "thoi_han": "Quý V"}],
                name="DangKy_SXD_lan2.xlsx", received=dt.date(2025, 11, 12))
    code, doc = consolidate(office)
    assert code == 1
    assert [(f["code"], f["cell"]) for f in doc["findings"] if f["file"] == "DangKy_SXD_lan2.xlsx"] == [
        ("quarter_invalid", cell("annual", "thoi_han"))]


# ---- locked, pre-filled cells are the Office's ------------------------------------------------------

def test_no_finding_points_at_a_locked_prefilled_cell_of_a_progress_report(office):
    beyond = {"noi_dung": "Đề án đầu tư xây dựng trung tâm hành chính tỉnh", "loai": "Đề án",
              "thoi_han": dt.date(2027, 3, 31), "ghi_chu": "Dự án chuyển tiếp, hoàn thành quý I/2027"}
    office.send("annual", "STC", [*STC_ROWS, beyond], received=dt.date(2025, 11, 10))
    assert consolidate(office)[0] == 0
    office.clear_inbox()
    office.send("progress", "STC", [{"ma_dau_viec": "2026-STC-001", "ngay_hoan_thanh": dt.date(2026, 6, 20),
                                     "van_ban_ket_qua": "Tờ trình số 45/TTr-STC"}], received=dt.date(2026, 7, 1))
    code, doc = consolidate(office)
    assert code == 0 and doc["findings"] == []
    rows = programme(office)
    assert rows["2026-STC-003"][h("thoi_han")] == dt.date(2027, 3, 31)
    assert rows["2026-STC-001"][h("ngay_hoan_thanh")] == dt.date(2026, 6, 20)
    assert summary(office)["by_status"]["hoan_thanh_dung_han"] == 1
    rerun_changes_nothing(office)


# ---- rows the Office adds by hand -------------------------------------------------------------------

OFFICE_ROW = {
    "ma_dau_viec": "2026-STC-010", "noi_dung": "Báo cáo tình hình giải ngân vốn đầu tư công (giao tại phiên họp tháng 1)",
    "ma_don_vi": "STC", "don_vi_chu_tri": "Sở Tài chính", "thoi_han": dt.date(2026, 3, 31),
}


def office_types_row(office: Office, values: dict[str, Any]) -> None:
    """The Office types a new row under the programme, as a clerk does after a meeting."""
    ds = office.dataset()
    row = ds.programme_index.last_row + 1
    plan = WritePlan()
    for key, value in values.items():
        plan.add(PROGRAMME_SHEET, row, ds.programme_index.columns[key], [[value]])
    path = office.ws.master
    path.write_bytes(apply_plan(path.read_bytes(), plan))


def test_a_row_the_office_typed_is_never_withdrawn_or_rewritten_by_a_registration(office):
    office.send("annual", "STC", STC_ROWS, name="DangKy_STC_lan1.xlsx", received=dt.date(2025, 11, 10))
    assert consolidate(office)[0] == 0
    office.clear_inbox()
    office_types_row(office, OFFICE_ROW)
    typed = programme(office)["2026-STC-010"]
    new_item = {"noi_dung": "Kế hoạch tài chính 5 năm tỉnh giai đoạn 2026-2030", "loai": "Kế hoạch",
                "thoi_han": "Tháng 8/2026"}
    # the new version: the Office's item is not in it, one item is new
    office.send("annual", "STC", [*STC_ROWS, new_item], name="DangKy_STC_lan2.xlsx", received=dt.date(2025, 11, 14))
    code, doc = consolidate(office)
    assert code == 0 and doc["findings"] == []
    (f,) = doc["files"]
    assert (f["added"], f["changed"], f["removed"]) == (1, 0, 0)
    rows = programme(office)
    mine = rows["2026-STC-010"]
    assert {k: mine[h(k)] for k in OFFICE_ROW} == {k: typed[h(k)] for k in OFFICE_ROW}
    assert (mine[h("rut")], mine[h("nguon")], mine[h("dau_kiem")], mine[h("don_vi_dang_ky")]) == ("", "", "", "")
    assert rows["2026-STC-011"][h("noi_dung")] == new_item["noi_dung"]  # after the Office's code, not onto it
    assert agency_counts(summary(office, dt.date(2026, 2, 1)))["STC"]["total"] == 4
    rerun_changes_nothing(office)


# ---- a resubmission that moves a deadline ----------------------------------------------------------

def test_a_moved_deadline_in_a_resubmission_is_a_proposal_awaiting_the_office(office):
    office.send("annual", "STC", STC_ROWS, name="DangKy_STC_lan1.xlsx", received=dt.date(2025, 11, 10))
    assert consolidate(office)[0] == 0
    office.clear_inbox()
    moved = [STC_ROWS[0], {**STC_ROWS[1], "thoi_han": dt.date(2026, 10, 31), "ghi_chu": "Chờ ý kiến Bộ Tài chính"}]
    office.send("annual", "STC", moved, name="DangKy_STC_lan2.xlsx", received=dt.date(2025, 11, 14))
    code, doc = consolidate(office)
    assert code == 0
    (warning,) = doc["findings"]
    assert (warning["code"], warning["severity"], warning["sheet"], warning["cell"]) == (
        "deadline_change_proposed", "warning", "Đăng ký năm", cell("annual", "thoi_han", 1))
    ds = office.dataset()
    row = ds.programme_index.rows["2026-STC-002"]
    assert f"{programme_letter('thoi_han_dieu_chinh')}{row}" in warning["hint"]
    item = programme(office)["2026-STC-002"]
    assert item[h("thoi_han")] == dt.date(2026, 9, 30)  # the registered deadline stays
    assert item[h("de_xuat_thoi_han")] == dt.date(2026, 10, 31) and item[h("thoi_han_dieu_chinh")] == ""
    assert "DangKy_STC_lan2.xlsx" in item[h("ly_do")] and "Chờ ý kiến Bộ Tài chính" in item[h("ly_do")]
    assert summary(office)["by_status"]["chua_hoan_thanh"] == 2  # overdue at 15/10 until the Office approves
    rerun_changes_nothing(office)

    # the progress template pre-fills the pending proposal with its reason: the agency's file passes
    office.clear_inbox()
    office.send("progress", "STC", [{"ma_dau_viec": "2026-STC-001", "ngay_hoan_thanh": dt.date(2026, 6, 20)}])
    code, doc = consolidate(office)
    assert code == 0 and doc["findings"] == []
    assert programme(office)["2026-STC-002"][h("de_xuat_thoi_han")] == dt.date(2026, 10, 31)

    office.edit_master("2026-STC-002", "thoi_han_dieu_chinh", dt.date(2026, 10, 31))  # the Office approves
    assert summary(office)["by_status"]["dang_thuc_hien"] == 1


def test_the_excel_buttons_message_counts_superseded_files_and_items_for_other_agencies(office):
    from ctcong_xl.xl import consolidation_message

    office.send("annual", "SXD", [{"noi_dung": SXD_ROWS[0]["noi_dung"], "thoi_han": "Quý V"}],
                name="DangKy_SXD_lan1.xlsx", received=dt.date(2025, 11, 10))
    office.send("annual", "SXD", SXD_ROWS, name="DangKy_SXD_lan2.xlsx", received=dt.date(2025, 11, 12))
    message = consolidation_message(office.consolidate())
    assert "Đã tổng hợp 1/2 tệp: thêm 2 đầu việc" in message
    assert "1 tệp có lỗi đã được thay bằng tệp mới hơn của cùng đơn vị nên bỏ qua." in message
    assert "1 việc do đơn vị đăng ký hộ đơn vị chủ trì khác" in message
    assert "không được tổng hợp" not in message


def test_an_agency_row_whose_hidden_fingerprint_was_cleared_is_still_the_agencys(office):
    office.send("annual", "STC", STC_ROWS, name="DangKy_STC_lan1.xlsx", received=dt.date(2025, 11, 10))
    assert consolidate(office)[0] == 0
    office.clear_inbox()
    office.edit_master("2026-STC-002", "dau_kiem", None)  # a clerk cleared the hidden column by mistake
    office.send("annual", "STC", STC_ROWS[:1], name="DangKy_STC_lan2.xlsx", received=dt.date(2025, 11, 14))
    code, doc = consolidate(office)
    assert code == 0 and doc["files"][0]["removed"] == 1
    assert programme(office)["2026-STC-002"][h("rut")] == "Đơn vị rút"


def test_an_agency_registering_the_offices_own_item_gets_a_duplicate_warning_and_the_row_stays(office):
    office.send("annual", "STC", STC_ROWS, name="DangKy_STC_lan1.xlsx", received=dt.date(2025, 11, 10))
    assert consolidate(office)[0] == 0
    office.clear_inbox()
    office_types_row(office, OFFICE_ROW)
    again = {"noi_dung": OFFICE_ROW["noi_dung"], "loai": "Báo cáo", "thoi_han": dt.date(2026, 4, 30)}
    office.send("annual", "STC", [*STC_ROWS, again], name="DangKy_STC_lan2.xlsx", received=dt.date(2025, 11, 14))
    code, doc = consolidate(office)
    assert code == 0
    (warning,) = doc["findings"]
    assert (warning["code"], warning["severity"], warning["cell"]) == (
        "duplicate_in_master", "warning", cell("annual", "noi_dung", 2))
    assert "2026-STC-010" in warning["message"]
    rows = programme(office)
    assert rows["2026-STC-010"][h("thoi_han")] == dt.date(2026, 3, 31) and rows["2026-STC-010"][h("loai")] == ""
    assert rows["2026-STC-011"][h("noi_dung")] == OFFICE_ROW["noi_dung"]
