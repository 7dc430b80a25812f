"""The VBA side of the master macro workbook: macro sources, vbaProject.bin, buttons."""

from __future__ import annotations

import keyword
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlsxwriter
import xlwings
from hypothesis import given
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser

from ctcong_xl.io import vba

CONTROL = "Bảng điều khiển"
SHEETS = [CONTROL, "Cấu hình", "Chương trình năm", "Tổng hợp", vba.XLWINGS_CONF_SHEET]
FIRST_ROW = 3

VI_LITERAL = re.compile(r'\bVi\("((?:[^"]|"")*)"\)')
VBA_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")


def sub_body(source: str, name: str, scope: str = "Public") -> str:
    """The text of the procedure ``name`` (a Sub or a Function) up to its end."""
    found = re.search(
        rf"^{scope} (Sub|Function) {name}\([^\n]*\n(.*?)^End \1", source, re.M | re.S
    )
    assert found, f"{scope} procedure {name} not found"
    return found.group(2)


def our_sources() -> dict[Path, str]:
    folder = vba.macros_dir()
    return {
        path: path.read_bytes().decode("ascii")
        for path in sorted(folder.iterdir())
        if path.suffix in {".bas", ".cls"}
    }


def all_our_code() -> str:
    return "\n".join(our_sources().values())


# --------------------------------------------------------------------------------------
# BUTTONS and settings
# --------------------------------------------------------------------------------------


def test_button_python_functions_are_unique_python_identifiers():
    names = [button.python_function for button in vba.BUTTONS]
    assert len(set(names)) == len(names)
    for name in names:
        assert name.isidentifier() and not keyword.iskeyword(name), name


def test_button_macros_are_unique_ascii_vba_identifiers():
    macros = [button.macro for button in vba.BUTTONS]
    assert len({m.casefold() for m in macros}) == len(macros)
    for macro in macros:
        assert VBA_IDENTIFIER.match(macro), macro


def test_buttons_cover_the_five_operations_of_the_spec_the_programme_and_the_doctor():
    captions = [button.caption for button in vba.BUTTONS]
    assert captions == ["Kiểm tra", "Tổng hợp", "Cập nhật tổng hợp", "Tạo mẫu", "Đôn đốc", "Gửi đôn đốc",
                        "Lập chương trình", "Kiểm tra máy"]


def test_button_texts_are_nfc_vietnamese_sentences():
    for button in vba.BUTTONS:
        for text in (button.caption, button.description):
            assert text == unicodedata.normalize("NFC", text)
            assert text == text.strip() and "  " not in text
        assert button.description[0].isupper() and button.description.endswith(".")


def test_python_functions_constant_follows_buttons_order():
    assert vba.PYTHON_FUNCTIONS == (
        "kiem_tra", "tong_hop", "cap_nhat_tong_hop", "tao_mau", "don_doc", "gui_don_doc", "lap_chuong_trinh",
        "kiem_tra_may",
    )


def test_xlwings_conf_keys_are_settings_the_shipped_xlwings_module_reads():
    xlwings_bas = vba.vba_modules()["xlwings"]
    for key in vba.XLWINGS_CONF:
        assert f'GetConfig("{key.upper()}"' in xlwings_bas, key


def test_xlwings_conf_points_at_the_per_user_venv_interpreter():
    assert vba.XLWINGS_CONF["Interpreter_Win"] == (
        r"%LOCALAPPDATA%\ctcong-xl\.venv\Scripts\pythonw.exe"
    )


# --------------------------------------------------------------------------------------
# Vietnamese text in ASCII VBA
# --------------------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_vba_escape_is_ascii_and_round_trips_to_nfc(text):
    if re.search(r"\\u[0-9A-Fa-f]{4}", text):
        return  # such text cannot be escaped unambiguously; vba_escape refuses it
    escaped = vba.vba_escape(text)
    assert escaped.isascii()
    assert vba.vba_unescape(escaped) == unicodedata.normalize("NFC", text)


def test_vba_escape_writes_vietnamese_letters_as_utf16_escapes():
    assert vba.vba_escape("Đôn đốc “gấp”") == r'\u0110\u00F4n \u0111\u1ED1c \u201Cg\u1EA5p\u201D'


def test_vba_escape_doubles_quotes_for_a_vba_literal():
    assert vba.vba_escape('Sheet "xlwings.conf"') == 'Sheet ""xlwings.conf""'


def test_vba_escape_refuses_text_that_already_holds_an_escape():
    with pytest.raises(ValueError):
        vba.vba_escape(r"C:\u0041")


# --------------------------------------------------------------------------------------
# Macro sources (macros/)
# --------------------------------------------------------------------------------------


def test_macros_dir_is_the_checkout_folder_with_our_module():
    assert (vba.macros_dir() / "CtcongXl.bas").is_file()


def test_macro_sources_are_pure_ascii():
    for path in vba.macros_dir().iterdir():
        if path.suffix in {".bas", ".cls"}:
            assert path.read_bytes().isascii(), path.name


def test_every_macro_module_declares_option_explicit():
    for path, source in our_sources().items():
        assert re.search(r"^Option Explicit\r?$", source, re.M), path.name


def test_every_vietnamese_literal_decodes_to_nfc_text():
    literals = VI_LITERAL.findall(all_our_code())
    assert literals
    for literal in literals:
        # Every backslash-u is a complete escape, so Vi() leaves no stray code behind.
        assert not re.search(r"\\u(?![0-9A-Fa-f]{4})", literal), literal
        text = vba.vba_unescape(literal)
        assert "\\u" not in text
        assert text == unicodedata.normalize("NFC", text)


def test_each_button_sub_names_its_feature_with_the_button_caption():
    code = all_our_code()
    for button in vba.BUTTONS:
        first = VI_LITERAL.search(sub_body(code, button.macro))
        assert first and vba.vba_unescape(first.group(1)) == button.caption


def test_each_button_sub_runs_its_python_function_through_run_python():
    code = all_our_code()
    for button in vba.BUTTONS:
        body = sub_body(code, button.macro)
        assert f'RunPython "{vba.python_command(button)}"' in body
        assert "ctcong_xl.xl" in vba.python_command(button)
        assert f"xl.{button.python_function}()" in vba.python_command(button)


def test_each_button_sub_reports_errors_in_a_message_box():
    code = all_our_code()
    for button in vba.BUTTONS:
        body = sub_body(code, button.macro)
        assert "On Error GoTo Failed" in body
        assert re.search(r"^Failed:\r?\n\s+ReportFailure feature, Err\.Number, Err\.Description", body, re.M)
    assert "MessageBoxW Application.hWnd" in sub_body(code, "ShowMessage", "Private")


def test_the_button_that_sends_mail_asks_the_clerk_before_it_runs_python():
    body = sub_body(all_our_code(), "CtcGuiDonDoc")
    ask = body.index("If Not Confirmed(feature")
    assert ask < body.index("RunPython") and "Then Exit Sub" in body[ask:body.index("RunPython")]
    confirmed = sub_body(all_our_code(), "Confirmed", "Private")
    assert "YES_NO_QUESTION) = ANSWER_YES" in confirmed
    question = vba.vba_unescape(VI_LITERAL.findall(body)[1])
    assert question.startswith("Gửi thư đôn đốc") and question.endswith("“Cấu hình”?")


def test_failure_message_is_vietnamese():
    report = sub_body(all_our_code(), "ReportFailure", "Private")
    texts = [vba.vba_unescape(literal) for literal in VI_LITERAL.findall(report)]
    assert texts[0] == "Không chạy được chức năng “"
    assert "cán bộ phụ trách công nghệ thông tin" in texts[-1]


# --------------------------------------------------------------------------------------
# vba_modules(): ours and xlwings'
# --------------------------------------------------------------------------------------


def test_vba_modules_hold_xlwings_dictionary_and_ours():
    modules = vba.vba_modules()
    assert list(modules)[:2] == ["xlwings", "Dictionary"]
    assert "CtcongXl" in modules


def test_vba_modules_take_xlwings_from_the_installed_package():
    xlwings_bas = vba.vba_modules()["xlwings"]
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in xlwings_bas
    assert f'"xlwings64-{xlwings.__version__}.dll"' in xlwings_bas


def test_vba_modules_use_crlf_line_endings():
    for name, source in vba.vba_modules().items():
        assert "\n" not in source.replace("\r\n", ""), name


# --------------------------------------------------------------------------------------
# build_vba_project()
# --------------------------------------------------------------------------------------


def module_names_of(project_bin: bytes) -> list[str]:
    parser = VBA_Parser("vbaProject.bin", data=project_bin)
    try:
        return [stream.split("/")[-1] for _, stream, _, _ in parser.extract_macros()]
    finally:
        parser.close()


def test_build_vba_project_has_a_document_module_per_sheet_in_order():
    names = module_names_of(vba.build_vba_project(["Một", "Hai", "Ba", "Bốn"]))
    assert [n for n in names if n.startswith(("Sheet", "This"))] == [
        "ThisWorkbook", "Sheet1", "Sheet2", "Sheet3", "Sheet4",
    ]


def test_build_vba_project_gives_the_same_bytes_for_the_same_sheets():
    assert vba.build_vba_project(["Một", "Hai"]) == vba.build_vba_project(["Một", "Hai"])


def test_build_vba_project_refuses_a_workbook_without_sheets():
    with pytest.raises(ValueError):
        vba.build_vba_project([])


def test_attach_refuses_sheet_names_that_differ_from_the_workbook(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "sai.xlsm"))
    control = book.add_worksheet(CONTROL)
    book.add_worksheet("Cấu hình")
    with pytest.raises(ValueError, match="after adding every sheet"):
        vba.attach(book, control, [CONTROL])
    book.close()


# --------------------------------------------------------------------------------------
# A master-like workbook built with attach()
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("master") / "Chương trình công tác 2026.xlsm"
    book = xlsxwriter.Workbook(str(path))
    control = book.add_worksheet(CONTROL)
    control.write_string(0, 0, "Chương trình công tác năm 2026 của UBND tỉnh")
    for name in SHEETS[1:-1]:
        book.add_worksheet(name).write_string(0, 0, name)
    conf = book.add_worksheet(vba.XLWINGS_CONF_SHEET)
    for row, (key, value) in enumerate(vba.XLWINGS_CONF.items()):
        conf.write_string(row, 0, key)
        conf.write_string(row, 1, value)
    vba.attach(book, control, SHEETS, FIRST_ROW)
    book.close()
    return path


@pytest.fixture(scope="module")
def master_code(master) -> dict[str, str]:
    parser = VBA_Parser(str(master))
    try:
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def test_master_is_a_macro_enabled_package(master):
    with zipfile.ZipFile(master) as package:
        types = package.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "application/vnd.ms-office.vbaProject" in types


def test_master_holds_every_module_of_macros_and_xlwings(master_code):
    expected = set(vba.vba_modules()) | {"ThisWorkbook"} | {f"Sheet{i}" for i in range(1, len(SHEETS) + 1)}
    assert set(master_code) == expected
    assert {"xlwings", "Dictionary", "CtcongXl"} <= set(master_code)


def code_lines(source: str) -> list[str]:
    """The lines of a module without its attribute / class header lines, blank ends dropped."""
    header = re.compile(r"^(Attribute VB_\w+ = |VERSION 1\.0 CLASS$|BEGIN$|  MultiUse = |END$)")
    lines = [line for line in source.replace("\r\n", "\n").split("\n") if not header.match(line)]
    return "\n".join(lines).strip().split("\n")


def test_master_modules_keep_their_source(master_code):
    for name, source in vba.vba_modules().items():
        assert code_lines(master_code[name]) == code_lines(source), name


def test_master_button_subs_call_run_python_with_their_function(master_code):
    code = "\n".join(master_code.values()).replace("\r\n", "\n")
    for button in vba.BUTTONS:
        body = sub_body(code, button.macro)
        assert f'RunPython "import ctcong_xl.xl as xl; xl.{button.python_function}()"' in body


def test_master_run_python_is_the_shipped_xlwings_function(master_code):
    assert "Public Function RunPython(PythonCommand As String)" in master_code["xlwings"]


def test_master_buttons_bind_exactly_the_button_macros(master):
    with zipfile.ZipFile(master) as package:
        vml = "".join(
            package.read(name).decode()
            for name in package.namelist()
            if re.fullmatch(r"xl/drawings/vmlDrawing\d+\.vml", name)
        )
    bound = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert bound == [button.macro for button in vba.BUTTONS]
    for button in vba.BUTTONS:
        assert button.caption in vml


def test_master_vba_project_stream_has_no_performance_cache(master):
    with zipfile.ZipFile(master) as package:
        project_bin = package.read("xl/vbaProject.bin")
    with olefile.OleFileIO(project_bin) as ole:
        stream = ole.openstream("VBA/_VBA_PROJECT").read()
    assert stream == bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x00, 0x00])


def test_master_code_names_match_the_document_modules(master):
    with zipfile.ZipFile(master) as package:
        workbook = package.read("xl/workbook.xml").decode()
        sheets = [
            package.read(f"xl/worksheets/sheet{i}.xml").decode() for i in range(1, len(SHEETS) + 1)
        ]
    assert '<workbookPr codeName="ThisWorkbook"' in workbook
    for place, sheet in enumerate(sheets, start=1):
        assert f'<sheetPr codeName="Sheet{place}"' in sheet


def test_master_shows_each_description_beside_its_button(master):
    book = openpyxl.load_workbook(master)
    control = book[CONTROL]
    shown = [control.cell(row=FIRST_ROW + 1 + i, column=3).value for i in range(len(vba.BUTTONS))]
    assert shown == [button.description for button in vba.BUTTONS]


def test_master_xlwings_conf_sheet_reads_as_xlwings_expects(master):
    book = openpyxl.load_workbook(master)
    conf = book[vba.XLWINGS_CONF_SHEET]
    rows = {row[0]: row[1] for row in conf.iter_rows(values_only=True)}
    assert rows == vba.XLWINGS_CONF


@pytest.mark.libreoffice
def test_libreoffice_opens_the_master_as_a_valid_package(master, tmp_path, libreoffice):
    profile = tmp_path / "profile"
    out = tmp_path / "out"
    subprocess.run(
        [libreoffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), str(master)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = out / (master.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages > 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert vba.BUTTONS[0].description in " ".join(text.split())
