"""Build a new master workbook (.xlsm) with XlsxWriter: every sheet of SPEC §6, the
formulas of the summary, native charts, conditional formats, and the buttons with their VBA.

Later runs never rebuild it: they patch the managed cells (see :mod:`ctcong_xl.io.master`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from ..core import layout as L
from ..core.forms import (
    AGENCY_WITHDRAWN_MARK,
    PROGRAMME_COLUMNS,
    PROGRAMME_SHEET,
    WITHDRAWN_MARK,
    column_letter,
    programme_column,
    programme_letter,
)
from ..core.dataset import Dataset
from ..core.models import Agency, ProgrammeConfig
from ..core.status import COUNTED, Status
from ..core.summary import REGISTRATION_NOT_SENT, registry_punctuality_formula
from ..core.summary_sheet import (  # noqa: F401  (re-exported: the layout's cells, for tests and doors)
    AGENCY_TABLE_HEAD,
    LEADER_TABLE_HEAD,
    MONTH_TABLE_HEAD,
    OTHER_LEADER_LABEL,
    SUMMARY_AGENCY_HEADER_ROW,
    SUMMARY_NARRATIVE_CELL,
    SUMMARY_ON_TIME_CELL,
    SUMMARY_SPARE_AGENCY_ROWS,
    SUMMARY_STATUS_FIRST_ROW,
    SUMMARY_STATUS_ORDER,
    SUMMARY_TOTAL_CELL,
    SUMMARY_UNITS_CELL,
    SummaryLayout,
    narrative_formula,
    summary_agency_rows,
    summary_cells,
)
from ..core.warning import STATUS_COLORS, WarningGroup, xlsxwriter_format
from ..core import printview, reviewsheets
from ..core.paper import (A3, A4, MARGIN_SIDE_IN, MARGIN_TOP_IN, fit_to_width_scale, printable_height_pt, row_height,
                          text_lines, width_for, wrapped_row_height)
from ..core.summary import narrative
from . import vba
from .templates import template_filename

FONT = "Times New Roman"
HEADER_BG = "#DDEBF7"
CONTROL_FIRST_BUTTON_ROW = 5  # 0-based row of the first button on the control sheet
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
SUMMARY_WIDTHS = (14, 38, 13, 13, 13, 13, 13, 10, 11, 16, 2)  # columns A..K: the tables, then a narrow gap
PARAGRAPH_ROWS = 4  # the report paragraph: one cell merged over A..J and these rows
PARAGRAPH_FONT_SIZE = 13
HEADER_TABLE_SHEETS = (L.REGISTRY_SHEET, PROGRAMME_SHEET, L.MONTHLY_SHEET, L.VALIDATION_LOG_SHEET, L.IMPORT_LOG_SHEET,
                       L.HISTORY_SHEET, L.SEND_LOG_SHEET)


def build_master(path: Path, config: ProgrammeConfig, agencies: list[Agency]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"use_future_functions": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False,
                                         "default_format_properties": {"font_name": FONT, "font_size": 12}})
    wb.set_size(1600, 1000)
    base = {"font_name": FONT, "font_size": 12, "valign": "top"}
    f = {
        "base": wb.add_format(base),
        "wrap": wb.add_format({**base, "text_wrap": True}),
        "date": wb.add_format({**base, "num_format": "dd/mm/yyyy", "align": "center"}),
        "date_left": wb.add_format({**base, "num_format": "dd/mm/yyyy", "align": "left", "bold": True, "indent": 1}),
        "datetime": wb.add_format({**base, "num_format": DATETIME_FORMAT, "align": "center"}),
        "int": wb.add_format({**base, "num_format": "0", "align": "center"}),
        "pct": wb.add_format({**base, "num_format": "0.0%", "align": "center"}),
        "header": wb.add_format({**base, "bold": True, "text_wrap": True, "align": "center", "valign": "vcenter",
                                 "bg_color": HEADER_BG, "border": 1}),
        "title": wb.add_format({"font_name": FONT, "font_size": 15, "bold": True}),
        "subtitle": wb.add_format({"font_name": FONT, "font_size": 12, "italic": True}),
        "label": wb.add_format({**base, "bold": True}),
        "input": wb.add_format({**base, "bg_color": "#FFF2CC", "border": 1}),
        "input_date": wb.add_format({**base, "bg_color": "#FFF2CC", "border": 1, "num_format": "dd/mm/yyyy",
                                     "align": "left"}),
        "para": wb.add_format({"font_name": FONT, "font_size": 13, "text_wrap": True, "valign": "top", "border": 1}),
        "cell": wb.add_format({**base, "border": 1}),
        "cell_wrap": wb.add_format({**base, "border": 1, "text_wrap": True}),
        "cell_int": wb.add_format({**base, "border": 1, "num_format": "0", "align": "center"}),
        "cell_pct": wb.add_format({**base, "border": 1, "num_format": "0.0%", "align": "center"}),
        "bold_int": wb.add_format({**base, "border": 1, "num_format": "0", "align": "center", "bold": True}),
        **{g.name: wb.add_format(xlsxwriter_format(g)) for g in WarningGroup},
    }
    sheets = [L.CONTROL_SHEET, L.INSTRUCTIONS_SHEET, L.CONFIG_SHEET, L.REGISTRY_SHEET, PROGRAMME_SHEET,
              L.PRINT_SHEET, L.MONTHLY_SHEET, L.SUMMARY_SHEET, *L.REVIEW_SHEETS, L.VALIDATION_LOG_SHEET, L.IMPORT_LOG_SHEET, L.HISTORY_SHEET, L.SEND_LOG_SHEET,
              vba.XLWINGS_CONF_SHEET]
    ws = {name: wb.add_worksheet(name) for name in sheets}
    _control(ws[L.CONTROL_SHEET], f, config)
    _instructions(ws[L.INSTRUCTIONS_SHEET], f)
    _config(wb, ws[L.CONFIG_SHEET], f, config)
    _registry(ws[L.REGISTRY_SHEET], f, agencies)
    codes = L.code_texts(config.year, [a.code for a in agencies])  # the code columns show every code whole
    # the source of a row: the name of the file it came from, as the Office issued it
    codes["nguon"] = [template_filename(kind, a, config.year) for a in agencies for kind in ("annual", "progress")]
    monthly_codes = {**codes, "nguon": [template_filename("monthly", a, config.year, 12) for a in agencies]}
    _programme(ws[PROGRAMME_SHEET], f, codes)
    _print_view(wb, ws[L.PRINT_SHEET], f, config, agencies)
    _table_sheet(ws[L.MONTHLY_SHEET], f, L.MONTHLY_COLUMNS, monthly_codes)
    _summary(wb, ws[L.SUMMARY_SHEET], f, agencies, config)
    for name in L.REVIEW_SHEETS:
        _review_sheet(ws[name], f, name, config.year, codes)
    _table_sheet(ws[L.VALIDATION_LOG_SHEET], f, L.VALIDATION_LOG_COLUMNS, codes)
    _table_sheet(ws[L.IMPORT_LOG_SHEET], f, L.IMPORT_LOG_COLUMNS, codes)
    _table_sheet(ws[L.HISTORY_SHEET], f, L.HISTORY_COLUMNS, codes)
    _table_sheet(ws[L.SEND_LOG_SHEET], f, L.SEND_LOG_COLUMNS, codes)
    conf = ws[vba.XLWINGS_CONF_SHEET]
    for r, (k, v) in enumerate(vba.XLWINGS_CONF.items()):
        conf.write_string(r, 0, k)
        conf.write_string(r, 1, v)
    conf.hide()
    ws[L.CONTROL_SHEET].activate()
    vba.attach(wb, ws[L.CONTROL_SHEET], sheets, first_row=CONTROL_FIRST_BUTTON_ROW, button_col=0)
    for name, w in ws.items():
        w.set_paper(A3 if name == PROGRAMME_SHEET else A4)  # the 27-column working sheet on A3; its print view on A4
        w.set_landscape()
        w.set_margins(left=MARGIN_SIDE_IN, right=MARGIN_SIDE_IN, top=MARGIN_TOP_IN, bottom=MARGIN_TOP_IN)
        w.set_footer(f'&C&"{FONT},Regular"&10Trang &P/&N')  # "Trang x/y" on every printed page
        if name in HEADER_TABLE_SHEETS:
            w.repeat_rows(0)  # the header row on every printed page
        if name == L.SUMMARY_SHEET:
            w.set_print_scale(summary_print_scale())  # pages set by breaks: see _summary
        else:
            w.fit_to_pages(1, 0)
    wb.set_properties({"title": f"Chương trình công tác năm {config.year}", "author": "ctcong-xl",
                       "company": "Văn phòng UBND tỉnh"})
    wb.close()


def _control(w, f, config: ProgrammeConfig) -> None:
    """Title, a one-line help and the header of the button list; :func:`vba.attach` puts the
    buttons in column A and their descriptions in column B from ``CONTROL_FIRST_BUTTON_ROW``."""
    w.write(0, 0, f"CHƯƠNG TRÌNH CÔNG TÁC NĂM {config.year} CỦA UBND TỈNH", f["title"])
    w.write(1, 0, "Bảng điều khiển — bấm nút để chạy từng việc; kết quả hiện trong các trang của sổ này.", f["subtitle"])
    w.write(2, 0, "Ngày báo cáo đặt ở trang “Cấu hình”; số liệu và biểu đồ ở trang “Tổng hợp”.", f["subtitle"])
    w.write(CONTROL_FIRST_BUTTON_ROW - 1, 0, "Nút", f["header"])
    w.write(CONTROL_FIRST_BUTTON_ROW - 1, 1, "Việc làm", f["header"])


INSTRUCTIONS_WIDTH = 120


def _instructions(w, f) -> None:
    w.set_column(0, 0, INSTRUCTIONS_WIDTH, f["wrap"])
    lines = [
        ("HƯỚNG DẪN SỬ DỤNG SỔ CHƯƠNG TRÌNH CÔNG TÁC", f["title"]),
        ("1. Trang “Cấu hình”: năm chương trình, số và ngày ban hành, ngày báo cáo, hạn đăng ký. Ô màu vàng được sửa.", None),
        ("2. Trang “Đơn vị”: danh mục đơn vị (mã, tên, loại, email). Thêm đơn vị mới ở cuối danh sách.", None),
        ("3. Trang “Chương trình năm”: mỗi dòng là một đầu việc (việc định kỳ có một dòng cho mỗi kỳ). "
         "Các cột “Thời hạn được duyệt”, “Rút khỏi chương trình”, “Ghi chú của Văn phòng” do Văn phòng ghi tay; "
         "công cụ không bao giờ ghi đè các cột này. Cột “Tình trạng” là công thức, không sửa.", None),
        ("4. Trang “Bản in chương trình”: chương trình năm để in (khổ A4 ngang), các việc xếp theo đơn vị chủ trì "
         "(thứ tự chữ cái), không có các cột kỹ thuật, không có việc đã rút. Công cụ ghi lại trang này mỗi lần ghi "
         "chương trình năm; không sửa tay trên trang này (sửa ở trang “Chương trình năm”).", None),
        ("5. Trang “Tổng hợp”: số liệu theo tình trạng, đơn vị, lãnh đạo, tháng; đoạn báo cáo và biểu đồ tự cập nhật.", None),
        ("6. Tệp đơn vị gửi về: lưu vào thư mục inbox, bấm “Kiểm tra”, rồi “Tổng hợp”. Tệp có lỗi được trả lại "
         "(thư mục returned) kèm chú thích từng ô.", None),
        ("7. Mọi tệp đã tổng hợp được lưu trong thư mục archive; nhật ký ở trang “Nhật ký tổng hợp”.", None),
        ("8. Sửa tay một ô của đơn vị (ví dụ nội dung công việc) được giữ lại; lần tổng hợp sau sẽ báo, không ghi đè.", None),
    ]
    for r, (text, fmt) in enumerate(lines):
        w.write(r, 0, text, fmt or f["wrap"])
        height = None if fmt else wrapped_row_height([(text, INSTRUCTIONS_WIDTH)])
        if height:
            w.set_row(r, height)


def _config(wb, w, f, config: ProgrammeConfig) -> None:
    w.set_column(0, 0, 52, f["base"])
    w.set_column(1, 1, 20, f["base"])
    w.set_column(2, 2, 4)
    w.set_column(3, 3, 40, f["base"])
    w.write_row(0, 0, ["Thông số", "Giá trị"], f["header"])
    w.write(0, 3, "Lãnh đạo UBND tỉnh", f["header"])
    values = {"annual_deadline": config.default_annual_deadline()}
    for field in L.CONFIG_FIELDS:
        r = L.config_row(field.key) - 1
        w.write(r, 0, field.label, f["label"])
        v = values.get(field.key, getattr(config, field.key))
        if field.type == "date":
            if v is None:
                w.write_blank(r, 1, None, f["input_date"])
            else:
                w.write_datetime(r, 1, dt.datetime.combine(v, dt.time()), f["input_date"])
        elif field.type == "int":
            w.write_number(r, 1, v, f["input"])
        else:
            w.write_string(r, 1, v or "", f["input"])
        if field.help:
            w.write_comment(r, 1, field.help)
    for i, leader in enumerate(config.leaders):
        w.write_string(i + 1, L.LEADERS_COL - 1, leader, f["input"])
    for name, refers_to in L.defined_names().items():
        wb.define_name(name, refers_to)


def _registry(w, f, agencies: list[Agency]) -> None:
    cols = L.REGISTRY_COLUMNS
    texts = {"code": [a.code for a in agencies], "name": [a.name for a in agencies], "kind": [a.kind for a in agencies],
             "email": [a.email for a in agencies]}
    for i, c in enumerate(cols):  # wide enough for the longest code, name, kind and address of the registry
        w.set_column(i, i, width_for(texts.get(c.key, []), c.width), f["date"] if c.type == "date" else f["base"])
    w.set_row(0, 36)
    w.write_row(0, 0, [c.header for c in cols], f["header"])
    for i, c in enumerate(cols):
        if c.help:
            w.write_comment(0, i, c.help)
    w.freeze_panes(1, 0)
    for r, a in enumerate(agencies, start=1):
        for j, text in enumerate((a.code, a.name, a.kind, a.email)):
            w.write_string(r, j, text)  # a name is text even when it starts with "="
    # One formula per agency row: Excel extends it to a row the Office adds below the list,
    # and no empty formula rows print as blank pages.
    rule = [c.key for c in cols].index("punctuality")
    for r in range(1, max(len(agencies), 1) + 1):
        w.write_formula(r, rule, registry_punctuality_formula(r + 1), None,
                        REGISTRATION_NOT_SENT if r <= len(agencies) else "")
    w.autofilter(0, 0, max(len(agencies), 1), len(cols) - 1)


def _programme(w, f, codes: dict[str, list[str]]) -> None:
    for i, c in enumerate(PROGRAMME_COLUMNS):
        # a code on one line, as wide as the longest; a choice wrapped (“Dự thảo văn bản quy phạm pháp luật”)
        fmt = (f["date"] if c.type == "date" or c.key == "thoi_han_hieu_luc"
               else f["wrap"] if (c.width >= 20 or c.type == "choice") and not L.is_code_column(c.key) else f["base"])
        opts = {"hidden": True} if c.key == "dau_kiem" else {}
        w.set_column(i, i, _width(c, codes), fmt, opts)
    w.set_row(0, 45)
    for i, c in enumerate(PROGRAMME_COLUMNS):
        w.write(0, i, c.header, f["header"])
        if c.help:
            w.write_comment(0, i, c.help)
    last = len(PROGRAMME_COLUMNS) - 1
    w.freeze_panes(1, 2)
    w.autofilter(0, 0, L.MAX_ROWS - 1, last)
    status = programme_letter("tinh_trang")
    eff = programme_letter("thoi_han_hieu_luc")
    rng = (1, 0, L.MAX_ROWS - 1, last)
    w.conditional_format(*rng, {"type": "formula", "criteria": f'=${status}2="{Status.RUT_KHOI.text}"', "format": f["WITHDRAWN"]})
    w.conditional_format(*rng, {"type": "formula", "criteria": f'=${status}2="{Status.CHUA_HOAN_THANH.text}"', "format": f["OVERDUE"]})
    w.conditional_format(*rng, {"type": "formula",
                                "criteria": f'=AND(${status}2="{Status.DANG_THUC_HIEN.text}",N(${eff}2)>0,'
                                            f'${eff}2-{L.STATUS_DATE_NAME}<=SoNgayNhacTruoc)',
                                "format": f["DUE_SOON"]})
    w.conditional_format(*rng, {"type": "formula", "criteria": f'=LEFT(${status}2,10)="Hoàn thành"', "format": f["DONE"]})
    rut = PROGRAMME_COLUMNS.index(programme_column("rut"))
    w.data_validation(1, rut, L.MAX_ROWS - 1, rut, {"validate": "list", "source": [WITHDRAWN_MARK, AGENCY_WITHDRAWN_MARK],
                                                     "input_title": "Rút khỏi chương trình",
                                                     "input_message": "Ghi x nếu việc được rút."})
    adj = PROGRAMME_COLUMNS.index(programme_column("thoi_han_dieu_chinh"))
    w.data_validation(1, adj, L.MAX_ROWS - 1, adj, {"validate": "date", "criteria": ">", "value": dt.date(2000, 1, 1),
                                                     "error_message": "Ghi một ngày, ví dụ 30/06/2026."})


def _print_view(wb, w, f, config: ProgrammeConfig, agencies: list[Agency]) -> None:
    """The print view (:mod:`ctcong_xl.core.printview`): its column formats, title block and
    header; groups and items are styled by conditional formats (a group row: bold on a tint;
    an item row: borders), so that the values the patcher rewrites at every write keep their
    look. A4 landscape, fit to one page wide, header row on every page, only its columns."""
    kinds = {"int": wb.add_format({"font_name": FONT, "font_size": printview.FONT_SIZE, "valign": "top",
                                   "align": "left"}),
             "wrap": wb.add_format({"font_name": FONT, "font_size": printview.FONT_SIZE, "valign": "top",
                                    "text_wrap": True}),
             "date": wb.add_format({"font_name": FONT, "font_size": printview.FONT_SIZE, "valign": "top",
                                    "num_format": "dd/mm/yyyy", "align": "center"}),
             "text": wb.add_format({"font_name": FONT, "font_size": printview.FONT_SIZE, "valign": "top"})}
    for i, c in enumerate(printview.PRINT_COLUMNS):
        w.set_column(i, i, c.width, kinds[c.kind])
    last = printview.WIDTH - 1
    head = printview.HEADER_ROW - 1
    ds = Dataset(config=config, agencies=agencies)
    grid = printview.print_grid(ds, config.effective_as_of(dt.date.today()))
    top = {1: wb.add_format({"font_name": FONT, "font_size": 12, "bold": True}),
           3: wb.add_format({"font_name": FONT, "font_size": 14, "bold": True, "align": "center"}),
           4: wb.add_format({"font_name": FONT, "font_size": 12, "italic": True, "align": "center"})}
    for row, fmt in top.items():
        if row == 1:
            w.write_string(0, 0, grid[0][0], fmt)
        else:
            w.merge_range(row - 1, 0, row - 1, last, grid[row - 1][0], fmt)
    w.set_row(head, 36)
    w.write_row(head, 0, grid[head], f["header"])
    for r, values in enumerate(grid[head + 1:], start=head + 1):
        for c, value in enumerate(values):
            if isinstance(value, str):
                w.write_string(r, c, value)
            elif isinstance(value, (int, float)):
                w.write_number(r, c, value)
    first = head + 2
    group = f'=AND($A{first}<>"",$B{first}="")'
    edges = ((0, 0, {"left": 1}), (1, last - 1, {}), (last, last, {"right": 1}))  # one band across the row
    for c1, c2, side in edges:
        w.conditional_format(head + 1, c1, L.MAX_ROWS - 1, c2, {
            "type": "formula", "criteria": group, "stop_if_true": True,
            "format": wb.add_format({"bold": True, "bg_color": HEADER_BG, "top": 1, "bottom": 1, **side})})
    w.conditional_format(head + 1, 0, L.MAX_ROWS - 1, last, {"type": "formula", "criteria": f'=$B{first}<>""',
                                                             "format": wb.add_format({"border": 1})})
    w.freeze_panes(head + 1, 0)
    w.repeat_rows(head)
    w.print_area(0, 0, L.MAX_ROWS - 2, last)  # not whole columns ($A:$H), which some readers cannot parse
    w.center_horizontally()


REVIEW_WIDTHS = {
    L.RANKING_SHEET: (7, 11, 36, 12, 12, 12, 12, 12, 10, 10, 2, 90),
    L.BACKLOG_SHEET: (26, 36, 11, 11, 11, 11, 10, 14),
    L.LEADERS_SHEET: (26, 16, 56, 28, 13, 24, 22, 10),
}


def _review_sheet(w, f, name: str, year: int, codes: dict[str, list[str]]) -> None:
    """A review sheet (:mod:`ctcong_xl.core.reviewsheets`): title, header, column formats (a
    code column as wide as the longest code the registry makes); the rows are written by
    ``summary --as-of``. On the leader sheet each row takes the colour of its warning group (the
    same scheme as the programme sheet)."""
    title, header = reviewsheets.titles(name, year)
    code_columns = reviewsheets.CODE_COLUMNS.get(name, {})
    for i, width in enumerate(REVIEW_WIDTHS[name]):
        if i in code_columns:
            width = width_for(codes[code_columns[i]], width)
        fmt = f["date"] if (name == L.LEADERS_SHEET and i == 4) else f["wrap"] if width >= 20 else f["base"]
        w.set_column(i, i, width, fmt)
    w.write_string(0, 0, title, f["title"])
    w.write_blank(1, 0, None, f["subtitle"])  # the as-of line (written later) runs on one line, unwrapped
    head = reviewsheets.HEADER_ROW - 1
    w.set_row(head, 36)
    w.write_row(head, 0, list(header), f["header"])
    w.freeze_panes(head + 1, 0)
    if name == L.LEADERS_SHEET:
        last = len(header) - 1
        group_col = column_letter(header.index("Nhóm cảnh báo") + 1)
        for group in WarningGroup:
            w.conditional_format(head + 1, 0, L.MAX_ROWS - 1, last, {
                "type": "formula", "criteria": f'=${group_col}{head + 2}="{group.text}"', "format": f[group.name]})
        w.autofilter(head, 0, head, last)
    w.repeat_rows(head)


def _width(c, codes: dict[str, list[str]]) -> float:
    """A column's width: a code column (and the source file's name) as wide as the longest the
    registry makes (at least its own width), any other its own."""
    return width_for(codes[c.key], c.width) if c.key in codes else c.width


def _table_sheet(w, f, cols, codes: dict[str, list[str]]) -> None:
    for i, c in enumerate(cols):
        fmt = (f["datetime"] if c.key == "when" else f["date"] if c.type == "date"
               else f["wrap"] if c.width >= 30 else f["base"])
        w.set_column(i, i, max(c.width, 17) if c.key == "when" else _width(c, codes), fmt)
    w.set_row(0, 36)
    w.write_row(0, 0, [c.header for c in cols], f["header"])
    w.freeze_panes(1, 0)
    w.autofilter(0, 0, 0, len(cols) - 1)


def _summary(wb, w, f, agencies: list[Agency], config: ProgrammeConfig) -> None:
    """The labels, headers and charts of the summary sheet; its formula cells, each with the
    value it computes, come from :func:`ctcong_xl.core.summary_sheet.summary_cells` (the layout
    is described there)."""
    order = SUMMARY_STATUS_ORDER
    for col, width in enumerate(SUMMARY_WIDTHS):
        w.set_column(col, col, width)
    w.write(0, 0, f"TỔNG HỢP TÌNH HÌNH THỰC HIỆN CHƯƠNG TRÌNH CÔNG TÁC NĂM {config.year}", f["title"])
    w.write(1, 0, "Ngày báo cáo:", f["label"])
    # status block
    w.merge_range(3, 0, 3, 1, "Tình trạng", f["header"])
    w.write_row(3, 2, ["Số công việc", "Tỷ lệ"], f["header"])
    for i, s in enumerate(order):
        r = SUMMARY_STATUS_FIRST_ROW - 1 + i
        w.merge_range(r, 0, r, 1, s.text, f["cell"])
        if s is Status.RUT_KHOI:
            w.write_blank(r, 3, None, f["cell"])
    for cell, label in ((SUMMARY_TOTAL_CELL, "Tổng số (không tính việc đã rút)"),
                        (SUMMARY_ON_TIME_CELL, "Tỷ lệ đúng hạn (trên số việc đã hoàn thành)"),
                        (SUMMARY_UNITS_CELL, "Số đơn vị có đầu việc")):
        r = int(cell[1:]) - 1
        w.merge_range(r, 0, r, 1, label, f["label"])
    # the paragraph
    para_row = int(SUMMARY_NARRATIVE_CELL[1:]) - 1
    w.write(para_row - 1, 0, "Đoạn báo cáo", f["label"])
    for r in range(para_row, para_row + PARAGRAPH_ROWS):
        w.set_row(r, paragraph_row_height(config))
    w.merge_range(para_row, 0, para_row + PARAGRAPH_ROWS - 1, 9, "", f["para"])
    layout = SummaryLayout.for_new(len(agencies), len(config.leaders))
    hdr = layout.agency_header - 1  # 0-based rows from here on
    heads = [AGENCY_TABLE_HEAD, "Tên đơn vị", *[s.text for s in order], "Tổng số", "Tỷ lệ đúng hạn", "Đăng ký năm"]
    w.set_row(hdr, 48)
    w.write_row(hdr, 0, heads, f["header"])
    lead_hdr = layout.leader_header - 1
    _count_header(w, f, lead_hdr, LEADER_TABLE_HEAD)
    for r in range(layout.leader_header, layout.other_leader_row - 1):
        w.merge_range(r, 0, r, 1, "", f["cell"])
    w.merge_range(layout.other_leader_row - 1, 0, layout.other_leader_row - 1, 1, OTHER_LEADER_LABEL, f["cell"])
    mon_hdr = layout.month_header - 1
    _count_header(w, f, mon_hdr, MONTH_TABLE_HEAD)
    for m in range(1, 13):
        w.merge_range(mon_hdr + m, 0, mon_hdr + m, 1, f"Tháng {m}", f["cell"])
    ds = Dataset(config=config, agencies=agencies)
    ds.registry_index.rows = {a.code: n for n, a in enumerate(agencies, start=2)}
    for c in summary_cells(ds, config.effective_as_of(dt.date.today()), layout):
        w.write_formula(c.row - 1, c.col - 1, c.value.text, f[c.style], c.value.cached)
    # Printed on A4 landscape pages, each table and each chart readable: the status table and the
    # paragraph, the agency table, the leader and month tables, each followed by the chart beside it.
    w.set_h_pagebreaks([hdr, lead_hdr])
    w.set_v_pagebreaks([CHART_COL])
    w.print_across()
    w.print_area(0, 0, max(mon_hdr + 12, lead_hdr + TREND_ROWS), CHART_COL + CHART_COLUMNS - 1)
    _charts(wb, w, layout.agency_rows, hdr, lead_hdr, mon_hdr)


def summary_print_scale() -> int:
    """The print scale (%) at which the summary's tables (columns A..K) fill the width of an A4
    landscape page: about 80 %, so 12-point text prints at about 9.6 points."""
    return round(100 * fit_to_width_scale(SUMMARY_WIDTHS))


def paragraph_row_height(config: ProgrammeConfig) -> float:
    """The height of each row under the report paragraph, so that the longest paragraph the
    formula can make (every status, five-digit counts, the withdrawn sentence) shows whole."""
    longest = narrative(year=config.year, program_number=config.program_number or "1234/CTr-UBND", total=99999,
                        agencies=999, counts={s.value: 9999 for s in SUMMARY_STATUS_ORDER}, as_of=dt.date(2026, 9, 29))
    lines = text_lines(longest, sum(SUMMARY_WIDTHS[:10]), PARAGRAPH_FONT_SIZE) + 1  # and a line to spare
    return max(21.0, round(row_height(lines, PARAGRAPH_FONT_SIZE) / PARAGRAPH_ROWS, 2))


def _count_header(w, f, row: int, label: str) -> None:
    w.set_row(row, 48)
    w.merge_range(row, 0, row, 1, label, f["header"])
    w.write_row(row, 2, [s.text for s in SUMMARY_STATUS_ORDER], f["header"])
    w.write(row, 7, "Tổng số", f["header"])


CHART_COL = 11  # charts start in column L, right of the tables (A..J, K a narrow gap)
CHART_COLUMNS = 10  # the columns (of the default width) a 600-pixel chart covers
TREND_ROWS = 19  # the rows the monthly chart (360 pixels) covers
CHART_FONT = 12  # chart texts print at about 80 % of it


def _charts(wb, w, n: int, hdr: int, lead_hdr: int, mon_hdr: int) -> None:
    """``n``: the rows of the per-agency table — the registry at init and the spare rows, so
    that the bar chart also shows the agencies the Office adds to the registry later."""
    sheet = L.SUMMARY_SHEET
    font = {"name": FONT, "size": CHART_FONT}
    colors = [STATUS_COLORS[s] for s in COUNTED]
    # status doughnut beside the status block
    dough = wb.add_chart({"type": "doughnut"})
    first_status = SUMMARY_STATUS_FIRST_ROW - 1
    dough.add_series({
        "name": "Tình trạng",
        "categories": [sheet, first_status, 0, first_status + len(COUNTED) - 1, 0],
        "values": [sheet, first_status, 2, first_status + len(COUNTED) - 1, 2],
        "points": [{"fill": {"color": c}} for c in colors],
        "data_labels": {"value": True, "font": {"name": FONT, "size": CHART_FONT, "bold": True, "color": "#FFFFFF"}},
    })
    dough.set_title({"name": "Tỷ lệ theo tình trạng", "name_font": {"name": FONT, "size": CHART_FONT + 2}})
    dough.set_legend({"position": "right", "font": font})
    dough.set_hole_size(50)
    dough.set_size({"width": 600, "height": 330})
    w.insert_chart(0, CHART_COL, dough, {"x_offset": 4, "y_offset": 4})
    # stacked bars per agency, beside the agency table
    bar = wb.add_chart({"type": "bar", "subtype": "stacked"})
    first, last = hdr + 1, hdr + max(n, 1)
    for j, color in enumerate(colors):
        bar.add_series({
            "name": [sheet, hdr, 2 + j],
            "categories": [sheet, first, 1, last, 1],
            "values": [sheet, first, 2 + j, last, 2 + j],
            "fill": {"color": color},
            "gap": 40,
        })
    bar.set_title({"name": "Tình trạng công việc theo đơn vị", "name_font": {"name": FONT, "size": CHART_FONT + 2}})
    bar.set_legend({"position": "bottom", "font": font})
    bar.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": CHART_FONT - 1}})  # every agency's name
    bar.set_x_axis({"num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    body_px = 64 + 20 * (lead_hdr - hdr - 1) - 11  # the rows (15 pt = 20 px) down to the leader table: its page
    page_px = printable_height_pt() / (summary_print_scale() / 100) / 0.75
    bar.set_size({"width": 600, "height": max(300, min(body_px, int(page_px)))})
    w.insert_chart(hdr, CHART_COL, bar, {"x_offset": 4, "y_offset": 3})  # below the page break, whole on its page
    # monthly trend, beside the leader and month tables
    trend = wb.add_chart({"type": "column", "subtype": "stacked"})
    for j, color in enumerate(colors):
        trend.add_series({
            "name": [sheet, mon_hdr, 2 + j],
            "categories": [sheet, mon_hdr + 1, 0, mon_hdr + 12, 0],
            "values": [sheet, mon_hdr + 1, 2 + j, mon_hdr + 12, 2 + j],
            "fill": {"color": color},
            "gap": 60,
        })
    trend.set_title({"name": "Công việc theo tháng đến hạn", "name_font": {"name": FONT, "size": CHART_FONT + 2}})
    trend.set_legend({"position": "bottom", "font": font})
    trend.set_x_axis({"num_font": font})
    trend.set_y_axis({"num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    trend.set_size({"width": 600, "height": 360})
    w.insert_chart(lead_hdr, CHART_COL, trend, {"x_offset": 4, "y_offset": 3})
