"""The agency registry as a file (SPEC §7 ``init --agencies``) and the built-in default.

An agencies file is a CSV or an Excel workbook with one header row holding the columns
``Mã đơn vị``, ``Tên đơn vị``, ``Loại``, ``Email`` (any order; extra columns are ignored).
Headers are recognised ignoring case, diacritics, spacing and punctuation, and a few common
variants are accepted (``Mã ĐV``, ``Tên cơ quan``, ``Loại đơn vị``, ``E-mail``, ``Thư điện tử``…).
``Mã đơn vị`` and ``Tên đơn vị`` are required; a blank or missing ``Loại`` is inferred from the
name (``UBND xã …`` -> ``UBND cấp xã``), a missing ``Email`` is left blank.

A CSV may be UTF-8 (with or without BOM, as Excel's "CSV UTF-8" writes it), UTF-16 (Excel's
"Unicode Text") or Windows-1258 (Excel's plain "CSV" on a Vietnamese Windows), separated by
commas, semicolons or tabs. A CSV row whose number of values differs from the header's (an
unquoted comma in ``Sở, ban, ngành``) is rejected with its line number; a file in another
encoding (its header unreadable) is rejected saying which encodings are expected. E-mail
addresses are checked (several may be separated by ``;``).

Problems are reported all at once as one :class:`AgenciesFileError` carrying findings from the
message catalogue (``agencies_file_*``, ``agency_*``), each placed at its file and cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from ..core.findings import Finding, finding
from ..core.forms import column_letter
from ..core.models import Agency
from ..core.text import clean_text, fold_key

DEFAULT_AGENCIES_RESOURCE = "agencies_default.csv"
AGENCY_HEADERS: dict[str, str] = {"code": "Mã đơn vị", "name": "Tên đơn vị", "kind": "Loại", "email": "Email"}
REQUIRED_FIELDS = ("code", "name")
HEADER_SCAN_ROWS = 10
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})

# The leaders of UBND tỉnh of the default (fictional) province: one chairman, three vice-chairmen.
DEFAULT_LEADERS: list[str] = [
    "Chủ tịch UBND tỉnh",
    "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải",
    "Phó Chủ tịch UBND tỉnh Lê Thị Thu Hà",
    "Phó Chủ tịch UBND tỉnh Phạm Quốc Dũng",
]

_HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "code": ("ma don vi", "ma dv", "ma", "ma co quan", "ky hieu", "code"),
    "name": ("ten don vi", "ten dv", "ten", "don vi", "ten co quan", "co quan", "name"),
    "kind": ("loai", "loai don vi", "phan loai", "loai hinh", "cap", "kind"),
    "email": ("email", "e mail", "thu dien tu", "dia chi email", "dia chi thu dien tu", "mail"),
}
_KINDS: dict[str, str] = {
    "so ban nganh": "sở, ban, ngành",
    "so": "sở, ban, ngành",
    "ban": "sở, ban, ngành",
    "nganh": "sở, ban, ngành",
    "ubnd cap huyen": "UBND cấp huyện",
    "cap huyen": "UBND cấp huyện",
    "huyen": "UBND cấp huyện",
    "ubnd cap xa": "UBND cấp xã",
    "cap xa": "UBND cấp xã",
    "xa": "UBND cấp xã",
    "xa phuong": "UBND cấp xã",
    "khac": "khác",
}
EXPECTED_ENCODINGS = "UTF-8 (hoặc Windows-1258, UTF-16)"
_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,.]+$")
_CODE = re.compile(r"^[A-Z0-9]+$")  # item codes are YEAR-CODE-NNN (see core.consolidate)
_COMMUNE = re.compile(r"^(ubnd|uy ban nhan dan) (xa|phuong|dac khu|thi tran) ")
_DISTRICT = re.compile(r"^(ubnd|uy ban nhan dan) (huyen|thi xa|thanh pho|quan) ")


class AgenciesFileError(ValueError):
    """An agencies file that cannot be used; ``str()`` is the Vietnamese explanation, one line per
    problem, each naming the file (and the cell)."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__("\n".join(f.located_message() for f in self.findings))


# ---- public ---------------------------------------------------------------------------------
def load_default_agencies() -> list[Agency]:
    """The built-in registry of the (fictional) province: 23 agencies after the 2025
    reorganisation (merged departments, no district level)."""
    text = resources.files("ctcong_xl").joinpath("data", DEFAULT_AGENCIES_RESOURCE).read_text(encoding="utf-8-sig")
    return _agencies_from_grid(_csv_lines(text)[1], DEFAULT_AGENCIES_RESOURCE)


def read_agencies_file(path: Path | str) -> list[Agency]:
    """The agencies of a CSV or Excel file (see the module docstring). Raises
    :class:`AgenciesFileError` when the file cannot be read or its content is wrong."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if not path.is_file():
        raise AgenciesFileError([finding("agencies_file_unreadable", reason="không tìm thấy tệp").at(file=name)])
    if suffix in CSV_SUFFIXES:
        text, utf = _decode(path.read_bytes())
        lines, grid = _csv_lines(text)
        if not utf and (text is None or _header_row(grid) is None):
            raise AgenciesFileError([finding("agencies_file_encoding", expected=EXPECTED_ENCODINGS).at(file=name)])
        _check_field_counts(grid, lines, name)
    elif suffix in SHEET_SUFFIXES:
        grid = _sheet_grid(path)
    else:
        raise AgenciesFileError([
            finding("agencies_file_unreadable", reason=f"không phải tệp .csv hoặc .xlsx (đuôi “{path.suffix}”)").at(file=name)
        ])
    return _agencies_from_grid(grid, name)


def parse_agency(code: str, name: str, kind_text: str = "", email: str = "") -> tuple[Agency | None, list[tuple[str, Finding]]]:
    """One agency of the registry from its four values as typed (an agencies file's row, or
    ``ctcong-xl agencies add``): the agency, or None, and the problems by field (``code``,
    ``name``, ``kind``, ``email``)."""
    code, name, kind_text, email = (clean_text(v).text for v in (code, name, kind_text, email))
    problems: list[tuple[str, Finding]] = []
    if not _CODE.match(code.upper()):
        problems.append(("code", finding("agency_code_invalid", code)))
    if not name:
        problems.append(("name", finding("agency_name_missing", code.upper())))
    kind = _KINDS.get(fold_key(kind_text)) if kind_text else infer_kind(name)
    if kind is None:
        problems.append(("kind", finding("agency_kind_unknown", kind_text)))
    if not valid_email(email):
        problems.append(("email", finding("agency_email_invalid", email)))
    if problems:
        return None, problems
    return Agency(code=code.upper(), name=name, kind=kind, email=email), problems


def valid_email(text: str) -> bool:
    """One address, or several separated by ``;`` (blank: no address yet)."""
    parts = [p.strip() for p in text.split(";")]
    return all(_EMAIL.match(p) for p in parts if p) and (not text.strip() or any(parts))


def infer_kind(name: str) -> str:
    """The kind of an agency from its name: ``UBND xã/phường …`` -> UBND cấp xã,
    ``UBND huyện/thị xã/thành phố …`` -> UBND cấp huyện, anything else -> sở, ban, ngành."""
    folded = fold_key(name)
    if _COMMUNE.match(folded + " "):
        return "UBND cấp xã"
    if _DISTRICT.match(folded + " "):
        return "UBND cấp huyện"
    return "sở, ban, ngành"


# ---- reading cells ----------------------------------------------------------------------------
def _decode(data: bytes) -> tuple[str | None, bool]:
    """(text, read as Unicode?): UTF-8 or UTF-16 by their marks, else Windows-1258; None when
    the bytes are none of these."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), True
        except UnicodeDecodeError:
            return None, False
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258"), False
    except UnicodeDecodeError:
        return None, False


def _csv_lines(text: str | None) -> tuple[list[int], list[list[Any]]]:
    """(line number where each row starts, rows of values) of a CSV text."""
    if text is None:
        return [], []
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    lines, rows, start = [], [], 1
    for row in reader:
        lines.append(start)
        rows.append(list(row))
        start = reader.line_num + 1
    return lines, rows


def _check_field_counts(grid: list[list[Any]], lines: list[int], file: str) -> None:
    """Every row below the header has as many values as the header (blank lines aside)."""
    located = _header_row(grid)
    if located is None:
        return
    header = located[0]
    expected = len(grid[header])
    problems = [
        finding("agencies_file_field_count", line=lines[i], found=len(grid[i]), expected=expected)
        .at(file=file, cell=f"A{lines[i]}")
        for i in range(header + 1, len(grid))
        if len(grid[i]) != expected and any(_cell_text(v) for v in grid[i])
    ]
    if problems:
        raise AgenciesFileError(problems)


def _sheet_grid(path: Path) -> list[list[Any]]:
    """The cells of the first visible sheet that has the agency headers (else the first sheet)."""
    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            grids = [
                wb.get_sheet_by_name(m.name).to_python(skip_empty_area=False)
                for m in wb.sheets_metadata
                if m.visible == SheetVisibleEnum.Visible
            ]
    except (CalamineError, OSError, ValueError) as exc:
        raise AgenciesFileError([
            finding("agencies_file_unreadable", reason="tệp hỏng hoặc có mật khẩu").at(file=path.name)
        ]) from exc
    for grid in grids:
        if _header_row(grid) is not None:
            return grid
    return grids[0] if grids else []


def _header_row(grid: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """(0-based row, field -> 0-based column) of the first row naming the code or the name column."""
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        columns = _header_columns(row)
        if any(f in columns for f in REQUIRED_FIELDS):
            return i, columns
    return None


def _header_columns(row: Iterable[Any]) -> dict[str, int]:
    lookup = {fold_key(v): key for key, variants in _HEADER_VARIANTS.items() for v in variants}
    columns: dict[str, int] = {}
    for j, value in enumerate(row):
        key = lookup.get(fold_key(_cell_text(value)))
        if key and key not in columns:
            columns[key] = j
    return columns


def _cell_text(value: Any) -> str:
    return clean_text(value).text  # a whole number without ".0"; None as ""


# ---- rows -> agencies ---------------------------------------------------------------------------
def _agencies_from_grid(grid: list[list[Any]], file: str) -> list[Agency]:
    located = _header_row(grid)
    if located is None:
        raise AgenciesFileError([
            finding("agencies_file_missing_column", column=AGENCY_HEADERS[f]).at(file=file, cell="A1")
            for f in REQUIRED_FIELDS
        ])
    header, columns = located
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise AgenciesFileError([
            finding("agencies_file_missing_column", column=AGENCY_HEADERS[f]).at(file=file, cell=f"A{header + 1}")
            for f in missing
        ])

    def cell(f: str, j_row: int) -> str:
        return f"{column_letter(columns[f] + 1)}{j_row + 1}"

    agencies: list[Agency] = []
    problems: list[Finding] = []
    seen: dict[str, int] = {}
    for i in range(header + 1, len(grid)):
        row = grid[i]
        values = {f: _cell_text(row[j]) if j < len(row) else "" for f, j in columns.items()}
        if not any(values.values()):
            continue
        agency, found = parse_agency(values["code"], values["name"], values.get("kind", ""), values.get("email", ""))
        if agency is not None and agency.code in seen:
            found.append(("code", finding("agency_code_duplicate", agency.code, other_row=seen[agency.code] + 1)))
        problems += [f.at(file=file, cell=cell(key, i)) for key, f in found]
        if agency is not None:
            seen.setdefault(agency.code, i)
        if not problems and agency is not None:
            agencies.append(agency)
    if problems:
        raise AgenciesFileError(problems)
    if not agencies:
        raise AgenciesFileError([finding("agencies_file_empty").at(file=file)])
    return agencies


__all__ = [
    "AGENCY_HEADERS",
    "DEFAULT_LEADERS",
    "AgenciesFileError",
    "infer_kind",
    "load_default_agencies",
    "parse_agency",
    "read_agencies_file",
    "valid_email",
]
