"""The batch door (SPEC §7): each command parses its options, calls :mod:`ctcong_xl.ops`,
and prints. ``--json`` prints one JSON document on stdout and nothing else there.

Exit codes: 0 success; 1 some inputs had validation errors (valid files were still
processed); 2 usage or environment error (the master is left as it was).

The operations (and pydantic, lxml, python-calamine behind them) are imported by the command
that runs, not when the CLI starts.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import gc
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import re

import typer
from typer._click import exceptions as typer_click
from typer.core import TyperCommand, TyperGroup
from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import __version__
from .console import SafeConsole


class _LazyModule:
    """A module imported on first use, so that starting the CLI (``--help``) imports neither the
    operations nor what they need (pydantic, lxml, python-calamine …)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        import importlib

        return getattr(importlib.import_module(self._name, __package__), attr)


ops = _LazyModule(".ops")
L = _LazyModule(".core.layout")
terminal = _LazyModule(".terminal")
messages = _LazyModule(".core.messages")

USAGE_WORDS = (("Usage:", "Cách dùng:"), ("[OPTIONS]", "[TÙY CHỌN]"), ("COMMAND", "LỆNH"), ("[ARGS]...", "[ĐỐI SỐ]..."),
               ("{workspace}", "THƯ_MỤC"), ("{directory}", "[THƯ_MỤC]"), ("[FILES]...", "[TỆP]..."))


class VietnameseUsageError(typer_click.UsageError):
    """Click's own usage error (missing option, bad value, unknown command…) said in Vietnamese."""

    def __init__(self, original: typer_click.UsageError) -> None:
        super().__init__(usage_message(original), original.ctx)

    def show(self, file=None) -> None:  # noqa: ANN001 (click's signature)
        lines = []
        if self.ctx is not None:
            usage = self.ctx.get_usage()
            for english, vietnamese in USAGE_WORDS:
                usage = usage.replace(english, vietnamese)
            lines.append(usage)
            lines.append(f"Xem hướng dẫn và ví dụ: {self.ctx.command_path} -h")
        lines.append(f"Lỗi: {self.message}")
        err.print("\n".join(lines), soft_wrap=True)


def _param_name(e: typer_click.UsageError) -> str:
    param = getattr(e, "param", None)
    if param is None:
        hint = getattr(e, "param_hint", None)
        return hint if isinstance(hint, str) else " / ".join(hint or [])
    if getattr(param, "param_type_name", "") == "argument":
        return (param.name or "").upper()
    return " / ".join(param.opts)


def usage_message(e: typer_click.UsageError) -> str:
    """The Vietnamese sentence of a usage error of the command line."""
    text = e.message or ""
    name = _param_name(e)
    if isinstance(e, typer_click.MissingParameter):
        kind = "đối số" if getattr(e, "param_type", None) == "argument" or (
            e.param is not None and e.param.param_type_name == "argument") else "tùy chọn"
        what = {"WORKSPACE": " (thư mục làm việc)", "DIRECTORY": " (thư mục)"}.get(name, "")
        return f"Thiếu {kind} {name}{what}."
    if isinstance(e, typer_click.NoSuchOption):
        near = getattr(e, "possibilities", None)
        tip = f" Có phải: {', '.join(sorted(near))}?" if near else ""
        return f"Không có tùy chọn {e.option_name}.{tip}"
    if isinstance(e, typer_click.BadOptionUsage):
        if "requires an argument" in text:
            return f"Tùy chọn {e.option_name} cần một giá trị đi kèm."
        return f"Tùy chọn {e.option_name} dùng không đúng: {text}"
    if isinstance(e, typer_click.BadParameter):
        if "integer" in text:
            return f"Giá trị của {name} phải là một số nguyên, ví dụ 7."
        if "is not one of" in text or "not a valid" in text.lower():
            return f"Giá trị của {name} không thuộc các giá trị được chọn: {text}"
        if "does not exist" in text:
            return f"{name}: không có tệp hoặc thư mục này."
        return f"Giá trị của {name} không hợp lệ ({text})."
    m = re.match(r"No such command '(.+?)'\.(?: Did you mean '(.+?)'\?)?", text)
    if m:
        tip = f" Có phải “{m.group(2)}”?" if m.group(2) else ""
        return f"Không có lệnh “{m.group(1)}”.{tip} Gõ “ctcong-xl -h” để xem các lệnh."
    m = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)", text)
    if m:
        return f"Thừa đối số: {m.group(1)}."
    return f"Lệnh gõ chưa đúng cách dùng ({text})."


HELP_WORDS = (*USAGE_WORDS, ("Options:", "Tùy chọn:"), ("Arguments:", "Đối số:"), ("Commands:", "Lệnh:"),
              ("Show this message and exit.", "Xem hướng dẫn này rồi thoát."), ("[required]", "[bắt buộc]"),
              ("[default: ", "[mặc định: "), ("<path>", "<thư mục>"), ("<str>", "<chữ>"), ("<int>", "<số>"),
              ("workspace ", "THƯ_MỤC   "))


def vietnamese_help(text: str) -> str:
    for english, vietnamese in HELP_WORDS:
        text = text.replace(english, vietnamese)
    return text


class VietnameseCommand(TyperCommand):
    """A command whose help reads in Vietnamese (Click's own words translated)."""

    def get_help(self, ctx) -> str:  # noqa: ANN001
        return vietnamese_help(super().get_help(ctx))


class VietnameseGroup(TyperGroup):
    """The command group whose help and usage errors read in Vietnamese (Click's are English)."""

    def get_help(self, ctx) -> str:  # noqa: ANN001
        return vietnamese_help(super().get_help(ctx))

    def make_context(self, info_name, args, parent=None, **extra):  # noqa: ANN001, ANN201
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except VietnameseUsageError:
            raise
        except typer_click.UsageError as e:
            raise VietnameseUsageError(e) from e

    def resolve_command(self, ctx, args):  # noqa: ANN001, ANN201
        try:
            return super().resolve_command(ctx, args)
        except VietnameseUsageError:
            raise
        except typer_click.UsageError as e:
            raise VietnameseUsageError(e) from e

    def invoke(self, ctx):  # noqa: ANN001, ANN201
        try:
            return super().invoke(ctx)
        except VietnameseUsageError:
            raise
        except typer_click.UsageError as e:
            raise VietnameseUsageError(e) from e


app = typer.Typer(
    cls=VietnameseGroup,
    add_completion=False,
    no_args_is_help=True,
    help="ctcong-xl: xây dựng, tổng hợp và theo dõi chương trình công tác của UBND tỉnh trong Excel.",
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# No markup, no highlighting: file names, agencies' values and messages are printed as they
# are (a "[" in a file name is text); colours come from Text styles.
out = SafeConsole(soft_wrap=True)
err = SafeConsole(stderr=True)

Json = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON (một tài liệu) ra stdout.")]
AsOf = Annotated[Optional[str], typer.Option("--as-of", help="Ngày báo cáo, dạng YYYY-MM-DD.")]


def os_error_message(exc: OSError) -> str:
    """An environment error in Vietnamese: what failed, why, and that the master is unchanged."""
    where = f" {exc.filename}" if exc.filename else ""
    why = {errno.ENOSPC: "ổ đĩa đã đầy", errno.EDQUOT: "đã hết dung lượng được cấp",
           errno.EROFS: "ổ đĩa chỉ cho đọc", errno.EIO: "lỗi đọc ghi của ổ đĩa",
           errno.ENOENT: "không tìm thấy tệp hoặc thư mục"}.get(exc.errno, exc.strerror or type(exc).__name__)
    return (f"Không đọc hoặc ghi được tệp{where}: {why}. Sổ tổng hợp chưa bị thay đổi (bản sao lưu chưa đầy đủ "
            "không được giữ lại). Giải phóng ổ đĩa hoặc kiểm tra thư mục làm việc rồi chạy lại.")


def _fail(message: str, code: int = 2) -> None:
    err.print(Text.assemble(("Lỗi: ", "bold red"), message), soft_wrap=not err.is_terminal)
    raise typer.Exit(code)


def print_paragraph(console: Console, title: str, text: str) -> None:
    """A heading and a paragraph, wrapped at words in a terminal and never cut (a panel crops
    what does not fit); one line per paragraph when the output goes to a file or a pipe."""
    console.print(Text(title, style="bold"))
    console.print(Text(text), soft_wrap=not console.is_terminal)


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"Ngày “{text}” không đúng dạng YYYY-MM-DD (ví dụ 2026-09-30).")
    return None


def _ws(path: Path) -> ops.Workspace:
    return ops.open_workspace(path)


def _environment_errors() -> tuple[type[Exception], ...]:
    """The exceptions that are usage or environment problems."""
    from .io.agencies import AgenciesFileError
    from .io.master import MasterError

    return ops.WorkspaceError, MasterError, AgenciesFileError


def _guard(fn):
    """Turn environment/usage exceptions into a Vietnamese panel and exit code 2."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if isinstance(kwargs.get("workspace"), Path):  # its master parsed while the command imports
            from .io import prefetch

            prefetch.start(kwargs["workspace"])
        try:
            return fn(*args, **kwargs)
        except _environment_errors() as exc:  # evaluated (and imported) only when something is raised
            _fail(str(exc))
        except PermissionError as exc:
            _fail(f"Không ghi được {exc.filename}: tệp đang mở hoặc không có quyền ghi. Đóng tệp rồi chạy lại.")
        except OSError as exc:  # a full disk, a network drive gone, a read-only folder…
            _fail(os_error_message(exc))
        except KeyboardInterrupt:
            _fail("Đã dừng theo yêu cầu; sổ tổng hợp không thay đổi.")

    return wrapper


def _print_version(value: bool) -> None:
    if value:
        out.print(f"ctcong-xl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="In số phiên bản rồi thoát.")] = False,
) -> None:
    """The options of `ctcong-xl` itself (the help text shown is the app's)."""


@app.command(cls=VietnameseCommand)
@_guard
def init(
    workspace: Annotated[Path, typer.Argument(help="Thư mục làm việc (sẽ được tạo).")],
    year: Annotated[int, typer.Option("--year", help="Năm chương trình, ví dụ 2026.")],
    agencies: Annotated[Optional[Path], typer.Option("--agencies", help="Danh mục đơn vị (.csv hoặc .xlsx).")] = None,
    program_number: Annotated[str, typer.Option("--program-number", help="Số chương trình, ví dụ 27/CTr-UBND.")] = "",
) -> None:
    """Tạo thư mục làm việc và sổ tổng hợp.

    Ví dụ: ctcong-xl init D:\\CTCT2026 --year 2026 --agencies donvi.xlsx --program-number "27/CTr-UBND"
    """
    from .io.agencies import DEFAULT_LEADERS, load_default_agencies, read_agencies_file

    registry = read_agencies_file(agencies) if agencies else load_default_agencies()
    path = ops.init_workspace(workspace, year, registry, program_number=program_number, leaders=DEFAULT_LEADERS)
    out.print(f"Đã tạo sổ tổng hợp {path} với {len(registry)} đơn vị.")
    out.print(f"Thư mục: {', '.join(ops.FOLDERS)} trong {workspace}.")


@app.command(cls=VietnameseCommand)
@_guard
def templates(
    workspace: Path,
    kind: Annotated[str, typer.Option("--kind", help="annual | monthly | progress")],
    month: Annotated[Optional[int], typer.Option("--month", help="Tháng (mẫu đăng ký tháng).")] = None,
    agency: Annotated[Optional[str], typer.Option("--agency", help="Mã đơn vị; bỏ trống = mọi đơn vị.")] = None,
    send: Send = False,
) -> None:
    """Tạo biểu mẫu và thư gửi đơn vị vào thư mục outbox; --send để gửi thư.

    Ví dụ: ctcong-xl templates D:\\CTCT2026 --kind monthly --month 7 --send
    """
    ws = _ws(workspace)
    first_key = ops.template_key(ws) is None
    paths = ops.make_templates(ws, kind, month=month, agency=agency)
    out.print(f"Đã tạo {len(paths)} biểu mẫu trong {workspace / 'outbox'}.")
    if first_key:
        err.print(messages.render_text("template_key_created", file=ops.KEY_FILE))
    run = ops.mail_templates(ws, kind, paths, month=month, send=send)
    _print_mail(run)
    if run.has_errors:
        raise typer.Exit(1)


FILE_TABLE_ROWS = 30  # more new files than this: the accepted ones are counted, not listed one by one


def _verdict(c) -> Text:
    r = c.result
    if r.superseded_by:
        return Text("bỏ qua (đã có tệp mới hơn)", style="yellow")
    if c.deferred:
        return Text("chờ lần chạy sau", style="yellow")
    return Text("nhận", style="green") if r.accepted else Text("trả lại", style="red")


def _print_run(report: ops.RunReport, title: str, log_sheet: str | None) -> None:
    """One row per new file; files already consolidated (left in inbox) on one line. A round of
    more than :data:`FILE_TABLE_ROWS` new files lists only those that need a look (returned,
    superseded, waiting, registered for other agencies) and counts the others; every file is in
    the master's log sheet and in ``--json``."""
    fresh = [c for c in report.files if not c.result.duplicate_of]
    duplicates = len(report.files) - len(fresh)
    plain = [c for c in fresh if c.result.accepted and not c.result.for_others]
    counted = {id(c) for c in plain}
    listed = fresh if len(fresh) <= FILE_TABLE_ROWS else [c for c in fresh if id(c) not in counted]
    t = Table(title=title)
    t.add_column("Tệp", overflow="fold", min_width=12)  # the whole name, folded: the clerk must find the file
    for col in ("Đơn vị", "Loại", "Kết quả", "Số dòng", "Thêm", "Sửa", "Rút"):
        t.add_column(col)
    for c in listed:
        r = c.result
        t.add_row(r.file, r.agency, L.KIND_TEXT.get(r.kind, r.kind), _verdict(c), str(r.rows), str(r.added),
                  str(r.changed), str(r.removed))
    if listed:
        out.print(t)
    if len(listed) < len(fresh):
        out.print(_accepted_count(plain, log_sheet))
    for c in fresh:
        if c.result.for_others:
            leads = ", ".join(f"{code}: {n}" for code, n in sorted(c.result.for_others.items()))
            out.print(Text.assemble(("Đăng ký hộ đơn vị khác", "yellow"),
                                    f" — tệp {c.result.file} ({c.result.agency}): {sum(c.result.for_others.values())} "
                                    f"việc có đơn vị chủ trì khác ({leads}), được tính cho đơn vị chủ trì."))
    if duplicates:
        out.print(f"{duplicates} tệp trong inbox đã được tổng hợp trước đó (cùng nội dung); bỏ qua, không thay đổi gì.")
    if not report.files:
        out.print("Thư mục inbox không có tệp nào.")
    for f in report.findings:
        if f.code == "duplicate_file":
            continue
        style = "red" if f.is_error else "yellow"
        out.print(Text.assemble((L.SEVERITY_TEXT[f.severity], style), " ", f.located_message()))
    returned = [c for c in fresh if not c.result.accepted]
    if returned:
        out.print(f"Bản có đánh dấu lỗi để gửi trả đơn vị: thư mục returned ({len(returned)} tệp).")


def _accepted_count(plain: list, log_sheet: str | None) -> Text:
    """“Nhận 117 tệp không cần xem lại (Đăng ký năm: 117) — 2.925 dòng; việc: thêm …”, one line
    (a validation, ``log_sheet`` None, says “Không có lỗi” and counts the rows only)."""
    kinds: dict[str, int] = {}
    for c in plain:
        kinds[c.result.kind] = kinds.get(c.result.kind, 0) + 1
    by_kind = "; ".join(f"{L.KIND_TEXT.get(k, k)}: {n}" for k, n in kinds.items())
    rows, added, changed, removed = (sum(getattr(c.result, a) for c in plain) for a in ("rows", "added", "changed", "removed"))
    if log_sheet is None:
        return Text.assemble(("Không có lỗi", "green"), f": {_n(len(plain))} tệp ({by_kind}), {_n(rows)} dòng. "
                             "Từng tệp: chạy lại với --json.")
    return Text.assemble(("Nhận", "green"),
                         f" {_n(len(plain))} tệp không cần xem lại ({by_kind}) — {_n(rows)} dòng; việc: thêm {_n(added)}, "
                         f"sửa {_n(changed)}, rút {_n(removed)}. Từng tệp: trang “{log_sheet}” của sổ tổng hợp "
                         "(hoặc chạy lại với --json).")


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # 2.925: the Vietnamese thousands separator


@contextlib.contextmanager
def _file_progress(label: str, *, quiet: bool) -> Iterator[ops.Progress | None]:
    """A progress bar over the files read, on stderr (stdout stays for the result/JSON);
    nothing when quiet or when stderr is not a terminal."""
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # only on a terminal

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[name]}"), console=err, transient=True) as bar:
        task = bar.add_task(label, total=None, name="")

        def update(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, name=name)

        yield update


def _emit(report: ops.RunReport, as_json: bool, title: str, log_sheet: str | None = None) -> None:
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_run(report, title, log_sheet)
    if report.has_errors:
        raise typer.Exit(1)


@app.command(cls=VietnameseCommand)
@_guard
def validate(
    workspace: Path,
    files: Annotated[Optional[list[Path]], typer.Argument(help="Tệp cần kiểm tra; bỏ trống = thư mục inbox.")] = None,
    as_json: Json = False,
) -> None:
    """Kiểm tra tệp đơn vị gửi về (không tổng hợp).

    Ví dụ: ctcong-xl validate D:\\CTCT2026 inbox\\DangKy_STC.xlsx
    """
    with _file_progress("Đang kiểm tra", quiet=as_json) as progress:
        report = ops.validate(_ws(workspace), files or None, progress=progress)
    _emit(report, as_json, "Kết quả kiểm tra")


@app.command(cls=VietnameseCommand)
@_guard
def consolidate(workspace: Path, as_json: Json = False) -> None:
    """Tổng hợp các tệp hợp lệ trong inbox vào sổ tổng hợp.

    Ví dụ: ctcong-xl consolidate D:\\CTCT2026 --json
    """
    with _file_progress("Đang tổng hợp", quiet=as_json) as progress:
        report = ops.consolidate(_ws(workspace), progress=progress)
    _emit(report, as_json, "Kết quả tổng hợp", L.IMPORT_LOG_SHEET)


@app.command(cls=VietnameseCommand)
@_guard
def summary(workspace: Path, as_of: AsOf = None, as_json: Json = False) -> None:
    """Số liệu tổng hợp theo tình trạng, đơn vị và đoạn báo cáo.

    Ví dụ: ctcong-xl summary D:\\CTCT2026 --as-of 2026-09-30
    """
    s = ops.summary(_ws(workspace), as_of=_date(as_of))
    if as_json:
        sys.stdout.write(json.dumps(s.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    out.print(terminal.status_table(s))
    print_paragraph(out, "Đoạn báo cáo:", s.narrative)


@app.command(cls=VietnameseCommand)
@_guard
def report(workspace: Path, as_of: AsOf = None) -> None:
    """Lập báo cáo (văn bản theo Nghị định 30/2020/NĐ-CP, .docx và .pdf) vào thư mục reports.

    Ví dụ: ctcong-xl report D:\\CTCT2026 --as-of 2026-09-30
    """
    s, doc = ops.report(_ws(workspace), as_of=_date(as_of))
    print_paragraph(out, "Đoạn báo cáo:", s.narrative)
    _print_published(doc)


def _print_published(doc: ops.Published) -> None:
    out.print(f"Đã ghi {doc.docx}" + (f" và {doc.pdf.name}." if doc.pdf else "."))
    if doc.pdf_problem:
        err.print(doc.pdf_problem)


@app.command(cls=VietnameseCommand)
@_guard
def programme(
    workspace: Path,
    year: Annotated[bool, typer.Option("--year", help="Chương trình công tác năm (chương trình khung).")] = False,
    month: Annotated[Optional[int], typer.Option("--month", help="Chương trình công tác tháng M (1–12).")] = None,
) -> None:
    """Dự thảo chương trình công tác năm (--year) hoặc tháng (--month M) của UBND tỉnh vào thư mục reports.

    Ví dụ: ctcong-xl programme D:\\CTCT2026 --month 7
    """
    if year == (month is not None):
        _fail("Chọn một trong hai: --year (chương trình năm) hoặc --month M (chương trình tháng M).")
    if month is not None and not 1 <= month <= 12:
        _fail(f"Tháng {month} không hợp lệ; ghi --month từ 1 đến 12.")
    _print_published(ops.programme(_ws(workspace), month=month))


Send = Annotated[bool, typer.Option("--send", help="Gửi thư qua máy chủ thư ở trang Cấu hình (mặc định: chỉ lập bản nháp .eml).")]


def _print_mail(run: ops.MailRun) -> None:
    """The drafts, what was sent, and the findings (agencies without an address, failures)."""
    for f in run.findings:
        style = "red" if f.is_error else "yellow"
        out.print(Text.assemble((L.SEVERITY_TEXT[f.severity], style), " ", f.located_message()))
    if not run.letters:
        return
    if run.send:
        out.print(run.sent_text())
    else:
        out.print(f"Đã lập {len(run.letters)} bản nháp thư (.eml) trong {run.letters[0].draft.parent}; "
                  "chưa gửi thư nào (thêm --send để gửi).")
    if run.send:
        for line in run.unsent_lines():
            out.print(f"  {line}")


@app.command(cls=VietnameseCommand)
@_guard
def remind(
    workspace: Path,
    as_of: AsOf = None,
    within: Annotated[Optional[int], typer.Option("--within", help="Nhắc việc đến hạn trong số ngày này.")] = None,
    send: Send = False,
) -> None:
    """Lập danh sách đôn đốc và thư cho từng đơn vị vào thư mục outbox; --send để gửi thư.

    Ví dụ: ctcong-xl remind D:\\CTCT2026 --as-of 2026-09-30 --within 7 --send
    """
    run = ops.remind(_ws(workspace), as_of=_date(as_of), within=within, send=send)
    for r in run.reminders:
        out.print(f"{r.agency.name}: {len(r.overdue)} việc quá hạn, {len(r.due_soon)} việc sắp đến hạn → {r.path.name}")
    if not run.reminders:
        out.print("Không có việc nào cần đôn đốc.")
    _print_mail(run)
    if run.has_errors:
        raise typer.Exit(1)


agencies_app = typer.Typer(
    cls=VietnameseGroup,
    no_args_is_help=True, rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
    help="Danh mục đơn vị và việc sắp xếp lại (đổi tên, sáp nhập), có ghi lịch sử: ctcong-xl agencies THƯ_MỤC list|add|rename|merge.",
)
app.add_typer(agencies_app, name="agencies")
Day = Annotated[Optional[str], typer.Option("--date", help="Ngày có hiệu lực, dạng YYYY-MM-DD (mặc định hôm nay).")]


@agencies_app.callback()
def _agencies(ctx: typer.Context, workspace: Annotated[Path, typer.Argument(help="Thư mục làm việc.")]) -> None:
    """Danh mục đơn vị của sổ tổng hợp."""
    ctx.obj = workspace


@agencies_app.command("list", cls=VietnameseCommand)
@_guard
def agencies_list(ctx: typer.Context) -> None:
    """Liệt kê các đơn vị trong danh mục.

    Ví dụ: ctcong-xl agencies D:\\CTCT2026 list
    """
    agencies = ops.list_agencies(_ws(ctx.obj))
    for a in agencies:
        notes = [a.kind, a.email] + ([f"bổ sung ngày {a.added:%d/%m/%Y}"] if a.added else [])
        if a.merged_into:
            notes.append(f"sáp nhập vào {a.merged_into}" + (f" từ ngày {a.merged_on:%d/%m/%Y}" if a.merged_on else ""))
        out.print(f"{a.code} | {a.name} | " + "; ".join(n for n in notes if n))
    out.print(f"{len(agencies)} đơn vị.")


@agencies_app.command("add", cls=VietnameseCommand)
@_guard
def agencies_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Mã đơn vị mới, ví dụ SDTTG.")],
    name: Annotated[str, typer.Argument(help="Tên đơn vị.")],
    kind: Annotated[str, typer.Option("--kind", help="sở, ban, ngành | UBND cấp huyện | UBND cấp xã | khác")] = "",
    email: Annotated[str, typer.Option("--email", help="Thư điện tử của đơn vị.")] = "",
    day: Day = None,
) -> None:
    """Thêm một đơn vị vào danh mục (đơn vị mới sau sắp xếp).

    Ví dụ: ctcong-xl agencies D:\\CTCT2026 add SDTTG "Sở Dân tộc và Tôn giáo" --email sdttg@tinhmau.gov.vn
    """
    ops.add_agency(_ws(ctx.obj), code, name, kind=kind, email=email, on=_date(day))
    out.print(f"Đã thêm đơn vị {code.upper()} — {name} vào danh mục; ghi ở trang “{L.HISTORY_SHEET}”.")


@agencies_app.command("rename", cls=VietnameseCommand)
@_guard
def agencies_rename(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Mã đơn vị (không đổi).")],
    name: Annotated[str, typer.Argument(help="Tên mới.")],
) -> None:
    """Đổi tên một đơn vị; tên đơn vị chủ trì của các việc của đơn vị đổi theo.

    Ví dụ: ctcong-xl agencies D:\\CTCT2026 rename SNNMT "Sở Nông nghiệp và Môi trường"
    """
    change = ops.rename_agency(_ws(ctx.obj), code, name)
    out.print(f"Đã đổi tên đơn vị {code.upper()} thành “{name}”; cập nhật {len(change.items)} việc; "
              f"ghi ở trang “{L.HISTORY_SHEET}”.")


@agencies_app.command("merge", cls=VietnameseCommand)
@_guard
def agencies_merge(
    ctx: typer.Context,
    codes: Annotated[list[str], typer.Argument(help="Mã các đơn vị bị sáp nhập.")],
    into: Annotated[str, typer.Option("--into", help="Mã đơn vị tiếp nhận (phải có trong danh mục).")],
    day: Day = None,
) -> None:
    """Sáp nhập các đơn vị vào một đơn vị: việc chưa hoàn thành chuyển sang đơn vị tiếp nhận, giữ mã đầu việc.

    Ví dụ: ctcong-xl agencies D:\\CTCT2026 merge STNMT SNN --into SNNMT
    """
    change = ops.merge_agencies(_ws(ctx.obj), codes, into, on=_date(day))
    out.print(f"Đã sáp nhập {', '.join(c.upper() for c in codes)} vào {into.upper()}; chuyển {len(change.items)} việc "
              f"chưa hoàn thành; ghi ở trang “{L.HISTORY_SHEET}”.")


@app.command(cls=VietnameseCommand)
@_guard
def doctor(
    workspace: Annotated[Path, typer.Argument(help="Thư mục làm việc hoặc sổ tổng hợp (.xlsm).")] = Path("."),
    as_json: Json = False,
) -> None:
    """Kiểm tra máy này có chạy được các nút của sổ tổng hợp không; mỗi lỗi kèm cách sửa.

    Ví dụ: ctcong-xl doctor D:\\CTCT2026
    """
    from .core.doctor import all_ok, status_word

    checks = ops.run_doctor(workspace)
    if as_json:
        doc = {"ok": all_ok(checks), "checks": [c.to_json() for c in checks]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        styles = {"ok": "green", "problem": "bold red", "unknown": "yellow"}
        for c in checks:
            out.print(Text.assemble((f"[{status_word(c.status)}] ", styles[c.status]), c.message))
            if c.status != "ok" and c.fix:
                out.print(Text.assemble(("    Cách sửa: ", "bold"), c.fix))
    if not all_ok(checks):
        raise typer.Exit(1)


@app.command(cls=VietnameseCommand)
@_guard
def demo(directory: Annotated[Path, typer.Argument(help="Thư mục tạo dữ liệu mẫu.")] = Path("demo-workspace")) -> None:
    """Chạy thử toàn bộ quy trình một năm trên dữ liệu mẫu.

    Ví dụ: ctcong-xl demo demo-workspace
    """
    from .demo import run_demo

    run_demo(directory, out)


def main() -> None:
    # A command lives seconds and makes almost no reference cycles (about 700 objects in a
    # 600-file consolidation), while the cyclic collector's passes over the run's millions of
    # live objects cost a tenth to a third of its time: they are left out (bench/README.md).
    gc.disable()
    _freeze_at_exit()
    try:
        app()
    finally:
        gc.enable()


_FREEZING: list[bool] = []  # the exit hook is registered once per process


def _freeze_at_exit() -> None:
    """The interpreter's shutdown runs the cyclic collector three times over every object still
    alive (the imported modules, pydantic's and typer's schemas: 40,000 objects after a
    summary) to free memory the system takes back as the process ends anyway: about 1.5 % of a
    province summary's instructions (bench/README.md). They are frozen (:func:`gc.freeze`) as
    the process ends, after the hooks the command registered (registered later, run earlier),
    so that those passes leave them out; every ``atexit`` hook still runs."""
    if not _FREEZING:
        _FREEZING.append(True)
        atexit.register(gc.freeze)


if __name__ == "__main__":  # pragma: no cover
    main()
