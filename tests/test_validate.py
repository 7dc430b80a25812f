"""Validation: every finding code of the catalogue, each from a realistic faulty file built from a
real template (or, for the files that are not templates at all, built by the test), checked
through the operations (ops) the CLI uses, with the cell it points at."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import openpyxl
import pytest

from ctcong_xl import ops
from ctcong_xl.io.incoming import sha256_file
from ctcong_xl.core.forms import FORMS
from ctcong_xl.core.messages import CATALOGUE
from ctcong_xl.core.models import Agency
from ctcong_xl.io.returned import LIST_SHEET, write_returned
from ctcong_xl.io.templates import HEADER_ROW, META_SHEET, write_template
from helpers import (
    AGENCIES,
    FIRST_ROW,
    LEADERS,
    YEAR,
    Office,
    cell,
    copy_workspace,
    encrypt,
    ods_file,
    plain_workbook,
    set_cells,
    to_tcvn3,
    to_vni,
)

TODAY = dt.date(YEAR, 7, 15)
ANNUAL = FORMS["annual"]

STC_ROWS = [
    {"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "loai": "Đề án",
     "cap_trinh": "UBND tỉnh", "thoi_han": "Quý II/2026"},
    {"noi_dung": "Báo cáo tình hình thu, chi ngân sách", "loai": "Báo cáo", "thoi_han": "Hằng quý",
     "dinh_ky": "Hằng quý"},
    {"noi_dung": "Quyết định quy định giá đất điều chỉnh năm 2026", "loai": "Dự thảo văn bản quy phạm pháp luật",
     "thoi_han": dt.date(2026, 9, 30)},
]
SXD_ROWS = [
    {"noi_dung": "Đề án phát triển nhà ở xã hội tỉnh đến năm 2030", "loai": "Đề án", "thoi_han": "6 tháng đầu năm"},
]


@pytest.fixture(scope="module")
def registered(pristine, tmp_path_factory) -> Office:
    """A master where Sở Tài chính and Sở Xây dựng have registered their items."""
    o = Office(copy_workspace(pristine, tmp_path_factory.mktemp("registered") / "ws"))
    o.send("annual", "STC", STC_ROWS)
    o.send("annual", "SXD", SXD_ROWS)
    report = o.consolidate()
    assert all(c.result.accepted for c in report.files), report.findings
    o.clear_inbox()
    return o


def check(o: Office, path: Path) -> ops.FileCheck:
    return ops.check_file(path, o.dataset(), seen={}, today=TODAY)


# ---- one realistic faulty file per finding code -----------------------------------------------


@dataclass
class Case:
    """A faulty file: the agency's template of ``kind`` filled with ``rows`` then ``edit``; or a
    file made by ``make(office, dir)`` for the files that are not a filled template."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "annual"
    agency: str = "STC"
    edit: Callable | None = None
    make: Callable[[Office, Path], Path] | None = None
    cell: str = ""  # where the finding points ("" = the file as a whole)


def _row(**values: Any) -> dict[str, Any]:
    return {"noi_dung": "Đề án chuyển đổi số tỉnh giai đoạn 2026-2030", "thoi_han": "Quý III/2026", **values}


def _meta_edit(key: str, value: str) -> Callable:
    def edit(wb: openpyxl.Workbook, ws) -> None:
        for row in wb[META_SHEET].iter_rows():
            if row[0].value == key:
                row[1].value = value
        wb.custom_doc_props[f"ctcong_{key}"].value = value

    return edit


def _text_renamed(o: Office, d: Path) -> Path:
    path = d / "DangKy_STC.xlsx"
    path.write_text("Kính gửi Văn phòng UBND tỉnh,\nSở Tài chính xin gửi đăng ký chương trình công tác.\n",
                    encoding="utf-8")
    return path


def _csv(o: Office, d: Path) -> Path:
    path = d / "DangKy_STC.csv"
    path.write_text("STT,Nội dung công việc,Thời hạn hoàn thành\n1,Đề án chuyển đổi số,Quý III/2026\n",
                    encoding="utf-8-sig")
    return path


def _ods(o: Office, d: Path) -> Path:
    return ods_file(d / "DangKy_STC.ods")


def _encrypted(o: Office, d: Path) -> Path:
    pytest.importorskip("msoffcrypto")
    filled = o.fill("annual", "STC", [_row()], d / "plain.xlsx")
    return encrypt(filled, d / "DangKy_STC_matkhau.xlsx")


def _truncated(o: Office, d: Path) -> Path:
    filled = o.fill("annual", "STC", [_row()], d / "full.xlsx")
    data = filled.read_bytes()
    path = d / "DangKy_STC_dinhkem_loi.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _foreign(o: Office, d: Path) -> Path:
    """The agency typed its list into a new workbook of its own, with the form's headers."""
    return plain_workbook(d / "DangKy_STC_tu_lap.xlsx", [
        ANNUAL.headers,
        [1, "Đề án chuyển đổi số tỉnh giai đoạn 2026-2030", "Đề án", "UBND tỉnh", None, None, None, None, None,
         "Quý III/2026"],
    ])


def _last_year(o: Office, d: Path) -> Path:
    tpl = d / "DangKyNam_2025_STC.xlsx"
    write_template(tpl, "annual", year=YEAR - 1, agency=AGENCIES[0], agencies=AGENCIES, leaders=LEADERS)
    from ctcong_xl.demo_data import fill_template

    return fill_template(tpl, [{"noi_dung": "Đề án chuyển đổi số", "thoi_han": "Quý III/2025"}],
                         out=d / "DangKy_STC_cu.xlsx")


def _merged_agency(o: Office, d: Path) -> Path:
    """A template made for Sở Kế hoạch và Đầu tư, an agency merged away (not in the registry)."""
    gone = Agency(code="SKHDT", name="Sở Kế hoạch và Đầu tư")
    tpl = d / "DangKyNam_2026_SKHDT.xlsx"
    write_template(tpl, "annual", year=YEAR, agency=gone, agencies=[*AGENCIES, gone], leaders=LEADERS)
    from ctcong_xl.demo_data import fill_template

    return fill_template(tpl, [_row()], out=d / "DangKy_SKHDT.xlsx")


def _rename_sheet(wb, ws) -> None:
    ws.title = "Sheet1"


def _rename_header(wb, ws) -> None:
    ws[f"{cell('annual', 'thoi_han', 0)[0]}{HEADER_ROW}"] = "Hạn"


def _progress_rows(**values: Any) -> list[dict[str, Any]]:
    return [{"ma_dau_viec": "2026-STC-001", **values}]


def _other_agency_code(wb, ws) -> None:
    ws[cell("progress", "ma_dau_viec", -1)] = "2026-SXD-001"  # a row pasted from Sở Xây dựng's list


def _duplicate_file(o: Office, d: Path) -> Path:
    return o.fill("annual", "STC", [_row()], d / "DangKy_STC.xlsx")


CASES: dict[str, Case] = {
    "date_unreadable": Case([_row(thoi_han="sau khi có ý kiến của Bộ Tài chính")], cell=cell("annual", "thoi_han")),
    "date_impossible": Case([_row(thoi_han="31/02/2026")], cell=cell("annual", "thoi_han")),
    "month_invalid": Case([_row(thoi_han="Tháng 13/2026")], cell=cell("annual", "thoi_han")),
    "quarter_invalid": Case([_row(thoi_han="Quý V")], cell=cell("annual", "thoi_han")),
    "year_invalid": Case([_row(thoi_han="15/11/20266")], cell=cell("annual", "thoi_han")),
    "date_outside_year": Case([_row(thoi_han="31/03/2027")], cell=cell("annual", "thoi_han")),
    "deadline_before_start": Case([_row(thoi_gian_trien_khai="Tháng 9", thoi_han="30/06/2026")],
                                  cell=cell("annual", "thoi_han")),
    "recurrence_unknown": Case([_row(dinh_ky="Hai tuần một lần")], cell=cell("annual", "dinh_ky")),
    "text_repaired_nfd": Case([_row(noi_dung=unicodedata.normalize("NFD", "Đề án phát triển du lịch tỉnh"))],
                              cell=cell("annual", "noi_dung")),
    "text_repaired_tcvn3": Case([_row(noi_dung=to_tcvn3("Đề án phát triển du lịch tỉnh"))],
                                cell=cell("annual", "noi_dung")),
    "text_repaired_vni": Case([_row(noi_dung=to_vni("Đề án phát triển du lịch tỉnh"))],
                              cell=cell("annual", "noi_dung")),
    "text_spaces": Case([_row(can_cu="  Nghị quyết   số 05-NQ/TU  ")], cell=cell("annual", "can_cu")),
    "agency_unknown": Case([_row(don_vi_chu_tri="Sở Ngoại vụ")], cell=cell("annual", "don_vi_chu_tri")),
    "partner_unknown": Case([_row(don_vi_phoi_hop="Sở Xây dựng, Cục Thống kê tỉnh")],
                            cell=cell("annual", "don_vi_phoi_hop")),
    "agency_guessed": Case([_row(don_vi_chu_tri="Sở Tài chánh")], cell=cell("annual", "don_vi_chu_tri")),
    "file_not_excel": Case(make=_text_renamed),
    "file_old_format": Case(make=_csv),
    "file_encrypted": Case(make=_encrypted),
    "file_damaged": Case(make=_truncated),
    "not_template": Case(make=_foreign),
    "form_version_unknown": Case([_row()], edit=_meta_edit("version", "7")),
    "template_other_year": Case(make=_last_year),
    "template_other_agency": Case(make=_merged_agency),
    "sheet_missing": Case([_row()], edit=_rename_sheet),
    "header_missing": Case([_row()], edit=_rename_header, cell=f"A{HEADER_ROW}"),
    "required_missing": Case([{"loai": "Báo cáo", "thoi_han": "Quý IV/2026"}], cell=cell("annual", "noi_dung")),
    "value_not_in_list": Case([_row(cap_trinh="Thường trực UBND")], cell=cell("annual", "cap_trinh")),
    "leader_guessed": Case([_row(lanh_dao="Đ/c Hải")], cell=cell("annual", "lanh_dao")),
    "leader_unknown": Case([_row(lanh_dao="Đ/c Minh")], cell=cell("annual", "lanh_dao")),
    "formula_neutralised": Case([_row()], edit=set_cells({cell("annual", "ghi_chu"): '=HYPERLINK("http://tailieu.vn","Xem")'}),
                                cell=cell("annual", "ghi_chu")),
    "duplicate_in_file": Case([_row(), _row()], cell=cell("annual", "noi_dung", 1)),
    "duplicate_in_master": Case([_row(noi_dung="Đề án phát triển nhà ở xã hội tỉnh đến năm 2030")],
                                cell=cell("annual", "noi_dung")),
    "item_unknown": Case(_progress_rows(ngay_hoan_thanh=dt.date(2026, 6, 20)), kind="progress",
                         edit=_other_agency_code, cell=cell("progress", "ma_dau_viec", -1)),
    "completion_after_today": Case(_progress_rows(ngay_hoan_thanh=dt.date(2026, 8, 20), van_ban_ket_qua="Tờ trình số 88/TTr-STC"),
                                   kind="progress", cell=cell("progress", "ngay_hoan_thanh", -1)),
    "new_deadline_without_reason": Case(_progress_rows(de_xuat_thoi_han=dt.date(2026, 10, 31)), kind="progress",
                                        cell=cell("progress", "ly_do", -1)),
    "duplicate_file": Case(make=_duplicate_file),
}
# Codes whose realistic case needs more than one file check; each is tested where it belongs.
COVERED_ELSEWHERE = {
    "hand_edit_kept": "test_consolidate.py::test_hand_edit_in_an_agency_column_survives_a_new_version_and_is_reported",
    "withdrawn_by_office_kept": "test_consolidate.py::test_an_item_the_office_withdrew_stays_withdrawn_when_registered_again",
    "deadline_recurring": "test_xl.py::test_thoihan_explains_an_impossible_date_in_vietnamese",  # worksheet functions only
    "mail_no_address": "test_mail.py::test_an_agency_without_an_address_gets_a_finding_and_the_others_are_sent",
    "mail_address_invalid": "test_mail.py::test_a_mistyped_address_is_skipped_with_a_finding",
    "mail_send_failed": "test_mail.py::test_a_refused_recipient_is_logged_as_not_sent_and_tried_again_next_time",
    # everyday agency mistakes, driven through the CLI
    "lead_is_other_agency": "test_agency_mistakes.py::test_an_item_registered_for_another_lead_agency_is_the_leads_with_a_warning_naming_both",
    "nothing_registered": "test_agency_mistakes.py::test_a_registration_sent_back_blank_is_an_error_and_gives_no_receipt",
    "nothing_registered_no_choice": "test_agency_mistakes.py::test_a_blank_file_from_a_template_without_the_choice_says_how_to_register_nothing",
    "no_content_but_rows": "test_agency_mistakes.py::test_no_content_chosen_while_the_table_has_items_is_an_error_at_the_choice",
    "superseded_file": "test_agency_mistakes.py::test_a_faulty_file_superseded_by_a_later_accepted_file_is_one_warning_and_exit_0",
    "deadline_change_proposed": "test_agency_mistakes.py::test_a_moved_deadline_in_a_resubmission_is_a_proposal_awaiting_the_office",
    # the registry command (ctcong-xl agencies), not a file
    **{code: "test_registry_command.py::test_a_wrong_registry_command_is_a_vietnamese_usage_error_and_changes_nothing"
       for code in ("registry_code_unknown", "registry_code_taken", "registry_merge_into_itself")},
    "registry_already_merged": "test_registry_command.py::test_merging_an_agency_again_is_refused",
    # ctcong-xl doctor: the PC, not a file
    **{code: "test_doctor.py" for code in (
        "doctor_conf_missing", "doctor_interpreter_missing", "doctor_interpreter_import_failed", "doctor_interpreter_ok",
        "doctor_vba_unreadable", "doctor_vba_version_mismatch", "doctor_vba_version_ok", "doctor_store_app",
        "doctor_store_ok", "doctor_cloud_path", "doctor_cloud_ok", "doctor_mark_of_the_web",
        "doctor_mark_of_the_web_ok", "doctor_untrusted_folder", "doctor_trusted_folder_ok", "doctor_trusted_unknown")},
    # hostile and oversized files (SECURITY.md): guarded workers, limits, the generated corpus
    "file_crashed": "test_hardening.py::test_a_reader_killed_by_a_signal_is_a_finding_naming_the_file",
    "file_memory_limit": "test_hardening.py::test_a_file_that_makes_the_reader_abort_for_memory_is_a_finding_and_the_others_are_consolidated",
    "file_time_limit": "test_hardening.py::test_a_file_that_takes_longer_than_the_limit_is_a_finding",
    "file_count_limit": "test_hardening.py::test_files_over_the_number_one_run_reads_wait_in_the_inbox_for_the_next_run",
    **{code: "test_corpus.py::test_one_run_over_the_hostile_corpus_reports_every_file_and_consolidates_the_valid_ones"
       for code in ("file_too_large", "part_too_large", "part_ratio", "part_name_unsafe", "xml_entities", "xml_not_utf8",
                    "file_active_content", "sheet_too_many_rows", "sheet_too_many_columns", "cell_too_long",
                    "rows_hidden", "text_hidden", "form_sheet_hidden")},
    "inbox_skipped": "test_hardening.py::test_what_the_inbox_holds_that_is_not_read_is_reported_and_not_logged",
    "template_agency_mismatch": "test_identity.py::test_an_agency_code_edited_in_the_template_is_an_error_naming_both_and_withdraws_nothing",
    "template_signature_invalid": "test_identity.py::test_a_template_id_edited_does_not_verify",
    "template_unsigned": "test_identity.py::test_a_template_the_office_never_signed_is_refused",
    "template_month_invalid": "test_identity.py::test_a_monthly_template_with_an_impossible_month_is_refused",
}
AGENCY_FILE_CODES = {"agencies_file_unreadable", "agencies_file_missing_column", "agencies_file_empty",
                     "agency_code_invalid", "agency_code_duplicate", "agency_name_missing", "agency_kind_unknown",
                     "agencies_file_field_count", "agencies_file_encoding", "agency_email_invalid"}


def build(case: Case, o: Office, d: Path) -> Path:
    if case.make is not None:
        return case.make(o, d)
    return o.fill(case.kind, case.agency, case.rows, d / f"{case.kind}_{case.agency}.xlsx", edit=case.edit)


def test_every_catalogue_code_has_a_realistic_faulty_file():
    assert set(CATALOGUE) == set(CASES) | set(COVERED_ELSEWHERE) | AGENCY_FILE_CODES


@pytest.mark.parametrize("code", sorted(CASES))
def test_faulty_file_gives_its_finding_at_its_cell_and_only_errors_reject_it(code, registered, tmp_path):
    case = CASES[code]
    path = build(case, registered, tmp_path)
    seen = {}
    if code == "duplicate_file":
        seen = {sha256_file(path): "DangKy_STC_lan1.xlsx"}
    check = ops.check_file(path, registered.dataset(), seen=seen, today=TODAY)
    found = [f for f in check.findings if f.code == code]
    assert found, [f.code for f in check.findings]
    f = found[0]
    assert f.cell == case.cell and f.file == path.name
    assert f.severity == CATALOGUE[code][0]
    assert f.message and unicodedata.is_normalized("NFC", f.message + f.hint)
    if f.cell:
        assert f.sheet == FORMS[case.kind].sheet
    assert check.result.accepted is (not any(x.is_error for x in check.findings) and code != "duplicate_file")


# ---- the agencies file (registry) codes ------------------------------------------------------------

AGENCY_FILES = {
    "agencies_file_unreadable": ("danhmuc.pdf", b"%PDF-1.4 danh muc don vi"),
    "agencies_file_missing_column": ("danhmuc.csv", "Mã,Email\nSTC,stc@tinhmau.gov.vn\n"),
    "agencies_file_empty": ("danhmuc.csv", "Mã đơn vị,Tên đơn vị,Loại,Email\n"),
    "agency_code_invalid": ("danhmuc.csv", "Mã đơn vị,Tên đơn vị,Loại,Email\nSở TC!,Sở Tài chính,,\n"),
    "agency_code_duplicate": ("danhmuc.csv", "Mã đơn vị,Tên đơn vị,Loại,Email\nSTC,Sở Tài chính,,\nSTC,Sở Tư pháp,,\n"),
    "agency_name_missing": ("danhmuc.csv", "Mã đơn vị,Tên đơn vị,Loại,Email\nSTC,,,\n"),
    "agency_kind_unknown": ("danhmuc.csv", "Mã đơn vị,Tên đơn vị,Loại,Email\nSTC,Sở Tài chính,Bộ,\n"),
    "agencies_file_field_count": ("danhmuc.csv", "Mã đơn vị,Tên đơn vị,Loại,Email\nSTC,Sở Tài chính,Sở, ban, ngành,stc@tinhmau.gov.vn\n"),
    # saved on a Western-European Windows: every Vietnamese letter became "?"
    "agencies_file_encoding": ("danhmuc.csv", "Mã đơn vị,Tên đơn vị,Loại,Email\nSTC,Sở Tài chính,,\n".encode("cp1252", "replace")),
    "agency_email_invalid": ("danhmuc.csv", "Mã đơn vị,Tên đơn vị,Loại,Email\nSTC,Sở Tài chính,,stc.tinhmau.gov.vn\n"),
}


@pytest.mark.parametrize("code", sorted(AGENCY_FILE_CODES))
def test_faulty_agencies_file_gives_its_finding(code, tmp_path):
    from ctcong_xl.io.agencies import AgenciesFileError, read_agencies_file

    name, content = AGENCY_FILES[code]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(AgenciesFileError) as exc:
        read_agencies_file(path)
    assert code in [f.code for f in exc.value.findings]


# ---- rules around the findings ---------------------------------------------------------------------


def test_deadline_outside_the_year_is_accepted_with_a_reason_in_the_note(registered, tmp_path):
    path = registered.fill("annual", "STC", [_row(thoi_han="31/03/2027", ghi_chu="Theo lộ trình của Bộ Tài chính")],
                           tmp_path / "a.xlsx")
    c = check(registered, path)
    assert "date_outside_year" not in [f.code for f in c.findings]
    assert c.validated.rows[0].values["thoi_han"] == dt.date(2027, 3, 31)


def test_unknown_agency_hint_names_the_closest_agency_after_a_merger(registered, tmp_path):
    path = registered.fill("annual", "STC", [_row(don_vi_chu_tri="Sở Nông nghiệp và Phát triển nông thôn")],
                           tmp_path / "a.xlsx")
    (f,) = [f for f in check(registered, path).findings if f.code in ("agency_unknown", "agency_guessed")]
    assert f.code == "agency_unknown" and "Sở Nông nghiệp và Môi trường" in f.hint


@pytest.mark.parametrize("name", ["Sở Tài Chính", "STC", "Sở TC", "  sở tài chính "])
def test_name_variants_of_the_lead_agency_are_recognised(name, registered, tmp_path):
    path = registered.fill("annual", "SXD", [_row(don_vi_chu_tri=name)], tmp_path / "a.xlsx")
    c = check(registered, path)
    assert c.result.accepted
    assert c.validated.rows[0].values["don_vi_chu_tri"].code == "STC"


def test_leader_outside_the_dropdown_is_a_warning_and_kept_as_typed(registered, tmp_path):
    path = registered.fill("annual", "STC", [_row(lanh_dao="Đ/c Minh")], tmp_path / "a.xlsx")
    c = check(registered, path)
    (f,) = [f for f in c.findings if f.code == "leader_unknown"]
    assert f.cell == cell("annual", "lanh_dao") and c.result.accepted
    assert c.validated.rows[0].values["lanh_dao"] == "Đ/c Minh"


@pytest.mark.parametrize("typed", ["PCT Nguyễn Văn Hải", "Phó Chủ tịch Hải", "phó chủ tịch UBND tỉnh Nguyễn Văn Hải"])
def test_a_leader_typed_with_title_and_name_becomes_the_configured_leader_silently(typed, registered, tmp_path):
    path = registered.fill("annual", "STC", [_row(lanh_dao=typed)], tmp_path / "a.xlsx")
    c = check(registered, path)
    assert c.findings == [] and c.validated.rows[0].values["lanh_dao"] == LEADERS[1]


def test_a_leader_named_only_by_given_name_is_a_guess_with_a_warning(registered, tmp_path):
    path = registered.fill("monthly", "STC", [{"noi_dung": "Họp Ban Chỉ đạo chuyển đổi số tỉnh", "thoi_gian": "25/06/2026",
                                              "lanh_dao_chu_tri": "Đ/c Hải"}], tmp_path / "m.xlsx", month=7)
    c = check(registered, path)
    (f,) = [f for f in c.findings if f.code == "leader_guessed"]
    assert f.cell == cell("monthly", "lanh_dao_chu_tri") and f.severity == "warning" and LEADERS[1] in f.message
    assert c.validated.rows[0].values["lanh_dao_chu_tri"] == LEADERS[1]


def test_leader_from_the_dropdown_is_accepted_silently(registered, tmp_path):
    path = registered.fill("annual", "STC", [_row(lanh_dao=LEADERS[1])], tmp_path / "a.xlsx")
    assert check(registered, path).findings == []


def test_own_items_sent_again_are_not_duplicates_in_the_master(registered, tmp_path):
    path = registered.fill("annual", "STC", STC_ROWS, tmp_path / "a.xlsx")
    assert "duplicate_in_master" not in [f.code for f in check(registered, path).findings]


def test_monthly_row_repeating_an_annual_item_without_its_code_is_a_duplicate_in_the_master(registered, tmp_path):
    rows = [{"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "thoi_gian": "25/06/2026"}]
    path = registered.fill("monthly", "SNV", rows, tmp_path / "m.xlsx", month=6)
    (f,) = [f for f in check(registered, path).findings if f.code == "duplicate_in_master"]
    assert "2026-STC-001" in f.message and f.cell == cell("monthly", "noi_dung")


def test_same_item_twice_in_a_progress_report_is_a_duplicate(registered, tmp_path):
    def paste_row_again(wb, ws):
        first = FIRST_ROW - 1
        for col in range(1, 9):
            ws.cell(first + 8, col, ws.cell(first, col).value)

    path = registered.fill("progress", "STC", _progress_rows(ngay_hoan_thanh=dt.date(2026, 6, 20)),
                           tmp_path / "p.xlsx", edit=paste_row_again)
    assert "duplicate_in_file" in [f.code for f in check(registered, path).findings]


def test_a_progress_report_is_checked_without_indexing_the_programmes_contents_a_registration_with_it(
        registered, tmp_path):
    from ctcong_xl.core.validate import ItemIndex

    ds = registered.dataset()
    index = ItemIndex.of(ds.items)
    progress = registered.fill("progress", "STC", _progress_rows(ngay_hoan_thanh=dt.date(2026, 6, 20)), tmp_path / "p.xlsx")
    assert ops.check_file(progress, ds, seen={}, today=TODAY, index=index).result.accepted
    assert "by_content" not in vars(index)  # (0.3 s for a programme of 30,000 items)
    again = registered.fill("annual", "SXD", [_row(noi_dung=STC_ROWS[0]["noi_dung"])], tmp_path / "d.xlsx")
    codes = [f.code for f in ops.check_file(again, ds, seen={}, today=TODAY, index=index).findings]
    assert "duplicate_in_master" in codes and "by_content" in vars(index)


@pytest.mark.parametrize("text", [
    '=HYPERLINK("http://tailieu.vn/x","Xem")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
])
def test_formula_like_text_in_a_data_cell_is_neutralised_and_kept_as_text(text, registered, tmp_path):
    path = registered.fill("annual", "STC", [_row(ghi_chu="x")], tmp_path / "f.xlsx",
                           edit=set_cells({cell("annual", "ghi_chu"): text}))
    c = check(registered, path)
    assert [f.code for f in c.findings] == ["formula_neutralised"]
    assert c.validated.rows[0].values["ghi_chu"] == text  # kept as text, as typed


def test_formula_in_a_date_column_keeps_the_date_it_computed(registered, tmp_path):
    def date_formula(wb, ws):
        ws[cell("annual", "thoi_han")] = "=DATE(2026,6,30)"

    path = registered.fill("annual", "STC", [_row()], tmp_path / "f.xlsx", edit=date_formula)
    # openpyxl stores no computed value; a spreadsheet would: without it the text is not a date
    c = check(registered, path)
    assert {f.code for f in c.findings} == {"formula_neutralised", "date_unreadable"}


def test_formula_in_a_date_column_keeps_the_date_its_spreadsheet_saved(registered, tmp_path):
    def date_formula(wb, ws):
        ws[cell("annual", "thoi_han")] = "=DATE(2026,6,30)"

    path = registered.fill("annual", "STC", [_row()], tmp_path / "f.xlsx", edit=date_formula)
    save_computed_value(path, "DATE(2026,6,30)", "46203")  # what Excel stores beside the formula
    c = check(registered, path)
    assert [f.code for f in c.findings] == ["formula_neutralised"] and c.result.accepted
    assert c.validated.rows[0].values["thoi_han"] == dt.date(2026, 6, 30)


def save_computed_value(path: Path, formula: str, value: str) -> None:
    import re
    import zipfile

    data = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        for info in infos:
            data[info.filename] = zf.read(info.filename)
    part = "xl/worksheets/sheet1.xml"
    xml = data[part].decode("utf-8")
    xml, n = re.subn(rf"(<f>{re.escape(formula)}</f>)(<v\s*/>|<v></v>)?", rf"\g<1><v>{value}</v>", xml)
    assert n == 1
    data[part] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in infos:
            zf.writestr(info, data[info.filename])


def test_numbering_formulas_in_stt_are_not_reported(registered, tmp_path):
    def numbered(wb, ws):
        ws[cell("annual", "stt", 1)] = f"=A{FIRST_ROW}+1"

    path = registered.fill("annual", "STC", STC_ROWS[:2], tmp_path / "f.xlsx", edit=numbered)
    assert check(registered, path).findings == []


def test_blank_rows_and_the_example_row_are_ignored(registered, tmp_path):
    def spread(wb, ws):  # the second row moved down, blank rows left between
        for key in (c.key for c in ANNUAL.columns):
            src = ws[cell("annual", key, 1)]
            ws[cell("annual", key, 9)] = src.value
            src.value = None

    path = registered.fill("annual", "STC", STC_ROWS[:2], tmp_path / "b.xlsx", edit=spread)
    c = check(registered, path)
    assert c.result.accepted and [r.row for r in c.validated.rows] == [FIRST_ROW, FIRST_ROW + 9]


def test_moved_columns_and_rows_added_far_below_are_read_by_header(registered, tmp_path):
    def rearrange(wb, ws):
        ws.move_range(f"J{HEADER_ROW}:J{FIRST_ROW + 1}", cols=5)  # Thời hạn hoàn thành moved to column O
        ws[f"O{FIRST_ROW + 300}"] = "30/11/2026"
        ws[f"B{FIRST_ROW + 300}"] = "Báo cáo công tác phòng, chống tham nhũng năm 2026"

    path = registered.fill("annual", "STC", STC_ROWS[:1], tmp_path / "m.xlsx", edit=rearrange)
    c = check(registered, path)
    assert c.result.accepted, c.findings
    assert [r.values["thoi_han"] for r in c.validated.rows] == [dt.date(2026, 6, 30), dt.date(2026, 11, 30)]
    assert c.validated.rows[1].cells["thoi_han"] == f"O{FIRST_ROW + 300}"


@pytest.mark.parametrize("make", [_text_renamed, _csv, _ods, _encrypted, _truncated], ids=lambda f: f.__name__)
def test_files_that_are_not_excel_give_one_clear_finding_never_a_traceback(make, registered, tmp_path):
    path = make(registered, tmp_path)
    c = check(registered, path)
    (f,) = c.findings
    assert f.is_error and f.file == path.name and f.hint and not c.result.accepted


# ---- the validate run: the master's log and the returned copy --------------------------------------


def test_validate_logs_every_finding_and_returns_the_faulty_file(office, tmp_path):
    good = office.send("annual", "STC", STC_ROWS)
    bad = office.send("annual", "SXD", [_row(thoi_han="31/02/2026", cap_trinh="UBND")])
    report = ops.validate(office.ws, today=TODAY)
    assert {c.path.name: c.result.accepted for c in report.files} == {good.name: True, bad.name: False}
    log = office.sheet("Nhật ký kiểm tra")
    logged = [(r[1], r[4], r[6]) for r in log[1:] if r[1]]
    assert logged == [(bad.name, cell("annual", "cap_trinh"), "value_not_in_list"),
                      (bad.name, cell("annual", "thoi_han"), "date_impossible")]
    assert sorted(p.name for p in office.ws.folder("returned").iterdir()) == ["annual_SXD_CanSua.xlsx"]
    assert office.dataset().items == []  # validation never consolidates


# ---- the annotated copy (io/returned.py) --------------------------------------------------------------


def _checked_bad_file(o: Office, d: Path) -> tuple[Path, ops.FileCheck]:
    path = o.fill("annual", "STC", [_row(thoi_han="31/02/2026", cap_trinh="UBND")], d / "DangKy STC.xlsx",
                  edit=set_cells({cell("annual", "ghi_chu"): "=cmd|' /C calc'!A0"}))
    return path, check(o, path)


def test_returned_copy_highlights_and_comments_each_bad_cell(registered, tmp_path):
    path, c = _checked_bad_file(registered, tmp_path)
    out = write_returned(path, c.findings, tmp_path / "returned")
    assert out.name == "DangKy STC_CanSua.xlsx"
    wb = openpyxl.load_workbook(out)
    form = wb[ANNUAL.sheet]
    bad, warn = form[cell("annual", "thoi_han")], form[cell("annual", "cap_trinh")]
    assert bad.fill.fgColor.rgb.endswith("FFC7CE") and warn.fill.fgColor.rgb.endswith("FFEB9C")
    assert "31/02/2026" in bad.comment.text and "Cách sửa:" in bad.comment.text
    assert form[cell("annual", "noi_dung")].comment is None


def test_returned_copy_lists_all_findings_on_a_new_first_sheet(registered, tmp_path):
    path, c = _checked_bad_file(registered, tmp_path)
    wb = openpyxl.load_workbook(write_returned(path, c.findings, tmp_path / "returned"))
    assert wb.sheetnames[0] == LIST_SHEET and wb.active.title == LIST_SHEET
    rows = [r for r in wb[LIST_SHEET].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[2], r[3]) for r in rows] == [(cell("annual", "cap_trinh"), "Cảnh báo"),
                                            (cell("annual", "thoi_han"), "Lỗi"),
                                            (cell("annual", "ghi_chu"), "Cảnh báo")]
    assert wb[LIST_SHEET]["C5"].hyperlink.location == f"'{ANNUAL.sheet}'!{cell('annual', 'cap_trinh')}"


def test_returned_copy_never_turns_a_quoted_formula_into_a_live_one(registered, tmp_path):
    path, c = _checked_bad_file(registered, tmp_path)
    wb = openpyxl.load_workbook(write_returned(path, c.findings, tmp_path / "returned"))
    values = [r[6] for r in wb[LIST_SHEET].iter_rows(min_row=5, values_only=True) if r[0]]
    cells = [x for x in wb[LIST_SHEET].iter_rows(min_row=5) if x[0].value]
    assert "=cmd|' /C calc'!A0" in values and all(row[6].data_type != "f" for row in cells)


def test_corrected_returned_copy_is_recognised_when_sent_back(registered, tmp_path):
    path, c = _checked_bad_file(registered, tmp_path)
    out = write_returned(path, c.findings, tmp_path / "returned")
    wb = openpyxl.load_workbook(out)
    form = wb[ANNUAL.sheet]
    form[cell("annual", "thoi_han")] = "28/02/2026"
    form[cell("annual", "cap_trinh")] = "UBND tỉnh"
    form[cell("annual", "ghi_chu")] = None
    wb.save(tmp_path / "DangKy STC sua.xlsx")
    again = check(registered, tmp_path / "DangKy STC sua.xlsx")
    assert again.result.accepted and again.findings == []


@pytest.mark.parametrize("make", [_text_renamed, _encrypted, _truncated], ids=lambda f: f.__name__)
def test_a_file_that_cannot_be_opened_gets_a_new_workbook_listing_the_findings(make, registered, tmp_path):
    path = make(registered, tmp_path)
    c = check(registered, path)
    out = write_returned(path, c.findings, tmp_path / "returned")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [LIST_SHEET]
    assert wb[LIST_SHEET]["E5"].value == c.findings[0].message


def test_returned_copy_of_a_file_with_its_sheet_renamed_still_lists_the_findings(registered, tmp_path):
    path = registered.fill("annual", "STC", [_row(thoi_han="31/02/2026")], tmp_path / "r.xlsx", edit=_rename_sheet)
    c = check(registered, path)
    wb = openpyxl.load_workbook(write_returned(path, c.findings, tmp_path / "returned"))
    assert [r[4] for r in wb[LIST_SHEET].iter_rows(min_row=5, values_only=True) if r[0]] == [
        f.message for f in c.findings]


def test_a_run_indexes_the_programmes_contents_before_its_workers_fork(registered, monkeypatch, tmp_path):
    # (a worker that indexed them would copy the memory of every item it reads: 387 MB in
    # each of two workers at national scale)
    from ctcong_xl.core import validate
    from ctcong_xl.ops import intake

    made = []

    class Recorded(validate.ItemIndex):
        @classmethod
        def of(cls, items):
            index = super().of(items)
            made.append(index)
            return index

    monkeypatch.setattr(intake, "ItemIndex", Recorded)
    again = registered.fill("annual", "SXD", [_row(noi_dung=STC_ROWS[0]["noi_dung"])], tmp_path / "DangKy_SXD.xlsx")
    report = ops.validate(registered.ws, [again])
    assert "duplicate_in_master" in {f.code for f in report.findings}  # (found in a worker)
    (index,) = made
    assert "by_content" in vars(index)  # made in this process, before the fork
