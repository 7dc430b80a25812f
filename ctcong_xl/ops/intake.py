"""`validate` and `consolidate` (SPEC §7): check each incoming file against the master, return
faulty ones annotated, archive and merge the accepted ones, and plan the write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.consolidate import (
    Changes,
    FileResult,
    ItemPositions,
    apply_annual,
    apply_monthly,
    apply_progress,
    record_receipt,
)
from ..core.dataset import Dataset
from ..core.findings import Finding, finding
from ..core.identity import signed_for, verifies
from ..core.messages import REFUSED_UNREAD
from ..core.forms import PROGRAMME_SHEET, SUPPORTED_FORM_VERSIONS, column_letter
from ..core.models import Agency, ImportLogEntry
from ..core.plan import WritePlan
from ..core.text import AgencyMatcher, LeaderMatcher
from ..core.validate import CellMemo, Context, ItemIndex, Validated, registration_content, validate_rows
from ..core.writeplan import (
    plan_config_labels,
    plan_history,
    plan_import_log,
    plan_monthly,
    plan_programme,
    plan_receipts,
    plan_summary_sheet,
    plan_validation_log,
)
from ..io import master as master_io
from ..io.files import atomic_copies, remove_stale_temporaries
from ..io.guard import Outcome, ProcessLimits, iter_guarded, run_guarded
from ..io.incoming import Submission, read_meta, read_submission, sha256_file
from .workspace import Workspace, WorkspaceError, current_user, template_key, write_master

@dataclass
class FileCheck:
    path: Path
    result: FileResult
    submission: Submission | None = None
    validated: Validated | None = None
    findings: list[Finding] = field(default_factory=list)
    deferred: bool = False  # over the number of files one run reads: read by the next run

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
                 "changed": c.result.changed, "removed": c.result.removed, "sha256": c.result.sha256,
                 "superseded_by": c.result.superseded_by or None, "for_other_agencies": c.result.for_others,
                 "deferred": c.deferred}
                for c in self.files
            ],
            "findings": [
                {"file": f.file, "sheet": f.sheet, "cell": f.cell, "code": f.code, "severity": f.severity,
                 "message": f.message, "hint": f.hint, "value": f.value}
                for f in self.findings
            ],
        }


def check_file(path: Path, ds: Dataset, *, seen: dict[str, str], today: dt.date,
               matcher: AgencyMatcher | None = None, index: ItemIndex | None = None,
               key: bytes | None = None) -> FileCheck:
    """Read and validate one incoming file against the master (no writing), in this process.
    ``matcher`` and ``index`` (of ``ds``'s agencies and items) are built once by a run that
    checks many files. With the workspace's template ``key`` the template's identity is verified."""
    digest = sha256_file(path)
    return _duplicate(path, digest, ds, seen) or _check_content(path, digest, ds, today, matcher, index, key)


def _duplicate(path: Path, digest: str, ds: Dataset, seen: dict[str, str]) -> FileCheck | None:
    """The check of a file whose content was already consolidated (also under another name)."""
    previous = ds.consolidated_hashes.get(digest) or seen.get(digest)
    if not previous:
        return None
    check = FileCheck(path=path, result=FileResult(file=path.name, sha256=digest, duplicate_of=previous))
    check.findings.append(finding("duplicate_file", path.name, previous=previous).at(file=path.name))
    return check


def _check_content(path: Path, digest: str, ds: Dataset, today: dt.date, matcher: AgencyMatcher | None = None,
                   index: ItemIndex | None = None, key: bytes | None = None,
                   leaders: LeaderMatcher | None = None, cells: CellMemo | None = None) -> FileCheck:
    result = FileResult(file=path.name, sha256=digest)
    check = FileCheck(path=path, result=result)
    sub, problems = read_submission(path, ds.config.file_limits, digest)
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
    if meta.kind == "monthly" and not (meta.month is not None and 1 <= meta.month <= 12):
        meta_problems.append(finding("template_month_invalid", "" if meta.month is None else meta.month))
    if key is not None and not meta_problems:
        meta_problems.extend(_identity_problems(meta, ds, key))
    if meta_problems:
        check.findings.extend(p.at(file=path.name, sheet=sub.sheet) for p in meta_problems)
        return check
    ctx = Context(year=ds.config.year, agency=agency, agencies=ds.agencies, month=meta.month, items=ds.items, today=today,
                  leaders=ds.config.leaders, matcher=matcher, index=index, leader_matcher=leaders, cells=cells)
    validated = validate_rows(meta.kind, sub.rows, ctx, formulas=sub.formulas)
    validated.findings.extend(registration_content(meta.kind, validated.rows, no_content=sub.no_content,
                                                   choice_cell=sub.choice_cell, first_cell=sub.first_input_cell))
    check.validated = validated
    result.for_others = _registered_for_others(validated, agency) if meta.kind == "annual" else {}
    check.findings.extend(f.at(file=path.name, sheet=sub.sheet) for f in validated.findings)
    result.rows = len(validated.rows)
    result.accepted = check.ok
    return check


def _registered_for_others(validated: Validated, registrant: Agency) -> dict[str, int]:
    """Lead agency code -> number of rows the registrant registered with that other agency as lead."""
    out: dict[str, int] = {}
    for row in validated.rows:
        lead = row.values.get("don_vi_chu_tri")
        if isinstance(lead, Agency) and lead.code != registrant.code:
            out[lead.code] = out.get(lead.code, 0) + 1
    return out


def _form_key(meta) -> tuple[str, str, int | None]:
    return meta.agency_code, meta.kind, meta.month if meta.kind == "monthly" else None


def _mark_superseded(ws: Workspace, ds: Dataset, checks: list[FileCheck], verb: str) -> None:
    """A faulty file is superseded by an accepted file of the same agency and form (same month for
    a monthly registration) received at the same time or later, from this run or an earlier one
    (kept in archive/, with its received time). Its errors no longer count: one warning instead."""
    faulty = [c for c in checks if not c.result.accepted and not c.result.duplicate_of and c.submission
              and c.submission.meta and any(f.is_error for f in c.findings)]
    if not faulty:
        return
    newer: list[tuple[tuple, float, str, str]] = []  # (form key, received time, file name, verb)
    for c in checks:
        if c.result.accepted and c.submission and c.submission.meta:
            newer.append((_form_key(c.submission.meta), c.path.stat().st_mtime, c.path.name, verb))
    wanted = {(c.result.agency, c.result.kind) for c in faulty}
    archive = ws.folder("archive")
    for sha, form in ds.consolidated_forms.items():
        if form not in wanted:
            continue
        for kept in archive.glob(f"{sha}.*"):
            meta = read_meta(kept) if form[1] == "monthly" else None
            month = meta.month if meta else None
            newer.append(((form[0], form[1], month), kept.stat().st_mtime, ds.consolidated_hashes[sha], "tổng hợp"))
            break
    for c in faulty:
        key, received = _form_key(c.submission.meta), c.path.stat().st_mtime
        later = [n for n in newer if n[0] == key and n[1] >= received]
        if not later:
            continue
        _, _, name, how = max(later, key=lambda n: n[1])
        c.result.superseded_by = name
        c.findings = [finding("superseded_file", c.path.name, newer=name, verb=how).at(file=c.path.name)]


def _identity_problems(meta, ds: Dataset, key: bytes) -> list[Finding]:
    """The template must be one the Office issued to the agency it names (core/identity.py)."""
    if not meta.signature:
        return [finding("template_unsigned")]
    if verifies(key, meta.signature, meta.kind, meta.year, meta.month, meta.agency_code, meta.template_id):
        return []
    claimed = _agency_label(ds, meta.agency_code)
    owner = signed_for(key, meta.signature, meta.kind, meta.year, meta.month, meta.template_id,
                       [a.code for a in ds.agencies if a.code != meta.agency_code])
    if owner:
        return [finding("template_agency_mismatch", meta.agency_code, owner=_agency_label(ds, owner), claimed=claimed)]
    return [finding("template_signature_invalid", meta.agency_code, claimed=claimed)]


def _agency_label(ds: Dataset, code: str) -> str:
    agency = ds.agency(code)
    return f"{agency.name} ({code})" if agency else code


def _slim(check: FileCheck, rows: bool = True) -> FileCheck:
    """What a guarded worker sends back: findings and validated rows (only when they are to be
    merged), not the raw rows."""
    if check.submission is not None:
        check.submission.rows = []
        check.submission.formulas = {}
    if not rows and check.validated is not None:
        check.validated = None
    return check


Progress = Callable[[int, int, str], None]  # (files done, files in all, file being read)


def _check_all(ws: Workspace, ds: Dataset, files: list[Path] | None, today: dt.date,
               progress: Progress | None = None, *, verb: str,
               merge: Callable[[FileCheck], None] | None = None) -> list[FileCheck]:
    """Check every file, each in a guarded worker (two at a time): a file that crashes a
    reader, exhausts its memory or time becomes a finding on that file, never the end of the
    run. Results are in the order of the files. ``merge(check)`` is called for each accepted
    file in that order, as soon as its check and those of the files before it are in (while
    the workers check the next files), so that its rows need not be held until every file is
    checked; the checks see ``ds`` as it was before the first merge."""
    paths = files if files else ws.inbox_files()
    for p in paths:
        if not p.is_file():
            raise WorkspaceError(f"Không có tệp {p}.")
    config = ds.config
    digests = [sha256_file(p) for p in paths]
    known = [_duplicate(p, d, ds, {}) for p, d in zip(paths, digests)]
    fresh = [i for i, k in enumerate(known) if k is None]
    todo, waiting = fresh[:config.max_files], set(fresh[config.max_files:])  # files already consolidated do not count
    done = 0

    def started(n: int) -> None:
        if progress:
            progress(done, len(todo), paths[todo[n]].name)

    def finished(n: int, outcome: Outcome) -> None:
        nonlocal done
        done += 1

    # once for every file (none when every file is known: a run again over the same inbox)
    matcher, index, leaders = ((AgencyMatcher(ds.agencies), ItemIndex.of(ds.items), LeaderMatcher(ds.config.leaders))
                               if todo else (None, None, None))
    if index is not None:
        # the programme's contents indexed here, before the workers fork: a worker that indexed
        # them would copy the memory of every item it reads (national: 387 MB in each of two workers)
        index.by_content  # noqa: B018
    cells = CellMemo()  # each worker's cleaned cell values, kept for the files it checks next
    key = template_key(ws)  # None: a workspace whose templates were never signed
    # what every check reads, as it is now: a worker forked after some merges (one replacing a
    # crashed or retired worker) must see the items the first workers saw
    before = replace(ds, items=tuple(ds.items))
    keep_rows = merge is not None  # (validate needs the findings and the number of rows only)

    def check(i: int) -> FileCheck:
        return _slim(_check_content(paths[i], digests[i], before, today, matcher, index, key, leaders, cells),
                     keep_rows)

    seen: dict[str, str] = {}
    checks = []
    with closing(iter_guarded(check, todo, _process_limits(ds), started=started, finished=finished)) as outcomes:
        for i, p in enumerate(paths):
            if i in waiting:
                c = FileCheck(path=p, result=FileResult(file=p.name, sha256=digests[i]), deferred=True)
                c.findings.append(finding("file_count_limit", p.name, limit=config.max_files).at(file=p.name))
            elif known[i]:
                c = known[i]
            else:  # the next of the files checked (``todo`` is in the order of the files)
                outcome = next(outcomes)
                c = _duplicate(p, digests[i], ds, seen) or _from_outcome(p, digests[i], outcome)
            if c.result.accepted:
                seen[c.result.sha256] = p.name
                if merge is not None:
                    merge(c)
            checks.append(c)
    if progress:
        progress(len(todo), len(todo), "")
    _mark_superseded(ws, ds, checks, verb)
    return checks


def _process_limits(ds: Dataset) -> ProcessLimits:
    return ProcessLimits(memory_mb=ds.config.worker_memory_mb, seconds=ds.config.worker_seconds)


def _from_outcome(path: Path, digest: str, outcome: Outcome) -> FileCheck:
    if outcome.ok:
        return outcome.value
    check = FileCheck(path=path, result=FileResult(file=path.name, sha256=digest))
    code = {"memory": "file_memory_limit", "timeout": "file_time_limit"}.get(outcome.failure, "file_crashed")
    check.findings.append(finding(code, outcome.detail, detail=outcome.detail).at(file=path.name))
    return check


def validate(ws: Workspace, files: list[Path] | None = None, *, today: dt.date | None = None,
             progress: Progress | None = None) -> RunReport:
    """Check files; record the findings in the master's validation log; write annotated
    copies of faulty files to returned/."""
    path = ws.master
    master_io.check_not_open(path)  # refuse before doing anything: Excel holds the book
    with master_io.locked(path):
        ds = master_io.read_master(path, review_sheets=False)  # the review sheets are not written
        report, plan = plan_validation(ws, ds, files, today=today, progress=progress)
        if plan.writes:
            write_master(ws, path, plan, ds.config)
            report.written = True
    return report


def plan_validation(ws: Workspace, ds: Dataset, files: list[Path] | None = None, *,
                    today: dt.date | None = None, progress: Progress | None = None) -> tuple[RunReport, WritePlan]:
    """The validation run on a dataset already read (from the file or from the open book)."""
    report = RunReport(files=_check_all(ws, ds, files, today or dt.date.today(), progress,
                                        verb="kiểm tra, không có lỗi"))
    report.findings = [f for c in report.files for f in c.findings] + ([] if files else _skipped(ws))
    plan = WritePlan()
    _log_findings(plan, ds, report)
    _return_faulty(ws, report, ds.rejected_hashes, _process_limits(ds))
    return report, plan


def consolidate(ws: Workspace, *, today: dt.date | None = None, who: str | None = None,
                progress: Progress | None = None) -> RunReport:
    path = ws.master
    master_io.check_not_open(path)  # refuse before doing anything: Excel holds the book
    with master_io.locked(path):
        ds = master_io.read_master(path, review_sheets=False)  # the review sheets are not written
        report, plan = plan_consolidation(ws, ds, today=today, who=who, progress=progress)
        config = ds.config
        del ds  # (the items and the cells read are let go before the write holds the old sheets)
        if plan.writes:
            write_master(ws, path, plan, config)
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
    who = who or current_user()
    rut_before = {i.ma_dau_viec: i.rut for i in ds.items}
    extra: list[Finding] = []
    entries: list[ImportLogEntry] = []
    receipts: set[str] = set()
    history = []
    accepted: list[FileCheck] = []
    positions = ItemPositions(ds.items)  # once for every file of the run
    cell_of = _cell_locator(ds)

    def merge(c: FileCheck) -> None:  # each accepted file, in the order of the files, as its check comes in
        changes = _apply(ds, c, today, cell_of, positions)
        c.validated = None  # its rows are in the programme now: not held through the run (memory)
        c.result.added, c.result.changed, c.result.removed = changes.added, changes.changed, changes.removed
        # a finding with a cell points into the agency's file; one without is about the master
        extra.extend(f.at(file=c.path.name, sheet=c.submission.sheet if f.cell else PROGRAMME_SHEET)
                     for f in changes.findings)
        if c.result.kind == "annual":
            receipts.add(c.result.agency)
        entries.append(_log_entry(now, who, c, changes))
        history.extend((c.path.name, change) for change in changes.history)
        accepted.append(c)

    report = RunReport(files=_check_all(ws, ds, None, today, progress, verb="tổng hợp", merge=merge))
    remove_stale_temporaries(ws.folder("archive"))  # a copy cut short by a run killed earlier
    # every consolidated file is kept before the master changes: copied and flushed to disk while
    # the plan is made (the copies wait on the disk, the plan on the processor), waited for below
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive") as background:
        archived = background.submit(_archive, ws, accepted)
        rejected = [c for c in report.files if not c.result.accepted and not c.result.duplicate_of and not c.deferred]
        # each rejection, and each supersession, is logged once: a rerun on the same inbox writes nothing
        logged = {c.path.name for c in rejected
                  if c.result.sha256 in (ds.superseded_hashes if c.result.superseded_by else known_rejected)}
        entries.extend(_log_entry(now, who, c, None) for c in rejected if c.path.name not in logged)
        report.findings = [f for c in report.files for f in c.findings] + extra + _skipped(ws)
        old = logged
        plan = WritePlan()
        if accepted:
            rut_changes = {i.ma_dau_viec: i.rut for i in ds.items if rut_before.get(i.ma_dau_viec, False) != i.rut}
            plan_programme(plan, ds, ds.config.effective_as_of(today), rut_changes=rut_changes)
            plan_monthly(plan, ds)
            plan_receipts(plan, ds, receipts)
            plan_summary_sheet(plan, ds, ds.config.effective_as_of(today))
            plan_config_labels(plan, ds)  # rows an older master lacks
        _log_findings(plan, ds, report, [f for f in report.findings if f.file not in old])
        plan_import_log(plan, ds, entries)
        plan_history(plan, ds, now, who, history)
        archived.result()  # (raises what the archive raised: nothing else is written then)
    _return_faulty(ws, report, known_rejected, _process_limits(ds))
    return report, plan


def _archive(ws: Workspace, checks: list[FileCheck]) -> None:
    """Each accepted file copied to archive/<sha256>.<ext>, all durable before the master changes."""
    archive = ws.folder("archive")
    archive.mkdir(exist_ok=True)
    pairs = {}
    for c in checks:
        dest = archive / f"{c.result.sha256}{c.path.suffix.lower()}"
        # a copy cut short by an earlier run killed mid-way does not match its name: replaced
        if dest not in pairs and (not dest.exists() or sha256_file(dest) != c.result.sha256):
            pairs[dest] = c.path
    atomic_copies([(src, dest) for dest, src in pairs.items()])


def _log_entry(now: dt.datetime, who: str, c: FileCheck, changes: Changes | None) -> ImportLogEntry:
    changes = changes or Changes()
    return ImportLogEntry(when=now, who=who, file=c.path.name, sha256=c.result.sha256, agency=c.result.agency,
                          kind=c.result.kind, added=changes.added, changed=changes.changed,
                          removed=changes.removed, result=c.result.result_text)


def _cell_locator(ds: Dataset):
    def cell_of(code: str, key: str) -> str:
        col = ds.programme_index.columns.get(key)
        row = ds.programme_index.rows.get(code)
        return f"{column_letter(col)}{row}" if col and row else ""

    return cell_of


def _apply(ds: Dataset, c: FileCheck, today: dt.date, cell_of, positions: ItemPositions) -> Changes:
    kind, agency = c.result.kind, c.result.agency
    rows = c.validated.rows if c.validated else []
    source = c.path.name
    # when the file reached the Office: its save time, never later than the run's date
    received = min(dt.date.fromtimestamp(c.path.stat().st_mtime), today)
    if kind == "annual":
        changes = apply_annual(ds, agency, rows, source=source, cell_of=cell_of, received=received,
                               positions=positions)
        record_receipt(ds, agency, received)
        return changes
    if kind == "progress":
        return apply_progress(ds, agency, rows, source=source, cell_of=cell_of, positions=positions)
    if kind == "monthly":
        month = c.submission.meta.month if c.submission and c.submission.meta else None
        return apply_monthly(ds, agency, month or today.month, rows, source=source, received=received)
    return Changes()


def _skipped(ws: Workspace) -> list[Finding]:
    """A warning for each entry of the inbox that is not read (folders, Excel's ~$ files, hidden files)."""
    return [finding("inbox_skipped", name, reason=reason).at(file=name) for name, reason in ws.inbox_skipped()]


def _log_findings(plan: WritePlan, ds: Dataset, report: RunReport, findings: list[Finding] | None = None) -> None:
    # not logged: a file already consolidated, and what the inbox holds that is not a file sent
    loggable = [f for f in (report.findings if findings is None else findings)
                if f.code not in ("duplicate_file", "inbox_skipped")]
    agency_of = {c.path.name: c.result.agency for c in report.files}
    plan_validation_log(plan, ds, dt.datetime.now().replace(microsecond=0), loggable, agency_of)


def _return_faulty(ws: Workspace, report: RunReport, already: frozenset[str] | set[str] = frozenset(),
                   limits: ProcessLimits | None = None) -> None:
    """Annotated copies of faulty files (highlighted cells, comments) go to returned/, ready to
    send back. A file an earlier run already rejected (its hash in ``already``) whose copy is
    there, newer than the file, is not annotated again. The agency's package is opened again
    (patched, :mod:`..io.annotate`), so this too runs in guarded workers; a file refused unread, or whose copy
    fails, gets the list of findings alone."""
    faulty = [c for c in report.files
              if not (c.result.accepted or c.result.duplicate_of or c.deferred) and any(f.is_error for f in c.findings)]
    if not faulty:
        return
    from ..io.returned import returned_name, write_returned

    out = ws.folder("returned")
    out.mkdir(exist_ok=True)
    fresh = []
    for c in faulty:
        copy = out / returned_name(c.path)
        if c.result.sha256 in already and copy.exists() and copy.stat().st_mtime >= c.path.stat().st_mtime:
            continue
        fresh.append(c)
    faulty = fresh

    def annotated(c: FileCheck) -> Path:
        return write_returned(c.path, c.findings, out, annotate=not any(f.code in REFUSED_UNREAD for f in c.findings))

    outcomes = run_guarded(annotated, faulty, limits or ProcessLimits())
    for c, outcome in zip(faulty, outcomes):
        if not outcome.ok:
            write_returned(c.path, c.findings, out, annotate=False)
