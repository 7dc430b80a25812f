"""The VBA side of the master macro workbook: button macros, the vbaProject.bin, the buttons.

Decisions, in the order a maintainer meets them:

* **How a button reaches Python.** Each button on the control sheet runs one public Sub of
  our module ``CtcongXl`` (source: ``macros/CtcongXl.bas``). The Sub calls xlwings'
  ``RunPython "import ctcong_xl.xl as xl; xl.<function>()"``. The workbook is *standalone*:
  xlwings' own ``xlwings.bas`` and ``Dictionary.cls`` are copied into its VBA project from
  the **installed** xlwings package, so no add-in is needed and the module's DLL name
  (``xlwings64-<version>.dll``) always matches the installed xlwings.
* **Which Python.** xlwings reads its settings from a sheet named ``xlwings.conf`` (column A
  key, column B value, from A1 down, no header). The master builder writes
  :data:`XLWINGS_CONF` there (and may hide the sheet). The interpreter is the venv that
  the README's installation creates, ``%LOCALAPPDATA%\\ctcong-xl\\.venv``; xlwings expands
  ``%VAR%`` itself. Before calling Python, the macro checks that this file exists and
  otherwise explains, in Vietnamese, how to install.
* **Vietnamese in VBA.** The VBA editor keeps module text in the PC's ANSI code page, which
  cannot hold Vietnamese letters, and ``MsgBox`` shows them as ``?``. So the ``.bas`` files
  are pure ASCII: each Vietnamese text is written as ``Vi("Ki\\u1EC3m tra")`` (``\\uXXXX``
  escapes decoded at run time by ``Vi``) and shown with the Unicode ``MessageBoxW``.
  :func:`vba_escape` makes such a literal; :func:`vba_unescape` reads one back. Button
  captions live in the sheet's XML, so they are plain Unicode.
* **The vbaProject.bin.** pyOpenVBA adds a VBA project to a skeleton ``.xlsm`` holding the
  same sheets in the same order (which gives the document modules ``ThisWorkbook``,
  ``Sheet1`` .. ``SheetN``), then our modules are added to it. [MS-OVBA] 2.3.4.1 says a
  writer MUST write the ``VBA/_VBA_PROJECT`` stream with version 0xFFFF and without a
  performance cache, so that Office compiles from source: the stream is replaced by
  :data:`VBA_PROJECT_STREAM` and the compound file is re-serialized by pyOpenVBA's own CFB
  writer (olefile cannot resize a stream).
* **Code names.** :func:`attach` names the workbook ``ThisWorkbook`` and the sheets
  ``Sheet1`` .. ``SheetN`` in order, as the document modules are named. Chart sheets are
  not supported (put charts on a worksheet).
* **Where the macro text lives.** ``macros/`` at the top of a checkout is the source of
  truth. An installed package reads ``ctcong_xl/macros/`` (package data, already listed in
  ``pyproject.toml``; the packaging step must copy or symlink ``macros/`` there).
  :func:`macros_dir` picks the checkout's folder when it runs from one.
"""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter
from pyopenvba import ExcelFile, VBAModuleKind
from pyopenvba.cfb import CFB

from ..core.layout import XLWINGS_CONF_SHEET

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "BUTTONS",
    "PYTHON_FUNCTIONS",
    "PYTHON_MODULE",
    "VBA_PROJECT_STREAM",
    "XLWINGS_CONF",
    "XLWINGS_CONF_SHEET",
    "Button",
    "attach",
    "build_vba_project",
    "document_code_names",
    "macros_dir",
    "python_command",
    "read_xlwings_conf",
    "vba_escape",
    "vba_modules",
    "vba_unescape",
    "workbook_xlwings_version",
]


@dataclass(frozen=True)
class Button:
    """One button of the control sheet and the Python function behind it."""

    caption: str  # Vietnamese caption, e.g. "Kiểm tra"
    macro: str  # VBA Sub name, ASCII, e.g. "CtcKiemTra"
    python_function: str  # function of ctcong_xl.xl, e.g. "kiem_tra"
    description: str  # one Vietnamese sentence shown next to the button


#: The module whose functions the buttons run (``ctcong_xl/xl.py``).
PYTHON_MODULE = "ctcong_xl.xl"

BUTTONS: tuple[Button, ...] = (
    Button(
        "Kiểm tra",
        "CtcKiemTra",
        "kiem_tra",
        "Kiểm tra các tệp đơn vị gửi về trong thư mục inbox và ghi lỗi của từng tệp "
        "vào nhật ký kiểm tra.",
    ),
    Button(
        "Tổng hợp",
        "CtcTongHop",
        "tong_hop",
        "Đưa các tệp hợp lệ trong thư mục inbox vào chương trình công tác, "
        "không ghi đè các cột của Văn phòng.",
    ),
    Button(
        "Cập nhật tổng hợp",
        "CtcCapNhatTongHop",
        "cap_nhat_tong_hop",
        "Tính lại tình trạng, số liệu tổng hợp và biểu đồ theo ngày báo cáo.",
    ),
    Button(
        "Tạo mẫu",
        "CtcTaoMau",
        "tao_mau",
        "Tạo biểu mẫu gửi từng đơn vị vào thư mục outbox.",
    ),
    Button(
        "Đôn đốc",
        "CtcDonDoc",
        "don_doc",
        "Lập danh sách đôn đốc các công việc quá hạn và sắp đến hạn của từng đơn vị "
        "vào thư mục outbox.",
    ),
    Button(
        "Gửi đôn đốc",
        "CtcGuiDonDoc",
        "gui_don_doc",
        "Lập danh sách đôn đốc như nút “Đôn đốc” rồi gửi thư kèm danh sách tới từng đơn vị qua máy chủ thư "
        "ghi ở trang “Cấu hình”; danh sách đã gửi không đổi thì không gửi lại.",
    ),
    Button(
        "Lập chương trình",
        "CtcLapChuongTrinh",
        "lap_chuong_trinh",
        "Dự thảo chương trình công tác năm và chương trình công tác tháng tới của UBND tỉnh "
        "(Word và PDF) vào thư mục reports.",
    ),
    Button(
        "Kiểm tra máy",
        "CtcKiemTraMay",
        "kiem_tra_may",
        "Kiểm tra máy này có chạy được các nút không; ghi kết quả và cách sửa vào trang “Kiểm tra máy”.",
    ),
)

#: Functions ``ctcong_xl.xl`` must define (checked by the tests of that module).
PYTHON_FUNCTIONS: tuple[str, ...] = tuple(button.python_function for button in BUTTONS)

#: Rows of the ``xlwings.conf`` sheet: key in column A, value in column B, from A1 down.
XLWINGS_CONF: dict[str, str] = {
    "Interpreter_Win": r"%LOCALAPPDATA%\ctcong-xl\.venv\Scripts\pythonw.exe",
    "UDF Modules": PYTHON_MODULE,
    "Use UDF Server": "False",
    "Show Console": "False",
    # The workspace folder holds agencies' files; keep it off sys.path.
    "ADD_WORKBOOK_TO_PYTHONPATH": "False",
}

#: ``VBA/_VBA_PROJECT`` as [MS-OVBA] 2.3.4.1 says a writer MUST write it:
#: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3, no PerformanceCache.
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000000")

_VBA_ENTRY = "xl/vbaProject.bin"
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")
_XLWINGS_DLL = re.compile(r"xlwings(?:32|64)-([0-9][0-9A-Za-z.+-]*)\.dll")
_VB_NAME = re.compile(r'^Attribute VB_Name = "([^"]+)"', re.MULTILINE)

# Layout of the control sheet's buttons, in pixels and character widths.
_BUTTON_WIDTH_PX = 168
_BUTTON_HEIGHT_PX = 32
_BUTTON_ROW_HEIGHT_PT = 30  # 40 px: room for the button and a margin
_BUTTON_COLUMN_WIDTH = 25  # characters; about 180 px
_DESCRIPTION_COLUMN_WIDTH = 100


def python_command(button: Button) -> str:
    """The Python statement the button's macro passes to ``RunPython``."""
    return f"import {PYTHON_MODULE} as xl; xl.{button.python_function}()"


# --------------------------------------------------------------------------------------
# Vietnamese text inside ASCII VBA source
# --------------------------------------------------------------------------------------


def vba_escape(text: str) -> str:
    """The content of a VBA string literal for ``Vi("...")`` that shows ``text`` (NFC).

    Non-ASCII characters become ``\\uXXXX`` (UTF-16 code units), quotes are doubled.
    """
    text = unicodedata.normalize("NFC", text)
    if _ESCAPE.search(text):
        raise ValueError(f"text already contains a \\uXXXX sequence: {text!r}")
    out: list[str] = []
    for char in text:
        if char == '"':
            out.append('""')
        elif char.isascii():
            out.append(char)
        else:
            units = char.encode("utf-16-be")
            out.extend(f"\\u{units[i:i + 2].hex().upper()}" for i in range(0, len(units), 2))
    return "".join(out)


def vba_unescape(literal: str) -> str:
    """The text that ``Vi`` shows for the content of a VBA string literal."""
    text = literal.replace('""', '"')
    units = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return units.encode("utf-16-be", "surrogatepass").decode("utf-16-be")


# --------------------------------------------------------------------------------------
# Module sources
# --------------------------------------------------------------------------------------


def _is_macros_dir(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*.bas"))


def macros_dir() -> Path:
    """The folder of our ``.bas`` / ``.cls`` sources.

    In a checkout: the top-level ``macros/`` beside ``pyproject.toml``. Installed: the
    package data folder ``ctcong_xl/macros/``.
    """
    root = Path(__file__).resolve().parents[2]
    checkout = root / "macros"
    if (root / "pyproject.toml").is_file() and _is_macros_dir(checkout):
        return checkout
    packaged = Path(str(resources.files("ctcong_xl") / "macros"))
    if _is_macros_dir(packaged):
        return packaged
    raise FileNotFoundError(
        f"VBA sources not found in {checkout} nor in {packaged}; "
        "the package must ship macros/ as ctcong_xl/macros/."
    )


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _module_name(path: Path, source: str) -> str:
    found = _VB_NAME.search(source)
    return found.group(1) if found else path.stem


def _read_module(path: Path) -> tuple[str, str]:
    # VBA source is stored in the project code page, 1252; xlwings' files and ours are ASCII.
    source = _crlf(path.read_bytes().decode("cp1252"))
    return _module_name(path, source), source


def _xlwings_module_files() -> list[Path]:
    package = Path(str(resources.files("xlwings")))
    return [package / "xlwings.bas", package / "addin" / "Dictionary.cls"]


def _module_files() -> list[Path]:
    ours = sorted(p for p in macros_dir().iterdir() if p.suffix.lower() in {".bas", ".cls"})
    return [*_xlwings_module_files(), *ours]


def vba_modules() -> dict[str, str]:
    """Module name -> source text (CRLF) of every non-document module of the project.

    xlwings' ``xlwings.bas`` and ``Dictionary.cls`` come from the installed xlwings package,
    then our modules from :func:`macros_dir`, in file-name order.
    """
    modules: dict[str, str] = {}
    for path in _module_files():
        name, source = _read_module(path)
        if name.casefold() in {known.casefold() for known in modules}:
            raise ValueError(f"two VBA modules are named {name!r} (second: {path})")
        modules[name] = source
    return modules


def _module_kind(name: str, source: str) -> VBAModuleKind:
    is_class = source.startswith("VERSION ") or "Attribute VB_Base" in source
    return VBAModuleKind.other if is_class else VBAModuleKind.standard


# --------------------------------------------------------------------------------------
# vbaProject.bin
# --------------------------------------------------------------------------------------


def document_code_names(sheet_count: int) -> tuple[str, list[str]]:
    """The code names of the workbook and of its sheets, as the document modules are named."""
    return "ThisWorkbook", [f"Sheet{place}" for place in range(1, sheet_count + 1)]


def _skeleton(path: Path, sheet_names: Sequence[str]) -> None:
    """An ``.xlsm``-named workbook with these worksheets, in this order, and no VBA."""
    book = xlsxwriter.Workbook(str(path))
    try:
        for name in sheet_names:
            book.add_worksheet(name)
    finally:
        book.close()


def _without_performance_cache(project_bin: bytes) -> bytes:
    cfb = CFB.from_bytes(project_bin)
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_STREAM)
    return cfb.to_bytes()


def build_vba_project(sheet_names: Sequence[str]) -> bytes:
    """``vbaProject.bin`` for a workbook whose sheets are ``sheet_names``, in this order.

    It holds the document modules ``ThisWorkbook`` and ``Sheet1`` .. ``SheetN`` (empty) and
    every module of :func:`vba_modules`.
    """
    if not sheet_names:
        raise ValueError("a workbook needs at least one sheet")
    with tempfile.TemporaryDirectory(prefix="ctcong-vba-") as folder:
        skeleton, built = Path(folder) / "skeleton.xlsm", Path(folder) / "built.xlsm"
        _skeleton(skeleton, sheet_names)
        with ExcelFile(skeleton) as book:
            project = book.add_vba_project()
            for name, source in vba_modules().items():
                project.add_module(name, source, kind=_module_kind(name, source))
            book.save(built)
        with zipfile.ZipFile(built) as package:
            project_bin = package.read(_VBA_ENTRY)
    return _without_performance_cache(project_bin)


# --------------------------------------------------------------------------------------
# The master workbook
# --------------------------------------------------------------------------------------


def attach(
    workbook: Workbook,
    control_sheet: Worksheet,
    sheet_names: Sequence[str],
    first_row: int = 3,
    *,
    button_col: int = 1,
    description_format: Format | None = None,
) -> None:
    """Give ``workbook`` its VBA project and put :data:`BUTTONS` on ``control_sheet``.

    Call it after every sheet has been added: ``sheet_names`` must be the workbook's sheets
    in order (checked). Buttons go one per row from the zero-indexed ``first_row`` down, in
    column ``button_col``; each description goes in the next column. The button rows'
    heights and the two columns' widths are set here.
    """
    actual = [sheet.get_name() for sheet in workbook.worksheets()]
    if list(sheet_names) != actual:
        raise ValueError(
            f"sheet_names {list(sheet_names)} differ from the workbook's sheets {actual}; "
            "call attach() after adding every sheet."
        )
    if any(getattr(sheet, "is_chartsheet", False) for sheet in workbook.worksheets()):
        raise ValueError("chart sheets are not supported in the macro workbook")
    if control_sheet not in workbook.worksheets():
        raise ValueError("control_sheet is not a sheet of this workbook")

    workbook.add_vba_project(io.BytesIO(build_vba_project(actual)), is_stream=True)
    book_name, sheet_code_names = document_code_names(len(actual))
    workbook.set_vba_name(book_name)
    for sheet, code_name in zip(workbook.worksheets(), sheet_code_names, strict=True):
        sheet.set_vba_name(code_name)
    _insert_buttons(workbook, control_sheet, first_row, button_col, description_format)


def _insert_buttons(
    workbook: Workbook,
    sheet: Worksheet,
    first_row: int,
    col: int,
    description_format: Format | None,
) -> None:
    if description_format is None:
        description_format = workbook.add_format(
            {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
        )
    sheet.set_column(col, col, _BUTTON_COLUMN_WIDTH)
    sheet.set_column(col + 1, col + 1, _DESCRIPTION_COLUMN_WIDTH)
    for row, button in enumerate(BUTTONS, start=first_row):
        sheet.set_row(row, _BUTTON_ROW_HEIGHT_PT)
        sheet.insert_button(
            row,
            col,
            {
                "macro": button.macro,
                "caption": button.caption,
                "description": button.description,
                "width": _BUTTON_WIDTH_PX,
                "height": _BUTTON_HEIGHT_PX,
                "x_offset": 4,
                "y_offset": 4,
            },
        )
        sheet.write_string(row, col + 1, button.description, description_format)


# --------------------------------------------------------------------------------------
# Reading a built workbook back (``ctcong-xl doctor``)
# --------------------------------------------------------------------------------------


def read_xlwings_conf(path: Path) -> dict[str, str] | None:
    """The ``xlwings.conf`` sheet of the workbook as key -> value; None when it has no such sheet."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    if XLWINGS_CONF_SHEET not in book.sheet_names:
        return None
    rows = book.get_sheet_by_name(XLWINGS_CONF_SHEET).to_python()
    return {str(row[0]).strip(): str(row[1]).strip() for row in rows if len(row) > 1 and row[0] not in ("", None)}


def workbook_xlwings_version(path: Path) -> str | None:
    """The xlwings version whose DLL the workbook's ``xlwings`` VBA module loads
    (``Declare … Lib "xlwings64-<version>.dll"``); None without such a module."""
    with ExcelFile(path) as book:
        if not book.has_vba_project():
            return None
        names = {name.casefold(): name for name in book.module_names()}
        if "xlwings" not in names:
            return None
        found = _XLWINGS_DLL.search(book.get_module(names["xlwings"]))
    return found.group(1) if found else None
