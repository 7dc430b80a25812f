"""The names of the master's sheets: one definition, importing nothing, so that what must know
a sheet before anything else is loaded (:mod:`ctcong_xl.io.prefetch`, when a command starts)
can. :mod:`.layout` and :mod:`.forms` give them with the rest of the layout."""

CONTROL_SHEET = "Bảng điều khiển"
INSTRUCTIONS_SHEET = "Hướng dẫn"
CONFIG_SHEET = "Cấu hình"
REGISTRY_SHEET = "Đơn vị"
PROGRAMME_SHEET = "Chương trình năm"  # one row per item instance (core/forms.py: its columns)
MONTHLY_SHEET = "Chương trình tháng"
SUMMARY_SHEET = "Tổng hợp"
VALIDATION_LOG_SHEET = "Nhật ký kiểm tra"
IMPORT_LOG_SHEET = "Nhật ký tổng hợp"
HISTORY_SHEET = "Lịch sử thay đổi"  # append-only: every change a run makes to an item
SEND_LOG_SHEET = "Nhật ký gửi thư"
RANKING_SHEET = "Thi đua"  # the ranked table and its rule, written as values by summary --as-of
BACKLOG_SHEET = "Nợ đọng"  # overdue items by age, per agency and per leader
LEADERS_SHEET = "Theo lãnh đạo"  # each leader's items
REVIEW_SHEETS = (RANKING_SHEET, BACKLOG_SHEET, LEADERS_SHEET)
PRINT_SHEET = "Bản in chương trình"  # the annual programme ready to print (core/printview.py), rewritten with it
DERIVED_SHEETS = (*REVIEW_SHEETS, PRINT_SHEET)  # sheets the tool rewrites whole: their used extent is read
DOCTOR_SHEET = "Kiểm tra máy"  # the button “Kiểm tra máy” writes its checks here (values only)
XLWINGS_CONF_SHEET = "xlwings.conf"  # the sheet xlwings reads its settings from

# the sheets every read of the master reads whole, the largest first: parsed ahead when a
# command starts (io/prefetch.py)
READ_AHEAD_SHEETS = (PROGRAMME_SHEET, PRINT_SHEET)
