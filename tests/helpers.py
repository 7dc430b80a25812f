"""Shared test helpers: a workspace with a real master, real templates filled as a clerk would
(``ctcong_xl.demo_data.fill_template``), precise cell edits for faulty files, hand edits in
the master at package level, and the real CLI.

Every file a test uses is built here from a real template: no binary fixtures.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from python_calamine import CalamineWorkbook

from ctcong_xl import ops
from ctcong_xl.core.dataset import Dataset
from ctcong_xl.core.forms import FORMS, PROGRAMME_SHEET, column_letter
from ctcong_xl.core.models import Agency
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.demo_data import fill_template
from ctcong_xl.io.master import read_master
from ctcong_xl.io.templates import HEADER_ROW, META_SHEET
from ctcong_xl.io.xlsxpatch import apply_plan

YEAR = 2026
FIRST_ROW = HEADER_ROW + 2  # header row, then the example row, then the first input row
LEADERS = [
    "Chủ tịch UBND tỉnh",
    "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải",
    "Phó Chủ tịch UBND tỉnh Lê Thị Thu Hà",
]
AGENCIES = [
    Agency(code="STC", name="Sở Tài chính", email="stc@tinhmau.gov.vn"),
    Agency(code="SNV", name="Sở Nội vụ", email="snv@tinhmau.gov.vn"),
    Agency(code="STP", name="Sở Tư pháp", email="stp@tinhmau.gov.vn"),
    Agency(code="SXD", name="Sở Xây dựng", email="sxd@tinhmau.gov.vn"),
    Agency(code="SNNMT", name="Sở Nông nghiệp và Môi trường", email="snnmt@tinhmau.gov.vn"),
    Agency(code="SCT", name="Sở Công Thương", email="sct@tinhmau.gov.vn"),
    Agency(code="SYT", name="Sở Y tế", email="syt@tinhmau.gov.vn"),
    Agency(code="SGDDT", name="Sở Giáo dục và Đào tạo", email="sgddt@tinhmau.gov.vn"),
    Agency(code="SVHTTDL", name="Sở Văn hóa, Thể thao và Du lịch", email="svhttdl@tinhmau.gov.vn"),
    Agency(code="SKHCN", name="Sở Khoa học và Công nghệ", email="skhcn@tinhmau.gov.vn"),
    Agency(code="TTT", name="Thanh tra tỉnh", email="ttt@tinhmau.gov.vn"),
    Agency(code="XDONGTAM", name="UBND xã Đồng Tâm", kind="UBND cấp xã", email="xdongtam@tinhmau.gov.vn"),
]
# The day the Office runs the consolidation in the tests (registration deadline: 15/11/2025).
RUN_DAY = dt.date(YEAR - 1, 11, 20)


def letter(kind: str, key: str) -> str:
    """Column letter of ``key`` in a freshly written template of ``kind``."""
    return column_letter([c.key for c in FORMS[kind].columns].index(key) + 1)


def cell(kind: str, key: str, n: int = 0) -> str:
    """A1 reference of ``key`` on the n-th input row (0 = first) of a freshly written template."""
    return f"{letter(kind, key)}{FIRST_ROW + n}"


def build_workspace(root: Path, agencies: Sequence[Agency] = AGENCIES) -> ops.Workspace:
    ops.init_workspace(root, YEAR, list(agencies), program_number="27/CTr-UBND", leaders=LEADERS)
    return ops.open_workspace(root)


def copy_workspace(pristine: Path, root: Path) -> ops.Workspace:
    shutil.copytree(pristine, root)
    return ops.open_workspace(root)


@dataclass
class Office:
    """The Office's side of a test: makes templates, receives filled files, consolidates."""

    ws: ops.Workspace

    @property
    def root(self) -> Path:
        return self.ws.root

    @property
    def inbox(self) -> Path:
        return self.ws.folder("inbox")

    def template(self, kind: str, agency: str, month: int | None = None) -> Path:
        (path,) = ops.make_templates(self.ws, kind, agency=agency, month=month)
        return path

    def send(self, kind: str, agency: str, rows: Sequence[Mapping[str, Any]], name: str | None = None, *,
             month: int | None = None, received: dt.date | None = None,
             edit: Callable[[openpyxl.Workbook, Any], None] | None = None) -> Path:
        """The agency fills its template with ``rows`` and e-mails it back (into the inbox)."""
        out = self.fill(kind, agency, rows, self.inbox / (name or f"{kind}_{agency}.xlsx"), month=month, edit=edit)
        if received is not None:
            stamp(out, received)
        return out

    def fill(self, kind: str, agency: str, rows: Sequence[Mapping[str, Any]], out: Path, *,
             month: int | None = None, edit: Callable[[openpyxl.Workbook, Any], None] | None = None) -> Path:
        """The agency's template of ``kind`` filled with ``rows`` (then ``edit``), saved to ``out``."""
        fill_template(self.template(kind, agency, month), rows, out=out)
        if edit is not None:
            edit_workbook(out, edit)
        return out

    def consolidate(self, today: dt.date = RUN_DAY) -> ops.RunReport:
        return ops.consolidate(self.ws, today=today, who="chuyenvien")

    def dataset(self) -> Dataset:
        return read_master(self.ws.master)

    def items(self) -> dict[str, Any]:
        return {i.ma_dau_viec: i for i in self.dataset().items}

    def master_bytes(self) -> bytes:
        return self.ws.master.read_bytes()

    def sheet(self, name: str) -> list[list[Any]]:
        return master_sheet(self.ws.master, name)

    def edit_master(self, code: str, key: str, value: Any) -> None:
        """A hand edit by the Office in the programme sheet (item ``code``, column ``key``)."""
        ds = self.dataset()
        row = ds.programme_index.rows[code]
        col = ds.programme_index.columns[key]
        plan = WritePlan()
        plan.add(PROGRAMME_SHEET, row, col, [[value]])
        path = self.ws.master
        path.write_bytes(apply_plan(path.read_bytes(), plan))

    def clear_inbox(self) -> None:
        for p in self.inbox.iterdir():
            p.unlink()


def stamp(path: Path, day: dt.date) -> None:
    """Set the file's modification time (the day it was received)."""
    t = dt.datetime(day.year, day.month, day.day, 9, 30).timestamp()
    os.utime(path, (t, t))


def edit_workbook(path: Path, edit: Callable[[openpyxl.Workbook, Any], None]) -> Path:
    """Open ``path`` with openpyxl, call ``edit(wb, form_sheet)``, save in place."""
    wb = openpyxl.load_workbook(path)
    try:
        kind = dict(r[:2] for r in wb[META_SHEET].iter_rows(values_only=True))["kind"]
        edit(wb, wb[FORMS[kind].sheet])
        wb.save(path)
    finally:
        wb.close()
    return path


def set_cells(values: Mapping[str, Any]) -> Callable[[openpyxl.Workbook, Any], None]:
    """An edit that types values into cells of the form sheet, e.g. ``{"L6": "=1+1"}``."""
    def edit(wb, ws) -> None:
        for ref, value in values.items():
            ws[ref] = value

    return edit


def clear_rows_with(content: str) -> Callable[[openpyxl.Workbook, Any], None]:
    """An edit that empties the form rows whose content is ``content`` (the clerk selects the row
    and presses Delete)."""
    def edit(wb, ws) -> None:
        for row in ws.iter_rows():
            if any(c.value == content for c in row):
                for c in row:
                    c.value = None

    return edit


def retype(old: Any, new: Any) -> Callable[[openpyxl.Workbook, Any], None]:
    """An edit that overwrites every cell of the form sheet holding ``old`` with ``new`` (the
    clerk corrects a pre-filled value)."""
    def edit(wb, ws) -> None:
        for row in ws.iter_rows():
            for c in row:
                if c.value == old:
                    c.value = new

    return edit


def master_sheet(path: Path, name: str) -> list[list[Any]]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return wb.get_sheet_by_name(name).to_python()


def rows_as_dicts(rows: list[list[Any]]) -> list[dict[str, Any]]:
    head = [str(h) for h in rows[0]]
    return [dict(zip(head, r)) for r in rows[1:] if any(v not in ("", None) for v in r)]


def inline_formula_cells(path: Path, sheet_part: str) -> list[str]:
    """Raw ``<f>`` elements of one worksheet part (to prove no formula went live)."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part).decode("utf-8")
    import re

    return re.findall(r"<f[^>]*>([^<]*)</f>", xml)


def to_tcvn3(text: str) -> str:
    """Unicode -> the TCVN3 (.VnTime) bytes read as Windows-1252 text, as an old PC types it."""
    from ctcong_xl.core.text import TCVN3_TABLE

    back = {letter: code for code, letter in TCVN3_TABLE.items()}
    return "".join(back.get(c, c) for c in text)


def to_vni(text: str) -> str:
    from ctcong_xl.core.text import VNI_TABLE

    back: dict[str, str] = {}
    for seq, letter in VNI_TABLE.items():
        # the canonical VNI form writes the diacritic byte in the base letter's case
        if seq[1:] == (seq[1:].upper() if seq[0].isupper() else seq[1:].lower()):
            back.setdefault(letter, seq)
    return "".join(back.get(c, c) for c in text)


def plain_workbook(path: Path, rows: Sequence[Sequence[Any]], title: str = "Sheet1") -> Path:
    """A workbook that is not our template (made with openpyxl)."""
    wb = openpyxl.Workbook()
    wb.active.title = title
    for r in rows:
        wb.active.append(list(r))
    wb.save(path)
    return path


def encrypt(src: Path, dest: Path, password: str = "MatKhau@2026") -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(src, "rb") as fh:
        OOXMLFile(fh).encrypt(password, out)
    dest.write_bytes(out.getvalue())
    return dest


def ods_file(path: Path) -> Path:
    """A minimal OpenDocument spreadsheet package (what LibreOffice's default save gives)."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        zf.writestr("META-INF/manifest.xml", "<manifest/>")
    return path


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the real CLI in-process; (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from ctcong_xl.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def json_of(stdout: str) -> dict:
    return json.loads(stdout)


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def by_file(report: ops.RunReport) -> dict[str, ops.FileCheck]:
    return {c.path.name: c for c in report.files}


# ---- fixtures (import them into a test module: ``from helpers import office, pristine``) ----
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    """A freshly initialised workspace, built once; tests work on copies."""
    root = tmp_path_factory.mktemp("pristine") / "ws"
    build_workspace(root)
    return root


@pytest.fixture
def office(pristine, tmp_path) -> Office:
    return Office(copy_workspace(pristine, tmp_path / "ws"))
