"""Read a file an agency sent back: recognise the form, map columns by header, return raw rows.

The reader is a door: it turns a workbook into plain values and findings and decides nothing
about the content (dates, agencies, required values are the validator's business). It reads
with python-calamine (fast; hidden sheets are readable) and opens the file with openpyxl
only when a data sheet contains formulas, to report their text.

* The form is recognised by the metadata the template carries (the hidden sheet ``_ctcong``,
  else the workbook's custom properties), whatever the file name.
* The header row is found by matching header texts (normalised) in the first
  ``HEADER_SCAN_ROWS`` rows; columns are mapped by header, so an agency may move columns, add
  its own columns, and add rows below.
* Blank rows are ignored, and so is an example row: a row whose ``Nội dung công việc`` starts
  with ``Ví dụ:`` (the template writes one, locked, under the header).
* Every bad file gives a finding, never a traceback. A file that cannot be read at all, or
  whose form cannot be told, gives ``None`` and the findings. A file that can be read but is
  wrong (no metadata, renamed sheet) still gives a :class:`Submission` when its rows can be
  found, so that every mistake can be reported at once; the error findings keep it from being
  consolidated. A missing or unreadable path (``OSError``) is an environment problem and raises.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any
from collections.abc import Set

import olefile
from defusedxml import ElementTree as SafeET
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from ..core.findings import Finding, finding
from ..core.forms import FORMS, NO_CONTENT_CHOICE, NO_CONTENT_LABEL, SUPPORTED_FORM_VERSIONS, Form, column_letter
from ..core.text import cell_text, is_blank, memoized, nfc, normalize_header
from ..core.models import FileLimits
from .inspect import MB, PackageFacts, inspect_package
from .templates import CHOICE_LABEL_COLUMNS, EXAMPLE_PREFIX, META_KEYS, META_PROPERTY_PREFIX, META_SHEET, TemplateMeta

HEADER_SCAN_ROWS = 15
MIN_HEADER_MATCHES = 2

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")
_EXAMPLE = re.compile(  # "Ví dụ:" with any spacing, any case
    r"^\s*" + r"\s*".join(map(re.escape, normalize_header(EXAMPLE_PREFIX).rstrip(":").split())) + r"\s*:"
)
_REQUIRED_MARK = re.compile(r"\s*(\(\s*\*\s*\)|\*)\s*$")
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_READ_ERRORS = (CalamineError, zipfile.BadZipFile, zlib.error, EOFError)


@dataclass
class RawRow:
    row: int  # 1-based Excel row number
    values: dict[str, object]  # column key -> raw value as stored ('' read as None)
    cells: dict[str, str]  # column key -> A1 reference, e.g. "J7"


@dataclass
class Submission:
    path: Path
    sha256: str
    meta: TemplateMeta | None
    kind: str | None
    sheet: str
    header_row: int  # 1-based
    rows: list[RawRow] = field(default_factory=list)
    extra_headers: list[str] = field(default_factory=list)
    formulas: dict[str, str] = field(default_factory=dict)  # A1 cell -> formula text
    first_input_cell: str = ""  # where the first item goes ("Nội dung công việc" of the first input row)
    choice_cell: str = ""  # the "Không có nội dung đăng ký" cell above the table ("" if the template has none)
    no_content: bool = False  # that choice was made

    @property
    def form(self) -> Form | None:
        return FORMS.get(self.kind) if self.kind else None


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read_submission(path: Path, limits: FileLimits | None = None,
                    digest: str | None = None) -> tuple[Submission | None, list[Finding]]:
    """Read a returned template. See the module docstring for what is recognised. The package
    is inspected against ``limits`` before any parser sees it (:mod:`.inspect`). ``digest``:
    the file's SHA-256 when the caller has it already."""
    path = Path(path)
    name = path.name
    limits = limits or FileLimits()
    digest = digest or sha256_file(path)
    facts, inspected = PackageFacts(), False
    if path.stat().st_size > limits.max_file_mb * MB or _is_zip(path):
        problem, facts = inspect_package(path, limits)
        if problem is not None:
            return None, [problem.at(file=name)]
        inspected = True
    problem = sniff_file(path, facts if inspected else None)
    if problem is not None:
        return None, [problem.at(file=name)]
    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            sub, findings = _read_workbook(wb, path, digest, facts.formulas if inspected else None)
            if sub is not None:
                findings += [f.at(file=name) for f in _concealed(wb, sub, facts, limits)]
    except _READ_ERRORS:
        return None, [finding("file_damaged").at(file=name)]
    except FormulaReadError:
        return None, [finding("file_damaged").at(file=name)]
    return sub, findings


def _is_zip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) in _ZIP_MAGICS


# ---- what the eye does not see, and what is too long -------------------------------------------
LISTED_ROWS = 20  # hidden rows named in one finding
QUOTED_CHARS = 100  # characters of an over-long cell quoted back


def _concealed(wb: CalamineWorkbook, sub: Submission, facts: PackageFacts, limits: FileLimits) -> list[Finding]:
    """Warnings for what an agency's reader would not see (the form sheet hidden behind
    another, hidden rows, text in the colour of its background) and errors for cells longer
    than the limit (their value is cut, so that no later message carries it whole)."""
    out: list[Finding] = []
    sheet = sub.sheet
    state = {m.name: m.visible for m in wb.sheets_metadata}
    if state.get(sheet, SheetVisibleEnum.Visible) != SheetVisibleEnum.Visible:
        shown = [n for n, v in state.items() if v == SheetVisibleEnum.Visible and n != sheet]
        decoy = f" (“{'”, “'.join(shown)}”)" if shown else ""
        out.append(finding("form_sheet_hidden", sheet=sheet, visible=decoy).at(sheet=sheet))
    found = facts.sheets.get(sheet)
    data_rows = {r.row for r in sub.rows}
    hidden = [n for n in (found.hidden_rows if found else []) if n in data_rows]
    if hidden:
        listed = ", ".join(map(str, hidden[:LISTED_ROWS])) + (", …" if len(hidden) > LISTED_ROWS else "")
        out.append(finding("rows_hidden", rows=listed).at(sheet=sheet, cell=f"A{hidden[0]}"))
    invisible = found.invisible_cells if found else set()
    limit = limits.max_cell_chars
    for raw in sub.rows:
        values = raw.values
        if not invisible and not any(isinstance(v, str) and len(v) > limit for v in values.values()):
            continue  # (most rows: nothing to report)
        for key, value in values.items():
            ref = raw.cells[key]
            if isinstance(value, str) and len(value) > limit:
                out.append(finding("cell_too_long", value[:QUOTED_CHARS] + "…", length=len(value),
                                   limit=limit).at(sheet=sheet, cell=ref))
                values[key] = value[:QUOTED_CHARS] + "…"
            elif ref in invisible and not is_blank(value):
                out.append(finding("text_hidden", cell_text(value)[:QUOTED_CHARS]).at(sheet=sheet, cell=ref))
    return out


# ---- what kind of file is it ------------------------------------------------------------------
def sniff_file(path: Path, inspected: PackageFacts | None = None) -> Finding | None:
    """A finding when ``path`` is not a readable .xlsx package; None when it looks like one.
    ``inspected``: what the inspection learnt (its parts inflated to their end are not read again)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        return finding("file_damaged")
    if head.startswith(_OLE2_MAGIC):
        return _sniff_ole(path)
    if head[:4] in _ZIP_MAGICS:
        return _sniff_zip(path, inspected)
    if path.suffix.lower() in (".csv", ".tsv"):
        return finding("file_old_format", format="CSV (.csv)")
    return finding("file_not_excel")


def _sniff_ole(path: Path) -> Finding:
    """An OLE2 compound file: an encrypted OOXML package, an old .xls, or something else."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            entries = {"/".join(e).casefold() for e in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - olefile raises many kinds on a broken compound file
        return finding("file_damaged")
    if "encryptioninfo" in entries or "encryptedpackage" in entries:
        return finding("file_encrypted")
    if "workbook" in entries or "book" in entries:
        return finding("file_old_format", format="Excel 97-2003 (.xls)")
    return finding("file_not_excel")


def _sniff_zip(path: Path, inspected: PackageFacts | None) -> Finding | None:
    parts = set(inspected.parts) if inspected is not None else set()
    if parts and "mimetype" not in parts and inspected.read_whole.issuperset(parts):
        return _kind_of_package(parts)  # every part read whole already: the names tell the rest
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                if b"opendocument.spreadsheet" in zf.read("mimetype"):
                    return finding("file_old_format", format="OpenDocument (.ods)")
                return finding("file_not_excel")
            problem = _kind_of_package(names)
            if problem is None and _damaged_part(zf, inspected.read_whole if inspected else frozenset()):
                return finding("file_damaged")
            return problem
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
        return finding("file_damaged")


def _kind_of_package(names: set[str]) -> Finding | None:
    """What the names of a package's parts (without ``mimetype``) tell of it."""
    if "xl/workbook.bin" in names:
        return finding("file_old_format", format="Excel Binary (.xlsb)")
    if "xl/workbook.xml" not in names:
        return finding("file_not_excel")
    return None


def _damaged_part(zf: zipfile.ZipFile, read_whole: Set[str]) -> bool:
    """``zf.testzip()`` for the parts not in ``read_whole``: one that does not inflate to its CRC."""
    for name in dict.fromkeys(zf.namelist()):
        if name in read_whole:
            continue
        try:
            with zf.open(name) as fh:
                while fh.read(1 << 20):
                    pass
        except zipfile.BadZipFile:
            return True
    return False


# ---- the workbook ---------------------------------------------------------------------------------
def _read_workbook(wb: CalamineWorkbook, path: Path, digest: str,
                   formula_parts: bool | None = None) -> tuple[Submission | None, list[Finding]]:
    """``formula_parts``: whether a worksheet part has a formula tag, when the inspection saw it."""
    name = path.name
    findings: list[Finding] = []
    meta: TemplateMeta | None = None
    data = _meta_from_sheet(wb) or _meta_from_properties(path)
    if data is None:
        findings.append(finding("not_template").at(file=name))
    else:
        version = data.get("version")
        if cell_text(version) and _int_or_none(version) not in SUPPORTED_FORM_VERSIONS:
            return None, [finding("form_version_unknown", version=cell_text(version) or "?").at(file=name)]
        try:
            meta = TemplateMeta.from_mapping(data)
        except ValueError:
            meta = None
        if meta is None or meta.kind not in FORMS:
            meta = None
            findings.append(finding("not_template", cell_text(data.get("kind"))).at(file=name))

    if meta is not None:
        form = FORMS[meta.kind]
        sheet = _find_sheet(wb, form.sheet)
        if sheet is None:
            findings.append(finding("sheet_missing", sheet=form.sheet).at(file=name))
            located = _guess_form_sheet(wb, [form])
            if located is None:
                return None, findings
            _, sheet, grid, header_row = located
        else:
            grid = _grid(wb, sheet)
            header_row = _find_header_row(grid, form)
            if header_row is None:
                findings += [
                    finding("header_missing", column=form.column(k).header).at(file=name, sheet=sheet, cell="A1")
                    for k in form.required_keys
                ]
                return None, findings
    else:
        located = _guess_form_sheet(wb, list(FORMS.values()))
        if located is None:
            return None, findings
        form, sheet, grid, header_row = located

    colmap, extra = _map_columns(grid[header_row], form)
    missing = [k for k in form.required_keys if k not in colmap]
    for k in missing:
        findings.append(
            finding("header_missing", column=form.column(k).header)
            .at(file=name, sheet=sheet, cell=f"{column_letter(_first_used(grid[header_row]) + 1)}{header_row + 1}")
        )
    formulas = _formulas(path, sheet, header_row, colmap, formula_parts)
    rows = _data_rows(grid, header_row, colmap, formulas)
    choice_cell, no_content = _no_content_choice(grid, header_row)
    first = f"{column_letter(colmap['noi_dung'] + 1)}{header_row + 3}" if "noi_dung" in colmap else ""
    submission = Submission(
        path=path, sha256=digest, meta=meta, kind=form.kind, sheet=sheet, header_row=header_row + 1,
        rows=rows, extra_headers=extra, formulas=formulas, first_input_cell=first, choice_cell=choice_cell,
        no_content=no_content,
    )
    return submission, findings


def _no_content_choice(grid: list[list[Any]], header_row: int) -> tuple[str, bool]:
    """(the cell of the "Không có nội dung đăng ký" choice, whether it was chosen), found above
    the header by its label (io/templates.py writes the label over CHOICE_LABEL_COLUMNS columns,
    the choice in the next one); ("", False) when the file has no such choice."""
    label, choice = normalize_header(NO_CONTENT_LABEL), normalize_header(NO_CONTENT_CHOICE)
    for i in range(header_row):
        line = grid[i]
        for j, value in enumerate(line):
            if isinstance(value, str) and normalize_header(value) == label:
                k = j + CHOICE_LABEL_COLUMNS
                chosen = k < len(line) and isinstance(line[k], str) and normalize_header(line[k]) == choice
                return f"{column_letter(k + 1)}{i + 1}", chosen
    return "", False


def _grid(wb: CalamineWorkbook, sheet: str) -> list[list[Any]]:
    """All cells of ``sheet`` from A1 (row index 0 = Excel row 1)."""
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _find_sheet(wb: CalamineWorkbook, wanted: str) -> str | None:
    """The sheet named ``wanted``; a difference of case, spaces or Unicode form is forgiven."""
    if wanted in wb.sheet_names:
        return wanted
    key = normalize_header(wanted)
    for s in wb.sheet_names:
        if normalize_header(s) == key:
            return s
    return None


def _guess_form_sheet(wb: CalamineWorkbook, forms: list[Form]) -> tuple[Form, str, list[list[Any]], int] | None:
    """The visible sheet and form whose header row matches best (all required columns present)."""
    best: tuple[int, Form, str, list[list[Any]], int] | None = None
    for meta in wb.sheets_metadata:
        if meta.name == META_SHEET or meta.visible != SheetVisibleEnum.Visible:
            continue
        try:
            grid = _grid(wb, meta.name)
        except _READ_ERRORS:
            continue
        for form in forms:
            header_row = _find_header_row(grid, form)
            if header_row is None:
                continue
            colmap, _ = _map_columns(grid[header_row], form)
            if not all(k in colmap for k in form.required_keys):
                continue
            if best is None or len(colmap) > best[0]:
                best = (len(colmap), form, meta.name, grid, header_row)
    return None if best is None else best[1:]


@memoized  # (the same header texts in every file)
def _header_key(value: Any) -> str:
    if value is None or value == "":
        return ""
    return _REQUIRED_MARK.sub("", normalize_header(str(value)))


def _find_header_row(grid: list[list[Any]], form: Form) -> int | None:
    """0-based index of the row (within the first rows) that matches most of the form's headers."""
    known = form.header_map()
    best, best_count = None, 0
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        count = len({known[k] for k in map(_header_key, row) if k in known})
        if count > best_count:
            best, best_count = i, count
    needed = min(MIN_HEADER_MATCHES, len(form.columns))
    return best if best_count >= needed else None


def _map_columns(header: list[Any], form: Form) -> tuple[dict[str, int], list[str]]:
    """Column key -> 0-based column index, and the texts of headers the form does not know."""
    known = form.header_map()
    colmap: dict[str, int] = {}
    extra: list[str] = []
    for j, value in enumerate(header):
        key = _header_key(value)
        if not key:
            continue
        if key in known and known[key] not in colmap:
            colmap[known[key]] = j
        else:
            extra.append(re.sub(r"\s+", " ", nfc(str(value))).strip())
    return colmap, extra


def _first_used(row: list[Any]) -> int:
    for j, v in enumerate(row):
        if v not in (None, ""):
            return j
    return 0


def _data_rows(grid: list[list[Any]], header_row: int, colmap: dict[str, int],
               formulas: dict[str, str]) -> list[RawRow]:
    rows: list[RawRow] = []
    if not colmap:
        return rows
    keys, letters = tuple(colmap), tuple(column_letter(j + 1) for j in colmap.values())
    take = itemgetter(*colmap.values())
    width, n = max(colmap.values()) + 1, len(colmap)
    for i in range(header_row + 1, len(grid)):
        line = grid[i]
        if len(line) < width:  # (cells beyond the row's end: empty)
            line = [*line, *[None] * (width - len(line))]
        seen = take(line) if n > 1 else (take(line),)
        if not formulas and seen.count("") + seen.count(None) == n:
            continue  # an empty input row (the usual case: no formula anywhere)
        values = {k: _raw(v) for k, v in zip(keys, seen)}
        if not formulas and all(map(is_blank, values.values())):
            continue
        excel_row = str(i + 1)
        cells = {k: letter + excel_row for k, letter in zip(keys, letters)}
        if formulas and not any(ref in formulas for ref in cells.values()) and all(map(is_blank, values.values())):
            continue  # (without formulas, a blank row is skipped above)
        if _is_example(values.get("noi_dung")):
            continue
        rows.append(RawRow(row=i + 1, values=values, cells=cells))
    return rows


def _raw(value: Any) -> Any:
    return None if value == "" else value


def _is_example(value: Any) -> bool:
    return isinstance(value, str) and bool(_EXAMPLE.match(normalize_header(value)))


# ---- formulas (openpyxl, only when the sheet has any) ------------------------------------------
def _formulas(path: Path, sheet: str, header_row: int, colmap: dict[str, int],
              formula_parts: bool | None = None) -> dict[str, str]:
    if not colmap or not (_has_formula_parts(path) if formula_parts is None else formula_parts):
        return {}
    import openpyxl  # only needed for the rare file with formulas

    wanted = set(colmap.values())
    found: dict[str, str] = {}
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - a part openpyxl cannot parse: the file is damaged
        raise FormulaReadError(str(exc)) from exc
    try:
        ws = wb[sheet]
        for row in ws.iter_rows(min_row=header_row + 2):
            for cell in row:
                col = getattr(cell, "column", None)
                if col is None or col - 1 not in wanted or cell.data_type != "f":
                    continue
                text = getattr(cell.value, "text", cell.value)  # ArrayFormula has .text
                found[f"{column_letter(col)}{cell.row}"] = str(text)
    except Exception as exc:  # noqa: BLE001 - same: a sheet openpyxl cannot read is damaged
        raise FormulaReadError(str(exc)) from exc
    finally:
        wb.close()
    return found


class FormulaReadError(Exception):
    """openpyxl could not read a package calamine could (reported as a damaged file)."""


def _has_formula_parts(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        return any(
            _FORMULA_TAG.search(zf.read(n))
            for n in zf.namelist()
            if n.startswith("xl/worksheets/") and n.endswith(".xml")
        )


# ---- metadata --------------------------------------------------------------------------------------
def read_meta(path: Path) -> TemplateMeta | None:
    """Only the metadata of a file already accepted once (e.g. one kept in archive/)."""
    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            data = _meta_from_sheet(wb) or _meta_from_properties(path)
        return TemplateMeta.from_mapping(data) if data else None
    except (*_READ_ERRORS, ValueError, OSError):
        return None


def _meta_from_sheet(wb: CalamineWorkbook) -> dict[str, Any] | None:
    sheet = _find_sheet(wb, META_SHEET)
    if sheet is None:
        return None
    data: dict[str, Any] = {}
    for row in _grid(wb, sheet):
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip():
            data[row[0].strip()] = row[1]
    return data if "kind" in data or "version" in data else None


def _meta_from_properties(path: Path) -> dict[str, Any] | None:
    try:
        with zipfile.ZipFile(path) as zf:
            if "docProps/custom.xml" not in zf.namelist():
                return None
            root = SafeET.fromstring(zf.read("docProps/custom.xml"))
    except Exception:  # a broken optional part: the file simply carries no metadata here
        return None
    data: dict[str, Any] = {}
    for prop in root.iter(f"{_CUSTOM_NS}property"):
        pname = prop.get("name", "")
        if pname.startswith(META_PROPERTY_PREFIX):
            value = next(iter(prop), None)
            data[pname[len(META_PROPERTY_PREFIX):]] = "" if value is None else (value.text or "")
    known = {k: v for k, v in data.items() if k in META_KEYS}
    return known if "kind" in known or "version" in known else None


def _int_or_none(value: Any) -> int | None:
    try:
        f = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


__all__ = ["RawRow", "Submission", "read_submission", "sha256_file", "sniff_file", "HEADER_SCAN_ROWS"]
