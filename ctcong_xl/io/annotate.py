"""Annotate a workbook package in place of opening and saving it: the parts a returned copy
(:mod:`.returned`) changes, every other part copied byte for byte (:func:`.xlsxpatch.write_package`).

:class:`Annotation` collects, for one package:

* **cell formats** — :meth:`Annotation.marked_format` adds to ``xl/styles.xml`` a copy of a
  cell's format with a solid fill (number format, font, border, alignment and protection kept),
  :meth:`Annotation.new_format` a format of its own (fonts, fills, borders appended once each);
* **marks** — :meth:`Annotation.mark` gives a cell such a fill and a comment (a comments part
  and its legacy VML drawing, as Excel writes them; a sheet that already has comments or a VML
  drawing gets its comments and shapes added there, a clerk's own comment on the cell is kept
  under the new text);
* **a first sheet** — :meth:`Annotation.first_sheet` puts a worksheet (its XML given whole) in
  front of the others, selected and active; a sheet of that name already there (a copy sent
  back again) is replaced and moved. Sheet-level defined names follow their sheets,
  ``docProps/app.xml`` lists the new title, a print-titles row may be given;
* and on :meth:`Annotation.package` every formula becomes its text (``=…`` as a text cell:
  the copy is opened at the Office, nothing in it may run; shared formulas are first released
  into one formula per cell, see :mod:`.sheetxml`), Excel's calculation chain and a VBA
  project are dropped (the copy is an ``.xlsx``).

Anything the package lacks or holds in a form this door does not expect raises
:class:`~.xlsxpatch.PackageError` (or the parser's error): the caller then writes a list alone.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from copy import deepcopy as copy_element
from dataclasses import dataclass, field

from lxml import etree

from .sheetxml import Rect, cell_position, release_cells
from .xlsxpatch import (NS_CT, NS_MAIN, NS_PKG_REL, NS_REL, PackageError, set_cell, sheet_parts,
                        write_package)

M = f"{{{NS_MAIN}}}"
R_ID = f"{{{NS_REL}}}id"
_PARSER = etree.XMLParser(huge_tree=True, remove_blank_text=False)
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
COMMENTS_REL = _REL_TYPE + "comments"
VML_REL = _REL_TYPE + "vmlDrawing"
WORKSHEET_REL = _REL_TYPE + "worksheet"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORKBOOK_TYPES = ("application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                        "application/vnd.ms-excel.template.macroEnabled.main+xml",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml")
VBA_TYPES = ("application/vnd.ms-office.vbaProject", "application/vnd.ms-office.vbaProjectSignature",
             "application/vnd.ms-office.vbaProjectSignatureAgile", "application/vnd.ms-office.vbaProjectSignatureV3")
_VBA_RELS = ("http://schemas.microsoft.com/office/2006/relationships/vbaProject",)
# CT_Worksheet's children after <legacyDrawing> (ECMA-376 §18.3.1.99)
_AFTER_LEGACY_DRAWING = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                         "tableParts", "extLst")
_VML_ID = re.compile(r'_x0000_s(\d+)')
_IDMAP = re.compile(r'<o:idmap\b[^>]*\bdata="([\d,\s]*)"')
_WHOLE_SHEET = Rect(1, 1, 1048576, 16384)


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def rels_part(part: str) -> str:
    """The relationships part of ``part`` (``xl/worksheets/_rels/sheet1.xml.rels``)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _target(source: str, target: str) -> str:
    """A relationship's target as a part name."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


@dataclass
class _Note:
    text: str
    width: int
    height: int


@dataclass
class _First:
    name: str
    xml: bytes
    print_rows: str | None


@dataclass
class Annotation:
    """The changes to one package (see the module docstring); :meth:`package` applies them."""

    source: bytes
    author: str
    zin: zipfile.ZipFile = field(init=False)
    replaced: dict[str, bytes] = field(init=False, default_factory=dict)
    _notes: dict[str, dict[str, _Note]] = field(init=False, default_factory=dict)
    _styles: dict[str, int] = field(init=False, default_factory=dict)  # (cell-style keys) -> xf index
    _marked: dict[str, dict[str, int]] = field(init=False, default_factory=dict)  # sheet -> ref -> fill
    _first: _First | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.zin = zipfile.ZipFile(io.BytesIO(self.source))
        names = set(self.zin.namelist())
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise PackageError("Tệp không có sổ tính Excel (xl/workbook.xml).")
        root = etree.fromstring(self.zin.read("xl/workbook.xml"), _PARSER)
        if root.tag != f"{M}workbook":
            raise PackageError("Sổ tính không theo chuẩn Office Open XML thông thường.")
        self.parts = sheet_parts(self.zin)
        self._styles_root = etree.fromstring(self.current("xl/styles.xml"), _PARSER) \
            if "xl/styles.xml" in names else None

    # ------------------------------------------------------------------ parts

    def has(self, name: str) -> bool:
        return name in self.replaced or name in self.zin.NameToInfo

    def current(self, name: str) -> bytes:
        return self.replaced[name] if name in self.replaced else self.zin.read(name)

    def _free_name(self, pattern: str) -> str:
        n = 1
        while self.has(pattern.format(n)):
            n += 1
        return pattern.format(n)

    def _relationships(self, part: str) -> etree._Element:
        rels = rels_part(part)
        if self.has(rels):
            return etree.fromstring(self.current(rels), _PARSER)
        return etree.Element(f"{{{NS_PKG_REL}}}Relationships", nsmap={None: NS_PKG_REL})

    def _add_relationship(self, part: str, kind: str, target: str) -> str:
        rels = self._relationships(part)
        ids = {r.get("Id") for r in rels}
        k = 1
        while f"rId{k}" in ids:
            k += 1
        etree.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", Id=f"rId{k}", Type=kind, Target=target)
        self.replaced[rels_part(part)] = _xml(rels)
        return f"rId{k}"

    def _content_types(self, overrides: dict[str, str], defaults: dict[str, str] = {}) -> None:  # noqa: B006
        types = etree.fromstring(self.current("[Content_Types].xml"), _PARSER)
        have_ext = {d.get("Extension", "").lower() for d in types.iter(f"{{{NS_CT}}}Default")}
        have_part = {o.get("PartName") for o in types.iter(f"{{{NS_CT}}}Override")}
        for ext, kind in defaults.items():
            if ext not in have_ext:
                types.insert(0, etree.Element(f"{{{NS_CT}}}Default", Extension=ext, ContentType=kind))
        for part, kind in overrides.items():
            if f"/{part}" not in have_part:
                etree.SubElement(types, f"{{{NS_CT}}}Override", PartName=f"/{part}", ContentType=kind)
        self.replaced["[Content_Types].xml"] = _xml(types)

    # ------------------------------------------------------------------ cell formats

    def _append(self, section: str, xml: str) -> int:
        """Append ``xml`` to the styles section ``section`` (once: an equal element is reused)."""
        root = self._styles_root
        if root is None:
            raise PackageError("Sổ tính không có bảng định dạng (xl/styles.xml).")
        key = f"{section}:{xml}"
        if key in self._styles:
            return self._styles[key]
        block = root.find(f"{M}{section}")
        if block is None:
            raise PackageError(f"Bảng định dạng thiếu phần {section}.")
        block.append(etree.fromstring(f'<x xmlns="{NS_MAIN}">{xml}</x>', _PARSER)[0])
        index = len(block) - 1
        block.set("count", str(len(block)))
        self._styles[key] = index
        return index

    def fill(self, rgb: str) -> int:
        return self._append("fills", f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
                                     f'<bgColor indexed="64"/></patternFill></fill>')

    def font(self, name: str, size: float, *, bold: bool = False, color: str | None = None,
             underline: bool = False) -> int:
        return self._append("fonts", "<font>" + ("<b/>" if bold else "") + ("<u/>" if underline else "")
                            + f'<sz val="{size:g}"/>' + (f'<color rgb="FF{color}"/>' if color else "")
                            + f'<name val="{_escape(name)}"/><family val="1"/></font>')

    def border(self, rgb: str) -> int:
        side = f'style="thin"><color rgb="FF{rgb}"/>'
        return self._append("borders", "<border>" + "".join(f"<{s} {side}</{s}>" for s in
                                                             ("left", "right", "top", "bottom")) + "<diagonal/></border>")

    def new_format(self, *, font: int, fill: int = 0, border: int = 0, alignment: str = "") -> int:
        """A cell format of its own (index into ``cellXfs``); ``alignment``: the attributes of
        its ``<alignment>``, e.g. ``wrapText="1" vertical="top"``."""
        xml = (f'<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0" applyFont="1"'
               + (' applyFill="1"' if fill else "") + (' applyBorder="1"' if border else "")
               + (f' applyAlignment="1"><alignment {alignment}/></xf>' if alignment else "/>"))
        return self._append("cellXfs", xml)

    def marked_format(self, base: int, fill: int) -> int:
        """A copy of cell format ``base`` with ``fill``."""
        key = f"marked:{base}:{fill}"
        if key in self._styles:
            return self._styles[key]
        xfs = self._styles_root.find(f"{M}cellXfs") if self._styles_root is not None else None
        if xfs is None or not len(xfs):
            raise PackageError("Bảng định dạng không có định dạng ô (cellXfs).")
        copy = copy_element(xfs[base if base < len(xfs) else 0])
        copy.set("fillId", str(fill))
        copy.set("applyFill", "1")
        xfs.append(copy)
        xfs.set("count", str(len(xfs)))
        self._styles[key] = len(xfs) - 1
        return len(xfs) - 1

    # ------------------------------------------------------------------ marks and the first sheet

    def mark(self, sheet: str, ref: str, fill: int, note: str, width: int = 320, height: int = 80) -> None:
        """Give cell ``ref`` of ``sheet`` the fill ``fill`` (see :meth:`fill`) and a comment."""
        if sheet not in self.parts:
            raise PackageError(f"Bảng tính thiếu trang “{sheet}”.")
        self._marked.setdefault(sheet, {})[ref] = fill
        self._notes.setdefault(sheet, {})[ref] = _Note(note, width, height)

    def first_sheet(self, name: str, xml: bytes, print_rows: str | None = None) -> None:
        """Put the worksheet ``xml`` first, as sheet ``name``, selected and active;
        ``print_rows`` (e.g. ``$4:$4``) are repeated on every printed page."""
        self._first = _First(name, xml, print_rows)

    # ------------------------------------------------------------------ applying it all

    def package(self) -> bytes:
        """The package with every change applied."""
        first_part = self.parts.get(self._first.name) if self._first else None
        for sheet, part in self.parts.items():
            if part != first_part:
                self._patch_sheet(sheet, part)
        drop = self._drop_vba()
        if self.has("xl/calcChain.xml"):
            drop.add("xl/calcChain.xml")
        if self._first:
            self._put_first(self._first, first_part)
        if self._styles_root is not None and self._styles:
            self.replaced["xl/styles.xml"] = _xml(self._styles_root)
        if drop:
            self._forget(drop)
        return write_package(self.zin, self.replaced, drop)

    def _patch_sheet(self, sheet: str, part: str) -> None:
        xml = self.current(part)
        marks = self._marked.get(sheet, {})
        if not marks and b"<f" not in xml and b"tabSelected" not in xml:
            return  # copied as it is
        root = etree.fromstring(xml, _PARSER)
        data = root.find(f"{M}sheetData")
        if data is None:
            raise PackageError(f"Trang “{sheet}” không có phần dữ liệu (sheetData).")
        if data.find(f".//{M}f") is not None:
            _formulas_as_text(data)
        if self._first:
            for view in root.iter(f"{M}sheetView"):
                view.attrib.pop("tabSelected", None)
        if marks:
            cells = _cells(root, data, marks)
            for ref, fill in marks.items():
                cell = cells[ref]
                cell.set("s", str(self.marked_format(int(cell.get("s") or 0), fill)))
            self._comments(part, root, self._notes[sheet])
        self.replaced[part] = _xml(root)

    def _comments(self, part: str, root: etree._Element, notes: dict[str, _Note]) -> None:
        rels = {r.get("Id"): r for r in self._relationships(part)}
        comments_part = next((_target(part, r.get("Target")) for r in rels.values()
                              if r.get("Type") == COMMENTS_REL and r.get("TargetMode") != "External"), None)
        legacy = root.find(f"{M}legacyDrawing")
        vml_part = None
        if legacy is not None and legacy.get(R_ID) in rels:
            vml_part = _target(part, rels[legacy.get(R_ID)].get("Target"))
            if not self.has(vml_part):
                raise PackageError(f"Thiếu phần {vml_part}.")
        if comments_part is not None and not self.has(comments_part):
            raise PackageError(f"Thiếu phần {comments_part}.")
        if comments_part is not None and vml_part is None:
            raise PackageError("Ghi chú của trang không có hình vẽ (legacyDrawing).")
        overrides: dict[str, str] = {}
        if comments_part is None:
            comments_part = self._free_name("xl/comments{}.xml")
            self.replaced[comments_part] = _xml(etree.fromstring(
                f'<comments xmlns="{NS_MAIN}"><authors/><commentList/></comments>'.encode(), _PARSER))
            self._add_relationship(part, COMMENTS_REL, posixpath.relpath(comments_part, posixpath.dirname(part)))
            overrides[comments_part] = COMMENTS_TYPE
        shapes = self._write_comments(comments_part, notes)
        if vml_part is None:
            vml_part = self._free_name("xl/drawings/vmlDrawing{}.vml")
            self.replaced[vml_part] = _new_vml(self._free_idmap())
            rid = self._add_relationship(part, VML_REL, posixpath.relpath(vml_part, posixpath.dirname(part)))
            legacy = etree.Element(f"{M}legacyDrawing")
            legacy.set(R_ID, rid)
            anchor = next((el for tag in _AFTER_LEGACY_DRAWING if (el := root.find(f"{M}{tag}")) is not None), None)
            if anchor is None:
                root.append(legacy)
            else:
                anchor.addprevious(legacy)
        if shapes:
            self.replaced[vml_part] = _add_shapes(self.current(vml_part).decode("utf-8"), shapes).encode("utf-8")
        self._content_types(overrides, {"vml": VML_TYPE})

    def _write_comments(self, comments_part: str, notes: dict[str, _Note]) -> dict[str, _Note]:
        """Add the notes to the comments part; returns those that need a shape (a cell that had
        no comment yet)."""
        root = etree.fromstring(self.current(comments_part), _PARSER)
        authors = root.find(f"{M}authors")
        listed = root.find(f"{M}commentList")
        if authors is None or listed is None:
            raise PackageError("Phần ghi chú không đúng cấu trúc.")
        names = [a.text or "" for a in authors]
        if self.author not in names:
            etree.SubElement(authors, f"{M}author").text = self.author
            names.append(self.author)
        author_id = str(names.index(self.author))
        existing = {c.get("ref"): c for c in listed}
        shapes: dict[str, _Note] = {}
        for ref, note in sorted(notes.items(), key=lambda kv: cell_position(kv[0])):
            old = existing.get(ref)
            text = note.text
            if old is not None:
                kept = "".join(old.find(f"{M}text").itertext()) if old.find(f"{M}text") is not None else ""
                if old.get("authorId") != author_id and kept.strip():
                    text += "\n\n" + kept  # the clerk's own comment, under ours
                listed.remove(old)
            else:
                shapes[ref] = note
            comment = etree.SubElement(listed, f"{M}comment", ref=ref, authorId=author_id)
            t = etree.SubElement(etree.SubElement(comment, f"{M}text"), f"{M}t")
            t.text = text
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        self.replaced[comments_part] = _xml(root)
        return shapes

    def _free_idmap(self) -> int:
        used = {0}
        for name in list(self.zin.namelist()) + list(self.replaced):
            if name.endswith(".vml"):
                for found in _IDMAP.findall(self.current(name).decode("utf-8", "replace")):
                    used.update(int(n) for n in re.findall(r"\d+", found))
        return max(used) + 1

    def _drop_vba(self) -> set[str]:
        """The VBA parts (dropped), with the workbook's content type made that of an .xlsx."""
        types = etree.fromstring(self.current("[Content_Types].xml"), _PARSER)
        drop: set[str] = set()
        changed = False
        for o in list(types.iter(f"{{{NS_CT}}}Override")):
            kind = o.get("ContentType")
            if kind in VBA_TYPES:
                drop.add(o.get("PartName", "").lstrip("/"))
            elif kind in MACRO_WORKBOOK_TYPES:
                o.set("ContentType", WORKBOOK_TYPE)
                changed = True
        for d in list(types.iter(f"{{{NS_CT}}}Default")):
            if d.get("ContentType") in VBA_TYPES:  # vbaProject.bin by its extension
                ext = "." + d.get("Extension", "").lower()
                drop.update(n for n in self.zin.namelist() if n.lower().endswith(ext))
                types.remove(d)
                changed = True
        rels = etree.fromstring(self.current("xl/_rels/workbook.xml.rels"), _PARSER)
        for r in rels:
            if r.get("Type") in _VBA_RELS:
                drop.add(_target("xl/workbook.xml", r.get("Target")))
        drop = {n for n in drop if self.has(n)}
        if changed or drop:
            self.replaced["[Content_Types].xml"] = _xml(types)
        return drop

    def _forget(self, drop: set[str]) -> None:
        """Remove the dropped parts' relationships (of the workbook and of the parts themselves)
        and content types."""
        rels = etree.fromstring(self.current("xl/_rels/workbook.xml.rels"), _PARSER)
        for r in list(rels):
            if r.get("TargetMode") != "External" and _target("xl/workbook.xml", r.get("Target")) in drop:
                rels.remove(r)
        self.replaced["xl/_rels/workbook.xml.rels"] = _xml(rels)
        types = etree.fromstring(self.current("[Content_Types].xml"), _PARSER)
        for o in list(types.iter(f"{{{NS_CT}}}Override")):
            if o.get("PartName", "").lstrip("/") in drop:
                types.remove(o)
        self.replaced["[Content_Types].xml"] = _xml(types)
        drop.update(rels_part(n) for n in list(drop) if self.has(rels_part(n)))

    def _put_first(self, first: _First, part: str | None) -> None:
        wb = etree.fromstring(self.current("xl/workbook.xml"), _PARSER)
        sheets = wb.find(f"{M}sheets")
        order = list(sheets)
        if part is None:
            part = self._free_name("xl/worksheets/sheet{}.xml")
            rid = self._add_relationship("xl/workbook.xml", WORKSHEET_REL, posixpath.relpath(part, "xl"))
            el = etree.Element(f"{M}sheet", name=first.name,
                               sheetId=str(1 + max((int(s.get("sheetId", 0)) for s in sheets), default=0)))
            el.set(R_ID, rid)
            self._content_types({part: WORKSHEET_TYPE})
            old_index = None
        else:
            el = next(s for s in order if s.get("name") == first.name)
            old_index = order.index(el)
            el.attrib.pop("state", None)
            sheets.remove(el)
        sheets.insert(0, el)
        self.replaced[part] = first.xml
        moved = {i: i + 1 if old_index is None or i < old_index else i for i in range(len(order))}
        if old_index is not None:
            moved[old_index] = 0
        names = wb.find(f"{M}definedNames")
        if names is not None:
            for dn in list(names):
                local = dn.get("localSheetId")
                if local is None or not local.isdigit():
                    continue
                if int(local) == old_index:
                    names.remove(dn)  # the old list's own names: the list is new
                else:
                    dn.set("localSheetId", str(moved.get(int(local), int(local))))
        if first.print_rows:
            if names is None:
                names = etree.Element(f"{M}definedNames")
                anchor = wb.find(f"{M}sheets")
                anchor.addnext(names)
            quoted = first.name.replace("'", "''")
            dn = etree.Element(f"{M}definedName", name="_xlnm.Print_Titles", localSheetId="0")
            dn.text = f"'{quoted}'!{first.print_rows}"
            names.insert(0, dn)
        for view in wb.iter(f"{M}workbookView"):
            view.attrib.pop("activeTab", None)
            view.attrib.pop("firstSheet", None)
        self.replaced["xl/workbook.xml"] = _xml(wb)
        if self.has("docProps/app.xml"):
            self._app_titles(first.name, moved_existing=old_index is not None)

    def _app_titles(self, name: str, *, moved_existing: bool) -> None:
        """``docProps/app.xml``: the new sheet's title first among the worksheets' titles."""
        ep = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
        vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
        root = etree.fromstring(self.current("docProps/app.xml"), _PARSER)
        titles = root.find(f"{{{ep}}}TitlesOfParts/{{{vt}}}vector")
        pairs = root.find(f"{{{ep}}}HeadingPairs/{{{vt}}}vector")
        if titles is None or pairs is None or len(pairs) < 2:
            return
        count = pairs[1].find(f"{{{vt}}}i4")
        if count is None or not (count.text or "").strip().isdigit():
            return
        worksheets = int(count.text)
        listed = [t.text for t in titles[:worksheets]]
        if moved_existing and name in listed:
            titles.remove(titles[listed.index(name)])
        else:
            count.text = str(worksheets + 1)
        lpstr = etree.Element(f"{{{vt}}}lpstr")
        lpstr.text = name
        titles.insert(0, lpstr)
        titles.set("size", str(len(titles)))
        self.replaced["docProps/app.xml"] = _xml(root)


def _formulas_as_text(data: etree._Element) -> None:
    """Every formula of the sheet written as its text, in a text cell."""
    release_cells(data, [_WHOLE_SHEET])  # shared formulas into one per cell; arrays into values
    for f in list(data.iter(f"{M}f")):
        c = f.getparent()
        text = (f.text or "").strip()
        c.attrib.pop("cm", None)
        c.attrib.pop("vm", None)
        if not text:  # an orphan member of a shared group: its last value stays
            c.remove(f)
            continue
        set_cell(c, text if text.startswith("=") else "=" + text)


def _cells(root: etree._Element, data: etree._Element, refs) -> dict[str, etree._Element]:
    """The ``<c>`` elements of ``refs`` (made where the sheet has none, with the format the
    row or the column gives an empty cell)."""
    rows = {int(r.get("r")): r for r in data.iter(f"{M}row") if (r.get("r") or "").isdigit()}
    columns: dict[int, str] = {}
    cols = root.find(f"{M}cols")
    for col in cols.iter(f"{M}col") if cols is not None else ():
        if col.get("style"):
            for n in range(int(col.get("min")), min(int(col.get("max")), 16384) + 1):
                columns[n] = col.get("style")
    found: dict[str, etree._Element] = {}
    for ref in refs:
        rnum, cnum = cell_position(ref)
        row = rows.get(rnum)
        if row is None:
            row = etree.Element(f"{M}row", r=str(rnum))
            later = [n for n in rows if n > rnum]
            if later:
                rows[min(later)].addprevious(row)
            else:
                data.append(row)
            rows[rnum] = row
        cell = next((c for c in row.iter(f"{M}c") if c.get("r") == ref), None)
        if cell is None:
            cell = etree.Element(f"{M}c", r=ref)
            style = row.get("s") if row.get("customFormat") in ("1", "true") else columns.get(cnum)
            if style:
                cell.set("s", style)
            after = [c for c in row.iter(f"{M}c") if c.get("r") and cell_position(c.get("r"))[1] > cnum]
            if after:
                after[0].addprevious(cell)
            else:
                row.append(cell)
        found[ref] = cell
    return found


_VML_HEAD = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
             'xmlns:x="urn:schemas-microsoft-com:office:excel">'
             '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>')
_SHAPETYPE = ('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
              '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def _new_vml(idmap: int) -> bytes:
    return (_VML_HEAD.format(idmap=idmap) + _SHAPETYPE + "</xml>").encode("utf-8")


def _add_shapes(vml: str, notes: dict[str, _Note]) -> str:
    """The VML drawing with a hidden note shape for each cell of ``notes`` (as Excel draws a
    comment), the note shape type added if the drawing lacks it."""
    end = vml.rfind("</xml>")
    if end < 0:
        raise PackageError("Hình vẽ VML của trang không đúng cấu trúc.")
    idmap = _IDMAP.search(vml)
    block = int(re.findall(r"\d+", idmap.group(1))[0]) if idmap and re.search(r"\d", idmap.group(1)) else 1
    start = max([int(n) for n in _VML_ID.findall(vml)] + [block * 1024]) + 1  # Excel: 1024 shape ids a block
    out = [] if 'id="_x0000_t202"' in vml else [_SHAPETYPE]
    for n, (ref, note) in enumerate(sorted(notes.items(), key=lambda kv: cell_position(kv[0]))):
        row, col = cell_position(ref)
        out.append(
            f'<v:shape id="_x0000_s{start + n}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            f'margin-top:1.5pt;width:{note.width}px;height:{note.height}px;z-index:{n + 1};visibility:hidden" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>'
            f"<x:Row>{row - 1}</x:Row><x:Column>{col - 1}</x:Column></x:ClientData></v:shape>")
    return vml[:end] + "".join(out) + vml[end:]


# the smallest package this door annotates: one empty sheet, one font (for a list alone)
def skeleton(sheet: str, font: str, size: int = 12) -> bytes:
    """A workbook with one empty sheet ``sheet`` (for a list written alone)."""
    ws_xml = f'<worksheet xmlns="{NS_MAIN}"><sheetData/></worksheet>'
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{NS_CT}"><Default Extension="rels" '
                               'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                               '<Default Extension="xml" ContentType="application/xml"/>'
                               f'<Override PartName="/xl/workbook.xml" ContentType="{WORKBOOK_TYPE}"/>'
                               f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{WORKSHEET_TYPE}"/>'
                               '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                               'officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{_REL_TYPE}officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><bookViews><workbookView/></bookViews>'
                           f'<sheets><sheet name="{_escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" '
                                      f'Type="{WORKSHEET_REL}" Target="worksheets/sheet1.xml"/><Relationship '
                                      f'Id="rId2" Type="{_REL_TYPE}styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'<styleSheet xmlns="{NS_MAIN}"><fonts count="1"><font><sz val="{size}"/>'
                         f'<name val="{_escape(font)}"/><family val="1"/></font></fonts><fills count="2"><fill>'
                         '<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
                         '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
                         '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                         '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
                         'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
                         '</cellStyles></styleSheet>',
        "xl/worksheets/sheet1.xml": ws_xml,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text)
    return out.getvalue()


__all__ = ["Annotation", "skeleton", "rels_part"]
