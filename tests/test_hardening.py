"""One file never stops the batch (SECURITY.md): a file that crashes a reader, one openpyxl
cannot parse, a rejected file with a BEL in it, file names no disk accepts — each becomes a
Vietnamese finding on that file, and every other file is consolidated."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ctcong_xl.core import layout as L
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.io.guard import can_fork
from ctcong_xl.io.returned import LIST_SHEET, returned_name
from ctcong_xl.io.xlsxpatch import apply_plan
from hostile import many_rows, shared_string
from helpers import Office, by_file, codes, json_of, master_sheet, run_cli, set_cells

STC_ROWS = [{"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "thoi_han": "Quý II/2026"}]
SNV_ROWS = [{"noi_dung": "Đề án vị trí việc làm trong cơ quan hành chính", "thoi_han": dt.date(2026, 9, 30)}]


def set_config(office: Office, **values: Any) -> None:
    """The Office changes values on the configuration sheet of the master."""
    plan = WritePlan()
    for key, value in values.items():
        plan.add(L.CONFIG_SHEET, L.config_row(key), 2, [[value]])
    path = office.ws.master
    path.write_bytes(apply_plan(path.read_bytes(), plan))


def rewrite_part(path: Path, part: str, change) -> Path:
    """Rewrite one part of a package (as a hostile sender would), keeping the others."""
    src = path.read_bytes()
    tmp = path.with_name(path.name + ".src")
    tmp.write_bytes(src)
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, change(data) if info.filename == part else data)
    tmp.unlink()
    return path


def form_part(path: Path) -> str:
    return "xl/worksheets/sheet1.xml"  # the form is the first sheet of every template (XlsxWriter's order)


def claim_last_cell(data: bytes) -> bytes:
    """A cell at XFD1048576: python-calamine allocates the whole grid and aborts (SIGABRT)."""
    return data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
                                         b"</row></sheetData>")


needs_fork = pytest.mark.skipif(not can_fork(), reason="guarded workers need fork")


@needs_fork
def test_a_file_that_makes_the_reader_abort_for_memory_is_a_finding_and_the_others_are_consolidated(office):
    set_config(office, max_rows=1048576, max_columns=16384)  # let it reach python-calamine, which aborts
    office.send("annual", "STC", STC_ROWS)
    bomb = office.send("annual", "SXD", STC_ROWS, name="DangKy_SXD.xlsx")
    rewrite_part(bomb, form_part(bomb), claim_last_cell)
    office.send("annual", "SNV", SNV_ROWS)
    code, out, err = run_cli("consolidate", office.root, "--json")
    doc = json_of(out)
    assert code == 1
    files = {f["file"]: f for f in doc["files"]}
    assert files["annual_STC.xlsx"]["accepted"] and files["annual_SNV.xlsx"]["accepted"]
    assert not files["DangKy_SXD.xlsx"]["accepted"]
    assert [f["code"] for f in doc["findings"] if f["file"] == "DangKy_SXD.xlsx"] == ["file_memory_limit"]
    assert sorted(i.ma_don_vi for i in office.dataset().items) == ["SNV", "STC"]


@needs_fork
def test_a_reader_killed_by_a_signal_is_a_finding_naming_the_file(office, monkeypatch):
    import os

    from ctcong_xl.ops import intake

    real = intake.read_submission
    monkeypatch.setattr(intake, "read_submission",  # a native crash inside the reader, on one file
                        lambda path, *args: os.abort() if path.name == "DangKy_SXD.xlsx" else real(path, *args))
    office.send("annual", "STC", STC_ROWS)
    office.send("annual", "SXD", STC_ROWS, name="DangKy_SXD.xlsx")
    report = office.consolidate()
    crashed = by_file(report)["DangKy_SXD.xlsx"]
    assert codes(crashed.findings) == ["file_crashed"] and "SIGABRT" in crashed.findings[0].message
    assert crashed.findings[0].file == "DangKy_SXD.xlsx"
    assert by_file(report)["annual_STC.xlsx"].result.accepted


@needs_fork
def test_a_file_that_takes_longer_than_the_limit_is_a_finding(office):
    set_config(office, worker_seconds=1, max_rows=1048576)
    slow = office.send("annual", "STC", STC_ROWS)
    rewrite_part(slow, form_part(slow), many_rows(400_000))
    c = by_file(office.consolidate())["annual_STC.xlsx"]
    assert codes(c.findings) == ["file_time_limit"]


def test_files_over_the_number_one_run_reads_wait_in_the_inbox_for_the_next_run(office):
    set_config(office, max_files=2)
    for agency, rows in (("STC", STC_ROWS), ("SNV", SNV_ROWS), ("STP", STC_ROWS)):
        office.send("annual", agency, rows)
    first = office.consolidate()
    waiting = [c for c in first.files if c.deferred]
    assert [c.path.name for c in waiting] == ["annual_STP.xlsx"] and codes(waiting[0].findings) == ["file_count_limit"]
    assert not first.has_errors
    second = office.consolidate()
    assert by_file(second)["annual_STP.xlsx"].result.accepted
    assert sorted(i.ma_don_vi for i in office.dataset().items) == ["SNV", "STC", "STP"]


def test_a_sheet_claiming_the_last_cell_is_refused_before_any_reader_sees_it(office):
    bomb = office.send("annual", "STC", STC_ROWS)
    rewrite_part(bomb, form_part(bomb), claim_last_cell)
    c = by_file(office.consolidate())["annual_STC.xlsx"]
    assert codes(c.findings) == ["sheet_too_many_rows"]
    assert "1048576" in c.findings[0].message


def test_a_formula_in_a_file_openpyxl_cannot_parse_is_a_damaged_file_not_a_crash(office):
    path = office.send("annual", "STC", STC_ROWS, edit=set_cells({"D6": "=1+1"}))
    rewrite_part(path, "xl/styles.xml", lambda data: data.replace(b"<cellXfs", b"<cellXfs bogus='", 1))
    c = by_file(office.consolidate())["annual_STC.xlsx"]
    assert codes(c.findings) == ["file_damaged"]


def test_a_rejected_file_with_a_bell_character_still_gets_its_annotated_returned_copy(office):
    path = office.send("annual", "STC", [{"noi_dung": "Đề án chuyển đổi số", "loai": "CHUONG", "thoi_han": "Quý 5/2026"}])
    shared_string(b"CHUONG", "Đề _x0007_ án".encode())(path.read_bytes(), path)  # Excel's escape of a BEL
    c = by_file(office.consolidate())["annual_STC.xlsx"]
    assert sorted(codes(c.findings)) == ["quarter_invalid", "value_not_in_list"]
    assert [f.value for f in c.findings if f.code == "value_not_in_list"] == ["Đề \x07 án"]
    returned = office.root / "returned" / returned_name(path)
    listed = master_sheet(returned, LIST_SHEET)
    assert any(v == "Đề \ufffd án" for r in listed for v in r)  # shown, not written as a control character
    assert master_sheet(returned, "Đăng ký năm")  # the agency's own workbook, annotated


LONG_STEM = ("Đăng ký chương trình công tác năm 2026 của Sở Tài chính " * 5).encode()[:240].decode("utf-8", "ignore")


@pytest.mark.parametrize("name", ["DangKy\x07STC.xlsx", LONG_STEM + "_" * (245 - len(LONG_STEM.encode())) + ".xlsx"])
def test_file_names_no_disk_accepts_still_get_a_returned_copy(office, name):
    path = office.send("annual", "STC", [{"noi_dung": "Đề án chuyển đổi số", "thoi_han": "Quý 5/2026"}], name=name)
    assert len(path.name.encode()) >= 249 or "\x07" in path.name
    office.consolidate()
    (returned,) = (office.root / "returned").iterdir()
    assert returned.name == returned_name(path) and len(returned.name.encode()) < 249
    assert "\x07" not in returned.name


def test_item_codes_go_on_past_999_without_reusing_a_code(office):
    rows = [{"noi_dung": f"Việc số {n} của Sở Tài chính năm 2026", "thoi_han": "Quý IV/2026"} for n in range(1, 5)]
    office.send("annual", "STC", rows[:2], name="lan1.xlsx")
    office.consolidate()
    office.edit_master("2026-STC-002", "ma_dau_viec", "2026-STC-999")  # as if 999 items were registered
    office.send("annual", "STC", rows[:3], name="lan2.xlsx")
    office.consolidate()
    office.send("annual", "STC", rows, name="lan3.xlsx")
    office.consolidate()
    by_code = {i.ma_dau_viec: i.noi_dung for i in office.dataset().items}
    assert by_code["2026-STC-1000"] == rows[2]["noi_dung"]
    assert by_code["2026-STC-1001"] == rows[3]["noi_dung"]


def test_a_full_disk_is_exit_2_in_vietnamese_with_the_master_unchanged_and_no_truncated_backup(office):
    import os
    import resource
    import signal
    import subprocess
    import sys

    office.send("annual", "STC", STC_ROWS)
    before = office.master_bytes()
    limit = len(before) // 2  # room for the agency's file, not for a copy of the master

    def small_disk() -> None:  # writing past the limit fails with EFBIG, as a full disk fails with ENOSPC
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run([sys.executable, "-m", "ctcong_xl.cli", "consolidate", str(office.root)],
                          capture_output=True, text=True, preexec_fn=small_disk, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.returncode == 2, proc.stderr
    assert "Sổ tổng hợp chưa bị thay đổi" in proc.stderr and "Traceback" not in proc.stderr
    assert office.master_bytes() == before
    leftovers = [p for p in office.root.rglob("*") if p.is_file() and (p.name.endswith(".tmp") or "backups" in str(p))]
    assert leftovers == []


def test_what_the_inbox_holds_that_is_not_read_is_reported_and_not_logged(office):
    office.send("annual", "STC", STC_ROWS)
    (office.inbox / "Thư tháng 6").mkdir()
    (office.inbox / "~$annual_STC.xlsx").write_bytes(b"\x00" * 165)  # Excel's lock file of an open book
    (office.inbox / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    report = office.consolidate()
    skipped = {f.file: f for f in report.findings if f.code == "inbox_skipped"}
    assert set(skipped) == {"Thư tháng 6", "~$annual_STC.xlsx", ".DS_Store"}
    assert all(f.severity == "warning" for f in skipped.values()) and "thư mục" in skipped["Thư tháng 6"].message
    assert not report.has_errors and by_file(report)["annual_STC.xlsx"].result.accepted
    logged = [str(v) for r in office.sheet(L.VALIDATION_LOG_SHEET) for v in r]
    assert not any("~$annual_STC.xlsx" in v or ".DS_Store" in v for v in logged)
