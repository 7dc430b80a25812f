"""The cached points of a chart's series (``<c:numCache>``, ``<c:strCache>``) from the cells a
write plan writes.

A chart stores, beside each reference (``<c:f>'Tổng hợp'!$C$21:$C$51</c:f>``), the values it
last saw. Excel shows those until it recalculates — in Protected View (files from e-mail), in
previewers and phone apps they are all a chart has. When the plan writes every cell of a
referenced range, the cache is rebuilt from the values written (a formula's cached value), so
the chart shows what the cells show; a range the plan does not wholly write keeps its cache.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from lxml import etree

from ..core.plan import CellValue, Formula
from ..core.periods import date_to_excel_serial

NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
C = f"{{{NS_CHART}}}"
_PARSER = etree.XMLParser(huge_tree=True, remove_blank_text=False)
_AREA = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")

#: (sheet, row, column) -> the value the plan leaves there, or None when the plan does not write it
Lookup = Callable[[str, int, int], "tuple[bool, CellValue]"]


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _area(ref: str) -> tuple[str, list[tuple[int, int]]] | None:
    m = _AREA.match(ref.strip())
    if m is None:
        return None
    sheet = (m.group(1) or "").replace("''", "'") if m.group(1) else m.group(2)
    c1, r1 = _col(m.group(3)), int(m.group(4))
    c2, r2 = (_col(m.group(5)), int(m.group(6))) if m.group(5) else (c1, r1)
    if c1 != c2 and r1 != r2:
        return None  # a chart series is one row or one column
    return sheet, [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _shown(value: CellValue):
    if isinstance(value, Formula):
        value = value.cached
    if isinstance(value, (dt.date, dt.datetime)):
        return date_to_excel_serial(value if not isinstance(value, dt.datetime) else value.date())
    return value


def _number(v) -> str | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def refresh(xml: bytes, lookup: Lookup) -> bytes:
    """The chart part with the caches of the ranges ``lookup`` knows every cell of rebuilt."""
    root = etree.fromstring(xml, _PARSER)
    changed = False
    for ref_el in [*root.iter(f"{C}numRef"), *root.iter(f"{C}strRef")]:
        f = ref_el.find(f"{C}f")
        area = _area(f.text) if f is not None and f.text else None
        if area is None:
            continue
        sheet, cells = area
        found = [lookup(sheet, r, c) for r, c in cells]
        if not all(known for known, _ in found):
            continue
        values = [_shown(v) for _, v in found]
        numeric = etree.QName(ref_el).localname == "numRef"
        tag = "numCache" if numeric else "strCache"
        old = ref_el.find(f"{C}{tag}")
        cache = etree.Element(f"{C}{tag}")
        if numeric:
            code = old.find(f"{C}formatCode") if old is not None else None
            etree.SubElement(cache, f"{C}formatCode").text = code.text if code is not None else "General"
        etree.SubElement(cache, f"{C}ptCount", val=str(len(values)))
        for idx, v in enumerate(values):
            text = _number(v) if numeric else ("" if v is None else (_number(v) or str(v)))
            if text is None:
                continue  # an empty or text cell is no point of a number series
            pt = etree.SubElement(cache, f"{C}pt", idx=str(idx))
            etree.SubElement(pt, f"{C}v").text = text
        if old is not None:
            old.addprevious(cache)
            ref_el.remove(old)
        else:
            ref_el.append(cache)
        changed = True
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) if changed else xml
