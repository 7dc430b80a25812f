"""Inspect an untrusted .xlsx package before any parser sees it (SECURITY.md).

Everything here reads the zip's central directory, then streams each part through a small
buffer, so a hostile file costs little memory and time whatever it claims:

* the file's size, each part's uncompressed size and compression ratio (from the central
  directory, before inflating anything), part names that climb out of the package;
* parts that run code or reach outside (macros, external links and DDE, embedded objects);
* a ``DOCTYPE`` or ``ENTITY`` declaration in any XML part (billion laughs, XXE: Office never
  writes one);
* for each worksheet: the rows and columns it claims (its ``<dimension>`` and every row and
  cell reference), its hidden rows, and the cells whose style makes the text invisible
  (the font colour of the fill, or white on no fill).

The facts found are returned for the reader (which names the sheets); a limit exceeded is a
finding and the file is not parsed.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from contextlib import nullcontext
from io import BytesIO
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain, compress
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree as SafeET

from ..core.findings import Finding, finding
from ..core.forms import column_index, column_letter
from ..core.models import FileLimits

MB = 1024 * 1024
_RATIO_FLOOR = MB  # parts smaller than this may compress as well as they like
_CHUNK = 1 << 20
_OVERLAP = 256
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")
_PLAIN_FORMULA = re.compile(rb"<f[\s>/]")  # (searched for its first two characters, then the full tag)
_PREFIXED_FORMULA = re.compile(rb":f[\s>/]")
_DOCTYPE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*ref="([A-Z]{0,3})(\d*)(?::([A-Z]{1,3})(\d+))?"')
_TAG = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*?)/?>")
# The same tags, with a cell in the form every Office writer uses (``r`` first, then ``s`` and
# ``t``) taken apart by the pattern itself: such a tag is matched where ``_TAG`` matches it and
# ends where ``_TAG``'s match ends, so the scan meets the same tags; any other tag (a row, a cell
# in another form) comes out as ``_TAG``'s two groups and is taken apart attribute by attribute.
_TAGS = re.compile(rb'<(?:\w+:)?(?:c\s+r="([A-Z]{1,3})(\d+)"(?:\s+s="(\d+)")?(?:\s+t="\w*")?\s*/?>'
                   rb"|(row|c)\b([^>]*?)/?>)")
# what proves a chunk plain (see _sheet_facts)
_ALL_BUT_BRACKETS = bytes(c for c in range(256) if c not in b"<>")
_PREFIXED = re.compile(rb":(?:c|row|dimension)\b")  # (anywhere: a tag <x:c>, or text that merely looks like one)
_PLAIN_DIMENSION = re.compile(rb'<dimension\s[^>]*ref="([A-Z]{0,3})(\d*)(?::([A-Z]{1,3})(\d+))?"')
# every row tag (<rowBreaks>: not a row), its number taken when it is in the usual form (an
# empty number: a row in another form)
_PLAIN_ROW = re.compile(rb'<row(?!\w)(?: r="(\d+)"(?: (?:spans|ht|customHeight|s|customFormat|outlineLevel|collapsed'
                        rb'|thickTop|thickBot|ph|x14ac:dyDescent)="[^"<>]*"| hidden="(?:false|0)")*/?>)?')  # (LibreOffice: hidden="false")
_MAX_COLUMN = 18278  # ZZZ, the last column a cell in the usual form may name
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_REF = re.compile(rb"([A-Z]{1,3})(\d+)")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# parts that make a workbook run code or reach outside itself (none is in a template we make)
_ACTIVE = (
    (re.compile(r"(^|/)vbaProject\.bin$|(^|/)vbaData\.xml$", re.I), "macro (VBA)"),
    (re.compile(r"^xl/externalLinks/", re.I), "liên kết tới tệp khác (external link, DDE)"),
    (re.compile(r"^xl/(embeddings|activeX)/", re.I), "đối tượng nhúng (OLE, ActiveX)"),
    (re.compile(r"^xl/connections\.xml$|^xl/queryTables/", re.I), "kết nối dữ liệu ngoài"),
)


@dataclass
class SheetFacts:
    part: str
    rows: int = 0  # the last row the sheet claims (1-based)
    columns: int = 0  # the last column the sheet claims (1-based)
    hidden_rows: list[int] = field(default_factory=list)
    invisible_cells: set[str] = field(default_factory=set)  # A1 references


@dataclass
class PackageFacts:
    sheets: dict[str, SheetFacts] = field(default_factory=dict)  # by sheet name
    parts: tuple[str, ...] = ()  # the names of the package's parts
    read_whole: set[str] = field(default_factory=set)  # parts inflated to their end (their CRC checked)
    formulas: bool = False  # a formula tag in a part under xl/worksheets/


@dataclass(frozen=True)
class _Scanned:
    """What the scan of one part learnt (kept for a part met again byte for byte)."""

    rows: int = 0
    columns: int = 0
    hidden_rows: tuple[int, ...] = ()
    invisible_cells: frozenset[str] = frozenset()
    formulas: bool = False


# Parts already scanned, by (name, worksheet or not, invisible styles, limits): their bytes and
# what the scan learnt. The files of one round share most parts (the list sheet, the guide,
# the styles); one whose bytes are equal to the bytes kept is not scanned again, as the scan
# depends on nothing else. Only parts of at most _SEEN_BYTES are kept, the most recently met
# first, at most _SEEN_PARTS of them and _SEEN_BUDGET bytes in all.
_SEEN: OrderedDict[tuple, tuple[bytes, _Scanned]] = OrderedDict()
_SEEN_PARTS = 48
_SEEN_BYTES = 768 * 1024  # (less than a chunk; the list sheet of 3,000 agencies: 297 KB)
_SEEN_BUDGET = 12 * 1024 * 1024


class _Rejected(Exception):
    def __init__(self, problem: Finding) -> None:
        self.problem = problem


def inspect_package(path: Path, limits: FileLimits) -> tuple[Finding | None, PackageFacts]:
    """(the first limit the file exceeds or None, what was learnt about its sheets)."""
    facts = PackageFacts()
    size = path.stat().st_size
    if size > limits.max_file_mb * MB:
        return finding("file_too_large", size=_mb(size), limit=limits.max_file_mb), facts
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            for info in infos:
                _check_member(info, limits)
            names = {i.filename for i in infos}
            facts.parts = tuple(i.filename for i in infos)
            read: dict[str, bytes] = {}  # the parts read whole so far, by name
            parts = _sheet_parts(zf, names, read)
            invisible = _invisible_styles(zf, names, read)
            by_part = {part: name for name, part in parts.items()}
            for info in infos:
                if info.is_dir():
                    continue
                sheet = by_part.get(info.filename)
                facts_of = SheetFacts(part=info.filename) if sheet is not None else None
                _scan(zf, info, facts_of, invisible, limits, sheet, facts, read)
                if sheet is not None:
                    facts.sheets[sheet] = facts_of
    except _Rejected as exc:
        return exc.problem, facts
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, KeyError,
            SafeET.ParseError, OSError):
        return finding("file_damaged"), facts
    return None, facts


def _mb(n: int) -> str:
    return f"{n / MB:.1f}".replace(".", ",")


def _check_member(info: zipfile.ZipInfo, limits: FileLimits) -> None:
    name = info.filename
    unsafe, what = _name_problem(name)
    if unsafe:
        raise _Rejected(finding("part_name_unsafe", name[:120]))
    if what:
        raise _Rejected(finding("file_active_content", name[:120], what=what))
    if info.file_size > limits.max_part_mb * MB:
        raise _Rejected(finding("part_too_large", part=name[:120], size=_mb(info.file_size), limit=limits.max_part_mb))
    if info.file_size > _RATIO_FLOOR:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_part_ratio:
            raise _Rejected(finding("part_ratio", part=name[:120], ratio=int(ratio), limit=limits.max_part_ratio))


@lru_cache(maxsize=1024)
def _name_problem(name: str) -> tuple[bool, str]:
    """(the name climbs out of the package, what it makes the workbook run or reach; "" if nothing)
    (worked out once per distinct name: every file of a round has the same parts)"""
    pure = PurePosixPath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or ".." in pure.parts or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        return True, ""
    return False, next((what for pattern, what in _ACTIVE if pattern.search(name)), "")


def _read_small(zf: zipfile.ZipFile, name: str, read: dict[str, bytes]) -> bytes:
    data = read[name] = zf.read(name)
    if _not_utf8(data):
        raise _Rejected(finding("xml_not_utf8", part=name))
    if _DOCTYPE.search(data):
        raise _Rejected(finding("xml_entities", part=name))
    return data


def _sheet_parts(zf: zipfile.ZipFile, names: set[str], read: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> worksheet part, from the workbook and its relationships."""
    if "xl/workbook.xml" not in names:
        return {}
    sheets = _sheets_of(_read_small(zf, "xl/workbook.xml", read))
    rels_name = "xl/_rels/workbook.xml.rels"
    targets = _targets_of(_read_small(zf, rels_name, read)) if rels_name in names else {}
    out: dict[str, str] = {}
    for name, rid in sheets:
        part = targets.get(rid)
        if part:
            out[name] = part
    return out


# The workbook part and its relationships, parsed once per distinct content (the files made
# from one template share them).
@lru_cache(maxsize=64)
def _sheets_of(workbook: bytes) -> tuple[tuple[str, str], ...]:
    return tuple((sheet.get("name", ""), sheet.get(f"{_NS_REL}id", ""))
                 for sheet in SafeET.fromstring(workbook).iter(f"{_NS_MAIN}sheet"))


@lru_cache(maxsize=64)
def _targets_of(rels: bytes) -> dict[str, str]:
    targets: dict[str, str] = {}
    for rel in SafeET.fromstring(rels).iter(f"{_NS_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id", "")] = part
    return targets


def _invisible_styles(zf: zipfile.ZipFile, names: set[str], read: dict[str, bytes]) -> frozenset[bytes]:
    """Indexes (as the bytes of the ``s`` attribute) of cell formats whose text cannot be seen."""
    if "xl/styles.xml" not in names:
        return frozenset()
    return _invisible_in(_read_small(zf, "xl/styles.xml", read))


@lru_cache(maxsize=64)
def _invisible_in(styles: bytes) -> frozenset[bytes]:
    """(worked out once per distinct styles part: the files made from one template share it)"""
    root = SafeET.fromstring(styles)
    fonts = [_colour(f.find(f"{_NS_MAIN}color")) for f in root.iterfind(f"{_NS_MAIN}fonts/{_NS_MAIN}font")]
    fills = []
    for fill in root.iterfind(f"{_NS_MAIN}fills/{_NS_MAIN}fill"):
        pattern = fill.find(f"{_NS_MAIN}patternFill")
        solid = pattern is not None and pattern.get("patternType") == "solid"
        fills.append(_colour(pattern.find(f"{_NS_MAIN}fgColor")) if solid else None)
    out: set[bytes] = set()
    for i, xf in enumerate(root.iterfind(f"{_NS_MAIN}cellXfs/{_NS_MAIN}xf")):
        font = _at(fonts, xf.get("fontId"))
        fill = _at(fills, xf.get("fillId"))
        if font is None:
            continue
        if fill is None and font in ("FFFFFF", "theme:0") or fill is not None and font == fill:
            out.add(str(i).encode())
    return frozenset(out)


def _colour(el) -> str | None:
    if el is None:
        return None
    rgb = el.get("rgb")
    if rgb:
        return rgb[-6:].upper()
    theme = el.get("theme")
    return f"theme:{theme}" if theme is not None and el.get("tint") in (None, "0") else None


def _at(items: list, index: str | None):
    try:
        return items[int(index or 0)]
    except (ValueError, IndexError):
        return None


def _scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: SheetFacts | None, invisible: frozenset[bytes],
          limits: FileLimits, sheet_name: str | None, facts: PackageFacts, read: dict[str, bytes]) -> None:
    """Stream one part: refuse entity declarations; for a worksheet, learn its extent, hidden
    rows and invisible cells, refusing as soon as it claims more than the limits. A part whose
    compressed bytes (and CRC and size) equal those of a part of that name already scanned is
    neither inflated nor scanned again: the same deflated bytes inflate to the same part, which
    that scan inflated to its end, against the same CRC (the files of one round share their
    list sheet, theme, relationships). A part read in one chunk whose bytes equal a part of
    that name already scanned is not scanned again; a small part already read whole (``read``)
    is not read again."""
    name = info.filename
    xmlish = name.endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml"
    if not xmlish and sheet is None:
        return
    last = zf.getinfo(name) is info  # (of two parts of one name, readers see the last)
    whole = read.get(name) if last else None
    raw = _deflated_bytes(zf, info) if whole is None and info.file_size <= _SEEN_BYTES else None
    raw_key = (name, sheet is not None, invisible, limits, info.compress_type, info.CRC, info.file_size)
    seen = _SEEN.get(raw_key) if raw is not None else None
    if seen is not None and seen[0] == raw:
        _SEEN.move_to_end(raw_key)
        scanned = seen[1]
    else:
        with nullcontext(BytesIO(whole)) if whole is not None and len(whole) < _CHUNK else zf.open(info) as fh:
            first = fh.read(_CHUNK)
            # (a part smaller than a chunk was read to its end by this first read)
            key = (name, sheet is not None, invisible, limits) if len(first) <= _SEEN_BYTES and raw is None else None
            seen = _SEEN.get(key) if key else None
            if seen is not None and seen[0] == first:
                _SEEN.move_to_end(key)
                scanned = seen[1]
            else:
                scanned = _scan_chunks(chain([first], iter(partial(fh.read, _CHUNK), b"")), name, xmlish,
                                       sheet or SheetFacts(part=name), sheet is not None, invisible, limits,
                                       sheet_name or "")
                if key:
                    _keep(key, first, scanned)
                elif raw is not None:
                    _keep(raw_key, raw, scanned)
    if last:
        facts.read_whole.add(name)
        facts.formulas = facts.formulas or scanned.formulas
    if sheet is not None:
        sheet.rows, sheet.columns = scanned.rows, scanned.columns
        sheet.hidden_rows, sheet.invisible_cells = list(scanned.hidden_rows), set(scanned.invisible_cells)


_LOCAL_HEADER = struct.Struct("<4s4xH16x2H")  # a local file header: signature, method, name and extra lengths


def _deflated_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The part's bytes as the zip holds them (compressed), read past its local header; None
    for an encrypted part, or a local header that is not where the central directory says or
    names another compression."""
    fp = zf.fp
    if fp is None or info.flag_bits & 0x1 or info.compress_size > _SEEN_BYTES:
        return None
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        return None
    signature, method, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04" or method != info.compress_type:
        return None
    fp.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    data = fp.read(info.compress_size)
    return data if len(data) == info.compress_size else None


def _keep(key: tuple, data: bytes, scanned: _Scanned) -> None:
    global _seen_total
    old = _SEEN.pop(key, None)
    _seen_total += len(data) - (len(old[0]) if old else 0)
    _SEEN[key] = (data, scanned)
    while len(_SEEN) > _SEEN_PARTS or _seen_total > _SEEN_BUDGET:
        _seen_total -= len(_SEEN.popitem(last=False)[1][0])


_seen_total = 0  # bytes of the parts in _SEEN


def _scan_chunks(chunks: Iterable[bytes], name: str, xmlish: bool, sheet: SheetFacts, is_sheet: bool,
                 invisible: frozenset[bytes], limits: FileLimits, sheet_name: str) -> _Scanned:
    tail = b""
    row_count = 0
    formulas = False
    look_for_formulas = name.startswith("xl/worksheets/") and name.endswith(".xml")
    for chunk in chunks:
        if not chunk:
            break
        if not tail and xmlish and _not_utf8(chunk):  # where a UTF-16 DOCTYPE would hide
            raise _Rejected(finding("xml_not_utf8", part=name[:120]))
        buf = tail + chunk
        if _DOCTYPE.search(buf):
            raise _Rejected(finding("xml_entities", part=name[:120]))
        if is_sheet:
            cut = buf.rfind(b">") + 1 if len(chunk) == _CHUNK else len(buf)
            seen = buf[:cut]
            row_count = _sheet_facts(seen, sheet, invisible, row_count)
            _enforce(sheet, limits, sheet_name)
            tail = buf[cut:]
            if len(tail) > _CHUNK:  # one tag larger than a chunk: nothing an Office writer makes
                raise _Rejected(finding("file_damaged"))
        else:
            seen = buf
            tail = buf[-_OVERLAP:]
        formulas = formulas or look_for_formulas and _has_formula(seen)
    return _Scanned(sheet.rows, sheet.columns, tuple(sheet.hidden_rows), frozenset(sheet.invisible_cells), formulas)


def _has_formula(data: bytes) -> bool:
    """A formula tag (``<f>``, ``<x:f ...>``) in the data."""
    return _PLAIN_FORMULA.search(data) is not None or _PREFIXED_FORMULA.search(data) is not None and (
        _FORMULA_TAG.search(data) is not None)


def _not_utf8(head: bytes) -> bool:
    """An XML part in another encoding than UTF-8 (Office writes only UTF-8)."""
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:64]


def _sheet_facts(data: bytes, sheet: SheetFacts, invisible: frozenset[bytes], row_count: int) -> int:
    """Learn from one chunk of a worksheet (whole tags) its extent, hidden rows and invisible
    cells; returns the number of rows met so far.

    Most chunks are proved plain by scans that stop only where a row or cell starts: no ``<``
    inside a tag (so every tag runs from its ``<`` to the next ``>``, and a tag any pattern
    finds is a tag :func:`_tag_facts` meets), no row, cell or dimension with a namespace
    prefix, every row in the usual form (``r`` first, no ``hidden``, nothing else that could be
    read as ``r``), every cell in the usual form (``_TAGS``' first branch) within the extent
    the dimension and the rows claim, and without an invisible style. Such a chunk teaches only
    the dimension and its rows' numbers, as :func:`_tag_facts` would learn them; any other chunk
    is read tag by tag."""
    if b"<<" in data.translate(None, _ALL_BUT_BRACKETS) or _PREFIXED.search(data):
        return _tag_facts(data, sheet, invisible, row_count)
    columns, rows = _dimension(data, sheet.columns, sheet.rows, _PLAIN_DIMENSION)
    numbers = _PLAIN_ROW.findall(data)
    if b"" in numbers:
        return _tag_facts(data, sheet, invisible, row_count)
    if numbers:
        rows = max(rows, max(map(int, numbers)))
    if _odd_cell(columns, rows, invisible).search(data):
        return _tag_facts(data, sheet, invisible, row_count)
    sheet.columns, sheet.rows = columns, rows
    return int(numbers[-1]) if numbers else row_count


def _dimension(data: bytes, columns: int, rows: int, pattern: re.Pattern[bytes] = _DIMENSION) -> tuple[int, int]:
    """(columns, rows) raised to what the chunk's ``<dimension>`` claims."""
    for m in pattern.finditer(data):
        last_col, last_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
        if last_col:
            columns = max(columns, column_index(last_col.decode()))
        if last_row:
            rows = max(rows, int(last_row))
    return columns, rows


@lru_cache(maxsize=256)
def _odd_cell(columns: int, rows: int, invisible: frozenset[bytes]) -> re.Pattern[bytes]:
    """A cell tag that is not in the usual form (``_TAGS``' first branch: ``<c r="`` first; ``<col>``,
    ``<cfRule>`` are not cells), or lies beyond ``columns`` x ``rows``, or has one of the
    ``invisible`` styles."""
    column = _not_above(column_letter(min(columns, _MAX_COLUMN)).encode(), b"A-Z", b"A-Z")
    row = _not_above(str(rows).encode(), b"1-9", b"0-9")
    shown = b"|".join(sorted(re.escape(s) for s in invisible if s))
    style = rb'(?: s="' + (rb'(?!(?:' + shown + rb')")' if shown else b"") + rb'\d++")?+'
    return re.compile(rb'<c(?!\w)(?! r="' + column + row + b'"' + style + rb'(?: t="\w*+")?+/?>)')  # (possessive: no going back)


def _not_above(top: bytes, first: bytes, rest: bytes) -> bytes:
    """A pattern for the numerals at most ``top`` (decimal without leading zero: ``first``
    ``1-9``, ``rest`` ``0-9``; column letters: both ``A-Z``). Numerals of one length compare as
    text, and a shorter one is the smaller; an empty ``top`` (0) allows none."""
    if not top:
        return b"(?!)"
    shorter = [b"[" + first + b"][" + rest + b"]{0,%d}" % (len(top) - 2)] if len(top) > 1 else []
    same = [top]  # (tried first: most numerals have the length of the largest)
    for i, ch in enumerate(top):
        low = (first if i == 0 else rest)[:1]
        if ch > low[0]:
            below = low if ch - 1 == low[0] else low + b"-" + bytes([ch - 1])
            same.append(re.escape(top[:i]) + b"[" + below + b"]" + (b"[" + rest + b"]{%d}" % (len(top) - i - 1)
                                                                     if i < len(top) - 1 else b""))
    return b"(?:" + b"|".join(same + shorter) + b")"


def _tag_facts(data: bytes, sheet: SheetFacts, invisible: set[bytes], row_count: int) -> int:
    """The facts of one chunk, tag by tag (any form of tag)."""
    sheet.columns, sheet.rows = _dimension(data, sheet.columns, sheet.rows)
    tags = _TAGS.findall(data)
    if not tags:
        return row_count
    cols, rows, styles, names, _ = zip(*tags)  # cells in the usual form: letters, numbers, style
    columns, numbers = set(cols), set(rows)
    hidden = invisible - {b""}  # (a cell in the usual form without ``s`` has an empty group)
    if hidden:
        sheet.invisible_cells.update((c + r).decode() for c, r in compress(zip(cols, rows), map(hidden.__contains__, styles)))
    current_row = row_count
    for name, attributes in (tags[i][3:] for i in compress(range(len(tags)), names)):  # rows, cells in other forms
        attrs = dict(_ATTR.findall(attributes))
        if name == b"row":
            row_count += 1
            r = attrs.get(b"r")
            current_row = int(r) if r and r.isdigit() else row_count
            row_count = current_row
            sheet.rows = max(sheet.rows, current_row)
            if attrs.get(b"hidden") in (b"1", b"true"):
                sheet.hidden_rows.append(current_row)
            continue
        ref = _REF.fullmatch(attrs.get(b"r", b""))
        if ref:
            columns.add(ref.group(1))
            numbers.add(ref.group(2))
            if invisible and attrs.get(b"s") in invisible:
                sheet.invisible_cells.add(ref.group(0).decode())
    columns.discard(b"")
    numbers.discard(b"")
    if columns:
        sheet.columns = max(sheet.columns, max(column_index(c.decode()) for c in columns))
    if numbers:
        sheet.rows = max(sheet.rows, max(int(r) for r in numbers))
    return row_count


def _enforce(sheet: SheetFacts, limits: FileLimits, name: str) -> None:
    if sheet.rows > limits.max_rows:
        raise _Rejected(finding("sheet_too_many_rows", sheet=name, rows=sheet.rows, limit=limits.max_rows)
                        .at(sheet=name))
    if sheet.columns > limits.max_columns:
        raise _Rejected(finding("sheet_too_many_columns", sheet=name, columns=column_letter(sheet.columns), limit=limits.max_columns)
                        .at(sheet=name))


__all__ = ["PackageFacts", "SheetFacts", "inspect_package"]
