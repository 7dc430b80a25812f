"""Dataset -> the write plan of the master's managed cells (one plan for both doors)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from . import layout as L
from .dataset import Dataset, SheetIndex
from .findings import Finding
from .forms import AGENCY_WITHDRAWN_MARK, PROGRAMME_COLUMNS, PROGRAMME_SHEET, WITHDRAWN_MARK, Column, column_letter
from .mail import MAIL_KINDS
from .models import ImportLogEntry
from .periods import date_to_excel_serial
from .plan import CellValue, Formula, WritePlan, column_runs, holds
from .printview import plan_print_view
from .status import classify, status_formula
from .summary import registration_punctuality, registry_punctuality_formula
from .summary_sheet import plan_summary_sheet  # noqa: F401  (one module for the plan of every sheet)

if TYPE_CHECKING:
    from .history import FieldChange
    from .mail import SendRecord

_WRITTEN_OWNERS = ("system", "agency", "progress")


def programme_formulas(idx: SheetIndex, r: int) -> dict[str, str]:
    """Column key -> the formula this version writes in row ``r`` of the programme sheet (the
    formula columns the sheet has)."""
    return {k: text.replace(_ROW_MARK, str(r)) for k, text in _formula_templates(idx).items()}


_ROW_MARK = "\x00"  # where a formula template has its row number (no formula holds it)


def _formula_templates(idx: SheetIndex) -> dict[str, str]:
    letter = {k: column_letter(v) for k, v in idx.columns.items()}
    r = _ROW_MARK
    out: dict[str, str] = {}
    if "thoi_han_hieu_luc" in idx.columns:
        out["thoi_han_hieu_luc"] = (f'=IF({letter["thoi_han_dieu_chinh"]}{r}<>"",{letter["thoi_han_dieu_chinh"]}{r},'
                                    f'{letter["thoi_han"]}{r})')
    if "tinh_trang" in idx.columns:
        out["tinh_trang"] = status_formula(
            deadline=f'{letter["thoi_han_hieu_luc"]}{r}', completed=f'{letter["ngay_hoan_thanh"]}{r}',
            as_of=L.STATUS_DATE_NAME, withdrawn=f'{letter["rut"]}{r}', content=f'{letter["noi_dung"]}{r}')
    return out


def _programme_rows(ds: Dataset, as_of: dt.date) -> tuple[list[str], list[tuple[int, tuple[CellValue, ...]]],
                                                           dict[int, dict[str, CellValue]]]:
    """The cell values the write changes in the programme rows (tool-written columns only): every
    cell of every row, or — when the dataset holds the sheet's cells as read
    (:attr:`Dataset.programme_cells`) — the cells whose values differ from them (every cell of a
    row the sheet does not have yet). Returned as (the written keys in column order, the rows
    written whole as (row, values in that order), the rows of which some cells change as
    row -> key -> value); both in sheet order."""
    idx = ds.programme_index
    cols = {c.key: c for c in PROGRAMME_COLUMNS if c.owner in _WRITTEN_OWNERS and c.key in idx.columns}
    keys = sorted(cols, key=lambda k: idx.columns[k])
    plain = [(k, col.type == "flag", idx.columns[k] - 1) for k, col in cols.items() if k not in _FORMULA_KEYS]
    effective_at = idx.columns["thoi_han_hieu_luc"] - 1 if "thoi_han_hieu_luc" in cols else None
    status_at = idx.columns["tinh_trang"] - 1 if "tinh_trang" in cols else None
    templates = _formula_templates(idx)
    # a whole row: the fields' values in column order (one attrgetter call), "" as a blank, a
    # flag as its mark, and the formulas put in at their places
    fields = [k for k in keys if k not in _FORMULA_KEYS]
    read_fields = operator.attrgetter(*fields) if len(fields) > 1 else (lambda item: (getattr(item, fields[0]),))
    flags = [n for n, k in enumerate(fields) if cols[k].type == "flag"]
    formula_at = [(keys.index(k), k) for k in keys if k in _FORMULA_KEYS]
    # a row read from the sheet: its plain cells compared at once with the values the write
    # would put there (a blank read as "" or None, a field's blank as None or ""), each cell
    # on its own only where they differ (:func:`_held`: e.g. a date and time, a number)
    quick = bool(plain) and not any(flag for _, flag, _ in plain)
    if quick:
        plain_values = operator.attrgetter(*[k for k, _, _ in plain])
        plain_cells = operator.itemgetter(*[at for _, _, at in plain])
        last_at = max(at for _, _, at in plain)
        if len(plain) == 1:
            plain_values, plain_cells = (lambda f: lambda x: (f(x),))(plain_values), (lambda f: lambda x: (f(x),))(plain_cells)
    held, ds.programme_cells = ds.programme_cells, None  # they describe the sheet before this write
    whole: list[tuple[int, tuple[CellValue, ...]]] = []
    partial: dict[int, dict[str, CellValue]] = {}
    for item in ds.items:
        r = idx.rows[item.ma_dau_viec]
        read = held[r - 1] if held is not None and r <= len(held) else None
        eff = item.effective_deadline
        if read is None:
            number = str(r)
            computed = {}
            if effective_at is not None:
                computed["thoi_han_hieu_luc"] = Formula(templates["thoi_han_hieu_luc"].replace(_ROW_MARK, number),
                                                        None if eff is None else date_to_excel_serial(eff))
            if status_at is not None:
                computed["tinh_trang"] = Formula(templates["tinh_trang"].replace(_ROW_MARK, number),
                                                 classify(eff, item.ngay_hoan_thanh, as_of, item.rut).text)
            row = [None if v == "" else v for v in read_fields(item)]
            for n in flags:
                row[n] = WITHDRAWN_MARK if row[n] else None
            for at, k in formula_at:
                row.insert(at, computed[k])
            whole.append((r, tuple(row)))
            continue
        n = len(read)
        values: dict[str, CellValue] = {}
        if quick and n > last_at:
            now, was = plain_values(item), plain_cells(read)
            same = tuple(map(_BLANK.get, now, now)) == tuple(map(_BLANK.get, was, was))
        else:
            same = False
        for k, flag, at in () if same else plain:
            v = _cell_value(getattr(item, k), flag)
            if _held(read[at] if at < n else None, v):
                continue
            values[k] = v
        cached: dict[str, CellValue] = {}
        if effective_at is not None:
            got = read[effective_at] if effective_at < n else None
            if not (type(got) is dt.date and got == eff):  # the usual case: the date, read as a date
                v = None if eff is None else date_to_excel_serial(eff)
                if not _held(got, v):
                    cached["thoi_han_hieu_luc"] = v
        if status_at is not None:
            v = classify(eff, item.ngay_hoan_thanh, as_of, item.rut).text
            if not _held(read[status_at] if status_at < n else None, v):
                cached["tinh_trang"] = v
        if not values and not cached:
            continue
        number = str(r)
        values.update({k: Formula(templates[k].replace(_ROW_MARK, number), v) for k, v in cached.items()})
        if len(values) == len(keys):
            whole.append((r, tuple(values[k] for k in keys)))
        else:
            partial[r] = values
    return keys, whole, partial


_BLANK = {None: ""}  # a blank as "" (``_BLANK.get(v, v)``), to compare a row's values and cells at once


def _held(read: object, value: CellValue) -> bool:
    """:func:`~.plan.holds`, the usual cases first (a text; a blank; a date read as a date)."""
    if type(value) is str:
        return value == read
    if value is None:
        return read is None or read == ""
    if type(value) is type(read):
        return value == read
    return holds(read, value)


_FORMULA_KEYS = ("thoi_han_hieu_luc", "tinh_trang")


def _cell(value, col: Column) -> CellValue:
    return _cell_value(value, col.type == "flag")


def _cell_value(value, flag: bool) -> CellValue:
    """The cell a record's field writes: a flag as its mark, a blank as an empty cell."""
    if flag:
        return WITHDRAWN_MARK if value else None
    if value is None or value == "":
        return None
    return value


def layout_rows(index: SheetIndex, codes: Sequence[str]) -> None:
    """Give each record its row: records keep the rows they have; new ones go below."""
    nxt = max([index.last_row, *index.rows.values()]) + 1 if index.rows else index.last_row + 1
    for code in codes:
        if code not in index.rows:
            index.rows[code] = nxt
            nxt += 1
    index.last_row = max(index.rows.values(), default=index.last_row)


def order_by_rows(ds: Dataset) -> None:
    """Sort items in sheet-row order (after layout_rows) so the plan writes whole columns."""
    ds.items.sort(key=lambda i: ds.programme_index.rows[i.ma_dau_viec])


def plan_programme(plan: WritePlan, ds: Dataset, as_of: dt.date, *, rut_changes: dict[str, bool] | None = None) -> None:
    """Whole columns of the tool-written programme fields, rows 2..last in sheet order. The
    office column ``Rút khỏi chương trình`` is written only in the cells the run changed. The
    print view (sheet *Bản in chương trình*) is rewritten with it, from the same items."""
    layout_rows(ds.programme_index, [i.ma_dau_viec for i in ds.items])
    order_by_rows(ds)
    plan_print_view(plan, ds, as_of)
    if not ds.items:
        return
    keys, whole, partial = _programme_rows(ds, as_of)
    idx = ds.programme_index
    columns = [idx.columns[k] for k in keys]
    _add_row_blocks(plan, PROGRAMME_SHEET, whole, columns)
    by_col = dict(zip(columns, keys))
    for r, cells in partial.items():  # rows of which only some cells change
        for run in column_runs([idx.columns[k] for k in cells]):
            plan.add(PROGRAMME_SHEET, r, run[0], [[cells[by_col[c]] for c in run]])
    rut_col = idx.columns.get("rut")
    for code, flag in (rut_changes or {}).items():
        if rut_col:
            plan.add(PROGRAMME_SHEET, idx.rows[code], rut_col, [[AGENCY_WITHDRAWN_MARK if flag else None]])


def plan_monthly(plan: WritePlan, ds: Dataset) -> None:
    idx = ds.monthly_index
    layout_rows(idx, [m.ma_viec_thang for m in ds.monthly])
    ds.monthly.sort(key=lambda m: idx.rows[m.ma_viec_thang])
    if not ds.monthly:
        return
    cols = {c.key: c for c in L.MONTHLY_COLUMNS if c.owner != "office" and c.key in idx.columns}
    keys = sorted(cols, key=lambda k: idx.columns[k])
    rows = [(idx.rows[m.ma_viec_thang], tuple(_cell(getattr(m, k), cols[k]) for k in keys)) for m in ds.monthly]
    _add_row_blocks(plan, L.MONTHLY_SHEET, rows, [idx.columns[k] for k in keys])


def _add_row_blocks(plan: WritePlan, sheet: str, rows: list[tuple[int, tuple[CellValue, ...]]],
                    columns: list[int]) -> None:
    """One rectangle per block of adjacent rows x block of adjacent columns, of rows given as
    (row, its values in the order of ``columns``, ascending), in ascending rows (``order_by_rows``);
    rows between blocks (a clerk's own rows) stay as they are."""
    spans: list[tuple[int, int]] = []  # runs of adjacent columns as slices of a row's values
    for run in column_runs(columns):
        first = columns.index(run[0])
        spans.append((first, first + len(run)))
    block_start = 0
    for n in range(1, len(rows) + 1):
        if n < len(rows) and rows[n][0] == rows[n - 1][0] + 1:
            continue
        block = rows[block_start:n]
        for a, b in spans:
            plan.add(sheet, block[0][0], columns[a], tuple(values[a:b] for _, values in block))
        block_start = n


def plan_config(plan: WritePlan, key: str, value: CellValue) -> None:
    plan.add(L.CONFIG_SHEET, L.config_row(key), 2, [[value]])


def plan_config_labels(plan: WritePlan, ds: Dataset) -> None:
    """The label of each configuration row a master made before its field existed lacks, and
    the value that applies while the cell is blank (a number's default), so that the Office sees
    and can change it; a value the row holds stays."""
    fields = {f.key: f for f in L.CONFIG_FIELDS}
    for key, blank in ds.config_unlabelled.items():
        f = fields[key]
        plan.add(L.CONFIG_SHEET, L.config_row(key), 1, [[f.label]])
        value = getattr(ds.config, key, None)
        if blank and f.type == "int" and value is not None:
            plan.add(L.CONFIG_SHEET, L.config_row(key), 2, [[value]])
    ds.config_unlabelled = {}


def plan_receipts(plan: WritePlan, ds: Dataset, codes: Iterable[str]) -> None:
    """The date each agency's annual registration arrived, and its punctuality formula (also
    for a row the Office added to the registry after init, which has no formula yet)."""
    idx = ds.registry_index
    col = idx.columns.get("received_annual")
    rule = idx.columns.get("punctuality")
    deadline = ds.config.default_annual_deadline()
    for code in codes:
        if not (col and code in idx.rows and code in ds.received_annual):
            continue
        row, received = idx.rows[code], ds.received_annual[code]
        plan.add(L.REGISTRY_SHEET, row, col, [[received]])
        if rule:
            plan.add(L.REGISTRY_SHEET, row, rule, [[Formula(registry_punctuality_formula(row),
                                                            registration_punctuality(received, deadline, ds.agency(code)))]])


def plan_validation_log(plan: WritePlan, ds: Dataset, when: dt.datetime, findings: Sequence[Finding], agency_of: dict[str, str]) -> None:
    rows = [[when, f.file, agency_of.get(f.file, ""), f.sheet, f.cell, L.SEVERITY_TEXT[f.severity], f.code,
             f.value, f.message, f.hint] for f in findings]
    if rows:
        plan.add(L.VALIDATION_LOG_SHEET, ds.validation_log_last_row + 1, 1, rows)
        ds.validation_log_last_row += len(rows)


def plan_import_log(plan: WritePlan, ds: Dataset, entries: Sequence[ImportLogEntry]) -> None:
    rows = [[e.when, e.who, e.file, e.sha256, e.agency, L.KIND_TEXT.get(e.kind, e.kind), e.added, e.changed,
             e.removed, e.result] for e in entries]
    if rows:
        plan.add(L.IMPORT_LOG_SHEET, ds.import_log_last_row + 1, 1, rows)
        ds.import_log_last_row += len(rows)


def plan_history(plan: WritePlan, ds: Dataset, when: dt.datetime, who: str,
                 changes: Sequence[tuple[str, FieldChange]]) -> None:
    """Append (source, change) rows to the history sheet; a master made before that sheet
    existed gets it (with its header row) in the same write."""
    rows = [[when, who, source, c.code, c.field, c.old or None, c.new or None] for source, c in changes]
    if rows:
        ds.history_last_row = _append_log(plan, L.HISTORY_SHEET, L.HISTORY_COLUMNS, rows, ds.has_history_sheet,
                                          ds.history_last_row)
        ds.has_history_sheet = True


def plan_send_log(plan: WritePlan, ds: Dataset, records: Sequence[SendRecord]) -> None:
    """Append the send attempts to the send log (a master made before that sheet existed gets
    it, with its header row, in the same write); the sent ones count as sent from now on."""
    rows = [[r.when, r.agency, r.address, MAIL_KINDS.get(r.kind, r.kind), r.file, r.sha256, r.result] for r in records]
    if not rows:
        return
    ds.send_log_last_row = _append_log(plan, L.SEND_LOG_SHEET, L.SEND_LOG_COLUMNS, rows, ds.has_send_log_sheet,
                                       ds.send_log_last_row)
    ds.has_send_log_sheet = True
    ds.sent_mail |= {(r.agency, r.sha256) for r in records if r.sent}


def _append_log(plan: WritePlan, sheet: str, columns: Sequence[Column], rows: list[list[CellValue]], present: bool,
                last_row: int) -> int:
    """Append ``rows`` below ``last_row`` of a log sheet; a sheet the master lacks (made before
    it existed) is added with its header row and the column formats of the import log.
    Returns the new last row."""
    if not present:
        plan.add_sheet(sheet, like=L.IMPORT_LOG_SHEET)
        plan.add(sheet, 1, 1, [[c.header for c in columns]])
        last_row = 1
    plan.add(sheet, last_row + 1, 1, rows)
    return last_row + len(rows)


_REGISTRY_WRITTEN = ("code", "name", "kind", "email", "added", "merged_into", "merged_on")


def plan_registry(plan: WritePlan, ds: Dataset, codes: Iterable[str]) -> None:
    """The registry rows of the agencies ``codes`` as a registry command left them (a new agency
    below the list), with their punctuality formula. A registry made before the columns of
    reorganisations existed gets their headers."""
    idx = ds.registry_index
    keys = [c.key for c in L.REGISTRY_COLUMNS]
    for c in L.REGISTRY_COLUMNS:
        if c.key not in idx.columns and c.type != "formula":
            idx.columns[c.key] = keys.index(c.key) + 1
            plan.add(L.REGISTRY_SHEET, 1, idx.columns[c.key], [[c.header]])
    codes = list(codes)
    layout_rows(idx, codes)
    deadline = ds.config.default_annual_deadline()
    for code in codes:
        agency, row = ds.agency(code), idx.rows[code]
        for key in _REGISTRY_WRITTEN:
            value = getattr(agency, key)
            plan.add(L.REGISTRY_SHEET, row, idx.columns[key], [[value if value not in ("", None) else None]])
        rule = idx.columns.get("punctuality", keys.index("punctuality") + 1)
        plan.add(L.REGISTRY_SHEET, row, rule, [[Formula(registry_punctuality_formula(row), registration_punctuality(
            ds.received_annual.get(code), deadline, agency))]])
