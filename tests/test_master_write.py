"""The master is written atomically: a process killed during the write, a master open in Excel,
or a run that fails leaves it byte for byte as it was; the next run completes."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import PROGRAMME_SHEET
from ctcong_xl import ops
from ctcong_xl.io.master import HOOK_ENV, MasterError
from helpers import run_cli

ROWS = [
    {"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "thoi_han": "Quý II/2026"},
    {"noi_dung": "Quyết định quy định giá đất điều chỉnh năm 2026", "thoi_han": dt.date(2026, 9, 30)},
]
HOOK_TIMEOUT = 60  # seconds for the subprocess to reach the hook (imports, reading, validating)


def consolidate_in_subprocess(root: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ctcong_xl.cli", "consolidate", str(root), "--json"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def wait_for(path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + HOOK_TIMEOUT
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"the run ended before the hook: {proc.communicate()[1].decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the run never reached the hook before os.replace")
        time.sleep(0.05)


def test_a_run_killed_during_the_master_write_leaves_it_intact_and_the_next_run_completes(office, tmp_path):
    office.send("annual", "STC", ROWS)
    before = office.master_bytes()
    marker = tmp_path / "hook-reached"
    proc = consolidate_in_subprocess(office.root, {HOOK_ENV: str(marker)})
    try:
        wait_for(marker, proc)
        proc.send_signal(signal.SIGKILL)  # the plug is pulled just before the new file replaces the master
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert office.master_bytes() == before

    code, out, _ = run_cli("consolidate", office.root, "--json")
    assert code == 0
    assert sorted(office.items()) == ["2026-STC-001", "2026-STC-002"]


def test_the_hook_is_inert_without_its_variable(office):
    """Guard for the test above: a normal subprocess run writes the master and exits 0."""
    office.send("annual", "STC", ROWS)
    before = office.master_bytes()
    env = {k: v for k, v in os.environ.items() if k != HOOK_ENV}
    proc = subprocess.run([sys.executable, "-m", "ctcong_xl.cli", "consolidate", str(office.root), "--json"],
                          env=env, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert office.master_bytes() != before


@pytest.mark.parametrize("command", ["consolidate", "validate"])
def test_a_master_open_in_excel_makes_the_batch_run_refuse(office, command):
    office.send("annual", "STC", ROWS)
    master = office.ws.master
    owner = master.with_name("~$" + master.name)
    owner.write_bytes(b"\x0bchuyenvien" + b" " * 40)  # what Excel leaves beside a book it has open
    before = master.read_bytes()
    code, out, err = run_cli(command, office.root, "--json")
    assert code == 2 and out == ""
    assert "đang được mở trong Excel" in " ".join(err.split())
    assert master.read_bytes() == before
    key = office.root / ops.KEY_FILE  # the workspace's template key lives there from init
    assert [p for p in office.ws.folder("archive").iterdir() if p != key] == []  # nothing archived


def test_a_run_waiting_for_another_runs_lock_gives_up_with_exit_code_2(office, monkeypatch):
    from ctcong_xl.io import master as master_io

    office.send("annual", "STC", ROWS)
    master = office.ws.master
    before = master.read_bytes()
    monkeypatch.setattr(master_io, "LOCK_TIMEOUT", 0.2)
    with master_io.lock_for(master):  # another run (or a button in Excel) is writing
        code, out, err = run_cli("consolidate", office.root, "--json")
    assert code == 2 and out == ""
    assert "Một lệnh khác đang ghi sổ tổng hợp" in " ".join(err.split())
    assert master.read_bytes() == before


def _rename_sheet(master: Path, old: str, new: str) -> None:
    """The Office renamed a sheet of the master by hand (package level, nothing else touched)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(master) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
            zout.writestr(info, data)
    master.write_bytes(buf.getvalue())


def test_a_run_that_fails_because_the_programme_sheet_is_missing_leaves_the_master_unchanged(office):
    office.send("annual", "STC", ROWS)
    _rename_sheet(office.ws.master, PROGRAMME_SHEET, "CT năm 2026")
    before = office.master_bytes()
    code, out, err = run_cli("consolidate", office.root, "--json")
    assert code == 2 and out == ""
    assert PROGRAMME_SHEET in " ".join(err.split())
    assert office.master_bytes() == before


def test_a_damaged_programme_sheet_is_said_in_vietnamese_and_leaves_the_master_unchanged(office):
    # (the programme sheet is parsed beside the other sheets: its error still reaches the run)
    office.send("annual", "STC", ROWS)
    master = office.ws.master
    _damage_sheet(master, _programme_part(master))
    before = office.master_bytes()
    code, out, err = run_cli("consolidate", office.root, "--json")
    assert code == 2 and out == ""
    assert f"Không đọc được sổ tổng hợp {master.name}" in " ".join(err.split())
    assert office.master_bytes() == before


def _programme_part(master: Path) -> str:
    from ctcong_xl.io.xlsxpatch import sheet_parts

    with zipfile.ZipFile(master) as zf:
        return sheet_parts(zf)[PROGRAMME_SHEET]


def _damage_sheet(master: Path, part: str) -> None:
    """The programme sheet's XML cut off in the middle of its rows (a copy broken in transit)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(master) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data[: data.find(b"<row ", data.find(b"<sheetData")) + 20] if info.filename == part else data)
    master.write_bytes(buf.getvalue())


def test_a_write_that_fails_on_a_renamed_log_sheet_leaves_the_master_unchanged(office):
    office.send("annual", "STC", [{"noi_dung": "Đề án chuyển đổi số", "thoi_han": "31/02/2026"}])
    _rename_sheet(office.ws.master, L.VALIDATION_LOG_SHEET, "Nhật ký")
    before = office.master_bytes()
    code, out, err = run_cli("consolidate", office.root, "--json")
    assert code == 2 and out == ""
    assert "Không ghi được sổ tổng hợp" in " ".join(err.split())
    assert office.master_bytes() == before
    assert not (office.root / "archive" / "master-backups").exists()
    with pytest.raises(MasterError, match=f"thiếu trang “{L.VALIDATION_LOG_SHEET}”.*chưa bị thay đổi"):
        ops.consolidate(office.ws)  # the whole message (the CLI shows it in a panel)
    assert office.master_bytes() == before
