"""Worksheet XML as Excel stores it after a clerk's hand edits, made safe to rewrite cell by cell.

Excel keeps some cells in forms that tie several ``<c>`` elements together:

* a **shared formula** (a formula filled down or across): the group's first cell holds
  ``<f t="shared" ref="F2:F24" si="0">A2+1</f>``, every other cell only ``<f t="shared" si="0"/>``.
  Replacing the first cell leaves the others pointing at a group that no longer exists, and
  Excel repairs the file ("Removed Records: Formula").
* an **array formula** (``<f t="array" ref="G2:G5">``, a legacy Ctrl+Shift+Enter formula or a
  dynamic-array spill marked with ``cm``) and a **data table** (``t="dataTable"``): one formula
  owns a rectangle; writing into part of it is what Excel itself refuses ("You can't change part
  of an array").
* **rich text** and **rich values**: a cell's text in formatted runs (``<is><r>…</r></is>`` or
  a shared string with runs) and ``vm`` (a rich value such as a picture in a cell) — a value
  the tool writes must not keep ``vm``/``cm`` metadata that describe the old content.

:func:`release_cells` is the pre-pass the writer (:mod:`ctcong_xl.io.xlsxpatch`) runs once
over a worksheet before it touches any cell: every group that meets a rectangle the plan writes
is turned into plain cells first (a shared formula into one formula per cell, translated to
its position; an array or data table into its last values), so that each cell can then be
rewritten on its own. Groups the plan does not meet are left exactly as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
M = f"{{{NS_MAIN}}}"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


@dataclass(frozen=True)
class Rect:
    """A rectangle of cells, 1-based and inclusive."""

    row1: int
    col1: int
    row2: int
    col2: int

    def meets(self, other: Rect) -> bool:
        return not (other.row2 < self.row1 or other.row1 > self.row2 or other.col2 < self.col1
                    or other.col1 > self.col2)

    def holds(self, row: int, col: int) -> bool:
        return self.row1 <= row <= self.row2 and self.col1 <= col <= self.col2


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def cell_position(ref: str) -> tuple[int, int]:
    """``"F12"`` -> (12, 6)."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_number(m.group(1))


def parse_range(ref: str) -> Rect:
    """``"F2:F24"`` or ``"F2"`` -> Rect."""
    first, _, last = ref.partition(":")
    r1, c1 = cell_position(first)
    r2, c2 = cell_position(last) if last else (r1, c1)
    return Rect(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


def release_cells(sheet_data: etree._Element, rects: Iterable[Rect]) -> int:
    """Make every cell of ``rects`` independent of other cells (see module docstring). Returns
    how many groups were released (shared-formula groups, arrays, data tables)."""
    rects = list(rects)
    if not rects:
        return 0
    shared_anchor: dict[str, etree._Element] = {}
    shared_members: dict[str, list[etree._Element]] = {}
    shared_touched: set[str] = set()
    blocks: list[etree._Element] = []  # <f> of arrays / data tables that meet a rect
    for c in sheet_data.iter(f"{M}c"):
        f = c.find(f"{M}f")
        ref = c.get("r")
        if f is None:
            if c.get("vm") is not None or c.get("cm") is not None:
                if ref and _in_any(ref, rects):
                    _drop_metadata(c)
            continue
        kind = f.get("t")
        if kind == "shared":
            si = f.get("si")
            if si is None:
                continue
            shared_members.setdefault(si, []).append(c)
            if f.get("ref") is not None and (f.text or "").strip():
                shared_anchor[si] = c
                if any(parse_range(f.get("ref")).meets(r) for r in rects):
                    shared_touched.add(si)
            elif ref and _in_any(ref, rects):
                shared_touched.add(si)
        elif kind in ("array", "dataTable"):
            area = f.get("ref") or ref
            if area and any(parse_range(area).meets(r) for r in rects):
                blocks.append(c)
        elif ref and _in_any(ref, rects):
            _drop_metadata(c)
    for si in shared_touched:
        _expand_shared(shared_anchor.get(si), shared_members.get(si, []))
    for c in blocks:
        _break_block(c)
    return len(shared_touched) + len(blocks)


def _in_any(ref: str, rects: list[Rect]) -> bool:
    try:
        row, col = cell_position(ref)
    except ValueError:
        return False
    return any(r.holds(row, col) for r in rects)


def _expand_shared(anchor: etree._Element | None, members: list[etree._Element]) -> None:
    """One plain formula per member cell, the anchor's text translated to the member's place.
    A member whose anchor is missing (a broken group) keeps only its cached value."""
    from openpyxl.formula.translate import Translator, TranslatorError  # only for a group the plan meets

    text = None
    origin = None
    if anchor is not None:
        text = "=" + anchor.find(f"{M}f").text.strip()
        origin = anchor.get("r")
    for c in members:
        f = c.find(f"{M}f")
        if text is None or origin is None:
            c.remove(f)
            continue
        own = c.get("r")
        translated = text
        if own != origin:
            try:
                translated = Translator(text, origin=origin).translate_formula(own)
            except (TranslatorError, ValueError):
                c.remove(f)
                continue
        for attr in ("t", "si", "ref"):
            f.attrib.pop(attr, None)
        f.text = translated[1:]


def _break_block(anchor: etree._Element) -> None:
    """An array formula or data table the plan writes into: every cell of it keeps the value it
    shows (the anchor loses its formula), so each can be rewritten on its own."""
    f = anchor.find(f"{M}f")
    if f is not None:
        anchor.remove(f)
    _drop_metadata(anchor)


def _drop_metadata(c: etree._Element) -> None:
    for attr in ("cm", "vm"):
        c.attrib.pop(attr, None)
