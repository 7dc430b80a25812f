"""Reminder workbooks (đôn đốc): one per agency, listing overdue and soon-due items."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from ..core.models import Agency, WorkItem
from ..core.paper import A4, MARGIN_SIDE_IN, MARGIN_TOP_IN, width_for, wrapped_row_height
from ..core.text import format_date
from ..core.warning import WarningGroup, xlsxwriter_format
from .templates import ascii_slug

FONT = "Times New Roman"
HEADERS = ("Mã đầu việc", "Nội dung công việc", "Thời hạn", "Số ngày", "Ghi chú")
WIDTHS = (17, 60, 12, 13, 30)


def write_reminder(out_dir: Path, agency: Agency, overdue: list[WorkItem], due_soon: list[WorkItem],
                   as_of: dt.date, programme: str) -> Path:
    """The reminder workbook; rows coloured by warning group (red overdue, orange due soon, as in
    the master). Every text from the agency or the master is written as text, never a formula.
    The file's creation time is the as-of date, so the same list gives the same workbook.
    ``programme`` names the programme as later documents cite it (its number and date once issued)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"DonDoc_{as_of:%Y-%m-%d}_{ascii_slug(agency.code)}.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    wb.set_properties({"title": f"Danh sách đôn đốc — {agency.name}", "author": "Văn phòng UBND tỉnh",
                       "company": "Văn phòng UBND tỉnh", "created": dt.datetime.combine(as_of, dt.time())})
    base = {"font_name": FONT, "font_size": 12, "valign": "top", "text_wrap": True, "border": 1}
    head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "align": "center"})
    title = wb.add_format({"font_name": FONT, "font_size": 14, "bold": True})
    ws = wb.add_worksheet("Đôn đốc")
    widths = (width_for([i.ma_dau_viec for i in (*overdue, *due_soon)], WIDTHS[0]), *WIDTHS[1:])
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, f"DANH SÁCH CÔNG VIỆC CẦN ĐÔN ĐỐC — {agency.name.upper()}", title)
    ws.write_string(1, 0, f"{programme}; tính đến ngày {format_date(as_of)}.",
                    wb.add_format({"font_name": FONT, "italic": True}))
    r = 3
    for caption, items, group in (("I. Công việc đã quá hạn, chưa hoàn thành", overdue, WarningGroup.OVERDUE),
                                  ("II. Công việc sắp đến hạn", due_soon, WarningGroup.DUE_SOON)):
        look = xlsxwriter_format(group)
        fmt = wb.add_format({**base, **look})
        date = wb.add_format({**base, **look, "num_format": "dd/mm/yyyy", "align": "center"})
        ws.write_string(r, 0, f"{caption} ({len(items)} việc)", wb.add_format({"font_name": FONT, "bold": True}))
        r += 1
        ws.write_row(r, 0, HEADERS, head)
        r += 1
        for i in items:
            e = i.effective_deadline
            late = group is WarningGroup.OVERDUE
            days = (as_of - e).days if late else (e - as_of).days
            ws.write_string(r, 0, i.ma_dau_viec, fmt)
            ws.write_string(r, 1, i.noi_dung, fmt)
            ws.write_datetime(r, 2, dt.datetime.combine(e, dt.time()), date)
            ws.write_string(r, 3, f"quá {days} ngày" if late else f"còn {days} ngày", fmt)
            ws.write_string(r, 4, i.tinh_hinh or "", fmt)
            height = wrapped_row_height(zip((i.ma_dau_viec, i.noi_dung, "", "", i.tinh_hinh or ""), widths))
            if height:  # LibreOffice and previewers do not fit row heights: every wrapped line shows
                ws.set_row(r, height)
            r += 1
        r += 1
    ws.repeat_rows(4)  # the first table's header on every page
    ws.set_paper(A4)
    ws.set_landscape()
    ws.set_margins(left=MARGIN_SIDE_IN, right=MARGIN_SIDE_IN, top=MARGIN_TOP_IN, bottom=MARGIN_TOP_IN)
    ws.set_footer(f'&C&"{FONT},Regular"&10Trang &P/&N')
    ws.fit_to_pages(1, 0)
    wb.close()
    return path
