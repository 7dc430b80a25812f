"""What the Office e-mails to an agency, and when not to: the letters (subject and body in the
Office's administrative register), their addresses, and the rule that a reminder is not sent
twice.

**The same letter** is the same agency with an attachment of the same content
(:func:`ctcong_xl.io.mail.attachment_hash`): once the send log of the master records it as
sent (``Đã gửi``), a later ``--send`` skips it. A reminder whose list changed (an item done,
a new one overdue, another as-of date) has another attachment, so it goes out again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .findings import Finding, finding
from .models import Agency, ProgrammeConfig
from .text import format_date

SENT_RESULT = "Đã gửi"
FAILED_PREFIX = "Không gửi được: "
SMTP_PASSWORD_ENV = "CTCONG_SMTP_PASSWORD"
MAIL_KINDS = {
    "remind": "Đôn đốc",
    "annual": "Mẫu đăng ký năm",
    "monthly": "Mẫu đăng ký tháng",
    "progress": "Mẫu báo cáo tiến độ",
}
# What became of one letter in a run, and how the terminal says it.
DRAFT, SENT, ALREADY_SENT, NO_ADDRESS, FAILED = "draft", "sent", "already_sent", "no_address", "failed"
STATUS_TEXT = {
    DRAFT: "bản nháp, chưa gửi",
    SENT: "đã gửi",
    ALREADY_SENT: "đã gửi trước đó (cùng nội dung), không gửi lại",
    NO_ADDRESS: "chưa có địa chỉ thư, không gửi được",
    FAILED: "gửi không được",
}
SECURITY = {"starttls": "starttls", "ssl": "ssl", "tls": "ssl", "khong": "none", "không": "none", "none": "none", "": "starttls"}

_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


@dataclass(frozen=True)
class Letter:
    """One e-mail to one agency, with one attachment (a workbook of outbox/)."""

    agency: Agency
    to: tuple[str, ...]
    subject: str
    body: str
    kind: str  # a key of MAIL_KINDS


@dataclass(frozen=True)
class SendRecord:
    """One row of the master's send log (Nhật ký gửi thư)."""

    when: dt.datetime
    agency: str  # agency code
    address: str
    kind: str
    file: str
    sha256: str
    result: str

    @property
    def sent(self) -> bool:
        return self.result == SENT_RESULT


def addresses(agency: Agency) -> tuple[tuple[str, ...], list[Finding]]:
    """The addresses of the registry's ``Email`` cell (several separated by , or ;), and a
    finding for a blank cell or a text that is not an address."""
    parts = [p.strip() for p in re.split(r"[;,\s]+", agency.email or "") if p.strip()]
    good = tuple(p for p in parts if _ADDRESS.match(p))
    bad = [p for p in parts if not _ADDRESS.match(p)]
    found = []
    if not parts:
        found.append(finding("mail_no_address", "", agency=agency.name, code=agency.code))
    for p in bad:
        found.append(finding("mail_address_invalid", p, agency=agency.name, code=agency.code))
    return good, found


def already_sent(agency_code: str, attachment_hash: str, sent: set[tuple[str, str]]) -> bool:
    return (agency_code, attachment_hash) in sent


def security_mode(config: ProgrammeConfig) -> str | None:
    """``starttls`` | ``ssl`` | ``none`` from the configuration text; None if unreadable."""
    return SECURITY.get((config.smtp_security or "").strip().casefold())


def sender(config: ProgrammeConfig) -> tuple[str, str]:
    """(display name, address) of the sender."""
    return (config.mail_sender_name or "Văn phòng UBND tỉnh", config.mail_from or config.smtp_user)


def _programme(config: ProgrammeConfig) -> str:
    number = f" (số {config.program_number})" if config.program_number else ""
    return f"Chương trình công tác năm {config.year} của UBND tỉnh{number}"


def _signature(config: ProgrammeConfig) -> str:
    return f"Trân trọng./.\n\n{sender(config)[0]}"


def reminder_letter(agency: Agency, to: tuple[str, ...], *, overdue: int, due_soon: int, within_days: int,
                    as_of: dt.date, config: ProgrammeConfig, attachment: str) -> Letter:
    """The reminder (đôn đốc) to one agency: how many items are overdue and due soon; the list
    is the attached workbook."""
    facts = []
    if overdue:
        facts.append(f"{overdue} công việc đã quá thời hạn nhưng chưa hoàn thành")
    if due_soon:
        facts.append(f"{due_soon} công việc sắp đến hạn (trong {within_days} ngày tới)")
    body = (
        f"Kính gửi: {agency.name}.\n\n"
        f"Thực hiện {_programme(config)}, tính đến ngày {format_date(as_of)}, {agency.name} còn "
        f"{' và '.join(facts)}. Danh sách chi tiết tại tệp đính kèm ({attachment}).\n\n"
        f"Văn phòng UBND tỉnh đề nghị {agency.name} khẩn trương chỉ đạo thực hiện, hoàn thành các công việc "
        "nêu trên và báo cáo kết quả (ngày hoàn thành, văn bản kết quả) qua mẫu báo cáo tiến độ; trường hợp "
        "cần điều chỉnh thời hạn, đề nghị nêu rõ lý do và đề xuất thời hạn mới để Văn phòng tổng hợp, báo cáo "
        "lãnh đạo UBND tỉnh xem xét, quyết định.\n\n" + _signature(config) + "\n"
    )
    subject = f"V/v đôn đốc thực hiện Chương trình công tác năm {config.year} của UBND tỉnh ({agency.name})"
    return Letter(agency, to, subject, body, "remind")


def template_letter(agency: Agency, to: tuple[str, ...], *, kind: str, month: int | None,
                    deadline: dt.date | None, config: ProgrammeConfig, attachment: str) -> Letter:
    """The letter that carries a template (annual, monthly registration; progress report)."""
    year = config.year
    if kind == "annual":
        what = f"đăng ký Chương trình công tác năm {year} của UBND tỉnh"
        purpose = f"Để xây dựng Chương trình công tác năm {year} của UBND tỉnh"
        ask = "đăng ký các đề án, dự thảo văn bản, báo cáo sẽ trình UBND tỉnh, Chủ tịch UBND tỉnh trong năm"
    elif kind == "monthly":
        what = f"đăng ký Chương trình công tác tháng {month}/{year} của UBND tỉnh"
        purpose = f"Để xây dựng Chương trình công tác tháng {month}/{year} của UBND tỉnh"
        ask = ("đăng ký các công việc, cuộc họp, hội nghị, buổi làm việc của tháng và cho biết kết quả thực hiện "
               "các cuộc họp, hội nghị, buổi làm việc đã đăng ký của tháng trước")
    else:
        what = f"báo cáo tiến độ thực hiện {_programme(config)}"
        purpose = f"Để theo dõi, đôn đốc việc thực hiện {_programme(config)}"
        ask = "báo cáo ngày hoàn thành, văn bản kết quả và tình hình thực hiện từng công việc được giao"
    by = f" trước ngày {format_date(deadline)}" if deadline else ""
    body = (
        f"Kính gửi: {agency.name}.\n\n"
        f"{purpose}, Văn phòng UBND tỉnh gửi kèm theo thư này biểu mẫu ({attachment}). Đề nghị {agency.name} "
        f"{ask}, điền đầy đủ theo hướng dẫn trong biểu mẫu và gửi lại Văn phòng UBND tỉnh{by}.\n\n"
        "Lưu ý: giữ nguyên tên các trang và dòng tiêu đề của biểu mẫu (tên tệp có thể đổi).\n\n" + _signature(config) + "\n"
    )
    return Letter(agency, to, f"V/v {what}", body, kind)
