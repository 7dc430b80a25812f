"""Build a new master workbook (.xlsm) with XlsxWriter: every sheet of SPEC §6, the
formulas of the summary, native charts, conditional formats, and the buttons with their VBA.

Later runs never rebuild it: they patch the managed cells (see :mod:`ctcong_xl.io.master`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from ..core import layout as L
from ..core.forms import PROGRAMME_COLUMNS, PROGRAMME_SHEET, column_letter, programme_letter
from ..core.models import Agency, ProgrammeConfig
from ..core.status import COUNTED, Status
from ..core.summary import NARRATIVE_PHRASES
from . import vba

FONT = "Times New Roman"
HEADER_BG = "#DDEBF7"
SUMMARY_AGENCY_HEADER_ROW = 20  # 1-based row of the per-agency table header on the summary sheet


def _ref(sheet: str, col_key: str) -> str:
    c = programme_letter(col_key)
    return f"'{sheet}'!${c}$2:${c}${L.MAX_ROWS}"


def _status_range() -> str:
    return _ref(PROGRAMME_SHEET, "tinh_trang")


def build_master(path: Path, config: ProgrammeConfig, agencies: list[Agency]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"use_future_functions": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_size(1600, 1000)
    base = {"font_name": FONT, "font_size": 12, "valign": "top"}
    f = {
        "base": wb.add_format(base),
        "wrap": wb.add_format({**base, "text_wrap": True}),
        "date": wb.add_format({**base, "num_format": "dd/mm/yyyy", "align": "center"}),
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
        "cell_int": wb.add_format({**base, "border": 1, "num_format": "0", "align": "center"}),
        "cell_pct": wb.add_format({**base, "border": 1, "num_format": "0.0%", "align": "center"}),
        "bold_int": wb.add_format({**base, "border": 1, "num_format": "0", "align": "center", "bold": True}),
        "red": wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"}),
        "orange": wb.add_format({"font_color": "#7F4F00", "bg_color": "#FFE0B2"}),
        "green": wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"}),
        "grey": wb.add_format({"font_color": "#7F7F7F", "font_strikeout": True}),
    }
    sheets = [L.CONTROL_SHEET, L.INSTRUCTIONS_SHEET, L.CONFIG_SHEET, L.REGISTRY_SHEET, PROGRAMME_SHEET,
              L.MONTHLY_SHEET, L.SUMMARY_SHEET, L.VALIDATION_LOG_SHEET, L.IMPORT_LOG_SHEET, vba.XLWINGS_CONF_SHEET]
    ws = {name: wb.add_worksheet(name) for name in sheets}
    _control(ws[L.CONTROL_SHEET], f, config)
    _instructions(ws[L.INSTRUCTIONS_SHEET], f)
    _config(wb, ws[L.CONFIG_SHEET], f, config)
    _registry(ws[L.REGISTRY_SHEET], f, agencies)
    _programme(ws[PROGRAMME_SHEET], f)
    _table_sheet(ws[L.MONTHLY_SHEET], f, L.MONTHLY_COLUMNS)
    _summary(wb, ws[L.SUMMARY_SHEET], f, agencies, config)
    _table_sheet(ws[L.VALIDATION_LOG_SHEET], f, L.VALIDATION_LOG_COLUMNS)
    _table_sheet(ws[L.IMPORT_LOG_SHEET], f, L.IMPORT_LOG_COLUMNS)
    conf = ws[vba.XLWINGS_CONF_SHEET]
    for r, (k, v) in enumerate(vba.XLWINGS_CONF.items()):
        conf.write_string(r, 0, k)
        conf.write_string(r, 1, v)
    conf.hide()
    ws[L.CONTROL_SHEET].activate()
    vba.attach(wb, ws[L.CONTROL_SHEET], sheets, first_row=6)
    for w in ws.values():
        w.set_paper(9)
        w.set_landscape()
        w.fit_to_pages(1, 0)
    wb.set_properties({"title": f"Chương trình công tác năm {config.year}", "author": "ctcong-xl",
                       "company": "Văn phòng UBND tỉnh"})
    wb.close()


def _control(w, f, config: ProgrammeConfig) -> None:
    w.set_column(0, 0, 26)
    w.set_column(1, 1, 90)
    w.write(0, 0, f"CHƯƠNG TRÌNH CÔNG TÁC NĂM {config.year} CỦA UBND TỈNH", f["title"])
    w.write(1, 0, "Bảng điều khiển — bấm nút để chạy từng việc; kết quả hiện trong các trang của sổ này.", f["subtitle"])
    w.write(3, 0, "Nút", f["label"])
    w.write(3, 1, "Việc làm", f["label"])


def _instructions(w, f) -> None:
    w.set_column(0, 0, 120, f["wrap"])
    lines = [
        ("HƯỚNG DẪN SỬ DỤNG SỔ CHƯƠNG TRÌNH CÔNG TÁC", f["title"]),
        ("1. Trang “Cấu hình”: năm chương trình, số và ngày ban hành, ngày báo cáo, hạn đăng ký. Ô màu vàng được sửa.", None),
        ("2. Trang “Đơn vị”: danh mục đơn vị (mã, tên, loại, email). Thêm đơn vị mới ở cuối danh sách.", None),
        ("3. Trang “Chương trình năm”: mỗi dòng là một đầu việc (việc định kỳ có một dòng cho mỗi kỳ). "
         "Các cột “Thời hạn được duyệt”, “Rút khỏi chương trình”, “Ghi chú của Văn phòng” do Văn phòng ghi tay; "
         "công cụ không bao giờ ghi đè các cột này. Cột “Tình trạng” là công thức, không sửa.", None),
        ("4. Trang “Tổng hợp”: số liệu theo tình trạng, đơn vị, lãnh đạo, tháng; đoạn báo cáo và biểu đồ tự cập nhật.", None),
        ("5. Tệp đơn vị gửi về: lưu vào thư mục inbox, bấm “Kiểm tra”, rồi “Tổng hợp”. Tệp có lỗi được trả lại "
         "(thư mục returned) kèm chú thích từng ô.", None),
        ("6. Mọi tệp đã tổng hợp được lưu trong thư mục archive; nhật ký ở trang “Nhật ký tổng hợp”.", None),
        ("7. Sửa tay một ô của đơn vị (ví dụ nội dung công việc) được giữ lại; lần tổng hợp sau sẽ báo, không ghi đè.", None),
    ]
    for r, (text, fmt) in enumerate(lines):
        w.write(r, 0, text, fmt or f["wrap"])


def _config(wb, w, f, config: ProgrammeConfig) -> None:
    w.set_column(0, 0, 52, f["base"])
    w.set_column(1, 1, 20, f["base"])
    w.set_column(2, 2, 4)
    w.set_column(3, 3, 40, f["base"])
    w.write_row(0, 0, ["Thông số", "Giá trị"], f["header"])
    w.write(0, 3, "Lãnh đạo UBND tỉnh", f["header"])
    values = {
        "year": config.year,
        "program_number": config.program_number,
        "program_date": config.program_date,
        "as_of": config.as_of,
        "annual_deadline": config.default_annual_deadline(),
        "monthly_deadline_day": config.monthly_deadline_day,
        "remind_within_days": config.remind_within_days,
    }
    for field in L.CONFIG_FIELDS:
        r = L.config_row(field.key) - 1
        w.write(r, 0, field.label, f["label"])
        v = values[field.key]
        if field.type == "date":
            if v is None:
                w.write_blank(r, 1, None, f["input_date"])
            else:
                w.write_datetime(r, 1, dt.datetime.combine(v, dt.time()), f["input_date"])
        elif field.type == "int":
            w.write_number(r, 1, v, f["input"])
        else:
            w.write_string(r, 1, v or "", f["input"])
        wb.define_name(field.name, f"='{L.CONFIG_SHEET}'!$B${r + 1}")
        if field.help:
            w.write_comment(r, 1, field.help)
    for i, leader in enumerate(config.leaders):
        w.write_string(i + 1, L.LEADERS_COL - 1, leader, f["input"])
    wb.define_name(L.LEADERS_NAME, f"='{L.CONFIG_SHEET}'!$D$2:$D$30")


def _registry(w, f, agencies: list[Agency]) -> None:
    cols = L.REGISTRY_COLUMNS
    for i, c in enumerate(cols):
        w.set_column(i, i, c.width, f["date"] if c.type == "date" else f["base"])
    w.write_row(0, 0, [c.header for c in cols], f["header"])
    w.freeze_panes(1, 0)
    for r, a in enumerate(agencies, start=1):
        w.write_row(r, 0, [a.code, a.name, a.kind, a.email])
    for r in range(1, max(len(agencies), 1) + 120):
        w.write_formula(r, len(cols) - 1, registry_punctuality_formula(r + 1), None, "")
    w.autofilter(0, 0, max(len(agencies), 1), len(cols) - 1)


def registry_punctuality_formula(row: int) -> str:
    e = f"E{row}"
    return (f'=IF(A{row}="","",IF({e}="","Chưa gửi",IF({e}<=HanDangKyNam,"Đúng hạn",'
            f'"Chậm "&({e}-HanDangKyNam)&" ngày")))')


def _programme(w, f) -> None:
    for i, c in enumerate(PROGRAMME_COLUMNS):
        fmt = f["date"] if c.type == "date" or c.key == "thoi_han_hieu_luc" else f["wrap"] if c.width >= 20 else f["base"]
        opts = {"hidden": True} if c.key == "dau_kiem" else {}
        w.set_column(i, i, c.width, fmt, opts)
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
    w.conditional_format(*rng, {"type": "formula", "criteria": f'=${status}2="{Status.RUT_KHOI.text}"', "format": f["grey"]})
    w.conditional_format(*rng, {"type": "formula", "criteria": f'=${status}2="{Status.CHUA_HOAN_THANH.text}"', "format": f["red"]})
    w.conditional_format(*rng, {"type": "formula",
                                "criteria": f'=AND(${status}2="{Status.DANG_THUC_HIEN.text}",${eff}2-NgayBaoCao<=SoNgayNhacTruoc)',
                                "format": f["orange"]})
    w.conditional_format(*rng, {"type": "formula", "criteria": f'=LEFT(${status}2,10)="Hoàn thành"', "format": f["green"]})
    rut = PROGRAMME_COLUMNS.index(next(c for c in PROGRAMME_COLUMNS if c.key == "rut"))
    w.data_validation(1, rut, L.MAX_ROWS - 1, rut, {"validate": "list", "source": ["x"],
                                                     "input_title": "Rút khỏi chương trình",
                                                     "input_message": "Ghi x nếu việc được rút."})
    adj = [i for i, c in enumerate(PROGRAMME_COLUMNS) if c.key == "thoi_han_dieu_chinh"][0]
    w.data_validation(1, adj, L.MAX_ROWS - 1, adj, {"validate": "date", "criteria": ">", "value": dt.date(2000, 1, 1),
                                                     "error_message": "Ghi một ngày, ví dụ 30/06/2026."})


def _table_sheet(w, f, cols) -> None:
    for i, c in enumerate(cols):
        fmt = f["date"] if c.type == "date" else f["wrap"] if c.width >= 30 else f["base"]
        w.set_column(i, i, c.width, fmt)
    w.write_row(0, 0, [c.header for c in cols], f["header"])
    w.freeze_panes(1, 0)
    w.autofilter(0, 0, 0, len(cols) - 1)


def _summary(wb, w, f, agencies: list[Agency], config: ProgrammeConfig) -> None:
    """Formulas over the programme; the same numbers Python computes (tests prove it)."""
    st = _status_range()
    agency_rng = _ref(PROGRAMME_SHEET, "ma_don_vi")
    leader_rng = _ref(PROGRAMME_SHEET, "lanh_dao")
    eff_rng = _ref(PROGRAMME_SHEET, "thoi_han_hieu_luc")
    w.set_column(0, 0, 34)
    w.set_column(1, 1, 38)
    w.set_column(2, 9, 13)
    w.write(0, 0, f"TỔNG HỢP TÌNH HÌNH THỰC HIỆN CHƯƠNG TRÌNH CÔNG TÁC NĂM {config.year}", f["title"])
    w.write(1, 0, "Ngày báo cáo:", f["label"])
    w.write_formula(1, 1, "=NgayBaoCao", f["date"])
    # status totals: rows 5..9 (1-based), total row 10, rate row 11
    w.write_row(3, 0, ["Tình trạng", "Số công việc", "Tỷ lệ"], f["header"])
    order = [*COUNTED, Status.RUT_KHOI]
    for i, s in enumerate(order):
        r = 4 + i
        w.write(r, 0, s.text, f["cell"])
        w.write_formula(r, 1, f'=COUNTIFS({st},A{r + 1})', f["cell_int"])
        if s is not Status.RUT_KHOI:
            w.write_formula(r, 2, f"=IF($B$10=0,0,B{r + 1}/$B$10)", f["cell_pct"])
    w.write(9, 0, "Tổng số (không tính việc đã rút)", f["label"])
    w.write_formula(9, 1, "=SUM(B5:B8)", f["bold_int"])
    w.write(10, 0, "Tỷ lệ đúng hạn trên số việc đã hoàn thành", f["label"])
    w.write_formula(10, 1, "=IF(B5+B6=0,0,B5/(B5+B6))", f["cell_pct"])
    w.write(11, 0, "Số đơn vị có đầu việc", f["label"])
    n = len(agencies)
    first = SUMMARY_AGENCY_HEADER_ROW + 1
    last = first + max(n, 1) - 1
    tot_col = column_letter(3 + len(COUNTED) + 1)  # after code, name, 4 counted, withdrawn
    w.write_formula(11, 1, f'=COUNTIF({tot_col}{first}:{tot_col}{last},">0")', f["bold_int"])
    # the paragraph
    w.write(13, 0, "Đoạn báo cáo", f["label"])
    w.merge_range(14, 0, 17, 9, "", f["para"])
    w.write_formula(14, 0, narrative_formula(), f["para"])
    # per agency
    hdr = SUMMARY_AGENCY_HEADER_ROW - 1
    heads = ["Mã đơn vị", "Tên đơn vị", *[s.text for s in COUNTED], Status.RUT_KHOI.text, "Tổng số",
             "Tỷ lệ đúng hạn", "Đăng ký năm"]
    w.set_row(hdr, 48)
    w.write_row(hdr, 0, heads, f["header"])
    for i in range(max(n, 1)):
        r = hdr + 1 + i
        rr = r + 1
        reg = i + 2
        w.write_formula(r, 0, f"=IF('{L.REGISTRY_SHEET}'!A{reg}=\"\",\"\",'{L.REGISTRY_SHEET}'!A{reg})", f["cell"])
        w.write_formula(r, 1, f"=IF('{L.REGISTRY_SHEET}'!B{reg}=\"\",\"\",'{L.REGISTRY_SHEET}'!B{reg})", f["cell"])
        for j in range(len(order)):
            col = column_letter(3 + j)
            w.write_formula(r, 2 + j, f"=COUNTIFS({agency_rng},$A{rr},{st},{col}${hdr + 1})", f["cell_int"])
        w.write_formula(r, 2 + len(order), f"=SUM(C{rr}:F{rr})", f["bold_int"])
        w.write_formula(r, 3 + len(order), f"=IF(C{rr}+D{rr}=0,\"\",C{rr}/(C{rr}+D{rr}))", f["cell_pct"])
        w.write_formula(r, 4 + len(order), f"='{L.REGISTRY_SHEET}'!F{reg}&\"\"", f["cell"])
    # per leader
    lead_hdr = last + 2
    w.write_row(lead_hdr, 0, ["Lãnh đạo UBND tỉnh phụ trách", "", *[s.text for s in COUNTED], "", "Tổng số"], f["header"])
    nlead = max(len(config.leaders), 1)
    for i in range(nlead):
        r = lead_hdr + 1 + i
        rr = r + 1
        w.write_formula(r, 0, f"=IF(INDEX({L.LEADERS_NAME},{i + 1})=\"\",\"\",INDEX({L.LEADERS_NAME},{i + 1}))", f["cell"])
        for j in range(len(COUNTED)):
            col = column_letter(3 + j)
            w.write_formula(r, 2 + j, f"=IF($A{rr}=\"\",\"\",COUNTIFS({leader_rng},$A{rr},{st},{col}${lead_hdr + 1}))", f["cell_int"])
        w.write_formula(r, 7, f"=IF($A{rr}=\"\",\"\",SUM(C{rr}:F{rr}))", f["bold_int"])
    # per month of effective deadline
    mon_hdr = lead_hdr + nlead + 2
    w.write_row(mon_hdr, 0, ["Tháng (theo thời hạn hiệu lực)", "", *[s.text for s in COUNTED], "", "Tổng số"], f["header"])
    for m in range(1, 13):
        r = mon_hdr + m
        rr = r + 1
        w.write(r, 0, f"Tháng {m}", f["cell"])
        lo = f"DATE(NamChuongTrinh,{m},1)"
        hi = f"EOMONTH(DATE(NamChuongTrinh,{m},1),0)"
        for j in range(len(COUNTED)):
            col = column_letter(3 + j)
            w.write_formula(r, 2 + j, f'=COUNTIFS({eff_rng},">="&{lo},{eff_rng},"<="&{hi},{st},{col}${mon_hdr + 1})', f["cell_int"])
        w.write_formula(r, 7, f"=SUM(C{rr}:F{rr})", f["bold_int"])
    _charts(wb, w, n, hdr, mon_hdr)


def _charts(wb, w, n: int, hdr: int, mon_hdr: int) -> None:
    sheet = L.SUMMARY_SHEET
    colors = ["#2E7D32", "#F9A825", "#C62828", "#1565C0"]
    bar = wb.add_chart({"type": "bar", "subtype": "stacked"})
    first, last = hdr + 1, hdr + max(n, 1)
    for j, color in enumerate(colors):
        bar.add_series({
            "name": [sheet, hdr, 2 + j],
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, 2 + j, last, 2 + j],
            "fill": {"color": color},
            "gap": 40,
        })
    bar.set_title({"name": "Tình trạng công việc theo đơn vị", "name_font": {"name": FONT, "size": 13}})
    bar.set_legend({"position": "bottom", "font": {"name": FONT}})
    bar.set_y_axis({"reverse": True, "num_font": {"name": FONT}})
    bar.set_x_axis({"num_font": {"name": FONT}})
    bar.set_size({"width": 760, "height": max(360, 22 * max(n, 1) + 120)})
    w.insert_chart(hdr, 11, bar)
    dough = wb.add_chart({"type": "doughnut"})
    dough.add_series({
        "name": "Tình trạng",
        "categories": [sheet, 4, 0, 7, 0],
        "values": [sheet, 4, 1, 7, 1],
        "points": [{"fill": {"color": c}} for c in colors],
        "data_labels": {"value": True},
    })
    dough.set_title({"name": "Tỷ lệ theo tình trạng", "name_font": {"name": FONT, "size": 13}})
    dough.set_legend({"position": "right", "font": {"name": FONT}})
    dough.set_size({"width": 520, "height": 300})
    w.insert_chart(0, 11, dough)
    trend = wb.add_chart({"type": "column", "subtype": "stacked"})
    for j, color in enumerate(colors):
        trend.add_series({
            "name": [sheet, mon_hdr, 2 + j],
            "categories": [sheet, mon_hdr + 1, 0, mon_hdr + 12, 0],
            "values": [sheet, mon_hdr + 1, 2 + j, mon_hdr + 12, 2 + j],
            "fill": {"color": color},
        })
    trend.set_title({"name": "Công việc theo tháng đến hạn", "name_font": {"name": FONT, "size": 13}})
    trend.set_legend({"position": "bottom", "font": {"name": FONT}})
    trend.set_size({"width": 760, "height": 340})
    w.insert_chart(mon_hdr, 11, trend)


def narrative_formula() -> str:
    """SPEC §8 as one formula over the summary cells (B5..B9 counts, B10 total, B12 units).
    Must read exactly like :func:`ctcong_xl.core.summary.narrative` (tests compare them)."""
    cells = {Status.DUNG_HAN: "B5", Status.KHONG_DUNG_HAN: "B6", Status.CHUA_HOAN_THANH: "B7",
             Status.DANG_THUC_HIEN: "B8"}
    parts = ",".join(f'IF({cells[s]}>0,{cells[s]}&" {NARRATIVE_PHRASES[s]}","")' for s in COUNTED)
    as_of = ('IF(NgayBaoCao=EOMONTH(NgayBaoCao,0),"đến cuối tháng "&MONTH(NgayBaoCao)&"/"&YEAR(NgayBaoCao),'
             '"đến ngày "&TEXT(DAY(NgayBaoCao),"00")&"/"&TEXT(MONTH(NgayBaoCao),"00")&"/"&YEAR(NgayBaoCao))')
    return ('="Năm "&NamChuongTrinh&", UBND tỉnh ban hành Chương trình công tác năm"'
            '&IF(SoChuongTrinh="",""," số "&SoChuongTrinh)'
            '&" có tổng số "&B10&" đầu việc được giao cho "&B12&" đơn vị; "&' + as_of +
            f'&IF(B10=0," chưa có công việc nào"," có "&TEXTJOIN(", ",TRUE,{parts}))&"."'
            '&IF(B9>0," Ngoài ra, có "&B9&" công việc đã rút khỏi chương trình.","")')
