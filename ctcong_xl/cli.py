"""The batch door (SPEC §7): each command parses its options, calls :mod:`ctcong_xl.ops`,
and prints. ``--json`` prints one JSON document on stdout and nothing else there.

Exit codes: 0 success; 1 some inputs had validation errors (valid files were still
processed); 2 usage or environment error (the master is left as it was).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from . import __version__, ops
from .core import layout as L
from .core import mail as mail_rule
from .io.agencies import AgenciesFileError
from .io.master import MasterError
from .terminal import status_table

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="ctcong-xl: xây dựng, tổng hợp và theo dõi chương trình công tác của UBND tỉnh trong Excel.",
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# No markup, no highlighting: file names, agencies' values and messages are printed as they
# are (a "[" in a file name is text); colours come from Text styles.
out = Console(soft_wrap=True, highlight=False, markup=False)
err = Console(stderr=True, highlight=False, markup=False)

Json = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON (một tài liệu) ra stdout.")]
AsOf = Annotated[Optional[str], typer.Option("--as-of", help="Ngày báo cáo, dạng YYYY-MM-DD.")]


def _fail(message: str, code: int = 2) -> None:
    err.print(Panel(message, title="Lỗi", border_style="red"))
    raise typer.Exit(code)


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


def _guard(fn):
    """Turn environment/usage exceptions into a Vietnamese panel and exit code 2."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ops.WorkspaceError, MasterError, AgenciesFileError) as exc:
            _fail(str(exc))
        except PermissionError as exc:
            _fail(f"Không ghi được {exc.filename}: tệp đang mở hoặc không có quyền ghi. Đóng tệp rồi chạy lại.")
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


@app.command()
@_guard
def init(
    workspace: Annotated[Path, typer.Argument(help="Thư mục làm việc (sẽ được tạo).")],
    year: Annotated[int, typer.Option("--year", help="Năm chương trình, ví dụ 2026.")],
    agencies: Annotated[Optional[Path], typer.Option("--agencies", help="Danh mục đơn vị (.csv hoặc .xlsx).")] = None,
    program_number: Annotated[str, typer.Option("--program-number", help="Số chương trình, ví dụ 27/CTr-UBND.")] = "",
) -> None:
    """Tạo thư mục làm việc và sổ tổng hợp."""
    from .io.agencies import DEFAULT_LEADERS, load_default_agencies, read_agencies_file

    registry = read_agencies_file(agencies) if agencies else load_default_agencies()
    path = ops.init_workspace(workspace, year, registry, program_number=program_number, leaders=DEFAULT_LEADERS)
    out.print(f"Đã tạo sổ tổng hợp {path} với {len(registry)} đơn vị.")
    out.print(f"Thư mục: {', '.join(ops.FOLDERS)} trong {workspace}.")


@app.command()
@_guard
def templates(
    workspace: Path,
    kind: Annotated[str, typer.Option("--kind", help="annual | monthly | progress")],
    month: Annotated[Optional[int], typer.Option("--month", help="Tháng (mẫu đăng ký tháng).")] = None,
    agency: Annotated[Optional[str], typer.Option("--agency", help="Mã đơn vị; bỏ trống = mọi đơn vị.")] = None,
    send: Send = False,
) -> None:
    """Tạo biểu mẫu và thư gửi đơn vị vào thư mục outbox; --send để gửi thư."""
    ws = _ws(workspace)
    paths = ops.make_templates(ws, kind, month=month, agency=agency)
    out.print(f"Đã tạo {len(paths)} biểu mẫu trong {workspace / 'outbox'}.")
    run = ops.mail_templates(ws, kind, paths, month=month, send=send)
    _print_mail(run)
    if run.has_errors:
        raise typer.Exit(1)


def _print_run(report: ops.RunReport, title: str) -> None:
    """One row per new file; files already consolidated (left in inbox) on one line."""
    fresh = [c for c in report.files if not c.result.duplicate_of]
    duplicates = len(report.files) - len(fresh)
    t = Table(title=title)
    for col in ("Tệp", "Đơn vị", "Loại", "Kết quả", "Số dòng", "Thêm", "Sửa", "Rút"):
        t.add_column(col)
    for c in fresh:
        r = c.result
        if r.superseded_by:
            verdict = Text("bỏ qua (đã có tệp mới hơn)", style="yellow")
        else:
            verdict = Text("nhận", style="green") if r.accepted else Text("trả lại", style="red")
        t.add_row(r.file, r.agency, L.KIND_TEXT.get(r.kind, r.kind), verdict, str(r.rows), str(r.added),
                  str(r.changed), str(r.removed))
    if fresh:
        out.print(t)
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


@contextlib.contextmanager
def _file_progress(label: str, *, quiet: bool) -> Iterator[ops.Progress | None]:
    """A progress bar over the files read, on stderr (stdout stays for the result/JSON);
    nothing when quiet or when stderr is not a terminal."""
    if quiet or not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[name]}"), console=err, transient=True) as bar:
        task = bar.add_task(label, total=None, name="")

        def update(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, name=name)

        yield update


def _emit(report: ops.RunReport, as_json: bool, title: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_run(report, title)
    if report.has_errors:
        raise typer.Exit(1)


@app.command()
@_guard
def validate(
    workspace: Path,
    files: Annotated[Optional[list[Path]], typer.Argument(help="Tệp cần kiểm tra; bỏ trống = thư mục inbox.")] = None,
    as_json: Json = False,
) -> None:
    """Kiểm tra tệp đơn vị gửi về (không tổng hợp)."""
    with _file_progress("Đang kiểm tra", quiet=as_json) as progress:
        report = ops.validate(_ws(workspace), files or None, progress=progress)
    _emit(report, as_json, "Kết quả kiểm tra")


@app.command()
@_guard
def consolidate(workspace: Path, as_json: Json = False) -> None:
    """Tổng hợp các tệp hợp lệ trong inbox vào sổ tổng hợp."""
    with _file_progress("Đang tổng hợp", quiet=as_json) as progress:
        report = ops.consolidate(_ws(workspace), progress=progress)
    _emit(report, as_json, "Kết quả tổng hợp")


@app.command()
@_guard
def summary(workspace: Path, as_of: AsOf = None, as_json: Json = False) -> None:
    """Số liệu tổng hợp theo tình trạng, đơn vị và đoạn báo cáo."""
    s = ops.summary(_ws(workspace), as_of=_date(as_of))
    if as_json:
        sys.stdout.write(json.dumps(s.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    out.print(status_table(s))
    out.print(Panel(s.narrative, title="Đoạn báo cáo"))


@app.command()
@_guard
def report(workspace: Path, as_of: AsOf = None) -> None:
    """Lập báo cáo (văn bản theo Nghị định 30/2020/NĐ-CP, .docx và .pdf) vào thư mục reports."""
    s, doc = ops.report(_ws(workspace), as_of=_date(as_of))
    out.print(Panel(s.narrative, title="Đoạn báo cáo"))
    _print_published(doc)


def _print_published(doc: ops.Published) -> None:
    out.print(f"Đã ghi {doc.docx}" + (f" và {doc.pdf.name}." if doc.pdf else "."))
    if doc.pdf_problem:
        err.print(doc.pdf_problem)


@app.command()
@_guard
def programme(
    workspace: Path,
    year: Annotated[bool, typer.Option("--year", help="Chương trình công tác năm (chương trình khung).")] = False,
    month: Annotated[Optional[int], typer.Option("--month", help="Chương trình công tác tháng M (1–12).")] = None,
) -> None:
    """Dự thảo chương trình công tác năm (--year) hoặc tháng (--month M) của UBND tỉnh vào thư mục reports."""
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
        out.print(f"Thư: {run.count(mail_rule.SENT)} đã gửi, {run.count(mail_rule.ALREADY_SENT)} đã gửi trước đó "
                  f"(không gửi lại), {run.count(mail_rule.NO_ADDRESS)} chưa có địa chỉ, "
                  f"{run.count(mail_rule.FAILED)} gửi không được; ghi vào trang “{L.SEND_LOG_SHEET}”.")
    else:
        out.print(f"Đã lập {len(run.letters)} bản nháp thư (.eml) trong {run.letters[0].draft.parent}; "
                  "chưa gửi thư nào (thêm --send để gửi).")
    if run.send:
        for o in run.letters:
            if o.status != mail_rule.SENT:
                out.print(f"  {o.agency.name}: {mail_rule.STATUS_TEXT[o.status]}")


@app.command()
@_guard
def remind(
    workspace: Path,
    as_of: AsOf = None,
    within: Annotated[Optional[int], typer.Option("--within", help="Nhắc việc đến hạn trong số ngày này.")] = None,
    send: Send = False,
) -> None:
    """Lập danh sách đôn đốc và thư cho từng đơn vị vào thư mục outbox; --send để gửi thư."""
    run = ops.remind(_ws(workspace), as_of=_date(as_of), within=within, send=send)
    for r in run.reminders:
        out.print(f"{r.agency.name}: {len(r.overdue)} việc quá hạn, {len(r.due_soon)} việc sắp đến hạn → {r.path.name}")
    if not run.reminders:
        out.print("Không có việc nào cần đôn đốc.")
    _print_mail(run)
    if run.has_errors:
        raise typer.Exit(1)


agencies_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
    help="Danh mục đơn vị và việc sắp xếp lại (đổi tên, sáp nhập), có ghi lịch sử: ctcong-xl agencies THƯ_MỤC list|add|rename|merge.",
)
app.add_typer(agencies_app, name="agencies")
Day = Annotated[Optional[str], typer.Option("--date", help="Ngày có hiệu lực, dạng YYYY-MM-DD (mặc định hôm nay).")]


@agencies_app.callback()
def _agencies(ctx: typer.Context, workspace: Annotated[Path, typer.Argument(help="Thư mục làm việc.")]) -> None:
    """Danh mục đơn vị của sổ tổng hợp."""
    ctx.obj = workspace


@agencies_app.command("list")
@_guard
def agencies_list(ctx: typer.Context) -> None:
    """Liệt kê các đơn vị trong danh mục."""
    agencies = ops.list_agencies(_ws(ctx.obj))
    for a in agencies:
        notes = [a.kind, a.email] + ([f"bổ sung ngày {a.added:%d/%m/%Y}"] if a.added else [])
        if a.merged_into:
            notes.append(f"sáp nhập vào {a.merged_into}" + (f" từ ngày {a.merged_on:%d/%m/%Y}" if a.merged_on else ""))
        out.print(f"{a.code} | {a.name} | " + "; ".join(n for n in notes if n))
    out.print(f"{len(agencies)} đơn vị.")


@agencies_app.command("add")
@_guard
def agencies_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Mã đơn vị mới, ví dụ SDTTG.")],
    name: Annotated[str, typer.Argument(help="Tên đơn vị.")],
    kind: Annotated[str, typer.Option("--kind", help="sở, ban, ngành | UBND cấp huyện | UBND cấp xã | khác")] = "",
    email: Annotated[str, typer.Option("--email", help="Thư điện tử của đơn vị.")] = "",
    day: Day = None,
) -> None:
    """Thêm một đơn vị vào danh mục (đơn vị mới sau sắp xếp)."""
    ops.add_agency(_ws(ctx.obj), code, name, kind=kind, email=email, on=_date(day))
    out.print(f"Đã thêm đơn vị {code.upper()} — {name} vào danh mục; ghi ở trang “{L.HISTORY_SHEET}”.")


@agencies_app.command("rename")
@_guard
def agencies_rename(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Mã đơn vị (không đổi).")],
    name: Annotated[str, typer.Argument(help="Tên mới.")],
) -> None:
    """Đổi tên một đơn vị; tên đơn vị chủ trì của các việc của đơn vị đổi theo."""
    change = ops.rename_agency(_ws(ctx.obj), code, name)
    out.print(f"Đã đổi tên đơn vị {code.upper()} thành “{name}”; cập nhật {len(change.items)} việc; "
              f"ghi ở trang “{L.HISTORY_SHEET}”.")


@agencies_app.command("merge")
@_guard
def agencies_merge(
    ctx: typer.Context,
    codes: Annotated[list[str], typer.Argument(help="Mã các đơn vị bị sáp nhập.")],
    into: Annotated[str, typer.Option("--into", help="Mã đơn vị tiếp nhận (phải có trong danh mục).")],
    day: Day = None,
) -> None:
    """Sáp nhập các đơn vị vào một đơn vị: việc chưa hoàn thành chuyển sang đơn vị tiếp nhận, giữ mã đầu việc."""
    change = ops.merge_agencies(_ws(ctx.obj), codes, into, on=_date(day))
    out.print(f"Đã sáp nhập {', '.join(c.upper() for c in codes)} vào {into.upper()}; chuyển {len(change.items)} việc "
              f"chưa hoàn thành; ghi ở trang “{L.HISTORY_SHEET}”.")


@app.command()
@_guard
def demo(directory: Annotated[Path, typer.Argument(help="Thư mục tạo dữ liệu mẫu.")] = Path("demo-workspace")) -> None:
    """Chạy thử toàn bộ quy trình một năm trên dữ liệu mẫu."""
    from .demo import run_demo

    run_demo(directory, out)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
