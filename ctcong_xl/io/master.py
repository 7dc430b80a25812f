"""The master workbook door: read it into a Dataset (python-calamine), write a plan into it
atomically (backup, temporary file beside it, replace) under a lock.

A failed run — a crash, an interruption, a validation-only run — leaves the master byte for
byte as it was: nothing touches the master's path until ``os.replace`` swaps in a complete
new file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from python_calamine import CalamineWorkbook

from ..core import layout as L
from ..core.dataset import Dataset, SheetIndex
from ..core.mail import SENT_RESULT
from ..core.forms import AGENCY_WITHDRAWN_MARK, PROGRAMME_COLUMNS, PROGRAMME_SHEET, Column, column_letter
from .files import atomic_copy
from . import prefetch, sheetrows
from ..core.models import Agency, MonthlyItem, ProgrammeConfig, WorkItem, all_fields, construct, field_template
from ..core.periods import excel_serial_to_date
from ..core.plan import WritePlan
from ..core.sheets import READ_AHEAD_SHEETS
from ..core.summary_sheet import SummaryLayout
from ..core.text import cell_text, normalize_header, shared_cell_text
from ..core.writeplan import programme_formulas
from .xlsxpatch import write_plan

BACKUP_DIR = "archive/master-backups"
HOOK_ENV = "CTCONG_XL_HOOK_BEFORE_REPLACE"  # test hook: a path to touch, then wait to be killed


class MasterError(Exception):
    """The master workbook cannot be used; the message is Vietnamese and says what to do."""


class MasterOpenError(MasterError):
    pass


# ---------------------------------------------------------------- reading


def read_master(path: Path, *, review_sheets: bool = True, logs: bool = True) -> Dataset:
    """Read the master file (python-calamine: values only, fast). The logs a run only appends
    to are not read cell by cell where their last row can be told from their XML
    (:mod:`.sheetrows`): they grow with every run. ``review_sheets=False``: a run that does not
    write the review sheets (only ``summary --as-of`` does) leaves them unread (they list every
    item: a large sheet). ``logs=False``: a run that appends to none of those logs (a summary, a
    report, a programme document) does not look for their last rows either (the history of a
    large programme is tens of MB of XML); its dataset says ``None`` for them."""
    try:
        wb = CalamineWorkbook.from_path(str(path))
        wanted = [name for name in wb.sheet_names
                  if name in MANAGED_SHEETS and (review_sheets or name not in L.REVIEW_SHEETS)]
        logged = [name for name in wanted if name in TAIL_ONLY_SHEETS]
        ahead = prefetch.begun(path)  # the largest sheets, parsed while the command started
        with ThreadPoolExecutor(1) as beside:
            # the programme sheet, most of the master, is parsed beside the other sheets and the
            # logs' last rows: calamine parses without holding the interpreter (large: 2.8 -> 1.7 s)
            programme = (beside.submit(_sheet_values, path, PROGRAMME_SHEET)
                         if PROGRAMME_SHEET in wanted and not ahead else None)
            tails = sheetrows.last_rows(path, logged) if logs else dict.fromkeys(logged)
            sheets = {name: _values(wb, name) for name in wanted
                      if name not in tails and name != PROGRAMME_SHEET and not (ahead and name in READ_AHEAD_SHEETS)}
            if programme is not None:
                sheets[PROGRAMME_SHEET] = programme.result()
            if ahead:  # (what was parsed ahead, if the file is still the one parsed)
                parsed = prefetch.take(path) or {}
                for name in READ_AHEAD_SHEETS:
                    if name in wanted:
                        sheets[name] = parsed[name] if name in parsed else _values(wb, name)
    except Exception as exc:  # calamine raises its own error types
        raise MasterError(f"Không đọc được sổ tổng hợp {path.name}: {exc}") from exc
    return dataset_from_sheets(sheets, path.name, last_rows=tails,
                               programme_formulas=lambda row: sheetrows.row_formulas(path, PROGRAMME_SHEET, row))


def _values(wb: CalamineWorkbook, name: str) -> list[list[Any]]:
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _sheet_values(path: Path, name: str) -> list[list[Any]]:
    """A sheet's values read through a workbook of its own (one per thread)."""
    return _values(CalamineWorkbook.from_path(str(path)), name)


MANAGED_SHEETS = (L.CONFIG_SHEET, L.REGISTRY_SHEET, PROGRAMME_SHEET, L.MONTHLY_SHEET, L.VALIDATION_LOG_SHEET,
                  L.IMPORT_LOG_SHEET, L.HISTORY_SHEET, L.SEND_LOG_SHEET, *L.DERIVED_SHEETS, L.SUMMARY_SHEET)
# sheets of which a run needs only the last row (it appends below it)
TAIL_ONLY_SHEETS = (L.HISTORY_SHEET, L.VALIDATION_LOG_SHEET)


def dataset_from_sheets(sheets: dict[str, list[list[Any]]], name: str = "", *,
                        last_rows: dict[str, int | None] | None = None,
                        programme_formulas: Callable[[int], dict[str, str] | None] | None = None) -> Dataset:
    """The master's content from the cell values of its managed sheets (rows of values, row 1
    first). Both doors use it: the file door reads values with calamine, the live-Excel door
    with xlwings. ``last_rows``: the last row holding a value of sheets of
    :data:`TAIL_ONLY_SHEETS` given without their rows (``None``: not looked for). ``programme_formulas``: the formulas
    (column letters -> text) of a row of the programme sheet, where the door can read them;
    when those of its first row are the ones this version writes, a write changes only the
    rows whose values differ from those read (:attr:`Dataset.programme_cells`), else every row
    (a master an older version wrote gets the formulas of this one)."""
    tails = last_rows or {}
    for required in (L.CONFIG_SHEET, L.REGISTRY_SHEET, PROGRAMME_SHEET):
        if required not in sheets:
            raise MasterError(f"Sổ tổng hợp {name} thiếu trang “{required}”; không đổi tên các trang của sổ.")

    def rows_of(sheet: str) -> list[list[Any]]:
        return sheets.get(sheet) or []

    config = _read_config(rows_of(L.CONFIG_SHEET))
    config_rows = rows_of(L.CONFIG_SHEET)
    unlabelled = {}
    for f in L.CONFIG_FIELDS:
        row = config_rows[L.config_row(f.key) - 1] if len(config_rows) >= L.config_row(f.key) else []
        if not cell_text(_at(row, 1)):
            unlabelled[f.key] = not cell_text(_at(row, 2))
    registry_rows = rows_of(L.REGISTRY_SHEET)
    reg_idx = _index(registry_rows, L.REGISTRY_COLUMNS)
    agencies, received = [], {}
    for r, row in enumerate(registry_rows[1:], start=2):
        code = cell_text(_at(row, reg_idx.columns.get("code")))
        if not code:
            continue
        agencies.append(Agency(code=code, name=cell_text(_at(row, reg_idx.columns.get("name"))) or code,
                               kind=cell_text(_at(row, reg_idx.columns.get("kind"))) or "khác",
                               email=cell_text(_at(row, reg_idx.columns.get("email"))),
                               added=_date(_at(row, reg_idx.columns.get("added"))),
                               merged_into=cell_text(_at(row, reg_idx.columns.get("merged_into"))).upper(),
                               merged_on=_date(_at(row, reg_idx.columns.get("merged_on")))))
        reg_idx.rows[code] = r
        got = _date(_at(row, reg_idx.columns.get("received_annual")))
        if got:
            received[code] = got
    prog_rows = rows_of(PROGRAMME_SHEET)
    prog_idx = _index(prog_rows, PROGRAMME_COLUMNS)
    items = []
    for r, values in _records(prog_rows, prog_idx, PROGRAMME_COLUMNS, WorkItem):
        if not values.get("ma_dau_viec"):
            continue
        values["rut_tu_dong"] = values.get("rut") == AGENCY_WITHDRAWN_MARK
        values["rut"] = bool(values.get("rut"))
        items.append(_item(WorkItem, values))
        prog_idx.rows[values["ma_dau_viec"]] = r
    mon_rows = rows_of(L.MONTHLY_SHEET)
    mon_idx = _index(mon_rows, L.MONTHLY_COLUMNS)
    monthly = []
    for r, values in _records(mon_rows, mon_idx, L.MONTHLY_COLUMNS, MonthlyItem):
        if not values.get("ma_viec_thang"):
            continue
        monthly.append(_item(MonthlyItem, values))
        mon_idx.rows[values["ma_viec_thang"]] = r
    import_rows = rows_of(L.IMPORT_LOG_SHEET)
    imp_idx = _index(import_rows, L.IMPORT_LOG_COLUMNS)
    hashes: dict[str, str] = {}
    forms: dict[str, tuple[str, str]] = {}
    rejected: set[str] = set()
    superseded: set[str] = set()
    kind_of = {text: kind for kind, text in L.KIND_TEXT.items()}
    for row in import_rows[1:]:
        sha = cell_text(_at(row, imp_idx.columns.get("sha256")))
        result = cell_text(_at(row, imp_idx.columns.get("result")))
        if sha and result == L.REJECTED_TEXT:
            rejected.add(sha)
        if sha and result.startswith(L.SUPERSEDED_PREFIX):
            superseded.add(sha)
        if sha and result.startswith(L.ACCEPTED_PREFIX):
            hashes.setdefault(sha, cell_text(_at(row, imp_idx.columns.get("file"))))
            kind = cell_text(_at(row, imp_idx.columns.get("kind")))
            forms.setdefault(sha, (cell_text(_at(row, imp_idx.columns.get("agency"))), kind_of.get(kind, kind)))
    send_rows = rows_of(L.SEND_LOG_SHEET)
    send_idx = _index(send_rows, L.SEND_LOG_COLUMNS)
    sent = {
        (cell_text(_at(row, send_idx.columns.get("agency"))), cell_text(_at(row, send_idx.columns.get("sha256"))))
        for row in send_rows[1:]
        if cell_text(_at(row, send_idx.columns.get("result"))) == SENT_RESULT
    }
    first = min(prog_idx.rows.values(), default=None)
    current = programme_formulas is not None and (
        first is None or _formulas_current(programme_formulas(first), prog_idx, first))
    return Dataset(
        programme_cells=prog_rows if current else None,
        derived_cells={n: sheets[n] for n in L.DERIVED_SHEETS if n in sheets},
        config=config, config_unlabelled=unlabelled, sent_mail=sent, send_log_last_row=_last_row(send_rows),
        has_send_log_sheet=L.SEND_LOG_SHEET in sheets,
        review_extents={n: (_last_row(sheets[n]), max((len(r) for r in sheets[n]), default=0))
                        for n in L.DERIVED_SHEETS if n in sheets},
        agencies=agencies, items=items, monthly=monthly, received_annual=received,
        consolidated_hashes=hashes, rejected_hashes=rejected, superseded_hashes=superseded,
        consolidated_forms=forms, programme_index=prog_idx, monthly_index=mon_idx, registry_index=reg_idx,
        summary_layout=SummaryLayout.from_column_a([_at(r, 1) for r in rows_of(L.SUMMARY_SHEET)]),
        validation_log_last_row=tails[L.VALIDATION_LOG_SHEET] if L.VALIDATION_LOG_SHEET in tails
        else _last_row(rows_of(L.VALIDATION_LOG_SHEET)),
        import_log_last_row=_last_row(import_rows),
        history_last_row=tails[L.HISTORY_SHEET] if L.HISTORY_SHEET in tails else _last_row(rows_of(L.HISTORY_SHEET)),
        has_history_sheet=L.HISTORY_SHEET in sheets or L.HISTORY_SHEET in tails,
    )


def _formulas_current(found: dict[str, str] | None, idx: SheetIndex, row: int) -> bool:
    """Are the formulas ``found`` in ``row`` of the programme sheet those this version writes?"""
    return found is not None and all(found.get(column_letter(idx.columns[key])) == text.removeprefix("=")
                                     for key, text in programme_formulas(idx, row).items())


LIMIT_KEYS = frozenset(k for k in (f.key for f in L.CONFIG_FIELDS) if k.startswith(("max_", "worker_")))


def _read_config(rows: list[list[Any]]) -> ProgrammeConfig:
    values: dict[str, Any] = {}
    for field in L.CONFIG_FIELDS:
        raw = _at(rows[L.config_row(field.key) - 1] if len(rows) >= L.config_row(field.key) else [], 2)
        if field.type == "date":
            values[field.key] = _date(raw)
        elif field.type == "int":
            try:
                values[field.key] = int(float(raw))
                if field.key in LIMIT_KEYS and values[field.key] <= 0:
                    values[field.key] = None  # a limit left blank or zero: the default
            except (TypeError, ValueError, OverflowError):
                if field.key == "year":
                    raise MasterError("Ô “Năm chương trình” ở trang Cấu hình phải là một năm, ví dụ 2026.")
        elif cell_text(raw):  # a blank text keeps its default (e.g. the signer's title)
            values[field.key] = cell_text(raw)
    leaders = [cell_text(_at(r, L.LEADERS_COL)) for r in rows[1:]]
    values["leaders"] = [x for x in leaders if x]
    return ProgrammeConfig(**{k: v for k, v in values.items() if v is not None})


def _index(rows: list[list[Any]], columns: tuple[Column, ...]) -> SheetIndex:
    """Find each known column by its header text in row 1, wherever a clerk moved it."""
    idx = SheetIndex()
    if not rows:
        return idx
    wanted = {normalize_header(c.header): c.key for c in columns}
    for n, head in enumerate(rows[0], start=1):
        key = wanted.get(normalize_header(cell_text(head)))
        if key and key not in idx.columns:
            idx.columns[key] = n
    idx.last_row = _last_row(rows)
    return idx


def _records(rows: list[list[Any]], idx: SheetIndex, columns: tuple[Column, ...],
             model: type[WorkItem] | type[MonthlyItem]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, field -> value) of each row below the header: a date column as a date (or
    None), any other as its text; formula columns (computed by the workbook) are not read. The
    values of each row hold every field of ``model`` in its order (its default where no column
    gives it), ready for :func:`~ctcong_xl.core.models.construct` (else only the fields read)."""
    fields = model.model_fields
    readers = [(c.key, (idx.columns.get(c.key) or 0) - 1, c.type == "date")
               for c in columns if c.type != "formula" and c.key in fields]
    template = field_template(model, (key for key, _, _ in readers)) or {}
    body = rows[1:]
    widths = set(map(len, body))
    width = widths.pop() if len(widths) == 1 else None
    by_column = list(zip(*body)) if width else None  # rows of one width (as calamine gives them): transposed at once
    date, text = dt.date, shared_cell_text
    converted = []  # column by column: one list of the values of each field read
    for _, i, is_date in readers:
        if i < 0:
            raw = [None] * len(body)
        elif by_column is not None:
            raw = by_column[i] if i < width else [None] * len(body)
        else:
            raw = [row[i] if i < len(row) else None for row in body]
        if is_date:
            converted.append([v if v.__class__ is date else _date(v) for v in raw])
        else:
            converted.append(["" if v is None or v == "" else text(v) for v in raw])
    keys = [key for key, _, _ in readers]
    for r, row_values in enumerate(zip(*converted), start=2):
        values = template.copy()
        values.update(zip(keys, row_values))
        yield r, values


def _item(model: type[WorkItem] | type[MonthlyItem], values: dict[str, Any]):
    """The item of a row's values (:func:`_records`): every value already of its field's type."""
    fast = _CONSTRUCTIBLE.get(model)
    if fast is None:
        fast = _CONSTRUCTIBLE[model] = field_template(model, ()) is not None
    return construct(model, values) if fast else model.model_construct(all_fields(model), **values)


_CONSTRUCTIBLE: dict[type, bool] = {}


def _last_row(rows: list[list[Any]]) -> int:
    for n in range(len(rows), 0, -1):
        if any(v not in ("", None) for v in rows[n - 1]):
            return n
    return 1


def _at(row: list[Any], col: int | None) -> Any:
    if not col or col > len(row):
        return None
    return row[col - 1]


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 1:
        try:
            return excel_serial_to_date(v)
        except ValueError:  # no day in Excel (e.g. 29/02/1900, or beyond 31/12/9999)
            return None
    return None


# ---------------------------------------------------------------- writing


def owner_file(path: Path) -> Path:
    """The lock file Excel keeps beside a workbook it has open (``~$`` + name)."""
    return path.with_name("~$" + path.name[2:] if len(path.name) > 2 else "~$" + path.name)


def libreoffice_lock_file(path: Path) -> Path:
    """The lock file LibreOffice keeps beside a workbook it has open (``.~lock.<name>#``)."""
    return path.with_name(f".~lock.{path.name}#")


def check_not_open(path: Path) -> None:
    """Refuse to write a master that Excel or LibreOffice has open (their lock files beside it)."""
    candidates = {path.with_name("~$" + path.name), owner_file(path)}
    if any(c.exists() for c in candidates):
        raise MasterOpenError(
            f"Sổ tổng hợp {path.name} đang được mở trong Excel. Hãy dùng các nút trong Excel, "
            "hoặc đóng sổ rồi chạy lại lệnh."
        )
    if libreoffice_lock_file(path).exists():
        raise MasterOpenError(
            f"Sổ tổng hợp {path.name} đang được mở trong LibreOffice. Đóng sổ trong LibreOffice rồi chạy lại lệnh "
            f"(nếu không ai mở sổ, xóa tệp khóa {libreoffice_lock_file(path).name} còn sót lại)."
        )
    try:
        with open(path, "r+b"):
            pass
    except PermissionError as exc:
        raise MasterOpenError(
            f"Không ghi được sổ tổng hợp {path.name} (tệp đang bị khóa hoặc chỉ đọc). "
            "Đóng sổ trong Excel rồi chạy lại lệnh."
        ) from exc


LOCK_TIMEOUT = 10.0  # seconds a run waits for another run to finish writing the master


BACKUPS_KEPT = ProgrammeConfig.model_fields["backups_kept"].default  # unless the configuration says otherwise


def lock_for(path: Path) -> FileLock:
    """The workspace lock, kept in ``archive/`` so that the Office does not see it beside the
    master in the shared folder."""
    folder = path.parent / "archive"
    folder.mkdir(exist_ok=True)
    return FileLock(str(folder / f".{path.name}.lock"), timeout=LOCK_TIMEOUT)


def write_master(path: Path, plan: WritePlan, *, backup_root: Path | None = None,
                 backups_kept: int = BACKUPS_KEPT) -> Path | None:
    """Apply ``plan`` to the master atomically, keeping its permissions (the shared folder's
    rights: other staff must still open it), after a backup; only the newest ``backups_kept``
    backups stay. Returns the backup path (None if nothing to do)."""
    if not plan.writes:
        return None
    check_not_open(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    original = path.read_bytes()
    fd, tmp = tempfile.mkstemp(prefix="." + path.stem + "-", suffix=path.suffix + ".tmp", dir=path.parent)
    backup = None
    try:
        with os.fdopen(fd, "w+b") as fh:
            write_plan(original, plan, fh)  # the new master, straight into the file beside it
            fh.flush()
            os.fsync(fh.fileno())
        del original
        if backup_root is not None:
            backup_dir = backup_root / BACKUP_DIR
            backup_dir.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            backup = backup_dir / f"{stamp}-{path.name}"
            atomic_copy(path, backup)  # a backup is whole or absent, never truncated
            rotate_backups(backup_dir, path.name, backups_kept)
        os.chmod(tmp, mode)
        _test_hook()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup


def rotate_backups(folder: Path, name: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of the master ``name`` (their names start with
    a sortable time stamp); return the deleted ones. ``keep`` < 1 keeps one."""
    backups = sorted(folder.glob(f"*-{name}"))
    old = backups[: max(len(backups) - max(keep, 1), 0)]
    for p in old:
        p.unlink(missing_ok=True)
    return old


def _test_hook() -> None:
    marker = os.environ.get(HOOK_ENV)
    if marker:
        import time

        Path(marker).write_text("ready", encoding="utf-8")
        time.sleep(60)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """The workspace lock around a read-modify-write of the master (batch runs and buttons)."""
    lock = lock_for(path)
    try:
        lock.acquire()
    except Timeout as exc:
        raise MasterError(
            f"Một lệnh khác đang ghi sổ tổng hợp {path.name}; chờ lệnh đó xong rồi chạy lại."
        ) from exc
    try:
        yield
    finally:
        lock.release()
