"""The last row that holds a value, of sheets whose contents a run does not need.

The master's logs (the history of changes, the validation log) grow with every run, and a run
only appends to them: it needs the row after the last one, not the rows. Reading such a sheet
cell by cell (python-calamine) costs time in proportion to the whole log; this reads its XML
backwards from the end and stops at the first row that holds a value.

A value is what the cell reader gives as a non-empty value: a number (a date is one), a
boolean, a non-empty text; an error reads as empty. Where that cannot be told from the row alone (a shared string, whose
text lives in another part; a namespace prefix; a row without its number) the sheet is left to
the cell reader: :func:`last_rows` returns only the sheets it is sure of.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from .xlsxpatch import sheet_parts

_PREFIXED = re.compile(rb"<\w+:(?:row|c|sheetData)\b")
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_ROW_NUMBERS = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_TYPE = re.compile(rb'\st="([^"]*)"')
_VALUE = re.compile(rb"<v\b[^>]*?(?:/>|>(.*?)</v>)", re.S)
_TEXT = re.compile(rb"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)


class _Unsure(Exception):
    pass


def last_rows(path: Path, names: Iterable[str]) -> dict[str, int]:
    """Sheet name -> its last row holding a value (1 for a sheet without any), for the sheets of
    ``names`` in the workbook whose rows this module can tell for sure."""
    out: dict[str, int] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            parts = sheet_parts(zf)
            for name in names:
                if name in parts:
                    try:
                        out[name] = last_row(zf.read(parts[name]))
                    except _Unsure:
                        pass
    except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        return {}  # the cell reader reads the sheets (and says what is wrong with the file)
    return out


def last_row(xml: bytes) -> int:
    """The last row of a worksheet's XML that holds a value (1 when none does); raises
    :class:`_Unsure` where the rows alone cannot tell."""
    start = xml.find(b"<sheetData")
    if start < 0 or _PREFIXED.search(xml) or xml.find(b"<!", start) >= 0:  # (a comment, CDATA)
        raise _Unsure
    end = xml.rfind(b"</sheetData>")
    if end < 0:  # <sheetData/>: no rows
        return 1
    numbers = [int(n) for n in _ROW_NUMBERS.findall(xml, start, end)]
    if any(a >= b for a, b in zip(numbers, numbers[1:])):
        raise _Unsure  # rows out of order: the last in the file is not the lowest in the sheet
    pos = end
    while True:
        at = xml.rfind(b"<row", start, pos)
        if at < 0:
            return 1
        head = _ROW_NUMBER.match(xml, at)
        if head is None or xml[at + 4:at + 5] not in (b" ", b"\t", b"\n", b"\r"):
            raise _Unsure
        if _holds_value(xml[at:pos]):
            return int(head.group(1))
        pos = at


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3})\d+"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_PLAIN_FORMULA = re.compile(rb"<f>([^<]*)</f>")
_ENTITIES = ((b"&lt;", b"<"), (b"&gt;", b">"), (b"&quot;", b'"'), (b"&apos;", b"'"), (b"&amp;", b"&"))


def row_formulas(path: Path, sheet: str, row: int) -> dict[str, str] | None:
    """Column letters -> the text of the formula of each cell of row ``row`` of ``sheet`` that
    holds a plain one (as Excel and this tool write it); None where the row cannot be told that
    way (not found as ``<row r="…">``, a shared or array formula, a character reference). The
    sheet is read only as far as the row."""
    try:
        text = _row_xml(path, sheet, row)
    except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        return None
    if text is None or _PREFIXED.search(text):
        return None
    out: dict[str, str] = {}
    for m in _FORMULA_CELL.finditer(text):
        content = m.group(2) or b""
        if b"<f" not in content:
            continue
        f = _PLAIN_FORMULA.search(content)
        if f is None or b"&#" in f.group(1):
            return None
        value = f.group(1)
        for entity, char in _ENTITIES:
            value = value.replace(entity, char)
        out[m.group(1).decode()] = value.decode("utf-8")
    return out


def _row_xml(path: Path, sheet: str, row: int) -> bytes | None:
    """The XML of one row (from ``<row`` to ``</row>``; b"" for an empty ``<row …/>``), read
    from the start of the sheet's part only as far as it."""
    tag = b'<row r="%d"' % row
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
        if sheet not in parts:
            return None
        with zf.open(parts[sheet]) as fh:
            buf = bytearray()
            at = -1
            while True:
                chunk = fh.read(1 << 16)
                searched = max(0, len(buf) - 32)
                buf += chunk
                if at < 0:
                    at = buf.find(tag, max(0, searched - len(tag)))
                    if at < 0 and buf.find(b"</sheetData>", searched) >= 0:
                        return None
                if at >= 0:
                    gt = buf.find(b">", at)
                    if gt >= 0 and buf[at + len(tag)] not in b" \t\r\n/>":
                        return None  # another row whose number starts with the same digits: not this form
                    if gt >= 0 and buf[gt - 1] == ord("/"):
                        return b""
                    end = buf.find(b"</row>", gt) if gt >= 0 else -1
                    if end >= 0:
                        return bytes(buf[at:end])
                if not chunk:
                    return None


def _holds_value(row: bytes) -> bool:
    for m in _CELL.finditer(row):
        content = m.group(2)
        if not content:
            continue
        t = _TYPE.search(m.group(1))
        kind = t.group(1) if t else b"n"
        if kind == b"inlineStr":
            if any(x.group(1) for x in _TEXT.finditer(content)):
                return True
            continue
        v = _VALUE.search(content)
        if v is None or not v.group(1) or kind == b"e":  # an error reads as an empty value
            continue
        if kind == b"str":
            return True
        if kind == b"n" and _is_number(v.group(1)) or kind == b"b" and v.group(1) in (b"0", b"1"):
            return True
        raise _Unsure  # a shared string (its text is in another part), a date as text, an odd cell
    return False


def _is_number(text: bytes) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


__all__ = ["last_row", "last_rows", "row_formulas"]
