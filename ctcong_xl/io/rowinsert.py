"""Insert rows into a worksheet of an .xlsx/.xlsm package, as Excel does when a clerk inserts
rows (Home → Insert → Insert Sheet Rows), at the XML level.

Rows from ``before`` down move ``count`` rows lower; the new rows take the formats of the row
above them (Excel's "format same as above"). Everything that points at the moved rows follows,
so hand edits keep pointing where they pointed:

* in the sheet: its cells and rows, the references of its formulas (also shared-formula and
  array ranges), merged cells, conditional formats and data validations (ranges and formulas),
  hyperlinks, manual page breaks, the used range, the selection, an autoFilter;
* its drawing (charts and pictures anchored to cells: an object that spans the insertion point
  grows, as in Excel) and its comments (the notes and their VML shapes);
* every chart of the package (``<c:f>`` series references), every defined name (print area,
  print titles, a clerk's names), and the formulas of the other sheets that name this sheet.

A reference to a range that contains the insertion point grows, one below it moves, one above
it stays — Excel's rule. Tables (``<tableParts>``) are not moved: a sheet with a table is refused.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from lxml import etree

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
M = f"{{{NS_MAIN}}}"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_PARSER = etree.XMLParser(huge_tree=True, remove_blank_text=False)

# A formula, token by token: string literals and structured references are skipped; a cell,
# area or row-range reference, with its sheet prefix when it has one, is what moves.
_TOKEN = re.compile(
    r'"(?:[^"]|"")*"'
    r"|\[(?:[^\[\]]|\[[^\]]*\])*\]"
    r"|(?P<sheet>'(?:[^']|'')+'!|(?<![\w.])[^\W\d][\w.]*!)?"
    r"(?<![\w.$])(?P<ref>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?|\$?\d+:\$?\d+)(?![\w(!])"
)
_CELL = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)$")
_ROW = re.compile(r"(\$?)(\d+)$")


class RowInsertError(Exception):
    """The sheet holds something the row insertion does not move (a table)."""


def _shift_part(part: str, before: int, count: int) -> str:
    m = _CELL.match(part)
    if m:
        row = int(m.group(4))
        return f"{m.group(1)}{m.group(2)}{m.group(3)}{row + count if row >= before else row}"
    m = _ROW.match(part)
    if m:
        row = int(m.group(2))
        return f"{m.group(1)}{row + count if row >= before else row}"
    return part


def shift_ref(ref: str, before: int, count: int) -> str:
    """``A5``, ``$C$21:$C$51`` or ``20:30`` after ``count`` rows were inserted above row ``before``."""
    return ":".join(_shift_part(p, before, count) for p in ref.split(":"))


def shift_sqref(sqref: str, before: int, count: int) -> str:
    return " ".join(shift_ref(r, before, count) for r in sqref.split())


def _sheet_of(prefix: str) -> str:
    name = prefix[:-1]
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


def shift_formula(text: str, before: int, count: int, target: str, own: str | None) -> str:
    """The formula ``text`` (of a cell on sheet ``own``; None: a workbook-level formula) with
    its references to sheet ``target`` moved."""
    folded = target.casefold()

    def repl(m: re.Match) -> str:
        ref = m.group("ref")
        if ref is None:
            return m.group(0)
        prefix = m.group("sheet")
        sheet = _sheet_of(prefix) if prefix else own
        if sheet is None or sheet.casefold() != folded:
            return m.group(0)
        return (prefix or "") + shift_ref(ref, before, count)

    return _TOKEN.sub(repl, text)


# ---------------------------------------------------------------- the sheet itself


def _cell_row(ref: str) -> int:
    return int(_CELL.match(ref).group(4))


def shift_sheet(xml: bytes, sheet: str, before: int, count: int) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    if root.find(f"{M}tableParts") is not None and len(root.find(f"{M}tableParts")):
        raise RowInsertError(f"Trang “{sheet}” có bảng (Table) của Excel; không chèn được dòng.")
    data = root.find(f"{M}sheetData")
    rows = list(data.iter(f"{M}row")) if data is not None else []
    above = None
    for row in rows:
        r = int(row.get("r"))
        if r < before:
            above = row if r == before - 1 else above
            continue
        row.set("r", str(r + count))
        for c in row.iter(f"{M}c"):
            ref = c.get("r")
            m = _CELL.match(ref)
            c.set("r", f"{m.group(2)}{int(m.group(4)) + count}")
    for f in root.iter(f"{M}f"):
        if f.text:
            f.text = shift_formula(f.text, before, count, sheet, sheet)
        if f.get("ref"):
            f.set("ref", shift_ref(f.get("ref"), before, count))
    if data is not None:
        _new_rows(data, rows, above, before, count)
    for tag, attr in (("mergeCell", "ref"), ("hyperlink", "ref"), ("autoFilter", "ref"), ("dimension", "ref"),
                      ("conditionalFormatting", "sqref"), ("dataValidation", "sqref"), ("selection", "sqref"),
                      ("selection", "activeCell")):
        for el in root.iter(f"{M}{tag}"):
            if el.get(attr):
                el.set(attr, shift_sqref(el.get(attr), before, count))
    for tag in ("formula", "formula1", "formula2"):
        for el in root.iter(f"{M}{tag}"):
            if el.text:
                el.text = shift_formula(el.text, before, count, sheet, sheet)
    breaks = root.find(f"{M}rowBreaks")
    for brk in breaks if breaks is not None else ():
        n = int(brk.get("id", "0"))  # a break below row n
        if n >= before:
            brk.set("id", str(n + count))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _new_rows(data, rows, above, before: int, count: int) -> None:
    """The inserted rows, with the row above's height and formats (its cells' styles only)."""
    at = next((row for row in rows if int(row.get("r")) >= before + count), None)
    for r in range(before, before + count):
        row = etree.Element(f"{M}row", r=str(r))
        if above is not None:
            for attr in ("s", "customFormat", "ht", "customHeight"):
                if above.get(attr) is not None:
                    row.set(attr, above.get(attr))
            for c in above.iter(f"{M}c"):
                if c.get("s"):
                    etree.SubElement(row, f"{M}c", r=f"{_CELL.match(c.get('r')).group(2)}{r}", s=c.get("s"))
        if at is None:
            data.append(row)
        else:
            at.addprevious(row)


# ---------------------------------------------------------------- what points at the sheet


def _rels_of(part: str, read: Callable[[str], bytes | None]) -> dict[str, str]:
    """Relationship type (last path segment) -> target part, of ``part``."""
    folder, name = posixpath.split(part)
    data = read(f"{folder}/_rels/{name}.rels")
    if data is None:
        return {}
    out = {}
    for r in etree.fromstring(data, _PARSER):
        target = r.get("Target", "")
        out.setdefault(r.get("Type", "").rsplit("/", 1)[-1],
                       target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target)))
    return out


def shift_drawing(xml: bytes, before: int, count: int) -> bytes:
    """Anchors of a sheet's drawing (0-based rows): an object spanning the insertion grows."""
    root = etree.fromstring(xml, _PARSER)
    for tag in ("from", "to"):
        for anchor in root.iter(f"{{{NS_XDR}}}{tag}"):
            row = anchor.find(f"{{{NS_XDR}}}row")
            if row is not None and int(row.text) >= before - 1:
                row.text = str(int(row.text) + count)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def shift_comments(xml: bytes, before: int, count: int) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    for c in root.iter(f"{M}comment"):
        c.set("ref", shift_ref(c.get("ref"), before, count))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_VML_ROW = re.compile(r"(<x:Row>)(\d+)(</x:Row>)")
_VML_ANCHOR = re.compile(r"(<x:Anchor>)([^<]*)(</x:Anchor>)")


def shift_vml(text: str, before: int, count: int) -> str:
    """The note shapes of a VML drawing: their row (0-based) and the rows of their anchor."""
    def row(m: re.Match) -> str:
        n = int(m.group(2))
        return f"{m.group(1)}{n + count if n >= before - 1 else n}{m.group(3)}"

    def anchor(m: re.Match) -> str:
        parts = [p.strip() for p in m.group(2).split(",")]
        if len(parts) == 8:
            for i in (2, 6):
                if int(parts[i]) >= before - 1:
                    parts[i] = str(int(parts[i]) + count)
        return f"{m.group(1)}{', '.join(parts)}{m.group(3)}"

    return _VML_ANCHOR.sub(anchor, _VML_ROW.sub(row, text))


def _shift_formula_elements(xml: bytes, tags: tuple[str, ...], target: str, own: str | None, before: int,
                            count: int) -> bytes:
    """The part with the formula texts of its elements ``tags`` (Clark names) moved; the bytes
    as they were when nothing moved."""
    root = etree.fromstring(xml, _PARSER)
    changed = False
    for tag in tags:
        for el in root.iter(tag):
            if el.text:
                new = shift_formula(el.text, before, count, target, own)
                changed = changed or new != el.text
                el.text = new
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) if changed else xml


def shift_chart(xml: bytes, sheet: str, before: int, count: int) -> bytes:
    """The series references (``<c:f>``) of a chart."""
    return _shift_formula_elements(xml, (f"{{{NS_CHART}}}f",), sheet, None, before, count)


def shift_defined_names(xml: bytes, sheet: str, before: int, count: int) -> bytes:
    return _shift_formula_elements(xml, (f"{M}definedName",), sheet, None, before, count)


def insert_rows(parts: dict[str, str], read: Callable[[str], bytes | None], write: Callable[[str, bytes], None],
                chart_parts: list[str], sheet: str, before: int, count: int) -> None:
    """Insert ``count`` rows above row ``before`` of ``sheet`` (``parts``: sheet name -> part;
    ``read(part)`` the current bytes of a part or None, ``write(part, data)`` its new bytes)."""
    if count <= 0:
        return
    part = parts[sheet]
    write(part, shift_sheet(read(part), sheet, before, count))
    rels = _rels_of(part, read)
    if "drawing" in rels and read(rels["drawing"]) is not None:
        write(rels["drawing"], shift_drawing(read(rels["drawing"]), before, count))
    if "comments" in rels and read(rels["comments"]) is not None:
        write(rels["comments"], shift_comments(read(rels["comments"]), before, count))
    if "vmlDrawing" in rels and read(rels["vmlDrawing"]) is not None:
        vml = read(rels["vmlDrawing"])
        write(rels["vmlDrawing"], shift_vml(vml.decode("utf-8"), before, count).encode("utf-8"))
    for chart in chart_parts:
        write(chart, shift_chart(read(chart), sheet, before, count))
    write("xl/workbook.xml", shift_defined_names(read("xl/workbook.xml"), sheet, before, count))
    needle = sheet.encode("utf-8")
    for other, other_part in parts.items():
        if other != sheet and needle in (read(other_part) or b""):
            write(other_part, _shift_other_sheet(read(other_part), sheet, other, before, count))


def _shift_other_sheet(xml: bytes, target: str, own: str, before: int, count: int) -> bytes:
    return _shift_formula_elements(xml, tuple(f"{M}{t}" for t in ("f", "formula", "formula1", "formula2")),
                                   target, own, before, count)


__all__ = ["RowInsertError", "insert_rows", "shift_formula", "shift_ref"]
