"""The monthly programme followed up: each registered meeting, conference and working session
gets an outcome, sent back in the month's registration after the month; the summary says how
many were carried out and why the others were not."""

from __future__ import annotations

import datetime as dt

import docx

from helpers import json_of, run_cli

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


def test_outcomes_sent_back_after_the_month_are_counted_with_their_reasons(office):
    office.send("monthly", "STC", JUNE, month=6, name="DangKyThang6_STC.xlsx")
    assert not office.consolidate(today=dt.date(2026, 5, 19)).has_errors
    office.clear_inbox()
    # after the month, Sở Tài chính sends its June registration back with the outcomes
    office.send("monthly", "STC", [{**r, **o} for r, o in zip(JUNE, OUTCOMES)], month=6,
                name="DangKyThang6_STC_ketqua.xlsx")
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
