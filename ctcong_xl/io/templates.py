"""Template workbooks sent to the agencies (SPEC §5), written with XlsxWriter.

Each template has:

* the visible form sheet (``form.sheet``): title rows, then ONE header row with the exact
  header texts of :mod:`ctcong_xl.core.forms`, then the input rows (annual / monthly: one
  locked example row, any pre-filled rows, then ``INPUT_ROWS`` empty rows; progress: exactly
  the pre-filled rows). Dropdowns come from the hidden list sheet ``Danh mục`` through
  defined names (inline list literals are limited to 255 characters). Date columns carry a
  date validation (warning style, so a text date can still be typed) and the format
  dd/mm/yyyy; period columns (deadlines such as ``Quý II/2026``) are formatted as text so that
  what the clerk types is kept as typed, whatever the PC's regional settings.
* the instructions sheet ``Hướng dẫn`` (Vietnamese);
* the hidden list sheet ``Danh mục``;
* the hidden metadata sheet ``_ctcong`` (key / value rows; not "veryHidden", which a
  LibreOffice save turns into plain hidden anyway), and the same keys as
  workbook custom properties (``ctcong_<key>``) as a second channel.

The form sheet is protected WITHOUT a password: the header row, the example row and the
pre-filled (``Column.locked``) columns are locked against slips of the hand, input cells are
unlocked; the clerk may still resize, insert and delete rows, and insert columns. Protection
without a password is a guard rail, not security: anyone can lift it (Review → Unprotect
Sheet), and the reader does not rely on it.

Every cell is set in Times New Roman (12; the title 13). Print setup: A4 landscape, the header
row repeated on every page, fit to one page wide.

The templates of one kind for many agencies are written once and copied
(:class:`TemplateCopies`): every template lists every agency, and writing each anew made the
whole round quadratic in the registry's size.

``template_id`` is deterministic: a hash of the kind, form version, year, month, agency code,
programme number and pre-filled rows, so that rebuilding the same template gives the same id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # XlsxWriter is imported when a template is written, not by the readers
    import xlsxwriter
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

from ..core.identity import SIGNATURE_CHARS, sign
from ..core.forms import (FIXED_LISTS, FORM_VERSION, FORMS, NO_CONTENT_CHOICE, NO_CONTENT_LABEL, Column, Form,
                          column_letter)
from ..core.messages import PERIOD_EXAMPLES
from ..core.models import Agency, ProgrammeConfig
from ..core.text import ILLEGAL_XML, cell_text, format_date, nfc

META_SHEET = "_ctcong"
LISTS_SHEET = "Danh mục"
INSTRUCTIONS_SHEET = "Hướng dẫn"
META_PROPERTY_PREFIX = "ctcong_"
META_KEYS = ("kind", "version", "year", "month", "agency_code", "template_id", "signature")

EXAMPLE_PREFIX = "Ví dụ:"  # an example row's "Nội dung công việc" starts with this; readers skip it
INPUT_ROWS = 200
HEADER_ROW = 5  # 1-based row of the header in a freshly written template
CHOICE_ROW = HEADER_ROW - 1  # registration forms: the "Không có nội dung đăng ký" choice, above the table
CHOICE_LABEL_COLUMNS = 2  # the label spans columns A:B; the choice cell is the next one (C)
FONT = "Times New Roman"
FONT_SIZE = 12
TITLE_SIZE = 13
DATE_FORMAT = "dd/mm/yyyy"
PRINT_WIDTH_CHARS = 175  # total column width (characters) that prints at >= 70 % on A4 landscape

_FILE_STEMS = {"annual": "DangKyNam", "monthly": "DangKyThang", "progress": "TienDo"}
_LIST_TITLES = {"agencies": "Đơn vị", "leaders": "Lãnh đạo UBND tỉnh"}
_DATE_HELP = "Ghi ngày theo dạng ngày/tháng/năm, ví dụ 28/02/2026."


@dataclass(frozen=True)
class TemplateMeta:
    """What a template says about itself, stored in the workbook so a returned file is
    recognised whatever its file name."""

    kind: str
    version: int
    year: int
    month: int | None
    agency_code: str
    template_id: str
    signature: str = ""  # core/identity.py: HMAC with the workspace's key; "" in a template made before

    def to_mapping(self) -> dict[str, str]:
        """Key -> text, as written to the metadata sheet and the custom properties."""
        return {k: "" if v is None else str(v) for k, v in asdict(self).items() if k != "signature" or v}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> TemplateMeta:
        """Parse key / value pairs as read back from a file. Raises ValueError if incomplete."""
        missing = [k for k in META_KEYS if k not in data and k != "signature"]
        if missing:
            raise ValueError(f"metadata lacks {', '.join(missing)}")
        month = _as_int(data["month"]) if cell_text(data["month"]) else None
        return cls(
            kind=cell_text(data["kind"]),
            version=_as_int(data["version"]),
            year=_as_int(data["year"]),
            month=month,
            agency_code=cell_text(data["agency_code"]),
            template_id=cell_text(data["template_id"]),
            signature=cell_text(data.get("signature")),
        )


def _as_int(v: Any) -> int:
    """2026, 2026.0, "2026" and "2026.0" -> 2026; anything else raises ValueError."""
    if isinstance(v, bool):
        raise ValueError(v)
    f = float(cell_text(v)) if not isinstance(v, (int, float)) else float(v)
    if not f.is_integer():
        raise ValueError(v)
    return int(f)


def template_filename(kind: str, agency: Agency, year: int, month: int | None = None) -> str:
    """ASCII file name without diacritics, e.g. ``DangKyNam_2026_STC.xlsx``,
    ``DangKyThang_2026-06_STC.xlsx``."""
    stem = _FILE_STEMS[kind]
    period = f"{year}-{month:02d}" if month else f"{year}"
    return f"{stem}_{period}_{ascii_slug(agency.code)}.xlsx"


def ascii_slug(text: str) -> str:
    """Vietnamese text -> ASCII letters, digits, '-' (đ -> d, diacritics dropped)."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    out = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in plain)
    return "-".join(p for p in out.split("-") if p) or "DV"


def make_template_id(kind: str, year: int, month: int | None, agency_code: str,
                     program_number: str, rows: list[dict] | None) -> str:
    payload = json.dumps(
        [kind, FORM_VERSION, year, month, agency_code, program_number, rows or []],
        ensure_ascii=False, sort_keys=True, default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def default_deadline(kind: str, year: int, month: int | None) -> dt.date | None:
    """Registration deadline when the caller gives none: that of a programme with the default
    configuration (15/11 of Y-1 for the annual registration, the 20th of the month before for a
    monthly one; none for progress), see :meth:`ProgrammeConfig.registration_deadline`."""
    return ProgrammeConfig(year=year).registration_deadline(kind, month)


def write_template(
    path: Path,
    kind: str,
    *,
    year: int,
    agency: Agency,
    agencies: list[Agency],
    leaders: list[str],
    month: int | None = None,
    rows: list[dict] | None = None,
    program_number: str = "",
    deadline: dt.date | None = None,
    key: bytes | None = None,
) -> TemplateMeta:
    """Write the template of ``kind`` for ``agency`` to ``path`` and return its metadata.

    ``rows`` are pre-filled rows keyed by column key (progress: ``ma_dau_viec``,
    ``noi_dung``, ``thoi_han`` as a date; monthly: the annual items due that month).
    ``deadline`` is the date by which the agency must send the file back (shown in the title
    and the instructions); by default see :func:`default_deadline`. With the workspace's
    ``key`` the metadata is signed (:mod:`ctcong_xl.core.identity`).
    """
    rows = _checked_rows(kind, month, rows)
    meta = template_meta(kind, year=year, month=month, agency_code=agency.code, program_number=program_number,
                         rows=rows, key=key)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_book(str(path), meta, agency, agencies, leaders, program_number,
                deadline or default_deadline(kind, year, month), rows)
    return meta


def _checked_rows(kind: str, month: int | None, rows: list[dict] | None) -> list[dict]:
    form = FORMS[kind]
    if kind == "monthly" and not month:
        raise ValueError("a monthly template needs a month")
    rows = [dict(r) for r in (rows or [])]
    for r in rows:
        unknown = set(r) - {c.key for c in form.columns}
        if unknown:
            raise KeyError(f"unknown column keys for {kind}: {sorted(unknown)}")
    return rows


def template_meta(kind: str, *, year: int, month: int | None, agency_code: str, program_number: str,
                  rows: list[dict], key: bytes | None) -> TemplateMeta:
    """What the template of ``kind`` for the agency ``agency_code`` says about itself (signed
    with the workspace's ``key``)."""
    meta_month = month if kind != "annual" else None
    template_id = make_template_id(kind, year, month, agency_code, program_number, rows)
    return TemplateMeta(
        kind=kind, version=FORM_VERSION, year=year, month=meta_month, agency_code=agency_code, template_id=template_id,
        signature=sign(key, kind, year, meta_month, agency_code, template_id) if key else "",
    )


def _write_book(target: Any, meta: TemplateMeta, agency: Agency, agencies: list[Agency], leaders: list[str],
                program_number: str, deadline: dt.date | None, rows: list[dict], list_values: bool = True) -> None:
    """Write the workbook with XlsxWriter to ``target`` (a path or a binary stream); with
    ``list_values`` false the list sheet has its header row only."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(target, {
        "in_memory": True,  # no temporary file per sheet
        "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
        "default_column_width": 72,  # Times New Roman 12: max digit width 8 px
        "default_row_height": 21,
    })
    try:
        writer = _TemplateWriter(wb, FORMS[meta.kind], meta, agency, agencies, leaders, program_number, deadline,
                                 list_values)
        writer.write(rows)
    finally:
        wb.close()


# Stand-ins for what differs from one agency's template to another's, in the template written
# once for all (characters of Unicode's private use area: never in a name, a code or an id)
_NAME_MARK, _CODE_MARK, _ID_MARK, _SIGNATURE_MARK = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKS = (_NAME_MARK, _CODE_MARK, _ID_MARK, _SIGNATURE_MARK)
_SHARED_STRING_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="s"><v>([0-9]+)</v></c>')
_SHARED_STRINGS = "xl/sharedStrings.xml"
_LIST_DIMENSION = re.compile(rb'<dimension ref="[A-Z0-9:]+"/>')


class TemplateCopies:
    """The templates of one kind for many agencies, in time linear in their number.

    Every template lists every agency (the dropdowns' list sheet), so writing each with
    XlsxWriter costs as much as the registry is long. Instead the template is written once
    with stand-ins for the agency's name, code, template id and signature (one per length of
    name: the heights of the rows that show the name follow its length) and each agency's
    template is that package with the stand-ins replaced: the parts that hold them (the form,
    the instructions, the metadata sheet, the custom properties; their texts are inline, so the
    shared strings stay the same) are rewritten, every other part — the list sheet, the shared
    strings, the styles — is copied as its compressed bytes (:func:`.xlsxpatch.write_package`).
    A template with pre-filled rows (monthly, progress) is written for its agency, but without
    the list sheet's rows: they are those of the list sheet written once, texts inline. An agency
    whose name or code would be written differently as a bare XML text gets
    :func:`write_template`.
    """

    def __init__(self, kind: str, *, year: int, agencies: list[Agency], leaders: list[str],
                 month: int | None = None, program_number: str = "", deadline: dt.date | None = None,
                 key: bytes | None = None) -> None:
        self.kind, self.year, self.month, self.key = kind, year, month, key
        self.agencies, self.leaders, self.program_number = agencies, leaders, program_number
        self.deadline = deadline or default_deadline(kind, year, month)
        self._bases: dict[int, tuple[bytes, frozenset[str]]] = {}
        self._lists: tuple[bytes, bytes] | None = None  # the list sheet's rows below its header, texts inline,
        # and its dimension

    def write(self, path: Path, agency: Agency, rows: list[dict] | None = None) -> TemplateMeta:
        """Write ``agency``'s template to ``path`` and return its metadata."""
        rows = _checked_rows(self.kind, self.month, rows)
        name = nfc(agency.name)
        meta = template_meta(self.kind, year=self.year, month=self.month, agency_code=agency.code,
                             program_number=self.program_number, rows=rows, key=self.key)
        if rows:
            return self._write_with_rows(Path(path), meta, agency, rows)
        if not (_plain(name) and _plain(agency.code)):
            return write_template(path, self.kind, year=self.year, agency=agency, agencies=self.agencies,
                                  leaders=self.leaders, month=self.month, rows=rows,
                                  program_number=self.program_number, deadline=self.deadline, key=self.key)
        base, marked = self._base(len(name))
        values = {_NAME_MARK * len(name): name, _CODE_MARK: meta.agency_code,
                  _ID_MARK * len(meta.template_id): meta.template_id}
        if meta.signature:
            values[_SIGNATURE_MARK * len(meta.signature)] = meta.signature
        from .xlsxpatch import write_package

        with zipfile.ZipFile(io.BytesIO(base)) as zin:
            replaced = {}
            for part in marked:
                data = zin.read(part)
                for mark, value in values.items():
                    data = data.replace(mark.encode("utf-8"), _xml_text(value).encode("utf-8"))
                replaced[part] = data
            package = write_package(zin, replaced)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(package)
        return meta

    def _write_with_rows(self, path: Path, meta: TemplateMeta, agency: Agency, rows: list[dict]) -> TemplateMeta:
        """A template with pre-filled rows: written for its agency, all but the list sheet's
        rows below its header, which come as the bytes of the list sheet written once (texts
        inline; its cells have no format of their own)."""
        from .xlsxpatch import sheet_parts, write_package

        if self._lists is None:
            with zipfile.ZipFile(io.BytesIO(self._base(1)[0])) as zin:
                full = _inline_strings(zin, sheet_parts(zin)[LISTS_SHEET])
            start, end = full.find(b'<row r="2"'), full.find(b"</sheetData>")
            self._lists = (full[start:end] if 0 <= start < end else b"", _LIST_DIMENSION.search(full).group(0))
        out = io.BytesIO()
        _write_book(out, meta, agency, self.agencies, self.leaders, self.program_number, self.deadline, rows,
                    list_values=False)
        with zipfile.ZipFile(out) as zin:
            part = sheet_parts(zin)[LISTS_SHEET]
            head = zin.read(part)  # the header row, with this workbook's formats
            rows, dimension = self._lists
            if rows:
                end = head.find(b"</sheetData>")
                if end < 0 or not _LIST_DIMENSION.search(head):
                    raise ValueError("the list sheet is not in the form XlsxWriter writes")
                head = _LIST_DIMENSION.sub(dimension, head[:end], count=1) + rows + head[end:]
            package = write_package(zin, {part: head})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(package)
        return meta

    def _base(self, name_length: int) -> tuple[bytes, frozenset[str]]:
        """The template with stand-ins for an agency whose name has ``name_length`` characters,
        and the parts that hold a stand-in."""
        if name_length not in self._bases:
            stand_in = Agency.model_construct(code=_CODE_MARK, name=_NAME_MARK * name_length)
            meta = TemplateMeta(kind=self.kind, version=FORM_VERSION, year=self.year,
                                month=self.month if self.kind != "annual" else None, agency_code=_CODE_MARK,
                                template_id=_ID_MARK * len(make_template_id(self.kind, 0, None, "", "", None)),
                                signature=_SIGNATURE_MARK * SIGNATURE_CHARS if self.key else "")
            out = io.BytesIO()
            _write_book(out, meta, stand_in, self.agencies, self.leaders, self.program_number, self.deadline, [])
            self._bases[name_length] = _inline_marked_strings(out.getvalue())
        return self._bases[name_length]


def _plain(text: str) -> bool:
    """Is ``text`` written as itself in an XML text (no control character, no ``_xHHHH_``
    escape, no space at its ends, no stand-in)?"""
    return (text == text.strip() and "_x" not in text and not any(m in text for m in _MARKS)
            and not ILLEGAL_XML.search(text) and "\t" not in text and "\n" not in text and "\r" not in text)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline_strings(zin: zipfile.ZipFile, part: str) -> bytes:
    """The worksheet ``part`` of ``zin`` with every shared-string cell written as an inline string."""
    from lxml import etree

    from .xlsxpatch import cell_content

    sst = etree.fromstring(zin.read(_SHARED_STRINGS)) if _SHARED_STRINGS in zin.namelist() else []
    texts = ["".join(si.itertext()) for si in sst]

    def inline(m: re.Match) -> bytes:
        kind, inner = cell_content(texts[int(m.group(3))])
        return b'<c r="' + m.group(1) + b'"' + m.group(2) + f' t="{kind}">{inner}</c>'.encode("utf-8")

    data = _SHARED_STRING_CELL.sub(inline, zin.read(part))
    if b't="s"' in data:
        raise ValueError(f"{part}: a shared-string cell in a form this copy does not know")
    return data


def _inline_marked_strings(package: bytes) -> tuple[bytes, frozenset[str]]:
    """The package with every cell whose shared string holds a stand-in written as an inline
    string (the shared string itself emptied), so that the shared strings are the same for
    every agency; and the parts that hold a stand-in."""
    from lxml import etree

    from .xlsxpatch import NS_MAIN, cell_content, write_package

    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        replaced: dict[str, bytes] = {}
        marks = tuple(m.encode("utf-8") for m in _MARKS)
        if _SHARED_STRINGS in zin.namelist():
            sst = etree.fromstring(zin.read(_SHARED_STRINGS))
            texts = {}
            for n, si in enumerate(sst):
                text = "".join(si.itertext())
                if any(m in text for m in _MARKS):
                    texts[str(n).encode()] = text
                    for child in list(si):
                        si.remove(child)
                    etree.SubElement(si, f"{{{NS_MAIN}}}t")
            if texts:
                replaced[_SHARED_STRINGS] = etree.tostring(sst, xml_declaration=True, encoding="UTF-8",
                                                           standalone=True)

            def inline(m: re.Match) -> bytes:
                text = texts.get(m.group(3))
                if text is None:
                    return m.group(0)
                kind, inner = cell_content(text)
                return b'<c r="' + m.group(1) + b'"' + m.group(2) + f' t="{kind}">{inner}</c>'.encode("utf-8")

            for name in zin.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    data = zin.read(name)
                    new = _SHARED_STRING_CELL.sub(inline, data)
                    if new != data:
                        replaced[name] = new
        marked = frozenset(name for name in zin.namelist() if name != _SHARED_STRINGS
                           and any(m in replaced.get(name, b"") or m in zin.read(name) for m in marks))
        return write_package(zin, replaced), marked


class _TemplateWriter:
    def __init__(self, wb: xlsxwriter.Workbook, form: Form, meta: TemplateMeta, agency: Agency,
                 agencies: list[Agency], leaders: list[str], program_number: str,
                 deadline: dt.date | None, list_values: bool = True) -> None:
        self.wb, self.form, self.meta, self.agency = wb, form, meta, agency
        self.list_values = list_values  # False: the lists' header row only (their rows come as bytes)
        self.agencies, self.leaders = agencies, [nfc(x) for x in leaders if x and x.strip()]
        self.program_number, self.deadline = program_number, deadline
        self.list_names: dict[str, str] = {}  # choices name -> defined name
        self._formats: dict[tuple, Format] = {}
        self.widths: list[float] = column_widths(form)

    # ---- formats ---------------------------------------------------------------------
    def fmt(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def cell_format(self, col: Column, *, locked: bool, value: Any = None, example: bool = False) -> Format:
        props: dict[str, Any] = {"valign": "top", "text_wrap": True, "locked": locked}
        if col.type == "date" or (col.type == "period" and isinstance(value, dt.date)):
            props["num_format"] = DATE_FORMAT
        elif col.type == "period":
            props["num_format"] = "@"  # keep "Quý II/2026" and "15/11/2026" exactly as typed
        if col.type in ("int", "date", "period", "code"):
            props["align"] = "center"
        if locked:
            props["bg_color"] = "#F2F2F2"
            props["border"] = 1
        if example:
            props.update(italic=True, font_color="#7F7F7F", bg_color="#F2F2F2", border=1)
        return self.fmt(**props)

    # ---- workbook ----------------------------------------------------------------------
    def write(self, rows: list[dict]) -> None:
        form_ws = self.wb.add_worksheet(self.form.sheet)
        help_ws = self.wb.add_worksheet(INSTRUCTIONS_SHEET)
        lists_ws = self.wb.add_worksheet(LISTS_SHEET)
        meta_ws = self.wb.add_worksheet(META_SHEET)
        self.write_lists(lists_ws)
        self.write_form(form_ws, rows)
        self.write_instructions(help_ws)
        self.write_meta(meta_ws)
        form_ws.activate()
        for ws in (lists_ws, meta_ws):  # out of the agency's way: not even in Excel's "Unhide" list
            ws.very_hidden()  # (LibreOffice saves it as plain hidden when an agency saves there)
            ws.protect("")
        self.wb.set_properties({
            "title": self.title_text(),
            "subject": f"Mẫu biểu của Văn phòng UBND tỉnh, phiên bản {FORM_VERSION}",
            "author": "Văn phòng UBND tỉnh",
            "company": "Văn phòng UBND tỉnh",
            "comments": "Tạo bởi ctcong-xl. Không đổi tên trang, không sửa dòng tiêu đề.",
        })
        for key, value in self.meta.to_mapping().items():
            self.wb.set_custom_property(META_PROPERTY_PREFIX + key, value)

    def title_text(self) -> str:
        return self.form.title.format(year=self.meta.year, month=self.meta.month or "")

    # ---- the hidden lists ----------------------------------------------------------------
    def write_lists(self, ws: Worksheet) -> None:
        head = self.fmt(bold=True, border=1, bg_color="#D9E1F2", text_wrap=True)
        used = {c.choices for c in self.form.columns if c.choices}
        lists: list[tuple[str, str, list[str]]] = []
        for name, values in FIXED_LISTS.items():
            if name in used:
                lists.append((name, self.list_title(name), list(values)))
        if "agencies" in used:
            lists.append(("agencies", _LIST_TITLES["agencies"], [nfc(a.name) for a in self.agencies]))
        if "leaders" in used:
            lists.append(("leaders", _LIST_TITLES["leaders"], self.leaders))
        col = 0
        for name, title, values in lists:
            ws.set_column(col, col, max(18, min(60, max((len(v) for v in values), default=10) + 2)))
            ws.write_string(0, col, title, head)
            for i, v in enumerate(values if self.list_values else (), start=1):
                ws.write_string(i, col, v)
            if values:
                defined = "DS_" + name.upper()
                letter = column_letter(col + 1)
                self.wb.define_name(defined, f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}")
                self.list_names[name] = defined
            col += 1
        if "agencies" in used:  # codes beside the names, for the Office's reference
            ws.set_column(col, col, 12)
            ws.write_string(0, col, "Mã đơn vị", head)
            for i, a in enumerate(self.agencies if self.list_values else (), start=1):
                ws.write_string(i, col, a.code)

    def list_title(self, name: str) -> str:
        for form in FORMS.values():
            for c in form.columns:
                if c.choices == name:
                    return c.header
        return name

    # ---- the form sheet --------------------------------------------------------------------
    def write_form(self, ws: Worksheet, rows: list[dict]) -> None:
        form, ncols = self.form, len(self.form.columns)
        h = HEADER_ROW - 1  # 0-based header row
        widths = column_widths(form)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        last = ncols - 1
        title = self.fmt(bold=True, font_size=TITLE_SIZE, align="center", valign="vcenter", locked=True)
        sub = self.fmt(bold=True, align="center", valign="vcenter", locked=True)
        note = self.fmt(italic=True, align="center", valign="vcenter", locked=True, text_wrap=True)
        ws.merge_range(0, 0, 0, last, self.title_text(), title)
        ws.merge_range(1, 0, 1, last, self.subtitle_text(), sub)
        ws.merge_range(2, 0, 2, last, self.note_text(), note)
        ws.set_row(0, 24)
        ws.set_row(2, 21)
        if form.kind in ("annual", "monthly"):
            self.write_no_content_choice(ws)
        else:
            ws.set_row(CHOICE_ROW - 1, 8)
        head = self.fmt(bold=True, align="center", valign="vcenter", text_wrap=True, border=1,
                        bg_color="#D9E1F2", locked=True)
        for i, c in enumerate(form.columns):
            ws.write_string(h, i, c.header, head)
        ws.set_row(h, row_height([c.header for c in form.columns], widths, bold=True))

        r = h + 1
        if form.kind in ("annual", "monthly"):
            self.write_row(ws, r, self.example_row(), example=True)
            r += 1
        first_input = r
        numbered = "stt" in {c.key for c in form.columns}
        for n, row in enumerate(rows, start=1):
            if numbered and row.get("stt") in (None, ""):
                row = {**row, "stt": n}
            self.write_row(ws, r, row)
            r += 1
        if form.kind != "progress":
            for _ in range(INPUT_ROWS):
                self.write_row(ws, r, {})
                r += 1
        last_input = r - 1
        if last_input >= first_input:
            self.add_validations(ws, first_input, last_input)
            border = self.wb.add_format({"border": 1})
            ws.conditional_format(first_input, 0, last_input, last, {
                "type": "formula",
                "criteria": f"=COUNTA(${column_letter(1)}{first_input + 1}:"
                            f"${column_letter(ncols)}{first_input + 1})>0",
                "format": border,
            })

        ws.freeze_panes(h + 1, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.repeat_rows(h)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.center_horizontally()
        ws.set_footer(f'&C&"{FONT},Regular"&11Trang &P/&N')
        editable_rows = form.kind != "progress"
        ws.protect("", {
            "format_columns": True,
            "format_rows": True,
            "insert_rows": editable_rows,
            "delete_rows": editable_rows,
            "insert_columns": True,
        })

    def write_no_content_choice(self, ws: Worksheet) -> None:
        """The explicit way to say "no item to register this time": a label (A:B) and, beside it,
        a cell with a one-value dropdown. Chosen, the file is a registration with no item."""
        r = CHOICE_ROW - 1
        label = self.fmt(bold=True, italic=True, align="right", valign="vcenter", locked=True, text_wrap=True)
        choice = self.fmt(bold=True, align="center", valign="vcenter", locked=False, border=2,
                          border_color="#C00000", font_color="#C00000")
        ws.merge_range(r, 0, r, CHOICE_LABEL_COLUMNS - 1, NO_CONTENT_LABEL, label)
        c = CHOICE_LABEL_COLUMNS
        ws.merge_range(r, c, r, c + 1, "", choice)
        ws.data_validation(r, c, r, c, {
            "validate": "list", "source": [NO_CONTENT_CHOICE], "error_type": "stop",
            "error_title": "Không có nội dung đăng ký",
            "error_message": _clip(f"Chọn “{NO_CONTENT_CHOICE}” hoặc để trống.", 255),
            "input_title": "Không có nội dung đăng ký",
            "input_message": _clip(f"Chỉ chọn “{NO_CONTENT_CHOICE}” khi bảng dưới để trống: Văn phòng ghi nhận "
                                   "đơn vị đã gửi đăng ký, không có việc nào. Có việc thì để trống ô này.", 255),
        })
        ws.set_row(r, 30)

    def subtitle_text(self) -> str:
        text = f"Đơn vị: {nfc(self.agency.name)}"
        if self.program_number and self.form.kind != "annual":
            text += f" — Chương trình công tác năm số {self.program_number}"
        return text

    def note_text(self) -> str:
        parts = []
        if self.deadline:
            parts.append(f"Gửi Văn phòng UBND tỉnh trước ngày {format_date(self.deadline)}.")
        parts.append(f"Cách ghi từng cột: xem trang “{INSTRUCTIONS_SHEET}”.")
        return " ".join(parts)

    def example_row(self) -> dict[str, Any]:
        y, m = self.meta.year, self.meta.month or 6
        leader = self.leaders[0] if self.leaders else ""
        values = {
            "annual": {
                "noi_dung": f"{EXAMPLE_PREFIX} Đề án phát triển du lịch tỉnh giai đoạn {y}–{y + 4}",
                "loai": "Đề án", "cap_trinh": "UBND tỉnh",
                "can_cu": "Nghị quyết số 05-NQ/TU của Tỉnh ủy",
                "don_vi_chu_tri": nfc(self.agency.name), "don_vi_phoi_hop": "Các sở, ngành liên quan",
                "lanh_dao": leader, "thoi_gian_trien_khai": f"Quý I/{y}", "thoi_han": f"Quý II/{y}",
                "dinh_ky": "", "ghi_chu": "Dòng ví dụ, được bỏ qua",
            },
            "monthly": {
                "noi_dung": f"{EXAMPLE_PREFIX} Hội nghị sơ kết công tác tháng {m}/{y}",
                "hinh_thuc": "Hội nghị", "thoi_gian": f"15/{m:02d}/{y}", "lanh_dao_chu_tri": leader,
                "don_vi_chu_tri": nfc(self.agency.name), "don_vi_phoi_hop": "Các sở, ngành liên quan",
                "thanh_phan": "Lãnh đạo các sở, ngành", "dia_diem": "Hội trường UBND tỉnh",
                "ghi_chu": "Dòng ví dụ, được bỏ qua",
            },
        }[self.form.kind]
        return {k: v for k, v in values.items() if k in {c.key for c in self.form.columns}}

    def write_row(self, ws: Worksheet, r: int, row: Mapping[str, Any], *, example: bool = False) -> None:
        prefilled = bool(row) and not example
        if row:  # LibreOffice does not fit row heights on opening: size rows that carry text
            texts = ["" if isinstance(row.get(c.key), (dt.date, dt.datetime)) else str(row.get(c.key) or "")
                     for c in self.form.columns]
            ws.set_row(r, row_height(texts, self.widths))
        for i, c in enumerate(self.form.columns):
            value = row.get(c.key)
            locked = example or (c.locked and prefilled)
            f = self.cell_format(c, locked=locked, value=value, example=example)
            if value is None or value == "":
                ws.write_blank(r, i, None, f)
            elif isinstance(value, (dt.date, dt.datetime)):
                ws.write_datetime(r, i, _as_datetime(value), f)
            elif isinstance(value, bool):
                ws.write_boolean(r, i, value, f)
            elif isinstance(value, (int, float)):
                ws.write_number(r, i, value, f)
            else:
                ws.write_string(r, i, nfc(str(value)), f)

    def add_validations(self, ws: Worksheet, first: int, last: int) -> None:
        for i, c in enumerate(self.form.columns):
            if c.locked:
                continue
            options = self.validation_for(c)
            if options:
                ws.data_validation(first, i, last, i, options)

    def validation_for(self, c: Column) -> dict[str, Any] | None:
        message = column_help(c)
        options: dict[str, Any]
        if c.choices and c.choices in self.list_names:
            strict = c.choices in FIXED_LISTS
            options = {
                "validate": "list", "source": "=" + self.list_names[c.choices],
                "error_type": "stop" if strict else "warning",
                "error_title": _clip(c.header, 32),
                "error_message": _clip("Chọn một giá trị trong danh sách thả xuống."
                                       + ("" if strict else " Nếu đúng là giá trị khác, chọn Yes/Có để giữ."), 255),
            }
        elif c.type == "date":
            options = {
                "validate": "date", "criteria": "between",
                "minimum": dt.datetime(2000, 1, 1), "maximum": dt.datetime(2100, 12, 31),
                "error_type": "warning", "error_title": _clip(c.header, 32),
                "error_message": _DATE_HELP,
            }
        elif message:
            options = {"validate": "any"}
        else:
            return None
        if message:
            options["input_title"] = _clip(c.header, 32)
            options["input_message"] = _clip(message, 255)
        return options

    # ---- instructions ------------------------------------------------------------------------
    def write_instructions(self, ws: Worksheet) -> None:
        title = self.fmt(bold=True, font_size=TITLE_SIZE, align="center", valign="vcenter", text_wrap=True)
        section = self.fmt(bold=True, valign="top")
        body = self.fmt(text_wrap=True, valign="top")
        head = self.fmt(bold=True, border=1, bg_color="#D9E1F2", text_wrap=True, valign="vcenter", align="center")
        cell = self.fmt(border=1, text_wrap=True, valign="top")
        cell_bold = self.fmt(border=1, text_wrap=True, valign="top", bold=True)
        ws.set_column(0, 0, 5)
        ws.set_column(1, 1, 26)
        ws.set_column(2, 2, 62)
        ws.set_column(3, 3, 10)
        r = 0
        ws.merge_range(r, 0, r, 3, f"HƯỚNG DẪN ĐIỀN MẪU {self.title_text()}", title)
        ws.set_row(r, 36)
        r += 2

        def para(text: str, fmt: Format = body, lines: int = 1) -> None:
            nonlocal r
            ws.merge_range(r, 1, r, 3, text, fmt)
            if lines > 1:
                ws.set_row(r, 17 * lines)
            r += 1

        def heading(number: str, text: str) -> None:
            nonlocal r
            ws.write_string(r, 0, number, section)
            ws.merge_range(r, 1, r, 3, text, section)
            r += 1

        sheet = self.form.sheet
        heading("1.", "Cách điền")
        for line in self.general_lines(sheet):
            para("• " + line, lines=_lines(line, 95))
        r += 1
        heading("2.", "Cách ghi từng cột")
        ws.write_string(r, 1, "Cột", head)
        ws.write_string(r, 2, "Cách ghi", head)
        ws.write_string(r, 3, "Bắt buộc", head)
        r += 1
        for c in self.form.columns:
            text = column_help(c) or "Ghi bằng chữ."
            if c.locked:
                text = "Văn phòng đã điền sẵn, không sửa. " + text
            ws.write_string(r, 1, c.header, cell_bold)
            ws.write_string(r, 2, text, cell)
            ws.write_string(r, 3, "Có" if c.required else "", self.fmt(border=1, align="center", valign="top"))
            ws.set_row(r, 17 * max(1, _lines(text, 60)))
            r += 1
        r += 1
        heading("3.", "Cách ghi ngày và thời hạn")
        for line in self.period_lines():
            para("• " + line, lines=_lines(line, 95))
        r += 1
        heading("4.", "Thời hạn và cách gửi lại")
        for line in self.sending_lines():
            para("• " + line, lines=_lines(line, 95))
        r += 1
        heading("5.", "Không được")
        for line in self.dont_lines(sheet):
            para("• " + line, lines=_lines(line, 95))
        for line in self.form.instructions:
            para(line, lines=_lines(line, 95))
        ws.set_portrait()
        ws.set_paper(9)
        ws.fit_to_pages(1, 1)  # one page: printed and sent with the form
        ws.set_margins(left=0.6, right=0.5, top=0.6, bottom=0.6)

    def general_lines(self, sheet: str) -> list[str]:
        lines = [f"Mỗi công việc ghi trên một dòng của trang “{sheet}”, ngay dưới dòng tiêu đề; "
                 "không để trống dòng xen giữa (nếu có dòng trống cũng không sao, dòng trống được bỏ qua)."]
        kind = self.form.kind
        if kind in ("annual", "monthly"):
            lines.append(f"Dòng in nghiêng màu xám bắt đầu bằng “{EXAMPLE_PREFIX}” là dòng ví dụ, "
                         "được bỏ qua khi tổng hợp; không cần xóa.")
            lines.append("“Đơn vị chủ trì” để trống nghĩa là đơn vị được gửi mẫu này "
                         f"({nfc(self.agency.name)}); ghi đơn vị khác thì việc được giao cho đơn vị đó.")
            lines.append(f"Không có việc nào để đăng ký: chọn “{NO_CONTENT_CHOICE}” ở ô "
                         f"{column_letter(CHOICE_LABEL_COLUMNS + 1)}{CHOICE_ROW} rồi gửi lại; bảng trống mà không "
                         "chọn ô này sẽ bị trả lại.")
        if kind == "annual":
            lines.append("Đăng ký các đề án, dự thảo văn bản, báo cáo… đơn vị sẽ trình UBND tỉnh, "
                         f"Chủ tịch UBND tỉnh trong năm {self.meta.year}. Việc lặp lại theo kỳ chỉ ghi "
                         "một dòng và chọn cột “Định kỳ”.")
        if kind == "monthly":
            lines.append("Các việc của chương trình năm đến hạn trong tháng đã được điền sẵn (có Mã đầu việc); "
                         "bổ sung các cuộc họp, hội nghị, buổi làm việc… trong tháng. "
                         "Việc mới thì để trống cột Mã đầu việc.")
        if kind == "progress":
            lines.append("Ba cột đầu (Mã đầu việc, Nội dung công việc, Thời hạn hoàn thành) do Văn phòng "
                         "điền sẵn và đã khóa. Đơn vị điền các cột còn lại cho từng việc.")
            lines.append("Việc đã xong: ghi Ngày hoàn thành và Văn bản kết quả. Việc xin lùi thời hạn: "
                         "ghi Đề xuất thời hạn mới và Lý do điều chỉnh.")
        lines.append("Ô có danh sách thả xuống: bấm vào ô, chọn mũi tên bên phải ô để chọn giá trị.")
        lines.append("Dòng tiêu đề và các ô điền sẵn được khóa (không đặt mật khẩu) để tránh sửa nhầm.")
        return lines

    def period_lines(self) -> list[str]:
        y = self.meta.year
        return [
            f"Ngày cụ thể ghi theo ngày/tháng/năm: 15/11/{y} (ngày trước, tháng sau).",
            f"Có thể ghi một kỳ thay cho ngày; hạn là ngày cuối kỳ: Tháng 6/{y} (hoặc T6/{y}), "
            f"Quý II/{y} (hoặc Quý 2/{y}), 6 tháng đầu năm, 6 tháng cuối năm, Năm {y}.",
            "Các cách ghi được chấp nhận: " + PERIOD_EXAMPLES + ".",
            f"Không ghi năm thì hiểu là năm {y}. Không ghi ngày không có thật (31/02) hoặc Quý V.",
        ]

    def sending_lines(self) -> list[str]:
        lines = []
        if self.deadline:
            lines.append(f"Gửi Văn phòng UBND tỉnh trước ngày {format_date(self.deadline)}.")
        lines += [
            "Điền ngay trên tệp này, lưu lại dạng Excel Workbook (.xlsx) rồi gửi qua thư điện tử "
            "(đính kèm tệp) cho Văn phòng UBND tỉnh. Có thể đổi tên tệp.",
            "Có thể mở và điền bằng Excel hoặc LibreOffice; khi LibreOffice hỏi định dạng, chọn giữ định dạng Excel (.xlsx).",
            "Tệp có lỗi sẽ được gửi trả lại kèm ghi chú từng ô cần sửa; sửa trên chính tệp đó và gửi lại.",
        ]
        return lines

    def dont_lines(self, sheet: str) -> list[str]:
        return [
            f"Không đổi tên, xóa hoặc chép trang “{sheet}” sang tệp khác.",
            "Không sửa, xóa hoặc gộp các ô của dòng tiêu đề; không xóa cột. Có thể thêm cột riêng ở bên phải.",
            "Không lưu dạng .xls, .ods, .csv hoặc .pdf; không đặt mật khẩu cho tệp.",
            "Không dùng công thức; ghi nội dung bằng chữ. Gõ tiếng Việt bằng bảng mã Unicode, phông Times New Roman.",
        ]

    # ---- metadata ------------------------------------------------------------------------------
    def write_meta(self, ws: Worksheet) -> None:
        for i, (key, value) in enumerate(self.meta.to_mapping().items()):
            ws.write_string(i, 0, key)
            ws.write_string(i, 1, value)
        ws.set_column(0, 1, 24)


def column_widths(form: Form) -> list[float]:
    """Screen and print widths of the form's columns: ``Column.width`` scaled down together so
    that the sheet prints legibly when fitted to one A4 landscape page wide."""
    total = sum(c.width for c in form.columns)
    scale = min(1.0, PRINT_WIDTH_CHARS / total)
    # an item code (2026-STC-001-T01) must stay on one line
    return [max(18.0 if c.type == "code" else 6.0, round(c.width * scale, 1)) for c in form.columns]


def column_help(c: Column) -> str:
    """The input help of a column: ``Column.help``, or a default by type."""
    text = c.help
    if not text:
        if c.choices == "leaders":
            text = "Chọn lãnh đạo UBND tỉnh trong danh sách thả xuống."
        elif c.choices:
            text = "Chọn trong danh sách thả xuống."
        elif c.type == "int":
            text = "Số thứ tự: 1, 2, 3…"
        elif c.type == "date":
            text = _DATE_HELP
    if c.required:
        text = ("Bắt buộc. " + text).strip()
    return text


def row_height(texts: list[str], widths: list[float], *, bold: bool = False) -> float:
    """Row height (points) that shows every text wrapped in its column (Times New Roman 12)."""
    per_char = 1.05 if bold else 1.2  # characters per unit of column width (8 px)
    lines = max(_lines(t, max(1, int(w * per_char))) for t, w in zip(texts, widths))
    return 15.75 * lines + 3


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines(text: str, width: int) -> int:
    return max(1, -(-len(text) // width))


def _as_datetime(v: dt.date | dt.datetime) -> dt.datetime:
    return v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)


__all__ = [
    "META_SHEET", "LISTS_SHEET", "INSTRUCTIONS_SHEET", "EXAMPLE_PREFIX", "INPUT_ROWS", "HEADER_ROW",
    "CHOICE_ROW", "CHOICE_LABEL_COLUMNS",
    "TemplateMeta", "TemplateCopies", "write_template", "template_meta", "template_filename", "column_help",
]
