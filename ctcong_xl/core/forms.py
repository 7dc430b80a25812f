"""The columns of every form and of the master's programme sheet: one list each.

Each list yields the template (header text, width, dropdown, input help, locked), the reader's
header map (header text -> key), the validator's types and required flags, and the master's
columns with their owner (who may write the column: the agency's submissions, the Office by
hand, or the tool itself). SPEC §5 gives the exact header texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .sheets import PROGRAMME_SHEET  # noqa: F401  (given here with its columns)
from .text import normalize_header

FORM_VERSION = 1
SUPPORTED_FORM_VERSIONS = frozenset({1})

FormKind = Literal["annual", "monthly", "progress"]
FORM_KINDS: tuple[FormKind, ...] = ("annual", "monthly", "progress")

# Column types, interpreted by the validator and the writers.
#   text     free text
#   date     a single date (deadline texts of SPEC §3 allowed for period-typed columns)
#   period   a deadline: date or period text, resolves to a date (SPEC §3)
#   agency   one agency of the registry (blank allowed where not required)
#   agencies several agencies separated by commas / semicolons
#   choice   one of a fixed list (``choices``)
#   code     an item code such as 2026-STC-007
#   int      a whole number
ColType = Literal["text", "date", "period", "agency", "agencies", "choice", "code", "int", "formula", "flag"]
Owner = Literal["agency", "office", "system", "progress"]

LOAI_CONG_VIEC = (
    "Đề án",
    "Dự thảo văn bản quy phạm pháp luật",
    "Báo cáo",
    "Kế hoạch",
    "Tờ trình",
    "Chương trình",
    "Khác",
)
CAP_TRINH = ("UBND tỉnh", "Chủ tịch UBND tỉnh", "HĐND tỉnh", "Tỉnh ủy")
DINH_KY = ("Hằng tháng", "Hằng quý", "6 tháng", "Hằng năm")  # blank = once
HINH_THUC = (
    "Họp",
    "Hội nghị",
    "Làm việc",
    "Kiểm tra, khảo sát",
    "Tiếp công dân",
    "Trình văn bản",
    "Khác",
)
# What became of a registered meeting, conference or working session (filled after the month).
KET_QUA_HELD = "Đã thực hiện"
KET_QUA = (KET_QUA_HELD, "Hoãn", "Chuyển sang tháng khác", "Hủy bỏ")
EVENT_FORMS = ("Họp", "Hội nghị", "Làm việc")  # the monthly items whose outcome is followed up
WITHDRAWN_MARK = "x"  # typed by the Office in "Rút khỏi chương trình"
AGENCY_WITHDRAWN_MARK = "Đơn vị rút"  # written by the tool when a new registration drops an item
MONTHLY_WITHDRAWN_PREFIX = "(Đã rút) "  # before the content of a monthly row its agency no longer registers
# chosen on a registration template (the cell beside NO_CONTENT_LABEL, above the table) to say that
# the agency has nothing to register this time: the file is then a registration with no item
NO_CONTENT_CHOICE = "Không có nội dung đăng ký"
NO_CONTENT_LABEL = "Nếu lần này đơn vị không có việc nào để đăng ký, chọn ở ô bên cạnh →"

FIXED_LISTS: dict[str, tuple[str, ...]] = {
    "loai_cong_viec": LOAI_CONG_VIEC,
    "cap_trinh": CAP_TRINH,
    "dinh_ky": DINH_KY,
    "hinh_thuc": HINH_THUC,
    "ket_qua": KET_QUA,
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: ColType = "text"
    required: bool = False
    locked: bool = False  # pre-filled and locked in the template
    choices: str | None = None  # name in FIXED_LISTS, or "agencies" / "leaders" (data lists)
    width: float = 16
    help: str = ""  # input message shown in the template
    owner: Owner = "agency"


@dataclass(frozen=True)
class Form:
    kind: FormKind
    title: str
    sheet: str
    columns: tuple[Column, ...]
    instructions: tuple[str, ...] = field(default=())

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def header_map(self) -> dict[str, str]:
        """Normalised header text -> column key, for reading a returned file by header."""
        return {normalize_header(c.header): c.key for c in self.columns}

    @property
    def required_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.required]


_DEADLINE_HELP = "Ghi ngày (15/11/2026) hoặc kỳ: Tháng 6/2026, Quý II/2026, 6 tháng đầu năm, Năm 2026."

ANNUAL = Form(
    kind="annual",
    title="ĐĂNG KÝ CHƯƠNG TRÌNH CÔNG TÁC NĂM {year}",
    sheet="Đăng ký năm",
    columns=(
        Column("stt", "STT", "int", width=6),
        Column("noi_dung", "Nội dung công việc", "text", required=True, width=48,
               help="Tên đề án, dự thảo văn bản, báo cáo… sẽ trình UBND tỉnh, Chủ tịch UBND tỉnh."),
        Column("loai", "Loại công việc", "choice", choices="loai_cong_viec", width=20),
        Column("cap_trinh", "Cấp trình", "choice", choices="cap_trinh", width=16),
        Column("can_cu", "Căn cứ", "text", width=24, help="Văn bản làm căn cứ (nghị quyết, chỉ thị, kế hoạch…)."),
        Column("don_vi_chu_tri", "Đơn vị chủ trì", "agency", choices="agencies", width=26,
               help="Để trống nếu là đơn vị mình."),
        Column("don_vi_phoi_hop", "Đơn vị phối hợp", "agencies", width=26,
               help="Các đơn vị, cách nhau bằng dấu phẩy."),
        Column("lanh_dao", "Lãnh đạo UBND tỉnh phụ trách", "text", choices="leaders", width=22),
        Column("thoi_gian_trien_khai", "Thời gian triển khai", "period", width=16, help=_DEADLINE_HELP),
        Column("thoi_han", "Thời hạn hoàn thành", "period", required=True, width=16, help=_DEADLINE_HELP),
        Column("dinh_ky", "Định kỳ", "choice", choices="dinh_ky", width=14,
               help="Để trống nếu làm một lần; chọn Hằng tháng / Hằng quý / 6 tháng / Hằng năm nếu lặp lại."),
        Column("ghi_chu", "Ghi chú", "text", width=24),
    ),
)

MONTHLY = Form(
    kind="monthly",
    title="ĐĂNG KÝ CHƯƠNG TRÌNH CÔNG TÁC THÁNG {month}/{year}",
    sheet="Đăng ký tháng",
    columns=(
        Column("stt", "STT", "int", width=6),
        Column("noi_dung", "Nội dung công việc", "text", required=True, width=44),
        Column("hinh_thuc", "Hình thức", "choice", choices="hinh_thuc", width=16),
        Column("thoi_gian", "Thời gian", "period", required=True, width=16,
               help="Ngày thực hiện hoặc hạn trình, ví dụ 15/06/2026."),
        Column("lanh_dao_chu_tri", "Lãnh đạo chủ trì", "text", choices="leaders", width=22),
        Column("don_vi_chu_tri", "Đơn vị chủ trì", "agency", choices="agencies", width=24,
               help="Để trống nếu là đơn vị mình."),
        Column("don_vi_phoi_hop", "Đơn vị phối hợp", "agencies", width=22),
        Column("thanh_phan", "Thành phần", "text", width=22),
        Column("dia_diem", "Địa điểm", "text", width=18),
        Column("ma_dau_viec", "Mã đầu việc", "code", width=16,
               help="Mã của việc trong chương trình năm (đã điền sẵn); để trống nếu là việc mới."),
        Column("ket_qua", "Kết quả thực hiện", "choice", choices="ket_qua", width=18,
               help="Điền khi gửi lại bản đăng ký sau khi hết tháng: Đã thực hiện, Hoãn, Chuyển sang tháng khác "
                    "hoặc Hủy bỏ."),
        Column("ly_do_kq", "Lý do chưa thực hiện", "text", width=24,
               help="Lý do hoãn, chuyển tháng hoặc hủy bỏ."),
        Column("ghi_chu", "Ghi chú", "text", width=20),
    ),
)

PROGRESS = Form(
    kind="progress",
    title="BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHƯƠNG TRÌNH CÔNG TÁC NĂM {year}",
    sheet="Tiến độ",
    columns=(
        Column("ma_dau_viec", "Mã đầu việc", "code", required=True, locked=True, width=16),
        Column("noi_dung", "Nội dung công việc", "text", locked=True, width=48),
        Column("thoi_han", "Thời hạn hoàn thành", "date", locked=True, width=16),
        Column("ngay_hoan_thanh", "Ngày hoàn thành", "date", width=16,
               help="Ngày ký văn bản kết quả, ví dụ 28/02/2026. Để trống nếu chưa xong."),
        Column("van_ban_ket_qua", "Văn bản kết quả", "text", width=26,
               help="Số, ký hiệu văn bản trình hoặc ban hành, ví dụ Tờ trình số 12/TTr-STC."),
        Column("tinh_hinh", "Tình hình thực hiện", "text", width=30),
        Column("de_xuat_thoi_han", "Đề xuất thời hạn mới", "date", width=16,
               help="Chỉ điền khi xin lùi thời hạn; ghi lý do ở cột bên cạnh."),
        Column("ly_do", "Lý do điều chỉnh", "text", width=26),
    ),
)

FORMS: dict[str, Form] = {f.kind: f for f in (ANNUAL, MONTHLY, PROGRESS)}


# The master's annual programme sheet: one row per item instance. Owner says who writes it:
#   system   the tool (codes, resolved dates, formulas);
#   agency   copied from the agency's registration;
#   progress copied from the agency's progress report;
#   office   typed by the Office by hand: never written by a consolidation.
PROGRAMME_COLUMNS: tuple[Column, ...] = (
    Column("ma_dau_viec", "Mã đầu việc", "code", owner="system", width=15),
    Column("noi_dung", "Nội dung công việc", "text", owner="agency", width=46),
    Column("loai", "Loại công việc", "choice", choices="loai_cong_viec", owner="agency", width=18),
    Column("cap_trinh", "Cấp trình", "choice", choices="cap_trinh", owner="agency", width=14),
    Column("can_cu", "Căn cứ", "text", owner="agency", width=20),
    Column("ma_don_vi", "Mã đơn vị", "text", owner="system", width=10),
    Column("don_vi_chu_tri", "Đơn vị chủ trì", "agency", owner="agency", width=24),
    Column("don_vi_phoi_hop", "Đơn vị phối hợp", "agencies", owner="agency", width=22),
    Column("lanh_dao", "Lãnh đạo UBND tỉnh phụ trách", "text", owner="agency", width=22),
    Column("thoi_gian_trien_khai", "Thời gian triển khai", "date", owner="agency", width=13),
    Column("thoi_han", "Thời hạn hoàn thành", "date", owner="agency", width=13),
    Column("ky", "Kỳ", "text", owner="system", width=14),
    Column("dinh_ky", "Định kỳ", "choice", choices="dinh_ky", owner="agency", width=12),
    Column("ghi_chu", "Ghi chú", "text", owner="agency", width=20),
    Column("de_xuat_thoi_han", "Đề xuất thời hạn mới", "date", owner="progress", width=13),
    Column("ly_do", "Lý do điều chỉnh", "text", owner="progress", width=20),
    Column("thoi_han_dieu_chinh", "Thời hạn được duyệt", "date", owner="office", width=13,
           help="Văn phòng ghi thời hạn mới đã được lãnh đạo đồng ý; để trống nếu giữ thời hạn gốc."),
    Column("thoi_han_hieu_luc", "Thời hạn hiệu lực", "formula", owner="system", width=13),
    Column("ngay_hoan_thanh", "Ngày hoàn thành", "date", owner="progress", width=13),
    Column("van_ban_ket_qua", "Văn bản kết quả", "text", owner="progress", width=22),
    Column("tinh_hinh", "Tình hình thực hiện", "text", owner="progress", width=24),
    Column("rut", "Rút khỏi chương trình", "flag", owner="office", width=10,
           help="Ghi x nếu việc được rút khỏi chương trình."),
    Column("tinh_trang", "Tình trạng", "formula", owner="system", width=22),
    Column("ghi_chu_vp", "Ghi chú của Văn phòng", "text", owner="office", width=24),
    Column("nguon", "Nguồn", "text", owner="system", width=18),
    Column("don_vi_dang_ky", "Đơn vị đăng ký", "text", owner="system", width=10,
           help="Mã đơn vị đã gửi đăng ký việc này (khác Mã đơn vị khi đơn vị đăng ký hộ đơn vị chủ trì); "
                "để trống ở dòng Văn phòng tự thêm."),
    Column("dau_kiem", "Dấu kiểm (không sửa)", "text", owner="system", width=6,
           help="Dùng để phát hiện ô đã sửa tay; không sửa cột này."),
)


def programme_column(key: str) -> Column:
    for c in PROGRAMME_COLUMNS:
        if c.key == key:
            return c
    raise KeyError(key)


def programme_letter(key: str) -> str:
    """Excel column letter of a programme column (A = first)."""
    return column_letter(PROGRAMME_COLUMNS.index(programme_column(key)) + 1)


def column_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def column_index(letters: str) -> int:
    """A -> 1, AA -> 27 (the inverse of :func:`column_letter`)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n
