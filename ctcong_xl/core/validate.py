"""Rows of a returned form -> clean values and findings (SPEC §3–§5).

Input is the raw rows of one submission (values as stored in the cells, keyed by column key,
with each cell's A1 reference). Output is one clean row per input row (dates resolved, text
repaired, agencies matched) and the findings, each placed at its cell. Nothing here reads a
file: :mod:`ctcong_xl.io.incoming` does that.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Protocol

from . import periods
from .findings import Finding, finding
from .forms import FIXED_LISTS, FORMS, NO_CONTENT_CHOICE, Column, Form
from .layout import OTHER_LEADER_LABEL
from .messages import suggestion
from .models import Agency, WorkItem
from .text import AgencyMatcher, LeaderMatcher, MatchResult, clean_text, is_blank, normalize_header

# Text that a spreadsheet would run as a formula (or DDE command) if pasted or typed into a cell:
# anything after "=", and "+", "-", "@" followed by a call or a reference.
_FORMULA_LIKE = re.compile(r"^(?:=.|[+\-@][\w(].*[(|!:])", re.S)


class RawRowLike(Protocol):
    row: int
    values: dict[str, Any]
    cells: dict[str, str]


@dataclass
class CleanRow:
    row: int
    values: dict[str, Any]
    cells: dict[str, str]
    recurrence: periods.Recurrence | None = None
    label: str = ""  # period label of the deadline ("Quý II/2026"), "" for a date
    outside_year: Finding | None = None  # a deadline outside the year, an error unless "Ghi chú" gives a reason


@dataclass(frozen=True)
class ItemIndex:
    """What the checks look up in the master's items. One run builds it once for all its files
    (with the agency matcher), not once per file."""

    codes_by_agency: dict[str, frozenset[str]]
    office_created: frozenset[str]  # codes of the rows the Office typed into the programme itself
    items: Sequence[WorkItem] = field(default=(), repr=False, compare=False)

    @classmethod
    def of(cls, items: Sequence[WorkItem]) -> ItemIndex:
        codes: dict[str, set[str]] = {}
        for item in items:
            codes.setdefault(item.ma_don_vi, set()).add(item.ma_dau_viec)
        return cls({k: frozenset(v) for k, v in codes.items()},
                   frozenset(i.ma_dau_viec for i in items if i.office_created), tuple(items))

    @cached_property
    def by_content(self) -> dict[str, tuple[str, ...]]:
        """Normalised content -> the codes of the items not withdrawn, in order: made when a
        registration is first checked against the master (a progress report never is; each
        content normalised: 0.3 s for a programme of 30,000 items), or by a run that checks
        its files in forked workers, before they fork (so that they share it)."""
        content: dict[str, list[str]] = {}
        for item in self.items:
            if not item.rut and item.noi_dung:
                content.setdefault(normalize_header(item.noi_dung), []).append(item.ma_dau_viec)
        return {k: tuple(v) for k, v in content.items()}


@dataclass
class Context:
    year: int
    agency: Agency  # the agency the template was made for
    agencies: Sequence[Agency]
    month: int | None = None
    items: Sequence[WorkItem] = ()  # the master's items (for progress codes and duplicates)
    today: dt.date | None = None
    matcher: AgencyMatcher | None = None
    leaders: Sequence[str] = ()  # the leaders dropdown (empty: not checked)
    leader_matcher: LeaderMatcher | None = None
    index: ItemIndex | None = None  # built from ``items`` when not given
    cells: CellMemo | None = None  # one run's cleaned cells (kept only if it fits this context)

    def __post_init__(self) -> None:
        if self.matcher is None:
            self.matcher = AgencyMatcher(self.agencies)
        if self.leader_matcher is None:
            self.leader_matcher = LeaderMatcher(self.leaders)
        if self.index is None:
            self.index = ItemIndex.of(self.items)
        if self.cells is None or not self.cells.serves(self):
            self.cells = CellMemo()
            self.cells.serves(self)


_UNSET: Any = object()


class CellMemo:
    """Each distinct cell value cleaned once per column for a run (SPEC §5's rules, from
    :func:`_clean_cell`): the same dates, list values, leaders and agencies come back in
    every file. What :func:`_clean_cell` would do to a cell (its value, its findings, what it
    sets on the row) depends only on the column, the value and the run's year, leaders and
    matchers, so it is kept, unplaced, and replayed at each cell. A memo serves the contexts of
    one run only (the first context it serves fixes them); at most ``LIMIT`` values are kept per column."""

    LIMIT = 1 << 14  # values kept per column
    LONGEST = 64  # a longer text (a content, a note: rarely met twice) is cleaned each time, not kept

    def __init__(self) -> None:
        self._columns: dict[Column, tuple[dict[tuple, Any], dict[tuple, tuple]]] = {}
        self._for: tuple | None = None

    def serves(self, ctx: Context) -> bool:
        """Whether the memo's values hold in ``ctx`` (a fresh memo is bound to ``ctx``)."""
        bound = (ctx.year, tuple(ctx.leaders), ctx.matcher, ctx.leader_matcher)
        if self._for is None:
            self._for = bound
        return self._for[:2] == bound[:2] and all(a is b for a, b in zip(self._for[2:], bound[2:]))

    def column(self, col: Column) -> Callable[[Any, str, Context, CleanRow, list[Finding]], Any]:
        """:func:`_clean_cell` for the cells of ``col`` that hold no formula."""
        # values that give no finding and set nothing on the row -> their clean value; the others
        # -> (clean value, findings, recurrence, label, deadline outside the year)
        plain, known = self._columns.setdefault(col, ({}, {}))
        limit, longest = self.LIMIT, self.LONGEST

        def clean(value: Any, cell: str, ctx: Context, row: CleanRow, findings: list[Finding]) -> Any:
            if value.__class__ is str and len(value) > longest:
                return _clean_cell(col, value, cell, ctx, row, findings)
            try:
                key = (value.__class__, value)
                out = plain.get(key, _UNSET)
                if out is not _UNSET:
                    return out
                done = known.get(key)
            except TypeError:  # (an unhashable value: never from a reader)
                return _clean_cell(col, value, cell, ctx, row, findings)
            if done is None:
                scratch = CleanRow(row=row.row, values={}, cells={}, recurrence=_UNSET, label=_UNSET,
                                   outside_year=_UNSET)
                placed: list[Finding] = []
                out = _clean_cell(col, value, "", ctx, scratch, placed)
                done = (out, tuple(placed), scratch.recurrence, scratch.label, scratch.outside_year)
                if len(plain) + len(known) >= limit:
                    plain.clear()
                    known.clear()
                if done[1:] == ((), _UNSET, _UNSET, _UNSET):
                    plain[key] = out
                else:
                    known[key] = done
            out, placed, recurrence, label, outside_year = done
            if placed:
                findings.extend(f.at(cell=cell) for f in placed)
            if recurrence is not _UNSET:
                row.recurrence = recurrence
            if label is not _UNSET:
                row.label = label
            if outside_year is not _UNSET:
                row.outside_year = outside_year if outside_year is None else outside_year.at(cell=cell)
            return out

        return clean


@dataclass
class Validated:
    rows: list[CleanRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)


def validate_rows(kind: str, raw_rows: Iterable[RawRowLike], ctx: Context, *, formulas: dict[str, str] | None = None) -> Validated:
    form = FORMS[kind]
    out = Validated()
    formulas = formulas or {}
    columns = [(col, col.key, _office_prefilled(col), ctx.cells.column(col)) for col in form.columns]
    for raw in raw_rows:
        cells, values = raw.cells, raw.values
        clean = CleanRow(row=raw.row, values={}, cells=dict(cells))
        for col, key, prefilled, clean_cell in columns:
            cell = cells.get(key, "")
            value = values.get(key)
            if prefilled:  # the Office's values, locked: never a finding of the agency
                clean.values[key] = value
            elif formulas and cell in formulas and key != "stt":  # a numbering formula (=A6+1) is harmless
                out.findings.append(finding("formula_neutralised", formulas[cell]).at(cell=cell))
                value = _neutralised(col, value, formulas[cell])
                clean.values[key] = _clean_cell(col, value, cell, ctx, clean, out.findings)
            else:
                clean.values[key] = clean_cell(value, cell, ctx, clean, out.findings)
        _check_row(form, clean, ctx, out.findings)
        out.rows.append(clean)
    _check_duplicates(form, out.rows, ctx, out.findings)
    _check_master_duplicates(form, out.rows, ctx, out.findings)
    return out


def _office_prefilled(col: Column) -> bool:
    """A locked column the Office pre-fills (the progress form's content and deadline): the
    agency cannot change it and the consolidation does not read it, so it is not checked. The
    item code is locked too, but it says which item a row reports on: it is checked."""
    return col.locked and col.type != "code"


def registration_content(kind: str, rows: Sequence[CleanRow], *, no_content: bool, choice_cell: str,
                         first_cell: str) -> list[Finding]:
    """A registration (annual, monthly) with no item is an error, unless the agency chose
    "Không có nội dung đăng ký" above the table (``no_content``): then it is a registration with
    no item (the receipt counts). That choice together with items is an error too."""
    if kind not in ("annual", "monthly"):
        return []
    if no_content and rows:
        return [finding("no_content_but_rows", NO_CONTENT_CHOICE, rows=len(rows)).at(cell=choice_cell)]
    if rows or no_content:
        return []
    code = "nothing_registered" if choice_cell else "nothing_registered_no_choice"
    return [finding(code, "", choice=NO_CONTENT_CHOICE, choice_cell=choice_cell, first_cell=first_cell)
            .at(cell=first_cell)]


def _neutralised(col: Column, cached: Any, formula: str) -> Any:
    """The value kept for a cell holding a formula: its text (so it is stored as text, never
    run); in a date column the date the agency's spreadsheet computed, if it saved one."""
    if col.type in ("period", "date") and not is_blank(cached):
        return cached
    return formula


def _clean_cell(col: Column, value: Any, cell: str, ctx: Context, row: CleanRow, findings: list[Finding]) -> Any:
    def place(f: Finding) -> None:
        findings.append(f.at(cell=cell))

    if col.type in ("period", "date"):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        allow_outside = col.key in ("ngay_hoan_thanh", "de_xuat_thoi_han", "thoi_gian_trien_khai")
        parsed, problem = periods.parse_deadline(value, ctx.year, allow_outside_year=allow_outside)
        if problem is not None and problem.code == "date_outside_year" and col.key == "thoi_han" and parsed:
            row.outside_year = problem.at(cell=cell)  # allowed with a reason in "Ghi chú" (_check_row)
        elif problem is not None:
            place(problem)
            return None
        if parsed is None:
            return None
        if col.key == "thoi_han" and parsed.recurrence is not None:
            row.recurrence = parsed.recurrence
        if col.key in ("thoi_han", "thoi_gian"):
            row.label = parsed.label
        return parsed.deadline
    text = clean_text(value)
    for code in text.repairs:  # NFD, TCVN3, VNI, stray spaces: repaired, reported as warnings
        place(finding(code, str(value), fixed=text.text))
    s = text.text
    if not s:
        return "" if col.type != "agency" else None
    if _FORMULA_LIKE.match(s) and not any(f.cell == cell and f.code == "formula_neutralised" for f in findings):
        place(finding("formula_neutralised", s))
    if col.key == "dinh_ky":
        rec, problem = periods.parse_recurrence(s)
        if problem is not None:
            place(problem)
        elif rec is not None:
            row.recurrence = rec
            return rec.label
        return s
    if col.type == "choice" and col.choices in FIXED_LISTS:
        choices = FIXED_LISTS[col.choices]
        by_key = _choice_keys(col.choices)
        if normalize_header(s) in by_key:
            return by_key[normalize_header(s)]
        place(finding("value_not_in_list", s, column=col.header, choices="; ".join(choices)))
        return s
    if col.choices == "leaders" and ctx.leaders:  # a leader as typed -> the configured leader
        match = ctx.leader_matcher.match(s)
        if match.found is None:
            place(finding("leader_unknown", s, column=col.header, choices="; ".join(ctx.leaders), other=OTHER_LEADER_LABEL,
                          suggestion=suggestion(match.suggestion) if match.suggestion else ""))
            return s
        if not match.certain:
            place(finding("leader_guessed", s, name=match.found))
        return match.found
    if col.type == "agency":
        match = ctx.matcher.match(s)
        if match.agency is None:
            place(finding("agency_unknown", s, suggestion=_suggestion(match)))
            return None
        if not match.certain:
            place(finding("agency_guessed", s, name=match.agency.name, code=match.agency.code))
        return match.agency
    if col.type == "agencies":
        names = []
        for part in ctx.matcher.split(s):
            match = ctx.matcher.match(part)
            if match.agency is None:
                place(finding("partner_unknown", part, suggestion=_suggestion(match)))
                names.append(part)
            else:
                if not match.certain:
                    place(finding("agency_guessed", part, name=match.agency.name, code=match.agency.code))
                names.append(match.agency.name)
        return ", ".join(names)
    return s


@lru_cache(maxsize=None)
def _choice_keys(name: str) -> dict[str, str]:
    """Normalised text -> the value of a fixed list, as the list is written."""
    return {normalize_header(c): c for c in FIXED_LISTS[name]}


def _check_row(form: Form, row: CleanRow, ctx: Context, findings: list[Finding]) -> None:
    for col in form.columns:
        if col.required and is_blank(row.values.get(col.key)) and not _already_flagged(findings, row.cells.get(col.key)):
            if col.key == "thoi_han" and row.recurrence is not None:
                continue
            findings.append(finding("required_missing", "", column=col.header).at(cell=row.cells.get(col.key, "")))
    if form.kind in ("annual", "monthly"):
        if row.values.get("don_vi_chu_tri") is None and row.cells.get("don_vi_chu_tri") not in _flagged_cells(findings):
            row.values["don_vi_chu_tri"] = ctx.agency  # blank = the template's agency (SPEC §5)
    lead = row.values.get("don_vi_chu_tri")
    if form.kind == "annual" and isinstance(lead, Agency) and lead.code != ctx.agency.code:
        # kept (the lead agency owns the item), never silently
        findings.append(finding("lead_is_other_agency", f"{lead.name} ({lead.code})", item=row.values.get("noi_dung"),
                                registrant=f"{ctx.agency.name} ({ctx.agency.code})")
                        .at(cell=row.cells.get("don_vi_chu_tri", "")))
    if row.outside_year is not None and is_blank(row.values.get("ghi_chu")):
        findings.append(row.outside_year)
    if form.kind == "annual":
        start, deadline = row.values.get("thoi_gian_trien_khai"), row.values.get("thoi_han")
        if start and deadline and deadline < start:
            findings.append(
                finding("deadline_before_start", deadline, start=start).at(cell=row.cells.get("thoi_han", ""))
            )
    if form.kind == "progress":
        code = row.values.get("ma_dau_viec")
        if code and code not in ctx.index.codes_by_agency.get(ctx.agency.code, ()):
            findings.append(finding("item_unknown", code).at(cell=row.cells.get("ma_dau_viec", "")))
        proposed = row.values.get("de_xuat_thoi_han")
        if proposed and not row.values.get("ly_do"):
            findings.append(
                finding("new_deadline_without_reason", proposed).at(cell=row.cells.get("ly_do", row.cells.get("de_xuat_thoi_han", "")))
            )
        done = row.values.get("ngay_hoan_thanh")
        if done and ctx.today and done > ctx.today:
            findings.append(finding("completion_after_today", done).at(cell=row.cells.get("ngay_hoan_thanh", "")))


def _duplicate_key(kind: str, row: CleanRow) -> tuple | None:
    """What makes two rows of one file the same item (None: the row cannot be compared)."""
    if kind == "progress":
        code = row.values.get("ma_dau_viec")
        return (code,) if code else None
    content = row.values.get("noi_dung")
    if not content:
        return None
    if kind == "monthly":
        return (normalize_header(content), row.values.get("thoi_gian"))
    return (normalize_header(content), row.values.get("thoi_han"), row.recurrence and row.recurrence.key)


def _check_duplicates(form: Form, rows: list[CleanRow], ctx: Context, findings: list[Finding]) -> None:
    seen: dict[tuple, int] = {}
    where = "ma_dau_viec" if form.kind == "progress" else "noi_dung"
    for row in rows:
        key = _duplicate_key(form.kind, row)
        if key is None:
            continue
        if key in seen:
            findings.append(
                finding("duplicate_in_file", row.values.get(where), other_row=seen[key]).at(cell=row.cells.get(where, ""))
            )
        else:
            seen[key] = row.row


def _check_master_duplicates(form: Form, rows: list[CleanRow], ctx: Context, findings: list[Finding]) -> None:
    """A registered item whose content is already in the master's programme: registered by
    another agency (annual), or typed as a new item instead of quoting its code (monthly)."""
    if form.kind not in ("annual", "monthly") or not ctx.items:
        return
    own_prefix = f"{ctx.year}-{ctx.agency.code}-"
    for row in rows:
        content = row.values.get("noi_dung")
        if not content or (form.kind == "monthly" and row.values.get("ma_dau_viec")):
            continue
        codes = ctx.index.by_content.get(normalize_header(content), ())
        if form.kind == "annual":  # the agency's own item: a new version of its registration, not a duplicate
            codes = tuple(c for c in codes if not c.startswith(own_prefix) or c in ctx.index.office_created)
        code = codes[0] if codes else None
        if code:
            findings.append(finding("duplicate_in_master", content, code=code).at(cell=row.cells.get("noi_dung", "")))


def _suggestion(match: MatchResult) -> str:
    return suggestion(match.suggestion.name) if match.suggestion else ""


def _flagged_cells(findings: list[Finding]) -> set[str]:
    return {f.cell for f in findings if f.is_error}


def _already_flagged(findings: list[Finding], cell: str | None) -> bool:
    return bool(cell) and cell in _flagged_cells(findings)
