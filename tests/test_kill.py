"""Nothing half-written (SECURITY.md): consolidations killed with SIGKILL at random moments —
while files are read, while the accepted files are copied to archive/, while the master is
written — leave the master either as it was or as the completed run writes it, every archive
entry matching the hash in its name, and the next run completes."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest

from ctcong_xl import ops
from ctcong_xl.io.guard import can_fork
from ctcong_xl.io.master import read_master
from helpers import RUN_DAY, Office, copy_workspace

KILLS = 100
SEED = 20261201
ROWS = {
    "STC": [{"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "thoi_han": "Quý II/2026"}],
    "SNV": [{"noi_dung": "Đề án vị trí việc làm trong cơ quan hành chính tỉnh", "thoi_han": "Quý III/2026"}],
    "STP": [{"noi_dung": "Báo cáo công tác theo dõi thi hành pháp luật năm 2026", "thoi_han": "Quý IV/2026"}],
}

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not can_fork(), reason="the kill test forks the run")]


def _slow_phases(marks: Path) -> None:
    """In the run about to be killed: say which phase it is in, and stretch the two phases the
    kills aim at (the copy into archive/ and the write of the master) so that kills land inside."""
    from ctcong_xl.io import files, master

    def mark(phase: str) -> None:
        with open(marks, "a") as fh:
            fh.write(phase + "\n")

    def copy_slowly(src, dst, length=0) -> None:
        mark("archive")
        while chunk := src.read(4096):
            dst.write(chunk)
            dst.flush()
            time.sleep(0.002)
        mark("after-archive")

    real_fsync = master.os.fsync

    def fsync_slowly(fd: int) -> None:
        mark("master")
        time.sleep(0.05)
        real_fsync(fd)

    files.shutil.copyfileobj = copy_slowly
    master.os.fsync = fsync_slowly


def _run(root: Path, marks: Path, kill_after: float | None) -> int:
    """Consolidate ``root`` in a forked process; SIGKILL it after ``kill_after`` seconds."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _slow_phases(marks)
            ops.consolidate(ops.open_workspace(root), today=RUN_DAY, who="chuyenvien")
        except BaseException:
            code = 1
        os._exit(code)
    if kill_after is not None:
        deadline = time.monotonic() + kill_after
        while time.monotonic() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return -1  # finished before the kill
            time.sleep(0.002)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _archive_matches(root: Path) -> list[str]:
    """Names of archive entries whose content does not match the hash in their name."""
    bad = []
    for p in (root / "archive").iterdir():
        if p.is_file() and not p.name.startswith("."):
            if hashlib.sha256(p.read_bytes()).hexdigest() != p.name.split(".")[0]:
                bad.append(p.name)
    return bad


def test_a_hundred_random_kills_leave_the_master_old_or_new_the_archive_true_and_the_next_run_completes(
        pristine, tmp_path):
    ready = Office(copy_workspace(pristine, tmp_path / "ready"))
    for agency, rows in ROWS.items():
        ready.send("annual", agency, rows)
    old = ready.master_bytes()
    # the run to completion, once: how long it takes and what "new" looks like
    done = copy_workspace(ready.root, tmp_path / "done")
    start = time.monotonic()
    assert _run(done.root, tmp_path / "marks-done", None) == 0
    duration = time.monotonic() - start
    new_items = sorted(i.ma_dau_viec for i in read_master(done.master).items)
    assert len(new_items) == len(ROWS)

    rng = random.Random(SEED)
    phases: dict[str, int] = {}
    n = 0
    while sum(v for k, v in phases.items() if k != "finished") < KILLS:
        n += 1
        ws = copy_workspace(ready.root, tmp_path / f"k{n}")
        marks = tmp_path / f"marks-{n}"
        marks.touch()
        outcome = _run(ws.root, marks, rng.uniform(0, duration))
        seen = marks.read_text().split()
        phase = "finished" if outcome != signal.SIGKILL else (seen[-1] if seen else "reading")
        phases[phase] = phases.get(phase, 0) + 1
        master = ws.master.read_bytes()
        if master != old:  # then it is the completed run's master, whole
            assert sorted(i.ma_dau_viec for i in read_master(ws.master).items) == new_items, phase
        assert _archive_matches(ws.root) == [], phase
        if n % 10 == 0:  # the next run completes and consolidates everything
            report = ops.consolidate(ws, today=RUN_DAY, who="chuyenvien")
            assert not report.has_errors
            assert sorted(i.ma_dau_viec for i in read_master(ws.master).items) == new_items
            assert _archive_matches(ws.root) == []
            assert [p.name for p in (ws.root / "archive").iterdir() if p.name.endswith(".tmp")] == []
        shutil.rmtree(ws.root)
    print(f"kills by phase: {phases}")  # for SECURITY.md
    assert phases.get("archive", 0) >= 5 and phases.get("master", 0) >= 5, phases
