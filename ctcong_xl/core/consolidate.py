"""The consolidation: dataset + validated submissions -> dataset + changes.

Deterministic and idempotent: the same rows applied twice change nothing. It never writes an
office-owned field. Where the Office typed over a field the agency owns, the hand edit is kept
and reported (a per-field fingerprint of what the agency last sent, kept in the hidden
``Dấu kiểm`` column, tells a hand edit from the tool's own write).
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from . import periods
from .dataset import Dataset
from .findings import Finding, finding
from .history import FieldChange, item_changes, monthly_changes
from .forms import MONTHLY_WITHDRAWN_PREFIX, NO_CONTENT_CHOICE, PROGRAMME_COLUMNS, Column
from .layout import (ACCEPTED_PREFIX, MONTHLY_COLUMNS, REJECTED_TEXT, SUPERSEDED_PREFIX, item_code, item_code_prefix,
                     monthly_code, monthly_code_prefix)
from .messages import render_text, show_value
from .models import Agency, MonthlyItem, WorkItem, sharing_fields
from .text import normalize_header, shared
from .validate import CleanRow

# Programme fields an agency owns (registration) and reports (progress), in column order.
_REGISTRATION_COLUMNS = tuple(c for c in PROGRAMME_COLUMNS if c.owner == "agency")
_PROGRESS_COLUMNS = tuple(c for c in PROGRAMME_COLUMNS if c.owner == "progress")
_MONTHLY_AGENCY_COLUMNS = tuple(c for c in MONTHLY_COLUMNS if c.owner == "agency")
REGISTRATION_FIELDS = tuple(c.key for c in _REGISTRATION_COLUMNS)
PROGRESS_FIELDS = tuple(c.key for c in _PROGRESS_COLUMNS)
FINGERPRINTED = REGISTRATION_FIELDS + PROGRESS_FIELDS
_CODE = re.compile(r"^(\d{4})-([A-Z0-9]+)-(\d{3,})(?:-([A-Z0-9]+))?$")  # 001 … 999, 1000 …


@dataclass
class FileResult:
    file: str
    sha256: str
    agency: str = ""
    kind: str = ""
    accepted: bool = False
    rows: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    duplicate_of: str = ""
    superseded_by: str = ""  # a faulty file replaced by this later accepted file of the agency and form
    for_others: dict[str, int] = field(default_factory=dict)  # lead agency code -> rows registered for it

    @property
    def result_text(self) -> str:
        """The import log's Kết quả text (read back to know accepted and rejected files)."""
        if self.duplicate_of:
            return f"Trùng nội dung với tệp đã tổng hợp {self.duplicate_of}; không tổng hợp lại"
        if self.superseded_by:
            return f"{SUPERSEDED_PREFIX} {self.superseded_by}; không tổng hợp"
        if not self.accepted:
            return REJECTED_TEXT
        return f"{ACCEPTED_PREFIX} {self.rows} dòng"


@dataclass
class Changes:
    added: int = 0
    changed: int = 0
    removed: int = 0
    findings: list[Finding] = field(default_factory=list)
    withdrawn_codes: list[str] = field(default_factory=list)
    history: list[FieldChange] = field(default_factory=list)  # every field the file changed, item by item


def fingerprint_value(value: Any) -> str:
    """Four hex digits of a field's value: CRC-32 of its text (a date in ISO form, nothing for
    an empty value), low 16 bits."""
    if value is None or value == "" or value is False:
        return _EMPTY
    kind = value.__class__
    if kind is str or kind is dt.date:  # (a text never equals a date: one table for both)
        fp = _KNOWN.get(value)
        if fp is not None:
            return fp
        text = value if kind is str else value.isoformat()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    fp = f"{zlib.crc32(text.encode('utf-8')) & 0xFFFF:04x}"
    if kind is dt.date or (kind is str and len(value) <= _KNOWN_TEXT):
        if len(_KNOWN) >= _KNOWN_MAX:
            _KNOWN.clear()
        _KNOWN[value] = fp
    return fp


_EMPTY = f"{zlib.crc32(b'') & 0xFFFF:04x}"
# fingerprints of the short texts and dates met so far: the same agencies, leaders, kinds and
# deadlines come back in every row of a round
_KNOWN: dict[str | dt.date, str] = {}
_KNOWN_TEXT = 80
_KNOWN_MAX = 1 << 16


_FINGERPRINT_AT = {k: i for i, k in enumerate(FINGERPRINTED)}


def fingerprint(item: WorkItem) -> str:
    fields = item.__dict__  # (a pydantic model's field values: read directly, 30 000 items a run)
    return "".join([fingerprint_value(fields[k]) for k in FINGERPRINTED])


def hand_edited_fields(item: WorkItem) -> set[str]:
    """Fields whose value in the master differs from what the agency last sent."""
    edits = _HandEdits(item)
    return {k for k in FINGERPRINTED if k in edits}


class _HandEdits:
    """``key in _HandEdits(item)``: whether the master's value of ``key`` differs from what the
    agency last sent (:func:`hand_edited_fields`, asked only for the fields a file changes)."""

    __slots__ = ("fields", "fp")

    def __init__(self, item: WorkItem) -> None:
        self.fields = item.__dict__
        self.fp = item.dau_kiem if len(item.dau_kiem) == 4 * len(FINGERPRINTED) else ""

    def __contains__(self, key: str) -> bool:
        i = _FINGERPRINT_AT.get(key)
        return bool(self.fp) and i is not None and self.fp[4 * i: 4 * i + 4] != fingerprint_value(self.fields[key])


def _merge(item: WorkItem, incoming: dict[str, Any], fields: tuple[str, ...], edited: set[str] | _HandEdits,
           out: Changes, cell_of) -> tuple[WorkItem, bool]:
    """Apply incoming field values to item, keeping hand edits. Returns (new item, changed?);
    the item's fingerprint records the incoming values. An item neither changed nor re-fingerprinted
    is returned as it is (a new item otherwise: the caller may set further fields on it)."""
    update: dict[str, Any] = {}
    sent: dict[str, Any] = {}
    for k in fields:
        new = incoming.get(k, getattr(item, k))
        sent[k] = new
        cur = getattr(item, k)
        if new == cur:
            continue
        if k in edited:
            out.findings.append(
                finding("hand_edit_kept", cur, cell_ref=cell_of(k), incoming=show_value(new))
            )
            continue
        update[k] = new
    parts = _fingerprint_parts(item)
    for i, k in enumerate(FINGERPRINTED):
        if k in fields:
            parts[i] = fingerprint_value(sent[k])  # what the agency sent, so a kept hand edit stays visible
    changed = bool(update)
    fp = "".join(parts)
    if not changed and fp == item.dau_kiem:
        return item, False
    update["dau_kiem"] = fp
    return item.model_copy(update=update), changed


def tool_update(item: WorkItem, **update: Any) -> WorkItem:
    """``item`` with agency-owned fields changed by the tool itself (a registry command), its
    fingerprint following, so that the next consolidation does not take them for hand edits."""
    new = item.model_copy(update=update)
    parts = _fingerprint_parts(item)
    for i, k in enumerate(FINGERPRINTED):
        if k in update:
            parts[i] = fingerprint_value(update[k])
    return new.model_copy(update={"dau_kiem": "".join(parts)})


def _sent_fingerprint(item: WorkItem, key: str) -> str:
    """The fingerprint of what the agency last sent for ``key`` (recorded in ``dau_kiem``)."""
    return _fingerprint_parts(item)[FINGERPRINTED.index(key)]


def _fingerprint_parts(item: WorkItem) -> list[str]:
    fp = item.dau_kiem
    if len(fp) == 4 * len(FINGERPRINTED):
        return [fp[4 * i : 4 * i + 4] for i in range(len(FINGERPRINTED))]
    return [fingerprint_value(getattr(item, k)) for k in FINGERPRINTED]


def _agency_values(row: CleanRow, columns: tuple[Column, ...]) -> dict[str, Any]:
    """The clean row's values of ``columns`` (fields the agency writes): a date or None in a date
    column, the lead agency's name, text ("" for blank) elsewhere."""
    out: dict[str, Any] = {}
    for c in columns:
        value = row.values.get(c.key)
        if c.type == "date":
            out[c.key] = value
            continue
        if c.key == "don_vi_chu_tri":
            lead: Agency | None = value
            value = lead.name if lead else ""
        out[c.key] = shared(value) if value else ""
    return out


def _registration_values(row: CleanRow) -> dict[str, Any]:
    values = _agency_values(row, _REGISTRATION_COLUMNS)
    if row.recurrence:
        values["dinh_ky"] = row.recurrence.label
    return values


def _instances(row: CleanRow, year: int) -> list[tuple[str, dt.date | None, str]]:
    """(code suffix, deadline, period label) of each instance a registration row makes."""
    if row.recurrence is not None:
        return [(i.suffix, i.deadline, i.label) for i in periods.expand(row.recurrence, year)]
    return [("", row.values.get("thoi_han"), row.label)]


class ItemPositions:
    """Where each item sits in ``ds.items`` (by code; the last of two equal codes) and the
    positions of the items each agency registered (the agency in the item's code), kept up to
    date by the apply functions. A run builds it once for all its files, so that applying a file
    does not scan every item of the programme."""

    def __init__(self, items: list[WorkItem]):
        self.at: dict[str, int] = {}
        self.registered: dict[tuple[str, str], list[int]] = {}
        for n, item in enumerate(items):
            self.add(item.ma_dau_viec, n)

    def add(self, code: str, n: int) -> None:
        self.at[code] = n
        parts = code.split("-", 2)  # YEAR-AGENCY-NNN[-SUFFIX]
        if len(parts) == 3:
            self.registered.setdefault((parts[0], parts[1]), []).append(n)

    def own(self, year: int, agency_code: str) -> list[int]:
        """Positions of the items whose code starts with ``YEAR-AGENCY-``, in programme order."""
        return self.registered.get((str(year), agency_code), [])


class _Replacer:
    """Replaces items of ``ds.items`` and appends new ones (through ``positions``), remembering
    what each touched item was before, for the history."""

    def __init__(self, ds: Dataset, positions: ItemPositions):
        self.ds, self.positions = ds, positions
        self.before: dict[str, WorkItem] = {}
        self.touched: set[int] = set()

    def replace(self, code: str, item: WorkItem) -> None:
        n = self.positions.at[code]
        self.before.setdefault(code, self.ds.items[n])
        self.ds.items[n] = sharing_fields(item)
        self.touched.add(n)

    def append(self, item: WorkItem) -> None:
        n = len(self.ds.items)
        self.ds.items.append(sharing_fields(item))
        self.positions.add(item.ma_dau_viec, n)
        self.touched.add(n)

    def history(self) -> list:
        return item_changes(self.before, [self.ds.items[n] for n in sorted(self.touched)])


def apply_annual(ds: Dataset, registrant: str, rows: list[CleanRow], *, source: str, cell_of,
                 received: dt.date | None = None, positions: ItemPositions | None = None) -> Changes:
    """A registration from ``registrant`` replaces that agency's items of the programme:
    rows matched by content keep their codes, new rows get new codes, items no longer
    registered are marked withdrawn (never deleted). Rows the Office typed into the programme
    itself (:attr:`WorkItem.office_created`) are the Office's: never matched, withdrawn or
    rewritten. A new deadline for an item already in the programme becomes its proposal
    (:func:`_propose_deadline`); the registered deadline stays. ``positions``: the run's index of
    ``ds.items`` (built here when not given)."""
    out = Changes()
    positions = positions if positions is not None else ItemPositions(ds.items)
    write = _Replacer(ds, positions)
    year = ds.config.year
    prefix = item_code_prefix(year, registrant)
    with_prefix = [ds.items[n] for n in positions.own(year, registrant)]
    own = [i for i in with_prefix if not i.office_created]
    by_base: dict[str, list[WorkItem]] = {}
    for it in own:
        by_base.setdefault(_base_code(it.ma_dau_viec), []).append(it)
    base_by_content = {normalize_header(items[0].noi_dung): base for base, items in by_base.items()}
    # An item whose content the Office corrected by hand is still found by what the agency sent.
    base_by_sent = {_sent_fingerprint(items[0], "noi_dung"): base for base, items in by_base.items()
                    if "noi_dung" in hand_edited_fields(items[0])}
    # new codes come after every code of the prefix, the Office's own rows included
    next_seq = 1 + max((int(m.group(3)) for i in with_prefix if (m := _CODE.match(i.ma_dau_viec))), default=0)
    index = positions.at
    kept: set[str] = set()
    used_bases: set[str] = set()
    for row in rows:
        values = _registration_values(row)
        lead_code = row.values["don_vi_chu_tri"].code if row.values.get("don_vi_chu_tri") else registrant
        key = normalize_header(values["noi_dung"])
        base = base_by_content.get(key)
        if base is None:
            base = base_by_sent.get(fingerprint_value(values["noi_dung"]))
        if base is None or base in used_bases:
            base = item_code(year, registrant, next_seq)
            next_seq += 1
            base_by_content.setdefault(key, base)
        used_bases.add(base)
        for suffix, deadline, label in _instances(row, year):
            code = f"{base}-{suffix}" if suffix else base
            kept.add(code)
            incoming = {**values, "thoi_han": deadline}
            system = {"ky": label, "ma_don_vi": lead_code, "don_vi_dang_ky": registrant}
            if code in index:
                cur = ds.items[index[code]]
                edited = _HandEdits(cur)
                locate = lambda k, c=code: cell_of(c, k)  # noqa: E731
                fields = REGISTRATION_FIELDS
                proposal = _moved_deadline(cur, deadline)
                if proposal is not None:  # the registered deadline stays; the new one awaits approval
                    fields = tuple(k for k in REGISTRATION_FIELDS if k != "thoi_han")
                merged, changed = _merge(cur, incoming, fields, edited, out, locate)
                if proposal is not None:
                    merged, proposed = _propose_deadline(merged, proposal, row, source, received, out, locate)
                    changed = changed or proposed
                if cur.rut and cur.rut_tu_dong:  # registered again after the agency dropped it
                    system.update(rut=False, rut_tu_dong=False)
                    changed = True
                elif cur.rut:  # the Office withdrew it: that decision stands
                    out.findings.append(finding("withdrawn_by_office_kept", cur.noi_dung, code=code,
                                                cell_ref=cell_of(code, "rut")))
                if any(getattr(merged, k) != v for k, v in system.items()):
                    changed = True
                if changed:  # (unchanged: every system value is already the item's, its source kept)
                    merged = merged.model_copy(update={**system, "nguon": source})
                write.replace(code, merged)
                out.changed += int(changed)
            else:
                item = WorkItem(ma_dau_viec=code, nguon=source, **system, **incoming)
                item.dau_kiem = fingerprint(item)  # (a new item, not yet seen anywhere: set, not copied)
                write.append(item)
                out.added += 1
    for it in own:
        if it.ma_dau_viec not in kept and not it.rut:
            write.replace(it.ma_dau_viec, it.model_copy(update={"rut": True, "rut_tu_dong": True, "nguon": source}))
            out.removed += 1
            out.withdrawn_codes.append(it.ma_dau_viec)
    out.history = write.history()
    return out


def _base_code(code: str) -> str:
    """2026-STC-003-Q2 -> 2026-STC-003 (the registered item of a recurring instance)."""
    m = _CODE.match(code)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else code


def _moved_deadline(cur: WorkItem, sent: dt.date | None) -> dt.date | None:
    """The new deadline a registration sends for an item already in the programme, or None when
    the agency sent what it sent before (a hand edit of the Office, if any, is handled by the
    merge), when the item has no deadline yet, or when the Office already approved that date."""
    if sent is None or cur.thoi_han is None or sent == cur.thoi_han:
        return None
    if fingerprint_value(sent) == _sent_fingerprint(cur, "thoi_han"):
        return None
    if sent == cur.thoi_han_dieu_chinh:
        return None
    return sent


def _propose_deadline(item: WorkItem, new: dt.date, row: CleanRow, source: str, received: dt.date | None,
                      out: Changes, cell_of) -> tuple[WorkItem, bool]:
    """The new deadline becomes the item's pending proposal (``Đề xuất thời hạn mới``, with a
    reason in ``Lý do điều chỉnh``), as a progress report would propose it; the Office approves
    it by typing the date in ``Thời hạn được duyệt``. Returns (item, changed?)."""
    if item.de_xuat_thoi_han == new:
        return item, False
    reason = render_text("deadline_proposal_reason", new, old=item.thoi_han, file=source, received=received)
    if row.values.get("ghi_chu"):
        reason += " " + render_text("deadline_proposal_note", row.values["ghi_chu"])
    update = {"de_xuat_thoi_han": new, "ly_do": reason}
    parts = _fingerprint_parts(item)
    for k, v in update.items():  # recorded as sent by the agency, so it is not taken for a hand edit
        parts[FINGERPRINTED.index(k)] = fingerprint_value(v)
    update["dau_kiem"] = "".join(parts)
    # placed where the agency typed the new deadline (its file); the message names the master's cells
    out.findings.append(finding("deadline_change_proposed", new, item=item.noi_dung, code=item.ma_dau_viec,
                                old=item.thoi_han, cell_ref=cell_of("de_xuat_thoi_han"),
                                approve_ref=cell_of("thoi_han_dieu_chinh")).at(cell=row.cells.get("thoi_han", "")))
    return item.model_copy(update=update), True


def apply_progress(ds: Dataset, agency_code: str, rows: list[CleanRow], *, source: str, cell_of,
                   positions: ItemPositions | None = None) -> Changes:
    """A progress report updates only the completion fields of the agency's own items."""
    out = Changes()
    positions = positions if positions is not None else ItemPositions(ds.items)
    write = _Replacer(ds, positions)
    index = positions.at
    for row in rows:
        code = row.values.get("ma_dau_viec")
        if code not in index:
            continue
        cur = ds.items[index[code]]
        incoming = _agency_values(row, _PROGRESS_COLUMNS)
        if incoming.get("de_xuat_thoi_han") is None and cur.de_xuat_thoi_han is not None:
            # a blank proposal leaves a pending one as it is (the file may come from a template made
            # before it); the Office settles a proposal in "Thời hạn được duyệt"
            incoming["de_xuat_thoi_han"] = cur.de_xuat_thoi_han
            incoming["ly_do"] = incoming.get("ly_do") or cur.ly_do
        merged, changed = _merge(cur, incoming, PROGRESS_FIELDS, _HandEdits(cur), out, lambda k, c=code: cell_of(c, k))
        if cur.office_created and merged.dau_kiem:  # the Office's own row stays the Office's: no fingerprint
            merged = merged.model_copy(update={"dau_kiem": ""})
        if changed:
            merged.nguon = source  # (a new item made by _merge)
        write.replace(code, merged)
        out.changed += int(changed)
    out.history = write.history()
    return out


def receipt_only(m: MonthlyItem) -> bool:
    """The monthly row that records an agency's "Không có nội dung đăng ký" (written below): it
    proves the registration arrived, and is no work to list in a programme."""
    return m.noi_dung == NO_CONTENT_CHOICE and not m.hinh_thuc and m.thoi_gian is None


def thang_label(month: int, year: int) -> str:
    """How the monthly programme names a month in its ``Tháng`` column: ``07/2026``."""
    return f"{month:02d}/{year}"


def apply_monthly(ds: Dataset, agency_code: str, month: int, rows: list[CleanRow], *, source: str, received: dt.date) -> Changes:
    """A monthly registration replaces the agency's rows of that month's programme."""
    out = Changes()
    year = ds.config.year
    thang = thang_label(month, year)
    prefix = monthly_code_prefix(year, month, agency_code)
    old = [m for m in ds.monthly if m.ma_viec_thang.startswith(prefix)]
    by_content = {normalize_header(m.noi_dung): m for m in old}
    next_seq = 1 + max((int(m.ma_viec_thang.rsplit("-", 1)[1]) for m in old if m.ma_viec_thang.rsplit("-", 1)[1].isdigit()), default=0)
    new_items: list[MonthlyItem] = []
    if not rows:  # accepted with no row: the agency chose "Không có nội dung đăng ký"; the row records the receipt
        placeholder = by_content.pop(normalize_header(NO_CONTENT_CHOICE), None)
        new_items.append(placeholder or MonthlyItem(ma_viec_thang=f"{prefix}00", thang=thang, noi_dung=NO_CONTENT_CHOICE,
                                                    ma_don_vi=agency_code, ngay_nhan=received, nguon=source))
        out.added += int(placeholder is None)
    for row in rows:
        fields = _agency_values(row, _MONTHLY_AGENCY_COLUMNS)
        prev = by_content.pop(normalize_header(fields["noi_dung"]), None)
        if prev is not None:
            merged = prev.model_copy(update=fields)
            if merged != prev:
                out.changed += 1
                merged = merged.model_copy(update={"nguon": source})
            new_items.append(merged)
        else:
            code = monthly_code(year, month, agency_code, next_seq)
            next_seq += 1
            new_items.append(MonthlyItem(ma_viec_thang=code, thang=thang, ma_don_vi=agency_code, ngay_nhan=received, nguon=source, **fields))
            out.added += 1
    for gone in by_content.values():
        if not gone.noi_dung.startswith(MONTHLY_WITHDRAWN_PREFIX):
            new_items.append(gone.model_copy(update={"noi_dung": MONTHLY_WITHDRAWN_PREFIX + gone.noi_dung,
                                                     "nguon": source}))
            out.removed += 1
        else:
            new_items.append(gone)
    keep = [m for m in ds.monthly if not m.ma_viec_thang.startswith(prefix)]
    order = {m.ma_viec_thang: n for n, m in enumerate(ds.monthly)}
    ds.monthly = keep + sorted(new_items, key=lambda m: (order.get(m.ma_viec_thang, 10**9), m.ma_viec_thang))
    out.history = monthly_changes({m.ma_viec_thang: m for m in old}, new_items)
    return out


def record_receipt(ds: Dataset, agency_code: str, received: dt.date) -> None:
    """The first registration received from an agency sets its punctuality date."""
    prev = ds.received_annual.get(agency_code)
    if prev is None or received < prev:
        ds.received_annual[agency_code] = received
