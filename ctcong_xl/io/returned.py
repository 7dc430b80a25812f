"""The annotated copy of a faulty file, ready to e-mail back to its agency.

The copy is the agency's own workbook (opened with openpyxl: it is a template we wrote, so
what matters survives — values, formats, dropdowns, protection, the hidden metadata that lets
the corrected file be recognised when it comes back) with:

* every formula of the agency's written back as its text (the copy is opened at the Office too:
  nothing in it may run);
* every cell that has a finding filled (light red for an error, light yellow for a warning)
  and a comment giving the Vietnamese message and how to fix it;
* a new FIRST sheet ``Lỗi cần sửa`` listing every finding (sheet, cell with a link to it,
  severity, message, hint), so no row of the form shifts.

A file that cannot be opened as a workbook at all (not Excel, an old format, encrypted,
damaged) gets a small new workbook with only the list. The name is ``<stem>_CanSua.xlsx``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..core.findings import Finding
from ..core.layout import SEVERITY_TEXT
from ..core.text import ILLEGAL_XML, safe_file_stem, xml_safe
from .templates import row_height

LIST_SHEET = "Lỗi cần sửa"
SUFFIX = "_CanSua"
AUTHOR = "Văn phòng UBND tỉnh"
FONT = "Times New Roman"
ERROR_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
WARNING_FILL = PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C")
LIST_HEADERS = ("STT", "Trang", "Ô", "Mức độ", "Lỗi", "Cách sửa", "Giá trị trong ô")
LIST_WIDTHS = (6, 18, 8, 10, 60, 60, 28)
_CELL = re.compile(r"^[A-Z]{1,3}[1-9]\d{0,6}$")


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
    tmp = out.with_name("." + out.name + ".tmp")
    try:
        try:
            (_annotated(path, ordered) if annotate else _list_only(path, ordered)).save(tmp)
        except Exception:  # noqa: BLE001 - the agency's workbook cannot be saved back: the list alone
            _list_only(path, ordered).save(tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _annotated(path: Path, ordered: list[Finding]) -> Workbook:
    wb = _open(path)
    if wb is None:
        return _list_only(path, ordered)
    marked = _mark_cells(wb, ordered)
    ws = wb.create_sheet(LIST_SHEET, 0)
    _write_list(ws, path.name, ordered, linked=marked)
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    wb.active = 0
    return wb


def _list_only(path: Path, ordered: list[Finding]) -> Workbook:
    wb = openpyxl.Workbook()
    wb.active.title = LIST_SHEET
    _write_list(wb.active, path.name, ordered, linked=set())
    return wb


def _open(path: Path) -> Workbook | None:
    """The workbook, or None when it cannot be opened as one (any reason: that is the point)."""
    try:
        wb = openpyxl.load_workbook(path)
    except Exception:  # not a zip, not OOXML, encrypted, truncated, unsupported extension…
        return None
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":  # the agency's formula (=HYPERLINK, DDE…) comes back as its text
                    text = str(getattr(c.value, "text", c.value))
                    c.value = text if text.startswith("=") else "=" + text
                    c.data_type = "s"
                elif isinstance(c.value, str) and ILLEGAL_XML.search(c.value):
                    c.value = xml_safe(c.value)  # a BEL (``_x0007_``) read back cannot be saved: shown as �
    return wb


def _order(f: Finding) -> tuple:
    row, col = _row_col(f.cell) if _CELL.match(f.cell or "") else (0, "")
    return (f.sheet, row, len(col), col, 0 if f.is_error else 1)


def _row_col(cell: str) -> tuple[int, str]:
    col, row = coordinate_from_string(cell)
    return row, col


def _mark_cells(wb: Workbook, findings: Sequence[Finding]) -> set[tuple[str, str]]:
    """Fill and comment each cell named by a finding; returns the (sheet, cell) pairs marked."""
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet in wb.sheetnames and _CELL.match(f.cell or ""):
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        cell.fill = ERROR_FILL if any(f.is_error for f in found) else WARNING_FILL
        text = xml_safe("\n\n".join(_comment_line(f) for f in found))
        comment = Comment(text, AUTHOR)
        comment.width = 320
        comment.height = min(400, 60 + 18 * (len(text) // 40 + text.count("\n")))
        cell.comment = comment
    return set(by_cell)


def _comment_line(f: Finding) -> str:
    line = f"{SEVERITY_TEXT[f.severity]}: {f.message}"
    if f.hint:
        line += f"\nCách sửa: {f.hint}"
    return line


def _write_list(ws: Worksheet, file_name: str, findings: Sequence[Finding], *, linked: set[tuple[str, str]]) -> None:
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    title = Font(name=FONT, size=13, bold=True)
    normal = Font(name=FONT, size=12)
    bold = Font(name=FONT, size=12, bold=True)
    link = Font(name=FONT, size=12, color="0563C1", underline="single")
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws["A1"] = xml_safe(f"CÁC LỖI CẦN SỬA TRONG TỆP {file_name}")
    ws["A1"].font = title
    ws["A2"] = (
        f"Văn phòng UBND tỉnh gửi trả tệp vì có {errors} lỗi"
        + (f" và {warnings} cảnh báo" if warnings else "")
        + ". Ô có lỗi được tô màu đỏ nhạt, ô có cảnh báo tô màu vàng; rê chuột vào ô để xem ghi chú."
        " Sửa ngay trên tệp này (không cần xóa trang này), lưu lại dạng .xlsx và gửi lại."
    )
    ws["A2"].font = normal
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(LIST_HEADERS))
    ws.row_dimensions[2].height = 48
    head_row = 4
    for j, (text, width) in enumerate(zip(LIST_HEADERS, LIST_WIDTHS), start=1):
        c = ws.cell(head_row, j, text)
        c.font, c.border, c.alignment = bold, border, Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.fill = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
        ws.column_dimensions[c.column_letter].width = width
    for n, f in enumerate(findings, start=1):
        r = head_row + n
        values = (n, f.sheet, f.cell, SEVERITY_TEXT[f.severity], f.message, f.hint, f.value)
        values = tuple(xml_safe(v) if isinstance(v, str) else v for v in values)
        for j, v in enumerate(values, start=1):
            c = ws.cell(r, j)
            c.value = v if v != "" else None
            if isinstance(v, str):
                c.data_type = "s"  # a value seen in the agency's cell is shown, never run
            c.font, c.border, c.alignment = normal, border, wrap
        ws.row_dimensions[r].height = row_height([str(v) for v in values], list(LIST_WIDTHS))
        if (f.sheet, f.cell) in linked:
            target = ws.cell(r, 3)
            quoted = f.sheet.replace("'", "''")
            target.hyperlink = Hyperlink(ref=target.coordinate, location=f"'{quoted}'!{f.cell}",
                                         display=f.cell)
            target.font = link
        if f.is_error:
            ws.cell(r, 4).fill = ERROR_FILL
        else:
            ws.cell(r, 4).fill = WARNING_FILL
    ws.freeze_panes = ws.cell(head_row + 1, 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{head_row}:{head_row}"


__all__ = ["write_returned", "returned_name", "LIST_SHEET"]
