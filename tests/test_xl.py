"""The live-Excel door (ctcong_xl.xl): buttons run on a book of xlwings' remote engine built
from a real master workbook; the actions they queue are the proof of what Excel would do.

xlwings' remote engine needs a license key; PolyForm Noncommercial (key ``noncommercial``)
covers a government office. This module sets it, only while importing xlwings' remote engine,
and the tests that need the engine skip cleanly when it cannot be loaded.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import given
from lxml import etree
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser
from python_calamine import CalamineWorkbook

import xlwings as xw
from ctcong_xl import ops
from ctcong_xl.ops.workspace import template_key
from ctcong_xl import xl
from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import FORMS, PROGRAMME_COLUMNS, PROGRAMME_SHEET
from ctcong_xl.core.models import Agency
from ctcong_xl.core.plan import Formula, WritePlan
from ctcong_xl.core.status import Status, classify
from ctcong_xl.io import master as master_io
from ctcong_xl.io import vba
from ctcong_xl.io.templates import HEADER_ROW, write_template
from ctcong_xl.io.xlsxpatch import apply_plan, to_serial
from smtp_server import plain_smtp  # noqa: F401 - a fixture


# ------------------------------------------------------------------ xlwings' remote engine

def _enable_remote_engine() -> bool:
    """Register xlwings' remote engine (it is registered when xlwings is imported with a key;
    another module may have imported xlwings first). The key is set only for this import."""
    if "remote" in [engine.name for engine in xw.engines]:
        return True
    saved = os.environ.get("XLWINGS_LICENSE_KEY")
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    try:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))
        return True
    except Exception:  # noqa: BLE001 - no pro package, refused key: skip the engine's tests
        return False
    finally:
        if saved is None:
            del os.environ["XLWINGS_LICENSE_KEY"]
        else:
            os.environ["XLWINGS_LICENSE_KEY"] = saved


REMOTE = _enable_remote_engine()
# As for LibreOffice (conftest.py): CI has the engine, so there a missing engine fails the tests.
remote = pytest.mark.skipif(not REMOTE and not os.environ.get("CI"), reason="xlwings' remote engine is not available")

# The action types the classic VBA client of xlwings performs: one Sub per action, named
# after it, with the signature (wb As Workbook, action As Dictionary). The standalone
# xlwings.bas carries no remote client; the VBA one ships as addin/Remote.bas.
REMOTE_BAS = Path(xw.__file__).parent / "addin" / "Remote.bas"


def classic_vba_actions() -> set[str]:
    text = REMOTE_BAS.read_text(encoding="cp1252")
    return set(re.findall(r"^Sub (\w+)\(wb As Workbook, action As Dictionary\)", text, re.M))


# ------------------------------------------------------------------ a real workspace

YEAR = 2026
AS_OF = dt.date(2026, 9, 30)
STC = Agency(code="STC", name="Sở Tài chính", email="stc@hatinh.gov.vn")
SXD = Agency(code="SXD", name="Sở Xây dựng", email="sxd@hatinh.gov.vn")
SGDDT = Agency(code="SGDDT", name="Sở Giáo dục và Đào tạo", email="sgddt@hatinh.gov.vn")
AGENCIES = [STC, SXD, SGDDT]
LEADERS = ["Chủ tịch UBND tỉnh Võ Trọng Hải", "Phó Chủ tịch UBND tỉnh Trần Báu Hà"]


def _col(kind: str, key: str) -> int:
    return [c.key for c in FORMS[kind].columns].index(key) + 1


def fill_annual(template: Path, out: Path, rows: list[dict]) -> Path:
    """Type rows into an annual template as a clerk would (below the example row)."""
    wb = openpyxl.load_workbook(template)
    sheet = wb[FORMS["annual"].sheet]
    for n, row in enumerate(rows):
        for key, value in row.items():
            sheet.cell(HEADER_ROW + 2 + n, _col("annual", key), value)
    wb.save(out)
    return out


def fill_progress(template: Path, out: Path, done: dict[str, dict]) -> Path:
    """Fill the pre-filled rows of a progress template, found by their item code."""
    wb = openpyxl.load_workbook(template)
    sheet = wb[FORMS["progress"].sheet]
    code_col = _col("progress", "ma_dau_viec")
    for r in range(HEADER_ROW + 1, sheet.max_row + 1):
        for key, value in done.get(sheet.cell(r, code_col).value, {}).items():
            sheet.cell(r, _col("progress", key), value)
    wb.save(out)
    return out


def _stamp(path: Path, day: dt.date) -> None:
    t = dt.datetime.combine(day, dt.time(9, 0)).timestamp()
    os.utime(path, (t, t))


def _annual_template(folder: Path, agency: Agency) -> Path:
    """The template the Office issued to ``agency`` (signed with the workspace's key; the
    workspace is the folder's parent)."""
    path = folder / f"DangKyNam_{agency.code}.xlsx"
    key = template_key(ops.open_workspace(folder.parent))
    write_template(path, "annual", year=YEAR, agency=agency, agencies=AGENCIES, leaders=LEADERS, key=key)
    return path


@pytest.fixture(scope="module")
def base_workspace(tmp_path_factory) -> Path:
    """A master with STC's registration consolidated (file door), and three files in inbox:
    SXD's registration, STC's progress report, SGDDT's faulty registration."""
    root = tmp_path_factory.mktemp("ws") / "ChuongTrinhCongTac"
    ops.init_workspace(root, YEAR, AGENCIES, program_number="27/CTr-UBND", leaders=LEADERS, as_of=AS_OF)
    ws = ops.open_workspace(root)
    drafts = root / "drafts"
    drafts.mkdir()
    stc = fill_annual(_annual_template(drafts, STC), ws.folder("inbox") / "STC_dang_ky.xlsx", [
        {"stt": 1, "noi_dung": "Đề án cơ cấu lại ngân sách địa phương", "loai": "Đề án",
         "cap_trinh": "UBND tỉnh", "thoi_han": dt.datetime(2026, 6, 30)},
        {"stt": 2, "noi_dung": "Báo cáo tình hình thu, chi ngân sách", "loai": "Báo cáo",
         "thoi_han": "Quý II/2026", "dinh_ky": "Hằng quý"},
    ])
    _stamp(stc, dt.date(2025, 11, 12))
    ops.consolidate(ws, today=dt.date(2025, 11, 20))

    progress = ops.make_templates(ws, "progress", agency="STC")[0]
    codes = [i.ma_dau_viec for i in master_io.read_master(ws.master).items]
    done = {codes[0]: {"ngay_hoan_thanh": dt.datetime(2026, 6, 20), "van_ban_ket_qua": "Quyết định 1234/QĐ-UBND"},
            codes[1]: {"ngay_hoan_thanh": dt.datetime(2026, 4, 10), "tinh_hinh": "- Đã gửi báo cáo quý I"}}
    _stamp(fill_progress(progress, ws.folder("inbox") / "STC_tien_do.xlsx", done), dt.date(2026, 9, 25))
    sxd = fill_annual(_annual_template(drafts, SXD), ws.folder("inbox") / "SXD_dang_ky.xlsx", [
        {"stt": 1, "noi_dung": "- Rà soát, điều chỉnh quy hoạch xây dựng vùng tỉnh", "thoi_han": "Tháng 9/2026"},
        {"stt": 2, "noi_dung": "Kế hoạch phát triển nhà ở giai đoạn 2026–2030", "thoi_han": "30/11/2026",
         "ghi_chu": "=Theo Luật Nhà ở 2023"},
    ])
    _stamp(sxd, dt.date(2025, 11, 14))
    bad = fill_annual(_annual_template(drafts, SGDDT), ws.folder("inbox") / "SGDDT_dang_ky.xlsx", [
        {"stt": 1, "noi_dung": "Đề án phát triển giáo dục mầm non", "thoi_han": "Quý V"},
        {"stt": 2, "noi_dung": "Báo cáo tổng kết năm học 2025–2026", "thoi_han": "-30/06/2026"},
    ])
    _stamp(bad, dt.date(2025, 11, 16))
    shutil.rmtree(drafts)
    return root


@pytest.fixture
def workspace(base_workspace, tmp_path) -> Path:
    root = tmp_path / "live"
    shutil.copytree(base_workspace, root)
    return root


@pytest.fixture
def file_workspace(base_workspace, tmp_path) -> Path:
    root = tmp_path / "file"
    shutil.copytree(base_workspace, root)
    return root


class _FrozenDate(dt.date):
    @classmethod
    def today(cls):
        return cls(2026, 9, 30)


class _FrozenDateTime(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2026, 9, 30, 10, 15, 0)


@pytest.fixture
def frozen_time(monkeypatch):
    """Both doors see the same clock (the logs record the time of the run)."""
    clock = types.SimpleNamespace(date=_FrozenDate, datetime=_FrozenDateTime, timedelta=dt.timedelta,
                                  time=dt.time)
    for module in (ops.intake, ops.review, ops.workspace):
        monkeypatch.setattr(module, "dt", clock)
    monkeypatch.setattr(xl, "dt", clock)


@pytest.fixture(autouse=True)
def log_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "log" / "ctcong-xl.log"
    monkeypatch.setenv(xl.LOG_ENV, str(path))
    return path


# ------------------------------------------------------------------ workbook -> remote payload

def _payload_value(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}T00:00:00.000Z"
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return value


def payload_from_file(path: Path) -> dict:
    """What the classic VBA client sends for this workbook: every sheet's values from A1
    (empty cells "", dates as ISO strings ending in Z), read from the file with calamine."""
    book = CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False) or [[""]]
        width = max(len(r) for r in rows) or 1
        values = [[_payload_value(v) for v in r] + [""] * (width - len(r)) for r in rows]
        sheets.append({"name": name, "values": values, "pictures": [], "tables": []})
    return {"client": "VBA", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": payload_names(path), "sheets": sheets}


def payload_names(path: Path) -> list[dict]:
    """The workbook-level defined names as the classic VBA client sends them."""
    with zipfile.ZipFile(path) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    return [{"name": el.get("name"), "refers_to": "=" + el.text, "sheet_index": None, "address": None,
             "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None}
            for el in wb.iter(f"{main}definedName") if el.get("localSheetId") is None]


def open_live(root: Path, monkeypatch, edit=None) -> tuple[xw.Book, list[str]]:
    """The master of ``root`` as Excel would hold it, set as the calling book. ``edit(sheets)``
    may change the payload's sheets first, as a clerk's unsaved edits in Excel."""
    master = ops.open_workspace(root).master
    payload = payload_from_file(master)
    if edit:
        edit({s["name"]: s for s in payload["sheets"]}, payload)
    book = xw.Book(json=payload)
    book.set_mock_caller()
    monkeypatch.setenv(xl.WORKSPACE_ENV, str(root))
    return book, [s["name"] for s in payload["sheets"]]


def actions(book: xw.Book, func: str | None = None) -> list[dict]:
    return [a for a in book.json()["actions"] if func is None or a["func"] == func]


def alert_of(book: xw.Book) -> dict:
    alerts = actions(book, "alert")
    assert len(alerts) == 1
    prompt, title, buttons, mode, _ = alerts[0]["args"]
    return {"prompt": prompt, "title": title, "buttons": buttons, "mode": mode}


# ------------------------------------------------------------------ comparing the two doors

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}:\d{2})?$")


def _as_excel_holds_action(value):
    """A value of a setValues action as the cell holds it once Excel has assigned it: a
    leading apostrophe keeps the rest as text; otherwise "=..." becomes a formula, an ISO date
    (how xlwings sends dates) a date, a number-like text a number."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        if value.startswith("="):
            return ("formula", value)
        if _ISO_DATE.match(value):
            return float(to_serial(dt.datetime.fromisoformat(value)))
        try:
            return float(value)
        except ValueError:
            return value
    if isinstance(value, bool):
        return value
    return float(value)


def _as_excel_holds_file(cell):
    value = cell.value
    if cell.data_type == "f":
        return ("formula", value)
    if isinstance(value, (dt.datetime, dt.date)):
        return float(to_serial(value))
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return float(value)


def written_cells(book: xw.Book, sheet_names: list[str]) -> dict[tuple[str, int, int], object]:
    cells = {}
    for a in actions(book, "setValues"):
        for i, row in enumerate(a["values"]):
            for j, value in enumerate(row):
                key = (sheet_names[a["sheet_position"]], a["start_row"] + 1 + i, a["start_column"] + 1 + j)
                cells[key] = _as_excel_holds_action(value)
    return cells


def file_door_cells(root: Path, plan: WritePlan, out: Path) -> dict[tuple[str, int, int], object]:
    """Apply ``plan`` as the file door does and read back the planned cells (formulas as text)."""
    master = ops.open_workspace(root).master
    out.write_bytes(apply_plan(master.read_bytes(), plan))
    wb = openpyxl.load_workbook(out)
    cells = {}
    for w in plan.writes:
        for i, row in enumerate(w.values):
            for j, _ in enumerate(row):
                cells[(w.sheet, w.row + i, w.col + j)] = _as_excel_holds_file(wb[w.sheet].cell(w.row + i, w.col + j))
    return cells


def rectangles(book: xw.Book, sheet_names: list[str]) -> list[tuple]:
    return [(sheet_names[a["sheet_position"]], a["start_row"] + 1, a["start_column"] + 1, a["row_count"],
             a["column_count"]) for a in actions(book, "setValues")]


def plan_rectangles(plan: WritePlan) -> list[tuple]:
    return [(w.sheet, w.row, w.col, len(w.values), max(len(r) for r in w.values)) for w in plan.writes]


def _file_plan(button: str, root: Path) -> WritePlan:
    ws = ops.open_workspace(root)
    ds = master_io.read_master(ws.master)
    ds.programme_cells = None  # the open book gives no formulas: the live door writes every programme row
    if button == "kiem_tra":
        return ops.plan_validation(ws, ds)[1]
    if button == "tong_hop":
        return ops.plan_consolidation(ws, ds)[1]
    return ops.plan_summary(ds, as_of=ds.config.as_of or dt.date.today())[1]


WRITING_BUTTONS = ("kiem_tra", "tong_hop", "cap_nhat_tong_hop")


# =================================================================== buttons: one plan, two doors

@remote
@pytest.mark.xlwings_remote
def test_open_book_reads_the_same_dataset_as_the_file(workspace, monkeypatch):
    book, _ = open_live(workspace, monkeypatch)
    from_file = master_io.read_master(ops.open_workspace(workspace).master)
    assert xl.read_dataset(book) == from_file
    assert from_file.items  # STC's registration is in the programme


@remote
@pytest.mark.xlwings_remote
@pytest.mark.parametrize("button", WRITING_BUTTONS)
def test_button_writes_the_same_cells_as_the_file_door(button, workspace, file_workspace, frozen_time,
                                                      monkeypatch, tmp_path):
    book, names = open_live(workspace, monkeypatch)
    getattr(xl, button)()
    plan = _file_plan(button, file_workspace)
    assert plan.writes, "the scenario must write something"
    assert written_cells(book, names) == file_door_cells(file_workspace, plan, tmp_path / "file-door.xlsm")


@remote
@pytest.mark.xlwings_remote
@pytest.mark.parametrize("button", WRITING_BUTTONS)
def test_button_writes_one_range_per_rectangle_of_the_plan(button, workspace, file_workspace, frozen_time,
                                                          monkeypatch):
    book, names = open_live(workspace, monkeypatch)
    getattr(xl, button)()
    plan = _file_plan(button, file_workspace)
    assert rectangles(book, names) == plan_rectangles(plan)


@remote
@pytest.mark.xlwings_remote
@pytest.mark.parametrize("button", vba.PYTHON_FUNCTIONS)
def test_button_uses_only_actions_the_classic_vba_client_performs(button, workspace, monkeypatch):
    allowed = classic_vba_actions()
    assert {"setValues", "alert"} <= allowed
    book, _ = open_live(workspace, monkeypatch)
    getattr(xl, button)()
    used = {a["func"] for a in actions(book)}
    assert used and used <= allowed


@remote
@pytest.mark.xlwings_remote
@pytest.mark.parametrize("button", vba.PYTHON_FUNCTIONS)
def test_button_never_rewrites_the_workbook_file(button, workspace, monkeypatch):
    master = ops.open_workspace(workspace).master
    before = (master.read_bytes(), master.stat().st_mtime_ns)
    book, _ = open_live(workspace, monkeypatch)
    getattr(xl, button)()
    assert (master.read_bytes(), master.stat().st_mtime_ns) == before
    assert [p.name for p in workspace.glob("*.xlsm")] == [master.name]
    assert list(workspace.glob("*.tmp")) == []


@remote
@pytest.mark.xlwings_remote
def test_tong_hop_formulas_are_written_as_formula_text(workspace, monkeypatch):
    book, names = open_live(workspace, monkeypatch)
    xl.tong_hop()
    status_col = [c.key for c in PROGRAMME_COLUMNS].index("tinh_trang") + 1
    status_cells = [v for (sheet, _, col), v in written_cells(book, names).items()
                    if sheet == PROGRAMME_SHEET and col == status_col]
    assert len(status_cells) == 7  # STC: 1 item + 4 quarterly instances; SXD: 2 items
    assert all(kind == "formula" and text.startswith("=IF(") and L.STATUS_DATE_NAME in text for kind, text in status_cells)


@remote
@pytest.mark.xlwings_remote
def test_tong_hop_keeps_texts_that_look_like_formulas_or_bullets_as_text(workspace, monkeypatch):
    book, _ = open_live(workspace, monkeypatch)
    xl.tong_hop()
    raw = [v for a in actions(book, "setValues") for row in a["values"] for v in row if isinstance(v, str)]
    assert "'- Rà soát, điều chỉnh quy hoạch xây dựng vùng tỉnh" in raw
    assert "'=Theo Luật Nhà ở 2023" in raw
    assert "- Rà soát, điều chỉnh quy hoạch xây dựng vùng tỉnh" not in raw


@remote
@pytest.mark.xlwings_remote
def test_tong_hop_tells_the_counts_in_vietnamese(workspace, monkeypatch):
    book, _ = open_live(workspace, monkeypatch)
    xl.tong_hop()
    shown = alert_of(book)
    assert shown["mode"] == "info"
    assert shown["title"] == "ctcong-xl – Tổng hợp"
    assert shown["prompt"].startswith("Đã tổng hợp 2/4 tệp: thêm 2 đầu việc, cập nhật 2, rút 0.")
    assert "1 tệp có lỗi không được tổng hợp" in shown["prompt"]
    assert "1 tệp đã được tổng hợp trước đây nên bỏ qua" in shown["prompt"]  # STC's first file
    assert "Ctrl+S" in shown["prompt"]


@remote
@pytest.mark.xlwings_remote
def test_tong_hop_archives_accepted_files_and_returns_the_faulty_one(workspace, monkeypatch):
    book, _ = open_live(workspace, monkeypatch)
    xl.tong_hop()
    assert len(list((workspace / "archive").glob("*.xlsx"))) == 3  # STC's first file + 2 accepted now
    returned = [p.name for p in (workspace / "returned").iterdir()]
    assert len(returned) == 1 and returned[0].startswith("SGDDT_dang_ky")


@remote
@pytest.mark.xlwings_remote
def test_kiem_tra_logs_findings_and_counts_the_files(workspace, monkeypatch):
    book, names = open_live(workspace, monkeypatch)
    xl.kiem_tra()
    logged = {k: v for k, v in written_cells(book, names).items() if k[0] == L.VALIDATION_LOG_SHEET}
    assert "-30/06/2026" in logged.values()  # the value quoted as typed, kept as text
    shown = alert_of(book)
    assert shown["prompt"].startswith(
        "Đã kiểm tra 4 tệp trong thư mục inbox: 2 tệp hợp lệ, 1 tệp có lỗi, 1 tệp đã tổng hợp trước đây.")
    assert f"trang “{L.VALIDATION_LOG_SHEET}”" in shown["prompt"]


@remote
@pytest.mark.xlwings_remote
def test_kiem_tra_with_an_empty_inbox_says_so_and_writes_nothing(workspace, monkeypatch):
    for p in (workspace / "inbox").iterdir():
        p.unlink()
    book, _ = open_live(workspace, monkeypatch)
    xl.kiem_tra()
    assert actions(book, "setValues") == []
    assert "chưa có tệp nào" in alert_of(book)["prompt"]


@remote
@pytest.mark.xlwings_remote
def test_cap_nhat_tong_hop_reports_the_counts_at_the_configured_date(workspace, monkeypatch):
    book, _ = open_live(workspace, monkeypatch)
    xl.cap_nhat_tong_hop()
    prompt = alert_of(book)["prompt"]
    assert prompt.startswith("Đã cập nhật tình trạng đến ngày 30/09/2026: tổng số 5 đầu việc của 1 đơn vị")
    assert "Năm 2026, UBND tỉnh ban hành Chương trình công tác năm số 27/CTr-UBND" in prompt


@remote
@pytest.mark.xlwings_remote
def test_cap_nhat_tong_hop_records_today_when_the_as_of_cell_is_empty(workspace, frozen_time, monkeypatch):
    def clear_as_of(sheets, _):
        sheets[L.CONFIG_SHEET]["values"][L.config_row("as_of") - 1][1] = ""

    book, names = open_live(workspace, monkeypatch, clear_as_of)
    xl.cap_nhat_tong_hop()
    written = written_cells(book, names)
    assert written[(L.CONFIG_SHEET, L.config_row("as_of"), 2)] == float(to_serial(dt.date(2026, 9, 30)))
    assert "đến ngày 30/09/2026" in alert_of(book)["prompt"]


@remote
@pytest.mark.xlwings_remote
def test_tao_mau_makes_progress_templates_once_the_programme_has_items(workspace, monkeypatch):
    book, _ = open_live(workspace, monkeypatch)
    for p in (workspace / "outbox").iterdir():
        p.unlink()
    xl.tao_mau()
    made = sorted(p.name for p in (workspace / "outbox").iterdir())
    assert len(made) == len(AGENCIES) and all(n.startswith("TienDo") for n in made)
    assert alert_of(book)["prompt"].startswith("Đã tạo 3 mẫu “Báo cáo tiến độ”")
    assert actions(book, "setValues") == []


@remote
@pytest.mark.xlwings_remote
def test_tao_mau_makes_annual_templates_while_the_programme_is_empty(tmp_path, monkeypatch):
    root = tmp_path / "new"
    ops.init_workspace(root, YEAR, AGENCIES, leaders=LEADERS)
    book, _ = open_live(root, monkeypatch)
    xl.tao_mau()
    made = sorted(p.name for p in (root / "outbox").iterdir())
    assert len(made) == len(AGENCIES) and all(n.startswith("DangKyNam") for n in made)
    assert "“Đăng ký năm”" in alert_of(book)["prompt"]


@remote
@pytest.mark.xlwings_remote
def test_tao_mau_in_a_workspace_made_before_signing_says_the_key_was_created_once(workspace, monkeypatch):
    (workspace / ops.KEY_FILE).unlink()  # a workspace made by an earlier version (unsigned templates)
    book, _ = open_live(workspace, monkeypatch)
    xl.tao_mau()
    assert (workspace / ops.KEY_FILE).exists()
    assert "Đã tạo khóa ký biểu mẫu" in alert_of(book)["prompt"]
    book, _ = open_live(workspace, monkeypatch)
    xl.tao_mau()
    assert "khóa ký" not in alert_of(book)["prompt"]


@remote
@pytest.mark.xlwings_remote
def test_tao_mau_prefills_progress_templates_from_the_open_book_not_the_file(workspace, monkeypatch):
    def edit_content(sheets, _):
        content_col = [c.key for c in PROGRAMME_COLUMNS].index("noi_dung")
        sheets[PROGRAMME_SHEET]["values"][1][content_col] = "Đề án cơ cấu lại ngân sách (Văn phòng sửa, chưa lưu)"

    book, _ = open_live(workspace, monkeypatch, edit_content)
    xl.tao_mau()
    wb = openpyxl.load_workbook(workspace / "outbox" / next(
        p.name for p in (workspace / "outbox").iterdir() if p.name.startswith("TienDo") and "STC" in p.name))
    texts = [c.value for row in wb[FORMS["progress"].sheet].iter_rows() for c in row]
    assert "Đề án cơ cấu lại ngân sách (Văn phòng sửa, chưa lưu)" in texts


def _with_relay(controller):
    """The clerk's unsaved typing of an internal mail relay into the sheet Cấu hình."""
    def edit(sheets, _):
        values = sheets[L.CONFIG_SHEET]["values"]
        for key, value in (("smtp_host", controller.hostname), ("smtp_port", controller.port),
                           ("smtp_security", "Không"), ("mail_from", "vanphong@tinhmau.gov.vn")):
            values[L.config_row(key) - 1][1] = value
    return edit


@remote
@pytest.mark.xlwings_remote
def test_gui_don_doc_sends_the_reminders_and_logs_them_in_the_open_book(workspace, plain_smtp, frozen_time, monkeypatch):
    controller, inbox = plain_smtp
    book, names = open_live(workspace, monkeypatch, _with_relay(controller))
    xl.gui_don_doc()
    (message,) = inbox.messages
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Sở Tài chính", "stc@hatinh.gov.vn")
    assert [p.get_filename() for p in message.iter_attachments()] == ["DonDoc_2026-09-30_STC.xlsx"]
    prompt = alert_of(book)["prompt"]
    assert "Thư: 1 đã gửi, 0 đã gửi trước đó" in prompt and "Ctrl+S" in prompt
    logged = {k: v for k, v in written_cells(book, names).items() if k[0] == L.SEND_LOG_SHEET}
    assert "stc@hatinh.gov.vn" in logged.values() and "DonDoc_2026-09-30_STC.xlsx" in logged.values()


@remote
@pytest.mark.xlwings_remote
def test_gui_don_doc_without_a_mail_server_says_where_to_set_it_and_sends_nothing(workspace, frozen_time,
                                                                                  monkeypatch):
    book, _ = open_live(workspace, monkeypatch)
    xl.gui_don_doc()
    alert = alert_of(book)
    assert alert["mode"] == "critical" and "Chưa có máy chủ thư" in alert["prompt"]
    assert actions(book, "setValues") == []
    assert (workspace / "outbox" / "DonDoc_2026-09-30_STC.eml").exists()  # the drafts are there to send by hand


@remote
@pytest.mark.xlwings_remote
def test_don_doc_lists_overdue_items_per_agency(workspace, monkeypatch):
    book, _ = open_live(workspace, monkeypatch)
    xl.don_doc()
    lists = sorted(p.name for p in (workspace / "outbox").iterdir() if p.name.startswith("DonDoc"))
    assert lists == ["DonDoc_2026-09-30_STC.eml", "DonDoc_2026-09-30_STC.xlsx"]  # the list and its draft
    prompt = alert_of(book)["prompt"]
    # STC at 30/09: the scheme (30/06), Q1 and Q2 reports are overdue; Q3 (30/09) is due now.
    assert prompt.startswith("Đã lập danh sách đôn đốc cho 1 đơn vị (tính đến ngày 30/09/2026): 3 việc quá hạn "
                             "chưa hoàn thành, 1 việc sắp đến hạn.")


@remote
@pytest.mark.xlwings_remote
def test_lap_chuong_trinh_drafts_the_annual_and_next_months_programme_from_the_open_book(workspace, monkeypatch):
    def edit_content(sheets, _):
        content_col = [c.key for c in PROGRAMME_COLUMNS].index("noi_dung")
        sheets[PROGRAMME_SHEET]["values"][1][content_col] = "Đề án cơ cấu lại ngân sách (Văn phòng sửa, chưa lưu)"

    monkeypatch.setenv("CTCONG_SOFFICE", "/nonexistent/soffice")
    book, _ = open_live(workspace, monkeypatch, edit_content)
    xl.lap_chuong_trinh()
    made = sorted(p.name for p in (workspace / "reports").iterdir())
    assert made == ["ChuongTrinhThang_2026-10.docx", "ChuongTrinh_2026.docx"]  # as of 30/09: October next
    annual = docx.Document(str(workspace / "reports" / "ChuongTrinh_2026.docx"))
    cells = [c.text for t in annual.tables for row in t.rows for c in row.cells]
    assert "Đề án cơ cấu lại ngân sách (Văn phòng sửa, chưa lưu)" in cells
    prompt = alert_of(book)["prompt"]
    assert prompt.startswith("Đã lập dự thảo Chương trình công tác năm 2026 và Chương trình công tác tháng 10/2026")
    assert "PDF" in prompt  # no LibreOffice here: the message says there is no PDF


@remote
@pytest.mark.xlwings_remote
def test_cap_nhat_tong_hop_inserts_summary_rows_for_agencies_typed_into_the_open_registry(workspace, monkeypatch):
    """The Office typed 15 communes below the registry in Excel (unsaved): the button inserts rows
    inside the per-agency table (Excel moves the tables below and the charts itself) before it
    writes the grown table."""
    from ctcong_xl.core.summary_sheet import SummaryLayout

    communes = [[f"XA{n:02d}", f"UBND xã Thử Nghiệm {n}", "UBND cấp xã", ""] for n in range(1, 16)]

    def type_communes(sheets, _):
        values = sheets[L.REGISTRY_SHEET]["values"]
        width = len(values[0])
        values.extend([row + [""] * (width - len(row)) for row in communes])

    book, names = open_live(workspace, monkeypatch, type_communes)
    before = master_io.read_master(ops.open_workspace(workspace).master).summary_layout
    registry = len(master_io.read_master(ops.open_workspace(workspace).master).agencies) + len(communes)
    xl.cap_nhat_tong_hop()
    done = actions(book)
    (insert,) = [a for a in done if a["func"] == "rangeInsert"]
    assert names[insert["sheet_position"]] == L.SUMMARY_SHEET
    assert insert["args"][0] == "down" and insert["column_count"] == 16384
    assert insert["start_row"] + 1 == before.agency_last  # inside the table: references spanning it grow
    grown = SummaryLayout(before.agency_rows + insert["row_count"], before.leader_rows)
    assert grown.agency_rows >= registry
    summary_writes = [n for n, a in enumerate(done) if a["func"] == "setValues"
                      and names[a["sheet_position"]] == L.SUMMARY_SHEET]
    assert done.index(insert) < min(summary_writes)
    cells = written_cells(book, names)
    last_agency = grown.agency_first + registry - 1  # the table row of registry row registry + 1
    assert cells[(L.SUMMARY_SHEET, last_agency, 1)] == ("formula", f"=IF('Đơn vị'!A{registry + 1}=\"\",\"\","
                                                                   f"'Đơn vị'!A{registry + 1})")
    assert cells[(L.SUMMARY_SHEET, grown.other_leader_row, 8)][1].startswith("=SUM(")


# =================================================================== Kiểm tra máy (ctcong-xl doctor)

def doctor_sheet_text(book: xw.Book) -> list[str]:
    """Column A of the sheet “Kiểm tra máy” as the button wrote it (one setValues, from A1)."""
    sheet_names = [s.name for s in book.sheets]
    (write,) = [a for a in actions(book, "setValues") if sheet_names[a["sheet_position"]] == L.DOCTOR_SHEET]
    assert (write["start_row"], write["start_column"]) == (0, 0)
    return [row[0] for row in write["values"] if row[0]]


@remote
@pytest.mark.xlwings_remote
def test_kiem_tra_may_adds_its_sheet_with_each_check_of_ctcong_xl_doctor_and_the_fix(workspace, monkeypatch,
                                                                                      tmp_path):
    from test_doctor import python_without_ctcong

    appdata = tmp_path / "AppData" / "Local"
    monkeypatch.setenv("LOCALAPPDATA", str(appdata))
    exe = python_without_ctcong(appdata)
    book, _ = open_live(workspace, monkeypatch)
    xl.kiem_tra_may()
    (added,) = actions(book, "addSheet")
    assert added["args"][1] == L.DOCTOR_SHEET
    text = "\n".join(doctor_sheet_text(book))
    checks = ops.run_doctor(workspace)  # what `ctcong-xl doctor WS` finds on this PC
    for c in checks:
        assert c.message in text
    assert f"1. Python của ctcong-xl (trang “xlwings.conf”): Lỗi" in text
    assert f"Cách sửa: Cài ctcong-xl vào đúng Python này: “{exe} -m pip install ctcong-xl”" in text
    shown = alert_of(book)
    assert shown["prompt"].splitlines() == [
        "Có 1 lỗi cần sửa để các nút của sổ chạy được trên máy này.",
        "• Python của ctcong-xl (trang “xlwings.conf”)",
        "Kết quả từng mục và cách sửa ở trang “Kiểm tra máy”.",
    ]


@remote
@pytest.mark.xlwings_remote
def test_kiem_tra_may_on_a_pc_where_the_buttons_work_says_so(workspace, monkeypatch, tmp_path):
    from test_doctor import working_python

    appdata = tmp_path / "AppData" / "Local"
    monkeypatch.setenv("LOCALAPPDATA", str(appdata))
    working_python(appdata)
    book, _ = open_live(workspace, monkeypatch)
    xl.kiem_tra_may()
    text = doctor_sheet_text(book)
    assert text[0] == "KIỂM TRA MÁY: CÁC NÚT CỦA SỔ CÓ CHẠY ĐƯỢC TRÊN MÁY NÀY KHÔNG"
    assert text[1].endswith("Máy này đủ điều kiện chạy các nút của sổ.")
    assert not any("Cách sửa" in line and "Lỗi" in line for line in text)
    assert alert_of(book)["prompt"].startswith("Máy này đủ điều kiện chạy các nút của sổ.")
    assert actions(book, "namesAdd") == []


@remote
@pytest.mark.xlwings_remote
def test_kiem_tra_may_again_rewrites_its_sheet_in_place_and_clears_the_old_lines(workspace, monkeypatch):
    from ctcong_xl.core.doctor import DOCTOR_ROWS

    def with_old_result(sheets, payload):
        payload["sheets"].append({"name": L.DOCTOR_SHEET, "values": [["kết quả lần trước"]] * DOCTOR_ROWS,
                                  "pictures": [], "tables": []})
    book, _ = open_live(workspace, monkeypatch, with_old_result)
    xl.kiem_tra_may()
    assert actions(book, "addSheet") == []
    sheet_names = [s.name for s in book.sheets]
    (write,) = [a for a in actions(book, "setValues") if sheet_names[a["sheet_position"]] == L.DOCTOR_SHEET]
    rows = [row[0] for row in write["values"]]
    last = max(n for n, text in enumerate(rows) if text)
    assert len(rows) == DOCTOR_ROWS > last + 1
    assert rows[last].startswith("Sửa xong, bấm lại nút “Kiểm tra máy”")
    assert not any(rows[last + 1:]) and "kết quả lần trước" not in rows


# =================================================================== errors become messages

@remote
@pytest.mark.xlwings_remote
def test_a_workspace_problem_is_a_vietnamese_alert_not_a_traceback(workspace, monkeypatch):
    shutil.rmtree(workspace / "inbox")
    book, _ = open_live(workspace, monkeypatch)
    xl.tong_hop()
    shown = alert_of(book)
    assert shown["mode"] == "critical"
    assert shown["prompt"] == f"Không có thư mục inbox trong {workspace}."


@remote
@pytest.mark.xlwings_remote
def test_an_unexpected_error_is_alerted_and_logged_with_its_traceback(workspace, monkeypatch, log_file):
    def broken(*args, **kwargs):
        raise RuntimeError("ổ mạng bị ngắt")

    monkeypatch.setattr(ops, "plan_consolidation", broken)
    book, _ = open_live(workspace, monkeypatch)
    xl.tong_hop()
    shown = alert_of(book)
    assert shown["mode"] == "critical"
    assert "Chức năng “Tổng hợp” gặp lỗi ngoài dự kiến" in shown["prompt"]
    assert str(log_file) in shown["prompt"]
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged and "RuntimeError: ổ mạng bị ngắt" in logged
    assert actions(book, "setValues") == []


@remote
@pytest.mark.xlwings_remote
def test_a_missing_managed_sheet_is_a_vietnamese_alert(workspace, monkeypatch):
    def drop_programme(_, payload):
        payload["sheets"] = [s for s in payload["sheets"] if s["name"] != PROGRAMME_SHEET]

    book, _ = open_live(workspace, monkeypatch, drop_programme)
    xl.tong_hop()
    assert "thiếu trang “Chương trình năm”" in alert_of(book)["prompt"]


class _StubBook:
    def __init__(self, fullname: str) -> None:
        self.fullname = fullname
        self.name = fullname.replace("\\", "/").rsplit("/", 1)[-1]


def test_workspace_is_the_folder_of_the_open_workbook(tmp_path, monkeypatch):
    monkeypatch.delenv(xl.WORKSPACE_ENV, raising=False)
    assert xl.workspace_of(_StubBook(str(tmp_path / "ChuongTrinhCongTac_2026.xlsm"))).root == tmp_path


def test_workspace_can_be_named_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(xl.WORKSPACE_ENV, str(tmp_path))
    assert xl.workspace_of(_StubBook("Book1")).root == tmp_path


def test_a_workbook_opened_from_a_web_address_is_refused_in_vietnamese(monkeypatch):
    monkeypatch.delenv(xl.WORKSPACE_ENV, raising=False)
    with pytest.raises(ops.WorkspaceError, match="đang được mở từ địa chỉ web"):
        xl.workspace_of(_StubBook("https://tinh.sharepoint.com/sites/vp/ChuongTrinhCongTac_2026.xlsm"))


def test_an_unsaved_workbook_is_refused_in_vietnamese(monkeypatch):
    monkeypatch.delenv(xl.WORKSPACE_ENV, raising=False)
    with pytest.raises(ops.WorkspaceError, match="chưa được lưu vào thư mục làm việc"):
        xl.workspace_of(_StubBook("Book1"))


def test_log_goes_to_the_user_local_app_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(xl.LOG_ENV, raising=False)
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    assert xl.log_path() == tmp_path / "ctcong-xl" / "ctcong-xl.log"


# =================================================================== writing values

@remote
@pytest.mark.xlwings_remote
def test_write_plan_assigns_each_rectangle_at_once(tmp_path):
    book = xw.Book(json={"client": "VBA", "version": xw.__version__,
                         "book": {"name": "a.xlsm", "active_sheet_index": 0, "selection": "A1"}, "names": [],
                         "sheets": [{"name": "Nhật ký", "values": [[""]], "pictures": [], "tables": []}]})
    plan = WritePlan()
    plan.add("Nhật ký", 2, 1, [["a", 1.0], ["b", 2.0], ["c", 3.0]])
    plan.add("Nhật ký", 7, 3, [[dt.date(2026, 6, 30)]])
    assert xl.write_plan(book, plan) == 2
    assert [(a["start_row"], a["start_column"], a["row_count"], a["column_count"]) for a in actions(book)] == [
        (1, 0, 3, 2), (6, 2, 1, 1)]


@remote
@pytest.mark.xlwings_remote
def test_write_plan_adds_the_history_sheet_an_older_master_lacks():
    book = xw.Book(json={"client": "VBA", "version": xw.__version__,
                         "book": {"name": "a.xlsm", "active_sheet_index": 0, "selection": "A1"}, "names": [],
                         "sheets": [{"name": L.CONFIG_SHEET, "values": [[""]], "pictures": [], "tables": []},
                                    {"name": L.IMPORT_LOG_SHEET, "values": [[""]], "pictures": [], "tables": []}]})
    plan = WritePlan()
    plan.add_sheet(L.HISTORY_SHEET)
    plan.add(L.HISTORY_SHEET, 1, 1, [[c.header for c in L.HISTORY_COLUMNS]])
    xl.write_plan(book, plan)
    (added,) = actions(book, "addSheet")
    (values,) = actions(book, "setValues")
    assert (added["func"], added["args"][1]) == ("addSheet", L.HISTORY_SHEET)
    assert (values["sheet_position"], values["values"][0][0]) == (2, "Thời điểm")


@remote
@pytest.mark.xlwings_remote
def test_write_plan_adds_the_defined_names_an_older_master_lacks_and_keeps_the_others():
    book = xw.Book(json={"client": "VBA", "version": xw.__version__,
                         "book": {"name": "a.xlsm", "active_sheet_index": 0, "selection": "A1"},
                         "names": [{"name": "NamChuongTrinh", "refers_to": "='Cấu hình'!$B$2", "sheet_index": 0,
                                    "address": "B2", "book_scope": True, "scope_sheet_name": None,
                                    "scope_sheet_index": None}],
                         "sheets": [{"name": L.CONFIG_SHEET, "values": [[""]], "pictures": [], "tables": []}]})
    plan = WritePlan()
    plan.add(L.CONFIG_SHEET, L.config_row("as_of"), 2, [[dt.date(2026, 6, 30)]])
    xl.write_plan(book, plan)
    added = {a["args"][0]: a["args"][1] for a in actions(book, "namesAdd")}
    assert added[L.STATUS_DATE_NAME] == L.status_date_formula()
    assert added == {n: r for n, r in L.defined_names().items() if n != "NamChuongTrinh"}


@remote
@pytest.mark.xlwings_remote
def test_a_button_on_a_fresh_master_adds_no_name(workspace, monkeypatch):
    book, _ = open_live(workspace, monkeypatch)
    xl.cap_nhat_tong_hop()
    assert actions(book, "setValues") and actions(book, "namesAdd") == []


@remote
@pytest.mark.xlwings_remote
def test_write_plan_refuses_a_plan_for_a_sheet_the_book_lacks():
    book = xw.Book(json={"client": "VBA", "version": xw.__version__,
                         "book": {"name": "a.xlsm", "active_sheet_index": 0, "selection": "A1"}, "names": [],
                         "sheets": [{"name": "Cấu hình", "values": [[""]], "pictures": [], "tables": []}]})
    plan = WritePlan()
    plan.add(L.VALIDATION_LOG_SHEET, 2, 1, [["x"]])
    with pytest.raises(master_io.MasterError, match="thiếu trang “Nhật ký kiểm tra”"):
        xl.write_plan(book, plan)


def test_formula_is_written_as_its_text():
    assert xl.excel_value(Formula('=IF(A2="","",1)', 1)) == '=IF(A2="","",1)'
    assert xl.excel_value(Formula("SUM(A1:A3)")) == "=SUM(A1:A3)"


def test_none_and_empty_text_clear_the_cell():
    assert xl.excel_value(None) is None
    assert xl.excel_value("") is None


def test_dates_numbers_and_flags_are_written_as_values():
    assert xl.excel_value(dt.date(2026, 6, 30)) == dt.date(2026, 6, 30)
    assert xl.excel_value(3) == 3
    assert xl.excel_value(True) is True


@pytest.mark.parametrize("text", ["=SUM(A1:A3)", "+84 912 345 678", "- Đã gửi báo cáo quý I", "@Sở Tài chính",
                                  "'trích dẫn", "15/11/2026", "46341", "2026-06-30", "1,5%", "8:30", "TRUE",
                                  "15-Nov", "Nov 2026"])
def test_text_excel_would_convert_is_written_with_an_apostrophe(text):
    assert xl.excel_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Sở Tài chính", "Quý II/2026", "Tháng 6/2026", "2026-STC-001",
                                  "Quyết định 1234/QĐ-UBND", "6 tháng đầu năm", "Hằng quý"])
def test_ordinary_text_is_written_as_typed(text):
    assert xl.excel_text(text) == text


@given(st.text())
def test_excel_text_only_ever_adds_one_apostrophe(text):
    assert xl.excel_text(text) in (text, "'" + text)


@given(st.sampled_from("=+-@'"), st.text())
def test_excel_text_protects_every_text_starting_like_a_formula(first, rest):
    assert xl.excel_text(first + rest) == "'" + first + rest


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers())
def test_excel_text_protects_every_number_written_as_text(number):
    assert xl.excel_text(str(number)) == "'" + str(number)


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2199, 12, 31)))
def test_excel_text_protects_every_day_first_date_written_as_text(day):
    assert xl.excel_text(f"{day:%d/%m/%Y}") == f"'{day:%d/%m/%Y}"


# =================================================================== the buttons and the VBA

def test_every_button_function_exists_and_needs_no_argument():
    for name in vba.PYTHON_FUNCTIONS:
        function = getattr(xl, name)
        assert callable(function)
        assert all(p.default is not inspect.Parameter.empty for p in inspect.signature(function).parameters.values())


@pytest.fixture(scope="module")
def built_master_code(base_workspace) -> str:
    parser = VBA_Parser(str(ops.open_workspace(base_workspace).master))
    try:
        return "\n".join(code for _, _, _, code in parser.extract_macros()).replace("\r\n", "\n")
    finally:
        parser.close()


def test_built_master_button_macros_call_their_python_function(built_master_code):
    for button in vba.BUTTONS:
        body = re.search(rf"^Public Sub {button.macro}\(\)\n(.*?)^End Sub", built_master_code, re.M | re.S)
        assert body, button.macro
        assert re.findall(r'RunPython "import ctcong_xl\.xl as xl; xl\.(\w+)\(\)"', body.group(1)) == [
            button.python_function]


def test_every_python_function_named_by_a_macro_exists(built_master_code):
    named = set(re.findall(r"xl\.(\w+)\(\)", built_master_code))
    assert named == set(vba.PYTHON_FUNCTIONS)
    assert all(callable(getattr(xl, name, None)) for name in named)


def test_built_master_tells_xlwings_to_load_the_udfs_of_this_module(base_workspace):
    wb = openpyxl.load_workbook(ops.open_workspace(base_workspace).master)
    conf = {row[0]: row[1] for row in wb[vba.XLWINGS_CONF_SHEET].iter_rows(values_only=True)}
    assert conf["UDF Modules"] == xl.__name__


# =================================================================== worksheet functions

D = dt.datetime


@pytest.mark.parametrize(("deadline", "completed", "as_of", "withdrawn", "expected"), [
    (D(2026, 6, 30), D(2026, 6, 20), D(2026, 9, 30), "", Status.DUNG_HAN),
    (D(2026, 6, 30), D(2026, 7, 15), D(2026, 9, 30), "", Status.KHONG_DUNG_HAN),
    (D(2026, 6, 30), None, D(2026, 9, 30), "", Status.CHUA_HOAN_THANH),
    (D(2026, 12, 31), None, D(2026, 9, 30), "", Status.DANG_THUC_HIEN),
    (D(2026, 6, 30), None, D(2026, 9, 30), "x", Status.RUT_KHOI),
    (D(2026, 6, 30), D(2026, 10, 5), D(2026, 9, 30), None, Status.CHUA_HOAN_THANH),
])
def test_tinhtrang_gives_the_status_text_of_the_rule(deadline, completed, as_of, withdrawn, expected):
    assert xl.CTCONG_TINHTRANG(deadline, completed, as_of, withdrawn) == expected.text


def test_tinhtrang_reads_period_texts_and_serial_numbers():
    assert xl.CTCONG_TINHTRANG("Quý II/2026", "20/06/2026", 46295.0) == "Hoàn thành đúng hạn"


def test_tinhtrang_without_as_of_date_counts_at_today(monkeypatch):
    monkeypatch.setattr(xl, "_today", lambda: dt.date(2026, 7, 1))
    assert xl.CTCONG_TINHTRANG(D(2026, 6, 30), None) == "Chưa hoàn thành"


def test_tinhtrang_names_the_argument_it_cannot_read():
    result = xl.CTCONG_TINHTRANG("31/02/2026", None, D(2026, 9, 30))
    assert result.startswith("Thời hạn: ") and "31/02/2026" in result


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.none() | st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), st.booleans())
def test_tinhtrang_agrees_with_the_core_rule_for_cells_and_serials(deadline, completed, as_of, withdrawn):
    def serial(d):
        return None if d is None else float(to_serial(d))

    expected = classify(deadline, completed, as_of, withdrawn).text
    as_cells = xl.CTCONG_TINHTRANG(D.combine(deadline, dt.time()), completed and D.combine(completed, dt.time()),
                                   D.combine(as_of, dt.time()), "x" if withdrawn else None)
    as_serials = xl.CTCONG_TINHTRANG(serial(deadline), serial(completed), serial(as_of), "x" if withdrawn else "")
    assert as_cells == as_serials == expected


@pytest.mark.parametrize(("text", "year", "expected"), [
    ("Quý II", 2026.0, dt.date(2026, 6, 30)),
    ("Tháng 2", 2028, dt.date(2028, 2, 29)),
    ("6 tháng đầu năm", 2026, dt.date(2026, 6, 30)),
    ("ngày 15 tháng 11 năm 2026", 2026, dt.date(2026, 11, 15)),
    ("15/11", 2027, dt.date(2027, 11, 15)),
    ("T6/2027", 2026, dt.date(2027, 6, 30)),
])
def test_thoihan_gives_the_last_day_of_the_period(text, year, expected):
    assert xl.CTCONG_THOIHAN(text, year) == expected


def test_thoihan_explains_an_impossible_date_in_vietnamese():
    assert "Quý V" in xl.CTCONG_THOIHAN("Quý V", 2026)
    assert "định kỳ" in xl.CTCONG_THOIHAN("Hằng quý", 2026)
    assert "không hợp lệ" in xl.CTCONG_THOIHAN("Quý II", "năm nay")


def test_thoihan_of_a_blank_cell_is_blank():
    assert xl.CTCONG_THOIHAN(None, 2026) == ""


def test_ky_gives_the_standard_period_label():
    assert xl.CTCONG_KY("q2/2026") == "Quý II/2026"
    assert xl.CTCONG_KY("Hằng tháng", 2026) == "Hằng tháng"
    assert xl.CTCONG_KY("15/11/2026", 2026) == ""


@pytest.mark.parametrize("status", list(Status))
def test_matinhtrang_gives_the_key_of_each_status_text(status):
    assert xl.CTCONG_MATINHTRANG(status.text.upper()) == status.key


def test_matinhtrang_lists_the_statuses_for_an_unknown_text():
    assert "Đang thực hiện" in xl.CTCONG_MATINHTRANG("Xong")


@pytest.mark.parametrize(("completed", "as_of", "days"), [
    (None, D(2026, 7, 10), 10),
    (D(2026, 7, 5), D(2026, 9, 30), 5),
    (D(2026, 6, 1), D(2026, 9, 30), 0),
    (None, D(2026, 6, 30), 0),
])
def test_songayquahan_counts_days_past_the_deadline(completed, as_of, days):
    assert xl.CTCONG_SONGAYQUAHAN(D(2026, 6, 30), completed, as_of) == days


_UDF_PROBE = """
import asyncio, json, sys
import xlwings.server as server
import ctcong_xl.xl as xl
meta = sorted(f["name"] for f in server.custom_functions_meta(xl)["functions"])
call = {"func_name": "CTCONG_TINHTRANG", "args": [[[46203]], [[46193]], [[46295]], [[""]]],
        "caller_address": "Sheet1!A1", "formula_name": "CTCONG_TINHTRANG", "client": "Office.js",
        "version": "0", "runtime": "1.4"}
result = asyncio.run(server.custom_functions_call(call, xl))
print(json.dumps({"meta": meta, "result": result}, ensure_ascii=False))
"""


@remote
@pytest.mark.xlwings_remote
def test_udfs_register_and_run_in_xlwings_custom_function_runtime():
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "XLWINGS_ON_SERVER": "true",
           "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run([sys.executable, "-c", _UDF_PROBE], env=env, capture_output=True, text=True,
                         encoding="utf-8", timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["meta"] == ["CTCONG_KY", "CTCONG_MATINHTRANG", "CTCONG_SONGAYQUAHAN", "CTCONG_THOIHAN",
                           "CTCONG_TINHTRANG"]
    assert got["result"] == [["Hoàn thành đúng hạn"]]
