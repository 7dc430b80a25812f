"""The master workbook's layout: its sheets, the configuration cells and their defined names,
and the columns of the registry, monthly programme and log sheets. One definition that the
builder, the reader, the write plan and the live-Excel door all use."""

from __future__ import annotations

from dataclasses import dataclass

from .forms import MONTHLY, Column
from .sheets import (  # noqa: F401  (the sheets' names, given here with the rest of the layout)
    CONTROL_SHEET, INSTRUCTIONS_SHEET, CONFIG_SHEET, REGISTRY_SHEET,
    MONTHLY_SHEET, SUMMARY_SHEET, VALIDATION_LOG_SHEET, IMPORT_LOG_SHEET,
    HISTORY_SHEET, SEND_LOG_SHEET, RANKING_SHEET, BACKLOG_SHEET,
    LEADERS_SHEET, REVIEW_SHEETS, PRINT_SHEET, DERIVED_SHEETS,
    DOCTOR_SHEET, XLWINGS_CONF_SHEET,
)

MAX_ROWS = 1048576  # the sheet's last row: the programme's filter, validations and formats cover every row
MASTER_FILENAME = "ChuongTrinhCongTac_{year}.xlsm"


@dataclass(frozen=True)
class ConfigField:
    key: str
    label: str
    type: str  # int | text | date
    name: str  # defined name of the value cell (column B)
    help: str = ""


CONFIG_FIELDS: tuple[ConfigField, ...] = (
    ConfigField("year", "Năm chương trình", "int", "NamChuongTrinh"),
    ConfigField("program_number", "Số chương trình công tác năm", "text", "SoChuongTrinh",
                "Ví dụ 27/CTr-UBND"),
    ConfigField("program_date", "Ngày ban hành chương trình", "date", "NgayBanHanh"),
    ConfigField("as_of", "Ngày báo cáo", "date", "NgayBaoCao",
                "Tình trạng các việc được tính đến ngày này"),
    ConfigField("annual_deadline", "Hạn đăng ký chương trình năm", "date", "HanDangKyNam"),
    ConfigField("monthly_deadline_day", "Hạn đăng ký chương trình tháng (ngày của tháng trước)", "int",
                "NgayHanDangKyThang"),
    ConfigField("remind_within_days", "Nhắc việc sắp đến hạn trước (ngày)", "int", "SoNgayNhacTruoc"),
    # the administrative documents (báo cáo, chương trình): NĐ 30/2020/NĐ-CP
    ConfigField("province", "Tên tỉnh", "text", "TenTinh", "Không ghi chữ “tỉnh”, ví dụ Lâm Đồng"),
    ConfigField("place", "Địa danh ghi ngày tháng văn bản", "text", "DiaDanh",
                "Bỏ trống thì dùng tên tỉnh"),
    ConfigField("office_name", "Cơ quan lập báo cáo", "text", "CoQuanBaoCao", "Ví dụ Văn phòng"),
    ConfigField("report_number", "Số báo cáo", "text", "SoBaoCao",
                "Ví dụ 125/BC-VP; bỏ trống để ghi số khi ban hành"),
    ConfigField("report_signer_authority", "Thẩm quyền ký báo cáo", "text", "ThamQuyenKyBaoCao",
                "Ví dụ KT. CHÁNH VĂN PHÒNG; bỏ trống khi người đứng đầu ký"),
    ConfigField("report_signer_title", "Chức vụ người ký báo cáo", "text", "ChucVuKyBaoCao"),
    ConfigField("report_signer_name", "Họ tên người ký báo cáo", "text", "NguoiKyBaoCao"),
    ConfigField("report_recipients", "Nơi nhận báo cáo", "text", "NoiNhanBaoCao", "Các nơi nhận cách nhau bởi dấu ;"),
    ConfigField("programme_signer_authority", "Thẩm quyền ký chương trình", "text", "ThamQuyenKyChuongTrinh"),
    ConfigField("programme_signer_title", "Chức vụ người ký chương trình", "text", "ChucVuKyChuongTrinh"),
    ConfigField("programme_signer_name", "Họ tên người ký chương trình", "text", "NguoiKyChuongTrinh"),
    ConfigField("legal_basis", "Căn cứ ban hành chương trình", "text", "CanCuChuongTrinh",
                "Các căn cứ cách nhau bởi dấu ;"),
    ConfigField("programme_recipients", "Nơi nhận chương trình", "text", "NoiNhanChuongTrinh",
                "Các nơi nhận cách nhau bởi dấu ;"),
    ConfigField("smtp_host", "Máy chủ thư điện tử (SMTP)", "text", "MayChuThu",
                "Ví dụ mail.tinhmau.gov.vn; để trống nếu không gửi thư từ công cụ"),
    ConfigField("smtp_port", "Cổng máy chủ thư", "int", "CongMayChuThu", "587 (STARTTLS) hoặc 465 (SSL)"),
    ConfigField("smtp_security", "Bảo mật kết nối thư (STARTTLS, SSL hoặc Không)", "text", "BaoMatThu"),
    ConfigField("smtp_user", "Tài khoản đăng nhập máy chủ thư", "text", "TaiKhoanThu",
                "Mật khẩu không ghi trong sổ: đặt biến môi trường CTCONG_SMTP_PASSWORD trên máy gửi thư"),
    ConfigField("mail_from", "Địa chỉ gửi thư", "text", "DiaChiGuiThu", "Để trống = tài khoản đăng nhập"),
    ConfigField("mail_sender_name", "Tên người gửi thư", "text", "TenNguoiGuiThu"),
    # the emulation ranking (thi đua), see ctcong_xl.core.ranking
    ConfigField("rank_points_on_time", "Thi đua — điểm việc đúng hạn", "int", "DiemDungHan"),
    ConfigField("rank_days_small", "Thi đua — chậm ít: đến số ngày", "int", "SoNgayChamIt"),
    ConfigField("rank_points_late_small", "Thi đua — điểm việc chậm ít", "int", "DiemChamIt"),
    ConfigField("rank_days_medium", "Thi đua — chậm vừa: đến số ngày", "int", "SoNgayChamVua"),
    ConfigField("rank_points_late_medium", "Thi đua — điểm việc chậm vừa", "int", "DiemChamVua"),
    ConfigField("rank_points_late_large", "Thi đua — điểm việc chậm nhiều hơn", "int", "DiemChamNhieu"),
    ConfigField("rank_points_not_done", "Thi đua — điểm việc chưa thực hiện", "int", "DiemChuaThucHien"),
    ConfigField("rank_weight_annual", "Thi đua — trọng số đăng ký năm", "int", "TrongSoDangKyNam"),
    ConfigField("rank_weight_monthly", "Thi đua — trọng số đăng ký tháng", "int", "TrongSoDangKyThang"),
    ConfigField("rank_weight_execution", "Thi đua — trọng số thực hiện đúng hạn", "int", "TrongSoThucHien"),
    ConfigField("rank_weight_backlog", "Thi đua — trọng số nợ đọng", "int", "TrongSoNoDong"),
    ConfigField("backups_kept", "Số bản sao lưu sổ tổng hợp giữ lại (archive/master-backups)", "int", "SoBanSaoLuu",
                "Mỗi lần ghi sổ, công cụ lưu một bản sao; các bản cũ hơn số này được xóa"),
    # limits on incoming files (SECURITY.md); a master made before they existed uses the defaults
    ConfigField("max_files", "Giới hạn: số tệp đọc trong một lần chạy", "int", "GioiHanSoTep",
                "Các tệp còn lại được đọc ở lần chạy sau"),
    ConfigField("max_file_mb", "Giới hạn: dung lượng một tệp (MB)", "int", "GioiHanDungLuongTep"),
    ConfigField("max_part_mb", "Giới hạn: dung lượng giải nén của một phần trong tệp (MB)", "int",
                "GioiHanPhanGiaiNen"),
    ConfigField("max_part_ratio", "Giới hạn: tỷ lệ nén của một phần lớn hơn 1 MB", "int", "GioiHanTyLeNen"),
    ConfigField("max_rows", "Giới hạn: số dòng của một trang", "int", "GioiHanSoDong"),
    ConfigField("max_columns", "Giới hạn: số cột của một trang", "int", "GioiHanSoCot"),
    ConfigField("max_cell_chars", "Giới hạn: số ký tự trong một ô", "int", "GioiHanKyTuO",
                "Excel cho tối đa 32.767 ký tự một ô"),
    ConfigField("worker_memory_mb", "Giới hạn: bộ nhớ để đọc một tệp (MB)", "int", "GioiHanBoNho"),
    ConfigField("worker_seconds", "Giới hạn: thời gian đọc một tệp (giây)", "int", "GioiHanThoiGian"),
)
# The date the workbook computes statuses at: Ngày báo cáo, or today while that cell is blank
# (the tool computes with the day of the run then, so its cached values agree).
STATUS_DATE_NAME = "NgayTinh"
CONFIG_FIRST_ROW = 2  # row of the first field; labels in column A, values in column B
LEADERS_COL = 4  # column D lists the leaders (Lãnh đạo UBND tỉnh), from row 2
LEADERS_NAME = "DanhSachLanhDao"


def config_row(key: str) -> int:
    return CONFIG_FIRST_ROW + [f.key for f in CONFIG_FIELDS].index(key)


def status_date_formula() -> str:
    """The defined name :data:`STATUS_DATE_NAME` (Excel 2010: IF and TODAY)."""
    cell = f"'{CONFIG_SHEET}'!$B${config_row('as_of')}"
    return f'=IF({cell}="",TODAY(),{cell})'


def defined_names() -> dict[str, str]:
    """Every workbook-level defined name of the master (name -> what it refers to, with its
    ``=``): the configuration cells, the leaders list and the status date. The builder defines
    them; every write adds those an older master lacks (formulas the tool writes use them)."""
    names = {f.name: f"='{CONFIG_SHEET}'!$B${config_row(f.key)}" for f in CONFIG_FIELDS}
    names[LEADERS_NAME] = f"='{CONFIG_SHEET}'!$D$2:$D$30"
    names[STATUS_DATE_NAME] = status_date_formula()
    return names


REGISTRY_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã đơn vị", owner="office", width=12),
    Column("name", "Tên đơn vị", owner="office", width=40),
    Column("kind", "Loại", owner="office", width=18),
    Column("email", "Email", owner="office", width=30),
    Column("received_annual", "Ngày nhận đăng ký năm", "date", owner="system", width=14),
    Column("punctuality", "Đánh giá đăng ký năm", "formula", owner="system", width=22),
    Column("added", "Ngày bổ sung vào danh mục", "date", owner="office", width=14,
           help="Đơn vị bổ sung sau khi lập sổ (sắp xếp, sáp nhập): việc đăng ký có hạn trước ngày này "
                "được ghi “Không áp dụng”."),
    Column("merged_into", "Sáp nhập vào (mã đơn vị)", owner="office", width=14),
    Column("merged_on", "Ngày sáp nhập", "date", owner="office", width=14),
)

MONTHLY_COLUMNS: tuple[Column, ...] = (
    Column("ma_viec_thang", "Mã việc tháng", "code", owner="system", width=17),
    Column("thang", "Tháng", "text", owner="system", width=9),
    *(
        Column(c.key, c.header, "date" if c.type == "period" else c.type, owner="agency", width=c.width)
        for c in MONTHLY.columns
        if c.key != "stt"
    ),
    Column("ma_don_vi", "Mã đơn vị", owner="system", width=10),
    Column("ngay_nhan", "Ngày nhận", "date", owner="system", width=12),
    Column("ghi_chu_vp", "Ghi chú của Văn phòng", owner="office", width=22),
    Column("nguon", "Nguồn", owner="system", width=18),
)

VALIDATION_LOG_COLUMNS: tuple[Column, ...] = (
    Column("when", "Thời điểm", width=17),
    Column("file", "Tệp", width=30),
    Column("agency", "Đơn vị", width=10),
    Column("sheet", "Trang", width=16),
    Column("cell", "Ô", width=7),
    Column("severity", "Mức độ", width=9),
    Column("code", "Mã lỗi", width=20),
    Column("value", "Giá trị", width=22),
    Column("message", "Nội dung", width=60),
    Column("hint", "Cách sửa", width=50),
)

IMPORT_LOG_COLUMNS: tuple[Column, ...] = (
    Column("when", "Thời điểm", width=17),
    Column("who", "Người thực hiện", width=16),
    Column("file", "Tệp", width=30),
    Column("sha256", "Mã băm SHA-256", width=20),
    Column("agency", "Đơn vị", width=10),
    Column("kind", "Loại mẫu", width=14),
    Column("added", "Thêm", "int", width=7),
    Column("changed", "Sửa", "int", width=7),
    Column("removed", "Rút", "int", width=7),
    Column("result", "Kết quả", width=40),
)

HISTORY_COLUMNS: tuple[Column, ...] = (
    Column("when", "Thời điểm", width=17),
    Column("who", "Người thực hiện", width=16),
    Column("source", "Tệp hoặc lệnh", width=30),
    Column("code", "Mã đầu việc hoặc đơn vị", width=17),
    Column("field", "Trường thay đổi", width=24),
    Column("old", "Giá trị cũ", width=36),
    Column("new", "Giá trị mới", width=36),
)

OTHER_LEADER_LABEL = "Lãnh đạo khác hoặc chưa phân công"  # the summary's row for unknown or missing leaders

SEND_LOG_COLUMNS: tuple[Column, ...] = (
    Column("when", "Thời điểm", width=17),
    Column("agency", "Đơn vị", width=10),
    Column("address", "Địa chỉ nhận", width=30),
    Column("kind", "Loại thư", width=16),
    Column("file", "Tệp đính kèm", width=30),
    Column("sha256", "Mã băm SHA-256 tệp đính kèm", width=20),
    Column("result", "Kết quả", width=40),
)

def item_code(year: int, agency_code: str, seq: int) -> str:
    """The code of an item of the annual programme: ``2026-STC-001`` (the agency that registered it)."""
    return f"{item_code_prefix(year, agency_code)}{seq:03d}"


def item_code_prefix(year: int, agency_code: str) -> str:
    return f"{year}-{agency_code}-"


def monthly_code(year: int, month: int, agency_code: str, seq: int) -> str:
    """The code of an item of a monthly programme: ``2026-06-STC-01``."""
    return f"{monthly_code_prefix(year, month, agency_code)}{seq:02d}"


def monthly_code_prefix(year: int, month: int, agency_code: str) -> str:
    return f"{year}-{month:02d}-{agency_code}-"


# The columns of the master's tables that hold one code, by what it is: never wrapped (a code is
# one word), each as wide as the longest code the registry makes (:func:`code_texts`).
_CODE_COLUMNS = {
    "ma_dau_viec": "item", "ma_viec_thang": "monthly",
    "ma_don_vi": "agency", "don_vi_dang_ky": "agency", "agency": "agency",
    "code": "item or agency",  # the history: an item's code, or an agency's for a registry change
}


def code_texts(year: int, agency_codes: list[str]) -> dict[str, list[str]]:
    """Column key -> the longest texts of that column the registry's agencies make (the codes
    with the most digits they can have), for the code columns of every table of the master:
    a column sized for them shows each code whole (a commune's item code, ``2026-XDONGTAM-001``,
    is wider than the column a department's needs)."""
    items = [item_code(year, code, 999) for code in agency_codes]
    by_kind = {"item": items, "monthly": [monthly_code(year, 12, code, 99) for code in agency_codes],
               "agency": list(agency_codes), "item or agency": [*items, *agency_codes]}
    return {key: by_kind[kind] for key, kind in _CODE_COLUMNS.items()}


def is_code_column(key: str) -> bool:
    return key in _CODE_COLUMNS


SEVERITY_TEXT = {"error": "Lỗi", "warning": "Cảnh báo"}
KIND_TEXT = {"annual": "Đăng ký năm", "monthly": "Đăng ký tháng", "progress": "Báo cáo tiến độ"}
# the import log's Kết quả texts a run reads back (accepted, rejected and replaced files):
# written by :attr:`ctcong_xl.core.consolidate.FileResult.result_text`
ACCEPTED_PREFIX = "Đã tổng hợp"
REJECTED_TEXT = "Không tổng hợp: tệp có lỗi, đã gửi trả đơn vị"
SUPERSEDED_PREFIX = "Không tổng hợp: tệp có lỗi đã được thay bằng tệp"

__all__ = [n for n in dir() if n.isupper() or n in {"ConfigField", "config_row", "defined_names", "status_date_formula", "item_code", "item_code_prefix", "monthly_code", "monthly_code_prefix", "code_texts", "is_code_column"}]
