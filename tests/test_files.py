"""Files written whole or not at all (io/files.py): the archive of a round is durable together."""

from __future__ import annotations

import os

import pytest

from ctcong_xl.io.files import atomic_copies, remove_stale_temporaries


def _sent(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(1_760_000_000_000_000_000, 1_760_000_000_000_000_000))  # received 09/10/2025
    return path


def test_every_copy_of_a_round_has_its_source_content_and_received_time(tmp_path):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir(), archive.mkdir()
    sources = [_sent(inbox, f"DangKy_{code}.xlsx", f"Đăng ký của {code}") for code in ("STC", "SNV", "STP")]
    copies = atomic_copies([(src, archive / f"{src.stem}.xlsx") for src in sources])
    assert [p.read_text(encoding="utf-8") for p in copies] == ["Đăng ký của STC", "Đăng ký của SNV", "Đăng ký của STP"]
    assert {p.stat().st_mtime_ns for p in copies} == {1_760_000_000_000_000_000}
    assert sorted(p.name for p in archive.iterdir()) == ["DangKy_SNV.xlsx", "DangKy_STC.xlsx", "DangKy_STP.xlsx"]


def test_a_round_whose_copy_fails_leaves_no_copy_and_no_temporary(tmp_path):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir(), archive.mkdir()
    kept = _sent(archive, "DangKy_STC.xlsx", "bản đã lưu trước")
    good = _sent(inbox, "DangKy_STC.xlsx", "bản mới")
    with pytest.raises(FileNotFoundError):
        atomic_copies([(good, archive / "DangKy_STC.xlsx"), (inbox / "DangKy_SNV.xlsx", archive / "DangKy_SNV.xlsx")])
    assert [p.name for p in archive.iterdir()] == ["DangKy_STC.xlsx"]  # no temporary left behind
    assert kept.read_text(encoding="utf-8") == "bản đã lưu trước"  # not replaced: the round failed before any rename
    assert remove_stale_temporaries(archive) == []
