"""The hostile corpus (SECURITY.md): more than 200 generated files — bombs, entity attacks in
every XML part, broken zips, active content, sheets that claim a million rows, files that are
not workbooks, odd names, hidden rows and sheets — dropped in one inbox with three valid
registrations. One run: exit 1, one JSON document, a finding on every hostile file, the valid
files consolidated, the memory of the run bounded."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from openpyxl.styles import Font

from ctcong_xl.io.templates import HEADER_ROW
from helpers import FIRST_ROW, Office, cell, encrypt, letter, set_cells
from hostile import FORM_PART, corpus_kinds, shared_string

PEAK_MB = 500  # the memory one run may take at its peak (the run and each worker)
VALID = {
    "STC": [{"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "thoi_han": "Quý II/2026"}],
    "SNV": [{"noi_dung": "Đề án vị trí việc làm trong cơ quan hành chính tỉnh", "thoi_han": "Quý III/2026"}],
    "STP": [{"noi_dung": "Báo cáo công tác theo dõi thi hành pháp luật năm 2026", "thoi_han": "Quý IV/2026"}],
}
FAULTY = [{"noi_dung": "Đề án phát triển hạ tầng số", "thoi_han": "Quý 5/2026"}]  # a quarter that does not exist
ODD_NAMES = [
    "DangKy\x07STC.xlsx", "DangKy\x1b[2J\x1b[32mnhận\x1b[0m.xlsx", "DangKy\rSTC.xlsx", "DangKy\nSTC.xlsx",
    "\u202exslx.exe.xlsx", "-rf.xlsx", "--json.xlsx", "   .xlsx", "CON.xlsx", "a;rm -rf ~.xlsx", "$(reboot).xlsx",
    "`id`.xlsx", "'\"quoted\".xlsx", "%s%n%x.xlsx", "[red]nhận[red].xlsx", "=HYPERLINK(\"x\").xlsx",
    "Đăng ký năm.xlsx", unicodedata.normalize("NFD", "Đăng ký năm (gõ tổ hợp).xlsx"), "📊 đăng ký.xlsx",
    "DangKy_STC.XLSX", "dang ky (1).xlsx", "DangKy\t\tSTC.xlsx", "\u200bDangKy.xlsx", "DangKy\u00a0STC.xlsx",
    "ｗｉｄｅ.xlsx", "DangKy..xlsx", "x" * 120 + ".xlsx",
    ("Đăng ký chương trình công tác năm 2026 của Sở Tài chính " * 5).encode()[:240].decode("utf-8", "ignore") + ".xlsx",
]


def _hide_row(wb, ws) -> None:
    ws.row_dimensions[FIRST_ROW].hidden = True


def _white_text(wb, ws) -> None:
    ws[cell("annual", "noi_dung", 1)] = "Việc không ai nhìn thấy"
    ws[cell("annual", "noi_dung", 1)].font = Font(color="FFFFFF")
    ws[cell("annual", "thoi_han", 1)] = "Quý III/2026"


def _decoy(wb, ws) -> None:
    decoy = wb.copy_worksheet(ws)
    decoy.title = "Đăng ký (bản xem)"
    decoy[cell("annual", "noi_dung", 0)] = "Việc vô hại hiện trên màn hình"
    ws.sheet_state = "hidden"
    wb.active = wb.index(decoy)


def _merged_header(wb, ws) -> None:
    """The first two headers merged into one cell: the second header's text is gone."""
    ws.merge_cells(f"{letter('annual', 'stt')}{HEADER_ROW}:{letter('annual', 'noi_dung')}{HEADER_ROW}")


def office_made(o: Office, d: Path, scratch: Path) -> list[tuple[Path, str, bool]]:
    """Hostile files that need the agency's template: (path, expected code, accepted)."""
    out: list[tuple[Path, str, bool]] = []
    plain = o.fill("annual", "SXD", FAULTY, scratch / "plain.xlsx")
    for n, password in enumerate(("MatKhau@2026", "123456", "Sở Tài chính", "x" * 200)):
        out.append((encrypt(plain, d / f"encrypted-{n}.xlsx", password), "file_encrypted", False))
    for name in ODD_NAMES:
        out.append((o.fill("annual", "SXD", FAULTY, d / name), "quarter_invalid", False))
    out.append((o.fill("annual", "SCT", VALID["STC"], d / "hidden-row.xlsx", edit=_hide_row), "rows_hidden", True))
    out.append((o.fill("annual", "SYT", VALID["STP"], d / "white-text.xlsx", edit=_white_text), "text_hidden", True))
    out.append((o.fill("annual", "SGDDT", VALID["SNV"], d / "decoy.xlsx", edit=_decoy), "form_sheet_hidden", True))
    out.append((o.fill("annual", "SXD", FAULTY, d / "merged-header.xlsx", edit=_merged_header), "header_missing", False))
    long = o.fill("annual", "SXD", [{"noi_dung": "Đề án DAI", "thoi_han": "Quý II/2026"}], d / "cell-1mb.xlsx")
    _rewrite(long, FORM_PART, lambda x: x.replace(b"DAI", "rất dài ".encode() * 140_000))
    out.append((long, "cell_too_long", False))
    bad = o.fill("annual", "SXD", FAULTY, d / "formula-bad-styles.xlsx", edit=set_cells({"D6": "=1+1"}))
    _rewrite(bad, "xl/styles.xml", lambda x: x.replace(b"<cellXfs", b"<cellXfs bogus='", 1))
    out.append((bad, "file_damaged", False))
    bell = o.fill("annual", "SXD", [{"noi_dung": "Đề án CHUONG", "thoi_han": "Quý 5/2026"}], d / "bell.xlsx")
    shared_string(b"CHUONG", b"_x0007_\x1b[2J")(bell.read_bytes(), bell)
    out.append((bell, "quarter_invalid", False))
    return out


def _rewrite(path: Path, part: str, change) -> None:
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info, change(body) if info.filename == part else body)


def run_measured(root: Path) -> tuple[int, str, str, int]:
    """The real CLI in a subprocess; (exit code, stdout, stderr, peak resident MB of the run
    and of any of its workers). Linux only (/proc)."""
    probe = (
        "import resource, runpy, sys\n"
        "sys.argv = ['ctcong-xl', 'consolidate', sys.argv[1], '--json']\n"
        "try:\n    runpy.run_module('ctcong_xl.cli', run_name='__main__')\n"
        "finally:\n"
        # VmHWM, not RUSAGE_SELF: the latter counts the test process this one was forked from
        "    hwm = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])\n"
        "    peak = max(hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "    print(peak // 1024, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    *lines, peak = proc.stderr.strip().splitlines()
    return proc.returncode, proc.stdout, "\n".join(lines), int(peak)


@pytest.mark.slow
def test_one_run_over_the_hostile_corpus_reports_every_file_and_consolidates_the_valid_ones(office, tmp_path):
    made = tmp_path / "made"
    made.mkdir()
    base = office.fill("annual", "SXD", FAULTY, made / "base.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        parts = [i.filename for i in zf.infolist()]
    expected: dict[str, tuple[str, bool]] = {}
    for h in corpus_kinds(parts, [p for p in parts if p.endswith((".xml", ".rels"))]):
        h.make(base, office.inbox / h.name)
        expected[h.name] = (h.code, h.accepted)
    for path, code, accepted in office_made(office, office.inbox, made):
        expected[path.name] = (code, accepted)
    for agency, rows in VALID.items():
        expected[office.send("annual", agency, rows).name] = ("", True)
    assert len(expected) - len(VALID) >= 200

    start = time.monotonic()
    code, out, err, peak_mb = run_measured(office.root)
    print(f"hostile corpus: {len(expected)} files, {time.monotonic() - start:.1f} s, peak {peak_mb} MB")  # SECURITY.md

    assert code == 1, err
    doc = json.loads(out)  # one JSON document, nothing else on stdout
    files = {f["file"]: f for f in doc["files"]}
    assert set(files) == set(expected)
    findings: dict[str, list[str]] = {}
    for f in doc["findings"]:
        findings.setdefault(f["file"], []).append(f["code"])
    for name, (want, accepted) in expected.items():
        assert files[name]["accepted"] is accepted, (name, findings.get(name))
        if want:
            assert want in findings.get(name, []), (name, findings.get(name))
    consolidated = {f["agency"] for f in doc["files"] if f["accepted"]}
    assert consolidated >= set(VALID)
    assert peak_mb <= PEAK_MB, peak_mb
