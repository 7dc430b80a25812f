"""A whole year through the real CLI, as the Office and 23 agencies would live it (issue 2).

init with 23 agencies -> annual templates -> agency clerks fill them (real dates, day-first
text, period words, a recurring item) -> consolidate -> progress templates -> clerks fill
completion dates -> consolidate -> summary --json at a past as-of date.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from ctcong_xl.cli import app
from ctcong_xl.demo_data import fill_template
from ctcong_xl.io.agencies import load_default_agencies
from ctcong_xl.io.master import read_master

runner = CliRunner()
AS_OF = "2026-06-30"


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def yearly_report(agency_name: str) -> dict:
    return {"noi_dung": f"Báo cáo kết quả thực hiện nhiệm vụ năm 2026 của {agency_name}", "loai": "Báo cáo",
            "cap_trinh": "UBND tỉnh", "thoi_han": "Năm 2026"}


# Registrations that are not the yearly report, with the completion each agency will report.
STC_ROWS = [
    # A: done exactly on its deadline -> on time
    {"noi_dung": "Dự thảo Nghị quyết quy định phân cấp nguồn thu, nhiệm vụ chi ngân sách địa phương",
     "loai": "Dự thảo văn bản quy phạm pháp luật", "cap_trinh": "HĐND tỉnh", "thoi_han": dt.date(2026, 3, 31),
     "lanh_dao": "Chủ tịch UBND tỉnh"},
    # B: a period word; done one day late
    {"noi_dung": "Báo cáo tình hình thực hiện dự toán ngân sách quý I", "loai": "Báo cáo",
     "thoi_han": "Quý I/2026"},
    # C: day-first text date; not done by the as-of date -> overdue
    {"noi_dung": "Kế hoạch đầu tư công trung hạn giai đoạn 2026-2030", "loai": "Kế hoạch",
     "thoi_han": "15/05/2026"},
    # D: deadline on the as-of date, not done -> still in progress
    {"noi_dung": "Đề án sắp xếp lại, xử lý tài sản công", "loai": "Đề án", "thoi_han": "30/06/2026"},
    # E: done after the as-of date, deadline later -> in progress at the as-of date
    {"noi_dung": "Tờ trình phương án tự chủ tài chính của đơn vị sự nghiệp công lập", "loai": "Tờ trình",
     "thoi_han": "6 tháng cuối năm"},
    # F: recurring quarterly report -> four instances
    {"noi_dung": "Báo cáo tình hình kinh tế - xã hội hằng quý", "loai": "Báo cáo", "dinh_ky": "Hằng quý"},
]
SYT_ROWS = [
    # G: real date deadline; completion typed as text, late
    {"noi_dung": "Kế hoạch phòng, chống dịch bệnh truyền nhiễm năm 2026", "loai": "Kế hoạch",
     "thoi_han": dt.date(2026, 2, 28)},
    # H: quarter without a year, done on time
    {"noi_dung": "Đề án nâng cao năng lực y tế cơ sở", "loai": "Đề án", "thoi_han": "Quý II"},
]
COMPLETIONS = {  # content prefix -> completion as the clerk types it
    "Dự thảo Nghị quyết quy định phân cấp": dt.date(2026, 3, 31),
    "Báo cáo tình hình thực hiện dự toán": dt.date(2026, 4, 1),
    "Tờ trình phương án tự chủ": dt.date(2026, 8, 15),
    "Kế hoạch phòng, chống dịch": "10/03/2026",
    "Đề án nâng cao năng lực": dt.date(2026, 6, 29),
}
QUARTERLY_DONE = {"Q1": dt.date(2026, 3, 25), "Q2": dt.date(2026, 7, 5)}  # Q2 after the as-of date


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("year")
    agencies = load_default_agencies()
    assert len(agencies) == 23
    registry = root / "donvi.csv"
    with registry.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Mã đơn vị", "Tên đơn vị", "Loại", "Email"])
        for a in agencies:
            w.writerow([a.code, a.name, a.kind, a.email])
    ws = root / "ws"
    code, _ = cli("init", ws, "--year", "2026", "--agencies", registry, "--program-number", "27/CTr-UBND")
    assert code == 0
    code, _ = cli("templates", ws, "--kind", "annual")
    assert code == 0
    for a in agencies:
        rows = [yearly_report(a.name)] + {"STC": STC_ROWS, "SYT": SYT_ROWS}.get(a.code, [])
        fill_template(ws / "outbox" / f"DangKyNam_2026_{a.code}.xlsx", rows, out=ws / "inbox" / f"{a.name}.xlsx")
    code, out = cli("consolidate", ws, "--json")
    first = json.loads(out)
    assert code == 0
    code, _ = cli("templates", ws, "--kind", "progress")
    assert code == 0
    master = read_master(next(ws.glob("*.xlsm")))
    for agency in ("STC", "SYT"):
        rows = []
        for item in master.items_of(agency):
            done = next((v for k, v in COMPLETIONS.items() if item.noi_dung.startswith(k)), None)
            suffix = item.ma_dau_viec.rsplit("-", 1)[-1]
            if item.dinh_ky:
                done = QUARTERLY_DONE.get(suffix)
            if done is not None:
                rows.append({"ma_dau_viec": item.ma_dau_viec, "ngay_hoan_thanh": done,
                             "van_ban_ket_qua": f"Báo cáo số 12/BC-{agency}"})
        fill_template(ws / "outbox" / f"TienDo_2026_{agency}.xlsx", rows, out=ws / "inbox" / f"TienDo_{agency}.xlsx")
    code, out = cli("consolidate", ws, "--json")
    second = json.loads(out)
    assert code == 0
    code, out = cli("summary", ws, "--as-of", AS_OF, "--json")
    assert code == 0
    return {"ws": ws, "first": first, "second": second, "summary": json.loads(out)}


def test_every_annual_registration_is_accepted(year):
    files = year["first"]["files"]
    assert len(files) == 23 and all(f["accepted"] for f in files)
    assert [f for f in year["first"]["findings"] if f["severity"] == "error"] == []


def test_progress_reports_are_accepted_and_registrations_not_consolidated_twice(year):
    files = {f["file"]: f for f in year["second"]["files"]}
    assert files["TienDo_STC.xlsx"]["accepted"] and files["TienDo_SYT.xlsx"]["accepted"]
    duplicates = [f for f in files.values() if f["duplicate_of"]]
    assert len(duplicates) == 23


def test_summary_counts_every_status(year):
    s = year["summary"]
    assert s["as_of"] == AS_OF
    assert s["by_status"] == {
        "rut_khoi_chuong_trinh": 0,
        "hoan_thanh_dung_han": 3,
        "hoan_thanh_khong_dung_han": 2,
        "chua_hoan_thanh": 1,
        "dang_thuc_hien": 28,
    }
    assert s["total"] == 34
    assert s["agencies"] == 23


def test_summary_counts_per_agency(year):
    by_code = {a["code"]: a for a in year["summary"]["by_agency"]}
    assert len(by_code) == 23
    stc = by_code["STC"]
    assert (stc["hoan_thanh_dung_han"], stc["hoan_thanh_khong_dung_han"], stc["chua_hoan_thanh"],
            stc["dang_thuc_hien"]) == (2, 1, 1, 6)
    syt = by_code["SYT"]
    assert (syt["hoan_thanh_dung_han"], syt["hoan_thanh_khong_dung_han"], syt["dang_thuc_hien"]) == (1, 1, 1)
    others = [a for code, a in by_code.items() if code not in ("STC", "SYT")]
    assert all(a["dang_thuc_hien"] == 1 and a["total"] == 1 for a in others)


def test_summary_paragraph_is_exact(year):
    assert year["summary"]["narrative"] == (
        "Năm 2026, UBND tỉnh ban hành Chương trình công tác năm số 27/CTr-UBND có tổng số 34 đầu việc "
        "được giao cho 23 đơn vị; đến cuối tháng 6/2026 có 3 công việc hoàn thành đúng hạn, "
        "2 công việc hoàn thành nhưng không đúng hạn, 1 công việc chưa hoàn thành, "
        "28 công việc đang thực hiện."
    )


def test_completion_after_as_of_still_counts_as_in_progress(year):
    master = read_master(next(year["ws"].glob("*.xlsm")))
    item = next(i for i in master.items if i.noi_dung.startswith("Tờ trình phương án tự chủ"))
    assert item.ngay_hoan_thanh == dt.date(2026, 8, 15)
    q2 = next(i for i in master.items if i.ma_dau_viec.endswith("-Q2"))
    assert q2.ngay_hoan_thanh == dt.date(2026, 7, 5) and q2.thoi_han == dt.date(2026, 6, 30)
    from ctcong_xl.core.summary import item_status

    assert item_status(item, dt.date(2026, 6, 30)).text == "Đang thực hiện"
    assert item_status(q2, dt.date(2026, 6, 30)).text == "Đang thực hiện"


def test_recurring_item_has_one_instance_per_quarter(year):
    master = read_master(next(year["ws"].glob("*.xlsm")))
    quarterly = [i for i in master.items if i.noi_dung.startswith("Báo cáo tình hình kinh tế - xã hội hằng quý")]
    assert [i.ma_dau_viec.rsplit("-", 1)[-1] for i in quarterly] == ["Q1", "Q2", "Q3", "Q4"]
    assert [i.thoi_han for i in quarterly] == [dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30),
                                               dt.date(2026, 12, 31)]
    assert len({i.ma_dau_viec for i in master.items}) == len(master.items)


def test_master_dates_are_resolved_from_what_clerks_typed(year):
    master = read_master(next(year["ws"].glob("*.xlsm")))
    by_content = {i.noi_dung: i for i in master.items}
    assert by_content["Báo cáo tình hình thực hiện dự toán ngân sách quý I"].thoi_han == dt.date(2026, 3, 31)
    assert by_content["Kế hoạch đầu tư công trung hạn giai đoạn 2026-2030"].thoi_han == dt.date(2026, 5, 15)
    assert by_content["Đề án nâng cao năng lực y tế cơ sở"].thoi_han == dt.date(2026, 6, 30)
    kh = by_content["Kế hoạch phòng, chống dịch bệnh truyền nhiễm năm 2026"]
    assert kh.ngay_hoan_thanh == dt.date(2026, 3, 10)
    assert all(i.ma_don_vi for i in master.items)  # a blank Đơn vị chủ trì is the template's agency


def test_summary_records_the_as_of_date_in_the_master(year):
    master = read_master(next(year["ws"].glob("*.xlsm")))
    assert master.config.as_of == dt.date(2026, 6, 30)


def test_consolidating_again_changes_nothing(year):
    path = next(year["ws"].glob("*.xlsm"))
    before = path.read_bytes()
    code, out = cli("consolidate", year["ws"], "--json")
    assert code == 0
    assert all(f["duplicate_of"] for f in json.loads(out)["files"])
    assert path.read_bytes() == before
