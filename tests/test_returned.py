"""The annotated copy sent back to an agency is its own package patched (io/annotate.py), not a
workbook opened and saved again: what it does not annotate stays byte for byte, it is a valid
.xlsx without VBA that Excel's validator and LibreOffice accept, its notes are real comments,
and the copy the agency sends back is recognised as its form."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from ctcong_xl import ops
from ctcong_xl.core.forms import FORMS
from ctcong_xl.io.recalc import as_shown
from ctcong_xl.io.returned import LIST_SHEET, write_returned
from ctcong_xl.io.xlsxpatch import sheet_parts
from helpers import YEAR, Office, cell, copy_workspace, edit_workbook, set_cells
from ooxml import require_validator, structure_problems, validator_errors

import datetime as dt

TODAY = dt.date(YEAR, 7, 15)
FORM = FORMS["annual"].sheet
DDE = "=cmd|' /C calc'!A0"
BAD_ROW = {"noi_dung": "Đề án phát triển nhà ở xã hội tỉnh đến năm 2030", "thoi_han": "31/02/2026",
           "cap_trinh": "UBND"}


@pytest.fixture(scope="module")
def registered(pristine, tmp_path_factory) -> Office:
    o = Office(copy_workspace(pristine, tmp_path_factory.mktemp("returned") / "ws"))
    o.send("annual", "STC", [{"noi_dung": "Đề án cơ cấu lại ngân sách địa phương", "thoi_han": "Quý II/2026"}])
    assert all(c.result.accepted for c in o.consolidate().files)
    o.clear_inbox()
    return o


def check(o: Office, path: Path) -> ops.FileCheck:
    return ops.check_file(path, o.dataset(), seen={}, today=TODAY)


def faulty(o: Office, d: Path, name: str = "DangKy SXD.xlsx", edit=None) -> tuple[Path, ops.FileCheck]:
    """Sở Xây dựng's form with an impossible date, a value not in the list and a DDE formula."""
    path = o.fill("annual", "SXD", [BAD_ROW], d / name, edit=edit or set_cells({cell("annual", "ghi_chu"): DDE}))
    return path, check(o, path)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_the_copy_keeps_every_part_it_does_not_annotate_byte_for_byte(registered, tmp_path):
    path, c = faulty(registered, tmp_path)
    before, after = parts(path), parts(write_returned(path, c.findings, tmp_path / "returned"))
    with zipfile.ZipFile(path) as z:
        form_part = sheet_parts(z)[FORM]
    changed = {form_part, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
               "docProps/app.xml"}
    assert {n: after.get(n) for n in before if n not in changed} == {n: d for n, d in before.items() if n not in changed}
    added = sorted(set(after) - set(before))
    assert len(added) == 4 and [n for n in added if n.endswith(".vml")] and [n for n in added if "comments" in n]


def test_the_copy_passes_the_sdk_validator_and_the_checks_it_does_not_make(registered, tmp_path):
    require_validator()
    path, c = faulty(registered, tmp_path)
    out = write_returned(path, c.findings, tmp_path / "returned")
    assert validator_errors(out) == [] and structure_problems(out) == []


def test_libreoffice_opens_the_copy_with_the_list_first_and_a_note_on_each_marked_cell(registered, libreoffice,
                                                                                        tmp_path):
    path, c = faulty(registered, tmp_path)
    shown = as_shown(write_returned(path, c.findings, tmp_path / "returned"), tmp_path / "lo")
    wb = openpyxl.load_workbook(shown)
    assert wb.sheetnames[0] == LIST_SHEET and wb.active.title == LIST_SHEET
    form = wb[FORM]
    assert "31/02/2026" in form[cell("annual", "thoi_han")].comment.text
    assert form[cell("annual", "thoi_han")].fill.fgColor.rgb.endswith("FFC7CE")
    assert form[cell("annual", "ghi_chu")].value == DDE and form[cell("annual", "ghi_chu")].data_type == "s"


def test_a_marked_cell_keeps_its_format_and_its_protection_with_the_fill(registered, tmp_path):
    path, c = faulty(registered, tmp_path)
    before = openpyxl.load_workbook(path)[FORM][cell("annual", "thoi_han")]
    after = openpyxl.load_workbook(write_returned(path, c.findings, tmp_path / "returned"))[FORM][
        cell("annual", "thoi_han")]
    kept = ("font", "border", "alignment", "number_format", "protection")
    assert [repr(getattr(after, k)) for k in kept] == [repr(getattr(before, k)) for k in kept]
    assert before.protection.locked is False  # an input cell: the agency can still type in it
    assert after.fill.fgColor.rgb.endswith("FFC7CE") and not before.fill.fgColor.rgb.endswith("FFC7CE")


def _clerks_comment(wb, ws) -> None:
    ws[cell("annual", "thoi_han")].comment = Comment("Chưa rõ ngày, hỏi lại phòng Kế hoạch.", "Nguyễn Thị Lan")
    ws[cell("annual", "noi_dung")].comment = Comment("Theo Kế hoạch số 12/KH-SXD.", "Nguyễn Thị Lan")


def test_a_clerks_own_comment_stays_under_the_offices_note_and_on_the_cells_not_marked(registered, tmp_path):
    path, c = faulty(registered, tmp_path, edit=_clerks_comment)
    out = write_returned(path, c.findings, tmp_path / "returned")
    form = openpyxl.load_workbook(out)[FORM]
    note = form[cell("annual", "thoi_han")].comment.text
    assert note.startswith("Lỗi:") and note.endswith("Chưa rõ ngày, hỏi lại phòng Kế hoạch.")
    assert form[cell("annual", "noi_dung")].comment.text == "Theo Kế hoạch số 12/KH-SXD."
    assert "UBND" in form[cell("annual", "cap_trinh")].comment.text
    with zipfile.ZipFile(out) as z:  # one drawing: each note shape once, none for the clerk's notes twice
        (vml,) = [z.read(n).decode() for n in z.namelist() if n.endswith(".vml")]
    assert len(re.findall(r'ObjectType="Note"', vml)) == 3
    require_validator()
    assert validator_errors(out) == []


def test_a_copy_sent_back_still_faulty_gets_one_fresh_list_in_front(registered, tmp_path):
    path, c = faulty(registered, tmp_path)
    first = write_returned(path, c.findings, tmp_path / "returned")
    again = tmp_path / "DangKy SXD lan 2.xlsx"
    again.write_bytes(first.read_bytes())
    edit_workbook(again, set_cells({cell("annual", "cap_trinh"): "UBND tỉnh", cell("annual", "ghi_chu"): None}))
    c2 = check(registered, again)
    wb = openpyxl.load_workbook(write_returned(again, c2.findings, tmp_path / "returned"))
    assert wb.sheetnames.count(LIST_SHEET) == 1 and wb.sheetnames[0] == LIST_SHEET
    listed = [r[2] for r in wb[LIST_SHEET].iter_rows(min_row=5, values_only=True) if r[0]]
    assert listed == [f.cell for f in c2.findings] == [cell("annual", "thoi_han")]


def test_the_copy_sent_back_unchanged_is_recognised_as_the_agencys_form(registered, tmp_path):
    path, c = faulty(registered, tmp_path)
    copy = write_returned(path, c.findings, tmp_path / "returned")
    again = check(registered, copy)
    assert again.result.agency == "SXD" and sorted(f.code for f in again.findings if f.is_error) == sorted(
        f.code for f in c.findings if f.is_error)


def _shared_formula(wb, ws) -> None:
    """Excel's form of a formula filled down: the first cell holds the group, the others point at it."""
    for n in range(3):
        ws[cell("annual", "ghi_chu", n)] = f"=B{ws[cell('annual', 'ghi_chu', n)].row}"


def _as_shared_group(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        part = sheet_parts(z)[FORM]
        data = {i: z.read(i.filename) for i in z.infolist()}
    first, last = cell("annual", "ghi_chu", 0), cell("annual", "ghi_chu", 2)
    row0 = int(first[1:])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, body in data.items():
            if info.filename == part:
                text = body.decode()
                text = text.replace(f"<f>B{row0}</f>", f'<f t="shared" ref="{first}:{last}" si="0">B{row0}</f>')
                for n in (1, 2):
                    text = text.replace(f"<f>B{row0 + n}</f>", '<f t="shared" si="0"/>')
                body = text.encode()
            z.writestr(info, body)
    path.write_bytes(out.getvalue())


def test_a_formula_filled_down_comes_back_as_each_cells_own_text(registered, tmp_path):
    path, c = faulty(registered, tmp_path, edit=_shared_formula)
    _as_shared_group(path)
    assert b'si="0"/>' in parts(path)[sheet_parts(zipfile.ZipFile(path))[FORM]]
    form = openpyxl.load_workbook(write_returned(path, check(registered, path).findings, tmp_path / "r"))[FORM]
    texts = [form[cell("annual", "ghi_chu", n)] for n in range(3)]
    assert [(t.value, t.data_type) for t in texts] == [(f"=B{t.row}", "s") for t in texts]


def test_a_macro_workbook_comes_back_as_an_xlsx_without_its_vba(registered, tmp_path):
    path, c = faulty(registered, tmp_path)
    macro = tmp_path / "DangKy SXD.xlsm"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(macro, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                body = body.replace(b"spreadsheetml.sheet.main+xml", b"dummy").replace(
                    b"application/vnd.openxmlformats-officedocument.dummy", b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                body = body.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.'
                                                 b'vbaProject"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.microsoft.'
                                    b'com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
            zout.writestr(info, body)
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
    assert b"macroEnabled" in parts(macro)["[Content_Types].xml"]
    out = write_returned(macro, c.findings, tmp_path / "returned")
    got = parts(out)
    assert out.suffix == ".xlsx" and "xl/vbaProject.bin" not in got and b"vbaProject" not in got["[Content_Types].xml"]
    assert b"vbaProject" not in got["xl/_rels/workbook.xml.rels"] and b"macroEnabled" not in got["[Content_Types].xml"]
    assert openpyxl.load_workbook(out).sheetnames[0] == LIST_SHEET


def test_writing_a_copy_does_not_import_openpyxl(registered, tmp_path):
    path, c = faulty(registered, tmp_path)
    findings = tmp_path / "findings.json"
    findings.write_text("[" + ",".join(f.model_dump_json() for f in c.findings) + "]", encoding="utf-8")
    script = ("import sys, json; from pathlib import Path; from ctcong_xl.core.findings import Finding; "
              "from ctcong_xl.io.returned import write_returned; "
              f"fs = [Finding(**d) for d in json.loads(Path({str(findings)!r}).read_text('utf-8'))]; "
              f"write_returned(Path({str(path)!r}), fs, Path({str(tmp_path / 'out')!r})); "
              "print('openpyxl' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "False"
    assert openpyxl.load_workbook(tmp_path / "out" / "DangKy SXD_CanSua.xlsx").sheetnames[0] == LIST_SHEET
