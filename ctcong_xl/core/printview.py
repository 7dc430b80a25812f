"""The annual programme ready to print (sheet *Bản in chương trình*): A4 landscape, a title
block, the items grouped by lead agency in Vietnamese alphabetical order, only the columns a
reader needs (no technical columns), values only.

*Chương trình năm* is the working sheet (27 columns, rows in arrival order, the Office's hand
edits); this sheet is derived from it and rewritten whole, with values, at every write of the
programme (:func:`plan_print_view`, called by :func:`ctcong_xl.core.writeplan.plan_programme`),
so it always shows the programme as the tool last read it, the Office's hand edits included.
Withdrawn items are left out. One definition of the columns that print (:data:`PRINT_COLUMNS`)
for the builder (formats and page setup at ``init``) and the write plan.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass

from . import layout as L
from .dataset import Dataset
from .derived import plan_derived_sheet
from .heading import programme_reference, province_upper, roman
from .forms import programme_column
from .models import WorkItem
from .paper import effective_font_size
from .plan import CellValue, WritePlan
from .summary import item_status
from .text import format_date, vn_sort_key

FONT_SIZE = 12  # the body text; fit to one A4 page wide, see :func:`print_font_size`
HEADER_ROW = 6  # 1-based row of the table header (repeated on every printed page)
TITLE_ROWS = (1, 3, 4)  # the issuing body, the title, the reference and as-of line
NO_ITEM_TEXT = "Chưa có nội dung nào trong chương trình (chưa tổng hợp đăng ký của đơn vị)."
NO_AGENCY_TEXT = "Chưa xác định đơn vị chủ trì"


@dataclass(frozen=True)
class PrintColumn:
    key: str  # an attribute of WorkItem, or "stt" / "tinh_trang"
    header: str
    width: float  # units of column width, chosen so that A4 landscape prints at >= 9 pt
    kind: str = "text"  # text | wrap | date | int


def _head(key: str) -> str:
    return programme_column(key).header  # the programme sheet's own header text


PRINT_COLUMNS: tuple[PrintColumn, ...] = (
    PrintColumn("stt", "STT", 6, "int"),
    PrintColumn("ma_dau_viec", _head("ma_dau_viec"), 17, "wrap"),
    PrintColumn("noi_dung", _head("noi_dung"), 44, "wrap"),
    PrintColumn("don_vi_phoi_hop", _head("don_vi_phoi_hop"), 20, "wrap"),
    PrintColumn("lanh_dao", _head("lanh_dao"), 17, "wrap"),
    PrintColumn("thoi_han_hieu_luc", _head("thoi_han_hieu_luc"), 12, "date"),
    PrintColumn("ngay_hoan_thanh", _head("ngay_hoan_thanh"), 12, "date"),
    PrintColumn("tinh_trang", _head("tinh_trang"), 16, "wrap"),
)
WIDTH = len(PRINT_COLUMNS)


def print_font_size() -> float:
    """The body text's size on paper (fit to one A4 landscape page wide)."""
    return effective_font_size(FONT_SIZE, (c.width for c in PRINT_COLUMNS))


def title_lines(ds: Dataset, as_of: dt.date) -> dict[int, str]:
    """Row -> text of the title block."""
    c = ds.config
    return {
        1: f"ỦY BAN NHÂN DÂN TỈNH {province_upper(c)}",
        3: f"CHƯƠNG TRÌNH CÔNG TÁC NĂM {c.year} CỦA ỦY BAN NHÂN DÂN TỈNH",
        4: f"({programme_reference(c)}; tình trạng thực hiện tính đến ngày {format_date(as_of)})",
    }


def agency_groups(ds: Dataset) -> list[tuple[str, list[WorkItem]]]:
    """(lead agency's name, its items) for every item not withdrawn: agencies in Vietnamese
    alphabetical order (items without a lead agency last), items by effective deadline then code."""
    groups: dict[str, list[WorkItem]] = {}
    names = {a.code: a.name for a in ds.agencies}
    for item in ds.items:
        if item.rut:
            continue
        name = names.get(item.ma_don_vi) or item.don_vi_chu_tri or item.ma_don_vi or NO_AGENCY_TEXT
        groups.setdefault(name, []).append(item)
    for items in groups.values():
        items.sort(key=lambda i: (i.effective_deadline or dt.date.max, i.ma_dau_viec))
    return sorted(groups.items(), key=lambda g: (g[0] == NO_AGENCY_TEXT, vn_sort_key(g[0])))


def group_label(n: int, name: str, count: int) -> str:
    return f"{roman(n)}. {name.upper()} ({count} nội dung)"


def body_rows(ds: Dataset, as_of: dt.date) -> list[list[CellValue]]:
    """The rows below the header: a group row (its label in column A) before each agency's items."""
    rows: list[list[CellValue]] = []
    n = 0
    row = _row_values(as_of)
    for g, (name, items) in enumerate(agency_groups(ds), start=1):
        rows.append([group_label(g, name, len(items))])
        for item in items:
            n += 1
            rows.append(row(item, n))
    return rows or [[NO_ITEM_TEXT]]


def _row_values(as_of: dt.date):
    """(item, its number) -> the row of :data:`PRINT_COLUMNS`: the number, the effective
    deadline, the status at ``as_of``, every other column the item's field (a blank as an
    empty cell); the fields read with one ``attrgetter`` call a row."""
    special = {"stt": lambda item, n: n, "thoi_han_hieu_luc": lambda item, n: item.effective_deadline,
               "tinh_trang": lambda item, n: item_status(item, as_of).text}
    keys = [c.key for c in PRINT_COLUMNS if c.key not in special]
    fields = operator.attrgetter(*keys) if len(keys) > 1 else (lambda item: (getattr(item, keys[0]),))
    at = {k: n for n, k in enumerate(keys)}
    parts = [(c.key in special, special.get(c.key), at.get(c.key)) for c in PRINT_COLUMNS]

    def row(item: WorkItem, n: int) -> list[CellValue]:
        got = fields(item)
        return [make(item, n) if computed else (None if got[i] == "" or got[i] is None else got[i])
                for computed, make, i in parts]

    return row


def print_grid(ds: Dataset, as_of: dt.date) -> list[list[CellValue]]:
    """Every row of the sheet from row 1: title block, header, body."""
    titles = title_lines(ds, as_of)
    top: list[list[CellValue]] = [[titles.get(r)] if r in titles else [] for r in range(1, HEADER_ROW)]
    return [*top, [c.header for c in PRINT_COLUMNS], *body_rows(ds, as_of)]


def plan_print_view(plan: WritePlan, ds: Dataset, as_of: dt.date) -> None:
    """The whole sheet, cleared below and right of what it now holds (only the rows that
    changed are written: :mod:`.derived`); a master made before the sheet existed gets it
    (without its page setup: ``init`` makes that)."""
    plan_derived_sheet(plan, ds, L.PRINT_SHEET, print_grid(ds, as_of), WIDTH)
