"""The live-Excel door: the buttons of the master workbook and the worksheet functions (UDFs).

Each button's VBA macro runs ``RunPython "import ctcong_xl.xl as xl; xl.<function>()"``
(see :mod:`ctcong_xl.io.vba`). Every button function here does the same five steps:

1. ``xw.Book.caller()``: the master workbook that is open in Excel;
2. the workspace is the folder of that workbook (or the folder named by the environment
   variable :data:`WORKSPACE_ENV`, for tests and for a workbook opened from elsewhere);
3. the managed sheets are read from the OPEN book — one ``range.value`` per sheet, from A1 to
   the last used cell — and turned into a Dataset by the same
   :func:`ctcong_xl.io.master.dataset_from_sheets` the file door uses, so unsaved hand edits
   count;
4. the operations (:mod:`ctcong_xl.ops`) compute the result and the write plan, exactly as for the batch commands;
5. the plan is applied through xlwings: one ``range.value = rows`` per rectangle of the plan,
   never cell by cell. Excel holds the file, so nothing here rewrites the workbook on disk:
   the clerk saves the book (Ctrl+S) when satisfied. Files of the workspace other than the
   workbook (archive/, returned/, outbox/) are written as by the batch commands.

How values are written (the same cells the file door writes):

* a :class:`~ctcong_xl.core.plan.Formula` is written as its text (``=IF(...)``): Excel parses a
  text starting with ``=`` assigned to ``Range.Value`` as a formula, and recalculates it;
* ``None`` clears a cell's value (its formatting stays);
* a plain text that Excel would otherwise turn into something else when assigned — a formula
  (``=``, ``+``, ``-``, ``@``), a number, a date, a time, a percentage, TRUE/FALSE — is written
  with a leading apostrophe, which Excel keeps as the cell's prefix, not as part of the value
  (:func:`excel_text`). Vietnamese documents start many lines with ``-``: those stay text.

Results are shown in Excel: a message box with the counts (Vietnamese) and, where the Excel
engine has one, the status bar during long steps. A user's mistake or a problem of the
environment (workspace missing, workbook opened from a web address…) is shown as a Vietnamese
message, never as a traceback; unexpected errors are logged with their traceback in
:func:`log_path`.

**Tạo mẫu** makes the annual registration templates while the programme has no item yet,
and the progress report templates afterwards (monthly templates: ``ctcong-xl templates WS
--kind monthly --month M``). **Lập chương trình** drafts the annual programme and the
programme of the month after the as-of date (within the programme year). **Cập nhật tổng hợp** takes the as-of date from the
configuration sheet (*Ngày báo cáo*); when that cell is empty it records today's date there,
so that the workbook's status formulas and the values Python computed agree.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import xlwings as xw

from . import ops
from .core import doctor
from .core import layout as L
from .core import mail as mail_rule
from .core import periods
from .core.doctor import plan_doctor_sheet
from .core.messages import render_text
from .core.dataset import Dataset
from .core.programme import next_programme_month
from .core.findings import Finding, finding
from .core.plan import CellValue, Formula, RangeWrite, WritePlan, names_to_add
from .core.status import COUNTED, Status, classify, status_from_text
from .core.summary import Summary
from .core.messages import render_text
from .core.text import is_blank
from .io import master as master_io

__all__ = [
    "CTCONG_KY",
    "CTCONG_MATINHTRANG",
    "CTCONG_SONGAYQUAHAN",
    "CTCONG_THOIHAN",
    "CTCONG_TINHTRANG",
    "LOG_ENV",
    "WORKSPACE_ENV",
    "cap_nhat_tong_hop",
    "doctor_message",
    "don_doc",
    "gui_don_doc",
    "excel_text",
    "excel_value",
    "kiem_tra",
    "kiem_tra_may",
    "lap_chuong_trinh",
    "log_path",
    "read_dataset",
    "read_sheet_values",
    "tao_mau",
    "tong_hop",
    "workspace_of",
    "write_plan",
]

#: Environment variable naming the workspace folder instead of the workbook's own folder.
WORKSPACE_ENV = "CTCONG_XL_WORKSPACE"
#: Environment variable naming the log file instead of :func:`log_path`'s default.
LOG_ENV = "CTCONG_XL_LOG"
APP_TITLE = "ctcong-xl"

_log = logging.getLogger("ctcong_xl.xl")


# =========================================================================== the buttons


def kiem_tra() -> None:
    """Button “Kiểm tra”: check every file of inbox/, log the findings in the open book."""
    _run("Kiểm tra", _kiem_tra)


def tong_hop() -> None:
    """Button “Tổng hợp”: consolidate the valid files of inbox/ into the open book."""
    _run("Tổng hợp", _tong_hop)


def cap_nhat_tong_hop() -> None:
    """Button “Cập nhật tổng hợp”: statuses and counts at the configured as-of date."""
    _run("Cập nhật tổng hợp", _cap_nhat_tong_hop)


def tao_mau() -> None:
    """Button “Tạo mẫu”: one template per agency in outbox/ (annual, then progress)."""
    _run("Tạo mẫu", _tao_mau)


def don_doc() -> None:
    """Button “Đôn đốc”: one reminder list per agency with overdue or soon-due items."""
    _run("Đôn đốc", _don_doc)


def gui_don_doc() -> None:
    """Button “Gửi đôn đốc”: the reminder lists of “Đôn đốc”, sent by e-mail (a list already sent
    unchanged is not sent again); the macro asks the clerk to confirm first."""
    _run("Gửi đôn đốc", _gui_don_doc)


def lap_chuong_trinh() -> None:
    """Button “Lập chương trình”: the annual programme and next month's, as documents in reports/."""
    _run("Lập chương trình", _lap_chuong_trinh)


def kiem_tra_may() -> None:
    """Button “Kiểm tra máy”: the checks of ``ctcong-xl doctor`` for this PC and the open book,
    written to the sheet “Kiểm tra máy”, the verdict in a message box."""
    _run("Kiểm tra máy", _kiem_tra_may)


def _kiem_tra(door: _Door) -> str:
    ds = door.read()
    door.status("đang kiểm tra các tệp trong thư mục inbox…")
    report, plan = ops.plan_validation(door.workspace, ds, progress=door.file_progress)
    door.write(plan)
    return validation_message(report)


def _tong_hop(door: _Door) -> str:
    ds = door.read()
    door.status("đang kiểm tra và tổng hợp các tệp trong thư mục inbox…")
    report, plan = ops.plan_consolidation(door.workspace, ds, progress=door.file_progress)
    door.write(plan)
    return consolidation_message(report)


def _cap_nhat_tong_hop(door: _Door) -> str:
    ds = door.read()
    as_of = ds.config.effective_as_of(dt.date.today())
    door.status(f"đang tính tình trạng đến ngày {periods.format_date(as_of)}…")
    summary, plan = ops.plan_summary(ds, as_of=as_of)
    door.write(plan)
    return summary_message(summary)


def _kiem_tra_may(door: _Door) -> str:
    door.status("đang kiểm tra Python, xlwings và các thiết lập của Excel…")
    checks = ops.run_doctor(door.workspace.root / door.book.name)
    plan = WritePlan(names={})  # a report sheet: no formula, no defined name needed
    plan_doctor_sheet(plan, checks, dt.datetime.now())
    door.write(plan)
    return doctor_message(checks)


def template_kind(ds: Dataset) -> str:
    """The templates “Tạo mẫu” makes: annual registration while the programme is empty,
    progress reports once it has items."""
    return "progress" if ds.items else "annual"


def _tao_mau(door: _Door) -> str:
    ds = door.read()
    kind = template_kind(ds)
    door.status(f"đang tạo mẫu “{L.KIND_TEXT[kind]}” cho {len(ds.agencies)} đơn vị…")
    first_key = ops.template_key(door.workspace) is None
    paths = ops.make_templates_from(door.workspace, ds, kind)
    message = templates_message(kind, paths, door.workspace.folder("outbox"))
    if first_key:  # never silent: from now on unsigned templates are refused
        message += "\n\n" + render_text("template_key_created", file=ops.KEY_FILE)
    return message


def _don_doc(door: _Door) -> str:
    ds = door.read()
    as_of = ds.config.effective_as_of(dt.date.today())
    door.status("đang lập danh sách đôn đốc…")
    reminders = ops.remind_from(door.workspace, ds, as_of=as_of)
    return reminders_message(reminders, as_of, door.workspace.folder("outbox"))


def _gui_don_doc(door: _Door) -> str:
    ds = door.read()
    as_of = ds.config.effective_as_of(dt.date.today())
    door.status("đang lập danh sách đôn đốc…")
    reminders = ops.remind_from(door.workspace, ds, as_of=as_of)
    made = reminders_message(reminders, as_of, door.workspace.folder("outbox"))
    letters = [r.mail for r in reminders if r.mail]
    if not letters:
        return made
    door.status(f"đang gửi {len(letters)} thư đôn đốc…")
    run = ops.dispatch_to(ds, letters, send=True, record=door.write)
    lines = [made, "", run.sent_text(), *(f"• {line}" for line in run.unsent_lines())]
    lines += [f.located_message() for f in run.findings]
    if run.count(mail_rule.SENT):
        lines += ["", "Hãy lưu sổ (Ctrl+S) để giữ nhật ký gửi thư."]
    return "\n".join(lines)


def _lap_chuong_trinh(door: _Door) -> str:
    ds = door.read()
    month = next_programme_month(ds.config.year, ds.config.effective_as_of(dt.date.today()))
    door.status("đang lập chương trình công tác năm…")
    made = [ops.programme_from(door.workspace, ds)]
    if month is not None:
        door.status(f"đang lập chương trình công tác tháng {month}…")
        made.append(ops.programme_from(door.workspace, ds, month=month))
    return programme_message(ds.config.year, month, made, door.workspace.folder("reports"))


# =========================================================================== messages


def _count(items: Iterable[Any], test: Callable[[Any], bool]) -> int:
    return sum(1 for x in items if test(x))


def validation_message(report: ops.RunReport) -> str:
    files = report.files
    if not files:
        return "Thư mục inbox chưa có tệp nào của đơn vị gửi về; không có gì để kiểm tra."
    ok = _count(files, lambda c: c.result.accepted)
    dup = _count(files, lambda c: bool(c.result.duplicate_of))
    bad = len(files) - ok - dup
    errors = _count(report.findings, lambda f: f.is_error)
    warnings = len(report.findings) - errors
    lines = [f"Đã kiểm tra {len(files)} tệp trong thư mục inbox: {ok} tệp hợp lệ, {bad} tệp có lỗi"
             + (f", {dup} tệp đã tổng hợp trước đây." if dup else ".")]
    if errors or warnings:
        lines.append(f"{errors} lỗi và {warnings} cảnh báo đã ghi vào trang “{L.VALIDATION_LOG_SHEET}”.")
    if bad:
        lines.append("Tệp có lỗi đã được chép kèm chú thích vào thư mục returned để gửi lại đơn vị.")
    lines.append("Hãy lưu sổ (Ctrl+S) để giữ kết quả.")
    return "\n".join(lines)


def consolidation_message(report: ops.RunReport) -> str:
    files = report.files
    if not files:
        return "Thư mục inbox chưa có tệp nào của đơn vị gửi về; không có gì để tổng hợp."
    accepted = [c for c in files if c.result.accepted]
    dup = _count(files, lambda c: bool(c.result.duplicate_of))
    superseded = _count(files, lambda c: bool(c.result.superseded_by))
    rejected = len(files) - len(accepted) - dup - superseded
    for_others = sum(sum(c.result.for_others.values()) for c in accepted)
    added = sum(c.result.added for c in accepted)
    changed = sum(c.result.changed for c in accepted)
    removed = sum(c.result.removed for c in accepted)
    lines = [f"Đã tổng hợp {len(accepted)}/{len(files)} tệp: thêm {added} đầu việc, cập nhật {changed}, "
             f"rút {removed}."]
    if rejected:
        lines.append(f"{rejected} tệp có lỗi không được tổng hợp; xem trang “{L.VALIDATION_LOG_SHEET}”, "
                     "tệp trả lại đơn vị ở thư mục returned.")
    if dup:
        lines.append(f"{dup} tệp đã được tổng hợp trước đây nên bỏ qua.")
    if superseded:
        lines.append(f"{superseded} tệp có lỗi đã được thay bằng tệp mới hơn của cùng đơn vị nên bỏ qua.")
    if for_others:
        lines.append(f"{for_others} việc do đơn vị đăng ký hộ đơn vị chủ trì khác (xem cột “Đơn vị đăng ký”).")
    lines.append(f"Nhật ký ở trang “{L.IMPORT_LOG_SHEET}”, từng thay đổi ở trang “{L.HISTORY_SHEET}”. "
                 "Hãy lưu sổ (Ctrl+S) để giữ kết quả.")
    return "\n".join(lines)


def summary_message(s: Summary) -> str:
    counts = "; ".join(f"{s.by_status[st.value]} {st.text.lower()}" for st in COUNTED)
    lines = [f"Đã cập nhật tình trạng đến ngày {periods.format_date(s.as_of)}: tổng số {s.total} đầu việc "
             f"của {s.agencies} đơn vị ({counts}).",
             f"Việc đã rút khỏi chương trình: {s.by_status[Status.RUT_KHOI.value]}."]
    if s.narrative:
        lines += ["", s.narrative]
    lines += ["", f"Xem trang “{L.SUMMARY_SHEET}”. Hãy lưu sổ (Ctrl+S) để giữ kết quả."]
    return "\n".join(lines)


def templates_message(kind: str, paths: list[Path], outbox: Path) -> str:
    return (f"Đã tạo {len(paths)} mẫu “{L.KIND_TEXT[kind]}” (mỗi đơn vị một tệp) trong thư mục:\n{outbox}")


def reminders_message(reminders: list[ops.Reminder], as_of: dt.date, outbox: Path) -> str:
    when = periods.format_date(as_of)
    if not reminders:
        return f"Đến ngày {when} không có việc quá hạn hay sắp đến hạn; không cần đôn đốc."
    overdue = sum(len(r.overdue) for r in reminders)
    soon = sum(len(r.due_soon) for r in reminders)
    return (f"Đã lập danh sách đôn đốc cho {len(reminders)} đơn vị (tính đến ngày {when}): {overdue} việc "
            f"quá hạn chưa hoàn thành, {soon} việc sắp đến hạn.\nDanh sách và thư nháp (.eml) gửi đơn vị ở thư mục:\n{outbox}")


def programme_message(year: int, month: int | None, made: list[ops.Published], folder: Path) -> str:
    what = f"Chương trình công tác năm {year}" + (f" và Chương trình công tác tháng {month}/{year}" if month else "")
    files = "\n".join(f"• {p.docx.name}" + (f" và {p.pdf.name}" if p.pdf else "") for p in made)
    note = next((f"\n{p.pdf_problem}" for p in made if p.pdf_problem), "")
    return f"Đã lập dự thảo {what} trong thư mục:\n{folder}\n{files}{note}"


def doctor_message(checks: list[doctor.Check]) -> str:
    """The verdict and the checks that failed, by their titles (a message box holds about 1,000
    characters: the sentences and fixes are on the sheet)."""
    failed = [f"• {doctor.check_title(c)}" for c in checks if c.status == "problem"]
    see = render_text("doctor_see_sheet_fixes" if failed else "doctor_see_sheet", L.DOCTOR_SHEET)
    return "\n".join([doctor.verdict(checks), *failed, see])


def failure_message(feature: str, exc: BaseException) -> str:
    return (f"Chức năng “{feature}” gặp lỗi ngoài dự kiến và đã dừng.\n"
            f"Lỗi: {type(exc).__name__}: {exc}\n\n"
            "Nếu sổ đã được ghi một phần, hãy đóng sổ KHÔNG lưu rồi mở lại; tệp trên đĩa vẫn như lần lưu trước.\n"
            f"Chi tiết kỹ thuật đã ghi vào tệp nhật ký:\n{log_path()}\n"
            "Hãy gửi tệp này cho cán bộ phụ trách công nghệ thông tin.")


# =========================================================================== the door


class _Door:
    """The calling book, its workspace and the way to talk to the clerk."""

    def __init__(self, book: xw.Book, feature: str) -> None:
        self.book, self.feature = book, feature
        self._workspace: ops.Workspace | None = None

    @property
    def workspace(self) -> ops.Workspace:
        if self._workspace is None:
            self._workspace = workspace_of(self.book)
        return self._workspace

    def read(self) -> Dataset:
        self.status("đang đọc dữ liệu của sổ…")
        return read_dataset(self.book)

    def write(self, plan: WritePlan) -> None:
        write_plan(self.book, plan, progress=self.status)

    def file_progress(self, done: int, total: int, name: str) -> None:
        if name:
            self.status(f"đang đọc tệp {done + 1}/{total}: {name}…")

    def status(self, text: str) -> None:
        """Show progress in Excel's status bar where the engine has one (not the remote one)."""
        try:
            self.book.app.status_bar = f"{APP_TITLE} – {self.feature}: {text}"
        except (NotImplementedError, AttributeError):
            pass

    def alert(self, text: str, *, error: bool = False) -> None:
        self.book.app.alert(text, title=f"{APP_TITLE} – {self.feature}", buttons="ok",
                            mode="critical" if error else "info")


def _run(feature: str, job: Callable[[_Door], str]) -> None:
    book = xw.Book.caller()
    door = _Door(book, feature)
    log = _logger()
    log.info("%s: bắt đầu (%s)", feature, book.name)
    try:
        with master_io.locked(door.workspace.root / book.name):
            message = job(door)
    except (ops.WorkspaceError, master_io.MasterError) as exc:
        log.warning("%s: %s", feature, exc)
        door.alert(str(exc), error=True)
    except Exception as exc:  # noqa: BLE001 - a button must never show a traceback
        log.exception("%s: lỗi ngoài dự kiến", feature)
        door.alert(failure_message(feature, exc), error=True)
    else:
        log.info("%s: xong. %s", feature, message.replace("\n", " "))
        door.alert(message)


def workspace_of(book: xw.Book) -> ops.Workspace:
    """The workspace folder: :data:`WORKSPACE_ENV` if set, else the folder of the workbook."""
    override = os.environ.get(WORKSPACE_ENV)
    if override:
        return ops.open_workspace(Path(override))
    full = book.fullname
    if "://" in full:
        raise ops.WorkspaceError(
            f"Sổ {book.name} đang được mở từ địa chỉ web ({full}). Hãy mở sổ từ thư mục làm việc trên ổ đĩa "
            "hoặc ổ mạng (thư mục có inbox, outbox…), ví dụ qua thư mục đồng bộ OneDrive trong File Explorer."
        )
    path = Path(full)
    if not path.is_absolute():
        raise ops.WorkspaceError(
            f"Sổ {book.name} chưa được lưu vào thư mục làm việc. Hãy lưu sổ vào thư mục có inbox, outbox… rồi bấm lại."
        )
    return ops.open_workspace(path.parent)


def log_path() -> Path:
    """Where the buttons log: :data:`LOG_ENV` if set, else
    ``%LOCALAPPDATA%\\ctcong-xl\\ctcong-xl.log`` (``~/.ctcong-xl/ctcong-xl.log`` off Windows)."""
    override = os.environ.get(LOG_ENV)
    if override:
        return Path(override)
    base = os.environ.get("LOCALAPPDATA")
    folder = Path(base) / "ctcong-xl" if base else Path.home() / ".ctcong-xl"
    return folder / "ctcong-xl.log"


def _logger() -> logging.Logger:
    """The module logger writing to :func:`log_path` (1 MB × 3 files, UTF-8)."""
    path = log_path()
    for handler in list(_log.handlers):
        if isinstance(handler, logging.FileHandler) and handler.baseFilename != os.path.abspath(path):
            _log.removeHandler(handler)
            handler.close()
    if not _log.handlers:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                           encoding="utf-8")
        except OSError:  # a read-only profile must not stop the button
            return _log
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        _log.addHandler(handler)
        _log.setLevel(logging.INFO)
    return _log


# =========================================================================== reading


def read_sheet_values(sheet: xw.Sheet) -> list[list[Any]]:
    """All values of ``sheet`` from A1 to its last used cell, rows of cells, in one read.

    Values come as calamine gives them to the file door: dates as ``datetime``, numbers as
    ``float``, blanks as ``None``, error cells as ``None``.
    """
    last = sheet.used_range.last_cell
    rng = sheet.range((1, 1), (max(last.row, 1), max(last.column, 1)))
    values = rng.options(ndim=2).value
    return [list(row) for row in values or []]


def read_dataset(book: xw.Book) -> Dataset:
    """The master's content from the managed sheets of the open book."""
    present = {s.name: s for s in book.sheets}
    sheets = {name: read_sheet_values(present[name]) for name in master_io.MANAGED_SHEETS if name in present}
    return master_io.dataset_from_sheets(sheets, book.name)


# =========================================================================== writing

_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_EXCEL_WOULD_CONVERT = re.compile(
    rf"""^\s*(?:
        [=+\-@']                                   # a formula, a sign, Excel's own text prefix
      | [\d.,:/\s%()$€₫]*\d[\d.,:/\s%()$€₫eE+\-]*$ # a number, date, time, percentage, fraction
      | (?:true|false)\s*$                          # a logical value
      | \d{{1,2}}[\s./-]*(?:{_MONTHS})              # 15-Nov, 15 Nov 2026
      | (?:{_MONTHS})[a-z]*\.?[\s./-]*\d            # Nov 2026, November 15
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def excel_text(text: str) -> str:
    """``text`` as assigned to ``Range.Value`` so that Excel stores exactly this text: with a
    leading apostrophe when Excel would otherwise read it as a formula, number, date or
    logical value (the apostrophe becomes the cell's prefix, not part of its value)."""
    return "'" + text if _EXCEL_WOULD_CONVERT.match(text) else text


def excel_value(value: CellValue) -> Any:
    """One value of a write plan as assigned through xlwings."""
    if isinstance(value, Formula):
        return value.text if value.text.startswith("=") else "=" + value.text
    if isinstance(value, str):
        return excel_text(value) if value else None
    return value


def _rows_of(write: RangeWrite) -> list[list[Any]]:
    return [[excel_value(v) for v in row] for row in write.values]


def write_plan(book: xw.Book, plan: WritePlan, *, progress: Callable[[str], None] | None = None) -> int:
    """Apply ``plan`` to the open book: one ``range.value`` assignment per rectangle (a
    rectangle whose rows differ in length, which the plans do not make, is written row by
    row). Returns the number of assignments."""
    sheets = {s.name: s for s in book.sheets}
    for name in plan.new_sheets:  # a managed sheet an older master lacks (the history sheet)
        if name not in sheets:
            sheets[name] = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    missing = [name for name in plan.sheets() if name not in sheets]
    if missing:
        raise master_io.MasterError(
            f"Sổ {book.name} thiếu trang “{missing[0]}”; không đổi tên hay xóa các trang của sổ."
        )
    _ensure_names(book, plan.names)
    for insert in plan.inserts:  # Excel moves what points at the rows (charts, formulas, merges) itself
        rows = sheets[insert.sheet].range(f"{insert.before}:{insert.before + insert.count - 1}")
        rows.insert(shift="down", copy_origin="format_from_left_or_above")
    done = 0
    total = len(plan.writes)
    for n, write in enumerate(plan.writes, start=1):
        if progress and (n == 1 or n % 10 == 0):
            progress(f"đang ghi vào sổ ({n}/{total})…")
        sheet = sheets[write.sheet]
        rows = _rows_of(write)
        if len({len(r) for r in rows}) <= 1:
            sheet.range(write.address).value = rows
            done += 1
        else:
            for i, row in enumerate(rows):
                sheet.range((write.row + i, write.col)).value = [row]
                done += 1
    return done


def _ensure_names(book: xw.Book, names: dict[str, str]) -> None:
    """Add the workbook-level defined names of the plan the book lacks (an older master); the
    names it has stay as they are."""
    for name, refers_to in names_to_add(names, (n.name for n in book.names), (s.name for s in book.sheets)).items():
        book.names.add(name, refers_to)


# =========================================================================== worksheet functions
#
# Thin wrappers over the core rules. No type annotations on the decorated functions: xlwings
# reads annotations as converters. Arguments arrive as Excel gives them: a date cell as a
# datetime, a number as a float, a blank cell as None, text as str. A wrong input gives a
# Vietnamese message as the result (not #VALUE!), so that the clerk sees what to fix.


def _today() -> dt.date:
    return dt.date.today()


def _read_date(value: Any, year: int) -> tuple[dt.date | None, str]:
    """A date cell or a date / period text -> (date, "") or (None, Vietnamese problem)."""
    if is_blank(value):
        return None, ""
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    parsed, problem = periods.parse_deadline(value, year, allow_outside_year=True)
    if problem is not None and (parsed is None or parsed.deadline is None):
        return None, problem.message
    if parsed is None or parsed.deadline is None:
        return None, _with_hint(finding("deadline_recurring", value, year=year))
    return parsed.deadline, ""


def _year(value: Any) -> tuple[int | None, str]:
    """The ``nam`` argument: blank is this year; (None, Vietnamese problem) when it is no year."""
    if is_blank(value):
        return _today().year, ""
    try:
        year = int(float(value))
    except (TypeError, ValueError, OverflowError):
        year = None
    if year is None or not periods.MIN_YEAR <= year <= periods.MAX_YEAR:
        return None, _with_hint(finding("year_invalid", value, year=_today().year))
    return year, ""


def _with_hint(f: Finding) -> str:
    return f"{f.message} {f.hint}"


def _status_inputs(thoi_han: Any, ngay_hoan_thanh: Any, ngay_bao_cao: Any) -> tuple[tuple, str]:
    as_of, problem = _read_date(ngay_bao_cao, _today().year)
    if problem:
        return (), f"Ngày báo cáo: {problem}"
    as_of = as_of or _today()
    deadline, problem = _read_date(thoi_han, as_of.year)
    if problem:
        return (), f"Thời hạn: {problem}"
    completed, problem = _read_date(ngay_hoan_thanh, as_of.year)
    if problem:
        return (), f"Ngày hoàn thành: {problem}"
    return (deadline, completed, as_of), ""


@xw.func
@xw.arg("thoi_han", doc="Thời hạn hiệu lực (ngày, hoặc chữ như 30/06/2026, Quý II/2026)")
@xw.arg("ngay_hoan_thanh", doc="Ngày hoàn thành; để trống nếu chưa hoàn thành")
@xw.arg("ngay_bao_cao", doc="Ngày báo cáo; để trống là hôm nay")
@xw.arg("rut", doc="Ghi bất kỳ giá trị nào (ví dụ x) nếu việc đã rút khỏi chương trình")
def CTCONG_TINHTRANG(thoi_han, ngay_hoan_thanh, ngay_bao_cao=None, rut=""):  # noqa: N802
    """Tình trạng của một đầu việc tại ngày báo cáo (quy tắc của sổ chương trình công tác)."""
    inputs, problem = _status_inputs(thoi_han, ngay_hoan_thanh, ngay_bao_cao)
    if problem:
        return problem
    deadline, completed, as_of = inputs
    withdrawn = not is_blank(rut) and rut is not False
    return classify(deadline, completed, as_of, withdrawn).text


@xw.func
@xw.arg("gia_tri", doc="Thời hạn như người dùng ghi: 15/11/2026, Tháng 6, Quý II/2026, 6 tháng đầu năm…")
@xw.arg("nam", doc="Năm chương trình, dùng khi chữ không ghi năm; để trống là năm nay")
def CTCONG_THOIHAN(gia_tri, nam=None):  # noqa: N802
    """Ngày cuối của thời hạn hoặc kỳ được ghi bằng chữ (định dạng ô là dd/mm/yyyy)."""
    year, problem = _year(nam)
    if problem:
        return problem
    if is_blank(gia_tri):
        return ""
    deadline, problem = _read_date(gia_tri, year)
    return problem or deadline


@xw.func
@xw.arg("gia_tri", doc="Thời hạn hoặc kỳ ghi bằng chữ, ví dụ Quý 2/2026")
@xw.arg("nam", doc="Năm chương trình, dùng khi chữ không ghi năm; để trống là năm nay")
def CTCONG_KY(gia_tri, nam=None):  # noqa: N802
    """Tên chuẩn của kỳ được ghi bằng chữ, ví dụ “Quý II/2026”; trống nếu là một ngày cụ thể."""
    year, problem = _year(nam)
    if problem:
        return problem
    if is_blank(gia_tri):
        return ""
    parsed, problem = periods.parse_deadline(gia_tri, year, allow_outside_year=True)
    if parsed is None:
        return problem.message if problem else ""
    if parsed.recurrence is not None and parsed.deadline is None:
        return parsed.recurrence.label
    return parsed.label


@xw.func
@xw.arg("tinh_trang", doc="Chữ tình trạng, ví dụ Hoàn thành đúng hạn")
def CTCONG_MATINHTRANG(tinh_trang):  # noqa: N802
    """Mã của một tình trạng (ví dụ hoan_thanh_dung_han), như trong tệp JSON của lệnh summary."""
    if is_blank(tinh_trang):
        return ""
    status = status_from_text(str(tinh_trang))
    if status is None:
        return f"“{tinh_trang}” không phải một tình trạng; các tình trạng: " + "; ".join(s.text for s in Status) + "."
    return status.key


@xw.func
@xw.arg("thoi_han", doc="Thời hạn hiệu lực")
@xw.arg("ngay_hoan_thanh", doc="Ngày hoàn thành; để trống nếu chưa hoàn thành")
@xw.arg("ngay_bao_cao", doc="Ngày báo cáo; để trống là hôm nay")
def CTCONG_SONGAYQUAHAN(thoi_han, ngay_hoan_thanh, ngay_bao_cao=None):  # noqa: N802
    """Số ngày quá hạn tại ngày báo cáo: việc chưa hoàn thành tính đến ngày báo cáo, việc hoàn thành
    không đúng hạn tính đến ngày hoàn thành; 0 nếu không quá hạn."""
    inputs, problem = _status_inputs(thoi_han, ngay_hoan_thanh, ngay_bao_cao)
    if problem:
        return problem
    deadline, completed, as_of = inputs
    status = classify(deadline, completed, as_of)
    if status is Status.CHUA_HOAN_THANH:
        return (as_of - deadline).days
    if status is Status.KHONG_DUNG_HAN:
        return (completed - deadline).days
    return 0
