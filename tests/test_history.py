"""The history sheet (SPEC §7): every change a run makes to an item is appended to
``Lịch sử thay đổi`` (field, old value, new value, file, date, who), so that any figure of the
programme can be traced back. A scripted year is run through the CLI; after each run the rows
the run appended are compared with what changed in the programme sheet, cell by cell."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import openpyxl

from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import PROGRAMME_SHEET
from ctcong_xl.core.history import ADDED_FIELD, PROGRAMME_TRACKED
from helpers import RUN_DAY, Office, retype, rows_as_dicts, run_cli

TRACKED = {c.header for c in PROGRAMME_TRACKED}
CODE = "Mã đầu việc"
HISTORY_CODE = "Mã đầu việc hoặc đơn vị"

ANNUAL_STC = [
    {"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "loai": "Đề án",
     "cap_trinh": "UBND tỉnh", "lanh_dao": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải", "thoi_han": "Quý II/2026"},
    {"noi_dung": "Quyết định quy định giá đất điều chỉnh năm 2026", "loai": "Dự thảo văn bản quy phạm pháp luật",
     "thoi_han": dt.date(2026, 9, 30)},
    {"noi_dung": "Báo cáo công khai ngân sách 6 tháng đầu năm", "loai": "Báo cáo", "thoi_han": "6 tháng đầu năm"},
]
ANNUAL_SNV = [{"noi_dung": "Đề án vị trí việc làm trong các cơ quan hành chính tỉnh", "loai": "Đề án",
               "thoi_han": dt.date(2026, 6, 30)}]
# the corrected resubmission: a level and a partner corrected, one report dropped, one plan added
CORRECTED_STC = [
    {**ANNUAL_STC[0], "cap_trinh": "HĐND tỉnh", "don_vi_phoi_hop": "Sở Nội vụ"},
    ANNUAL_STC[1],
    {"noi_dung": "Kế hoạch tài chính 5 năm tỉnh giai đoạn 2026-2030", "loai": "Kế hoạch", "thoi_han": "Tháng 8/2026"},
]


def _text(v: Any) -> str:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _programme_cells(o: Office) -> dict[str, dict[str, str]]:
    """Item code -> {header: the cell as text} of the tracked columns of the programme sheet."""
    return {r[CODE]: {k: _text(v) for k, v in r.items() if k in TRACKED} for r in rows_as_dicts(o.sheet(PROGRAMME_SHEET))}


def _history(o: Office) -> list[dict[str, Any]]:
    return rows_as_dicts(o.sheet(L.HISTORY_SHEET))


def _expected(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> set[tuple[str, str, str, str]]:
    out = set()
    for code, cells in after.items():
        if code not in before:
            out.add((code, ADDED_FIELD, "", f"Thêm mới: {cells['Nội dung công việc']}"))
            continue
        out |= {(code, h, before[code][h], v) for h, v in cells.items() if before[code][h] != v}
    return out


def _run(o: Office, today: dt.date) -> tuple[set[tuple[str, str, str, str]], list[dict[str, Any]]]:
    """Consolidate through the CLI; (changes seen in the programme sheet, history rows appended)."""
    before, logged = _programme_cells(o), len(_history(o)) if L.HISTORY_SHEET in _sheets(o) else 0
    code, _, err = run_cli("consolidate", o.root)
    assert code == 0, err
    rows = _history(o)[logged:]
    return _expected(before, _programme_cells(o)), rows


def _sheets(o: Office) -> list[str]:
    return openpyxl.load_workbook(o.ws.master, read_only=True).sheetnames


def _as_changes(rows: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    return {(r[HISTORY_CODE], r["Trường thay đổi"], _text(r["Giá trị cũ"]), _text(r["Giá trị mới"])) for r in rows}


def test_a_scripted_year_leaves_one_history_row_per_changed_cell(office):
    office.send("annual", "STC", ANNUAL_STC, received=dt.date(2025, 11, 10))
    office.send("annual", "SNV", ANNUAL_SNV, received=dt.date(2025, 11, 12))
    seen, rows = _run(office, RUN_DAY)
    assert len(seen) == 4 and _as_changes(rows) == seen  # four items added: one row each
    assert {r["Tệp hoặc lệnh"] for r in rows} == {"annual_STC.xlsx", "annual_SNV.xlsx"}

    office.clear_inbox()
    office.send("annual", "STC", CORRECTED_STC, name="annual_STC_v2.xlsx", received=dt.date(2025, 11, 14))
    seen, rows = _run(office, RUN_DAY)
    assert _as_changes(rows) == seen
    fields = {(r["Trường thay đổi"], _text(r["Giá trị cũ"]), _text(r["Giá trị mới"])) for r in rows}
    assert ("Cấp trình", "UBND tỉnh", "HĐND tỉnh") in fields
    assert ("Đơn vị phối hợp", "", "Sở Nội vụ") in fields
    assert ("Rút khỏi chương trình", "", "Đơn vị rút") in fields
    assert {r["Tệp hoặc lệnh"] for r in rows} == {"annual_STC_v2.xlsx"}

    office.clear_inbox()
    items = office.items()
    stc = sorted(c for c, i in items.items() if i.ma_don_vi == "STC" and not i.rut)
    office.send("progress", "STC", [
        {"ma_dau_viec": stc[0], "ngay_hoan_thanh": dt.date(2025, 11, 18), "van_ban_ket_qua": "Tờ trình số 15/TTr-STC",
         "tinh_hinh": "Đã trình UBND tỉnh"},
        {"ma_dau_viec": stc[1], "tinh_hinh": "Đang lấy ý kiến các sở, ngành"},
    ])
    seen, rows = _run(office, RUN_DAY)
    assert _as_changes(rows) == seen and len(rows) == 4
    assert {(r[HISTORY_CODE], r["Trường thay đổi"], _text(r["Giá trị mới"])) for r in rows} >= {
        (stc[0], "Ngày hoàn thành", "18/11/2025"), (stc[1], "Tình hình thực hiện", "Đang lấy ý kiến các sở, ngành")}
    assert all(r["Người thực hiện"] and isinstance(r["Thời điểm"], dt.datetime) for r in _history(office))


def test_a_rerun_on_the_same_inbox_appends_nothing_to_the_history(office):
    office.send("annual", "STC", ANNUAL_STC)
    _run(office, RUN_DAY)
    before = office.sheet(L.HISTORY_SHEET)
    _, rows = _run(office, RUN_DAY)
    assert rows == [] and office.sheet(L.HISTORY_SHEET) == before


def test_the_import_log_keeps_its_counts_beside_the_history(office):
    office.send("annual", "STC", ANNUAL_STC)
    _run(office, RUN_DAY)
    (entry,) = rows_as_dicts(office.sheet(L.IMPORT_LOG_SHEET))
    assert (entry["Thêm"], entry["Sửa"], entry["Rút"]) == (3, 0, 0)


def _without_history_sheet(path) -> None:
    """The master as it was before the history sheet existed (the sheet removed by openpyxl)."""
    book = openpyxl.load_workbook(path, keep_vba=True)
    del book[L.HISTORY_SHEET]
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())


def test_a_master_made_before_the_history_sheet_gets_it_at_the_first_change(office):
    _without_history_sheet(office.ws.master)
    office.send("annual", "SNV", ANNUAL_SNV)
    code, _, err = run_cli("consolidate", office.root)
    assert code == 0, err
    book = openpyxl.load_workbook(office.ws.master)
    assert book.sheetnames[-1] == L.HISTORY_SHEET
    assert "yy" in book[L.HISTORY_SHEET]["A2"].number_format  # the time shows as a date, like the import log's
    rows = _history(office)
    assert [r["Trường thay đổi"] for r in rows] == [ADDED_FIELD]
    assert list(rows[0]) == [c.header for c in L.HISTORY_COLUMNS]
    with zipfile.ZipFile(office.ws.master) as zf:
        assert zf.testzip() is None


def test_monthly_programme_rows_are_in_the_history_too(office):
    meeting = {"noi_dung": "Hội nghị sơ kết công tác tài chính 6 tháng", "hinh_thuc": "Hội nghị",
               "thoi_gian": "15/07/2026", "dia_diem": "Hội trường UBND tỉnh"}
    office.send("monthly", "STC", [meeting], month=7)
    office.consolidate(today=dt.date(2026, 6, 18))
    office.clear_inbox()
    # the July template made again carries the meeting; the clerk corrects its venue
    office.send("monthly", "STC", [], name="m7_v2.xlsx", month=7,
                edit=retype("Hội trường UBND tỉnh", "Phòng họp số 1, Sở Tài chính"))
    office.consolidate(today=dt.date(2026, 6, 19))
    rows = [(r[HISTORY_CODE], r["Trường thay đổi"], _text(r["Giá trị cũ"]), _text(r["Giá trị mới"]), r["Tệp hoặc lệnh"])
            for r in _history(office)]
    assert rows == [
        ("2026-07-STC-01", ADDED_FIELD, "", f"Thêm mới: {meeting['noi_dung']}", "monthly_STC.xlsx"),
        ("2026-07-STC-01", "Địa điểm", "Hội trường UBND tỉnh", "Phòng họp số 1, Sở Tài chính", "m7_v2.xlsx"),
    ]
