"""Safe in a shared folder (issue 9): the master keeps its permissions across writes, backups
rotate, the workspace lock is not beside the master, and LibreOffice's lock file is honoured
like Excel's."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest

from ctcong_xl import ops
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.core.writeplan import plan_config
from ctcong_xl.io import master as master_io

from helpers import RUN_DAY, run_cli

REGISTRATION = [{"noi_dung": "Đề án phát triển kinh tế tập thể giai đoạn 2026–2030", "thoi_han": "Quý II/2026"}]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_master_keeps_the_shared_folders_permissions_after_a_run(office):
    os.chmod(office.ws.master, 0o664)
    office.send("annual", "STC", REGISTRATION)
    office.consolidate()
    assert office.items  # the run wrote the master
    assert stat.S_IMODE(office.ws.master.stat().st_mode) == 0o664


def test_only_the_configured_number_of_backups_is_kept(office):
    ds = office.dataset()
    master = office.ws.master
    plan = WritePlan()
    plan_config(plan, "backups_kept", 3)
    ops.write_master(office.ws, master, plan, ds.config)
    for day in range(1, 7):
        ops.summary(office.ws, as_of=dt.date(2026, 6, day), today=RUN_DAY)
    backups = sorted((office.root / master_io.BACKUP_DIR).iterdir())
    assert len(backups) == 3
    assert office.dataset().config.backups_kept == 3


def test_no_lock_file_is_left_beside_the_master(office):
    office.send("annual", "STC", REGISTRATION)
    office.consolidate()
    beside = {p.name for p in office.root.iterdir() if p.is_file()}
    assert beside == {office.ws.master.name}


def test_a_master_open_in_libreoffice_is_not_written(office):
    office.send("annual", "STC", REGISTRATION)
    before = office.master_bytes()
    master_io.libreoffice_lock_file(office.ws.master).write_text("1,chuyenvien,PC-VP,01.12.2026 08:00,file:///", "utf-8")
    code, _, err = run_cli("consolidate", office.root)
    assert code == 2
    assert "đang được mở trong LibreOffice" in err
    assert office.master_bytes() == before
    for command in (("summary", office.root, "--as-of", "2026-06-30"), ("validate", office.root)):
        assert run_cli(*command)[0] == 2
        assert office.master_bytes() == before
