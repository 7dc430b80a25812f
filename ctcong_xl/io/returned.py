"""The annotated copy of a faulty file, ready to e-mail back to its agency.

The copy is the agency's own workbook — its package patched by :mod:`.annotate`, every part
this copy does not change (values, formats, dropdowns, protection, the hidden metadata that
lets the corrected file be recognised when it comes back, drawings) kept byte for byte — with:

* every formula of the agency's written back as its text (the copy is opened at the Office too:
  nothing in it may run), and no VBA project;
* every cell that has a finding filled (light red for an error, light yellow for a warning)
  and a comment giving the Vietnamese message and how to fix it;
* a new FIRST sheet ``Lỗi cần sửa`` listing every finding (sheet, cell with a link to it,
  severity, message, hint), so no row of the form shifts; a copy sent back again gets its list
  replaced.

A file that cannot be opened or patched as a workbook at all (not Excel, an old format,
encrypted, damaged) gets a small new workbook with only the list. The name is
``<stem>_CanSua.xlsx``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..core.findings import Finding
from ..core.forms import column_letter
from ..core.layout import SEVERITY_TEXT
from ..core.text import safe_file_stem, xml_safe
from .annotate import Annotation, skeleton
from .templates import row_height
from .xlsxpatch import NS_MAIN, cell_content

LIST_SHEET = "Lỗi cần sửa"
SUFFIX = "_CanSua"
AUTHOR = "Văn phòng UBND tỉnh"
FONT = "Times New Roman"
ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
HEADER_FILL = "D9E1F2"
LIST_HEADERS = ("STT", "Trang", "Ô", "Mức độ", "Lỗi", "Cách sửa", "Giá trị trong ô")
LIST_WIDTHS = (6, 18, 8, 10, 60, 60, 28)
HEAD_ROW = 4
_CELL = re.compile(r"^([A-Z]{1,3})([1-9]\d{0,6})$")


def returned_name(path: Path) -> str:
    """``<stem>_CanSua.xlsx``; a stem with control characters or too long for the disk is made
    safe (:func:`~ctcong_xl.core.text.safe_file_stem`)."""
    return f"{safe_file_stem(Path(path).stem)}{SUFFIX}.xlsx"


def write_returned(path: Path, findings: list[Finding], out_dir: Path, *, annotate: bool = True) -> Path:
    """Write the annotated copy of ``path`` into ``out_dir`` and return its path. With
    ``annotate=False`` (a file refused unread, see :data:`~ctcong_xl.core.messages.REFUSED_UNREAD`)
    the agency's file is not opened and the copy holds the list only."""
    path, out_dir = Path(path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / returned_name(path)
    ordered = sorted(findings, key=_order)
    data = None
    if annotate:
        try:
            data = annotated_copy(path.read_bytes(), path.name, ordered)
        except Exception:  # noqa: BLE001 - not a workbook this door can patch (any reason): the list alone
            data = None
    if data is None:
        data = annotated_copy(skeleton(LIST_SHEET, FONT), path.name, ordered)
    tmp = out.with_name("." + out.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def annotated_copy(package: bytes, file_name: str, ordered: Sequence[Finding]) -> bytes:
    """The package with its cells marked and the list of findings as its first sheet."""
    book = Annotation(package, AUTHOR)
    fills = {True: book.fill(ERROR_FILL), False: book.fill(WARNING_FILL)}
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in ordered:
        if f.sheet in book.parts and f.sheet != LIST_SHEET and _CELL.match(f.cell or ""):
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, ref), found in by_cell.items():
        text = xml_safe("\n\n".join(_comment_line(f) for f in found))
        book.mark(sheet, ref, fills[any(f.is_error for f in found)], text,
                  width=320, height=min(400, 60 + 18 * (len(text) // 40 + text.count("\n"))))
    book.first_sheet(LIST_SHEET, _list_sheet(book, file_name, ordered, set(by_cell), fills),
                     print_rows=f"${HEAD_ROW}:${HEAD_ROW}")
    return book.package()


def _order(f: Finding) -> tuple:
    m = _CELL.match(f.cell or "")
    row, col = (int(m.group(2)), m.group(1)) if m else (0, "")
    return (f.sheet, row, len(col), col, 0 if f.is_error else 1)


def _comment_line(f: Finding) -> str:
    line = f"{SEVERITY_TEXT[f.severity]}: {f.message}"
    if f.hint:
        line += f"\nCách sửa: {f.hint}"
    return line


def _list_sheet(book: Annotation, file_name: str, findings: Sequence[Finding], linked: set[tuple[str, str]],
                fills: dict[bool, int]) -> bytes:
    """The worksheet XML of the list of findings."""
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    normal_font = book.font(FONT, 12)
    border = book.border("808080")
    wrap = 'vertical="top" wrapText="1"'
    title = book.new_format(font=book.font(FONT, 13, bold=True))
    intro = book.new_format(font=normal_font, alignment=wrap)
    head = book.new_format(font=book.font(FONT, 12, bold=True), fill=book.fill(HEADER_FILL), border=border,
                           alignment='horizontal="center" vertical="center" wrapText="1"')
    normal = book.new_format(font=normal_font, border=border, alignment=wrap)
    link = book.new_format(font=book.font(FONT, 12, color="0563C1", underline=True), border=border, alignment=wrap)
    severity = {e: book.new_format(font=normal_font, fill=fill, border=border, alignment=wrap)
                for e, fill in fills.items()}
    rows = [_row(1, [(xml_safe(f"CÁC LỖI CẦN SỬA TRONG TỆP {file_name}"), title)]),
            _row(2, [(f"Văn phòng UBND tỉnh gửi trả tệp vì có {errors} lỗi"
                      + (f" và {warnings} cảnh báo" if warnings else "")
                      + ". Ô có lỗi được tô màu đỏ nhạt, ô có cảnh báo tô màu vàng; rê chuột vào ô để xem ghi chú."
                      " Sửa ngay trên tệp này (không cần xóa trang này), lưu lại dạng .xlsx và gửi lại.", intro)],
                 height=48),
            _row(HEAD_ROW, [(text, head) for text in LIST_HEADERS])]
    links = []
    for n, f in enumerate(findings, start=1):
        r = HEAD_ROW + n
        values = (n, f.sheet, f.cell, SEVERITY_TEXT[f.severity], f.message, f.hint, f.value)
        values = tuple(xml_safe(v) if isinstance(v, str) else v for v in values)
        here = (f.sheet, f.cell) in linked
        styles = [normal, normal, link if here else normal, severity[f.is_error], normal, normal, normal]
        rows.append(_row(r, list(zip(values, styles)),
                         height=row_height([str(v) for v in values], list(LIST_WIDTHS))))
        if here:
            quoted = f.sheet.replace("'", "''")
            links.append(f'<hyperlink ref="C{r}" location="{_attr(f"{chr(39)}{quoted}{chr(39)}!{f.cell}")}" '
                         f'display="{f.cell}"/>')
    last = column_letter(len(LIST_HEADERS))
    cols = "".join(f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>' for j, w in enumerate(LIST_WIDTHS, 1))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}">'
           '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
           f'<dimension ref="A1:{last}{HEAD_ROW + max(len(findings), 0)}"/>'
           f'<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="{HEAD_ROW}" '
           f'topLeftCell="A{HEAD_ROW + 1}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
           f'activeCell="A{HEAD_ROW + 1}" sqref="A{HEAD_ROW + 1}"/></sheetView></sheetViews>'
           f'<sheetFormatPr defaultRowHeight="15.75"/><cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>'
           f'<mergeCells count="1"><mergeCell ref="A2:{last}2"/></mergeCells>'
           + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
           + '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
           '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')
    return xml.encode("utf-8")


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _row(r: int, cells: list[tuple[object, int]], height: float | None = None) -> str:
    out = []
    for j, (value, style) in enumerate(cells, start=1):
        kind, inner = cell_content(value if value != "" else None)  # a value seen in a cell is shown as text
        out.append(f'<c r="{column_letter(j)}{r}" s="{style}"' + (f' t="{kind}"' if kind else "")
                   + (f">{inner}</c>" if inner else "/>"))
    ht = f' ht="{height:g}" customHeight="1"' if height else ""
    return f'<row r="{r}"{ht}>{"".join(out)}</row>'


__all__ = ["write_returned", "returned_name", "annotated_copy", "LIST_SHEET"]
