"""The one writer of Word documents (python-docx): lays out a
:class:`ctcong_xl.core.documents.Document` in the format of NĐ 30/2020/NĐ-CP — A4, margins
top/bottom 20 mm, left 30 mm, right 15 mm, Times New Roman 14 (tables 12), the header block as
a borderless two-column table, page numbers centred at the top from page 2, wide tables on
landscape pages — and converts it to PDF with LibreOffice Writer. No rule lives here: every
word comes from the core."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..core.documents import (
    MOTTO, NATION, Chart, Document, Heading, Letterhead, Paragraph, Signature, Table,
)
from .recalc import RecalcError, convert, soffice_available

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
HEADER_PT = 12  # issuing body and national name (NĐ 30: 12–13)
MOTTO_PT = 13
NUMBER_PT = 13
PAGE_MM = (210, 297)  # A4 portrait
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
FIRST_LINE_INDENT_MM = 12.7


def write_docx(doc: Document, path: Path) -> Path:
    """Write ``doc`` to ``path`` (.docx); return the path."""
    d = new_docx()
    _styles(d)
    section = d.sections[0]
    _page(section, landscape=False)
    _page_numbers(section)
    _letterhead(d, doc.letterhead)
    _title(d, doc.title)
    landscape = False
    for block in doc.blocks:
        landscape = _block(d, block, landscape)
    if landscape:
        landscape = _new_section(d, False)
    _closing(d, doc.recipients, doc.signature)
    if doc.appendix:
        _new_section(d, any(isinstance(b, Table) and b.landscape for b in doc.appendix))
        for block in doc.appendix:
            _block(d, block, None)
    d.core_properties.title = " ".join(doc.title)[:255]
    d.core_properties.subject = doc.subject[:255]
    d.core_properties.author = "ctcong-xl"
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return path


def to_pdf(docx_path: Path) -> Path | None:
    """The document as PDF beside it, through LibreOffice Writer; None when LibreOffice is not
    installed. Raises :class:`RecalcError` when it is but fails."""
    if not soffice_available():
        return None
    return convert(docx_path, docx_path.parent, "pdf")



# ------------------------------------------------------------------------------ page


def _styles(d) -> None:
    for name, size in (("Normal", BODY_PT), ("Table Grid", TABLE_PT)):
        style = d.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
    normal = d.styles["Normal"].paragraph_format
    normal.space_before = Pt(0)
    normal.space_after = Pt(6)
    normal.line_spacing = 1.15


def _page(section, *, landscape: bool) -> None:
    w, h = PAGE_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(h), Mm(w)) if landscape else (Mm(w), Mm(h))
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def _text_width_mm(landscape: bool) -> float:
    return (PAGE_MM[1] if landscape else PAGE_MM[0]) - MARGINS_MM["left"] - MARGINS_MM["right"]


def _page_numbers(section) -> None:
    """No number on page 1 (a first-page header left empty), the PAGE field centred at the top
    of every other page; later sections inherit the header."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _font(run, NUMBER_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, None), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = "2"
            run._r.append(t)


def _new_section(d, landscape: bool) -> bool:
    section = d.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=landscape)
    section.different_first_page_header_footer = False
    section.header.is_linked_to_previous = True
    section.first_page_header.is_linked_to_previous = True
    return landscape


# ------------------------------------------------------------------------------ text


def _font(run, size: float, *, bold: bool = False, italic: bool = False, underline: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold or None
    run.italic = italic or None
    run.underline = underline or None


def _para(container, text: str, size: float = BODY_PT, *, bold: bool = False, italic: bool = False,
          underline: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER, after: float = 0, before: float = 0):
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    p.paragraph_format.space_before = Pt(before)
    p.paragraph_format.first_line_indent = Mm(0)
    p.paragraph_format.line_spacing = 1.0
    if text:
        _font(p.add_run(text), size, bold=bold, italic=italic, underline=underline)
    return p


def _rule(container, width_mm: float, cell_mm: float, *, after: float = 0) -> None:
    """A short centred line (the line under the issuer's name, and under the title): a
    paragraph border between indents."""
    p = _para(container, "", 4, after=after)
    side = max(0.0, (cell_mm - width_mm) / 2)
    p.paragraph_format.left_indent = Mm(side)
    p.paragraph_format.right_indent = Mm(side)
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    _insert(ppr, border, _PPR_AFTER_PBDR)


# The schema's order of the children we add (OOXML is strict about it; Word refuses a file
# whose elements are out of order).
_TBLPR_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
_TBLPR_AFTER_CELLMAR = ("w:tblLook", "w:tblCaption", "w:tblDescription")
_PPR_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                   "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                   "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                   "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                   "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _insert(parent, child, successors: tuple[str, ...]) -> None:
    """Put ``child`` into ``parent`` before the first of its schema successors present."""
    for el in parent:
        if el.tag in {qn(s) for s in successors}:
            el.addprevious(child)
            return
    parent.append(child)


def _no_borders(table) -> None:
    """No borders and no side padding (the header block's lines need the whole width)."""
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _insert(tblpr, borders, _TBLPR_AFTER_BORDERS)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    _insert(tblpr, margins, _TBLPR_AFTER_CELLMAR)


def _widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)


LEFT_MM, RIGHT_MM = 75.0, 90.0  # the two columns of the header block (165 mm of text width)


def _letterhead(d, head: Letterhead) -> None:
    t = d.add_table(rows=2, cols=2)
    _no_borders(t)
    _widths(t, [LEFT_MM, RIGHT_MM])
    left, right = t.cell(0, 0), t.cell(0, 1)
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    if head.parent:
        _para(left, head.parent, HEADER_PT)
    for line in head.issuer:
        _para(left, line, HEADER_PT, bold=True)
    _rule(left, LEFT_MM / 3, LEFT_MM)
    _para(right, NATION, HEADER_PT, bold=True)
    _para(right, MOTTO, MOTTO_PT, bold=True, underline=True)
    number, date = t.cell(1, 0), t.cell(1, 1)
    number.paragraphs[0]._p.getparent().remove(number.paragraphs[0]._p)
    date.paragraphs[0]._p.getparent().remove(date.paragraphs[0]._p)
    _para(number, head.number, NUMBER_PT, before=6)
    _para(date, head.date_line, BODY_PT, italic=True, before=6)


def _title(d, lines: tuple[str, ...]) -> None:
    for n, line in enumerate(lines):
        italic = line.startswith("(")
        _para(d, line, BODY_PT, bold=not italic, italic=italic, before=18 if n == 0 else 0)
    _rule(d, 40, _text_width_mm(False), after=12)


def _block(d, block, landscape: bool | None) -> bool | None:
    """Add one block; open a landscape section for a wide table and a portrait one after it
    (``landscape`` is None inside the appendix: its orientation is the appendix's)."""
    if landscape is not None and isinstance(block, Table) and block.landscape != landscape:
        landscape = _new_section(d, block.landscape)
    elif landscape and not isinstance(block, Table):
        landscape = _new_section(d, False)
    if isinstance(block, Heading):
        p = d.add_paragraph()
        p.paragraph_format.first_line_indent = Mm(FIRST_LINE_INDENT_MM)
        p.paragraph_format.space_before = Pt(6)
        p.paragraph_format.keep_with_next = True
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _font(p.add_run(block.text), BODY_PT, bold=True)
    elif isinstance(block, Paragraph):
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if block.align == "center" else WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Mm(FIRST_LINE_INDENT_MM if block.indent else 0)
        _font(p.add_run(block.text), BODY_PT, bold=block.bold, italic=block.italic)
    elif isinstance(block, Table):
        _table(d, block, landscape=bool(landscape) or block.landscape)
    elif isinstance(block, Chart):
        from .charts import chart_png  # matplotlib: imported when a document has a chart

        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Mm(0)
        p.paragraph_format.keep_together = True
        run = p.add_run()
        run.add_picture(io.BytesIO(chart_png(block)), width=Mm(block.width_mm))
        docpr = run._r.find(".//" + qn("wp:docPr"))
        if docpr is not None and block.name:
            docpr.set("name", block.name)
            docpr.set("descr", block.title)
    return landscape


def _table(d, block: Table, *, landscape: bool) -> None:
    if block.title:
        _para(d, block.title, BODY_PT, bold=True, after=6)
    ncols = len(block.columns)
    t = d.add_table(rows=1, cols=ncols)
    t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(block.widths)
    widths = [_text_width_mm(landscape) * w / total for w in block.widths]
    header = t.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, block.columns):
        _cell_text(cell, text, bold=True, center=True)
    for row in block.rows:
        cells = t.add_row().cells
        if row.kind == "group":
            merged = cells[0].merge(cells[-1])
            _cell_text(merged, row.cells[0], bold=True, center=False)
            continue
        for n, (cell, text) in enumerate(zip(cells, row.cells)):
            _cell_text(cell, text, bold=row.kind == "total", center=n in block.numeric or n == 0 and _is_number(text))
    _widths(t, widths)
    d.add_paragraph().paragraph_format.space_after = Pt(0)


def _is_number(text: str) -> bool:
    return text.isdigit()


def _keep_row_together(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))  # on (no value: the schema's default)


def _cell_text(cell, text: str, *, bold: bool, center: bool) -> None:
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.first_line_indent = Mm(0)
    p.paragraph_format.line_spacing = 1.0
    _font(p.add_run(text), TABLE_PT, bold=bold)


# ------------------------------------------------------------------------------ closing


def _closing(d, recipients: tuple[str, ...], signature: Signature | None) -> None:
    """``Nơi nhận`` (left) and the signature block (right), side by side."""
    t = d.add_table(rows=1, cols=2)
    _no_borders(t)
    _widths(t, [LEFT_MM + 8, RIGHT_MM - 8])
    _keep_row_together(t.rows[0])
    left, right = t.cell(0, 0), t.cell(0, 1)
    for cell in (left, right):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    for n, line in enumerate(recipients):
        _para(left, line, 12 if n == 0 else 11, bold=n == 0, italic=n == 0, align=WD_ALIGN_PARAGRAPH.LEFT,
              before=6 if n == 0 else 0)
    if not recipients:
        _para(left, "", 11)
    if signature is None:
        _para(right, "", BODY_PT)
        return
    first = True
    for line in (signature.authority, signature.title):
        if line:
            _para(right, line, BODY_PT, bold=True, before=6 if first else 0)
            first = False
    for _ in range(4):
        _para(right, "", BODY_PT)
    _para(right, signature.name, BODY_PT, bold=True)


# ------------------------------------------------------------------------------ publishing


@dataclass
class Published:
    """A written document: the .docx, and its PDF when LibreOffice Writer made one (else why not)."""

    docx: Path
    pdf: Path | None = None
    pdf_problem: str = ""


NO_SOFFICE = ("Không tìm thấy LibreOffice trên máy nên chưa tạo bản PDF; mở tệp .docx bằng Word "
              "(hoặc cài LibreOffice Writer) để in hoặc xuất PDF.")


def publish(doc: Document, path: Path) -> Published:
    """``doc`` as ``path`` (.docx) and, where LibreOffice is installed, the PDF beside it."""
    write_docx(doc, path)
    stale = path.with_suffix(".pdf")
    if not soffice_available():
        stale.unlink(missing_ok=True)  # an older PDF would no longer match the document
        return Published(path, None, NO_SOFFICE)
    try:
        return Published(path, to_pdf(path))
    except RecalcError as exc:
        stale.unlink(missing_ok=True)
        return Published(path, None, str(exc))
