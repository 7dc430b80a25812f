"""Emulation ranking (thi đua), overdue ageing (nợ đọng) and the leaders' view, checked on a
scripted year whose figures are computed by hand below, in the core, in `summary --json` and in
the master's review sheets."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import LEADERS, json_of, master_sheet, run_cli
from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.dataset import Dataset
from ctcong_xl.core.followup import age_bucket
from ctcong_xl.core.models import Agency, MonthlyItem, ProgrammeConfig, WorkItem
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.core.ranking import points, ranking, rule_lines
from ctcong_xl.core.reviewsheets import HEADER_ROW, RULE_COL
from ctcong_xl.core.summary import summarize
from ctcong_xl.core.writeplan import plan_config, plan_monthly, plan_programme, plan_receipts
from ctcong_xl.io.master import read_master
from ctcong_xl.io.xlsxpatch import apply_plan

D = dt.date
AS_OF = D(2026, 6, 30)
CHU_TICH, PCT_HAI, PCT_HA = LEADERS
AGENCIES = [Agency(code="STC", name="Sở Tài chính"), Agency(code="SYT", name="Sở Y tế"),
            Agency(code="SNV", name="Sở Nội vụ"), Agency(code="STP", name="Sở Tư pháp")]


def _item(code: str, deadline: dt.date, done: dt.date | None = None, leader: str = "", **kw) -> WorkItem:
    return WorkItem(ma_dau_viec=f"2026-{code}", noi_dung=f"Báo cáo chuyên đề {code}", ma_don_vi=code.split("-")[0],
                    thoi_han=deadline, ngay_hoan_thanh=done, lanh_dao=leader, **kw)


def _month(agency: str, month: int, received: dt.date) -> MonthlyItem:
    return MonthlyItem(ma_viec_thang=f"2026-{month:02d}-{agency}-01", thang=f"{month:02d}/2026", ma_don_vi=agency,
                       noi_dung=f"Họp giao ban tháng {month}", ngay_nhan=received)


# The scripted year at 30/06/2026 (annual deadline 15/11/2025; monthly by the 20th of M-1:
# June by 20/05, July by 20/06; August's deadline 20/07 is not due yet).
ITEMS = [
    _item("STC-001", D(2026, 3, 31), D(2026, 3, 31), CHU_TICH),  # on time: 100
    _item("STC-002", D(2026, 3, 31), D(2026, 4, 2)),  # 2 days late: 90
    _item("STC-003", D(2026, 5, 15), leader=CHU_TICH),  # overdue 46 days: 0 (31–60)
    _item("STC-004", D(2026, 12, 31)),  # in progress: not due
    _item("STC-005", D(2026, 1, 31), rut=True),  # withdrawn: not counted
    _item("SYT-001", D(2026, 1, 31), leader=PCT_HAI),  # overdue 150 days: 0 (> 120)
    _item("SYT-002", D(2026, 2, 28), D(2026, 3, 5)),  # 5 days late: 75
    _item("SYT-003", D(2026, 6, 30)),  # due today, not done: in progress
    _item("SNV-001", D(2026, 5, 31), leader="Ông Trần Văn Bình"),  # overdue 30 days (≤ 30), not a configured leader
    _item("SNV-002", D(2026, 4, 15), leader=CHU_TICH),  # overdue 76 days (61–120)
]
RECEIVED = {"STC": D(2025, 11, 15), "SYT": D(2025, 11, 20), "STP": D(2025, 11, 10)}  # SNV never sent it
MONTHLY = [_month("STC", 6, D(2026, 5, 21)), _month("STC", 7, D(2026, 6, 23)),  # 1 day late: 90; 3 days: 75
           _month("SYT", 7, D(2026, 6, 20)),  # June not sent: 0; July on time: 100
           _month("SNV", 6, D(2026, 5, 20)),  # June on time: 100; July not sent: 0
           _month("STP", 6, D(2026, 5, 18)), _month("STP", 7, D(2026, 6, 19))]  # both on time
# By hand (weights 15 / 15 / 50 / 20):
#   STC: annual 100, monthly (90+75)/2 = 82.5, execution (100+90+0)/3 = 63.3, backlog 100·(1−1/3) = 66.7,
#        score (1500 + 1237.5 + 3166.7 + 1333.3)/100 = 72.375 → 72.4
#   SYT: annual 5 days late 75, monthly (0+100)/2 = 50, execution (0+75)/2 = 37.5, backlog 50,
#        score (1125 + 750 + 1875 + 1000)/100 = 47.5
#   SNV: annual not sent 0, monthly 50, execution 0, backlog 0: score 750/100 = 7.5
#   STP: annual 100, monthly 100, no item due: score (1500 + 1500)/30 = 100
EXPECTED = [
    {"rank": 1, "code": "STP", "annual_registration": 100, "monthly_registration": 100.0, "execution": None,
     "backlog": None, "score": 100.0, "items_due": 0, "overdue": 0},
    {"rank": 2, "code": "STC", "annual_registration": 100, "monthly_registration": 82.5, "execution": 63.3,
     "backlog": 66.7, "score": 72.4, "items_due": 3, "overdue": 1},
    {"rank": 3, "code": "SYT", "annual_registration": 75, "monthly_registration": 50.0, "execution": 37.5,
     "backlog": 50.0, "score": 47.5, "items_due": 2, "overdue": 1},
    {"rank": 4, "code": "SNV", "annual_registration": 0, "monthly_registration": 50.0, "execution": 0.0,
     "backlog": 0.0, "score": 7.5, "items_due": 2, "overdue": 2},
]


def _dataset() -> Dataset:
    config = ProgrammeConfig(year=2026, program_number="27/CTr-UBND", leaders=list(LEADERS))
    return Dataset(config=config, agencies=list(AGENCIES), items=[i.model_copy() for i in ITEMS],
                   monthly=list(MONTHLY), received_annual=dict(RECEIVED))


def _without_names(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "name"} for r in rows]


def test_points_of_one_deadline_follow_the_documented_default():
    config = ProgrammeConfig(year=2026)
    assert [points(d, config) for d in (-3, 0, 1, 2, 3, 7, 8, 90, None)] == [100, 100, 90, 90, 75, 75, 50, 50, 0]


def test_ranking_of_the_scripted_year_matches_the_figures_computed_by_hand():
    assert _without_names(ranking(_dataset(), AS_OF)) == EXPECTED


def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped():
    ds = _dataset()
    ds.received_annual["SNV"] = D(2025, 11, 1)
    ds.items = [i for i in ds.items if not i.ma_dau_viec.startswith("2026-SNV")]
    ds.monthly = [m for m in ds.monthly if m.ma_don_vi != "SYT"] + [_month("SNV", 7, D(2026, 6, 1))]
    rows = ranking(ds, AS_OF)
    assert [(r["code"], r["rank"]) for r in rows[:3]] == [("SNV", 1), ("STP", 1), ("STC", 3)]


def test_weights_typed_in_the_configuration_change_the_score():
    ds = _dataset()
    ds.config.rank_weight_monthly = 0  # the Office leaves monthly registration out
    stc = next(r for r in ranking(ds, AS_OF) if r["code"] == "STC")
    assert stc["score"] == round((15 * 100 + 50 * 190 / 3 + 20 * 200 / 3) / 85, 1) == 70.6
    assert "đăng ký tháng 0" in rule_lines(ds.config)[-2]


def test_overdue_items_are_aged_in_four_brackets_per_agency_and_per_leader():
    assert [age_bucket(d) for d in (1, 30, 31, 60, 61, 120, 121)] == [
        "le_30", "le_30", "d31_60", "d31_60", "d61_120", "d61_120", "gt_120"]
    ageing = summarize(_dataset(), AS_OF).overdue_ageing
    assert ageing["total"] == {"le_30": 1, "d31_60": 1, "d61_120": 1, "gt_120": 1, "total": 4}
    assert [(r["code"], r["le_30"], r["d31_60"], r["d61_120"], r["gt_120"], r["total"], r["oldest_days"])
            for r in ageing["by_agency"]] == [("SNV", 1, 0, 1, 0, 2, 76), ("SYT", 0, 0, 0, 1, 1, 150),
                                              ("STC", 0, 1, 0, 0, 1, 46)]
    assert [(r["leader"], r["total"]) for r in ageing["by_leader"]] == [
        (CHU_TICH, 2), (PCT_HAI, 1), (PCT_HA, 0), (L.OTHER_LEADER_LABEL, 1)]


def test_each_leader_sees_their_items_overdue_first_with_deadline_status_and_lead_agency():
    blocks = {b["leader"]: b for b in summarize(_dataset(), AS_OF).leaders}
    assert list(blocks) == [CHU_TICH, PCT_HAI, PCT_HA, L.OTHER_LEADER_LABEL]
    chu_tich = blocks[CHU_TICH]
    assert [(r["code"], r["agency_name"], r["deadline"], r["status_text"], r["days_overdue"])
            for r in chu_tich["items"]] == [
        ("2026-SNV-002", "Sở Nội vụ", "2026-04-15", "Chưa hoàn thành", 76),
        ("2026-STC-003", "Sở Tài chính", "2026-05-15", "Chưa hoàn thành", 46),
        ("2026-STC-001", "Sở Tài chính", "2026-03-31", "Hoàn thành đúng hạn", 0)]
    assert (chu_tich["total"], chu_tich["overdue"], chu_tich["done"]) == (3, 2, 1)
    assert blocks[PCT_HA]["items"] == []
    assert [r["code"] for r in blocks[L.OTHER_LEADER_LABEL]["items"]][0] == "2026-SNV-001"


@pytest.fixture
def scripted(tmp_path) -> ops.Workspace:
    """The scripted year written into a real master, as the consolidations would have."""
    root = tmp_path / "ws"
    ops.init_workspace(root, 2026, list(AGENCIES), program_number="27/CTr-UBND", leaders=list(LEADERS))
    ws = ops.open_workspace(root)
    ds = read_master(ws.master)
    ds.items, ds.monthly, ds.received_annual = _dataset().items, list(MONTHLY), dict(RECEIVED)
    plan = WritePlan()
    plan_programme(plan, ds, AS_OF, rut_changes={"2026-STC-005": True})  # the withdrawn item's mark
    plan_monthly(plan, ds)
    plan_receipts(plan, ds, RECEIVED)
    ws.master.write_bytes(apply_plan(ws.master.read_bytes(), plan))
    return ws


def test_summary_json_and_the_masters_ranking_sheet_show_the_hand_computed_ranking(scripted):
    code, out, _ = run_cli("summary", scripted.root, "--as-of", "2026-06-30", "--json")
    assert code == 0
    data = json_of(out)
    assert _without_names(data["ranking"]) == EXPECTED
    assert data["overdue_ageing"]["total"]["total"] == 4
    sheet = master_sheet(scripted.master, L.RANKING_SHEET)
    assert sheet[1][0].startswith("Số liệu tính đến ngày 30/06/2026")
    body = sheet[HEADER_ROW:HEADER_ROW + 4]
    assert [(r[0], r[1], r[7]) for r in body] == [(1, "STP", 100), (2, "STC", 72.4), (3, "SYT", 47.5), (4, "SNV", 7.5)]
    assert sheet[HEADER_ROW - 1][RULE_COL - 1] == "Cách tính điểm thi đua (các số lấy từ trang “Cấu hình”):"
    assert "chậm 1–2 ngày 90; chậm 3–7 ngày 75" in sheet[HEADER_ROW][RULE_COL - 1]


def test_the_review_sheets_follow_a_new_as_of_date_without_leftover_rows(scripted):
    assert run_cli("summary", scripted.root, "--as-of", "2026-06-30")[0] == 0
    leaders_before = master_sheet(scripted.master, L.LEADERS_SHEET)
    # the Office approves a later deadline for Sở Y tế's two open items and one of Sở Nội vụ's
    ds = read_master(scripted.master)
    plan = WritePlan()
    for code in ("2026-SNV-002", "2026-SYT-001", "2026-SYT-003"):
        plan.add("Chương trình năm", ds.programme_index.rows[code], ds.programme_index.columns["thoi_han_dieu_chinh"],
                 [[D(2026, 12, 31)]])
    scripted.master.write_bytes(apply_plan(scripted.master.read_bytes(), plan))
    code, out, _ = run_cli("summary", scripted.root, "--as-of", "2026-07-01", "--json")
    assert code == 0
    backlog = master_sheet(scripted.master, L.BACKLOG_SHEET)
    agencies = [r[0] for r in backlog[HEADER_ROW:] if r[0] in {"STC", "SYT", "SNV", "STP"}]
    assert agencies == ["STC", "SNV"]  # one each, the oldest first; Sở Y tế has nothing overdue any more
    assert backlog[1][0].startswith("Số liệu tính đến ngày 01/07/2026")
    leaders_after = master_sheet(scripted.master, L.LEADERS_SHEET)
    assert len(leaders_after) <= len(leaders_before)
    overdue_rows = [r for r in leaders_after if len(r) > 6 and r[6] == "Quá hạn, chưa hoàn thành"]
    assert {r[1] for r in overdue_rows} == {"2026-STC-003", "2026-SNV-001"}
