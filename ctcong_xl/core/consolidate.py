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
from .forms import PROGRAMME_COLUMNS, Column
from .layout import MONTHLY_COLUMNS
from .messages import show_value
from .models import Agency, MonthlyItem, WorkItem
from .text import normalize_header
from .validate import CleanRow

# Programme fields an agency owns (registration) and reports (progress), in column order.
_REGISTRATION_COLUMNS = tuple(c for c in PROGRAMME_COLUMNS if c.owner == "agency")
_PROGRESS_COLUMNS = tuple(c for c in PROGRAMME_COLUMNS if c.owner == "progress")
_MONTHLY_AGENCY_COLUMNS = tuple(c for c in MONTHLY_COLUMNS if c.owner == "agency")
REGISTRATION_FIELDS = tuple(c.key for c in _REGISTRATION_COLUMNS)
PROGRESS_FIELDS = tuple(c.key for c in _PROGRESS_COLUMNS)
FINGERPRINTED = REGISTRATION_FIELDS + PROGRESS_FIELDS
_CODE = re.compile(r"^(\d{4})-([A-Z0-9]+)-(\d{3})(?:-([A-Z0-9]+))?$")


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

    @property
    def result_text(self) -> str:
        """The import log's Kết quả text (read back to know accepted and rejected files)."""
        if self.duplicate_of:
            return f"Trùng nội dung với tệp đã tổng hợp {self.duplicate_of}; không tổng hợp lại"
        if not self.accepted:
            return REJECTED_TEXT
        return f"{ACCEPTED_PREFIX} {self.rows} dòng"


ACCEPTED_PREFIX = "Đã tổng hợp"
REJECTED_TEXT = "Không tổng hợp: tệp có lỗi, đã gửi trả đơn vị"


@dataclass
class Changes:
    added: int = 0
    changed: int = 0
    removed: int = 0
    findings: list[Finding] = field(default_factory=list)
    withdrawn_codes: list[str] = field(default_factory=list)
    history: list[FieldChange] = field(default_factory=list)  # every field the file changed, item by item


def fingerprint_value(value: Any) -> str:
    if value is None or value == "" or value is False:
        text = ""
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return format(zlib.crc32(text.encode("utf-8")) & 0xFFFF, "04x")


def fingerprint(item: WorkItem) -> str:
    return "".join(fingerprint_value(getattr(item, k)) for k in FINGERPRINTED)


def hand_edited_fields(item: WorkItem) -> set[str]:
    """Fields whose value in the master differs from what the agency last sent."""
    fp = item.dau_kiem
    if len(fp) != 4 * len(FINGERPRINTED):
        return set()
    return {
        k for i, k in enumerate(FINGERPRINTED) if fp[4 * i : 4 * i + 4] != fingerprint_value(getattr(item, k))
    }


def _merge(item: WorkItem, incoming: dict[str, Any], fields: tuple[str, ...], edited: set[str], out: Changes, cell_of) -> tuple[WorkItem, bool]:
    """Apply incoming field values to item, keeping hand edits. Returns (new item, changed?);
    the item's fingerprint records the incoming values."""
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
    update["dau_kiem"] = "".join(parts)
    changed = any(k != "dau_kiem" for k in update)
    return item.model_copy(update=update), changed


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
        elif c.key == "don_vi_chu_tri":
            lead: Agency | None = value
            out[c.key] = lead.name if lead else ""
        else:
            out[c.key] = value or ""
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


def apply_annual(ds: Dataset, registrant: str, rows: list[CleanRow], *, source: str, cell_of) -> Changes:
    """A registration from ``registrant`` replaces that agency's items of the programme:
    rows matched by content keep their codes, new rows get new codes, items no longer
    registered are marked withdrawn (never deleted)."""
    out = Changes()
    before = {i.ma_dau_viec: i for i in ds.items}
    year = ds.config.year
    prefix = f"{year}-{registrant}-"
    own = [i for i in ds.items if i.ma_dau_viec.startswith(prefix)]
    by_base: dict[str, list[WorkItem]] = {}
    for it in own:
        m = _CODE.match(it.ma_dau_viec)
        base = f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else it.ma_dau_viec
        by_base.setdefault(base, []).append(it)
    base_by_content = {normalize_header(items[0].noi_dung): base for base, items in by_base.items()}
    # An item whose content the Office corrected by hand is still found by what the agency sent.
    base_by_sent = {_sent_fingerprint(items[0], "noi_dung"): base for base, items in by_base.items()
                    if "noi_dung" in hand_edited_fields(items[0])}
    next_seq = 1 + max((int(_CODE.match(b).group(3)) for b in by_base if _CODE.match(b)), default=0)
    index = {it.ma_dau_viec: n for n, it in enumerate(ds.items)}
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
            base = f"{prefix}{next_seq:03d}"
            next_seq += 1
            base_by_content.setdefault(key, base)
        used_bases.add(base)
        for suffix, deadline, label in _instances(row, year):
            code = f"{base}-{suffix}" if suffix else base
            kept.add(code)
            incoming = {**values, "thoi_han": deadline}
            if code in index:
                cur = ds.items[index[code]]
                edited = hand_edited_fields(cur)
                merged, changed = _merge(cur, incoming, REGISTRATION_FIELDS, edited, out, lambda k, c=code: cell_of(c, k))
                system = {"ky": label, "ma_don_vi": lead_code, "nguon": source if changed else cur.nguon}
                if cur.rut and cur.rut_tu_dong:  # registered again after the agency dropped it
                    system.update(rut=False, rut_tu_dong=False)
                    changed = True
                elif cur.rut:  # the Office withdrew it: that decision stands
                    out.findings.append(finding("withdrawn_by_office_kept", cur.noi_dung, code=code,
                                                cell_ref=cell_of(code, "rut")))
                if any(getattr(merged, k) != v for k, v in system.items()):
                    changed = True
                merged = merged.model_copy(update=system)
                ds.items[index[code]] = merged
                out.changed += int(changed)
            else:
                item = WorkItem(ma_dau_viec=code, ma_don_vi=lead_code, ky=label, nguon=source, **incoming)
                item = item.model_copy(update={"dau_kiem": fingerprint(item)})
                index[code] = len(ds.items)
                ds.items.append(item)
                out.added += 1
    for it in own:
        if it.ma_dau_viec not in kept and not it.rut:
            ds.items[index[it.ma_dau_viec]] = it.model_copy(update={"rut": True, "rut_tu_dong": True, "nguon": source})
            out.removed += 1
            out.withdrawn_codes.append(it.ma_dau_viec)
    out.history = item_changes(before, ds.items)
    return out


def apply_progress(ds: Dataset, agency_code: str, rows: list[CleanRow], *, source: str, cell_of) -> Changes:
    """A progress report updates only the completion fields of the agency's own items."""
    out = Changes()
    before = {i.ma_dau_viec: i for i in ds.items}
    index = {it.ma_dau_viec: n for n, it in enumerate(ds.items)}
    for row in rows:
        code = row.values.get("ma_dau_viec")
        if code not in index:
            continue
        cur = ds.items[index[code]]
        incoming = _agency_values(row, _PROGRESS_COLUMNS)
        merged, changed = _merge(cur, incoming, PROGRESS_FIELDS, hand_edited_fields(cur), out, lambda k, c=code: cell_of(c, k))
        if changed:
            merged = merged.model_copy(update={"nguon": source})
        ds.items[index[code]] = merged
        out.changed += int(changed)
    out.history = item_changes(before, ds.items)
    return out


MONTHLY_WITHDRAWN_PREFIX = "(Đã rút) "  # before the content of a monthly row its agency no longer registers


def thang_label(month: int, year: int) -> str:
    """How the monthly programme names a month in its ``Tháng`` column: ``07/2026``."""
    return f"{month:02d}/{year}"


def apply_monthly(ds: Dataset, agency_code: str, month: int, rows: list[CleanRow], *, source: str, received: dt.date) -> Changes:
    """A monthly registration replaces the agency's rows of that month's programme."""
    out = Changes()
    year = ds.config.year
    thang = thang_label(month, year)
    prefix = f"{year}-{month:02d}-{agency_code}-"
    old = [m for m in ds.monthly if m.ma_viec_thang.startswith(prefix)]
    by_content = {normalize_header(m.noi_dung): m for m in old}
    next_seq = 1 + max((int(m.ma_viec_thang.rsplit("-", 1)[1]) for m in old if m.ma_viec_thang.rsplit("-", 1)[1].isdigit()), default=0)
    new_items: list[MonthlyItem] = []
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
            code = f"{prefix}{next_seq:02d}"
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
