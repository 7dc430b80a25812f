"""The agency registry is data: an agency the Office adds after init (a reorganisation) gets
templates, is consolidated, and is counted by the workbook's summary formulas like any other."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.models import Agency
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.demo_data import fill_template
from ctcong_xl.io import master_build as MB
from ctcong_xl.io.recalc import recalculate
from ctcong_xl.io.xlsxpatch import apply_plan

AGENCIES = [Agency(code="STC", name="Sở Tài chính"), Agency(code="SNV", name="Sở Nội vụ"),
            Agency(code="SYT", name="Sở Y tế")]
NEW = Agency(code="SDTTG", name="Sở Dân tộc và Tôn giáo", kind="sở, ban, ngành", email="sdttg@tinhmau.gov.vn")
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    ops.init_workspace(root, 2026, AGENCIES, program_number="27/CTr-UBND")
    ws = ops.open_workspace(root)
    # the Office types the new agency below the registry (cells only, like a clerk in Excel)
    plan = WritePlan()
    plan.add(L.REGISTRY_SHEET, len(AGENCIES) + 2, 1, [[NEW.code, NEW.name, NEW.kind, NEW.email]])
    ws.master.write_bytes(apply_plan(ws.master.read_bytes(), plan))
    (template,) = ops.make_templates(ws, "annual", agency=NEW.code)
    fill_template(template, [
        {"noi_dung": "Đề án hỗ trợ phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số", "loai": "Đề án",
         "thoi_han": "Quý I/2026"},
        {"noi_dung": "Báo cáo công tác tôn giáo năm 2026", "loai": "Báo cáo", "thoi_han": "Năm 2026"},
    ], out=root / "inbox" / "SDTTG.xlsx")
    (stc_template,) = ops.make_templates(ws, "annual", agency="STC")
    fill_template(stc_template, [{"noi_dung": "Dự thảo Nghị quyết phân cấp nguồn thu", "thoi_han": "30/09/2026"}],
                  out=root / "inbox" / "STC.xlsx")
    report = ops.consolidate(ws, today=dt.date(2025, 11, 20))
    python = ops.summary(ws, as_of=AS_OF)
    book = openpyxl.load_workbook(recalculate(ws.master, tmp_path_factory.mktemp("lo")), data_only=True)
    return report, python, book[L.SUMMARY_SHEET], book[L.REGISTRY_SHEET]


def test_a_new_agencys_registration_is_accepted(grown):
    report, *_ = grown
    assert all(c.result.accepted for c in report.files) and len(report.files) == 2


@pytest.mark.libreoffice
def test_the_summary_sheet_counts_an_agency_added_after_init_like_python(grown):
    _, python, sheet, _ = grown
    first = MB.SUMMARY_AGENCY_HEADER_ROW + 1
    rows = {sheet.cell(r, 1).value: r for r in range(first, first + MB.summary_agency_rows(len(AGENCIES)))}
    assert NEW.code in rows
    r = rows[NEW.code]
    want = next(a for a in python.by_agency if a["code"] == NEW.code)
    got = {s.value: sheet.cell(r, 3 + j).value for j, s in enumerate(MB.SUMMARY_STATUS_ORDER)}
    assert got == {s.value: want[s.value] for s in MB.SUMMARY_STATUS_ORDER}
    assert (sheet.cell(r, 2).value, sheet.cell(r, 8).value, want["total"]) == (NEW.name, 2, 2)
    assert sheet.cell(r, 10).value == want["registration"]
    assert sheet[MB.SUMMARY_UNITS_CELL].value == python.agencies == 2


@pytest.mark.libreoffice
def test_spare_summary_rows_stay_blank_until_the_registry_grows(grown):
    _, _, sheet, _ = grown
    first = MB.SUMMARY_AGENCY_HEADER_ROW + 1
    last_row = first + MB.summary_agency_rows(len(AGENCIES)) - 1
    assert all(sheet.cell(last_row, c).value in (None, "") for c in range(1, 11))


@pytest.mark.libreoffice
def test_the_registry_rates_the_new_agencys_registration_like_python(grown):
    _, python, _, registry = grown
    want = {a["code"]: a["registration"] for a in python.by_agency}
    got = {registry.cell(r, 1).value: registry.cell(r, 6).value for r in range(2, len(AGENCIES) + 3)}
    assert got == want
    assert got[NEW.code] == "Chậm 5 ngày" and got["SNV"] == "Chưa gửi"
