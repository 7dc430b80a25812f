"""True values without recalculation (issue 9).

Every formula cell the tool writes also stores the value it computes, so a reader that does not
recalculate — LibreOffice with its DEFAULT settings, Excel's Protected View, previewers, phone
apps, python-calamine, pandas — shows the numbers of ``summary --json``. The demo year (23
agencies, registrations, progress reports) is run once; ``summary --as-of`` then records two
as-of dates, and the summary sheet is read back three ways: LibreOffice without recalculation,
python-calamine, and LibreOffice recalculating (the live formulas still agree).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from rich.console import Console

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import PROGRAMME_SHEET, programme_letter
from ctcong_xl.core.periods import excel_serial_to_date
from ctcong_xl.core.status import COUNTED, classify
from ctcong_xl.core.summary_sheet import (
    AS_OF_CELL,
    SUMMARY_NARRATIVE_CELL,
    SUMMARY_ON_TIME_CELL,
    SUMMARY_STATUS_FIRST_ROW,
    SUMMARY_STATUS_ORDER,
    SUMMARY_TOTAL_CELL,
    SUMMARY_UNITS_CELL,
    SummaryLayout,
)
from ctcong_xl.demo import run_demo
from ctcong_xl.io.master import read_master
from ctcong_xl.io.recalc import as_shown, recalculate

from helpers import json_of, run_cli

AS_OF_DATES = (dt.date(2026, 6, 30), dt.date(2026, 10, 15))


@pytest.fixture(scope="module")
def demo_year(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "ws"
    run_demo(root, Console(quiet=True))
    return root


@pytest.fixture(scope="module", params=AS_OF_DATES, ids=lambda d: d.isoformat())
def recorded(request, demo_year, tmp_path_factory) -> tuple[dict, Path]:
    """The workspace after ``summary --as-of D --json``: (its JSON, the master)."""
    root = tmp_path_factory.mktemp("asof") / "ws"
    shutil.copytree(demo_year, root)
    code, stdout, _ = run_cli("summary", root, "--as-of", request.param.isoformat(), "--json")
    assert code == 0
    return json_of(stdout), ops.open_workspace(root).master


def summary_as_read(values: dict[str, object], column_a: list[object], cell) -> dict:
    """What a reader sees on the summary sheet, in the JSON's terms."""
    layout = SummaryLayout.from_column_a(column_a)
    agencies = {}
    for r in range(layout.agency_first, layout.agency_last + 1):
        code = cell(r, 1)
        if code:
            agencies[code] = {s.value: cell(r, 3 + j) for j, s in enumerate(SUMMARY_STATUS_ORDER)}
    return {
        "as_of": values[AS_OF_CELL],
        "by_status": {s.value: cell(SUMMARY_STATUS_FIRST_ROW + i, 3) for i, s in enumerate(SUMMARY_STATUS_ORDER)},
        "total": values[SUMMARY_TOTAL_CELL],
        "on_time_rate": values[SUMMARY_ON_TIME_CELL],
        "agencies": values[SUMMARY_UNITS_CELL],
        "narrative": values[SUMMARY_NARRATIVE_CELL],
        "by_agency": agencies,
    }


def expected(js: dict) -> dict:
    return {
        "as_of": dt.date.fromisoformat(js["as_of"]),
        "by_status": js["by_status"],
        "total": js["total"],
        "on_time_rate": js["on_time_rate"],
        "agencies": js["agencies"],
        "narrative": js["narrative"],
        "by_agency": {a["code"]: {s.value: a[s.value] for s in SUMMARY_STATUS_ORDER} for a in js["by_agency"]},
    }


def read_with_openpyxl(path: Path) -> dict:
    sheet = openpyxl.load_workbook(path, data_only=True)[L.SUMMARY_SHEET]

    def cell(r: int, c: int):
        v = sheet.cell(r, c).value
        return v.date() if isinstance(v, dt.datetime) else (int(v) if isinstance(v, float) and v.is_integer() else v)

    refs = (AS_OF_CELL, SUMMARY_TOTAL_CELL, SUMMARY_ON_TIME_CELL, SUMMARY_UNITS_CELL, SUMMARY_NARRATIVE_CELL)
    values = {ref: cell(sheet[ref].row, sheet[ref].column) for ref in refs}
    column_a = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
    return summary_as_read(values, column_a, cell)


def read_with_calamine(path: Path) -> dict:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(L.SUMMARY_SHEET).to_python(skip_empty_area=False)

    def cell(r: int, c: int):
        v = rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else None
        if isinstance(v, dt.datetime):
            return v.date()
        return int(v) if isinstance(v, float) and v.is_integer() else v

    def at(ref: str):
        letters = ref.rstrip("0123456789")
        return cell(int(ref[len(letters):]), ord(letters) - 64)

    values = {ref: at(ref) for ref in (AS_OF_CELL, SUMMARY_TOTAL_CELL, SUMMARY_ON_TIME_CELL, SUMMARY_UNITS_CELL,
                                       SUMMARY_NARRATIVE_CELL)}
    if isinstance(values[AS_OF_CELL], (int, float)):
        values[AS_OF_CELL] = excel_serial_to_date(values[AS_OF_CELL])
    return summary_as_read(values, [r[0] if r else None for r in rows], cell)


def approx_rate(d: dict) -> dict:
    return {**d, "on_time_rate": round(d["on_time_rate"] or 0, 9)}


@pytest.mark.libreoffice
def test_libreoffice_with_its_default_settings_shows_the_summary_of_summary_json(recorded, tmp_path):
    js, master = recorded
    shown = read_with_openpyxl(as_shown(master, tmp_path / "shown"))
    assert approx_rate(shown) == approx_rate(expected(js))
    assert js["total"] > 50 and all(js["by_status"][s.value] > 0 for s in COUNTED)


def test_python_calamine_reads_the_summary_of_summary_json(recorded):
    js, master = recorded
    assert approx_rate(read_with_calamine(master)) == approx_rate(expected(js))


@pytest.mark.libreoffice
def test_the_live_formulas_recalculate_to_the_same_summary(recorded, tmp_path):
    js, master = recorded
    assert approx_rate(read_with_openpyxl(recalculate(master, tmp_path / "lo"))) == approx_rate(expected(js))


def test_every_programme_status_and_effective_deadline_is_stored_with_its_value(recorded):
    js, master = recorded
    as_of = dt.date.fromisoformat(js["as_of"])
    rows = CalamineWorkbook.from_path(str(master)).get_sheet_by_name(PROGRAMME_SHEET).to_python()
    status_col = ord(programme_letter("tinh_trang")) - 65
    eff_col = ord(programme_letter("thoi_han_hieu_luc")) - 65
    ds = read_master(master)
    for item in ds.items:
        row = rows[ds.programme_index.rows[item.ma_dau_viec] - 1]
        assert row[status_col] == classify(item.effective_deadline, item.ngay_hoan_thanh, as_of, item.rut).text
        shown = row[eff_col]
        assert (shown.date() if isinstance(shown, dt.datetime) else shown) == (item.effective_deadline or "")


def test_a_fresh_master_shows_todays_date_and_an_empty_programme_without_recalculation(pristine):
    master = ops.open_workspace(pristine).master
    seen = read_with_calamine(master)
    assert seen["as_of"] == dt.date.today()
    assert seen["total"] == 0 and seen["agencies"] == 0
    assert seen["narrative"].startswith("Năm 2026, UBND tỉnh ban hành Chương trình công tác năm số 27/CTr-UBND có tổng số 0")
    registry = CalamineWorkbook.from_path(str(master)).get_sheet_by_name(L.REGISTRY_SHEET).to_python()
    assert {r[5] for r in registry[1:] if r[0]} == {"Chưa gửi"}
