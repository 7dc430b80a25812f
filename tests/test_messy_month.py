"""A messy month of registrations, run through the real CLI (``ctcong-xl consolidate WS --json``):
ten agencies, periods in words, NFD text, name variants, a resent copy, a foreign workbook, a
text file renamed .xlsx, a formula in a note, a file from last year."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import unicodedata

import pytest

from ctcong_xl.core import layout as L
from ctcong_xl.demo_data import fill_template
from ctcong_xl.io.templates import write_template
from helpers import (
    AGENCIES,
    LEADERS,
    YEAR,
    Office,
    cell,
    copy_workspace,
    plain_workbook,
    rows_as_dicts,
    run_cli,
    set_cells,
    stamp,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def day(d: int, month: int = 11) -> dt.date:
    return dt.date(YEAR - 1, month, d)


def messy_month(o: Office) -> None:
    """What the Office finds in its inbox after the registration deadline (15/11)."""
    o.send("annual", "STC", [
        {"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "loai": "Đề án",
         "don_vi_chu_tri": "Sở Tài Chính", "thoi_han": "Quý II"},
        {"noi_dung": "Báo cáo công khai ngân sách 6 tháng đầu năm", "thoi_han": "6 tháng đầu năm"},
        {"noi_dung": "Quyết định quy định giá đất điều chỉnh", "thoi_han": "Tháng 9"},
    ], name="DangKy_STC.xlsx", received=day(10))
    shutil.copy2(o.inbox / "DangKy_STC.xlsx", o.inbox / "STC gửi lại (bản chính thức).xlsx")
    stamp(o.inbox / "STC gửi lại (bản chính thức).xlsx", day(12))
    o.send("annual", "SNV", [
        {"noi_dung": nfd("Đề án vị trí việc làm trong cơ quan hành chính"), "thoi_han": nfd("Quý III/2026"),
         "can_cu": nfd("Nghị định số 62/2020/NĐ-CP")},
    ], name="snv dang ky.xlsx", received=day(14))
    o.send("annual", "STP", [
        {"noi_dung": "Kế hoạch phổ biến, giáo dục pháp luật năm 2026", "thoi_han": "ngày 31 tháng 3 năm 2026"},
        {"noi_dung": "Báo cáo rà soát văn bản quy phạm pháp luật về ngân sách", "don_vi_chu_tri": "STC",
         "don_vi_phoi_hop": "Sở TC, Sở Tư pháp", "thoi_han": "T10/2026"},
        {"noi_dung": "Đề án nâng cao hiệu quả thi hành pháp luật về tài chính công", "don_vi_chu_tri": "Sở TC",
         "thoi_han": "Quý 4/2026"},
    ], name="DangKy_STP.xlsx", received=day(15))
    o.send("annual", "SXD", [
        {"noi_dung": "Đề án phát triển nhà ở xã hội tỉnh đến năm 2030", "thoi_han": "30/06/2026", "ghi_chu": "x"},
    ], name="SXD.xlsx", received=day(13),
        edit=set_cells({cell("annual", "ghi_chu"): '=HYPERLINK("http://sxd.tinhmau.gov.vn/de-an","Xem dự thảo")'}))
    o.send("annual", "SNNMT", [
        {"noi_dung": "Kế hoạch phòng, chống thiên tai năm 2026", "thoi_han": dt.date(2026, 4, 15)},
    ], received=day(18))
    o.send("annual", "SCT", [
        {"noi_dung": "Chương trình xúc tiến thương mại năm 2026", "thoi_han": "Quý I"},
        {"noi_dung": "Báo cáo tình hình thực hiện cụm công nghiệp", "thoi_han": "31/02/2026"},
    ], name="DangKy_SCT.xlsx", received=day(14))
    last_year = o.root / "outbox" / "DangKyNam_2025_SYT.xlsx"
    syt = next(a for a in AGENCIES if a.code == "SYT")
    write_template(last_year, "annual", year=YEAR - 1, agency=syt, agencies=AGENCIES, leaders=LEADERS)
    fill_template(last_year, [{"noi_dung": "Đề án phát triển y tế cơ sở", "thoi_han": "Quý IV"}],
                  out=o.inbox / "DangKy_SYT.xlsx")
    stamp(o.inbox / "DangKy_SYT.xlsx", day(11))
    o.send("annual", "SGDDT", [
        {"noi_dung": "Báo cáo tình hình giáo dục mầm non", "dinh_ky": "Hằng quý"},
    ], name="DangKy_SGDDT.xlsx", received=day(15))
    (o.inbox / "DangKy_SVHTTDL.xlsx").write_text(
        "Sở Văn hóa, Thể thao và Du lịch đăng ký: Đề án phát triển du lịch, hạn Quý III.\n", encoding="utf-8")
    stamp(o.inbox / "DangKy_SVHTTDL.xlsx", day(16))
    plain_workbook(o.inbox / "DangKy_SKHCN.xlsx", [
        ["STT", "Nội dung công việc", "Thời hạn hoàn thành"],
        [1, "Đề án chuyển đổi số tỉnh giai đoạn 2026-2030", "Quý III/2026"],
    ])
    stamp(o.inbox / "DangKy_SKHCN.xlsx", day(17))


ACCEPTED = {"DangKy_STC.xlsx", "snv dang ky.xlsx", "DangKy_STP.xlsx", "SXD.xlsx", "annual_SNNMT.xlsx",
            "DangKy_SGDDT.xlsx"}
REJECTED = {  # file -> its errors (code, cell)
    "DangKy_SCT.xlsx": [("date_impossible", cell("annual", "thoi_han", 1))],
    "DangKy_SYT.xlsx": [("template_other_year", "")],
    "DangKy_SVHTTDL.xlsx": [("file_not_excel", "")],
    "DangKy_SKHCN.xlsx": [("not_template", "")],
}
DUPLICATE = "STC gửi lại (bản chính thức).xlsx"


@pytest.fixture(scope="module")
def month(pristine, tmp_path_factory) -> tuple[Office, int, dict]:
    """The month's inbox consolidated once by the CLI (the tests only look at the result)."""
    o = Office(copy_workspace(pristine, tmp_path_factory.mktemp("messy") / "ws"))
    messy_month(o)
    code, out, err = run_cli("consolidate", o.root, "--json")
    return o, code, json.loads(out)  # stdout holds one JSON document and nothing else


def test_the_run_exits_with_1_because_some_files_had_errors(month):
    _, code, _ = month
    assert code == 1


def test_each_file_is_accepted_rejected_or_a_duplicate(month):
    _, _, doc = month
    files = {f["file"]: f for f in doc["files"]}
    assert set(files) == ACCEPTED | set(REJECTED) | {DUPLICATE}
    assert {n for n, f in files.items() if f["accepted"]} == ACCEPTED
    assert files[DUPLICATE]["duplicate_of"] == "DangKy_STC.xlsx" and not files[DUPLICATE]["accepted"]
    assert {n: f["kind"] for n, f in files.items() if f["accepted"]} == {n: "annual" for n in ACCEPTED}


def test_each_error_names_its_file_and_cell(month):
    _, _, doc = month
    errors: dict[str, list] = {}
    for f in doc["findings"]:
        if f["severity"] == "error":
            errors.setdefault(f["file"], []).append((f["code"], f["cell"]))
            assert f["message"] and unicodedata.is_normalized("NFC", f["message"])
    assert errors == REJECTED


def test_the_warnings_say_what_was_repaired_where(month):
    _, _, doc = month
    warnings = {(f["file"], f["code"], f["cell"]) for f in doc["findings"] if f["severity"] == "warning"}
    assert ("snv dang ky.xlsx", "text_repaired_nfd", cell("annual", "noi_dung")) in warnings
    assert ("SXD.xlsx", "formula_neutralised", cell("annual", "ghi_chu")) in warnings
    assert (DUPLICATE, "duplicate_file", "") in warnings


def test_the_master_holds_the_accepted_items_with_resolved_dates(month):
    o, _, _ = month
    items = {i.noi_dung: i for i in o.dataset().items}
    assert {n: (i.thoi_han, i.ma_don_vi) for n, i in items.items() if not i.dinh_ky} == {
        "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030": (dt.date(2026, 6, 30), "STC"),
        "Báo cáo công khai ngân sách 6 tháng đầu năm": (dt.date(2026, 6, 30), "STC"),
        "Quyết định quy định giá đất điều chỉnh": (dt.date(2026, 9, 30), "STC"),
        "Đề án vị trí việc làm trong cơ quan hành chính": (dt.date(2026, 9, 30), "SNV"),
        "Kế hoạch phổ biến, giáo dục pháp luật năm 2026": (dt.date(2026, 3, 31), "STP"),
        "Báo cáo rà soát văn bản quy phạm pháp luật về ngân sách": (dt.date(2026, 10, 31), "STC"),
        "Đề án nâng cao hiệu quả thi hành pháp luật về tài chính công": (dt.date(2026, 12, 31), "STC"),
        "Đề án phát triển nhà ở xã hội tỉnh đến năm 2030": (dt.date(2026, 6, 30), "SXD"),
        "Kế hoạch phòng, chống thiên tai năm 2026": (dt.date(2026, 4, 15), "SNNMT"),
    }
    quarterly = {i.ma_dau_viec: i.thoi_han for i in o.dataset().items if i.ma_don_vi == "SGDDT"}
    assert quarterly == {"2026-SGDDT-001-Q1": dt.date(2026, 3, 31), "2026-SGDDT-001-Q2": dt.date(2026, 6, 30),
                         "2026-SGDDT-001-Q3": dt.date(2026, 9, 30), "2026-SGDDT-001-Q4": dt.date(2026, 12, 31)}


def test_text_is_stored_repaired_and_the_formula_as_text(month):
    o, _, _ = month
    snv = next(i for i in o.dataset().items if i.ma_don_vi == "SNV")
    assert unicodedata.is_normalized("NFC", snv.noi_dung) and snv.can_cu == "Nghị định số 62/2020/NĐ-CP"
    sxd = next(i for i in o.dataset().items if i.ma_don_vi == "SXD")
    assert sxd.ghi_chu == '=HYPERLINK("http://sxd.tinhmau.gov.vn/de-an","Xem dự thảo")'


def test_registration_dates_are_recorded_for_the_agencies_that_were_accepted(month):
    o, _, _ = month
    assert o.dataset().received_annual == {"STC": day(10), "SNV": day(14), "STP": day(15), "SXD": day(13),
                                           "SNNMT": day(18), "SGDDT": day(15)}


def test_the_validation_log_lists_every_finding_of_the_run(month):
    o, _, doc = month
    logged = [(r["Tệp"], r["Ô"], r["Mã lỗi"]) for r in rows_as_dicts(o.sheet(L.VALIDATION_LOG_SHEET))]
    expected = [(f["file"], f["cell"], f["code"]) for f in doc["findings"] if f["code"] != "duplicate_file"]
    assert sorted(logged) == sorted(expected)


def test_each_rejected_file_has_an_annotated_copy_to_send_back(month):
    o, _, _ = month
    assert sorted(p.name for p in o.ws.folder("returned").iterdir()) == sorted(
        n.rsplit(".", 1)[0] + "_CanSua.xlsx" for n in REJECTED)


def test_a_rerun_changes_nothing(month):
    o, _, doc = month
    before = o.master_bytes()
    code, out, _ = run_cli("consolidate", o.root, "--json")
    again = json.loads(out)
    assert code == 1 and o.master_bytes() == before
    assert {f["file"] for f in again["files"] if f["duplicate_of"]} == ACCEPTED | {DUPLICATE}
    assert not any(f["accepted"] for f in again["files"])
