"""Nothing is ever lost: a batch run rewrites only the cells the tool manages.

After ``init`` and a first consolidation, the master is edited the way Excel would save it
(package parts edited directly): a clerk's own sheet, comments on office cells, a picture on
the summary sheet, a defined name, a shared string, a new cell style, a column width and zoom
changed on the programme sheet, a clerk's own column beside the programme, Excel's calculation
chain; and the clerk types into office-owned columns (approved deadline, note, withdrawal) and
over one agency-owned cell. Then ``ops.consolidate`` (a progress report and a corrected
registration) and ``ops.summary(as_of=...)`` run, and the package parts are diffed:

* every part except the managed worksheets, ``xl/workbook.xml`` (``fullCalcOnLoad`` only),
  the dropped ``xl/calcChain.xml`` (with its content type and relationship) and the charts'
  cached points (the values written) is byte for byte identical;
* inside a managed worksheet, every element other than the cells is identical, and only cells
  inside the managed regions changed.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import FORMS, PROGRAMME_COLUMNS, PROGRAMME_SHEET, column_letter, programme_letter
from ctcong_xl.core.models import Agency
from ctcong_xl.core.summary_sheet import SummaryLayout, summary_cells
from ctcong_xl.io.master import read_master
from ctcong_xl.io.xlsxpatch import col_index, sheet_parts

from test_master_libreoffice import fill_template, type_in_master

YEAR = 2026
AGENCIES = [
    Agency(code="STC", name="Sở Tài chính", email="stc@hatinh.gov.vn"),
    Agency(code="SYT", name="Sở Y tế", email="syt@hatinh.gov.vn"),
    Agency(code="SNV", name="Sở Nội vụ"),
]
LEADERS = ["Võ Trọng Hải", "Nguyễn Hồng Lĩnh"]
AS_OF = dt.date(2026, 6, 30)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
M = f"{{{MAIN}}}"
USER_SHEET = "Ghi chép riêng"
USER_SHEET_PART = "xl/worksheets/sheet99.xml"
PICTURE_PART = "xl/media/image1.png"
CLERK_COLUMN = len(PROGRAMME_COLUMNS) + 2  # a clerk's own column, one empty column after the programme's
LONG_CONTENT = ("Tờ trình về việc sắp xếp đơn vị hành chính cấp xã trên địa bàn tỉnh giai đoạn 2026–2030 "
                "theo Nghị quyết của Ủy ban Thường vụ Quốc hội")
REGISTRATIONS = {
    "STC": [("Đề án phát triển kinh tế tập thể giai đoạn 2026–2030", "Quý II/2026"),
            ("Dự thảo Quyết định quy định bảng giá đất điều chỉnh", "30/09/2026"),
            ("Báo cáo tình hình thu, chi ngân sách 6 tháng đầu năm", "6 tháng đầu năm")],
    "SYT": [("Kế hoạch phòng, chống dịch bệnh năm 2026", "Tháng 3"),
            ("Đề án nâng cao năng lực y tế cơ sở", "Quý IV/2026")],
    "SNV": [(LONG_CONTENT, "15/05/2026"),
            ("Báo cáo công tác cải cách hành chính", "Hằng quý")],
}


# ------------------------------------------------------------------ Excel-like package edits


class Package:
    """The parts of a zip package, in order; edited in place, written back as Excel would."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.parts = {i.filename: z.read(i.filename) for i in z.infolist()}
            self.sheets = sheet_parts(z)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                z.writestr(name, data)
        return out.getvalue()

    def xml(self, part: str) -> etree._Element:
        return etree.fromstring(self.parts[part])

    def put(self, part: str, root: etree._Element) -> None:
        self.parts[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def add_override(self, part: str, content_type: str) -> None:
        types = self.xml("[Content_Types].xml")
        etree.SubElement(types, f"{{{CT}}}Override", PartName="/" + part, ContentType=content_type)
        self.put("[Content_Types].xml", types)

    def add_default(self, extension: str, content_type: str) -> None:
        types = self.xml("[Content_Types].xml")
        if not any(d.get("Extension") == extension for d in types):
            etree.SubElement(types, f"{{{CT}}}Default", Extension=extension, ContentType=content_type)
            self.put("[Content_Types].xml", types)

    def add_rel(self, source: str, kind: str, target: str) -> str:
        folder, name = posixpath.split(source)
        rels_part = f"{folder}/_rels/{name}.rels"
        if rels_part in self.parts:
            rels = self.xml(rels_part)
        else:
            rels = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
        rid = f"rId{100 + len(rels)}"
        etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id=rid, Type=f"{REL}/{kind}", Target=target)
        self.put(rels_part, rels)
        return rid

    def rel_target(self, source: str, kind: str) -> str | None:
        folder, name = posixpath.split(source)
        rels_part = f"{folder}/_rels/{name}.rels"
        if rels_part not in self.parts:
            return None
        for r in self.xml(rels_part):
            if r.get("Type") == f"{REL}/{kind}":
                return posixpath.normpath(posixpath.join(folder, r.get("Target")))
        return None


def tiny_png(width: int = 24, height: int = 24) -> bytes:
    """A red square, as a PNG (the office's scanned stamp, say)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xc6\x28\x28" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def add_shared_string(pkg: Package, text: str) -> int:
    sst = pkg.xml("xl/sharedStrings.xml")
    si = etree.SubElement(sst, f"{M}si")
    etree.SubElement(si, f"{M}t").text = text
    sst.set("count", str(int(sst.get("count", "0")) + 1))
    sst.set("uniqueCount", str(len(sst)))
    pkg.put("xl/sharedStrings.xml", sst)
    return len(sst) - 1


def add_user_sheet(pkg: Package) -> None:
    idx = add_shared_string(pkg, "Việc cần báo cáo Chủ tịch trong tuần")
    status = programme_letter("tinh_trang")
    pkg.parts[USER_SHEET_PART] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:B2"/>'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15.75"/>'
        f'<sheetData><row r="1"><c r="A1" t="s"><v>{idx}</v></c></row>'
        f'<row r="2"><c r="A2"><f>COUNTIF(\'{PROGRAMME_SHEET}\'!{status}:{status},"Chưa hoàn thành")</f><v>0</v></c>'
        '<c r="B2" t="inlineStr"><is><t>việc quá hạn</t></is></c></row></sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    ).encode("utf-8")
    pkg.add_override(USER_SHEET_PART, "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml")
    rid = pkg.add_rel("xl/workbook.xml", "worksheet", "worksheets/sheet99.xml")
    wb = pkg.xml("xl/workbook.xml")
    sheets = wb.find(f"{M}sheets")
    etree.SubElement(sheets, f"{M}sheet", {"name": USER_SHEET, "sheetId": "99", f"{{{REL}}}id": rid})
    pkg.put("xl/workbook.xml", wb)


def add_defined_name(pkg: Package) -> None:
    wb = pkg.xml("xl/workbook.xml")
    name = etree.SubElement(wb.find(f"{M}definedNames"), f"{M}definedName", name="DonViTrongDiem")
    name.text = f"'{L.REGISTRY_SHEET}'!$A$2:$A$3"
    pkg.put("xl/workbook.xml", wb)


def excel_calc_state(pkg: Package) -> None:
    """Excel saves ``<calcPr calcId=…/>`` without fullCalcOnLoad, and a calculation chain."""
    wb = pkg.xml("xl/workbook.xml")
    calc = wb.find(f"{M}calcPr")
    calc.attrib.pop("fullCalcOnLoad", None)
    calc.set("calcId", "191029")
    pkg.put("xl/workbook.xml", wb)
    status = programme_letter("tinh_trang")
    pkg.parts["xl/calcChain.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<calcChain xmlns="{MAIN}">'
        f'<c r="{status}2" i="5" l="1"/><c r="{status}3"/><c r="C5" i="7"/><c r="A2" i="99"/></calcChain>'
    ).encode("utf-8")
    pkg.add_override("xl/calcChain.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml")
    pkg.add_rel("xl/workbook.xml", "calcChain", "calcChain.xml")


def _vml_note(row: int, col: int, shape_id: int) -> str:
    return (f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:300pt;'
            'margin-top:2pt;width:120pt;height:60pt;z-index:5;visibility:hidden" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
            f'</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f'<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{col - 1}</x:Column>'
            '</x:ClientData></v:shape>')


def add_comment(pkg: Package, sheet: str, row: int, col: int, text: str, *, part_no: int) -> None:
    """A note by the clerk, as Excel writes it: into the sheet's comments part and VML drawing
    (created, with the sheet's ``<legacyDrawing>``, if the sheet has none yet)."""
    sheet_part = pkg.sheets[sheet]
    ref = f"{column_letter(col)}{row}"
    comment = (f'<comment xmlns="{MAIN}" ref="{ref}" authorId="0"><text><r><rPr><b/><sz val="9"/>'
               f'<rFont val="Tahoma"/></rPr><t>Nguyễn Thị Lan:</t></r><r><rPr><sz val="9"/><rFont val="Tahoma"/>'
               f'</rPr><t xml:space="preserve">\n{text}</t></r></text></comment>')
    comments_part = pkg.rel_target(sheet_part, "comments")
    vml_part = pkg.rel_target(sheet_part, "vmlDrawing")
    if comments_part is None:
        comments_part, vml_part = f"xl/comments{part_no}.xml", f"xl/drawings/vmlDrawing{part_no}.vml"
        pkg.parts[comments_part] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<comments xmlns="{MAIN}">'
                                    '<authors><author>Nguyễn Thị Lan</author></authors><commentList/></comments>').encode()
        pkg.parts[vml_part] = (
            '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
            f'data="{part_no}"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
            'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
            'o:connecttype="rect"/></v:shapetype></xml>').encode()
        pkg.add_override(comments_part, "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml")
        pkg.add_rel(sheet_part, "comments", f"../comments{part_no}.xml")
        rid = pkg.add_rel(sheet_part, "vmlDrawing", f"../drawings/vmlDrawing{part_no}.vml")
        ws = pkg.xml(sheet_part)
        legacy = etree.Element(f"{M}legacyDrawing", {f"{{{REL}}}id": rid})
        tail = ws.find(f"{M}tableParts")
        if tail is not None:
            tail.addprevious(legacy)
        else:
            ws.append(legacy)
        pkg.put(sheet_part, ws)
    comments = pkg.xml(comments_part)
    comments.find(f"{M}commentList").append(etree.fromstring(comment))
    pkg.put(comments_part, comments)
    vml = pkg.parts[vml_part].decode("utf-8")
    pkg.parts[vml_part] = vml.replace("</xml>", _vml_note(row, col, 1024 * part_no + 77) + "</xml>").encode("utf-8")


def add_picture(pkg: Package) -> None:
    drawing = pkg.rel_target(pkg.sheets[L.SUMMARY_SHEET], "drawing")
    pkg.parts[PICTURE_PART] = tiny_png()
    pkg.add_default("png", "image/png")
    rid = pkg.add_rel(drawing, "image", "../media/image1.png")
    anchor = (
        '<xdr:twoCellAnchor xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" editAs="oneCell">'
        '<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>70</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>'
        '<xdr:to><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>75</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>'
        '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="20" name="Picture 19" descr="Dấu Văn phòng"/><xdr:cNvPicPr>'
        '<a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr><xdr:blipFill>'
        f'<a:blip xmlns:r="{REL}" r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
        '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:twoCellAnchor>'
    )
    root = pkg.xml(drawing)
    root.append(etree.fromstring(anchor))
    pkg.put(drawing, root)


def reformat_programme_sheet(pkg: Package) -> None:
    """A new bold style for the clerk's own column beside the programme, a wider content
    column, a zoom: formatting outside the managed cells."""
    styles = pkg.xml("xl/styles.xml")
    fonts = styles.find(f"{M}fonts")
    font = etree.SubElement(fonts, f"{M}font")
    etree.SubElement(font, f"{M}b")
    etree.SubElement(font, f"{M}sz", val="12")
    etree.SubElement(font, f"{M}color", rgb="FF7030A0")
    etree.SubElement(font, f"{M}name", val="Times New Roman")
    fonts.set("count", str(len(fonts)))
    xfs = styles.find(f"{M}cellXfs")
    etree.SubElement(xfs, f"{M}xf", numFmtId="0", fontId=str(len(fonts) - 1), fillId="0", borderId="0", xfId="0",
                     applyFont="1")
    xfs.set("count", str(len(xfs)))
    pkg.put("xl/styles.xml", styles)
    style = str(len(xfs) - 1)
    part = pkg.sheets[PROGRAMME_SHEET]
    ws = pkg.xml(part)
    ws.find(f"{M}sheetViews/{M}sheetView").set("zoomScale", "85")
    first_item = ws.find(f"{M}sheetData")[1]
    first_item.set("ht", "48")  # the clerk made the first item's row taller by hand
    first_item.set("customHeight", "1")
    content = col_index(programme_letter("noi_dung"))
    for col in ws.find(f"{M}cols"):
        if int(col.get("min")) <= content <= int(col.get("max")):
            col.set("width", "62.7109375")
    letter = column_letter(CLERK_COLUMN)
    rows = {int(r.get("r")): r for r in ws.find(f"{M}sheetData")}
    for r, text in ((1, "Ghi chép riêng của chuyên viên"), (3, "Hỏi lại Sở về số liệu")):
        c = etree.SubElement(rows[r], f"{M}c", r=f"{letter}{r}", s=style, t="inlineStr")
        etree.SubElement(etree.SubElement(c, f"{M}is"), f"{M}t").text = text
    pkg.put(part, ws)


# ------------------------------------------------------------------ the scenario


def _register(ws: ops.Workspace, *, changed_deadline: tuple[str, str] | None = None,
              only: str | None = None) -> None:
    for path in ops.make_templates(ws, "annual", agency=only):
        code = path.stem.rsplit("_", 1)[-1]
        rows = []
        for content, deadline in REGISTRATIONS[code]:
            if changed_deadline and content == changed_deadline[0]:
                deadline = changed_deadline[1]
            row = {"Nội dung công việc": content, "Thời hạn hoàn thành": deadline, "Lãnh đạo UBND tỉnh phụ trách": LEADERS[0]}
            if deadline == "Hằng quý":
                row.update({"Thời hạn hoàn thành": "", "Định kỳ": "Hằng quý"})
            rows.append(row)
        suffix = "_bosung" if changed_deadline else ""
        fill_template(path, FORMS["annual"].sheet, rows, ws.folder("inbox") / f"DangKy_{code}{suffix}.xlsx")


def _report_progress(ws: ops.Workspace) -> None:
    items = read_master(ws.master).items
    for path in ops.make_templates(ws, "progress"):
        code = path.stem.rsplit("_", 1)[-1]
        rows = [{"Mã đầu việc": i.ma_dau_viec, "Ngày hoàn thành": dt.datetime(2026, 3, 20),
                 "Văn bản kết quả": f"Tờ trình số 15/TTr-{code}"} for i in items if i.ma_don_vi == code and not i.rut][:1]
        fill_template(path, FORMS["progress"].sheet, rows, ws.folder("inbox") / f"TienDo_{code}.xlsx", by_code=True)


class Scenario:
    def __init__(self, root: Path) -> None:
        ops.init_workspace(root, YEAR, AGENCIES, program_number="27/CTr-UBND", leaders=LEADERS)
        self.ws = ops.open_workspace(root)
        _register(self.ws)
        ops.consolidate(self.ws, today=dt.date(2025, 11, 14))
        for p in self.ws.folder("inbox").iterdir():
            p.unlink()
        ds = read_master(self.ws.master)
        by_content = {i.noi_dung: i for i in ds.items}
        self.approved = by_content["Đề án phát triển kinh tế tập thể giai đoạn 2026–2030"]
        self.withdrawn = by_content["Kế hoạch phòng, chống dịch bệnh năm 2026"]
        self.typed_over = by_content["Dự thảo Quyết định quy định bảng giá đất điều chỉnh"]
        self.office_edits = {
            (self.approved.ma_dau_viec, "thoi_han_dieu_chinh"): dt.date(2026, 8, 31),
            (self.approved.ma_dau_viec, "ghi_chu_vp"): "Đồng ý lùi hạn theo Công văn số 4321/UBND-TH",
            (self.withdrawn.ma_dau_viec, "rut"): "x",
            (self.typed_over.ma_dau_viec, "thoi_han"): dt.date(2026, 10, 15),  # over the agency's cell
        }
        type_in_master(self.ws.master, self.office_edits)
        pkg = Package(self.ws.master.read_bytes())
        add_user_sheet(pkg)
        add_defined_name(pkg)
        rows = read_master(self.ws.master).programme_index.rows
        add_comment(pkg, PROGRAMME_SHEET, rows[self.approved.ma_dau_viec], col_index(programme_letter("ghi_chu_vp")),
                    "Đã báo cáo Phó Chủ tịch ngày 02/3", part_no=11)
        add_comment(pkg, L.REGISTRY_SHEET, 2, 4, "Email mới từ 01/3/2026", part_no=12)
        add_picture(pkg)
        reformat_programme_sheet(pkg)
        excel_calc_state(pkg)
        self.ws.master.write_bytes(pkg.to_bytes())
        self.before = Package(self.ws.master.read_bytes())
        _register(self.ws, changed_deadline=(self.typed_over.noi_dung, "30/11/2026"), only="STC")
        _report_progress(self.ws)
        self.run = ops.consolidate(self.ws, today=dt.date(2026, 4, 2))
        self.summary = ops.summary(self.ws, as_of=AS_OF)
        self.after = Package(self.ws.master.read_bytes())


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return Scenario(tmp_path_factory.mktemp("ws"))


MANAGED = (PROGRAMME_SHEET, L.CONFIG_SHEET, L.REGISTRY_SHEET, L.MONTHLY_SHEET, L.VALIDATION_LOG_SHEET,
           L.IMPORT_LOG_SHEET, L.HISTORY_SHEET, *L.DERIVED_SHEETS,
           L.SUMMARY_SHEET)  # the review sheets: written by summary --as-of


def _canonical(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n")


def _cells(root: etree._Element) -> dict[str, bytes]:
    return {c.get("r"): _canonical(c) for c in root.iter(f"{M}c")}


def _summary_formula_cells(scenario: Scenario) -> set[tuple[int, int]]:
    if not hasattr(scenario, "summary_cells"):
        layout = SummaryLayout.for_new(len(AGENCIES), len(LEADERS))
        scenario.summary_cells = {(c.row, c.col) for c in summary_cells(read_master(scenario.ws.master), AS_OF, layout)}
    return scenario.summary_cells


def _allowed(sheet: str, ref: str, scenario: Scenario) -> bool:
    """Is ``ref`` inside a region the tool manages on ``sheet``?"""
    letters = "".join(ch for ch in ref if ch.isalpha())
    row = int(ref[len(letters):])
    col = col_index(letters)
    if sheet == PROGRAMME_SHEET:
        owner = PROGRAMME_COLUMNS[col - 1].owner if col <= len(PROGRAMME_COLUMNS) else "clerk"
        return row >= 2 and owner in ("system", "agency", "progress")
    if sheet == L.CONFIG_SHEET:
        return (row, col) == (L.config_row("as_of"), 2)
    if sheet == L.REGISTRY_SHEET:
        return row >= 2 and col == [c.key for c in L.REGISTRY_COLUMNS].index("received_annual") + 1
    if sheet in (L.VALIDATION_LOG_SHEET, L.IMPORT_LOG_SHEET, L.HISTORY_SHEET):
        return row >= 2
    if sheet in L.DERIVED_SHEETS:  # written whole (summary --as-of; the print view with the programme)
        return True
    if sheet == L.SUMMARY_SHEET:  # its formula cells, rewritten with their values
        return (row, col) in _summary_formula_cells(scenario)
    return False


# ------------------------------------------------------------------ the tests


def test_the_runs_really_wrote_the_master(scenario):
    assert scenario.run.written
    assert [c.result.accepted for c in scenario.run.files] == [True] * len(scenario.run.files)
    assert scenario.summary.by_status["hoan_thanh_dung_han"] >= 1
    changed = {n for n, data in scenario.after.parts.items() if scenario.before.parts.get(n) != data}
    assert {scenario.before.sheets[s] for s in (PROGRAMME_SHEET, L.CONFIG_SHEET, L.IMPORT_LOG_SHEET)} <= changed


def test_every_part_but_managed_sheets_workbook_calc_chain_and_chart_caches_is_byte_for_byte_identical(scenario):
    before, after = scenario.before.parts, scenario.after.parts
    charts = {n for n in before if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}
    may_change = {scenario.before.sheets[s] for s in MANAGED} | charts | {
        "xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    assert set(after) == set(before) - {"xl/calcChain.xml"}
    differing = sorted(n for n in after if after[n] != before[n] and n not in may_change)
    assert differing == []
    assert list(after) == [n for n in before if n != "xl/calcChain.xml"]  # order kept too


def _without_caches(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for cache in [*root.iter(f"{{{CHART}}}numCache"), *root.iter(f"{{{CHART}}}strCache")]:
        cache.getparent().remove(cache)
    return etree.tostring(root, encoding="UTF-8")


def test_charts_change_only_in_the_cached_points_of_the_cells_written(scenario):
    before, after = scenario.before.parts, scenario.after.parts
    charts = sorted(n for n in before if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    assert charts and any(after[n] != before[n] for n in charts)
    assert [_without_caches(after[n]) for n in charts] == [_without_caches(before[n]) for n in charts]


def test_clerks_sheet_comment_picture_styles_and_vba_are_kept(scenario):
    before, after = scenario.before.parts, scenario.after.parts
    kept = [USER_SHEET_PART, PICTURE_PART, "xl/comments11.xml", "xl/drawings/vmlDrawing11.vml", "xl/comments12.xml",
            "xl/styles.xml", "xl/sharedStrings.xml", "xl/vbaProject.bin", "xl/drawings/drawing1.xml",
            "xl/drawings/_rels/drawing1.xml.rels"]
    for part in kept:
        if part in before:
            assert after.get(part) == before[part], part
    assert USER_SHEET_PART in after and PICTURE_PART in after
    # the programme already had comments (header help): the clerk's note went into that part
    programme_comments = scenario.before.rel_target(scenario.before.sheets[PROGRAMME_SHEET], "comments")
    assert "Đã báo cáo Phó Chủ tịch" in after[programme_comments].decode()
    assert after[programme_comments] == before[programme_comments]
    book = openpyxl.load_workbook(io.BytesIO(scenario.after.to_bytes()), keep_vba=True)
    assert USER_SHEET in book.sheetnames
    assert "DonViTrongDiem" in book.defined_names


def test_workbook_part_differs_only_by_full_calc_on_load(scenario):
    before = scenario.before.xml("xl/workbook.xml")
    after = scenario.after.xml("xl/workbook.xml")
    assert after.find(f"{M}calcPr").get("fullCalcOnLoad") == "1"
    after.find(f"{M}calcPr").attrib.pop("fullCalcOnLoad")
    assert _canonical(after) == _canonical(before)


def test_calc_chain_is_dropped_with_only_its_content_type_and_relationship(scenario):
    for part, attr in (("[Content_Types].xml", "PartName"), ("xl/_rels/workbook.xml.rels", "Target")):
        before = scenario.before.xml(part)
        for el in list(before):
            if (el.get(attr) or "").endswith("calcChain.xml"):
                before.remove(el)
        assert _canonical(scenario.after.xml(part)) == _canonical(before), part


@pytest.mark.parametrize("sheet", MANAGED)
def test_in_a_managed_sheet_only_managed_cells_change(scenario, sheet):
    part = scenario.before.sheets[sheet]
    before, after = scenario.before.xml(part), scenario.after.xml(part)
    outside = lambda root: [_canonical(el) for el in root if el.tag not in (f"{M}sheetData", f"{M}dimension")]
    assert outside(after) == outside(before)
    cells_before, cells_after = _cells(before), _cells(after)
    changed = {ref for ref in cells_before.keys() | cells_after.keys() if cells_before.get(ref) != cells_after.get(ref)}
    assert sorted(ref for ref in changed if not _allowed(sheet, ref, scenario)) == []
    # a row's attributes are kept, except the height the tool fits to a row it wrote
    # (never a height set by hand) and Excel's optional "spans" hint
    written_rows = {re.sub(r"^[A-Z]+", "", ref) for ref in changed}

    def attrs(row: etree._Element) -> dict[str, str]:
        fitted = row.get("r") in written_rows and row.get("customHeight") != "1"
        return {k: v for k, v in row.attrib.items() if k != "spans" and not (fitted and k == "ht")}

    rows_before = {r.get("r"): attrs(r) for r in before.iter(f"{M}row")}
    rows_after = {r.get("r"): attrs(r) for r in after.iter(f"{M}row")}
    assert {r: a for r, a in rows_after.items() if r in rows_before} == rows_before


def test_a_row_height_set_by_hand_is_kept(scenario):
    part = scenario.before.sheets[PROGRAMME_SHEET]
    row = scenario.after.xml(part).find(f"{M}sheetData")[1]
    assert (row.get("ht"), row.get("customHeight")) == ("48", "1")


def test_written_rows_with_long_text_get_a_fitting_height(scenario):
    part = scenario.before.sheets[PROGRAMME_SHEET]
    rows = {int(r.get("r")): r for r in scenario.after.xml(part).iter(f"{M}row")}
    ds = read_master(scenario.ws.master)
    long_row = next(ds.programme_index.rows[i.ma_dau_viec] for i in ds.items if i.noi_dung == LONG_CONTENT)
    assert float(rows[long_row].get("ht")) == 2 * 15.75  # two lines in the widened content column
    proposal_row = ds.programme_index.rows[scenario.typed_over.ma_dau_viec]  # its reason runs over lines
    short = [r for r, el in rows.items() if r not in (1, 2, long_row, proposal_row)]
    assert short and all(rows[r].get("ht") is None for r in short)


def test_office_hand_edits_in_office_columns_survive(scenario):
    items = {i.ma_dau_viec: i for i in read_master(scenario.ws.master).items}
    approved = items[scenario.approved.ma_dau_viec]
    assert approved.thoi_han_dieu_chinh == dt.date(2026, 8, 31)
    assert approved.ghi_chu_vp == "Đồng ý lùi hạn theo Công văn số 4321/UBND-TH"
    assert approved.effective_deadline == dt.date(2026, 8, 31)
    assert items[scenario.withdrawn.ma_dau_viec].rut
    assert scenario.summary.by_status["rut_khoi_chuong_trinh"] == 1


def test_a_cell_the_clerk_typed_over_is_kept_and_the_agencys_new_deadline_is_a_proposal(scenario):
    item = {i.ma_dau_viec: i for i in read_master(scenario.ws.master).items}[scenario.typed_over.ma_dau_viec]
    assert item.thoi_han == dt.date(2026, 10, 15)  # not the agency's 30/11/2026
    assert item.de_xuat_thoi_han == dt.date(2026, 11, 30)
    (proposed,) = [f for f in scenario.run.findings if f.code == "deadline_change_proposed"]
    rows = read_master(scenario.ws.master).programme_index.rows
    assert f"{programme_letter('de_xuat_thoi_han')}{rows[item.ma_dau_viec]}" in proposed.message


def test_clerks_own_column_beside_the_programme_is_kept(scenario):
    sheet = openpyxl.load_workbook(io.BytesIO(scenario.after.to_bytes()))[PROGRAMME_SHEET]
    letter = column_letter(CLERK_COLUMN)
    assert sheet[f"{letter}1"].value == "Ghi chép riêng của chuyên viên"
    assert sheet[f"{letter}3"].value == "Hỏi lại Sở về số liệu"
    assert sheet[f"{letter}3"].font.b


def test_the_hand_edited_master_after_the_runs_is_valid_office_open_xml(scenario, tmp_path):
    """A clerk's sheet, comments, a picture, a defined name, a new style, then the tool's runs:
    Microsoft's validator and the structure checks find nothing Excel would repair."""
    from ooxml import require_validator, structure_problems, validator_errors

    path = tmp_path / "ChuongTrinhCongTac_2026.xlsm"
    path.write_bytes(scenario.after.to_bytes())
    assert structure_problems(path) == []
    require_validator()  # skipped where not installed; fails under CI
    assert validator_errors(path) == []
