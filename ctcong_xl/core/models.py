"""Plain domain values (pydantic): agencies, programme configuration, work items."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AgencyKind = Literal["sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã", "khác"]


class Agency(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str  # short code, e.g. STC
    name: str  # full name, e.g. Sở Tài chính
    kind: str = "sở, ban, ngành"
    email: str = ""


class ProgrammeConfig(BaseModel):
    """The configuration sheet of the master workbook."""

    year: int
    program_number: str = ""  # e.g. 27/CTr-UBND
    program_date: dt.date | None = None
    as_of: dt.date | None = None
    annual_deadline: dt.date | None = None  # registration deadline for the annual programme
    monthly_deadline_day: int = 20  # monthly registration due by this day of month M-1
    remind_within_days: int = 7  # "soon due" window
    leaders: list[str] = Field(default_factory=list)

    def default_annual_deadline(self) -> dt.date:
        return self.annual_deadline or dt.date(self.year - 1, 11, 15)

    def effective_as_of(self, today: dt.date | None = None) -> dt.date:
        return self.as_of or today or dt.date.today()


class WorkItem(BaseModel):
    """One row of the master's annual programme: an item instance (a recurring item has one
    instance per period, each with its own code and deadline)."""

    code: str  # stable item code, e.g. 2026-STC-007 (recurring: 2026-STC-007-T03)
    agency_code: str
    content: str
    kind: str = ""  # Loại công việc
    level: str = ""  # Cấp trình
    basis: str = ""  # Căn cứ
    lead_name: str = ""  # Đơn vị chủ trì (as shown)
    partners: str = ""
    leader: str = ""
    start: dt.date | None = None
    deadline: dt.date | None = None  # original deadline of this instance
    period_label: str = ""  # Kỳ, e.g. "Quý II/2026" or "" for a dated item
    recurrence: str = ""  # Định kỳ as registered
    note: str = ""
    proposed_deadline: dt.date | None = None
    proposal_reason: str = ""
    approved_deadline: dt.date | None = None  # office-owned
    completed: dt.date | None = None
    result_document: str = ""
    progress_note: str = ""
    withdrawn: bool = False
    office_note: str = ""
    source: str = ""

    @property
    def effective_deadline(self) -> dt.date | None:
        return self.approved_deadline or self.deadline


class ImportLogEntry(BaseModel):
    when: dt.datetime
    who: str
    file: str
    sha256: str
    agency: str
    kind: str
    added: int = 0
    changed: int = 0
    removed: int = 0
    result: str = ""


class Receipt(BaseModel):
    """When an agency's registration for a programme reached the Office."""

    agency_code: str
    kind: str  # annual / monthly
    period: str  # "2026" or "2026-06"
    received: dt.date
    deadline: dt.date | None = None
