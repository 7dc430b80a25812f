"""The programmes UBND tỉnh issues, drafted from the master: the annual programme (every item
grouped by period, a recurring item once with its rhythm) and a month's programme (meetings,
conferences and working sessions by date, and the annual items due that month). Withdrawn
items are left out; rows the Office added by hand are in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from . import periods
from .consolidate import MONTHLY_WITHDRAWN_PREFIX, receipt_only, thang_label
from .dataset import Dataset
from .documents import (
    Block, Document, Heading, Paragraph, Row, Signature, Table, committee_letterhead, programme_reference,
    recipients, roman,
)
from .models import MonthlyItem, WorkItem
from .text import format_date, vn_sort_key

PROGRAMME_SUFFIX = "CTr-UBND"
NO_DEADLINE = "Chưa xác định thời hạn"
NO_DATE = "Chưa xác định ngày"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

_INSTANCE = re.compile(r"^(\d{4}-[A-Z0-9]+-\d{3,})-(T\d{2}|Q[1-4]|H[12]|N)$")
_RHYTHM_ORDER = {r.label: n for n, r in enumerate(periods.RECURRENCES)}


@dataclass(frozen=True)
class Group:
    order: tuple  # sort key: recurring rhythms first, then by the end of the period
    title: str


@dataclass(frozen=True)
class Entry:
    """One line of the annual programme: an item, or a recurring item's instances together."""

    item: WorkItem  # the first instance still in the programme
    codes: tuple[str, ...]  # every instance code it stands for
    group: Group
    deadline: str  # "30/06/2026", or the rhythm ("Hằng quý") of a recurring item


def series_code(code: str) -> str:
    """The code of the recurring item an instance belongs to (``2026-STC-007-Q2`` → ``2026-STC-007``)."""
    m = _INSTANCE.match(code)
    return m.group(1) if m else code


def period_group(item: WorkItem, year: int) -> Group:
    """The period an item of the annual programme is listed under: the month of its deadline,
    or the quarter / six months / year it was registered for."""
    e = item.effective_deadline
    if e is None:
        return Group((2, dt.date.max, 9), NO_DEADLINE)
    adjusted = item.thoi_han_dieu_chinh is not None and item.thoi_han_dieu_chinh != item.thoi_han
    label = "" if adjusted else item.ky
    for q in range(1, 5):
        if label == periods.quarter_label(q, year):
            return Group((1, e, 2), f"Quý {periods.ROMAN_QUARTERS[q - 1]}")
    for h in (1, 2):
        if label == periods.half_label(h, year):
            return Group((1, e, 3), f"6 tháng {'đầu' if h == 1 else 'cuối'} năm")
    if label == periods.year_label(year):
        return Group((1, e, 4), f"Trong năm {year}")
    return Group((1, dt.date(e.year, e.month, 1), 1), periods.month_label(e.month, e.year))


def annual_entries(ds: Dataset) -> list[Entry]:
    """The annual programme's lines in order: recurring items once under their rhythm, the
    others under their period, each group in the order of deadlines then codes."""
    year = ds.config.year
    series: dict[str, list[WorkItem]] = {}
    singles: list[WorkItem] = []
    for item in ds.items:
        if item.rut:
            continue
        if item.dinh_ky:
            series.setdefault(series_code(item.ma_dau_viec), []).append(item)
        else:
            singles.append(item)
    out = []
    for code, items in series.items():
        items.sort(key=lambda i: (i.effective_deadline or dt.date.max, i.ma_dau_viec))
        first = items[0]
        rhythm = first.dinh_ky
        out.append(Entry(first, tuple(i.ma_dau_viec for i in items),
                         Group((0, _RHYTHM_ORDER.get(rhythm, 9), 0), f"Định kỳ {rhythm[:1].lower()}{rhythm[1:]}"),
                         rhythm))
    for item in singles:
        e = item.effective_deadline
        out.append(Entry(item, (item.ma_dau_viec,), period_group(item, year), format_date(e) if e else ""))
    out.sort(key=lambda x: (x.group.order, x.item.effective_deadline or dt.date.max, x.item.ma_dau_viec))
    return out


def agency_name(ds: Dataset, code: str, typed: str) -> str:
    a = ds.agency(code) if code else None
    return a.name if a else typed


ANNUAL_COLUMNS = ("STT", "Nội dung công việc", "Cấp trình", "Cơ quan chủ trì", "Cơ quan phối hợp",
                  "Lãnh đạo UBND tỉnh phụ trách", "Thời gian triển khai", "Thời hạn hoàn thành")


def annual_table(ds: Dataset, entries: list[Entry]) -> Table:
    rows: list[Row] = []
    group = None
    n = g = 0
    for x in entries:
        if x.group != group:
            group = x.group
            g += 1
            rows.append(Row((f"{roman(g)}. {group.title.upper()}",), "group"))
        n += 1
        i = x.item
        rows.append(Row((str(n), i.noi_dung, i.cap_trinh, agency_name(ds, i.ma_don_vi, i.don_vi_chu_tri),
                         i.don_vi_phoi_hop, i.lanh_dao,
                         format_date(i.thoi_gian_trien_khai) if i.thoi_gian_trien_khai else "", x.deadline)))
    return Table(ANNUAL_COLUMNS, tuple(rows), (1.4, 8.4, 2.4, 3.8, 3.8, 3.8, 2.8, 2.8), numeric=(0, 6, 7), landscape=True)


def _basis(ds: Dataset, extra: str = "") -> list[Block]:
    parts = [p.strip().rstrip(".;") for p in ds.config.legal_basis.split(";") if p.strip().rstrip(".;")]
    if extra:
        parts.append(extra)
    return [Paragraph(f"{p};" if p.lower().startswith("căn cứ") else f"Căn cứ {p};", italic=True) for p in parts]


def _committee_document(ds: Dataset, number: str, issued: dt.date | None, what: str, blocks: list[Block],
                        appendix: list[Block]) -> Document:
    """A programme as UBND tỉnh issues it: its letterhead, title, recipients and signature."""
    c = ds.config
    return Document(
        letterhead=committee_letterhead(c, PROGRAMME_SUFFIX, number, issued, c.year),
        title=("CHƯƠNG TRÌNH", f"{what} của Ủy ban nhân dân tỉnh"),
        blocks=blocks,
        recipients=("Nơi nhận:", *recipients(c.programme_recipients)),
        signature=Signature(c.programme_signer_authority.upper(), c.programme_signer_title.upper(),
                            c.programme_signer_name),
        appendix=appendix,
        subject=f"Chương trình {what[:1].lower()}{what[1:]}",
    )


def annual_programme_document(ds: Dataset) -> Document:
    """The annual programme (chương trình khung) of ``ds.config.year``: number and date as
    recorded in ``Cấu hình`` once issued, left blank in a draft."""
    c = ds.config
    year = c.year
    entries = annual_entries(ds)
    recurring = sum(1 for x in entries if x.group.order[0] == 0)
    leads = {agency_name(ds, x.item.ma_don_vi, x.item.don_vi_chu_tri) for x in entries}
    blocks: list[Block] = [
        *_basis(ds),
        Paragraph(f"Ủy ban nhân dân tỉnh ban hành Chương trình công tác năm {year} như sau:"),
        Heading("I. MỤC ĐÍCH, YÊU CẦU"),
        Paragraph(f"Cụ thể hóa các nhiệm vụ trọng tâm năm {year} thành các đề án, dự thảo văn bản, báo cáo "
                  "trình Ủy ban nhân dân tỉnh, Chủ tịch Ủy ban nhân dân tỉnh; làm căn cứ để các cơ quan, đơn vị "
                  "chủ động chuẩn bị và để Văn phòng Ủy ban nhân dân tỉnh theo dõi, đôn đốc."),
        Paragraph("Mỗi nội dung xác định rõ cơ quan chủ trì, cơ quan phối hợp, lãnh đạo Ủy ban nhân dân tỉnh "
                  "phụ trách, thời gian triển khai và thời hạn hoàn thành."),
        Heading("II. NỘI DUNG CHƯƠNG TRÌNH"),
        Paragraph(f"Chương trình gồm {len(entries)} nội dung ({recurring} nội dung thực hiện định kỳ), giao "
                  f"{len(leads)} cơ quan chủ trì tham mưu, được sắp xếp theo thời hạn hoàn thành (tháng, quý, "
                  "6 tháng, năm); chi tiết tại Phụ lục kèm theo."),
        Heading("III. TỔ CHỨC THỰC HIỆN"),
        Paragraph("Các sở, ban, ngành, Ủy ban nhân dân các xã, phường chủ động xây dựng kế hoạch, chuẩn bị "
                  "hồ sơ, trình Ủy ban nhân dân tỉnh đúng thời hạn; định kỳ hằng tháng báo cáo tiến độ thực hiện "
                  "về Văn phòng Ủy ban nhân dân tỉnh. Trường hợp cần điều chỉnh, bổ sung nội dung hoặc thời hạn, "
                  "cơ quan chủ trì có văn bản nêu rõ lý do gửi Văn phòng Ủy ban nhân dân tỉnh để tổng hợp, báo cáo."),
        Paragraph("Văn phòng Ủy ban nhân dân tỉnh theo dõi, đôn đốc việc thực hiện Chương trình; định kỳ báo cáo "
                  "Ủy ban nhân dân tỉnh kết quả thực hiện và đề xuất đánh giá thi đua các cơ quan, đơn vị."),
    ]
    reference = programme_reference(c) if c.program_number else f"Chương trình công tác năm {year} của UBND tỉnh"
    appendix: list[Block] = [
        Paragraph("PHỤ LỤC", bold=True, align="center", indent=False),
        Paragraph(f"DANH MỤC NỘI DUNG CHƯƠNG TRÌNH CÔNG TÁC NĂM {year} CỦA ỦY BAN NHÂN DÂN TỈNH", bold=True,
                  align="center", indent=False),
        Paragraph(f"(Kèm theo {reference})", italic=True, align="center", indent=False),
        annual_table(ds, entries),
    ]
    return _committee_document(ds, c.program_number, c.program_date, f"Công tác năm {year}", blocks, appendix)


# ------------------------------------------------------------------------------ the month


def next_programme_month(year: int, today: dt.date) -> int | None:
    """The month whose programme the Office drafts next: the one after ``today`` in the
    programme year (January before the year starts; none once its December has begun)."""
    if today.year < year:
        return 1
    if today.year > year or today.month == 12:
        return None
    return today.month + 1


def annual_items_due(ds: Dataset, month: int) -> list[WorkItem]:
    """The annual programme's items due in ``month`` (not withdrawn), by deadline."""
    year = ds.config.year
    due = [i for i in ds.items if not i.rut and i.effective_deadline and i.effective_deadline.year == year
           and i.effective_deadline.month == month]
    return sorted(due, key=lambda i: (i.effective_deadline, i.ma_dau_viec))


def monthly_meetings(ds: Dataset, month: int, due: set[str]) -> list[MonthlyItem]:
    """The month's own rows still in the programme (meetings, conferences, working sessions,
    items brought forward), by date, without a row that only records "no content"; a row that only repeats an annual item due this month
    (the template pre-fills them) is listed with those items instead."""
    label = thang_label(month, ds.config.year)
    rows = [m for m in ds.monthly if m.thang == label and not m.noi_dung.startswith(MONTHLY_WITHDRAWN_PREFIX)
            and m.ma_dau_viec not in due and not receipt_only(m)]
    return sorted(rows, key=lambda m: (m.thoi_gian or dt.date.max, m.ma_viec_thang))


def day_title(d: dt.date | None) -> str:
    return f"{WEEKDAYS[d.weekday()]}, ngày {format_date(d)}" if d else NO_DATE


MEETING_COLUMNS = ("STT", "Nội dung", "Hình thức", "Lãnh đạo chủ trì", "Cơ quan chủ trì", "Cơ quan phối hợp",
                   "Thành phần", "Địa điểm")
DUE_COLUMNS = ("STT", "Nội dung công việc", "Cấp trình", "Cơ quan chủ trì", "Cơ quan phối hợp",
               "Lãnh đạo UBND tỉnh phụ trách", "Thời hạn hoàn thành")


def _by_day(rows, day_of, cells, title: str, columns, widths, numeric) -> Table:
    out: list[Row] = []
    current: object = object()
    for n, r in enumerate(rows, 1):
        d = day_of(r)
        if d != current:
            current = d
            out.append(Row((day_title(d),), "group"))
        out.append(Row((str(n), *cells(r))))
    return Table(columns, tuple(out), widths, numeric=numeric, landscape=True, title=title)


def monthly_programme_document(ds: Dataset, month: int) -> Document:
    c = ds.config
    year = c.year
    due = annual_items_due(ds, month)
    meetings = monthly_meetings(ds, month, {i.ma_dau_viec for i in due})
    blocks: list[Block] = [
        *_basis(ds, extra=programme_reference(c)),
        Paragraph(f"Ủy ban nhân dân tỉnh ban hành Chương trình công tác tháng {month} năm {year} như sau:"),
        Heading("I. CÁC CUỘC HỌP, HỘI NGHỊ, LÀM VIỆC"),
        Paragraph(f"Trong tháng có {len(meetings)} cuộc họp, hội nghị, buổi làm việc theo lịch tại mục I của Phụ lục kèm theo."
                  if meetings else "Trong tháng chưa có cuộc họp, hội nghị, buổi làm việc nào được đăng ký."),
        Heading(f"II. CÁC NỘI DUNG ĐẾN HẠN THEO CHƯƠNG TRÌNH CÔNG TÁC NĂM {year}"),
        Paragraph(f"Có {len(due)} nội dung đến hạn hoàn thành trong tháng, chi tiết tại mục II của Phụ lục kèm theo."
                  if due else "Trong tháng không có nội dung nào khác của chương trình công tác năm đến hạn."),
        Heading("III. TỔ CHỨC THỰC HIỆN"),
        Paragraph("Các cơ quan chủ trì chuẩn bị đầy đủ hồ sơ, tài liệu, gửi Văn phòng Ủy ban nhân dân tỉnh "
                  "trước ngày họp ít nhất 03 ngày làm việc; trường hợp không thực hiện được theo lịch, báo cáo "
                  "rõ lý do để Văn phòng Ủy ban nhân dân tỉnh tổng hợp, báo cáo lãnh đạo Ủy ban nhân dân tỉnh."),
    ]
    appendix: list[Block] = [
        Paragraph("PHỤ LỤC", bold=True, align="center", indent=False),
        Paragraph(f"LỊCH CÔNG TÁC THÁNG {month} NĂM {year} CỦA ỦY BAN NHÂN DÂN TỈNH", bold=True, align="center",
                  indent=False),
    ]
    if meetings:
        appendix.append(_by_day(
            meetings, lambda m: m.thoi_gian,
            lambda m: (m.noi_dung, m.hinh_thuc, m.lanh_dao_chu_tri, agency_name(ds, m.ma_don_vi, m.don_vi_chu_tri),
                       m.don_vi_phoi_hop, m.thanh_phan, m.dia_diem),
            "I. CÁC CUỘC HỌP, HỘI NGHỊ, LÀM VIỆC", MEETING_COLUMNS, (1.4, 7.6, 2.4, 3.6, 3.6, 3.6, 3.6, 3), (0,)))
    if due:
        appendix.append(_by_day(
            due, lambda i: i.effective_deadline,
            lambda i: (i.noi_dung, i.cap_trinh, agency_name(ds, i.ma_don_vi, i.don_vi_chu_tri), i.don_vi_phoi_hop,
                       i.lanh_dao, format_date(i.effective_deadline)),
            f"II. CÁC NỘI DUNG ĐẾN HẠN THEO CHƯƠNG TRÌNH CÔNG TÁC NĂM {year}", DUE_COLUMNS,
            (1.4, 8.6, 2.4, 4, 4, 4, 2.8), (0, 6)))
    return _committee_document(ds, "", None, f"Công tác tháng {month} năm {year}", blocks, appendix)
