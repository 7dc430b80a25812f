"""Administrative documents as plain values (NĐ 30/2020/NĐ-CP): the letterhead, the title, a
list of blocks (headings, paragraphs, tables, charts), the recipients and the signature.

The core decides every word and figure; :mod:`ctcong_xl.io.document` only lays the model out
in Word. The report (:func:`report_document`) and the programmes (:mod:`.programme`) are built
here from the Summary and the Dataset.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .dataset import Dataset
from .heading import PROVINCE_BLANK, programme_reference, province_upper, roman  # noqa: F401 (shared with the print view)
from .models import ProgrammeConfig, WorkItem
from .ranking import RANKING_COLUMNS
from .status import COUNTED, Status
from .summary import REGISTRATION_NOT_APPLICABLE, REGISTRATION_ON_TIME, Summary, item_status, monthly_tally
from .text import format_date, vn_sort_key
from .warning import STATUS_COLORS

NUMBER_BLANK = "\u2003\u2003"  # the space a clerk fills in by hand when the document is issued

# ------------------------------------------------------------------------------ the model


@dataclass(frozen=True)
class Letterhead:
    """The header block: the issuing body (left) and the national motto (right)."""

    parent: str  # the body above the issuer, upright: "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG"; "" if none
    issuer: tuple[str, ...]  # the issuer, bold: ("VĂN PHÒNG",) or ("ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG")
    number: str  # "Số: 125/BC-VP"
    date_line: str  # "Lâm Đồng, ngày 30 tháng 9 năm 2026"


NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: "I. …" (bold, upper case); 2: "1. …" (bold)


@dataclass(frozen=True)
class Paragraph:
    text: str
    italic: bool = False
    bold: bool = False
    align: Literal["justify", "center"] = "justify"
    indent: bool = True  # first-line indent of body text


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    kind: Literal["body", "group", "total"] = "body"  # a group row spans every column


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    widths: tuple[float, ...]  # relative column widths
    numeric: tuple[int, ...] = ()  # columns centred as figures
    landscape: bool = False  # set on its own landscape pages (wide tables)
    title: str = ""  # a centred bold line above the table


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]
    color: str  # "#RRGGBB"


@dataclass(frozen=True)
class Chart:
    """A chart the document shows as a picture."""

    kind: Literal["doughnut", "barh", "column"]  # doughnut: one series per slice, one value each
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    width_mm: float = 150.0
    name: str = ""  # the picture's name in the document (alt text)


Block = Heading | Paragraph | Table | Chart


@dataclass(frozen=True)
class Signature:
    authority: str  # "TM. ỦY BAN NHÂN DÂN" / "KT. CHÁNH VĂN PHÒNG" / ""
    title: str  # "CHỦ TỊCH"
    name: str  # "" leaves the space for the name


@dataclass
class Document:
    letterhead: Letterhead
    title: tuple[str, ...]  # first line the kind ("BÁO CÁO"), then the excerpt (bold)
    blocks: list[Block] = field(default_factory=list)
    recipients: tuple[str, ...] = ()
    signature: Signature | None = None
    appendix: list[Block] = field(default_factory=list)  # after the signature, from a new page
    subject: str = ""  # document property


# ------------------------------------------------------------------------------ shared parts


def date_words(d: dt.date) -> str:
    """``ngày 05 tháng 9 năm 2026`` (NĐ 30: day and month below 10 — day with a leading zero for
    1–9, months 1 and 2 with a leading zero)."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def blank_date_words(year: int) -> str:
    """The date of a draft, filled in when it is signed."""
    return f"ngày{NUMBER_BLANK} tháng{NUMBER_BLANK} năm {year}"


def place_name(config: ProgrammeConfig) -> str:
    return config.place or config.province or PROVINCE_BLANK


def document_number(value: str, suffix: str) -> str:
    """``Số: 125/BC-VP``: a configured number (with or without its suffix), or a blank to fill in."""
    value = value.strip()
    if not value:
        return f"Số:{NUMBER_BLANK}/{suffix}"
    return f"Số: {value}" if "/" in value else f"Số: {value}/{suffix}"


def recipients(text: str) -> tuple[str, ...]:
    """``Nơi nhận`` lines from the configured list (separated by ``;``): ``- X;`` each, the last
    ending with a full stop."""
    parts = [p.strip().rstrip(".;") for p in text.split(";") if p.strip().rstrip(".;")]
    return tuple(f"- {p}{'.' if n == len(parts) - 1 else ';'}" for n, p in enumerate(parts))


def office_letterhead(config: ProgrammeConfig, suffix: str, number: str, day: dt.date) -> Letterhead:
    return Letterhead(parent=f"ỦY BAN NHÂN DÂN TỈNH {province_upper(config)}",
                      issuer=(config.office_name.upper(),),
                      number=document_number(number, suffix),
                      date_line=f"{place_name(config)}, {date_words(day)}")


def committee_letterhead(config: ProgrammeConfig, suffix: str, number: str, day: dt.date | None, year: int) -> Letterhead:
    return Letterhead(parent="", issuer=("ỦY BAN NHÂN DÂN", f"TỈNH {province_upper(config)}"),
                      number=document_number(number, suffix),
                      date_line=f"{place_name(config)}, {date_words(day) if day else blank_date_words(year)}")


def without_empty_columns(t: Table) -> Table:
    """``t`` without the columns no body row fills (e.g. monthly registration before any)."""
    body = [r for r in t.rows if r.kind != "group"]
    keep = [n for n in range(len(t.columns)) if n < 2 or any(n < len(r.cells) and r.cells[n] for r in body)]
    if len(keep) == len(t.columns):
        return t
    rows = tuple(r if r.kind == "group" else Row(tuple(r.cells[n] for n in keep), r.kind) for r in t.rows)
    return Table(tuple(t.columns[n] for n in keep), rows, tuple(t.widths[n] for n in keep),
                 tuple(keep.index(n) for n in t.numeric if n in keep), t.landscape, t.title)


def percent(part: int, whole: int) -> str:
    return "" if whole == 0 else f"{100 * part / whole:.1f}%".replace(".", ",")


# ------------------------------------------------------------------------------ the report

REPORT_SUFFIX = "BC-VP"
STATUS_ORDER: tuple[Status, ...] = (*COUNTED, Status.RUT_KHOI)


def report_document(s: Summary, ds: Dataset, *, day: dt.date) -> Document:
    """The Office's report on the programme at ``s.as_of`` (dated ``day``): the figures are the
    Summary's, the paragraph is its ``narrative`` word for word; the charts in the colours of
    the workbook's charts."""
    colors = STATUS_COLORS
    c = ds.config
    blocks: list[Block] = [
        Paragraph(f"Thực hiện {programme_reference(c)}; {c.office_name} UBND tỉnh báo cáo tình hình thực hiện "
                  f"{as_of_words(s.as_of)}, như sau:"),
        Heading("I. Kết quả thực hiện chương trình công tác năm"),
        Heading("1. Tình hình chung", 2),
        Paragraph(s.narrative),
        _status_table(s),
        Chart("doughnut", "Tỷ lệ theo tình trạng", tuple(st.text for st in COUNTED),
              tuple(Series(st.text, (s.by_status[st.value],), colors[st]) for st in COUNTED),
              width_mm=120, name="bieu-do-tinh-trang"),
        Heading("2. Kết quả theo đơn vị", 2),
        _agency_table(s),
    ]
    active = [a for a in s.by_agency if a["total"]]
    if active:
        blocks.append(Chart("barh", "Tình trạng công việc theo đơn vị", tuple(a["name"] for a in _by_name(active)),
                            tuple(Series(st.text, tuple(a[st.value] for a in _by_name(active)), colors[st])
                                  for st in COUNTED), name="bieu-do-don-vi"))
    months = [m for m in s.by_month if m["total"]]
    blocks += [Heading("3. Kết quả theo tháng đến hạn", 2), _month_table(s)]
    if months:
        blocks.append(Chart("column", "Công việc theo tháng đến hạn", tuple(f"T{m['month']}" for m in s.by_month),
                            tuple(Series(st.text, tuple(m[st.value] for m in s.by_month), colors[st]) for st in COUNTED),
                            name="bieu-do-thang"))
    overdue = [i for i in ds.items if item_status(i, s.as_of) is Status.CHUA_HOAN_THANH]
    blocks += [
        Heading("II. Các công việc chưa hoàn thành theo thời hạn"),
        Paragraph(_overdue_sentence(s, overdue)),
        Heading("1. Theo đơn vị chủ trì", 2),
        _overdue_agency_table(s),
        Heading("2. Theo lãnh đạo UBND tỉnh phụ trách", 2),
        _leader_table(s),
        Heading("III. Việc đăng ký chương trình công tác"),
        Paragraph(_registration_sentence(s)),
        _registration_table(s),
        Heading("IV. Kết quả thực hiện chương trình công tác tháng"),
        *_monthly_outcome_blocks(s),
        Heading("V. Kết quả đánh giá thi đua"),
        *_ranking_blocks(s),
    ]
    appendix: list[Block] = []
    if overdue:
        appendix = [Paragraph("PHỤ LỤC", bold=True, align="center", indent=False),
                    Paragraph("DANH MỤC CÔNG VIỆC CHƯA HOÀN THÀNH THEO THỜI HẠN", bold=True, align="center",
                              indent=False),
                    Paragraph(f"(Kèm theo Báo cáo của {c.office_name} UBND tỉnh {as_of_words(s.as_of)})", italic=True,
                              align="center", indent=False),
                    _overdue_items_table(s, ds, overdue)]
    return Document(
        letterhead=office_letterhead(c, REPORT_SUFFIX, c.report_number, day),
        title=("BÁO CÁO", f"Tình hình thực hiện Chương trình công tác năm {s.year} của UBND tỉnh",
               f"({as_of_words(s.as_of)})"),
        blocks=blocks,
        recipients=("Nơi nhận:", *recipients(c.report_recipients)),
        signature=Signature(c.report_signer_authority.upper(), c.report_signer_title.upper(), c.report_signer_name),
        appendix=appendix,
        subject=s.narrative,
    )


def as_of_words(as_of: dt.date) -> str:
    return f"đến {date_words(as_of)}"


def _by_name(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda a: vn_sort_key(a["name"]))


def _count_cells(row: dict) -> tuple[str, ...]:
    return (*(str(row[st.value]) for st in COUNTED), str(row["total"]), str(row[Status.RUT_KHOI.value]))


COUNT_COLUMNS = (*(st.text for st in COUNTED), "Tổng số", "Đã rút")


def _status_table(s: Summary) -> Table:
    rows = [Row((st.text, str(s.by_status[st.value]), percent(s.by_status[st.value], s.total) if st in COUNTED else ""))
            for st in STATUS_ORDER]
    rows.insert(len(COUNTED), Row(("Tổng số (không tính việc đã rút)", str(s.total), percent(s.total, s.total)), "total"))
    return Table(("Tình trạng", "Số công việc", "Tỷ lệ"), tuple(rows), (5, 2, 2), numeric=(1, 2))


def _agency_table(s: Summary) -> Table:
    rows = [Row((str(n), a["name"], *_count_cells(a))) for n, a in enumerate(_by_name([a for a in s.by_agency if a["total"] or a[Status.RUT_KHOI.value]]), 1)]
    rows.append(Row(("", "Tổng cộng", *(str(s.by_status[st.value]) for st in COUNTED), str(s.total),
                     str(s.by_status[Status.RUT_KHOI.value])), "total"))
    return Table(("STT", "Đơn vị", *COUNT_COLUMNS), tuple(rows), (1.5, 6, 2, 2, 2, 2, 1.6, 1.5),
                 numeric=tuple(range(2, 8)))


def _month_table(s: Summary) -> Table:
    rows = [Row((f"Tháng {m['month']}", *_count_cells(m))) for m in s.by_month if m["total"] or m[Status.RUT_KHOI.value]]
    return Table(("Tháng đến hạn", *COUNT_COLUMNS), tuple(rows), (3, 2, 2, 2, 2, 1.6, 1.5), numeric=tuple(range(1, 7)))


def _overdue_sentence(s: Summary, overdue: list[WorkItem]) -> str:
    n = s.by_status[Status.CHUA_HOAN_THANH.value]
    if not n:
        return f"{as_of_words(s.as_of).capitalize()}, không có công việc nào quá thời hạn mà chưa hoàn thành."
    agencies = len({i.ma_don_vi for i in overdue})
    return (f"{as_of_words(s.as_of).capitalize()}, có {n} công việc đã quá thời hạn nhưng chưa hoàn thành, "
            f"thuộc {agencies} đơn vị chủ trì (danh mục chi tiết tại Phụ lục kèm theo).")


def _overdue_agency_table(s: Summary) -> Table:
    key = Status.CHUA_HOAN_THANH.value
    late = sorted((a for a in s.by_agency if a[key]), key=lambda a: (-a[key], vn_sort_key(a["name"])))
    rows = [Row((str(n), a["name"], str(a[key]), str(a["total"]), percent(a[key], a["total"])))
            for n, a in enumerate(late, 1)]
    rows.append(Row(("", "Tổng cộng", str(s.by_status[key]), str(s.total), percent(s.by_status[key], s.total)), "total"))
    return Table(("STT", "Đơn vị chủ trì", "Số việc chưa hoàn thành", "Tổng số việc", "Tỷ lệ"), tuple(rows),
                 (1.5, 7, 2.6, 2.2, 2), numeric=(2, 3, 4))


def _leader_table(s: Summary) -> Table:
    key = Status.CHUA_HOAN_THANH.value
    rows = [Row((str(n), b["leader"], str(b[key]), str(b["total"]), percent(b[key], b["total"])))
            for n, b in enumerate((b for b in s.by_leader if b["total"]), 1)]
    return Table(("STT", "Lãnh đạo UBND tỉnh phụ trách", "Số việc chưa hoàn thành", "Tổng số việc", "Tỷ lệ"),
                 tuple(rows), (1.5, 7, 2.6, 2.2, 2), numeric=(2, 3, 4))


def _registration_sentence(s: Summary) -> str:
    on_time = sum(1 for a in s.by_agency if a["registration"] == REGISTRATION_ON_TIME)
    due = sum(1 for a in s.by_agency if a["registration"] != REGISTRATION_NOT_APPLICABLE)
    return (f"Về đăng ký chương trình công tác năm {s.year}: {on_time}/{due} đơn vị gửi đăng ký đúng hạn; "
            "việc đăng ký đúng hạn là một tiêu chí đánh giá thi đua của các đơn vị.")


def _registration_table(s: Summary) -> Table:
    rows = []
    for n, a in enumerate(_by_name(s.by_agency), 1):
        received = dt.date.fromisoformat(a["received"]) if a["received"] else None
        tally = monthly_tally(a["monthly_registration"])
        rows.append(Row((str(n), a["name"], format_date(received) if received else "", a["registration"],
                         f"{len(tally.on_time)}/{tally.due}" if tally.due else "",
                         ", ".join(f"{m} ({v.lower()})" for m, v in tally.late), ", ".join(tally.not_sent))))
    return without_empty_columns(Table(
        ("STT", "Đơn vị", "Ngày nhận đăng ký năm", "Đăng ký năm", "Đăng ký tháng đúng hạn", "Tháng gửi chậm",
         "Tháng chưa gửi"), tuple(rows), (1.5, 5, 2.6, 2.4, 2.2, 3, 2.6), numeric=(2, 4)))


def _monthly_outcome_blocks(s: Summary) -> list[Block]:
    """Per month, how many of the registered meetings, conferences and working sessions were
    carried out and why the others were not: the summary's own sentences."""
    if not s.monthly_outcomes:
        return [Paragraph("Chưa có cuộc họp, hội nghị, buổi làm việc nào được đăng ký trong chương trình công tác tháng.")]
    return [Paragraph(m["text"]) for m in s.monthly_outcomes]


def _ranking_blocks(s: Summary) -> list[Block]:
    """The emulation ranking (thi đua) of the summary (:mod:`ctcong_xl.core.ranking`)."""
    ranking = s.to_json().get("ranking")
    if not ranking:
        return [Paragraph("Chưa có đơn vị nào có công việc trong chương trình để xếp hạng thi đua.")]
    return [Paragraph("Xếp hạng thi đua của các đơn vị theo kết quả đăng ký và thực hiện chương trình công tác:"),
            _ranking_table(ranking)]


def _ranking_table(ranking: list[dict]) -> Table:
    cols = [(k, h) for k, h in RANKING_COLUMNS if k != "code"]
    return Table(tuple(h for _, h in cols), tuple(Row(tuple(_score_text(r.get(k)) for k, _ in cols)) for r in ranking),
                 tuple(4.0 if k == "name" else 1.6 for k, _ in cols), numeric=tuple(n for n, (k, _) in enumerate(cols) if k != "name"))


def _score_text(v) -> str:
    """A ranking cell as printed: blank for no data, one decimal with a comma (Vietnamese)."""
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.1f}".replace(".", ",")
    return str(v)


def _overdue_items_table(s: Summary, ds: Dataset, overdue: list[WorkItem]) -> Table:
    names = {a.code: a.name for a in ds.agencies}
    rows: list[Row] = []
    by_agency: dict[str, list[WorkItem]] = {}
    for i in overdue:
        by_agency.setdefault(i.ma_don_vi, []).append(i)
    n = 0
    for code in sorted(by_agency, key=lambda c: vn_sort_key(names.get(c, c))):
        items = sorted(by_agency[code], key=lambda i: (i.effective_deadline or dt.date.max, i.ma_dau_viec))
        rows.append(Row((f"{names.get(code, code)} ({len(items)} việc)",), "group"))
        for i in items:
            n += 1
            e = i.effective_deadline
            rows.append(Row((str(n), i.ma_dau_viec, i.noi_dung, i.lanh_dao, format_date(e) if e else "",
                             str((s.as_of - e).days) if e else "", i.tinh_hinh)))
    return Table(("STT", "Mã đầu việc", "Nội dung công việc", "Lãnh đạo UBND tỉnh phụ trách", "Thời hạn",
                  "Số ngày quá hạn", "Tình hình thực hiện"), tuple(rows), (1.2, 3.2, 9, 4, 2.6, 1.8, 5),
                 numeric=(4, 5), landscape=True)
