"""The master's programme sheet parsed while a command starts (io/prefetch.py) is used only when
the command reads that very file; a master replaced or damaged since is read, and said, as
without it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from ctcong_xl import __main__ as entry
from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import PROGRAMME_SHEET
from ctcong_xl.core.sheets import READ_AHEAD_SHEETS
from ctcong_xl.io import master as master_io
from ctcong_xl.io import prefetch
from ctcong_xl.io.master import MasterError, read_master
from test_master_write import _damage_sheet, _programme_part

ROWS = [
    {"noi_dung": "Đề án phát triển du lịch cộng đồng vùng đồng bào dân tộc thiểu số", "thoi_han": "Quý III/2026"},
    {"noi_dung": "Kế hoạch chuyển đổi số trong quản lý đất đai năm 2026", "thoi_han": dt.date(2026, 11, 30)},
]


@pytest.fixture(autouse=True)
def _nothing_left_over():
    prefetch.settle()
    yield
    prefetch.settle()


def _parsed(root: Path) -> prefetch._Parse:
    """The parse started for ``root``, once it has ended."""
    (parse,) = prefetch._started.values()
    parse.join()
    return parse


def test_the_sheets_parsed_ahead_hold_the_values_a_read_gives(office):
    office.send("annual", "STC", ROWS)
    ops.consolidate(office.ws)
    prefetch.start(office.root)
    parsed = prefetch.take(office.ws.master)
    wb = CalamineWorkbook.from_path(str(office.ws.master))
    assert set(parsed) == set(READ_AHEAD_SHEETS) == {PROGRAMME_SHEET, L.PRINT_SHEET}
    for name, values in parsed.items():
        assert values == wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    assert any(ROWS[0]["noi_dung"] in row for row in parsed[PROGRAMME_SHEET])
    assert any(ROWS[0]["noi_dung"] in row for row in parsed[L.PRINT_SHEET])
    assert prefetch.take(office.ws.master) is None  # taken once


def test_reading_the_master_takes_the_sheets_parsed_ahead(office, monkeypatch):
    office.send("annual", "STC", ROWS)
    ops.consolidate(office.ws)
    expected = read_master(office.ws.master)
    prefetch.start(office.root)
    _parsed(office.root)
    values = master_io._values

    def not_again(wb, name):
        assert name not in READ_AHEAD_SHEETS, f"{name} parsed a second time"
        return values(wb, name)

    monkeypatch.setattr(master_io, "_sheet_values", lambda path, name: not_again(None, name))
    monkeypatch.setattr(master_io, "_values", not_again)
    got = read_master(office.ws.master)
    assert got.items == expected.items and len(got.items) == 2
    assert got.programme_cells == expected.programme_cells
    assert got == expected


def test_a_master_written_after_the_parse_is_read_anew(office):
    office.send("annual", "STC", ROWS[:1])
    ops.consolidate(office.ws)
    prefetch.start(office.root)
    assert _parsed(office.root).values is not None  # the master with one item, parsed
    office.send("annual", "SYT", ROWS[1:])
    ops.consolidate(office.ws)  # (its own read took that parse; start another, then replace the file)
    prefetch.start(office.root)
    _parsed(office.root)
    office.send("annual", "SNV", [{"noi_dung": "Đề án sắp xếp đơn vị hành chính cấp xã", "thoi_han": "T10/2026"}])
    ops.consolidate(office.ws)  # the master replaced: another file than the one parsed
    contents = [i.noi_dung for i in read_master(office.ws.master).items]
    assert "Đề án sắp xếp đơn vị hành chính cấp xã" in contents and len(contents) == 3


def test_a_damaged_programme_parsed_ahead_is_said_as_without_it(office):
    office.send("annual", "STC", ROWS)
    master = office.ws.master
    _damage_sheet(master, _programme_part(master))
    prefetch.start(office.root)
    assert _parsed(office.root).values is None
    with pytest.raises(MasterError, match=f"Không đọc được sổ tổng hợp {master.name}"):
        read_master(master)


def test_a_folder_without_a_single_master_starts_no_parse(office, tmp_path):
    prefetch.start(tmp_path / "không có")
    prefetch.start(office.ws.folder("inbox"))
    (office.root / "Ban sao.xlsm").write_bytes(office.master_bytes())
    prefetch.start(office.root)  # two masters: the command says so, nothing is parsed
    assert not prefetch._started


def test_the_command_starts_the_parse_from_the_first_argument_that_is_not_an_option(office):
    entry._head_start(["--help"])
    entry._head_start(["summary", "--as-of", "2026-09-30"])  # (a date names no folder)
    assert not prefetch._started
    entry._head_start(["summary", "--as-of", "2026-09-30", str(office.root)])  # (the date first: no folder)
    assert not prefetch._started
    entry._head_start(["summary", str(office.root), "--as-of", "2026-09-30"])
    assert list(prefetch._started) == [str(office.ws.master.resolve())]


def test_the_guarded_workers_fork_only_once_a_parse_has_ended(office):
    from ctcong_xl.io.guard import run_guarded

    prefetch.start(office.root)
    (parse,) = prefetch._started.values()
    (outcome,) = run_guarded(len, ["Sở Tài chính"])
    assert outcome.value == 12
    assert not parse.is_alive() and not prefetch._started  # (what was not taken is dropped)
