"""Built-in demo data and the "agency clerk" who fills templates, for ``ctcong-xl demo`` and tests.

* :func:`demo_registrations` — a realistic year of work items per agency (annual form rows), typed
  the way a clerk types them: real dates, day-first text dates, period words, recurring reports.
* :func:`demo_progress` — completion data for item instances at an as-of date: a realistic mix of
  items done on time, done late, overdue and in progress, some completed after the as-of date.
* :func:`fill_template` — opens a template written by :func:`ctcong_xl.io.templates.write_template`
  with openpyxl and types rows into it, as a person in Excel would.

Everything is deterministic for a seed: each agency and each item draws from its own
``random.Random`` seeded with the seed and its code, so adding an agency does not change the
others. All names and numbers are fictional.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from .core import periods
from .core.forms import CAP_TRINH, DINH_KY, FORMS, LOAI_CONG_VIEC, Form
from .core.models import Agency
from .core.text import fold_key, is_blank, normalize_header
from .io.agencies import DEFAULT_LEADERS, AgenciesFileError, load_default_agencies, read_agencies_file
from .io.incoming import HEADER_SCAN_ROWS
from .io.templates import DATE_FORMAT, EXAMPLE_PREFIX, META_SHEET

DEFAULT_SEED = 2026
MIN_ITEMS, MAX_ITEMS = 2, 6
ANNUAL_KEYS = tuple(c.key for c in FORMS["annual"].columns if c.key != "stt")
PROGRESS_KEYS = ("ngay_hoan_thanh", "van_ban_ket_qua", "tinh_hinh", "de_xuat_thoi_han", "ly_do")

# Leader roles (index into the leaders list): who in UBND tỉnh is in charge of which field.
CHU_TICH, PCT_KINH_TE, PCT_VAN_XA, PCT_NONG_NGHIEP = 0, 1, 2, 3


# ==================================================================================================
# The item library
# ==================================================================================================
@dataclass(frozen=True)
class _Item:
    """One kind of work an agency registers. ``text`` and ``can_cu`` may use ``{y}`` (programme
    year), ``{y1}`` (y+1), ``{y4}`` (y+4), ``{ym1}`` (y-1), ``{place}`` (a commune's name without
    "UBND") and ``{name}`` (the agency's name)."""

    text: str
    loai: str
    cap_trinh: str
    month: int = 12  # month the item falls due (one-off items)
    can_cu: str = ""
    partners: tuple[str, ...] = ()  # agency codes of the default registry
    recurrence: str = ""  # a forms.DINH_KY label; "" = once
    always: bool = False  # always registered (keeps the demo's recurring items)
    note: str = ""

    def __post_init__(self) -> None:
        assert self.loai in LOAI_CONG_VIEC and self.cap_trinh in CAP_TRINH, self
        assert self.recurrence == "" or self.recurrence in DINH_KY, self
        assert 1 <= self.month <= 12, self


_I = _Item
_DA, _VB, _BC, _KH, _TT, _CT = "Đề án", "Dự thảo văn bản quy phạm pháp luật", "Báo cáo", "Kế hoạch", "Tờ trình", "Chương trình"
_UB, _CTUB, _HD = "UBND tỉnh", "Chủ tịch UBND tỉnh", "HĐND tỉnh"
_NQ57 = "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị"
_KH_UB = "Kế hoạch số 112/KH-UBND ngày 20/12/{ym1} của UBND tỉnh"

_POOLS: dict[str, tuple[int, tuple[_Item, ...]]] = {
    "STC": (CHU_TICH, (
        _I("Báo cáo tình hình kinh tế – xã hội hằng tháng", _BC, _UB, recurrence="Hằng tháng", always=True,
           partners=("THUE",), note="Gửi trước ngày 20 hằng tháng"),
        _I("Dự thảo Nghị quyết quy định phân cấp nguồn thu, nhiệm vụ chi ngân sách địa phương giai đoạn {y1}–{y4}",
           _VB, _HD, 10, "Luật Ngân sách nhà nước năm 2025", ("THUE", "SNV", "STP")),
        _I("Báo cáo tình hình thực hiện dự toán ngân sách nhà nước 6 tháng đầu năm {y}", _BC, _UB, 7,
           partners=("THUE",)),
        _I("Dự toán ngân sách địa phương và phương án phân bổ ngân sách cấp tỉnh năm {y1}", _TT, _HD, 11,
           "Luật Ngân sách nhà nước năm 2025"),
        _I("Kế hoạch đầu tư công năm {y1}", _KH, _HD, 11, "Luật Đầu tư công năm 2024", ("SXD", "BQLDA")),
        _I("Báo cáo kết quả sắp xếp, xử lý tài sản công sau sắp xếp đơn vị hành chính", _BC, _UB, 9,
           partners=("SNV", "SXD")),
    )),
    "SNV": (CHU_TICH, (
        _I("Đề án vị trí việc làm trong các cơ quan hành chính cấp tỉnh sau sắp xếp", _DA, _UB, 6,
           partners=("STC",)),
        _I("Kế hoạch tuyển dụng công chức cấp xã năm {y}", _KH, _CTUB, 4),
        _I("Báo cáo kết quả công tác cải cách hành chính", _BC, _UB, recurrence="6 tháng",
           partners=("STP", "SKHCN")),
        _I("Dự thảo Quyết định quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Sở Nội vụ",
           _VB, _UB, 3, partners=("STP",)),
        _I("Kế hoạch tổ chức phong trào thi đua yêu nước năm {y}", _KH, _CTUB, 2),
    )),
    "STP": (PCT_KINH_TE, (
        _I("Kế hoạch kiểm tra, rà soát, hệ thống hóa văn bản quy phạm pháp luật năm {y}", _KH, _CTUB, 2),
        _I("Báo cáo công tác theo dõi thi hành pháp luật năm {y}", _BC, _UB, 11),
        _I("Kế hoạch phổ biến, giáo dục pháp luật năm {y}", _KH, _CTUB, 1),
        _I("Dự thảo Quyết định ban hành Quy chế phối hợp xây dựng, kiểm tra văn bản quy phạm pháp luật "
           "trên địa bàn tỉnh", _VB, _UB, 5, partners=("SNV",)),
    )),
    "SXD": (PCT_NONG_NGHIEP, (
        _I("Chương trình phát triển nhà ở tỉnh giai đoạn {y}–{y4}", _CT, _HD, 9, "Luật Nhà ở năm 2023",
           ("STC", "SNNMT")),
        _I("Dự thảo Quyết định quy định phân cấp quản lý chất lượng công trình xây dựng trên địa bàn tỉnh",
           _VB, _UB, 6, partners=("STP",)),
        _I("Kế hoạch phát triển nhà ở xã hội năm {y}", _KH, _UB, 3),
        _I("Báo cáo kết quả xóa nhà tạm, nhà dột nát trên địa bàn tỉnh", _BC, _UB, 8,
           partners=("SDTTG", "SNNMT")),
        _I("Đề án điều chỉnh Quy hoạch chung đô thị trung tâm tỉnh đến năm {y4}", _DA, _UB, 12),
    )),
    "SNNMT": (PCT_NONG_NGHIEP, (
        _I("Kế hoạch phòng, chống thiên tai và tìm kiếm cứu nạn năm {y}", _KH, _UB, 3,
           partners=("BCHQS", "CAT")),
        _I("Dự thảo Nghị quyết ban hành Bảng giá đất trên địa bàn tỉnh áp dụng từ ngày 01/01/{y1}", _VB, _HD, 11,
           "Luật Đất đai năm 2024", ("STC", "STP", "THUE")),
        _I("Báo cáo công tác bảo vệ môi trường năm {y}", _BC, _UB, 12),
        _I("Đề án phát triển nông nghiệp ứng dụng công nghệ cao giai đoạn {y}–{y4}", _DA, _UB, 9,
           partners=("SKHCN", "STC")),
        _I("Kế hoạch trồng rừng và chăm sóc rừng năm {y}", _KH, _CTUB, 2),
    )),
    "SCT": (PCT_KINH_TE, (
        _I("Kế hoạch xúc tiến thương mại năm {y}", _KH, _CTUB, 2, partners=("SVHTTDL", "BQLKKT")),
        _I("Đề án phát triển cụm công nghiệp trên địa bàn tỉnh đến năm {y4}", _DA, _UB, 8,
           partners=("SXD", "SNNMT")),
        _I("Báo cáo tình hình thực hiện Chương trình sử dụng năng lượng tiết kiệm và hiệu quả", _BC, _UB, 10),
        _I("Dự thảo Quyết định ban hành Quy chế quản lý cụm công nghiệp trên địa bàn tỉnh", _VB, _UB, 5,
           partners=("SXD", "STP")),
    )),
    "SYT": (PCT_VAN_XA, (
        _I("Kế hoạch phòng, chống dịch bệnh năm {y}", _KH, _UB, 2, partners=("SGDDT",)),
        _I("Đề án nâng cao năng lực y tế cơ sở giai đoạn {y}–{y4}", _DA, _UB, 9, partners=("STC", "SNV")),
        _I("Báo cáo công tác bảo đảm an toàn thực phẩm 6 tháng đầu năm {y}", _BC, _UB, 6,
           partners=("SCT", "SNNMT")),
        _I("Dự thảo Nghị quyết quy định mức hỗ trợ đóng bảo hiểm y tế cho một số đối tượng trên địa bàn tỉnh",
           _VB, _HD, 6, "Luật Bảo hiểm y tế", ("STC",)),
    )),
    "SGDDT": (PCT_VAN_XA, (
        _I("Kế hoạch tuyển sinh vào lớp 10 năm học {y}–{y1}", _KH, _UB, 3),
        _I("Đề án sắp xếp mạng lưới trường học sau sắp xếp đơn vị hành chính", _DA, _UB, 8,
           partners=("SNV", "STC")),
        _I("Báo cáo tổng kết năm học {ym1}–{y}", _BC, _UB, 7),
        _I("Dự thảo Nghị quyết quy định mức học phí đối với cơ sở giáo dục công lập năm học {y}–{y1}", _VB, _HD,
           6, partners=("STC",)),
    )),
    "SVHTTDL": (PCT_VAN_XA, (
        _I("Kế hoạch tổ chức các hoạt động kỷ niệm các ngày lễ lớn năm {y}", _KH, _CTUB, 1),
        _I("Đề án phát triển du lịch cộng đồng gắn với bảo tồn văn hóa các dân tộc giai đoạn {y}–{y4}", _DA, _UB,
           10, partners=("SDTTG", "SNNMT")),
        _I("Báo cáo kết quả thực hiện phong trào “Toàn dân đoàn kết xây dựng đời sống văn hóa” năm {y}", _BC, _UB,
           11),
        _I("Kế hoạch tổ chức Tuần Văn hóa – Du lịch tỉnh năm {y}", _KH, _CTUB, 4),
    )),
    "SKHCN": (PCT_VAN_XA, (
        _I("Kế hoạch thực hiện Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ, "
           "đổi mới sáng tạo và chuyển đổi số năm {y}", _KH, _UB, 3, _NQ57, ("STC", "SNV")),
        _I("Báo cáo kết quả chuyển đổi số của tỉnh năm {y}", _BC, _UB, 12),
        _I("Dự thảo Quyết định quy định quản lý nhiệm vụ khoa học và công nghệ sử dụng ngân sách nhà nước",
           _VB, _UB, 7, partners=("STC", "STP")),
        _I("Đề án xây dựng chính quyền số tỉnh giai đoạn {y}–{y4}", _DA, _UB, 9, _NQ57),
    )),
    "SDTTG": (PCT_VAN_XA, (
        _I("Báo cáo kết quả thực hiện Chương trình mục tiêu quốc gia phát triển kinh tế – xã hội vùng đồng bào "
           "dân tộc thiểu số và miền núi năm {y}", _BC, _UB, 12, partners=("STC", "SNNMT")),
        _I("Kế hoạch thực hiện công tác tôn giáo năm {y}", _KH, _CTUB, 3),
        _I("Đề án hỗ trợ phát triển kinh tế – xã hội các xã đặc biệt khó khăn giai đoạn {y}–{y4}", _DA, _UB, 10,
           partners=("STC",)),
    )),
    "TTT": (CHU_TICH, (
        _I("Báo cáo công tác tiếp công dân, giải quyết khiếu nại, tố cáo", _BC, _UB, recurrence="Hằng quý",
           always=True),
        _I("Kế hoạch thanh tra năm {y1}", _KH, _CTUB, 12, "Luật Thanh tra năm 2022"),
        _I("Báo cáo công tác phòng, chống tham nhũng, tiêu cực năm {y}", _BC, _UB, 11),
    )),
    "BQLKKT": (PCT_KINH_TE, (
        _I("Báo cáo tình hình thu hút đầu tư vào Khu kinh tế và các khu công nghiệp 6 tháng đầu năm {y}", _BC,
           _UB, 6),
        _I("Đề án thành lập Khu công nghiệp Tây Bắc", _DA, _UB, 9, partners=("SXD", "SNNMT", "STC")),
        _I("Kế hoạch xúc tiến đầu tư vào Khu kinh tế năm {y}", _KH, _CTUB, 3),
    )),
    "CAT": (CHU_TICH, (
        _I("Báo cáo tình hình an ninh chính trị, trật tự an toàn xã hội", _BC, _UB, recurrence="Hằng quý",
           always=True),
        _I("Kế hoạch bảo đảm trật tự an toàn giao thông năm {y}", _KH, _CTUB, 2, partners=("SXD",)),
        _I("Kế hoạch triển khai Đề án 06 về phát triển ứng dụng dữ liệu dân cư, định danh và xác thực điện tử "
           "năm {y}", _KH, _UB, 3, partners=("SKHCN",)),
    )),
    "BCHQS": (CHU_TICH, (
        _I("Kế hoạch diễn tập khu vực phòng thủ tỉnh năm {y}", _KH, _CTUB, 5, partners=("CAT",)),
        _I("Báo cáo kết quả tuyển chọn và gọi công dân nhập ngũ năm {y}", _BC, _UB, 4),
        _I("Kế hoạch tuyển quân năm {y1}", _KH, _UB, 11),
    )),
    "THUE": (CHU_TICH, (
        _I("Báo cáo tình hình thu ngân sách nhà nước trên địa bàn 6 tháng đầu năm {y}", _BC, _UB, 7,
           partners=("STC",)),
        _I("Kế hoạch chống thất thu ngân sách trong lĩnh vực đất đai năm {y}", _KH, _CTUB, 4,
           partners=("SNNMT", "STC")),
    )),
    "BQLDA": (PCT_NONG_NGHIEP, (
        _I("Tờ trình phê duyệt chủ trương đầu tư dự án Bệnh viện Đa khoa tỉnh (cơ sở 2)", _TT, _HD, 6,
           partners=("SYT", "STC")),
        _I("Tờ trình phê duyệt báo cáo nghiên cứu khả thi dự án đường ven biển đoạn qua tỉnh", _TT, _UB, 10,
           partners=("SXD",)),
        _I("Báo cáo tiến độ giải ngân vốn đầu tư công các dự án do Ban làm chủ đầu tư", _BC, _UB, 9,
           partners=("STC",)),
    )),
    "_COMMUNE": (PCT_NONG_NGHIEP, (
        _I("Báo cáo kết quả vận hành mô hình chính quyền địa phương hai cấp tại {place}", _BC, _UB, 6,
           partners=("SNV",)),
        _I("Đề án xây dựng {place} đạt chuẩn nông thôn mới nâng cao giai đoạn {y}–{y4}", _DA, _UB, 10,
           partners=("SNNMT", "STC")),
        _I("Kế hoạch giải phóng mặt bằng dự án đường tỉnh ĐT.641 đoạn qua {place}", _KH, _CTUB, 5,
           partners=("SXD", "SNNMT")),
        _I("Tờ trình đề nghị hỗ trợ kinh phí khắc phục hậu quả thiên tai năm {y} tại {place}", _TT, _CTUB, 9,
           partners=("STC",)),
    )),
    "_URBAN": (PCT_KINH_TE, (
        _I("Báo cáo kết quả vận hành mô hình chính quyền địa phương hai cấp tại {place}", _BC, _UB, 6,
           partners=("SNV",)),
        _I("Đề án chỉnh trang đô thị, phát triển không gian xanh {place} giai đoạn {y}–{y4}", _DA, _UB, 10,
           partners=("SXD", "STC")),
        _I("Kế hoạch bảo đảm trật tự đô thị, văn minh đô thị {place} năm {y}", _KH, _CTUB, 3,
           partners=("CAT",)),
        _I("Tờ trình đề nghị điều chỉnh quy hoạch phân khu {place}", _TT, _UB, 8, partners=("SXD",)),
    )),
    "_GENERIC": (PCT_KINH_TE, (
        _I("Báo cáo kết quả thực hiện nhiệm vụ 6 tháng đầu năm {y} của {name}", _BC, _UB, 6),
        _I("Đề án kiện toàn tổ chức bộ máy của {name} sau sắp xếp", _DA, _UB, 9, partners=("SNV",)),
        _I("Kế hoạch chuyển đổi số của {name} năm {y}", _KH, _CTUB, 3, _NQ57, ("SKHCN",)),
        _I("Báo cáo tổng kết công tác năm {y} của {name}", _BC, _UB, 12),
    )),
}

# Name keywords (folded) -> pool, for a registry that uses other codes.
_POOL_BY_NAME: tuple[tuple[str, str], ...] = (
    ("tai chinh", "STC"), ("noi vu", "SNV"), ("tu phap", "STP"), ("xay dung", "SXD"),
    ("nong nghiep", "SNNMT"), ("cong thuong", "SCT"), ("y te", "SYT"), ("giao duc", "SGDDT"),
    ("van hoa", "SVHTTDL"), ("khoa hoc", "SKHCN"), ("dan toc", "SDTTG"), ("thanh tra", "TTT"),
    ("khu kinh te", "BQLKKT"), ("cong an", "CAT"), ("quan su", "BCHQS"), ("thue", "THUE"),
    ("du an", "BQLDA"),
)
_HDND_NOTES = ("Trình kỳ họp thường lệ giữa năm của HĐND tỉnh", "Trình kỳ họp thường lệ cuối năm của HĐND tỉnh")
_OTHER_NOTES = (
    "Lấy ý kiến các sở, ngành trước khi trình",
    "Đã có trong " + _KH_UB,
    "Cần Sở Tư pháp thẩm định",
    "Phối hợp với UBND các xã, phường liên quan",
)


# ==================================================================================================
# Annual registrations
# ==================================================================================================
def demo_registrations(
    agencies: Sequence[Agency],
    year: int,
    seed: int = DEFAULT_SEED,
    *,
    leaders: Sequence[str] = DEFAULT_LEADERS,
) -> dict[str, list[dict[str, Any]]]:
    """Agency code -> the rows its clerk types into the annual template (keys: the annual form's
    column keys except ``stt``; blank cells are ``""``). 2–6 rows per agency."""
    by_code = {a.code: a for a in agencies}
    return {
        a.code: _agency_rows(a, year, random.Random(f"{seed}:{year}:{a.code}"), by_code, list(leaders))
        for a in agencies
    }


def _agency_rows(agency: Agency, year: int, rng: random.Random, by_code: Mapping[str, Agency],
                 leaders: list[str]) -> list[dict[str, Any]]:
    leader_role, pool = _POOLS[_pool_key(agency)]
    always = [i for i in pool if i.always]
    optional = [i for i in pool if not i.always]
    count = rng.randint(min(MIN_ITEMS + 1, len(pool)), min(MAX_ITEMS, len(pool)))
    chosen = set(always) | set(rng.sample(optional, max(0, min(len(optional), count - len(always)))))
    fields = {"y": year, "y1": year + 1, "y4": year + 4, "ym1": year - 1,
              "place": _place(agency.name), "name": agency.name}
    return [_row(item, agency, year, rng, fields, by_code, leaders, leader_role)
            for item in pool if item in chosen]


def _pool_key(agency: Agency) -> str:
    if agency.code in _POOLS and not agency.code.startswith("_"):
        return agency.code
    folded = fold_key(agency.name)
    if agency.kind in ("UBND cấp xã", "UBND cấp huyện") or folded.startswith(("ubnd", "uy ban nhan dan")):
        return "_URBAN" if re.search(r"\b(phuong|thanh pho|thi xa|quan)\b", folded) else "_COMMUNE"
    for keyword, key in _POOL_BY_NAME:
        if keyword in folded:
            return key
    return "_GENERIC"


def _row(item: _Item, agency: Agency, year: int, rng: random.Random, fields: Mapping[str, Any],
         by_code: Mapping[str, Agency], leaders: list[str], leader_role: int) -> dict[str, Any]:
    if item.recurrence:
        deadline_value: Any = rng.choice(["", item.recurrence, f"Định kỳ {item.recurrence.lower()}"])
        if item.recurrence == "6 tháng":
            deadline_value = rng.choice(["", "Định kỳ 6 tháng"])
        start: Any = ""
    else:
        deadline_value, deadline = _typed_deadline(rng, year, item.month)
        start = _typed_start(rng, year, item.month, deadline) if rng.random() < 0.4 else ""
    partners = [by_code[c].name for c in item.partners if c in by_code and c != agency.code]
    note = item.note
    if not note and item.cap_trinh == _HD:
        note = _HDND_NOTES[0] if item.month <= 7 else _HDND_NOTES[1]
    elif not note and rng.random() < 0.15:
        note = rng.choice(_OTHER_NOTES).format(**fields)
    return {
        "noi_dung": item.text.format(**fields),
        "loai": item.loai,
        "cap_trinh": item.cap_trinh,
        "can_cu": item.can_cu.format(**fields),
        "don_vi_chu_tri": agency.name if rng.random() < 0.2 else "",
        "don_vi_phoi_hop": ", ".join(partners),
        "lanh_dao": leaders[leader_role % len(leaders)] if leaders and rng.random() < 0.9 else "",
        "thoi_gian_trien_khai": start,
        "thoi_han": deadline_value,
        "dinh_ky": item.recurrence,
        "ghi_chu": note,
    }


def _typed_deadline(rng: random.Random, year: int, month: int) -> tuple[Any, dt.date]:
    """A deadline in ``month`` as a clerk types it, and the date it stands for."""
    last = periods.month_end(year, month).day
    day = rng.choice([10, 15, 20, 25, last])
    q = (month - 1) // 3 + 1
    options: list[Any] = [
        dt.date(year, month, day),
        dt.date(year, month, day),
        f"{day:02d}/{month:02d}/{year}",
        f"{day}/{month}/{year}",
        f"Tháng {month}",
        f"Tháng {month}/{year}",
        f"T{month}/{year}",
        f"Quý {periods.ROMAN_QUARTERS[q - 1]}/{year}",
        f"Quý {q}",
    ]
    if month == 6:
        options.append("6 tháng đầu năm")
    if month == 12:
        options += ["6 tháng cuối năm", f"Năm {year}"]
    value = rng.choice(options)
    return value, _resolve(value, year)


def _typed_start(rng: random.Random, year: int, month: int, deadline: dt.date) -> Any:
    """When work starts, typed as a clerk would; never after the deadline."""
    if month <= 1:
        return ""
    first = rng.randint(1, month - 1)
    options: list[Any] = [f"Tháng {first}", f"Tháng {first}/{year}", dt.date(year, first, 1),
                          f"01/{first:02d}/{year}", f"Quý {periods.ROMAN_QUARTERS[(first - 1) // 3]}/{year}"]
    value = rng.choice(options)
    return value if _resolve(value, year) <= deadline else f"Tháng {first}"


def _resolve(value: Any, year: int) -> dt.date:
    parsed, problem = periods.parse_deadline(value, year)
    if problem is not None or parsed is None or parsed.deadline is None:  # a bug in this module
        raise AssertionError(f"demo deadline does not parse: {value!r}")
    return parsed.deadline


def _place(name: str) -> str:
    """``UBND xã Phú Thịnh`` -> ``xã Phú Thịnh``."""
    return re.sub(r"^\s*(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+", "", name, flags=re.IGNORECASE).strip() or name


# ==================================================================================================
# Progress
# ==================================================================================================
_CODE_AGENCY = re.compile(r"^\d{4}-([A-Z0-9]+)-")
_DONE_NOTES = (
    "Đã trình UBND tỉnh",
    "Đã hoàn thành, gửi Văn phòng UBND tỉnh",
    "Đã trình, UBND tỉnh đã ban hành",
    "Hoàn thành",
)
_LATE_NOTES = (
    "Hoàn thành chậm do phải lấy thêm ý kiến các sở, ngành",
    "Chậm do chờ ý kiến thẩm định của Sở Tư pháp",
    "Chậm do phải chỉnh lý theo ý kiến của Thường trực HĐND tỉnh",
)
_WORKING_NOTES = (
    "Đang xây dựng dự thảo",
    "Đang lấy ý kiến các sở, ngành, địa phương",
    "Đã gửi Sở Tư pháp thẩm định",
    "Đang tổng hợp số liệu",
    "",
)
_OVERDUE_NOTES = (
    "Đang hoàn thiện dự thảo theo ý kiến góp ý",
    "Chưa hoàn thành do chờ hướng dẫn của bộ, ngành Trung ương",
    "Đang chờ số liệu của các địa phương",
)
_POSTPONE_REASONS = (
    "Chờ văn bản hướng dẫn của Trung ương",
    "Phải lấy ý kiến rộng rãi của Nhân dân theo quy định",
    "Điều chỉnh theo tiến độ kỳ họp HĐND tỉnh",
)


def demo_progress(
    items: Sequence[tuple[str, dt.date | None] | tuple[str, dt.date | None, str]],
    as_of: dt.date,
    seed: int = DEFAULT_SEED,
) -> dict[str, dict[str, Any]]:
    """Item code -> what the agency reports for it (keys ``ngay_hoan_thanh``,
    ``van_ban_ket_qua``, ``tinh_hinh``, ``de_xuat_thoi_han``, ``ly_do``; blank = ``""``).

    ``items`` are ``(code, deadline)`` or ``(code, deadline, loai)``; ``loai`` (Loại công việc)
    picks the kind of result document. Of the items due by ``as_of`` about 45 % are done on time,
    25 % late, 10 % completed only after ``as_of`` and 20 % overdue (most asking for a new
    deadline); of the later ones 20 % are done early (half of those due on ``as_of``), 10 % a few
    days after ``as_of``, the rest in progress (some due soon asking for a new deadline). Completion dates are real dates or
    day-first text."""
    return {entry[0]: _progress(entry, as_of, seed) for entry in items}


def _progress(entry: tuple, as_of: dt.date, seed: int) -> dict[str, Any]:
    code, deadline = entry[0], entry[1]
    loai = entry[2] if len(entry) > 2 else ""
    rng = random.Random(f"{seed}:{code}")
    out: dict[str, Any] = dict.fromkeys(PROGRESS_KEYS, "")
    roll = rng.random()
    done: dt.date | None = None
    if deadline is None:
        out["tinh_hinh"] = rng.choice(_WORKING_NOTES)
    elif deadline < as_of:
        if roll < 0.45:
            done = max(min(deadline, dt.date(deadline.year, 1, 5)), deadline - dt.timedelta(days=rng.randint(0, 20)))
            out["tinh_hinh"] = rng.choice(_DONE_NOTES)
        elif roll < 0.7:
            done = min(as_of, deadline + dt.timedelta(days=rng.randint(1, 30)))
            out["tinh_hinh"] = rng.choice(_LATE_NOTES)
        elif roll < 0.8:
            done = as_of + dt.timedelta(days=rng.randint(1, 20))  # reported later, late
            out["tinh_hinh"] = rng.choice(_LATE_NOTES)
        else:
            out["tinh_hinh"] = rng.choice(_OVERDUE_NOTES)
            if rng.random() < 0.6:
                _propose(rng, out, max(as_of, deadline))
    else:
        if roll < (0.5 if deadline == as_of else 0.2):
            done = max(dt.date(deadline.year, 1, 5), as_of - dt.timedelta(days=rng.randint(0, 30)))
            out["tinh_hinh"] = rng.choice(_DONE_NOTES)
        elif roll < 0.3 and deadline > as_of:  # done a few days after as_of: does not count at as_of
            done = as_of + dt.timedelta(days=rng.randint(1, min(20, (deadline - as_of).days)))
            out["tinh_hinh"] = rng.choice(_DONE_NOTES)
        else:
            out["tinh_hinh"] = rng.choice(_WORKING_NOTES)
            if (deadline - as_of).days <= 45 and rng.random() < 0.3:
                _propose(rng, out, deadline)
    if done is not None:
        out["ngay_hoan_thanh"] = _typed_date(rng, done)
        out["van_ban_ket_qua"] = _result_document(rng, code, loai, done)
    return out


def _propose(rng: random.Random, out: dict[str, Any], after: dt.date) -> None:
    """Ask for a new deadline 1–2½ months after ``after`` (within its year), with a reason."""
    proposed = min(dt.date(after.year, 12, 31), after + dt.timedelta(days=rng.randint(30, 75)))
    if proposed <= after:  # no later day left in the year
        return
    out["de_xuat_thoi_han"] = _typed_date(rng, proposed)
    out["ly_do"] = rng.choice(_POSTPONE_REASONS)


def _typed_date(rng: random.Random, day: dt.date) -> Any:
    """A date as a clerk enters it: a real date, or day-first text."""
    return rng.choice([day, day, f"{day:%d/%m/%Y}", f"{day.day}/{day.month}/{day.year}"])


def _result_document(rng: random.Random, code: str, loai: str, day: dt.date) -> str:
    m = _CODE_AGENCY.match(code)
    issuer = m.group(1) if m else "UBND"
    report = loai == "Báo cáo" if loai else rng.random() < 0.4
    kind, symbol = ("Báo cáo", "BC") if report else ("Tờ trình", "TTr")
    number = day.timetuple().tm_yday + rng.randint(0, 40)
    return f"{kind} số {number}/{symbol}-{issuer} ngày {day.day}/{day.month}/{day.year}"


# ==================================================================================================
# The agency clerk
# ==================================================================================================


class TemplateLayoutError(ValueError):
    """The workbook has no sheet with the form's header row (not a template of ctcong-xl)."""


def fill_template(path: Path, rows: Sequence[Mapping[str, Any]], *, out: Path | None = None) -> Path:
    """Type ``rows`` (column key -> value) into the template at ``path``, as a clerk in Excel would,
    and save it to ``out`` (default: in place). Returns the path written.

    The form sheet and its header row are found by header texts. Registration forms: each row
    goes into the next empty input row under the header (the example row and pre-filled rows
    are left alone); ``STT`` is numbered when the row does not give it. Progress forms: each row
    must carry ``ma_dau_viec`` and fills the pre-filled row with that code; the pre-filled
    (locked) columns are not touched. Dates (``datetime.date``) are written as real dates
    formatted dd/mm/yyyy, text as text; blank values (``None``, ``""``) leave the cell empty.
    Everything else in the workbook (metadata, lists, validations, protection) is kept.
    """
    path = Path(path)
    wb = openpyxl.load_workbook(path)
    try:
        form, ws, header_row, columns = _locate_form(wb, _template_kind(wb))
        for row in rows:
            unknown = set(row) - {c.key for c in form.columns}
            if unknown:
                raise KeyError(f"unknown column keys for {form.kind}: {sorted(unknown)}")
        if form.kind == "progress":
            _fill_progress(ws, form, header_row, columns, rows)
        else:
            _fill_registration(ws, header_row, columns, rows)
        target = Path(out) if out is not None else path
        target.parent.mkdir(parents=True, exist_ok=True)
        wb.save(target)
    finally:
        wb.close()
    return target


def _template_kind(wb: openpyxl.Workbook) -> str | None:
    if META_SHEET not in wb.sheetnames:
        return None
    for key, value, *_ in wb[META_SHEET].iter_rows(values_only=True, max_col=2):
        if key == "kind" and value in FORMS:
            return str(value)
    return None


def _locate_form(wb: openpyxl.Workbook, kind: str | None) -> tuple[Form, Worksheet, int, dict[str, int]]:
    """(form, sheet, 1-based header row, column key -> 1-based column) with the most header matches."""
    forms = [FORMS[kind]] if kind else list(FORMS.values())
    best: tuple[int, Form, Worksheet, int, dict[str, int]] | None = None
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            continue
        for r, cells in enumerate(ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True), start=1):
            for form in forms:
                columns = _header_columns(cells, form)
                if len(columns) >= 2 and (best is None or len(columns) > best[0]):
                    best = (len(columns), form, ws, r, columns)
    if best is None:
        raise TemplateLayoutError("no sheet with the header row of a ctcong-xl form")
    return best[1:]


def _header_columns(cells: Sequence[Any], form: Form) -> dict[str, int]:
    known = form.header_map()
    columns: dict[str, int] = {}
    for j, value in enumerate(cells, start=1):
        if isinstance(value, str):
            key = known.get(normalize_header(value).rstrip("*").strip())
            if key and key not in columns:
                columns[key] = j
    return columns


def _fill_registration(ws: Worksheet, header_row: int, columns: dict[str, int],
                       rows: Sequence[Mapping[str, Any]]) -> None:
    r = header_row
    numbered = sum(1 for i in range(header_row + 1, ws.max_row + 1)
                   if not _row_blank(ws, i, columns) and not _is_example(ws, i, columns))
    for n, row in enumerate(rows, start=numbered + 1):
        r += 1
        while not _row_blank(ws, r, columns):
            r += 1
        values = dict(row)
        if "stt" in columns and is_blank(values.get("stt")):
            values["stt"] = n
        _type_row(ws, r, columns, values)


def _fill_progress(ws: Worksheet, form: Form, header_row: int, columns: dict[str, int],
                   rows: Sequence[Mapping[str, Any]]) -> None:
    code_col = columns["ma_dau_viec"]
    by_code: dict[str, int] = {}
    for r in range(header_row + 1, ws.max_row + 1):
        code = ws.cell(r, code_col).value
        if isinstance(code, str) and code.strip():
            by_code.setdefault(code.strip(), r)
    locked = {c.key for c in form.columns if c.locked}
    for row in rows:
        code = str(row.get("ma_dau_viec") or "").strip()
        if code not in by_code:
            raise KeyError(f"item {code!r} is not listed in the progress template")
        _type_row(ws, by_code[code], columns, {k: v for k, v in row.items() if k not in locked})


def _type_row(ws: Worksheet, r: int, columns: dict[str, int], values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        if key not in columns:
            raise KeyError(f"the template has no column for {key!r}")
        if is_blank(value):
            continue
        cell = ws.cell(r, columns[key])
        if isinstance(value, (dt.date, dt.datetime)):
            cell.value = value
            cell.number_format = DATE_FORMAT
        else:
            cell.value = value


def _row_blank(ws: Worksheet, r: int, columns: dict[str, int]) -> bool:
    return all(is_blank(ws.cell(r, j).value) for j in columns.values())


def _is_example(ws: Worksheet, r: int, columns: dict[str, int]) -> bool:
    col = columns.get("noi_dung")
    value = ws.cell(r, col).value if col else None
    return isinstance(value, str) and normalize_header(value).startswith(normalize_header(EXAMPLE_PREFIX))


__all__ = [
    "ANNUAL_KEYS",
    "DEFAULT_LEADERS",
    "DEFAULT_SEED",
    "PROGRESS_KEYS",
    "AgenciesFileError",
    "TemplateLayoutError",
    "demo_progress",
    "demo_registrations",
    "fill_template",
    "load_default_agencies",
    "read_agencies_file",
]
