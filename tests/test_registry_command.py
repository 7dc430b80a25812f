"""`ctcong-xl agencies WS list|add|rename|merge` (SPEC §7): reorganisations of the registry
without editing codes by hand, recorded in the history sheet; registration punctuality judged
from the date an agency joined the registry (or not applicable), one rule in Python and in the
registry's formula (proved in LibreOffice)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from ctcong_xl.core import layout as L
from ctcong_xl.core.documents import report_document
from ctcong_xl.core.forms import PROGRAMME_SHEET
from ctcong_xl.core.summary import summarize
from ctcong_xl.io import master_build as MB
from ctcong_xl.io.master import owner_file
from ctcong_xl.io.recalc import recalculate
from helpers import Office, json_of, rows_as_dicts, run_cli

HISTORY_CODE = "Mã đầu việc hoặc đơn vị"
SNV_ROWS = [
    {"noi_dung": "Đề án sắp xếp đơn vị hành chính cấp xã giai đoạn 2026-2030", "loai": "Đề án",
     "thoi_han": dt.date(2026, 6, 30)},
    {"noi_dung": "Báo cáo kết quả cải cách hành chính năm 2025", "loai": "Báo cáo", "thoi_han": dt.date(2026, 1, 31)},
]


def _history(o: Office) -> list[dict]:
    return rows_as_dicts(o.sheet(L.HISTORY_SHEET))


def _registry(o: Office) -> dict[str, dict]:
    return {r["Mã đơn vị"]: r for r in rows_as_dicts(o.sheet(L.REGISTRY_SHEET))}


def _cli(*args) -> str:
    code, out, err = run_cli(*args)
    assert code == 0, err
    return out


# ---- add, and punctuality from the day an agency joined -----------------------------------------


def test_an_agency_added_after_the_deadline_is_not_judged_on_the_annual_registration(office):
    _cli("agencies", office.root, "add", "SDTTG", "Sở Dân tộc và Tôn giáo", "--email", "sdttg@tinhmau.gov.vn",
         "--date", "2026-01-10")
    row = _registry(office)["SDTTG"]
    assert (row["Tên đơn vị"], row["Loại"], row["Ngày bổ sung vào danh mục"]) == (
        "Sở Dân tộc và Tôn giáo", "sở, ban, ngành", dt.date(2026, 1, 10))
    office.send("annual", "SDTTG", [{"noi_dung": "Báo cáo công tác tôn giáo năm 2026", "thoi_han": "Năm 2026"}],
                received=dt.date(2026, 1, 20))
    office.consolidate(today=dt.date(2026, 1, 21))
    verdicts = {a["code"]: a["registration"] for a in json_of(_cli("summary", office.root, "--json"))["by_agency"]}
    assert verdicts["SDTTG"] == "Không áp dụng" and verdicts["SNV"] == "Chưa gửi"
    assert [(r[HISTORY_CODE], r["Giá trị mới"]) for r in _history(office)][0] == ("SDTTG", "Thêm mới: Sở Dân tộc và Tôn giáo")


def test_an_agency_added_before_the_deadline_is_judged_as_any_other(office):
    _cli("agencies", office.root, "add", "BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh", "--date", "2025-11-01")
    office.send("annual", "BQLKCN", [{"noi_dung": "Đề án phát triển khu công nghiệp", "thoi_han": "Quý IV/2026"}],
                received=dt.date(2025, 11, 18))
    office.consolidate()
    by_agency = {a["code"]: a for a in summarize(office.dataset(), dt.date(2026, 6, 30)).by_agency}
    assert by_agency["BQLKCN"]["registration"] == "Chậm 3 ngày"


def test_a_late_monthly_registration_and_a_missing_one_are_two_verdicts(office):
    _cli("agencies", office.root, "add", "SDTTG", "Sở Dân tộc và Tôn giáo", "--date", "2026-03-10")
    month_row = [{"noi_dung": "Hội nghị tổng kết công tác dân tộc", "thoi_gian": "15/04/2026", "hinh_thuc": "Hội nghị"}]
    office.send("monthly", "STC", month_row, month=4, received=dt.date(2026, 3, 18))
    office.send("monthly", "SDTTG", month_row, month=4, received=dt.date(2026, 3, 23))
    office.send("monthly", "STC", month_row, name="m3_STC.xlsx", month=3, received=dt.date(2026, 2, 19))
    office.consolidate(today=dt.date(2026, 3, 25))
    s = summarize(office.dataset(), dt.date(2026, 4, 30))
    monthly = {a["code"]: a["monthly_registration"] for a in s.by_agency}
    assert monthly["SDTTG"] == {"03/2026": "Không áp dụng", "04/2026": "Chậm 3 ngày"}
    assert monthly["SNV"] == {"03/2026": "Chưa gửi", "04/2026": "Chưa gửi"}
    assert monthly["STC"] == {"03/2026": "Đúng hạn", "04/2026": "Đúng hạn"}
    doc = report_document(s, office.dataset(), day=dt.date(2026, 5, 2))
    table = next(b for b in doc.blocks if getattr(b, "columns", ())[-2:] == ("Tháng gửi chậm", "Tháng chưa gửi"))
    rows = {r.cells[1]: dict(zip(table.columns, r.cells)) for r in table.rows}
    wanted = ("Đăng ký tháng đúng hạn", "Tháng gửi chậm", "Tháng chưa gửi")
    assert [rows["Sở Dân tộc và Tôn giáo"][c] for c in wanted] == ["0/1", "04/2026 (chậm 3 ngày)", ""]
    assert [rows["Sở Nội vụ"][c] for c in wanted] == ["0/2", "", "03/2026, 04/2026"]


@pytest.mark.libreoffice
def test_the_registry_formula_gives_pythons_verdict_in_every_case(office, tmp_path):
    """On time, late, not sent; added before or after the deadline; merged before or after it."""
    root = office.root
    _cli("agencies", root, "add", "SDTTG", "Sở Dân tộc và Tôn giáo", "--date", "2026-01-10")  # after: n/a
    _cli("agencies", root, "add", "BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh", "--date", "2025-11-01")  # before
    for code, day in (("STC", dt.date(2025, 11, 10)), ("SNV", dt.date(2025, 11, 25)), ("BQLKCN", dt.date(2025, 11, 15)),
                      ("SXD", dt.date(2025, 11, 12)), ("SDTTG", dt.date(2026, 1, 12))):
        office.send("annual", code, [{"noi_dung": f"Báo cáo tổng kết năm của {code}", "thoi_han": "Quý I/2026"}],
                    received=day)
    office.consolidate(today=dt.date(2026, 1, 15))
    _cli("agencies", root, "merge", "SXD", "--into", "STC", "--date", "2026-02-01")  # after the deadline: kept
    _cli("agencies", root, "merge", "STP", "--into", "SNV", "--date", "2025-10-01")  # before it: n/a
    python = {a["code"]: a["registration"] for a in json_of(_cli("summary", root, "--json"))["by_agency"]}
    book = openpyxl.load_workbook(recalculate(office.ws.master, tmp_path), data_only=True)
    registry = book[L.REGISTRY_SHEET]
    rule = [c.key for c in L.REGISTRY_COLUMNS].index("punctuality") + 1
    got = {registry.cell(r, 1).value: registry.cell(r, rule).value for r in range(2, registry.max_row + 1)
           if registry.cell(r, 1).value}
    assert got == python
    assert {python[c] for c in ("STC", "SNV", "BQLKCN", "SXD", "SDTTG", "STP", "SYT")} == {
        "Đúng hạn", "Chậm 10 ngày", "Đúng hạn", "Không áp dụng", "Chưa gửi"}
    summary = book[L.SUMMARY_SHEET]
    first = MB.SUMMARY_AGENCY_HEADER_ROW + 1
    on_sheet = {summary.cell(r, 1).value: summary.cell(r, 10).value for r in range(first, first + 40)
                if summary.cell(r, 1).value in python}
    assert on_sheet == python


# ---- rename ---------------------------------------------------------------------------------------------


def test_a_rename_updates_the_lead_agency_of_its_items_and_is_in_the_history(office):
    office.send("annual", "SNV", SNV_ROWS)
    office.consolidate()
    out = _cli("agencies", office.root, "rename", "SNV", "Sở Nội vụ và Dân tộc")
    assert "cập nhật 2 việc" in out
    rows = rows_as_dicts(office.sheet(PROGRAMME_SHEET))
    assert [(r["Mã đầu việc"], r["Đơn vị chủ trì"]) for r in rows] == [
        ("2026-SNV-001", "Sở Nội vụ và Dân tộc"), ("2026-SNV-002", "Sở Nội vụ và Dân tộc")]
    assert _registry(office)["SNV"]["Tên đơn vị"] == "Sở Nội vụ và Dân tộc"
    changes = [(r[HISTORY_CODE], r["Trường thay đổi"], r["Giá trị cũ"], r["Giá trị mới"], r["Tệp hoặc lệnh"])
               for r in _history(office)][-3:]
    assert changes == [
        ("SNV", "Tên đơn vị", "Sở Nội vụ", "Sở Nội vụ và Dân tộc", "Lệnh ctcong-xl agencies rename"),
        ("2026-SNV-001", "Đơn vị chủ trì", "Sở Nội vụ", "Sở Nội vụ và Dân tộc", "Lệnh ctcong-xl agencies rename"),
        ("2026-SNV-002", "Đơn vị chủ trì", "Sở Nội vụ", "Sở Nội vụ và Dân tộc", "Lệnh ctcong-xl agencies rename"),
    ]


def test_after_a_rename_the_agencys_new_registration_is_no_hand_edit(office):
    office.send("annual", "SNV", SNV_ROWS)
    office.consolidate()
    _cli("agencies", office.root, "rename", "SNV", "Sở Nội vụ và Dân tộc")
    office.clear_inbox()
    office.send("annual", "SNV", [*SNV_ROWS, {"noi_dung": "Kế hoạch tuyển dụng công chức năm 2026", "thoi_han": "Quý III/2026"}])
    report = office.consolidate()
    assert [f.code for f in report.findings if f.code == "hand_edit_kept"] == []
    assert {i.don_vi_chu_tri for i in office.dataset().items} == {"Sở Nội vụ và Dân tộc"}


# ---- merge ----------------------------------------------------------------------------------------------


def test_a_merge_moves_the_open_items_to_the_successor_under_their_codes(office):
    office.send("annual", "SNV", SNV_ROWS, received=dt.date(2025, 11, 20))
    office.consolidate(today=dt.date(2025, 11, 21))
    office.clear_inbox()
    office.send("progress", "SNV", [{"ma_dau_viec": "2026-SNV-002", "ngay_hoan_thanh": dt.date(2026, 1, 20),
                                     "van_ban_ket_qua": "Báo cáo số 12/BC-SNV"}])
    office.consolidate(today=dt.date(2026, 1, 25))
    before = json_of(_cli("summary", office.root, "--json"))
    out = _cli("agencies", office.root, "merge", "SNV", "--into", "STP", "--date", "2026-03-01")
    assert "chuyển 1 việc" in out
    items = office.items()
    assert (items["2026-SNV-001"].ma_don_vi, items["2026-SNV-001"].don_vi_chu_tri) == ("STP", "Sở Tư pháp")
    assert (items["2026-SNV-002"].ma_don_vi, items["2026-SNV-002"].don_vi_chu_tri) == ("SNV", "Sở Nội vụ")
    row = _registry(office)["SNV"]
    assert (row["Sáp nhập vào (mã đơn vị)"], row["Ngày sáp nhập"]) == ("STP", dt.date(2026, 3, 1))
    after = json_of(_cli("summary", office.root, "--json"))
    registration = {a["code"]: a["registration"] for a in after["by_agency"]}
    assert registration["SNV"] == {a["code"]: a["registration"] for a in before["by_agency"]}["SNV"] == "Chậm 5 ngày"
    moved = [(r[HISTORY_CODE], r["Trường thay đổi"], r["Giá trị cũ"], r["Giá trị mới"]) for r in _history(office)][-3:]
    assert moved == [("SNV", "Sáp nhập vào (mã đơn vị)", "", "STP"),
                     ("2026-SNV-001", "Mã đơn vị", "SNV", "STP"),
                     ("2026-SNV-001", "Đơn vị chủ trì", "Sở Nội vụ", "Sở Tư pháp")]
    assert "2026-SNV-001" in _template_codes(office.template("progress", "STP"))


def _template_codes(path) -> set[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}


def test_a_merged_agency_gets_no_more_templates(office):
    _cli("agencies", office.root, "merge", "STP", "--into", "SNV", "--date", "2026-01-05")
    out = _cli("templates", office.root, "--kind", "annual")
    assert not (office.root / "outbox" / "DangKyNam_2026_STP.xlsx").exists()
    assert (office.root / "outbox" / "DangKyNam_2026_SNV.xlsx").exists() and "Đã tạo" in out


# ---- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("rename", "SNV", "Sở Nội vụ và Dân tộc"), ("merge", "STP", "--into", "SNV"),
                                  ("add", "SDTTG", "Sở Dân tộc và Tôn giáo")])
def test_a_registry_change_is_refused_while_the_master_is_open(args, office):
    before = office.master_bytes()
    owner_file(office.ws.master).write_bytes(b"chuyenvien")
    code, _, err = run_cli("agencies", office.root, *args)
    assert code == 2 and "đang được mở trong Excel" in err
    assert office.master_bytes() == before


@pytest.mark.parametrize("args, message", [
    (("rename", "SXX", "Sở X"), "Không có đơn vị mã “SXX”"),
    (("merge", "STP", "--into", "STP"), "vào chính nó"),
    (("add", "STC", "Sở Tài chính 2"), "đã có trong danh mục"),
    (("add", "SỞ-MỚI", "Sở Mới"), "Mã đơn vị “SỞ-MỚI” không hợp lệ"),
    (("add", "SMOI", "Sở Mới", "--email", "smoi.tinhmau.gov.vn"), "không hợp lệ"),
])
def test_a_wrong_registry_command_is_a_vietnamese_usage_error_and_changes_nothing(args, message, office):
    before = office.master_bytes()
    code, _, err = run_cli("agencies", office.root, *args)
    assert code == 2 and message in err
    assert office.master_bytes() == before


def test_list_shows_every_agency_with_its_reorganisation(office):
    _cli("agencies", office.root, "merge", "STP", "--into", "SNV", "--date", "2026-01-05")
    out = _cli("agencies", office.root, "list")
    lines = out.splitlines()
    assert "STP | Sở Tư pháp | sở, ban, ngành; stp@tinhmau.gov.vn; sáp nhập vào SNV từ ngày 05/01/2026" in lines
    assert lines[-1] == "12 đơn vị."


def test_merging_an_agency_again_is_refused(office):
    _cli("agencies", office.root, "merge", "STP", "--into", "SNV")
    code, _, err = run_cli("agencies", office.root, "merge", "STP", "--into", "STC")
    assert code == 2 and "Đơn vị “STP” đã được sáp nhập vào SNV" in err


def test_a_registry_made_before_the_reorganisation_columns_gets_them_at_the_first_change(office):
    book = openpyxl.load_workbook(office.ws.master, keep_vba=True)
    first_new = [c.key for c in L.REGISTRY_COLUMNS].index("added") + 1
    book[L.REGISTRY_SHEET].delete_cols(first_new, len(L.REGISTRY_COLUMNS))
    book.save(office.ws.master)
    assert "Ngày bổ sung vào danh mục" not in rows_as_dicts(office.sheet(L.REGISTRY_SHEET))[0]
    _cli("agencies", office.root, "merge", "STP", "--into", "SNV", "--date", "2026-01-05")
    row = _registry(office)["STP"]
    assert (row["Sáp nhập vào (mã đơn vị)"], row["Ngày sáp nhập"]) == ("SNV", dt.date(2026, 1, 5))
    assert office.dataset().agency("STP").merged_into == "SNV"
