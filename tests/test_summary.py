"""The summary core: counts, the report paragraph (SPEC §8), reminders, registration punctuality."""

from __future__ import annotations

import datetime as dt

import docx
import openpyxl
from typer.testing import CliRunner

from ctcong_xl import ops
from ctcong_xl.cli import app
from ctcong_xl.core.dataset import Dataset
from ctcong_xl.core.models import Agency, ProgrammeConfig, WorkItem
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.core.summary import narrative, registration_punctuality, reminder_items, summarize
from ctcong_xl.core.writeplan import plan_programme
from ctcong_xl.io.master import read_master
from ctcong_xl.io.xlsxpatch import apply_plan

D = dt.date
STC = Agency(code="STC", name="Sở Tài chính")
SYT = Agency(code="SYT", name="Sở Y tế")
SNV = Agency(code="SNV", name="Sở Nội vụ")


def counts(dung=0, khong=0, chua=0, dang=0, rut=0) -> dict[str, int]:
    return {"hoan_thanh_dung_han": dung, "hoan_thanh_khong_dung_han": khong, "chua_hoan_thanh": chua,
            "dang_thuc_hien": dang, "rut_khoi_chuong_trinh": rut}


def item(code: str, agency: str, deadline: dt.date, done: dt.date | None = None, **kw) -> WorkItem:
    return WorkItem(ma_dau_viec=code, noi_dung=f"Báo cáo chuyên đề {code}", ma_don_vi=agency, thoi_han=deadline,
                    ngay_hoan_thanh=done, **kw)


def test_paragraph_reproduces_the_offices_own_report_of_2015():
    text = narrative(year=2015, program_number="19/CTr-UBND", total=99, agencies=23,
                     counts=counts(31, 19, 17, 32), as_of=D(2015, 9, 30))
    assert text == (
        "Năm 2015, UBND tỉnh ban hành Chương trình công tác năm số 19/CTr-UBND có tổng số 99 đầu việc được giao "
        "cho 23 đơn vị; đến cuối tháng 9/2015 có 31 công việc hoàn thành đúng hạn, 19 công việc hoàn thành nhưng "
        "không đúng hạn, 17 công việc chưa hoàn thành, 32 công việc đang thực hiện."
    )


def test_paragraph_leaves_out_categories_with_zero_items():
    text = narrative(year=2026, program_number="27/CTr-UBND", total=12, agencies=3,
                     counts=counts(dung=5, dang=7), as_of=D(2026, 3, 31))
    assert text.endswith("đến cuối tháng 3/2026 có 5 công việc hoàn thành đúng hạn, 7 công việc đang thực hiện.")
    assert "không đúng hạn" not in text and "chưa hoàn thành" not in text


def test_paragraph_names_the_day_when_the_as_of_date_is_not_a_month_end():
    text = narrative(year=2026, program_number="27/CTr-UBND", total=4, agencies=1, counts=counts(dang=4),
                     as_of=D(2026, 7, 5))
    assert "; đến ngày 05/07/2026 có 4 công việc đang thực hiện." in text


def test_paragraph_treats_the_28th_of_february_of_a_common_year_as_a_month_end():
    text = narrative(year=2026, program_number="", total=1, agencies=1, counts=counts(chua=1), as_of=D(2026, 2, 28))
    assert "đến cuối tháng 2/2026" in text


def test_paragraph_without_a_programme_number_still_reads_well():
    text = narrative(year=2026, program_number="", total=1, agencies=1, counts=counts(dang=1), as_of=D(2026, 1, 31))
    assert text.startswith("Năm 2026, UBND tỉnh ban hành Chương trình công tác năm có tổng số 1 đầu việc")


def test_withdrawn_items_get_a_sentence_of_their_own_and_stay_out_of_the_total():
    text = narrative(year=2026, program_number="27/CTr-UBND", total=3, agencies=2, counts=counts(dang=3, rut=2),
                     as_of=D(2026, 6, 30))
    assert "tổng số 3 đầu việc" in text
    assert text.endswith("3 công việc đang thực hiện. Ngoài ra, có 2 công việc đã rút khỏi chương trình.")


def test_an_empty_programme_says_no_item_yet():
    text = narrative(year=2026, program_number="27/CTr-UBND", total=0, agencies=0, counts=counts(),
                     as_of=D(2026, 1, 31))
    assert text.endswith("được giao cho 0 đơn vị; đến cuối tháng 1/2026 chưa có công việc nào.")


def _dataset(items: list[WorkItem]) -> Dataset:
    return Dataset(config=ProgrammeConfig(year=2026, program_number="27/CTr-UBND", annual_deadline=D(2025, 11, 15)),
                   agencies=[STC, SYT, SNV], items=items,
                   received_annual={"STC": D(2025, 11, 14), "SYT": D(2025, 11, 20)})


def test_summary_counts_per_status_agency_and_month_and_units_with_items():
    ds = _dataset([
        item("2026-STC-001", "STC", D(2026, 3, 31), D(2026, 3, 31)),
        item("2026-STC-002", "STC", D(2026, 3, 31), D(2026, 4, 2)),
        item("2026-STC-003", "STC", D(2026, 5, 15)),
        item("2026-SYT-001", "SYT", D(2026, 9, 30), D(2026, 8, 1), rut=True),
        item("2026-SYT-002", "SYT", D(2026, 12, 31)),
    ])
    s = summarize(ds, D(2026, 6, 30))
    assert s.by_status == counts(dung=1, khong=1, chua=1, dang=1, rut=1)
    assert (s.total, s.agencies) == (4, 2)
    by_code = {a["code"]: a for a in s.by_agency}
    assert by_code["SNV"]["total"] == 0 and by_code["STC"]["total"] == 3
    assert {m["month"]: m["total"] for m in s.by_month if m["total"]} == {3: 2, 5: 1, 12: 1}
    assert s.on_time_rate == 0.5


def test_an_approved_new_deadline_moves_an_overdue_item_back_to_in_progress():
    overdue = item("2026-STC-001", "STC", D(2026, 5, 15))
    ds = _dataset([overdue.model_copy(update={"thoi_han_dieu_chinh": D(2026, 8, 31)})])
    assert summarize(ds, D(2026, 6, 30)).by_status["dang_thuc_hien"] == 1
    assert summarize(_dataset([overdue]), D(2026, 6, 30)).by_status["chua_hoan_thanh"] == 1


def test_registration_punctuality_reads_on_time_late_by_days_or_not_sent():
    deadline = D(2025, 11, 15)
    assert registration_punctuality(D(2025, 11, 15), deadline) == "Đúng hạn"
    assert registration_punctuality(D(2025, 11, 20), deadline) == "Chậm 5 ngày"
    assert registration_punctuality(None, deadline) == "Chưa gửi"
    by_code = {a["code"]: a["registration"] for a in summarize(_dataset([]), D(2026, 6, 30)).by_agency}
    assert by_code == {"STC": "Đúng hạn", "SYT": "Chậm 5 ngày", "SNV": "Chưa gửi"}


def test_reminders_list_overdue_items_and_items_due_within_the_window():
    items = [
        item("2026-STC-001", "STC", D(2026, 6, 29)),  # overdue by one day
        item("2026-STC-002", "STC", D(2026, 7, 7)),  # due in 7 days: inside the window
        item("2026-STC-003", "STC", D(2026, 7, 8)),  # due in 8 days: outside
        item("2026-STC-004", "STC", D(2026, 6, 20), D(2026, 6, 25)),  # done
        item("2026-STC-005", "STC", D(2026, 6, 1), rut=True),  # withdrawn
    ]
    overdue, soon = reminder_items(items, D(2026, 6, 30), 7)
    assert [i.ma_dau_viec for i in overdue] == ["2026-STC-001"]
    assert [i.ma_dau_viec for i in soon] == ["2026-STC-002"]


def test_remind_and_report_commands_write_their_files(tmp_path):
    root = tmp_path / "ws"
    ops.init_workspace(root, 2026, [STC, SYT], program_number="27/CTr-UBND")
    ws = ops.open_workspace(root)
    ds = read_master(ws.master)
    ds.items = [item("2026-STC-001", "STC", D(2026, 6, 29)), item("2026-SYT-001", "SYT", D(2026, 12, 31))]
    plan = WritePlan()
    plan_programme(plan, ds, D(2026, 6, 30))
    ws.master.write_bytes(apply_plan(ws.master.read_bytes(), plan))

    result = CliRunner().invoke(app, ["remind", str(root), "--as-of", "2026-06-30", "--within", "7"])
    assert result.exit_code == 0
    (sheet_file,) = (root / "outbox").glob("DonDoc_2026-06-30_*.xlsx")
    assert sheet_file.name == "DonDoc_2026-06-30_STC.xlsx"
    rows = [r for r in openpyxl.load_workbook(sheet_file).active.iter_rows(values_only=True)]
    assert any(r[0] == "2026-STC-001" and r[3] == "quá 1 ngày" for r in rows)

    result = CliRunner().invoke(app, ["report", str(root), "--as-of", "2026-06-30"], env={"CTCONG_SOFFICE": "/nonexistent"})
    assert result.exit_code == 0
    text = "\n".join(p.text for p in docx.Document(str(root / "reports" / "BaoCao_2026-06-30.docx")).paragraphs)
    assert "có tổng số 2 đầu việc được giao cho 2 đơn vị; đến cuối tháng 6/2026 có 1 công việc chưa hoàn thành" in text


def test_monthly_registration_punctuality_per_agency_for_months_already_due():
    from ctcong_xl.core.models import MonthlyItem

    ds = _dataset([])
    ds.config.monthly_deadline_day = 20
    ds.monthly = [
        MonthlyItem(ma_viec_thang="2026-06-STC-01", thang="06/2026", noi_dung="Họp giao ban tháng 6",
                    ma_don_vi="STC", ngay_nhan=D(2026, 5, 19)),
        MonthlyItem(ma_viec_thang="2026-07-STC-01", thang="07/2026", noi_dung="Hội nghị sơ kết 6 tháng",
                    ma_don_vi="STC", ngay_nhan=D(2026, 6, 23)),
    ]
    monthly = {a["code"]: a["monthly_registration"] for a in summarize(ds, D(2026, 6, 30)).by_agency}
    # deadlines: June's registration by 20/05, July's by 20/06; August's (20/07) is not due yet
    assert monthly["STC"]["06/2026"] == "Đúng hạn"
    assert monthly["STC"]["07/2026"] == "Chậm 3 ngày"
    assert "08/2026" not in monthly["STC"]
    assert monthly["SYT"]["06/2026"] == "Chưa gửi"
    assert "05/2026" not in monthly["STC"]  # no monthly cycle that month: nothing to rate
