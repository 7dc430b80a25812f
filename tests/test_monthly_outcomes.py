"""The monthly programme followed up: each registered meeting, conference and working session
gets an outcome, sent back in the month's registration after the month; the summary says how
many were carried out and why the others were not."""

from __future__ import annotations

import datetime as dt

import docx

import openpyxl

from ctcong_xl.core.forms import FORMS
from ctcong_xl.demo_data import fill_template
from helpers import edit_workbook, json_of, run_cli

JUNE = [
    {"noi_dung": "Họp giao ban công tác tài chính - ngân sách 6 tháng đầu năm", "hinh_thuc": "Họp",
     "thoi_gian": dt.date(2026, 6, 10)},
    {"noi_dung": "Hội nghị triển khai Luật Ngân sách nhà nước (sửa đổi)", "hinh_thuc": "Hội nghị",
     "thoi_gian": dt.date(2026, 6, 18)},
    {"noi_dung": "Làm việc với Kho bạc Nhà nước khu vực về giải ngân vốn đầu tư công", "hinh_thuc": "Làm việc",
     "thoi_gian": dt.date(2026, 6, 24)},
    {"noi_dung": "Làm việc với UBND xã Đồng Tâm về thu ngân sách", "hinh_thuc": "Làm việc",
     "thoi_gian": dt.date(2026, 6, 26)},
    {"noi_dung": "Trình dự thảo Quyết định giao dự toán bổ sung", "hinh_thuc": "Trình văn bản",
     "thoi_gian": dt.date(2026, 6, 30)},
]
OUTCOMES = [
    {"ket_qua": "Đã thực hiện"},
    {"ket_qua": "Hoãn", "ly_do_kq": "Chờ hướng dẫn của Bộ Tài chính"},
    {"ket_qua": "Chuyển sang tháng khác", "ly_do_kq": "Lãnh đạo UBND tỉnh đi công tác"},
    {},  # no outcome reported yet
    {},
]


def test_outcomes_sent_back_after_the_month_are_counted_with_their_reasons(office, tmp_path):
    blank = tmp_path / "DangKyThang6_STC_mau.xlsx"  # the template Sở Tài chính received in May
    blank.write_bytes(office.template("monthly", "STC", month=6).read_bytes())
    office.send("monthly", "STC", JUNE, month=6, name="DangKyThang6_STC.xlsx")
    assert not office.consolidate(today=dt.date(2026, 5, 19)).has_errors
    office.clear_inbox()
    # after the month, Sở Tài chính fills its May copy again, this time with the outcomes
    fill_template(blank, [{**r, **o} for r, o in zip(JUNE, OUTCOMES)], out=office.inbox / "DangKyThang6_STC_ketqua.xlsx")
    assert not office.consolidate(today=dt.date(2026, 7, 2)).has_errors
    code, out, _ = run_cli("summary", office.root, "--as-of", "2026-07-02", "--json")
    assert code == 0
    (june,) = json_of(out)["monthly_outcomes"]
    # four meetings, conferences and working sessions (the submission of a document is not one)
    assert (june["month"], june["planned"], june["held"], june["postponed"], june["moved"], june["cancelled"],
            june["unknown"]) == ("06/2026", 4, 1, 1, 1, 0, 1)
    assert june["text"] == ("Tháng 6/2026 có 4 cuộc họp, hội nghị, buổi làm việc đã đăng ký; đã thực hiện 1, "
                            "hoãn 1 (Sở Tài chính: Chờ hướng dẫn của Bộ Tài chính), chuyển sang tháng khác 1 "
                            "(Sở Tài chính: Lãnh đạo UBND tỉnh đi công tác), chưa báo cáo kết quả 1.")
    assert [r["outcome"] for r in june["not_held"]] == ["Hoãn", "Chuyển sang tháng khác"]


def test_the_months_template_sent_again_after_the_month_carries_its_registered_rows_for_the_outcomes(office):
    office.send("monthly", "STC", JUNE, month=6, name="DangKyThang6_STC.xlsx")
    assert not office.consolidate(today=dt.date(2026, 5, 19)).has_errors
    office.clear_inbox()
    again = office.template("monthly", "STC", month=6)  # the Office sends June's template again in July
    form = FORMS["monthly"]
    sheet = openpyxl.load_workbook(again)[form.sheet]
    header = next(r for r in sheet.iter_rows() if [c.value for c in r][:2] == ["STT", "Nội dung công việc"])
    prefilled = [(r[1].value, r[3].value.date()) for r in sheet.iter_rows(min_row=header[0].row + 2)
                 if r[1].value]
    assert prefilled == [(r["noi_dung"], r["thoi_gian"]) for r in JUNE]

    outcome_col = [c.key for c in form.columns].index("ket_qua")
    reason_col = [c.key for c in form.columns].index("ly_do_kq")

    def clerk_types_outcomes(wb, ws) -> None:  # into the pre-filled rows, nothing retyped
        for row in ws.iter_rows(min_row=header[0].row + 2):
            for sent, outcome in zip(JUNE, OUTCOMES):
                if row[1].value == sent["noi_dung"]:
                    row[outcome_col].value = outcome.get("ket_qua")
                    row[reason_col].value = outcome.get("ly_do_kq")

    returned = office.inbox / "DangKyThang6_STC_ketqua.xlsx"
    returned.write_bytes(again.read_bytes())
    edit_workbook(returned, clerk_types_outcomes)
    report = office.consolidate(today=dt.date(2026, 7, 2))
    assert not report.has_errors
    assert not any(m.noi_dung.startswith("(Đã rút)") for m in office.dataset().monthly)  # nothing lost
    (june,) = json_of(run_cli("summary", office.root, "--as-of", "2026-07-02", "--json")[1])["monthly_outcomes"]
    assert (june["planned"], june["held"], june["postponed"], june["moved"], june["unknown"]) == (4, 1, 1, 1, 1)


def test_the_report_says_how_many_of_the_months_meetings_were_held_and_why_not(office, monkeypatch):
    office.send("monthly", "STC", [{**r, **o} for r, o in zip(JUNE, OUTCOMES)], month=6,
                name="DangKyThang6_STC_ketqua.xlsx")
    assert not office.consolidate(today=dt.date(2026, 7, 2)).has_errors
    monkeypatch.setenv("CTCONG_SOFFICE", "/nonexistent/soffice")  # the .docx is enough here
    assert run_cli("report", office.root, "--as-of", "2026-07-02")[0] == 0
    (june,) = json_of(run_cli("summary", office.root, "--as-of", "2026-07-02", "--json")[1])["monthly_outcomes"]
    texts = [p.text for p in docx.Document(str(office.root / "reports" / "BaoCao_2026-07-02.docx")).paragraphs]
    section = texts.index("IV. Kết quả thực hiện chương trình công tác tháng")
    assert texts[section + 1] == june["text"]
    assert "hoãn 1 (Sở Tài chính: Chờ hướng dẫn của Bộ Tài chính)" in june["text"]


def test_an_outcome_outside_the_list_is_a_warning_that_names_the_choices(office):
    office.send("monthly", "STC", [{**JUNE[0], "ket_qua": "Đã họp"}], month=6)
    report = office.consolidate(today=dt.date(2026, 5, 19))
    (f,) = [f for f in report.findings if f.code == "value_not_in_list"]
    assert f.severity == "warning"
    assert "Đã thực hiện; Hoãn; Chuyển sang tháng khác; Hủy bỏ" in f.message + f.hint
