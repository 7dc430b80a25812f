"""The operations of SPEC §7, as a library. The CLI and the Excel buttons are thin doors over
these functions; each returns plain result objects and leaves printing to the door."""

from __future__ import annotations

import datetime as dt
import getpass
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .core import layout as L
from .core.consolidate import Changes, FileResult, apply_annual, apply_monthly, apply_progress, record_receipt
from .core.dataset import Dataset
from .core.findings import Finding, finding
from .core.forms import FORM_KINDS, PROGRAMME_SHEET, SUPPORTED_FORM_VERSIONS, column_letter
from .core.models import Agency, ImportLogEntry, ProgrammeConfig
from .core.plan import WritePlan
from .core.status import COUNTED
from .core.summary import Summary, reminder_items, summarize
from .core.text import vn_sort_key
from .core.validate import Context, Validated, validate_rows
from .core.writeplan import (
    plan_config,
    plan_import_log,
    plan_monthly,
    plan_programme,
    plan_receipts,
    plan_validation_log,
)
from .io import master as master_io
from .io.incoming import Submission, read_submission, sha256_file
from .io.master_build import build_master
from .io.reminders import write_reminder
from .io.returned import write_returned
from .io.templates import template_filename, write_template
from .io.xlsxpatch import PackageError

FOLDERS = ("inbox", "outbox", "returned", "archive", "reports")


class WorkspaceError(Exception):
    """A usage or environment problem (exit code 2); the message is Vietnamese."""


# ---------------------------------------------------------------- workspace


@dataclass(frozen=True)
class Workspace:
    root: Path

    def folder(self, name: str) -> Path:
        return self.root / name

    @property
    def master(self) -> Path:
        found = sorted(p for p in self.root.glob("*.xlsm") if not p.name.startswith(("~$", ".")))
        if not found:
            raise WorkspaceError(
                f"Không tìm thấy sổ tổng hợp (.xlsm) trong thư mục {self.root}. "
                "Chạy “ctcong-xl init” để tạo thư mục làm việc."
            )
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise WorkspaceError(f"Thư mục {self.root} có nhiều sổ tổng hợp ({names}); chỉ để lại một sổ.")
        return found[0]

    def inbox_files(self) -> list[Path]:
        box = self.folder("inbox")
        if not box.is_dir():
            raise WorkspaceError(f"Không có thư mục inbox trong {self.root}.")
        files = [p for p in box.iterdir() if p.is_file() and not p.name.startswith(("~$", "."))]
        return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def open_workspace(root: Path) -> Workspace:
    if not root.is_dir():
        raise WorkspaceError(f"Không có thư mục làm việc {root}.")
    return Workspace(root)


def init_workspace(root: Path, year: int, agencies: list[Agency], *, program_number: str = "",
                   leaders: list[str] | None = None, as_of: dt.date | None = None) -> Path:
    if year < 2000 or year > 2199:
        raise WorkspaceError(f"Năm chương trình {year} không hợp lệ; ghi năm đủ bốn chữ số, ví dụ 2026.")
    if not agencies:
        raise WorkspaceError("Danh mục đơn vị trống.")
    root.mkdir(parents=True, exist_ok=True)
    for name in FOLDERS:
        (root / name).mkdir(exist_ok=True)
    path = root / L.MASTER_FILENAME.format(year=year)
    existing = [p for p in root.glob("*.xlsm") if not p.name.startswith(("~$", "."))]
    if existing:
        raise WorkspaceError(
            f"Thư mục {root} đã có sổ tổng hợp {existing[0].name}; không tạo đè. Dùng thư mục khác hoặc xóa sổ cũ."
        )
    config = ProgrammeConfig(year=year, program_number=program_number, leaders=leaders or [], as_of=as_of)
    tmp = root / ("." + path.name + ".new")
    build_master(tmp, config, agencies)
    tmp.replace(path)
    return path


# ---------------------------------------------------------------- templates


def make_templates(ws: Workspace, kind: str, *, month: int | None = None, agency: str | None = None) -> list[Path]:
    _check_template_request(kind, month)
    return make_templates_from(ws, master_io.read_master(ws.master), kind, month=month, agency=agency)


def _check_template_request(kind: str, month: int | None) -> None:
    if kind not in FORM_KINDS:
        raise WorkspaceError(f"Loại mẫu “{kind}” không có; chọn annual, monthly hoặc progress.")
    if kind == "monthly" and not month:
        raise WorkspaceError("Mẫu đăng ký tháng cần --month (1 đến 12).")
    if month is not None and not 1 <= month <= 12:
        raise WorkspaceError(f"Tháng {month} không hợp lệ; ghi từ 1 đến 12.")


def make_templates_from(ws: Workspace, ds: Dataset, kind: str, *, month: int | None = None,
                        agency: str | None = None) -> list[Path]:
    """The templates of ``kind`` for a dataset already read (from the file or the open book)."""
    _check_template_request(kind, month)
    targets = ds.agencies
    if agency:
        targets = [a for a in ds.agencies if a.code.casefold() == agency.casefold()]
        if not targets:
            raise WorkspaceError(f"Không có đơn vị mã “{agency}” trong danh mục của sổ tổng hợp.")
    out_dir = ws.folder("outbox")
    out_dir.mkdir(exist_ok=True)
    written = []
    for a in targets:
        rows = _prefill(ds, kind, a, month)
        path = out_dir / template_filename(kind, a, ds.config.year, month)
        write_template(path, kind, year=ds.config.year, agency=a, agencies=ds.agencies, leaders=ds.config.leaders,
                       month=month, rows=rows, program_number=ds.config.program_number,
                       deadline=ds.config.registration_deadline(kind, month))
        written.append(path)
    return written


def _prefill(ds: Dataset, kind: str, agency: Agency, month: int | None) -> list[dict] | None:
    if kind == "progress":
        return [
            {"ma_dau_viec": i.ma_dau_viec, "noi_dung": i.noi_dung, "thoi_han": i.effective_deadline,
             "ngay_hoan_thanh": i.ngay_hoan_thanh, "van_ban_ket_qua": i.van_ban_ket_qua, "tinh_hinh": i.tinh_hinh,
             "de_xuat_thoi_han": i.de_xuat_thoi_han, "ly_do": i.ly_do}
            for i in ds.items if i.ma_don_vi == agency.code and not i.rut
        ]
    if kind == "monthly" and month:
        return [
            {"noi_dung": i.noi_dung, "thoi_gian": i.effective_deadline, "ma_dau_viec": i.ma_dau_viec,
             "lanh_dao_chu_tri": i.lanh_dao}
            for i in ds.items
            if i.ma_don_vi == agency.code and not i.rut and i.effective_deadline
            and i.effective_deadline.month == month and i.effective_deadline.year == ds.config.year
        ]
    return None


# ---------------------------------------------------------------- validate / consolidate


@dataclass
class FileCheck:
    path: Path
    result: FileResult
    submission: Submission | None = None
    validated: Validated | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)


@dataclass
class RunReport:
    files: list[FileCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # all findings, placed
    written: bool = False
    summary: Summary | None = None

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    def to_json(self) -> dict:
        return {
            "files": [
                {"file": c.result.file, "agency": c.result.agency, "kind": c.result.kind, "accepted": c.result.accepted,
                 "rows": c.result.rows, "duplicate_of": c.result.duplicate_of or None, "added": c.result.added,
                 "changed": c.result.changed, "removed": c.result.removed, "sha256": c.result.sha256}
                for c in self.files
            ],
            "findings": [
                {"file": f.file, "sheet": f.sheet, "cell": f.cell, "code": f.code, "severity": f.severity,
                 "message": f.message, "hint": f.hint, "value": f.value}
                for f in self.findings
            ],
        }


def check_file(path: Path, ds: Dataset, *, seen: dict[str, str], today: dt.date) -> FileCheck:
    """Read and validate one incoming file against the master (no writing)."""
    digest = sha256_file(path)
    result = FileResult(file=path.name, sha256=digest)
    check = FileCheck(path=path, result=result)
    previous = ds.consolidated_hashes.get(digest) or seen.get(digest)
    if previous:
        result.duplicate_of = previous
        check.findings.append(finding("duplicate_file", path.name, previous=previous).at(file=path.name))
        return check
    sub, problems = read_submission(path)
    check.submission = sub
    check.findings.extend(p.at(file=path.name) for p in problems)
    if sub is None or sub.meta is None or any(p.is_error for p in problems):
        return check
    meta = sub.meta
    result.kind = meta.kind
    result.agency = meta.agency_code
    meta_problems = []
    if meta.version not in SUPPORTED_FORM_VERSIONS:
        meta_problems.append(finding("form_version_unknown", meta.version, version=meta.version))
    if meta.year != ds.config.year:
        meta_problems.append(finding("template_other_year", meta.year, found=meta.year, year=ds.config.year))
    agency = ds.agency(meta.agency_code)
    if agency is None:
        meta_problems.append(finding("template_other_agency", meta.agency_code, found=meta.agency_code))
    if meta_problems:
        check.findings.extend(p.at(file=path.name, sheet=sub.sheet) for p in meta_problems)
        return check
    ctx = Context(year=ds.config.year, agency=agency, agencies=ds.agencies, month=meta.month, items=ds.items, today=today,
                  leaders=ds.config.leaders)
    validated = validate_rows(meta.kind, sub.rows, ctx, formulas=sub.formulas)
    check.validated = validated
    check.findings.extend(f.at(file=path.name, sheet=sub.sheet) for f in validated.findings)
    result.rows = len(validated.rows)
    result.accepted = check.ok
    return check


Progress = Callable[[int, int, str], None]  # (files done, files in all, file being read)


def _check_all(ws: Workspace, ds: Dataset, files: list[Path] | None, today: dt.date,
               progress: Progress | None = None) -> list[FileCheck]:
    paths = files if files else ws.inbox_files()
    seen: dict[str, str] = {}
    checks = []
    for n, p in enumerate(paths):
        if progress:
            progress(n, len(paths), p.name)
        if not p.is_file():
            raise WorkspaceError(f"Không có tệp {p}.")
        c = check_file(p, ds, seen=seen, today=today)
        if c.result.accepted:
            seen[c.result.sha256] = p.name
        checks.append(c)
    if progress:
        progress(len(paths), len(paths), "")
    return checks


def validate(ws: Workspace, files: list[Path] | None = None, *, today: dt.date | None = None,
             progress: Progress | None = None) -> RunReport:
    """Check files; record the findings in the master's validation log; write annotated
    copies of faulty files to returned/."""
    path = ws.master
    master_io.check_not_open(path)  # refuse before doing anything: Excel holds the book
    with master_io.locked(path):
        report, plan = plan_validation(ws, master_io.read_master(path), files, today=today, progress=progress)
        if plan.writes:
            _write_master(ws, path, plan)
            report.written = True
    return report


def plan_validation(ws: Workspace, ds: Dataset, files: list[Path] | None = None, *,
                    today: dt.date | None = None, progress: Progress | None = None) -> tuple[RunReport, WritePlan]:
    """The validation run on a dataset already read (from the file or from the open book)."""
    report = RunReport(files=_check_all(ws, ds, files, today or dt.date.today(), progress))
    report.findings = [f for c in report.files for f in c.findings]
    plan = WritePlan()
    _log_findings(plan, ds, report)
    _return_faulty(ws, report)
    return report, plan


def consolidate(ws: Workspace, *, today: dt.date | None = None, who: str | None = None,
                progress: Progress | None = None) -> RunReport:
    path = ws.master
    master_io.check_not_open(path)  # refuse before doing anything: Excel holds the book
    with master_io.locked(path):
        report, plan = plan_consolidation(ws, master_io.read_master(path), today=today, who=who, progress=progress)
        if plan.writes:
            _write_master(ws, path, plan)
            report.written = True
    return report


def plan_consolidation(ws: Workspace, ds: Dataset, *, today: dt.date | None = None,
                       who: str | None = None, progress: Progress | None = None) -> tuple[RunReport, WritePlan]:
    """Check every inbox file, archive the accepted ones, merge them into ``ds`` and return
    the plan that writes the result (the caller writes it: to the file or the open book).
    Files the import log already records as rejected (``ds.rejected_hashes``) are reported
    again but not logged again, so that rerunning on the same inbox changes nothing."""
    known_rejected = ds.rejected_hashes
    today = today or dt.date.today()
    now = dt.datetime.now().replace(microsecond=0)
    who = who or _user()
    report = RunReport(files=_check_all(ws, ds, None, today, progress))
    rut_before = {i.ma_dau_viec: i.rut for i in ds.items}
    extra: list[Finding] = []
    entries: list[ImportLogEntry] = []
    receipts: set[str] = set()
    accepted = [c for c in report.files if c.result.accepted]
    for c in accepted:
        _archive(ws, c)  # every consolidated file is kept before the master changes
        changes = _apply(ds, c, today, _cell_locator(ds))
        c.result.added, c.result.changed, c.result.removed = changes.added, changes.changed, changes.removed
        extra.extend(f.at(file=c.path.name, sheet=PROGRAMME_SHEET) for f in changes.findings)
        if c.result.kind == "annual":
            receipts.add(c.result.agency)
        entries.append(_log_entry(now, who, c, changes))
    rejected = [c for c in report.files if not c.result.accepted and not c.result.duplicate_of]
    new_rejected = [c for c in rejected if c.result.sha256 not in known_rejected]
    entries.extend(_log_entry(now, who, c, None) for c in new_rejected)
    report.findings = [f for c in report.files for f in c.findings] + extra
    old = {c.path.name for c in rejected if c.result.sha256 in known_rejected}
    plan = WritePlan()
    if accepted:
        rut_changes = {i.ma_dau_viec: i.rut for i in ds.items if rut_before.get(i.ma_dau_viec, False) != i.rut}
        plan_programme(plan, ds, ds.config.effective_as_of(today), rut_changes=rut_changes)
        plan_monthly(plan, ds)
        plan_receipts(plan, ds, receipts)
    _log_findings(plan, ds, report, [f for f in report.findings if f.file not in old])
    plan_import_log(plan, ds, entries)
    _return_faulty(ws, report)
    return report, plan


def _write_master(ws: Workspace, path: Path, plan: WritePlan) -> None:
    """Write the plan into the master file; a package it cannot patch (a managed sheet renamed
    or deleted by hand) is an environment error with a clear message, the master unchanged."""
    try:
        master_io.write_master(path, plan, backup_root=ws.root)
    except PackageError as exc:
        raise master_io.MasterError(
            f"Không ghi được sổ tổng hợp {path.name}: {exc} Sổ tổng hợp chưa bị thay đổi; "
            "đặt lại đúng tên trang (hoặc khôi phục bản sao trong archive/master-backups) rồi chạy lại."
        ) from exc


def _archive(ws: Workspace, c: FileCheck) -> Path:
    archive = ws.folder("archive")
    archive.mkdir(exist_ok=True)
    dest = archive / f"{c.result.sha256}{c.path.suffix.lower()}"
    if not dest.exists():
        shutil.copy2(c.path, dest)
    return dest


def _log_entry(now: dt.datetime, who: str, c: FileCheck, changes: Changes | None) -> ImportLogEntry:
    changes = changes or Changes()
    return ImportLogEntry(when=now, who=who, file=c.path.name, sha256=c.result.sha256, agency=c.result.agency,
                          kind=c.result.kind, added=changes.added, changed=changes.changed,
                          removed=changes.removed, result=c.result.result_text)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some service accounts
        return ""


def _cell_locator(ds: Dataset):
    def cell_of(code: str, key: str) -> str:
        col = ds.programme_index.columns.get(key)
        row = ds.programme_index.rows.get(code)
        return f"{column_letter(col)}{row}" if col and row else ""

    return cell_of


def _apply(ds: Dataset, c: FileCheck, today: dt.date, cell_of) -> Changes:
    kind, agency = c.result.kind, c.result.agency
    rows = c.validated.rows if c.validated else []
    source = c.path.name
    # when the file reached the Office: its save time, never later than the run's date
    received = min(dt.date.fromtimestamp(c.path.stat().st_mtime), today)
    if kind == "annual":
        changes = apply_annual(ds, agency, rows, source=source, cell_of=cell_of)
        record_receipt(ds, agency, received)
        return changes
    if kind == "progress":
        return apply_progress(ds, agency, rows, source=source, cell_of=cell_of)
    if kind == "monthly":
        month = c.submission.meta.month if c.submission and c.submission.meta else None
        return apply_monthly(ds, agency, month or today.month, rows, source=source, received=received)
    return Changes()


def _log_findings(plan: WritePlan, ds: Dataset, report: RunReport, findings: list[Finding] | None = None) -> None:
    loggable = [f for f in (report.findings if findings is None else findings) if f.code != "duplicate_file"]
    agency_of = {c.path.name: c.result.agency for c in report.files}
    plan_validation_log(plan, ds, dt.datetime.now().replace(microsecond=0), loggable, agency_of)


def _return_faulty(ws: Workspace, report: RunReport) -> None:
    """Annotated copies of faulty files (highlighted cells, comments) go to returned/, ready to
    send back."""
    out = ws.folder("returned")
    out.mkdir(exist_ok=True)
    for c in report.files:
        if c.result.accepted or c.result.duplicate_of or not any(f.is_error for f in c.findings):
            continue
        write_returned(c.path, c.findings, out)


# ---------------------------------------------------------------- summary, report, reminders


def summary(ws: Workspace, *, as_of: dt.date | None = None, today: dt.date | None = None) -> Summary:
    """Counts at ``as_of``; with ``as_of`` also records it as the master's as-of date so the
    master's formulas show the same statuses, and refreshes the cached statuses."""
    path = ws.master
    with master_io.locked(path):
        s, plan = plan_summary(master_io.read_master(path), as_of=as_of, today=today)
        if plan.writes:
            _write_master(ws, path, plan)
        return s


def plan_summary(ds: Dataset, *, as_of: dt.date | None = None, today: dt.date | None = None) -> tuple[Summary, WritePlan]:
    when = as_of or ds.config.effective_as_of(today or dt.date.today())
    plan = WritePlan()
    if as_of is not None:
        plan_config(plan, "as_of", as_of)
        ds.config.as_of = as_of
        plan_programme(plan, ds, when)
    return summarize(ds, when), plan


def report(ws: Workspace, *, as_of: dt.date | None = None, today: dt.date | None = None) -> tuple[Summary, Path]:
    """The paragraph and the tables as a text report in reports/."""
    s = summary(ws, as_of=as_of, today=today)
    out = ws.folder("reports")
    out.mkdir(exist_ok=True)
    path = out / f"BaoCao_{s.as_of:%Y-%m-%d}.txt"
    lines = [f"BÁO CÁO TÌNH HÌNH THỰC HIỆN CHƯƠNG TRÌNH CÔNG TÁC NĂM {s.year}", "", s.narrative, "",
             "Theo đơn vị:"]
    for a in sorted(s.by_agency, key=lambda a: vn_sort_key(a["name"])):
        if a["total"]:
            lines.append(f"- {a['name']}: {a['total']} việc; " + ", ".join(
                f"{a[st.value]} {st.text.lower()}" for st in COUNTED if a[st.value]))
    lines += ["", "Đăng ký chương trình công tác năm (đánh giá thi đua):"]
    for a in sorted(s.by_agency, key=lambda a: vn_sort_key(a["name"])):
        late_months = [m for m, v in a["monthly_registration"].items() if v != "Đúng hạn"]
        monthly = f"; đăng ký tháng chưa đúng hạn: {', '.join(late_months)}" if late_months else ""
        lines.append(f"- {a['name']}: {a['registration'].lower()}{monthly}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return s, path


@dataclass
class Reminder:
    agency: Agency
    overdue: list
    due_soon: list
    path: Path | None = None


def remind(ws: Workspace, *, as_of: dt.date | None = None, within: int | None = None,
           today: dt.date | None = None) -> list[Reminder]:
    return remind_from(ws, master_io.read_master(ws.master), as_of=as_of, within=within, today=today)


def remind_from(ws: Workspace, ds: Dataset, *, as_of: dt.date | None = None, within: int | None = None,
                today: dt.date | None = None) -> list[Reminder]:
    """The reminder lists for a dataset already read (from the file or the open book)."""
    when = as_of or ds.config.effective_as_of(today or dt.date.today())
    days = within if within is not None else ds.config.remind_within_days
    out = []
    for a in ds.agencies:
        overdue, soon = reminder_items(ds.items_of(a.code), when, days)
        if overdue or soon:
            out.append(Reminder(a, overdue, soon))
    for r in out:
        r.path = write_reminder(ws.folder("outbox"), r.agency, r.overdue, r.due_soon, when, ds.config.year)
    return out
