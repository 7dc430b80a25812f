"""Dataset + as-of date -> counts per status, per agency, per leader, per month, and the
report paragraph of SPEC §8."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from . import layout as L
from .dataset import Dataset
from .forms import column_letter
from .models import Agency, WorkItem
from .status import COUNTED, STATUS_KEYS, Status, classify
from .text import format_date, vn_sorted
from .followup import leader_items, monthly_outcomes, overdue_ageing
from .ranking import monthly_receipts, ranking
from .warning import WarningGroup, warning_group

# How each counted status reads in the paragraph (SPEC §8, after the Office's own reports).
NARRATIVE_PHRASES: dict[Status, str] = {
    Status.DUNG_HAN: "công việc hoàn thành đúng hạn",
    Status.KHONG_DUNG_HAN: "công việc hoàn thành nhưng không đúng hạn",
    Status.CHUA_HOAN_THANH: "công việc chưa hoàn thành",
    Status.DANG_THUC_HIEN: "công việc đang thực hiện",
}


# The annual registration's punctuality, as the registry's formula also writes it.
REGISTRATION_NOT_SENT = "Chưa gửi"
REGISTRATION_ON_TIME = "Đúng hạn"
REGISTRATION_LATE = ("Chậm ", " ngày")  # around the number of days late
REGISTRATION_NOT_APPLICABLE = "Không áp dụng"  # added to the registry after the deadline, or merged before it


def item_status(item: WorkItem, as_of: dt.date) -> Status:
    return classify(item.effective_deadline, item.ngay_hoan_thanh, as_of, item.rut)


_VALUE = {st: st.value for st in Status}  # (an enum's value is slow to ask for, item by item)


def _zero() -> dict[str, int]:
    return {k: 0 for k in STATUS_KEYS}


@dataclass
class Summary:
    as_of: dt.date
    year: int
    program_number: str
    total: int
    agencies: int
    by_status: dict[str, int]
    by_agency: list[dict] = field(default_factory=list)
    by_leader: list[dict] = field(default_factory=list)
    by_month: list[dict] = field(default_factory=list)
    narrative: str = ""
    ranking: list[dict] = field(default_factory=list)  # core.ranking.ranking
    overdue_ageing: dict = field(default_factory=dict)  # core.followup.overdue_ageing
    leaders: list[dict] = field(default_factory=list)  # core.followup.leader_items
    monthly_outcomes: list[dict] = field(default_factory=list)  # core.followup.monthly_outcomes

    @property
    def on_time_rate(self) -> float | None:
        done = self.by_status[Status.DUNG_HAN.value] + self.by_status[Status.KHONG_DUNG_HAN.value]
        return None if done == 0 else self.by_status[Status.DUNG_HAN.value] / done

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "year": self.year,
            "program_number": self.program_number,
            "total": self.total,
            "agencies": self.agencies,
            "by_status": self.by_status,
            "on_time_rate": self.on_time_rate,
            "by_agency": self.by_agency,
            "by_leader": self.by_leader,
            "by_month": self.by_month,
            "narrative": self.narrative,
            "ranking": self.ranking,
            "overdue_ageing": self.overdue_ageing,
            "leaders": self.leaders,
            "monthly_outcomes": self.monthly_outcomes,
        }


def summarize(ds: Dataset, as_of: dt.date) -> Summary:
    by_status = _zero()
    per_agency: dict[str, dict[str, int]] = {a.code: _zero() for a in ds.agencies}
    per_leader: dict[str, dict[str, int]] = {}
    per_month: dict[int, dict[str, int]] = {m: _zero() for m in range(1, 13)}
    statuses = [item_status(item, as_of) for item in ds.items]  # once, for every table below
    for item, st in zip(ds.items, statuses):
        s = _VALUE[st]
        by_status[s] += 1
        per_agency.setdefault(item.ma_don_vi, _zero())[s] += 1
        per_leader.setdefault(item.lanh_dao or "(Chưa phân công)", _zero())[s] += 1
        e = item.effective_deadline
        if e is not None and e.year == ds.config.year:
            per_month[e.month][s] += 1
    total = sum(by_status[s.value] for s in COUNTED)
    names = {a.code: a.name for a in ds.agencies}
    agency = ds.agencies_by_code()
    deadline = ds.config.default_annual_deadline()
    monthly = monthly_punctuality(ds, as_of)
    by_agency = [
        {"code": code, "name": names.get(code, code), **counts, "total": sum(counts[s.value] for s in COUNTED),
         "received": ds.received_annual[code].isoformat() if code in ds.received_annual else None,
         "registration": registration_punctuality(ds.received_annual.get(code), deadline, agency.get(code)),
         "monthly_registration": monthly.get(code, {})}
        for code, counts in per_agency.items()
    ]
    agencies = sum(1 for a in by_agency if a["total"] > 0)
    by_leader = [
        {"leader": name, **per_leader[name], "total": sum(per_leader[name][s.value] for s in COUNTED)}
        for name in vn_sorted(per_leader)
    ]
    by_month = [{"month": m, **c, "total": sum(c[s.value] for s in COUNTED)} for m, c in per_month.items()]
    text = narrative(
        year=ds.config.year,
        program_number=ds.config.program_number,
        total=total,
        agencies=agencies,
        counts=by_status,
        as_of=as_of,
    )
    return Summary(as_of, ds.config.year, ds.config.program_number, total, agencies, by_status,
                   by_agency, by_leader, by_month, text, ranking=ranking(ds, as_of, statuses),
                   overdue_ageing=overdue_ageing(ds, as_of, statuses),
                   leaders=leader_items(ds, as_of, ds.config.remind_within_days, statuses),
                   monthly_outcomes=monthly_outcomes(ds))


def reminder_items(items: list[WorkItem], as_of: dt.date, within_days: int) -> tuple[list[WorkItem], list[WorkItem]]:
    """(overdue, due soon) for the reminder list (đôn đốc): the items of those two warning
    groups (:func:`ctcong_xl.core.warning.warning_group`)."""
    overdue, soon = [], []
    for i in items:
        group = warning_group(item_status(i, as_of), i.effective_deadline, as_of, within_days)
        if group is WarningGroup.OVERDUE:
            overdue.append(i)
        elif group is WarningGroup.DUE_SOON:
            soon.append(i)
    return overdue, soon


def monthly_punctuality(ds: Dataset, as_of: dt.date) -> dict[str, dict[str, str]]:
    """Agency code -> {"MM/YYYY": punctuality} of its monthly registrations, for every month
    whose registration deadline (the configured day of month M-1) has passed at ``as_of`` and
    for which the Office ran a monthly cycle (some agency registered that month). The date a
    month's registration arrived is the earliest receipt among its rows."""
    agencies = {a.code: a for a in ds.agencies}
    return {code: {label: registration_punctuality(got, deadline, agencies.get(code))
                   for label, (got, deadline) in months.items()}
            for code, months in monthly_receipts(ds, as_of).items()}


@dataclass(frozen=True)
class MonthlyTally:
    """An agency's monthly registrations by verdict (months as ``MM/YYYY``): sent on time, sent
    late (with the days), not sent; months not applicable to it are left out."""

    on_time: tuple[str, ...]
    late: tuple[tuple[str, str], ...]  # (month, "Chậm N ngày")
    not_sent: tuple[str, ...]

    @property
    def due(self) -> int:
        return len(self.on_time) + len(self.late) + len(self.not_sent)


def monthly_tally(verdicts: dict[str, str]) -> MonthlyTally:
    """:class:`MonthlyTally` of one agency's ``monthly_registration`` verdicts."""
    return MonthlyTally(
        on_time=tuple(m for m, v in verdicts.items() if v == REGISTRATION_ON_TIME),
        late=tuple((m, v) for m, v in verdicts.items() if v.startswith(REGISTRATION_LATE[0])),
        not_sent=tuple(m for m, v in verdicts.items() if v == REGISTRATION_NOT_SENT),
    )


def registration_punctuality(received: dt.date | None, deadline: dt.date, agency: Agency | None = None) -> str:
    """Whether an agency's registration arrived by the deadline, in the words of the registry's
    formula (:func:`registry_punctuality_formula`): not applicable when the agency was added to
    the registry after the deadline or merged into another before it (:meth:`Agency.registers_for`)."""
    if agency is not None and not agency.registers_for(deadline):
        return REGISTRATION_NOT_APPLICABLE
    if received is None:
        return REGISTRATION_NOT_SENT
    if received <= deadline:
        return REGISTRATION_ON_TIME
    before, after = REGISTRATION_LATE
    return f"{before}{(received - deadline).days}{after}"


def registry_punctuality_formula(row: int, *, sheet: str = "") -> str:
    """:func:`ctcong_xl.core.summary.registration_punctuality` as a formula of registry row
    ``row`` (cells of ``sheet`` when the formula stands on another sheet)."""
    keys = [c.key for c in L.REGISTRY_COLUMNS]
    at = f"'{sheet}'!" if sheet else ""

    def ref(key: str) -> str:
        return f"{at}{column_letter(keys.index(key) + 1)}{row}"

    code, e, added, merged = ref("code"), ref("received_annual"), ref("added"), ref("merged_on")
    before, after = REGISTRATION_LATE
    not_expected = f"OR(N({added})>HanDangKyNam,AND(N({merged})>0,N({merged})<=HanDangKyNam))"
    return (f'=IF({code}="","",IF({not_expected},"{REGISTRATION_NOT_APPLICABLE}",'
            f'IF({e}="","{REGISTRATION_NOT_SENT}",IF({e}<=HanDangKyNam,"{REGISTRATION_ON_TIME}",'
            f'"{before}"&({e}-HanDangKyNam)&"{after}"))))')


def as_of_phrase(as_of: dt.date) -> str:
    """'đến cuối tháng 9/2015' on the last day of a month, else 'đến ngày 15/09/2015'."""
    if as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]:
        return f"đến cuối tháng {as_of.month}/{as_of.year}"
    return f"đến ngày {format_date(as_of)}"


def narrative(*, year: int, program_number: str, total: int, agencies: int, counts: dict[str, int], as_of: dt.date) -> str:
    """The report paragraph (SPEC §8). Categories with a zero count are left out; withdrawn
    items, excluded from the total, get a sentence of their own when there are any."""
    number = f" số {program_number}" if program_number else ""
    parts = [f"{counts[s.value]} {NARRATIVE_PHRASES[s]}" for s in COUNTED if counts[s.value] > 0]
    status_text = ("có " + ", ".join(parts)) if total else "chưa có công việc nào"
    text = (
        f"Năm {year}, UBND tỉnh ban hành Chương trình công tác năm{number} có tổng số {total} đầu việc "
        f"được giao cho {agencies} đơn vị; {as_of_phrase(as_of)} {status_text}."
    )
    withdrawn = counts.get(Status.RUT_KHOI.value, 0)
    if withdrawn:
        text += f" Ngoài ra, có {withdrawn} công việc đã rút khỏi chương trình."
    return text
