"""Warning groups and the one colour scheme of the product: red overdue, orange due within N
days, green done, grey withdrawn. The master's conditional formats, the reminder workbooks and
the report's charts and tables all take their colours from here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from .status import Status


class WarningGroup(str, Enum):
    OVERDUE = "qua_han"
    DUE_SOON = "sap_den_han"
    DONE = "hoan_thanh"
    WITHDRAWN = "da_rut"

    @property
    def text(self) -> str:
        return _TEXTS[self]


_TEXTS = {
    WarningGroup.OVERDUE: "Quá hạn, chưa hoàn thành",
    WarningGroup.DUE_SOON: "Sắp đến hạn",
    WarningGroup.DONE: "Đã hoàn thành",
    WarningGroup.WITHDRAWN: "Đã rút khỏi chương trình",
}


@dataclass(frozen=True)
class Swatch:
    """How a cell of a group looks: font colour, fill colour (hex ``#RRGGBB``), strike-through;
    ``chart`` is the solid colour of the group in charts."""

    font: str
    fill: str
    chart: str
    strike: bool = False


COLORS: dict[WarningGroup, Swatch] = {
    WarningGroup.OVERDUE: Swatch(font="#9C0006", fill="#FFC7CE", chart="#C62828"),
    WarningGroup.DUE_SOON: Swatch(font="#7F4F00", fill="#FFE0B2", chart="#EF6C00"),
    WarningGroup.DONE: Swatch(font="#006100", fill="#C6EFCE", chart="#2E7D32"),
    WarningGroup.WITHDRAWN: Swatch(font="#7F7F7F", fill="#EDEDED", chart="#9E9E9E", strike=True),
}

# Chart colour of each counted status (withdrawn items are not charted) (the same families: green done, red overdue).
STATUS_COLORS: dict[Status, str] = {
    Status.DUNG_HAN: COLORS[WarningGroup.DONE].chart,
    Status.KHONG_DUNG_HAN: "#F9A825",
    Status.CHUA_HOAN_THANH: COLORS[WarningGroup.OVERDUE].chart,
    Status.DANG_THUC_HIEN: "#1565C0",
}


def warning_group(status: Status, deadline: dt.date | None, as_of: dt.date, within_days: int) -> WarningGroup | None:
    """The group of an item with ``status`` at ``as_of``: overdue (not done, past the deadline),
    due soon (in progress, deadline at most ``within_days`` away), done, withdrawn; None for an
    item in progress with time left. The master's conditional formats say the same in Excel."""
    if status is Status.RUT_KHOI:
        return WarningGroup.WITHDRAWN
    if status in (Status.DUNG_HAN, Status.KHONG_DUNG_HAN):
        return WarningGroup.DONE
    if status is Status.CHUA_HOAN_THANH:
        return WarningGroup.OVERDUE
    if deadline is not None and (deadline - as_of).days <= within_days:
        return WarningGroup.DUE_SOON
    return None


def xlsxwriter_format(group: WarningGroup) -> dict:
    """The group's look as XlsxWriter format properties."""
    s = COLORS[group]
    return {"font_color": s.font, "bg_color": s.fill, **({"font_strikeout": True} if s.strike else {})}
