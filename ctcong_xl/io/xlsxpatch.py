"""Apply a write plan to an .xlsx/.xlsm package at the XML level.

Loading a workbook with openpyxl and saving it again drops form controls, VBA, comments'
shapes, charts it does not understand and more. This door instead rewrites only the
``<c>`` elements of the cells named by the plan, inside the worksheet parts named by the plan.
Every other part of the package (VBA project, drawings, charts, styles, shared strings, sheets
a clerk added, defined names) is copied byte for byte. A written row whose wrapped text needs
more than one line gets a height (``ht``) that fits it — LibreOffice does not fit row heights
when it opens a file, so without it long texts overlap — unless its height was set by hand
(``customHeight``), which is kept. Before any cell is written, the cells Excel ties together
(shared-formula groups, array formulas, rich values) that meet a written rectangle are released
into plain cells by :func:`ctcong_xl.io.sheetxml.release_cells` — the one pre-pass, run once per
sheet in :func:`patch_sheet_xml`. Two parts change besides the planned
sheets: ``xl/workbook.xml`` gets ``fullCalcOnLoad`` so Excel recalculates on open and the
defined names the plan's formulas use that it lacks (:func:`ensure_defined_names`), and Excel's
calculation chain (``xl/calcChain.xml``, a cache Excel rebuilds) is dropped because it may
name cells whose formulas the plan replaced. A chart whose series read cells the plan writes
gets its cached points from the values written (:mod:`.chartcache`), so that a reader that does
not recalculate draws what the cells show. Rows the plan inserts (:class:`~ctcong_xl.core.plan.RowInsert`)
are inserted first, as Excel's Insert Sheet Rows does (:mod:`.rowinsert`): the parts that point
at the moved rows (drawings, charts, comments, defined names, other sheets) change with them.
Where the plan writes much into several sheets (a consolidation of hundreds of files, a
summary), the largest sheets are patched and deflated in the two guarded workers at once
(:func:`_deflate_in_workers`); the package is the same byte for byte.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import html
import io
import posixpath
import re
import struct
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import BinaryIO
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

from isal import isal_zlib
from lxml import etree

from ..core.forms import column_letter
from ..core.paper import DEFAULT_COLUMN_WIDTH, row_height, text_lines
from ..core.periods import date_to_excel_serial
from ..core.plan import CellValue, Formula, RangeWrite, WritePlan, names_to_add
from . import chartcache
from .guard import ProcessLimits, can_fork, resident_mb, run_guarded
from .rowinsert import RowInsertError, insert_rows
from .sheetxml import Rect, release_cells

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
M = f"{{{NS_MAIN}}}"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_PARSER = etree.XMLParser(huge_tree=True, remove_blank_text=False)


class PackageError(Exception):
    """The workbook package lacks a part the plan needs (e.g. a managed sheet was deleted)."""


def to_serial(value: dt.date | dt.datetime) -> float | int:
    """The Excel serial number of a date (a whole day) or a date and time (with its fraction)."""
    if isinstance(value, dt.datetime):
        since_midnight = value - value.replace(hour=0, minute=0, second=0, microsecond=0)
        return date_to_excel_serial(value.date()) + since_midnight.seconds / 86400
    return date_to_excel_serial(value)


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name (e.g. ``xl/worksheets/sheet3.xml``)."""
    wb = etree.fromstring(zf.read("xl/workbook.xml"), _PARSER)
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"), _PARSER)
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out: dict[str, str] = {}
    for s in wb.iter(f"{M}sheet"):
        target = targets.get(s.get(f"{{{NS_REL}}}id"))
        if target:  # a sheet without its relationship has no part: it is "missing" to every caller
            out[s.get("name")] = (target.lstrip("/") if target.startswith("/")
                                  else posixpath.normpath(posixpath.join("xl", target)))
    return out


def apply_plan(package: bytes, plan: WritePlan) -> bytes:
    """Return the package with the plan applied (see module docstring)."""
    out = io.BytesIO()
    write_plan(package, plan, out)
    return out.getvalue()


def write_plan(package: bytes, plan: WritePlan, out: BinaryIO) -> None:
    """Write the package with the plan applied into ``out`` (a seekable file, from its start:
    a large master is not held twice)."""
    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        parts = sheet_parts(zin)
        wrap = wrap_styles(zin.read("xl/styles.xml")) if "xl/styles.xml" in zin.namelist() else frozenset()
        replaced: dict[str, bytes] = {}
        costs: dict[str, int] = {}  # sheet part -> the cells the plan writes in it, and its size as cells

        def current(name: str) -> bytes:
            return replaced[name] if name in replaced else zin.read(name)

        added = [name for name in plan.new_sheets if name not in parts]
        for name in added:
            like = parts.get(plan.formats_like.get(name, ""))
            parts[name] = _add_sheet(zin.namelist(), replaced, current, name, current(like) if like else None)
        if plan.inserts:
            _insert_rows(zin, parts, replaced, current, plan)
        for sheet in plan.sheets():
            if sheet not in parts:
                raise PackageError(f"Bảng tính thiếu trang “{sheet}”.")
            part = parts[sheet]
            base = replaced.get(part)
            # patched as the package is written, one sheet at a time (a large sheet's old and new
            # XML are not all held at once)
            writes = plan.for_sheet(sheet)
            replaced[part] = functools.partial(_patch_part, zin, part, base, writes, wrap)
            size = len(base) if base is not None else zin.getinfo(part).file_size
            costs[part] = sum(len(w.values) * max((len(v) for v in w.values), default=0) for w in writes) + \
                size // BYTES_PER_CELL
        drop = {"xl/calcChain.xml"} if "xl/calcChain.xml" in zin.namelist() else set()

        def the_other_parts() -> None:  # (what the big sheets do not change)
            _refresh_chart_caches(zin.namelist(), replaced, current, plan)
            replaced["xl/workbook.xml"] = _full_calc_on_load(ensure_defined_names(current("xl/workbook.xml"),
                                                                                  plan.names))
            if drop:
                replaced["[Content_Types].xml"] = _drop_content_type(current("[Content_Types].xml"),
                                                                     "/xl/calcChain.xml")
                replaced["xl/_rels/workbook.xml.rels"] = _drop_relationship(
                    current("xl/_rels/workbook.xml.rels"), "calcChain.xml"
                )

        _deflate_in_workers(replaced, costs, the_other_parts)
        write_package(zin, replaced, drop, out)


def _patch_part(zin: zipfile.ZipFile, part: str, base: bytes | None, writes: list[RangeWrite],
                wrap: frozenset[str]) -> Iterable[bytes | memoryview]:
    return sheet_xml_pieces(read_part(zin, part) if base is None else base, writes, wrap)


PARALLEL_CELLS = 5_000  # a sheet part that costs as much as writing this many cells is made in a worker
# (a province's summary: its three largest sheets in 0.18 s instead of 0.23 in this process alone)
BYTES_PER_CELL = 400  # a sheet's bytes copied and deflated again take about as long as one cell written per 400
_WORKER_LIMITS = ProcessLimits(memory_mb=6144, seconds=900.0)
# The memory (MB) a write may come to with its two workers. A forked worker copies every page of
# this process it reads (Python writes a reference count into each object it touches: the plan's
# values, the items' texts), so two of them may come to twice this process's size; a process
# larger than a third of this (a national consolidation: 650 MB) writes alone.
WRITE_MEMORY_MB = 1024


@dataclass(frozen=True)
class Deflated:
    """A part's new bytes as the zip entry holds them (raw deflate), with their CRC-32 and size."""

    data: bytes
    crc: int
    size: int


def deflated(make: bytes | Callable[[], bytes | Iterable[bytes | memoryview]]) -> Deflated:
    """The bytes ``make()`` returns (or their pieces, deflated as they come), or the bytes
    ``make``, deflated as :func:`write_package` deflates a part."""
    out: list[bytes] = []
    crc, size = _deflate_into(_pieces(make() if callable(make) else make), out.append)
    return Deflated(b"".join(out), crc, size)


def _deflate_into(pieces: Iterable[bytes | memoryview], write: Callable[[bytes], object]) -> tuple[int, int]:
    """Deflate ``pieces`` (raw deflate, as a zip entry holds it) into ``write``, as they come;
    returns the CRC-32 and size of the bytes deflated. The one compressor of every part this
    door writes: ISA-L's (``isal``), four times as fast as zlib's level 3 on a sheet, for
    about a fifth more bytes; the stream is plain deflate, which every reader inflates."""
    packer = isal_zlib.compressobj(COMPRESS_LEVEL, isal_zlib.DEFLATED, -15)
    crc = size = 0
    for piece in pieces:
        write(packer.compress(piece))
        crc, size = isal_zlib.crc32(piece, crc), size + len(piece)
    write(packer.flush())
    return crc, size


def _pieces(data: bytes | Iterable[bytes | memoryview], size: int = 1 << 20) -> Iterator[bytes | memoryview]:
    """``data`` in pieces of about ``size`` bytes (a row at a time would cost a call of the
    compressor and of the CRC each)."""
    if isinstance(data, (bytes, bytearray)):
        yield data
        return
    held: list[bytes | memoryview] = []
    count = 0
    for piece in data:
        if len(piece) >= size:  # (the rows kept between two written ones: not copied)
            if held:
                yield b"".join(held)
                held, count = [], 0
            yield piece
            continue
        held.append(piece)
        count += len(piece)
        if count >= size:
            yield b"".join(held)
            held, count = [], 0
    if held:
        yield b"".join(held)


def _deflate_in_workers(replaced: dict[str, bytes | Callable[[], bytes] | Deflated], costs: dict[str, int],
                        meanwhile: Callable[[], None]) -> None:
    """Make the sheet parts the plan writes most in (at least two of :data:`PARALLEL_CELLS`
    cells) in the two workers at once, each patched and deflated there (the workers are forked:
    they hold the plan and the package already, and send back only the deflated part), the
    largest first, each to the first worker free — unless the three processes might together
    pass :data:`WRITE_MEMORY_MB`. Meanwhile this process runs ``meanwhile()`` and then deflates
    the other parts it will write. A part whose
    worker fails is made here as before (where there is no fork, every part is, after
    ``meanwhile()``). The package written is the same byte for byte."""
    big = sorted((part for part, cost in costs.items() if cost >= PARALLEL_CELLS), key=lambda p: -costs[p])
    if len(big) < 2 or not can_fork() or 3 * resident_mb() > WRITE_MEMORY_MB:
        meanwhile()
        return

    in_workers = set(big)

    def here() -> None:
        meanwhile()
        for part, data in list(replaced.items()):
            if part not in in_workers and not isinstance(data, Deflated):
                replaced[part] = deflated(data)

    outcomes = run_guarded(lambda part: deflated(replaced[part]), big, _WORKER_LIMITS, ahead=1, meanwhile=here)
    for part, outcome in zip(big, outcomes):
        if outcome.ok:
            replaced[part] = outcome.value


def write_package(zin: zipfile.ZipFile, replaced: dict[str, bytes | Callable[[], bytes] | Deflated],
                  drop: Iterable[str] = (), out: BinaryIO | None = None) -> bytes | None:
    """The package of ``zin`` with the parts of ``replaced`` (part name -> new bytes, what
    makes them when the part is written, or their :class:`Deflated` entry; a name ``zin`` lacks
    is a part added, written after the others) and without the parts ``drop``. Every other part
    is copied as its compressed bytes. ``replaced`` is emptied. Written into ``out`` when given
    (then None is returned)."""
    drop = set(drop)
    given = out is not None
    out = out if given else io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                replaced.pop(info.filename, None)
                continue
            data = replaced.pop(info.filename, None)
            if data is not None:
                _write_part(zout, info, data)
            elif not _copy_compressed(zin, zout, info):
                zout.writestr(info, zin.read(info.filename))
        for name, data in replaced.items():  # parts added
            entry = zipfile.ZipInfo(name, date_time=time.localtime(time.time())[:6])  # as writestr makes it
            entry.external_attr = 0o600 << 16
            _write_part(zout, entry, data)
    replaced.clear()
    return None if given else out.getvalue()


def _write_part(zout: zipfile.ZipFile, entry: zipfile.ZipInfo, data: bytes | Callable[[], bytes] | Deflated) -> None:
    """Write the part ``entry`` names: its deflated entry as it is, else its bytes or what makes them."""
    if isinstance(data, Deflated):
        _write_entry(zout, entry, zipfile.ZIP_DEFLATED, 0, data.crc, data.size, data.data)
    else:
        _write_made(zout, entry, data)


def _write_made(zout: zipfile.ZipFile, entry: zipfile.ZipInfo,
                make: bytes | Callable[[], bytes | Iterable[bytes | memoryview]]) -> None:
    """Write the part (its bytes, or what makes them) as it is made (a large sheet is not held
    whole): its local header first, its deflated bytes as they come, then the header again with
    the CRC and sizes (``zout`` writes into a seekable file, as zipfile itself does then)."""
    pieces = _pieces(make() if callable(make) else make)  # (makes the part — reading zin — first)
    fp = zout.fp
    entry = _entry_like(entry, zipfile.ZIP_DEFLATED, 0)
    entry.CRC = entry.compress_size = entry.file_size = 0  # (for now)
    entry.header_offset = start = fp.tell()
    fp.write(entry.FileHeader(False))
    written = 0

    def write(data: bytes) -> None:
        nonlocal written
        fp.write(data)
        written += len(data)

    entry.CRC, entry.file_size = _deflate_into(pieces, write)
    entry.compress_size = written
    end = fp.tell()
    fp.seek(start)
    fp.write(entry.FileHeader(False))  # (the same length: the sizes are fixed fields)
    fp.seek(end)
    _register(zout, entry)


def _refresh_chart_caches(names: list[str], replaced: dict[str, bytes], current, plan: WritePlan) -> None:
    """Rebuild the cached points of every chart series whose cells the plan writes (:mod:`.chartcache`)."""
    written = plan.sheets()
    planned: dict[str, PlannedCells] = {}
    rows: dict[tuple[str, int], dict[int, CellValue] | None] = {}  # a row's cells put together once

    def lookup(sheet: str, row: int, col: int) -> tuple[bool, CellValue]:
        if sheet not in written:
            return False, None
        cells = rows.get((sheet, row), False)
        if cells is False:
            if sheet not in planned:
                planned[sheet] = _planned_cells(plan.for_sheet(sheet))
            cells = rows[sheet, row] = planned[sheet].get(row)
        return (True, cells[col]) if cells is not None and col in cells else (False, None)

    for part in (n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
        xml = current(part)
        if any(sheet.encode("utf-8") in xml for sheet in written):
            new = chartcache.refresh(xml, lookup)
            if new is not xml:
                replaced[part] = new


def _insert_rows(zin: zipfile.ZipFile, parts: dict[str, str], replaced: dict[str, bytes], current, plan: WritePlan) -> None:
    """The plan's row insertions (:mod:`.rowinsert`), in order, before any cell is written."""
    names = set(zin.namelist())

    def read(part: str) -> bytes | None:
        return current(part) if part in replaced or part in names else None

    def write(part: str, data: bytes) -> None:
        if read(part) != data:
            replaced[part] = data

    charts = sorted(n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    for insert in plan.inserts:
        if insert.sheet not in parts:
            raise PackageError(f"Bảng tính thiếu trang “{insert.sheet}”.")
        try:
            insert_rows(parts, read, write, charts, insert.sheet, insert.before, insert.count)
        except RowInsertError as exc:
            raise PackageError(str(exc)) from exc


COMPRESS_LEVEL = 2  # ISA-L's levels are 0-3; 2 (its default) deflates a sheet at 1 GB/s, zlib's level 3 at 0.25
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zip local file header (APPNOTE 4.3.7), 30 bytes


def _copy_compressed(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Copy a part the plan does not change as its compressed bytes, without inflating and
    deflating it again (its CRC and sizes stay those of the central directory). False, and
    nothing written, for an entry this copy does not handle (encrypted, zip64, a data descriptor)."""
    raw = _raw_entry(zin, info)
    if raw is None:
        return False
    _write_entry(zout, info, info.compress_type, info.flag_bits, info.CRC, info.file_size, raw)
    return True


def _raw_entry(zin: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The entry's bytes as the package holds them (compressed); None for an entry this
    reader does not handle (encrypted, zip64, a data descriptor)."""
    if info.flag_bits & 0x09 or info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF \
            or info.header_offset >= 0xFFFFFFFF or zin.fp is None:
        return None
    zin.fp.seek(info.header_offset)
    header = zin.fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != zipfile.stringFileHeader:
        return None
    fields = _LOCAL_HEADER.unpack(header)
    zin.fp.seek(info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11])  # name and extra field
    raw = zin.fp.read(info.compress_size)
    return raw if len(raw) == info.compress_size else None


def read_part(zin: zipfile.ZipFile, name: str) -> bytes:
    """``zin.read(name)`` inflated into one buffer of the part's size (zipfile's reader joins
    its pieces as it goes: twice a 200 MB sheet at its peak); its size and CRC checked, and
    zipfile's reader where this one does not apply."""
    info = zin.getinfo(name)
    raw = _raw_entry(zin, info) if info.compress_type == zipfile.ZIP_DEFLATED else None
    if raw is not None:
        try:  # one buffer of the size the entry says (a growing buffer doubles: 1.1 GB at its peak, national)
            data = isal_zlib.decompress(raw, -15, max(info.file_size, 1))
        except isal_zlib.error:  # a stream cut short or damaged: zipfile's reader says what is wrong
            data = None
        if data is not None and len(data) == info.file_size and isal_zlib.crc32(data) == info.CRC:
            return data
    return zin.read(name)


def _write_entry(zout: zipfile.ZipFile, info: zipfile.ZipInfo, compress_type: int, flag_bits: int, crc: int,
                 size: int, raw: bytes) -> None:
    """Write the entry ``info`` names (its name, time and attributes) holding ``raw``, already
    compressed (``compress_type``), of CRC-32 ``crc`` and ``size`` bytes once inflated."""
    copy = _entry_like(info, compress_type, flag_bits)
    copy.CRC, copy.compress_size, copy.file_size = crc, len(raw), size
    copy.header_offset = zout.fp.tell()
    zout.fp.write(copy.FileHeader(False))
    zout.fp.write(raw)
    _register(zout, copy)


def _entry_like(info: zipfile.ZipInfo, compress_type: int, flag_bits: int) -> zipfile.ZipInfo:
    """A new entry with the name, time and attributes of ``info``."""
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type, copy.flag_bits, copy.create_system = compress_type, flag_bits, info.create_system
    copy.external_attr, copy.internal_attr, copy.comment = info.external_attr, info.internal_attr, info.comment
    return copy


def _register(zout: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """Enter an entry written straight into ``zout``'s file in its central directory."""
    zout.filelist.append(entry)
    zout.NameToInfo[entry.filename] = entry
    zout.start_dir = zout.fp.tell()
    zout._didModify = True  # noqa: SLF001 - the central directory is written on close


_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="' + NS_MAIN.encode() + b'" xmlns:r="' + NS_REL.encode() + b'">'
                b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                b'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                b'<sheetData/><pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
                b'</worksheet>')
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"


def _add_sheet(existing: list[str], replaced: dict[str, bytes], current, name: str, like: bytes | None = None) -> str:
    """Add an empty worksheet ``name`` after the last sheet: its part (with the column widths
    and formats of the worksheet XML ``like``), its relationship, its content type and its entry
    in the workbook. Returns the new part's name."""
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in existing or f"xl/worksheets/sheet{n}.xml" in replaced:
        n += 1
    part = f"xl/worksheets/sheet{n}.xml"
    sheet = etree.fromstring(_EMPTY_SHEET, _PARSER)
    cols = etree.fromstring(like, _PARSER).find(f"{M}cols") if like else None
    if cols is not None:
        sheet.find(f"{M}sheetData").addprevious(cols)
    replaced[part] = etree.tostring(sheet, xml_declaration=True, encoding="UTF-8", standalone=True)
    rels = etree.fromstring(current("xl/_rels/workbook.xml.rels"), _PARSER)
    ids = {r.get("Id") for r in rels}
    k = 1
    while f"rId{k}" in ids:
        k += 1
    rid = f"rId{k}"
    etree.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", Id=rid, Type=_WORKSHEET_REL, Target=f"worksheets/sheet{n}.xml")
    replaced["xl/_rels/workbook.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    types = etree.fromstring(current("[Content_Types].xml"), _PARSER)
    etree.SubElement(types, f"{{{NS_CT}}}Override", PartName=f"/{part}", ContentType=_WORKSHEET_TYPE)
    replaced["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    wb = etree.fromstring(current("xl/workbook.xml"), _PARSER)
    sheets = wb.find(f"{M}sheets")
    sheet_id = 1 + max((int(s.get("sheetId")) for s in sheets), default=0)
    el = etree.SubElement(sheets, f"{M}sheet", name=name, sheetId=str(sheet_id))
    el.set(f"{{{NS_REL}}}id", rid)
    replaced["xl/workbook.xml"] = etree.tostring(wb, xml_declaration=True, encoding="UTF-8", standalone=True)
    return part


def patch_sheet_xml(xml: bytes, writes: Iterable[RangeWrite], wrap: frozenset[str] = frozenset()) -> bytes:
    """``wrap``: the style indexes (``s``) that wrap text, for fitting row heights.

    The sheet is streamed: rows the plan does not write are copied as bytes (found by their
    tags, never read), a row it writes is rewritten as text — through lxml only where it holds
    a form the text path does not parse — and new rows are written as text. A sheet whose
    cells are tied together where the plan may meet them (an array formula or a data table
    anywhere, a shared formula or a rich value in a row the plan writes: see :mod:`.sheetxml`)
    is parsed whole, so that the pre-pass can release the groups the plan meets first."""
    return b"".join(sheet_xml_pieces(xml, writes, wrap))


def sheet_xml_pieces(xml: bytes, writes: Iterable[RangeWrite],
                     wrap: frozenset[str] = frozenset()) -> Iterable[bytes | memoryview]:
    """:func:`patch_sheet_xml` as the pieces of the patched sheet, each row made as it is
    asked for (a large sheet's new XML is never held whole)."""
    writes = list(writes)
    planned = _planned_cells(writes)
    streamed = _patch_streaming(xml, planned, wrap)
    return streamed if streamed is not None else (_patch_tree(xml, writes, planned, wrap),)


def _planned_cells(writes: list[RangeWrite]) -> PlannedCells:
    return PlannedCells(writes)


_first = itemgetter(0)


class PlannedCells(Mapping):
    """Row -> column -> the value the plan leaves there (a later write wins), in the order the
    writes first name the rows. A row's cells are put together when it is asked for: a plan of
    150,000 rows is not copied into as many dictionaries (in a worker, 180 MB at national scale)."""

    def __init__(self, writes: Iterable[RangeWrite]):
        self._parts: dict[int, list[tuple[int, tuple[CellValue, ...]]]] = {}
        parts = self._parts
        for w in writes:
            col, row = w.col, w.row
            for values in w.values:
                got = parts.get(row)
                if got is None:
                    parts[row] = [(col, values)]
                else:
                    got.append((col, values))
                row += 1

    def __getitem__(self, row: int) -> dict[int, CellValue]:
        parts = self._parts[row]
        if len(parts) == 1:
            col, values = parts[0]
            return dict(zip(range(col, col + len(values)), values))
        out: dict[int, CellValue] = {}
        for col, values in parts:
            out.update(zip(range(col, col + len(values)), values))
        return out

    def cells(self, row: int) -> Iterable[tuple[int, CellValue]]:
        """``self[row]``'s (column, value) pairs, by column: a row its writes give in columns
        that do not overlap (the usual case: one write, or the programme's four) is not put
        into a dictionary."""
        parts = self._parts[row]
        if len(parts) == 1:
            col, values = parts[0]
            return zip(range(col, col + len(values)), values)
        ordered = sorted(parts, key=_first)
        end = 0
        for col, values in ordered:
            if col < end:  # writes that overlap: the later one wins
                return sorted(self[row].items())
            end = col + len(values)
        return chain.from_iterable(zip(range(col, col + len(values)), values) for col, values in ordered)

    def __iter__(self) -> Iterator[int]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __contains__(self, row: object) -> bool:
        return row in self._parts

    def last_column(self, row: int) -> int:
        """The last column of ``row`` the plan gives a value (not a blank); 0 for none."""
        last = 0
        for col, values in self._parts[row]:
            for n in range(len(values) - 1, -1, -1):
                if values[n] is not None:
                    last = max(last, col + n)
                    break
        return last


def _patch_tree(xml: bytes, writes: list[RangeWrite], planned: PlannedCells,
                wrap: frozenset[str]) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    sheet_data = root.find(f"{M}sheetData")
    if sheet_data is None:
        raise PackageError("Trang tính không có phần dữ liệu (sheetData).")
    release_cells(sheet_data, (written_rect(w) for w in writes))  # shared/array formulas, rich values
    col_styles = _column_styles(root)
    rows = _Keyed({int(r.get("r")): r for r in sheet_data.iter(f"{M}row")})
    cells: dict[int, _Keyed] = {}
    for rnum in sorted(planned):
        row_el = rows.get(rnum)
        if row_el is None:
            row_el = etree.Element(f"{M}row", r=str(rnum))
            rows.insert(sheet_data, rnum, row_el)
        cells[rnum] = _patch_row(row_el, rnum, planned[rnum], col_styles)
    if wrap:
        widths = _column_widths(root)
        for rnum, rc in cells.items():
            fit_row_height(rows[rnum], rc.values(), widths, wrap)
    _update_dimension(root, rows, cells)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _patch_row(row_el: etree._Element, rnum: int, values: dict[int, CellValue], col_styles: dict[int, str]) -> _Keyed:
    """Write ``values`` (column -> value) into the row element; returns its cells by column."""
    row_el.attrib.pop("spans", None)
    rc = _Keyed({col_index(_CELL_REF.match(c.get("r")).group(1)): c for c in row_el.iter(f"{M}c")})
    for cnum, value in values.items():
        cell = rc.get(cnum)
        if cell is None:
            if value is None:
                continue
            cell = etree.Element(f"{M}c", r=f"{column_letter(cnum)}{rnum}")
            style = col_styles.get(cnum) or row_el.get("s")
            if style:
                cell.set("s", style)
            rc.insert(row_el, cnum, cell)
        set_cell(cell, value)
    return rc


# ---- the streaming writer ----------------------------------------------------------------------
_GROUPED = re.compile(rb'<(?:\w+:)?f\b[^>]*\bt="(?:shared|array|dataTable)"|<(?:\w+:)?c\b[^>]*\s(?:vm|cm)=')
_RANGE_GROUPED = re.compile(rb'<(?:\w+:)?f\b[^>]*\bt="(?:array|dataTable)"')
_RANGE_MARKS = (b'array"', b'dataTable"')  # what _RANGE_GROUPED can match contains one
_ROW_MARKS = (b'shared"', b"vm=", b"cm=")  # what _GROUPED can match in a row without them contains one


def _grouped(xml: bytes) -> bool:
    """Does the sheet hold a group that covers cells of rows besides its own — an array
    formula, a data table (see :mod:`.sheetxml`)? The pattern runs only where one of the texts
    it needs occurs (a plain search of a 5 MB sheet is many times faster)."""
    return any(mark in xml for mark in _RANGE_MARKS) and _RANGE_GROUPED.search(xml) is not None


def _grouped_row(row: bytes) -> bool:
    """Does a row hold a cell tied to others — a shared formula, a rich value? (A shared
    group the plan meets has a cell in a row the plan writes.)"""
    return any(mark in row for mark in _ROW_MARKS) and _GROUPED.search(row) is not None


_ROOT_TAG = re.compile(rb"<worksheet\b[^>]*>")
_SHEET_DATA = re.compile(rb"<sheetData\s*(/?)>")
_NS_DECL = re.compile(rb'\s+xmlns(?::[\w.-]+)?="[^"]*"')
_ROW = re.compile(rb"<row\b([^>]*?)(?:/>|>.*?</row>)", re.S)
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_DIMENSION = re.compile(rb'(<dimension\s+ref=")([^"]*)(")')


def _patch_streaming(xml: bytes, planned: PlannedCells,
                     wrap: frozenset[str]) -> Iterator[bytes | memoryview] | None:
    """The patched sheet's pieces, each row made as it is asked for, or None when it needs the
    whole-tree path (cells tied together, or a layout this reader does not expect). Positions
    are offsets into ``xml``; the rows kept are views of it (a large sheet is not copied piece
    by piece)."""
    root_tag = _ROOT_TAG.search(xml)
    found = _SHEET_DATA.search(xml)
    if root_tag is None or found is None or f'xmlns="{NS_MAIN}"'.encode() not in root_tag.group(0) or _grouped(xml):
        return None
    head = xml[:found.start()]
    if found.group(1):  # <sheetData/>
        start = close = after = found.end()
    else:
        start, close = found.end(), xml.find(b"</sheetData>", found.end())
        if close < 0:
            return None
        after = close + len(b"</sheetData>")
    skeleton = etree.fromstring(head + b"<sheetData/>" + xml[after:], _PARSER)  # the sheet without its rows
    col_styles = _column_styles(skeleton)
    widths = _column_widths(skeleton) if wrap else {}
    wrapper = b"<sheetData " + b" ".join(d.strip() for d in _NS_DECL.findall(root_tag.group(0))) + b">"
    pending = sorted(planned)
    view = memoryview(xml)
    ends = _first_and_last_row(xml, start, close)
    rows = _locate_rows(xml, start, close, pending, ends)
    if rows is None:
        rows = _scan_rows(xml, start, close, pending)
    if rows is None or any(at != end and _grouped_row(xml[at:end]) for _, at, end in rows):
        return None
    numbers = [*(ends or ()), *((pending[0], pending[-1]) if pending else ())]  # for the dimension
    if numbers and planned:
        max_col = _last_column(xml, rows, planned)
        head = _DIMENSION.sub(lambda d: d.group(1) + _dimension(d.group(2).decode(), min(numbers), max(numbers),
                                                                max_col).encode() + d.group(3), head, count=1)

    new_rows = _NewRows(col_styles, widths, wrap)

    def pieces() -> Iterator[bytes | memoryview]:
        yield head
        yield b"<sheetData>"
        pos = start
        for rnum, at, end in rows:
            yield view[pos:at]
            if at == end:  # a row the sheet does not have yet
                yield new_rows.row(rnum, planned.cells(rnum))[0]
            else:
                yield _patch_row_bytes(xml[at:end], rnum, planned[rnum], col_styles, widths, wrap, wrapper, new_rows)[0]
            pos = end
        yield view[pos:close]
        yield b"</sheetData>"
        yield view[after:]

    return pieces()


def _last_column(xml: bytes, rows: list[tuple[int, int, int]], planned: PlannedCells) -> int:
    """The last column of the rows written, as the whole-tree writer counts it: the cells a row
    has and those the plan gives a value."""
    last = 0
    for rnum, at, end in rows:
        last = max(last, planned.last_column(rnum))
        if at != end:
            for letters in _CELL_COLUMN.findall(xml, at, end):
                last = max(last, _column_number(letters.decode()))
    return last


def _locate_rows(xml: bytes, start: int, close: int, pending: list[int],
                 ends: tuple[int, int] | None) -> list[tuple[int, int, int]] | None:
    """(row number, start, end) in ``xml`` of each planned row, in order; start == end where
    the row is new (it goes there). The rows lie between ``start`` and ``close``. Rows are
    found by their tag (``<row r="n"``) from the previous one on, so that the rows the plan
    does not write are never looked at. None when a planned row between the first and the last
    cannot be found that way (a gap in the rows, a tag in another form): the caller reads every
    row then."""
    found: list[tuple[int, int, int]] = []
    pos = start
    for rnum in pending:
        if ends is None or rnum > ends[1]:
            found.append((rnum, close, close))
            continue
        if rnum < ends[0]:
            found.append((rnum, start, start))
            continue
        tag = b'<row r="%d"' % rnum
        at = xml.find(tag, pos, close)
        if at < 0:
            return None
        gt = xml.find(b">", at, close)
        if gt < 0 or xml[at + len(tag)] not in b" \t\r\n/>":
            return None
        end = gt + 1 if xml[gt - 1] == 0x2F else xml.find(b"</row>", gt, close) + len(b"</row>")
        if end < len(b"</row>"):
            return None
        found.append((rnum, at, end))
        pos = end
    return found


def _scan_rows(xml: bytes, start: int, close: int, pending: list[int]) -> list[tuple[int, int, int]] | None:
    """What :func:`_locate_rows` returns, from reading every row (a new row between two the
    sheet has goes between them); None for a layout this reader does not expect."""
    found: list[tuple[int, int, int]] = []
    k, pos = 0, start
    for m in _ROW.finditer(xml, start, close):
        number = _ROW_NUMBER.search(m.group(1))
        if number is None or xml[pos:m.start()].strip():
            return None
        rnum = int(number.group(1))
        while k < len(pending) and pending[k] < rnum:
            found.append((pending[k], m.start(), m.start()))
            k += 1
        if k < len(pending) and pending[k] == rnum:
            found.append((rnum, m.start(), m.end()))
            k += 1
        pos = m.end()
    if xml[pos:close].strip():
        return None
    found.extend((rnum, close, close) for rnum in pending[k:])
    return found


def _patch_row_bytes(row: bytes, rnum: int, values: dict[int, CellValue], col_styles: dict[int, str],
                     widths: dict[int, float], wrap: frozenset[str], wrapper: bytes,
                     new_rows: _NewRows | None = None) -> tuple[bytes, int]:
    """A row of the sheet with ``values`` written (and its height fitted), and its last
    column (0 for a row left as it is): the row itself where it already holds them; written
    as text where its cells are in the form this writer knows, else through lxml."""
    patched = _patch_cells_in_place(row, rnum, values, wrap)
    if patched is None:
        patched = _rewritten_row(row, rnum, values, col_styles, widths, wrap, new_rows)
    if patched is None:
        patched = _patch_row_text(row, rnum, values, col_styles, widths, wrap)
    if patched is not None:
        return patched
    if _unchanged(row, values):
        return row, 0
    row_el = etree.fromstring(wrapper + row + b"</sheetData>", _PARSER)[0]
    rc = _patch_row(row_el, rnum, values, col_styles)
    if wrap:
        fit_row_height(row_el, rc.values(), widths, wrap)
    data = etree.tostring(row_el, encoding="UTF-8", xml_declaration=False)
    tag_end = data.index(b">")
    return _NS_DECL.sub(b"", data[:tag_end]) + data[tag_end:], max(rc, default=0)  # the worksheet declares them


_ROW_TAG = re.compile(rb"<row\b([^>]*?)(/?)>")
_ATTR = re.compile(rb'\s([\w:]+)="([^"<&]*)"')
_ANY_CELL = re.compile(rb'<c\b([^>]*?)(/>|>(.*?)</c>)', re.S)
_CELL_COLUMN = re.compile(rb'\sr="([A-Z]{1,3})\d+"')
_CELL_TYPE = re.compile(rb'\st="([^"]*)"')
_VALUE_PARTS = re.compile(rb"<f\b[^>]*?(?:/>|>[^<]*</f>)|<v\b[^>]*?(?:/>|>[^<]*</v>)|<is\b[^>]*?(?:/>|>.*?</is>)", re.S)
_TEXT_RUN = re.compile(rb"<t\b[^>]*?(?:/>|>([^<]*)</t>)")
_PREFIX = re.compile(rb"<\w+:")
_STYLE = re.compile(rb'\ss="([^"]*)"')


def _patch_cells_in_place(row: bytes, rnum: int, values: dict[int, CellValue],
                          wrap: frozenset[str]) -> tuple[bytes, int] | None:
    """The row with the cells ``values`` names replaced where they are, its other cells never
    read — for a few cells the row already has, none of which holds or gets a wrapped text (so
    that the row's height stays what it is). None where that does not apply."""
    if len(values) > 4 or _PREFIX.search(row):
        return None
    pieces: list[bytes] = []
    pos = 0
    changed = False
    for cnum in sorted(values):
        tag = f'<c r="{_letter(cnum)}{rnum}"'.encode()
        at = row.find(tag, pos)
        if at < 0 or row[at + len(tag)] not in b" />":
            return None
        gt = row.find(b">", at)
        head = row[at + 2:gt]
        if b"'" in head:
            return None
        if head.endswith(b"/"):
            head, content, end = head[:-1], b"", gt + 1
        else:
            end = row.find(b"</c>", gt)
            if end < 0:
                return None
            content, end = row[gt + 1:end], end + len(b"</c>")
        old_kind = _CELL_TYPE.search(head)
        old_kind = old_kind.group(1).decode() if old_kind else ""
        kind, inner = cell_content(values[cnum])
        if wrap and "inlineStr" in (old_kind, kind):
            found = _STYLE.search(head)
            if found is None or found.group(1).decode() in wrap:
                return None  # a wrapped text: the row's height may change
        encoded = inner.encode()
        if content == encoded and old_kind == (kind or ""):
            continue
        if content and _VALUE_PARTS.sub(b"", content).strip():
            return None
        head = _CELL_TYPE.sub(b"", head) + (f' t="{kind}"'.encode() if kind else b"")
        pieces += [row[pos:at], b"<c" + head + (b">" + encoded + b"</c>" if inner else b"/>")]
        pos = end
        changed = True
    if not changed:
        return row, 0
    pieces.append(row[pos:])
    out = b"".join(pieces)
    tag_end = out.find(b">")
    return _SPANS.sub(b"", out[:tag_end], count=1) + out[tag_end:], max(values)


_SPANS = re.compile(rb'\sspans="[^"]*"')


def _patch_row_text(row: bytes, rnum: int, values: dict[int, CellValue], col_styles: dict[int, str],
                    widths: dict[int, float], wrap: frozenset[str]) -> tuple[bytes, int] | None:
    """What :func:`_patch_row` and :func:`fit_row_height` make of the row, built as text (the
    row as it is where every value is already there); None where the row holds something this
    does not parse (a namespace prefix, an attribute in single quotes or with an entity, a cell
    without its reference, text between cells, a cell child besides its value)."""
    tag = _ROW_TAG.match(row)
    if tag is None or _PREFIX.search(row) or _ATTR.sub(b"", tag.group(1)).strip():
        return None
    cells: dict[int, bytes] = {}
    parsed: dict[int, re.Match] = {}
    pos = tag.end()
    stop = len(row) if tag.group(2) else len(row) - len(b"</row>")
    for m in _ANY_CELL.finditer(row, pos, stop):
        col = _CELL_COLUMN.search(m.group(1))
        if m.start() != pos or col is None or b"'" in m.group(1):
            return None
        cnum = _column_number(col.group(1).decode())
        cells[cnum] = m.group(0)
        parsed[cnum] = m
        pos = m.end()
    if pos != stop:
        return None
    attrs = None
    texts: dict[int, tuple[str | None, str]] = {}  # column -> (style, text) of the inline texts written
    changed = False
    for cnum in sorted(values):
        value = values[cnum]
        kind, inner = cell_content(value)
        m = parsed.get(cnum)
        if m is None:
            if value is None:
                continue
            if attrs is None:
                attrs = _ATTR.findall(tag.group(1))
            style = col_styles.get(cnum) or next((v.decode() for n, v in attrs if n == b"s"), None)
            cells[cnum] = _cell_xml(_letter(cnum), rnum, style, kind, inner)
            changed = True
        else:
            head, content = m.group(1), m.group(3) or b""
            old_kind = _CELL_TYPE.search(head)
            encoded = inner.encode()
            if content != encoded or (old_kind.group(1).decode() if old_kind else "") != (kind or ""):
                if content and _VALUE_PARTS.sub(b"", content).strip():
                    return None  # a child besides the value (set_cell keeps it)
                head = _CELL_TYPE.sub(b"", head) + (f' t="{kind}"'.encode() if kind else b"")
                cells[cnum] = b"<c" + head + (b">" + encoded + b"</c>" if inner else b"/>")
                changed = True
            style = None
            if kind == "inlineStr" and wrap:
                found = _STYLE.search(head)
                style = found.group(1).decode() if found else None
        if kind == "inlineStr":
            texts[cnum] = (style, _clean(str(value)))
    if not changed:
        return row, 0
    if attrs is None:
        attrs = _ATTR.findall(tag.group(1))
    attrs = [(n, v) for n, v in attrs if n != b"spans"]
    if wrap and not any(n == b"customHeight" and v in (b"1", b"true") for n, v in attrs):
        lines = 1
        for cnum, cell in cells.items():
            if cnum in texts:
                style, text = texts[cnum]
            elif b'inlineStr"' in cell:
                head = cell.split(b">", 1)[0]
                found = _STYLE.search(head)
                style, text = found.group(1).decode() if found else None, _inline_cell_text(cell)
            else:
                continue
            if style in wrap and text is not None:
                lines = max(lines, text_lines(text, widths.get(cnum, DEFAULT_COLUMN_WIDTH)))
        height = _row_height(lines).encode() if lines > 1 else None
        if height is None:
            attrs = [(n, v) for n, v in attrs if n != b"ht"]
        elif any(n == b"ht" for n, _ in attrs):
            attrs = [(n, height if n == b"ht" else v) for n, v in attrs]
        else:
            attrs.append((b"ht", height))
    body = b"".join(cells[c] for c in sorted(cells))
    head = b"<row" + b"".join(b" " + n + b'="' + v + b'"' for n, v in attrs)
    return head + (b">" + body + b"</row>" if body else b"/>"), max(cells, default=0)


# a row and its cells exactly as this writer writes them (see _new_row, cell_content)
_PLAIN_ROW_TAG = re.compile(rb'<row r="(\d+)"(?: ht="[0-9.]+")?>')
_PLAIN_CELL = (rb'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?(?:/>|>((?:<f>[^<]*</f>)?(?:<v>[^<]*</v>|<v/>)?'
               rb'|<is><t(?: xml:space="preserve")?>[^<]*</t></is>)</c>)')
_PLAIN_CELLS = re.compile(rb"(?:" + _PLAIN_CELL + rb")*")
_PLAIN_CELL_PARTS = re.compile(_PLAIN_CELL)


def _rewritten_row(row: bytes, rnum: int, values: dict[int, CellValue], col_styles: dict[int, str],
                   widths: dict[int, float], wrap: frozenset[str],
                   new_rows: _NewRows | None = None) -> tuple[bytes, int] | None:
    """What :func:`_patch_row_text` makes of a row this writer wrote (every cell in its form,
    in its column's style) whose every cell the plan writes again: the row made anew
    (:func:`_new_row`; a cell the plan empties stays, empty), without taking its cells apart one
    by one — a derived sheet whose rows moved down (the print view, when an agency's items
    arrive) is rewritten that way. None where that does not apply."""
    tag = _PLAIN_ROW_TAG.match(row)
    if tag is None or not row.endswith(b"</row>") or (not wrap and b" ht=" in tag.group(0)):
        return None
    number = tag.group(1)
    body = memoryview(row)[tag.end():len(row) - len(b"</row>")]
    if int(number) != rnum or _PLAIN_CELLS.fullmatch(body) is None:
        return None
    emptied = []
    for letters, digits, style, _kind, _inner in _PLAIN_CELL_PARTS.findall(body):
        cnum = _column_number(letters.decode())
        if digits != number or cnum not in values or (style.decode() if style else None) != col_styles.get(cnum):
            return None
        if values[cnum] is None:
            emptied.append(cnum)
    new, last = (new_rows or _NewRows(col_styles, widths, wrap)).row(rnum, sorted(values.items()), emptied)
    if not last:
        return None
    if new[new.index(b">") + 1:] == row[tag.end():]:  # every cell as it was: the row is kept (its height too)
        return row, 0
    return new, last


def _inline_cell_text(cell: bytes) -> str | None:
    """The text of an inline-string cell (its runs joined, as lxml's ``itertext``), or None
    for another cell."""
    found = _CELL_TYPE.search(cell.split(b">", 1)[0])
    if found is None or found.group(1) != b"inlineStr":
        return None
    return html.unescape(b"".join(t or b"" for t in _TEXT_RUN.findall(cell)).decode("utf-8"))


def _first_and_last_row(xml: bytes, start: int, close: int) -> tuple[int, int] | None:
    """The numbers of the first and the last row of a sheet's rows (between ``start`` and
    ``close``), if their tags say them."""
    first, last = xml.find(b"<row ", start, close), xml.rfind(b"<row ", start, close)
    if first < 0:
        return None
    numbers = []
    for at in (first, last):
        tag = xml[at:xml.find(b">", at)]
        found = _ROW_NUMBER.search(tag)
        if found is None:
            return None
        numbers.append(int(found.group(1)))
    return numbers[0], numbers[1]


# a cell as this writer (and Excel) writes it: r, then s, then t; anything else is compared as changed
_CELL = re.compile(r'<c r="([A-Z]{1,3})\d+"(?: s="\d+")?(?: t="(\w+)")?(?:/>|>([^/]*(?:/(?!c>)[^/]*)*)</c>)')
_EMPTY_CELL = ("", "")


def _unchanged(row: bytes, values: dict[int, CellValue]) -> bool:
    """Does the row already hold ``values``, written the way this writer writes them?"""
    text = row.decode("utf-8")
    cells = _CELL.findall(text)
    if len(cells) != text.count("<c ") + text.count("<c>"):  # a cell in another form
        return False
    held = {_column_number(letters): (kind, inner) for letters, kind, inner in cells}
    for cnum, value in values.items():
        kind, inner = cell_content(value)
        if held.get(cnum, _EMPTY_CELL) != (kind or "", inner):
            return False
    return True


@functools.lru_cache(maxsize=4096)
def _column_number(letters: str) -> int:
    return col_index(letters)


@functools.lru_cache(maxsize=4096)
def _letter(column: int) -> str:
    return column_letter(column)


def _new_row(rnum: int, values: dict[int, CellValue], col_styles: dict[int, str], widths: dict[int, float],
             wrap: frozenset[str], emptied: Iterable[int] = ()) -> tuple[bytes, int]:
    """A row the sheet does not have yet, as text (what :func:`_patch_row` and
    :func:`fit_row_height` make of an empty row), and its last column. ``emptied``: columns
    whose value is None that keep an empty cell (in their style), as a cell emptied does."""
    return _NewRows(col_styles, widths, wrap).row(rnum, sorted(values.items()), emptied)


class _NewRows:
    """:func:`_new_row` for the rows of one sheet: what each column's cells start with (their
    reference's letters, their style) and how wide a wrapped column is are worked out once per
    column, not once per cell (a large programme writes 700,000 cells)."""

    def __init__(self, col_styles: dict[int, str], widths: dict[int, float], wrap: frozenset[str]) -> None:
        self.col_styles, self.widths, self.wrap = col_styles, widths, wrap
        self.columns: dict[int, tuple[str, str, float | None]] = {}

    def _column(self, cnum: int) -> tuple[str, str, float | None]:
        """(``<c r="B``; ``" s="4"``, the tag after the row number up to its type; the width
        when the column's style wraps its text, else None)."""
        style = self.col_styles.get(cnum)
        width = self.widths.get(cnum, DEFAULT_COLUMN_WIDTH) if style in self.wrap else None
        spec = self.columns[cnum] = (f'<c r="{_letter(cnum)}', '"' + (f' s="{style}"' if style else ""), width)
        return spec

    def row(self, rnum: int, cells: Iterable[tuple[int, CellValue]], emptied: Iterable[int] = ()) -> tuple[bytes, int]:
        """The row ``rnum`` of ``cells`` ((column, value) pairs, by column) and its last column."""
        columns = self.columns
        out = []
        lines = 1
        last = 0
        number = str(rnum)
        for cnum, value in cells:
            if value is None:  # (a third of a programme's cells: nothing to look up)
                if cnum in emptied:
                    before, after, _ = columns.get(cnum) or self._column(cnum)
                    out.append(f"{before}{number}{after}/>")
                    last = cnum
                continue
            before, after, width = columns.get(cnum) or self._column(cnum)
            if type(value) is str and value:  # the usual case first: a text
                out.append(f'{before}{number}{after} t="inlineStr">{_inline_text(value)[1]}</c>')
                if width is not None:
                    lines = max(lines, text_lines(_clean(value), width))
            else:
                kind, inner = cell_content(value)
                tag = f'{before}{number}{after}' + (f' t="{kind}"' if kind else "")
                out.append(f"{tag}>{inner}</c>" if inner else f"{tag}/>")
                if kind == "inlineStr" and width is not None:
                    lines = max(lines, text_lines(_clean(str(value)), width))
            last = cnum
        height = f' ht="{_row_height(lines)}"' if lines > 1 else ""
        return f'<row r="{number}"{height}>{"".join(out)}</row>'.encode(), last


def _cell_xml(letters: str, rnum: int, style: str | None, kind: str | None, inner: str) -> bytes:
    """A cell as this writer writes it: r, then s, then t."""
    attrs = f' r="{letters}{rnum}"' + (f' s="{style}"' if style else "") + (f' t="{kind}"' if kind else "")
    return (f"<c{attrs}>{inner}</c>" if inner else f"<c{attrs}/>").encode()


def _dimension(old: str, min_row: int, max_row: int, max_col: int) -> str:
    m = re.match(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", old)
    last = col_index(m.group(3) or m.group(1)) if m else 1
    return f"A{min_row}:{column_letter(max(last, max_col))}{max_row}"


def written_rect(w: RangeWrite) -> Rect:
    """The cells a write covers."""
    return Rect(w.row, w.col, w.row + max(len(w.values), 1) - 1, w.col + max((len(v) for v in w.values), default=1) - 1)


def set_cell(cell: etree._Element, value: CellValue) -> None:
    for child in list(cell):
        if child.tag in (f"{M}f", f"{M}v", f"{M}is"):
            cell.remove(child)
    cell.attrib.pop("t", None)
    kind, inner = cell_content(value)
    if kind:
        cell.set("t", kind)
    if inner:
        cell.extend(etree.fromstring(f'<c xmlns="{NS_MAIN}">{inner}</c>', _PARSER))


def cell_content(value: CellValue) -> tuple[str | None, str]:
    """The ``t`` attribute and the XML inside ``<c>`` that hold ``value`` (one definition for
    the rows patched in place and the rows written as text). ``None`` or "" leave it empty."""
    if type(value) is str and value:  # the usual case first
        return _inline_text(value)
    made = _content_of_type.get(type(value))  # (then a date, a number)
    if made is not None:
        return made(value)
    if value is None or value == "":
        return None, ""
    if isinstance(value, Formula):
        f = f"<f>{_escape(_clean(value.text[1:] if value.text.startswith('=') else value.text))}</f>"
        if value.cached is None:
            return None, f
        if isinstance(value.cached, str):  # an empty text as lxml writes it (<v/>), so that it compares unchanged
            return "str", f"{f}<v>{_escape(_clean(value.cached))}</v>" if value.cached else f"{f}<v/>"
        return None, f"{f}<v>{_number(value.cached)}</v>"
    if isinstance(value, bool):
        return "b", f"<v>{1 if value else 0}</v>"
    if isinstance(value, (dt.date, dt.datetime)):
        return _number_content(to_serial(value))
    if isinstance(value, (int, float)):
        return _number_content(value)
    return _inline_text(str(value))


@functools.lru_cache(maxsize=1 << 15)  # the print view repeats the programme's texts, a row its agency's
def _inline_text(value: str) -> tuple[str, str]:
    text = _clean(value)
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return "inlineStr", f"<is><t{space}>{_escape(text)}</t></is>"


@functools.lru_cache(maxsize=1 << 12)  # a programme's dates repeat (its deadlines, the days it received)
def _date_content(value: dt.date) -> tuple[str | None, str]:
    return _number_content(to_serial(value))


def _number_content(value: int | float) -> tuple[str | None, str]:
    return None, f"<v>{_number(value)}</v>"


# what :func:`cell_content` makes of a value of these exact types, looked up by type (subclasses
# and date-times take its general branches)
_content_of_type: dict[type, Callable[[CellValue], tuple[str | None, str]]] = {
    dt.date: _date_content, int: _number_content, float: _number_content,
}


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


def _number(n: float | int) -> str:
    if isinstance(n, float) and n.is_integer():
        return str(int(n))
    return repr(n) if isinstance(n, float) else str(n)


def _clean(s: str) -> str:
    return s if s.isprintable() else _ILLEGAL_XML.sub("", s)  # (a control character is not printable)


class _Keyed(dict):
    """Children of an element by key (row number / column index), with their sorted keys, so
    that a new child goes to its place in O(log n) (appending past the end is the usual case)."""

    def __init__(self, items: dict[int, etree._Element]):
        super().__init__(items)
        self.keys_sorted = sorted(items)

    def insert(self, parent: etree._Element, key: int, child: etree._Element) -> None:
        keys = self.keys_sorted
        pos = bisect.bisect_left(keys, key)
        if not keys:
            parent.append(child)
        elif pos == len(keys):
            self[keys[-1]].addnext(child)
        else:
            self[keys[pos]].addprevious(child)
        keys.insert(pos, key)
        self[key] = child


def wrap_styles(styles_xml: bytes) -> frozenset[str]:
    """Indexes (as ``s`` attribute texts) of the cell formats that wrap text."""
    root = etree.fromstring(styles_xml, _PARSER)
    xfs = root.find(f"{M}cellXfs")
    if xfs is None:
        return frozenset()
    return frozenset(str(n) for n, xf in enumerate(xfs.iter(f"{M}xf"))
                     if (a := xf.find(f"{M}alignment")) is not None and a.get("wrapText") in ("1", "true"))


def fit_row_height(row: etree._Element, cells: Iterable[etree._Element], widths: dict[int, float],
                   wrap: frozenset[str]) -> None:
    """Give ``row`` the height of its longest wrapped inline text (an estimate from the column
    width); a one-line row has no height of its own. A height set by hand is kept."""
    if row.get("customHeight") in ("1", "true"):
        return
    lines = 1
    for cell in cells:
        if cell.get("s") not in wrap or cell.get("t") != "inlineStr":
            continue
        col = col_index(_CELL_REF.match(cell.get("r")).group(1))
        lines = max(lines, text_lines("".join(cell.itertext()), widths.get(col, DEFAULT_COLUMN_WIDTH)))
    if lines > 1:
        row.set("ht", _row_height(lines))
    else:
        row.attrib.pop("ht", None)


@functools.lru_cache(maxsize=64)
def _row_height(lines: int) -> str:
    return _number(row_height(lines))


def _column_widths(root: etree._Element) -> dict[int, float]:
    return {n: float(width) for n, width in _column_attribute(root, "width").items()}


def _column_styles(root: etree._Element) -> dict[int, str]:
    return _column_attribute(root, "style")


def _column_attribute(root: etree._Element, name: str) -> dict[int, str]:
    """Column index -> the attribute ``name`` of its ``<col>`` element (first 200 columns)."""
    found: dict[int, str] = {}
    cols = root.find(f"{M}cols")
    if cols is None:
        return found
    for col in cols.iter(f"{M}col"):
        value = col.get(name)
        if value:
            for n in range(int(col.get("min")), min(int(col.get("max")), 200) + 1):
                found[n] = value
    return found


def _update_dimension(root: etree._Element, rows: dict, cells: dict) -> None:
    dim = root.find(f"{M}dimension")
    if dim is None or not rows:
        return
    old = dim.get("ref", "A1")
    m = re.match(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", old)
    max_col = col_index(m.group(3) or m.group(1)) if m else 1
    for rc in cells.values():
        if rc:
            max_col = max(max_col, max(rc))
    max_row = max(rows)
    min_row = min(rows)
    dim.set("ref", f"A{min_row}:{column_letter(max_col)}{max_row}")


# CT_Workbook's children that come before <definedNames> (ECMA-376 §18.2.27), last first
_BEFORE_DEFINED_NAMES = ("externalReferences", "functionGroups", "sheets", "bookViews", "workbookProtection",
                         "workbookPr", "fileSharing", "fileVersion")


def ensure_defined_names(xml: bytes, names: dict[str, str]) -> bytes:
    """``xl/workbook.xml`` with every workbook-level name of ``names`` (name -> "=reference")
    it lacks (:func:`ctcong_xl.core.plan.names_to_add`). The names it has stay as they are —
    also one a clerk redefined — and so do sheet-level names."""
    root = etree.fromstring(xml, _PARSER)
    block = root.find(f"{M}definedNames")
    have = [el.get("name", "") for el in (block if block is not None else ()) if el.get("localSheetId") is None]
    missing = names_to_add(names, have, (s.get("name") for s in root.iter(f"{M}sheet")))
    if not missing:
        return xml
    if block is None:
        block = etree.Element(f"{M}definedNames")
        anchor = next((el for tag in _BEFORE_DEFINED_NAMES if (el := root.find(f"{M}{tag}")) is not None), None)
        if anchor is None:
            root.insert(0, block)
        else:
            anchor.addnext(block)
    for name, refers_to in missing.items():
        etree.SubElement(block, f"{M}definedName", name=name).text = refers_to.removeprefix("=")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _full_calc_on_load(xml: bytes) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    calc = root.find(f"{M}calcPr")
    if calc is None:
        calc = etree.SubElement(root, f"{M}calcPr")
    if calc.get("fullCalcOnLoad") == "1":
        return xml
    calc.set("fullCalcOnLoad", "1")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_content_type(xml: bytes, part: str) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    for o in list(root):
        if o.get("PartName") == part:
            root.remove(o)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_relationship(xml: bytes, target_suffix: str) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    for r in list(root):
        if (r.get("Target") or "").endswith(target_suffix):
            root.remove(r)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
