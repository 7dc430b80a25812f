"""The history of items (SPEC §7): every change a run makes to an item, field by field, as
data. The consolidation and the registry commands return these changes; the write plan appends
them to the master's append-only history sheet (:data:`ctcong_xl.core.layout.HISTORY_SHEET`),
so that any figure can be traced back to the file (or command) that made it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .forms import AGENCY_WITHDRAWN_MARK, PROGRAMME_COLUMNS, WITHDRAWN_MARK
from .layout import MONTHLY_COLUMNS
from .models import MonthlyItem, WorkItem
from .text import format_date

ADDED_FIELD = "Đầu việc"  # the field of the row that records an item's creation
ADDED_TEXT = "Thêm mới"

# Fields of a programme item recorded in the history: what a clerk sees in its row, except the
# formulas and the tool's bookkeeping (source file, fingerprint).
_UNTRACKED = frozenset({"ma_dau_viec", "nguon", "dau_kiem"})
PROGRAMME_TRACKED = tuple(c for c in PROGRAMME_COLUMNS if c.type != "formula" and c.key not in _UNTRACKED)
MONTHLY_TRACKED = tuple(c for c in MONTHLY_COLUMNS if c.key not in {"ma_viec_thang", "nguon"})


@dataclass(frozen=True)
class FieldChange:
    """One changed field of one item: ``field`` is the column header the clerk sees; old and new
    are the values as the cell shows them ("" for blank)."""

    code: str
    field: str
    old: str
    new: str


def shown(value: Any) -> str:
    """A value as the history sheet writes it: dates day first, blanks as ""."""
    if value is None or value is False:
        return ""
    if value is True:
        return WITHDRAWN_MARK
    if isinstance(value, dt.datetime):
        return format_date(value.date())
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


def _programme_value(item: WorkItem, key: str) -> str:
    if key == "rut":  # the cell's text: "x" (the Office), "Đơn vị rút" (the tool), blank
        return (AGENCY_WITHDRAWN_MARK if item.rut_tu_dong else WITHDRAWN_MARK) if item.rut else ""
    return shown(getattr(item, key))


def item_changes(before: Mapping[str, WorkItem], after: Iterable[WorkItem]) -> list[FieldChange]:
    """The changes from ``before`` (code -> item) to ``after``: a new item is one row
    (``Đầu việc``: ``Thêm mới``, with its content), a changed item one row per changed field."""
    return _changes(before, after, lambda i: i.ma_dau_viec, PROGRAMME_TRACKED, _programme_value)


def monthly_changes(before: Mapping[str, MonthlyItem], after: Iterable[MonthlyItem]) -> list[FieldChange]:
    """:func:`item_changes` for rows of the monthly programme (code: ``Mã việc tháng``)."""
    return _changes(before, after, lambda m: m.ma_viec_thang, MONTHLY_TRACKED, lambda m, k: shown(getattr(m, k)))


def _changes(before, after, code_of, columns, value_of) -> list[FieldChange]:
    out: list[FieldChange] = []
    for item in after:
        code = code_of(item)
        old = before.get(code)
        if old is None:
            out.append(FieldChange(code, ADDED_FIELD, "", f"{ADDED_TEXT}: {item.noi_dung}"))
            continue
        if old is item:
            continue
        was, now = old.__dict__, item.__dict__  # (equal values show equal: only the others are shown)
        for c in columns:
            k = c.key
            if was[k] == now[k] and (k != "rut" or was["rut_tu_dong"] == now["rut_tu_dong"]):
                continue
            a, b = value_of(old, k), value_of(item, k)
            if a != b:
                out.append(FieldChange(code, c.header, a, b))
    return out
