"""The inspection's shortcuts refuse what the full scan refuses (SECURITY.md): a part met again
is not scanned again only when its bytes are the bytes already scanned (never on its name, size
or CRC alone; not inflated again when its deflated bytes, CRC and size are those already
scanned), a file read twice gives the same warnings twice, a worksheet proved plain teaches
what the tag-by-tag scan teaches, and a damaged part the scan does not read still makes the
file damaged."""

from __future__ import annotations

import re
import shutil
import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font

from ctcong_xl.core.forms import column_letter
from ctcong_xl.core.models import FileLimits
from ctcong_xl.io import inspect
from ctcong_xl.io.incoming import read_submission
from ctcong_xl.io.xlsxpatch import sheet_parts
from helpers import FIRST_ROW, Office, cell, codes, copy_workspace
from hostile import FORM_PART, add_parts, flip_in_member, parts_of

ROWS = [{"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "thoi_han": "Quý II/2026"},
        {"noi_dung": "Báo cáo tình hình thu, chi ngân sách nhà nước", "thoi_han": "Hằng quý", "dinh_ky": "Hằng quý"}]
LIST_SHEET = "Danh mục"  # the list sheet every template of a round shares, byte for byte


def forged(original: bytes, hostile: bytes) -> bytes:
    """``hostile`` padded (inside a comment) to the length of ``original``, four bytes of the
    padding chosen so that its CRC-32 is ``original``'s: the zip directory cannot tell them apart."""
    pad = len(original) - len(hostile) - len(b"<!---->") - 4
    body = hostile + b"<!--" + b" " * pad
    tail = b"-->"
    target = zlib.crc32(original)
    base = zlib.crc32(body + b"\0\0\0\0" + tail)
    # CRC-32 is affine in the four bytes: what each of their 32 bits flips, then x with flips(x) = target ^ base (GF(2))
    rows = [(zlib.crc32(body + (1 << bit).to_bytes(4, "little") + tail) ^ base, 1 << bit) for bit in range(32)]
    want, pick = target ^ base, 0
    for bit in range(32):
        pivot = next((r for r in rows if r[0] >> bit & 1), None)
        if pivot is None:
            continue
        rows.remove(pivot)
        rows = [(r[0] ^ pivot[0], r[1] ^ pivot[1]) if r[0] >> bit & 1 else r for r in rows]
        if want >> bit & 1:
            want, pick = want ^ pivot[0], pick ^ pivot[1]
    out = body + pick.to_bytes(4, "little") + tail
    assert len(out) == len(original) and zlib.crc32(out) == target
    return out


def test_a_list_sheet_forged_to_the_size_and_crc_of_the_shared_one_is_still_refused(office: Office, tmp_path: Path):
    good = office.fill("annual", "STC", ROWS, tmp_path / "DangKy_STC.xlsx")
    sub, findings = read_submission(good)  # the list sheet scanned once, kept
    assert sub is not None and not any(f.is_error for f in findings)
    with zipfile.ZipFile(good) as zf:
        part = sheet_parts(zf)[LIST_SHEET]
        original = zf.read(part)
    head = original[:original.index(b"<sheetData>") + len(b"<sheetData>")]
    claim = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    hostile = forged(original, head + claim)
    sent = tmp_path / "DangKy_STC_2.xlsx"
    parts = parts_of(good.read_bytes())
    with zipfile.ZipFile(sent, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            zout.writestr(info, hostile if info.filename == part else data)
    with zipfile.ZipFile(sent) as zf:  # the directory says: the same part as before
        assert (zf.getinfo(part).CRC, zf.getinfo(part).file_size) == (zlib.crc32(original), len(original))

    sub, findings = read_submission(sent)

    assert sub is None and codes(findings) == ["sheet_too_many_rows"]
    assert findings[0].sheet == LIST_SHEET and "1048576" in findings[0].message


def test_a_part_deflated_alike_to_one_scanned_is_neither_inflated_nor_scanned_again(office: Office, tmp_path: Path,
                                                                                      monkeypatch):
    first = office.fill("annual", "STC", ROWS, tmp_path / "DangKy_STC.xlsx")
    second = office.fill("annual", "SYT", ROWS[:1], tmp_path / "DangKy_SYT.xlsx")
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        part = sheet_parts(a)[LIST_SHEET]
        assert _deflated(first, a.getinfo(part)) == _deflated(second, b.getinfo(part))  # (one template, one list)
    limits = FileLimits()
    assert inspect.inspect_package(first, limits)[0] is None
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda zf, name, *a, **k: (
        opened.append(getattr(name, "filename", name)), real_open(zf, name, *a, **k))[1])

    problem, facts = inspect.inspect_package(second, limits)

    assert problem is None and part not in opened and FORM_PART in opened
    assert part in facts.read_whole and facts.sheets[LIST_SHEET].rows > 1


def test_a_part_deflated_alike_whose_crc_the_directory_misstates_makes_the_file_damaged(office: Office, tmp_path: Path):
    good = office.fill("annual", "STC", ROWS, tmp_path / "DangKy_STC.xlsx")
    assert inspect.inspect_package(good, FileLimits())[0] is None  # its list sheet scanned, kept
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo(sheet_parts(zf)[LIST_SHEET])
    data = bytearray(good.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the central directory's first entry, then the list sheet's
    while data[entry + 46:entry + 46 + len(info.filename)] != info.filename.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 16:entry + 20] = (info.CRC ^ 1).to_bytes(4, "little")  # the same deflated bytes, another CRC
    sent = tmp_path / "DangKy_STC_2.xlsx"
    sent.write_bytes(bytes(data))

    problem, _ = inspect.inspect_package(sent, FileLimits())

    assert problem is not None and problem.code == "file_damaged"


def _deflated(path: Path, info: zipfile.ZipInfo) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return inspect._deflated_bytes(zf, info)


def _hide_row_and_whiten(wb, ws) -> None:
    ws.row_dimensions[FIRST_ROW].hidden = True
    ws[cell("annual", "noi_dung", 2)] = "Việc không ai nhìn thấy"
    ws[cell("annual", "noi_dung", 2)].font = Font(color="FFFFFF")
    ws[cell("annual", "thoi_han", 2)] = "Quý III/2026"


def test_a_file_read_twice_shows_its_hidden_row_and_white_text_both_times(office: Office, tmp_path: Path):
    first = office.fill("annual", "STC", ROWS[:1], tmp_path / "DangKy_STC.xlsx", edit=_hide_row_and_whiten)
    again = shutil.copy(first, tmp_path / "DangKy_STC (1).xlsx")  # the same bytes, sent twice

    seen = [read_submission(Path(p))[1] for p in (first, again)]

    for findings in seen:
        assert sorted(codes(findings)) == ["rows_hidden", "text_hidden"]
        assert {f.code: f.cell for f in findings} == {"rows_hidden": f"A{FIRST_ROW}",
                                                       "text_hidden": cell("annual", "noi_dung", 2)}


def test_a_damaged_picture_the_scan_never_reads_still_makes_the_file_damaged(office: Office, tmp_path: Path):
    good = office.fill("annual", "STC", ROWS, tmp_path / "DangKy_STC.xlsx")
    with_picture = tmp_path / "picture.xlsx"
    add_parts({"xl/media/image1.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64})(good.read_bytes(), with_picture)
    damaged = tmp_path / "DangKy_STC_hong.xlsx"
    flip_in_member("xl/media/image1.png")(with_picture.read_bytes(), damaged)

    sub, findings = read_submission(damaged)

    assert sub is None and codes(findings) == ["file_damaged"]


# ---- the plain-worksheet proof --------------------------------------------------------------------------
TOKENS = [b"<", b">", b"/", b" ", b"\t", b'"', b'r="', b'r="ZZZ9"', b"A", b"Z", b"AA", b"AAAA", b"0", b"9", b"20001",
          b"99999999", b' hidden="1"', b' hidden="true"', b"<row", b'<row r="7">', b"<row>", b"<c", b"<c>", b'<c r="B7"/>',
          b'<c r="IV65536"/>', b"<x:c", b'<x:row r="9">', b"<x:dimension", b' s="3"', b' t="n"', b' cm="1"', b"<!--", b"-->",
          b"<![CDATA[", b"]]>", b'<dimension ref="A1:C3"/>', b'<dimension ref="B2"/>', b' spans="1:3"', b"\n", b"<rowBreaks>",
          b"<col/>", b'<c r="A1" r="XFD2"/>', b'<c s="3" r="A1"/>',
          b's="3"r="D99999"', b'<c s="3" r="XFD99"/>', b'<c t="n" r="B30000"><v>1</v></c>']
ATTRIBUTES = [b' hidden="1"', b' hidden="true"', b' hidden="0"', b' r="XFD3"', b' r="A30000"', b' s="3"', b' s="16"',
              b' x:r="C9"', b' cm="1"', b' t="n"', b' ht="2>3"', b' spans="1:3"', b" r='A99999'", b'r="B2"']


def mutated(data: st.DataObject, sheets: list[bytes]) -> bytes:
    """One of ``sheets`` with a few tokens put in or bytes taken out, where hypothesis chooses."""
    out = bytearray(data.draw(st.sampled_from(sheets)))
    for _ in range(data.draw(st.integers(0, 5))):
        how = data.draw(st.sampled_from(["anywhere", "in a tag", "cut"]))
        if how == "in a tag":  # an attribute more, at the end of a row's or a cell's tag
            ends = [m.start(1) for m in re.finditer(rb"<(?:row|c)\b[^>]*?(/?>)", out)]
            at = ends[data.draw(st.integers(0, len(ends) - 1))] if ends else 0
            out[at:at] = data.draw(st.sampled_from(ATTRIBUTES))
        elif how == "cut":
            at = data.draw(st.integers(0, len(out)))
            del out[at:at + data.draw(st.integers(1, 40))]
        else:
            at = data.draw(st.integers(0, len(out)))
            out[at:at] = data.draw(st.sampled_from(TOKENS))
    return bytes(out)


@pytest.fixture(scope="module")
def sheets(pristine, tmp_path_factory) -> list[bytes]:
    """The worksheets of a filled registration, and each cut after its first row (where a
    mutation lands on a row or a cell more often)."""
    office = Office(copy_workspace(pristine, tmp_path_factory.mktemp("plain") / "ws"))
    path = office.fill("annual", "STC", ROWS, office.root / "DangKy_STC.xlsx")
    with zipfile.ZipFile(path) as zf:
        whole = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    return whole + [s[:s.index(b"</row>", s.index(b"<sheetData>")) + 6] + b"</sheetData>" for s in whole
                    if b"</row>" in s]


@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data(), st.sampled_from([frozenset(), frozenset({b"3", b"16"})]))
def test_a_worksheet_proved_plain_teaches_what_the_tag_by_tag_scan_teaches(sheets, data, invisible):
    chunk = mutated(data, sheets)
    quick, full = inspect.SheetFacts(part=FORM_PART), inspect.SheetFacts(part=FORM_PART)

    assert (inspect._sheet_facts(chunk, quick, invisible, 3), quick) == (inspect._tag_facts(chunk, full, invisible, 3), full)


TRICKY = [  # each differs from a plain sheet in one way the proof must see
    b'<row r="5" hidden="1"><c r="A5" s="3"/></row>',
    b'<row r="5" hidden="false" hidden="1"><c r="A5"/></row>',
    b'<row r="5" customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0"><c r="A5"/></row>',
    b'<row r="5" x="<row r=\'900\'>"><c r="A5"/></row>',
    b'<row r="5" x="<row r="900">"><c r="A5"/></row>',
    b'<row r="5"><c r="A5" x="<c r="ZZ99999">"/></row>',
    b'<row r="5"><c s="3" r="XFD99"/></row>',
    b'<row r="5"><c r="A5" r="XFD99"/></row>',
    b'<row r="5"><c r="A5" s="3" r="A99999"/></row>',
    b'<row r="5"><c r="A5" x:r="C99999"/></row>',
    b'<row r="5"><x:c r="GS5"/></row>',
    b'<x:row r="30000"><c r="A5"/></x:row>',
    b'<x:dimension ref="A1:ZZ99999"/><row r="5"><c r="A5"/></row>',
    b'<row r="5"><c\tr="XFD5"/></row>',
    b'<row r="5"><c r="A0005"/><c r="B5" s="16"/></row>',
    b'<row r="05"/><row/><row r="x"/>',
    b'<!-- <row r="99999"> --><row r="5"/>',
    b'<row r="5"><c r="AAAA5"/><c r="A5" t="s" s="3"/></row>',
]


@pytest.mark.parametrize("rows", TRICKY)
def test_a_worksheet_with_one_unusual_tag_teaches_what_the_tag_by_tag_scan_teaches(rows: bytes):
    chunk = b'<worksheet><dimension ref="A1:L9"/><sheetData>' + rows + b"</sheetData></worksheet>"
    for invisible in (frozenset(), frozenset({b"3"})):
        quick, full = inspect.SheetFacts(part=FORM_PART), inspect.SheetFacts(part=FORM_PART)

        assert (inspect._sheet_facts(chunk, quick, invisible, 3), quick) == (inspect._tag_facts(chunk, full, invisible, 3), full)


@given(st.integers(0, 2_000_000), st.integers(0, 2_000_000))
def test_the_pattern_of_numbers_not_above_a_limit_takes_exactly_those(limit: int, number: int):
    pattern = re.compile(inspect._not_above(str(limit).encode() if limit else b"", b"1-9", b"0-9"))

    assert bool(pattern.fullmatch(str(number).encode())) == (1 <= number <= limit)


@given(st.integers(0, 18278), st.integers(1, 18278))
def test_the_pattern_of_columns_not_above_a_limit_takes_exactly_those(limit: int, column: int):
    pattern = re.compile(inspect._not_above(column_letter(limit).encode(), b"A-Z", b"A-Z"))

    assert bool(pattern.fullmatch(column_letter(column).encode())) == (column <= limit)


def test_the_parts_a_worker_keeps_stay_within_their_budget_the_latest_first(monkeypatch):
    monkeypatch.setattr(inspect, "_SEEN", OrderedDict())
    monkeypatch.setattr(inspect, "_seen_total", 0)
    list_sheet = 297 * 1024  # the list sheet of a template listing 3,000 agencies
    for n in range(60):
        inspect._keep((f"xl/worksheets/sheet{n}.xml", True), bytes(list_sheet), inspect._Scanned())
    kept = [len(data) for data, _ in inspect._SEEN.values()]
    assert sum(kept) == inspect._seen_total <= inspect._SEEN_BUDGET
    assert list_sheet <= inspect._SEEN_BYTES and ("xl/worksheets/sheet59.xml", True) in inspect._SEEN
    assert ("xl/worksheets/sheet0.xml", True) not in inspect._SEEN
