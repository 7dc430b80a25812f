"""Leaders as typed (``PCT Nguyễn Văn Hải``, ``Phó Chủ tịch Hải``, ``Đ/c Hải``) are matched to
the configured leaders the way agencies are matched to the registry: the item records the
configured leader, so the summary JSON and the workbook count them on that leader's row, not
as another leader or on the row "Lãnh đạo khác"."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import PROGRAMME_SHEET
from ctcong_xl.io import master_build as MB
from ctcong_xl.io.recalc import recalculate
from helpers import LEADERS, json_of, rows_as_dicts, run_cli

HAI = LEADERS[1]
TYPED = ["PCT Nguyễn Văn Hải", "Phó Chủ tịch Hải", "Đ/c Hải"]
ROWS = [
    {"noi_dung": f"Đề án số {n + 1} về phát triển hạ tầng giao thông tỉnh", "loai": "Đề án", "lanh_dao": typed,
     "thoi_han": dt.date(2026, 3 + n, 30)}
    for n, typed in enumerate(TYPED)
]


@pytest.fixture
def consolidated(office):
    office.send("annual", "SXD", ROWS)
    code, out, err = run_cli("consolidate", office.root, "--json")
    assert code == 0, err
    return office, json_of(out)


def test_only_the_given_name_is_a_guess_reported_at_its_cell(consolidated):
    _, report = consolidated
    leader_findings = [(f["code"], f["value"]) for f in report["findings"] if f["code"].startswith("leader_")]
    assert leader_findings == [("leader_guessed", "Đ/c Hải")]


def test_the_programme_records_the_configured_leader(consolidated):
    office, _ = consolidated
    rows = rows_as_dicts(office.sheet(PROGRAMME_SHEET))
    assert [r["Lãnh đạo UBND tỉnh phụ trách"] for r in rows] == [HAI] * 3


def test_the_summary_counts_every_spelling_on_the_configured_leader(consolidated):
    office, _ = consolidated
    code, out, _ = run_cli("summary", office.root, "--as-of", "2026-06-30", "--json")
    by_leader = {e["leader"]: e["total"] for e in json_of(out)["by_leader"]}
    assert by_leader == {HAI: 3}


@pytest.mark.libreoffice
def test_the_workbook_counts_them_on_the_leaders_row_not_on_other_leaders(consolidated, tmp_path):
    office, _ = consolidated
    run_cli("summary", office.root, "--as-of", "2026-06-30")
    sheet = openpyxl.load_workbook(recalculate(office.ws.master, tmp_path), data_only=True)[L.SUMMARY_SHEET]
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    total_col = 3 + len(MB.SUMMARY_STATUS_ORDER)  # the "Tổng" column after the five statuses
    assert sheet.cell(rows[HAI], total_col).value == 3
    assert sheet.cell(rows[MB.OTHER_LEADER_LABEL], total_col).value == 0
