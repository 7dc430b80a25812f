"""`summary`, `report` and `remind` (SPEC §7): the review of the programme at an as-of date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.dataset import Dataset
from ..core.models import Agency
from ..core.plan import WritePlan
from ..core.status import COUNTED
from ..core.summary import Summary, reminder_items, summarize
from ..core.text import vn_sort_key
from ..core.writeplan import plan_config, plan_programme
from ..io import master as master_io
from ..io.reminders import write_reminder
from .workspace import Workspace, write_master

def summary(ws: Workspace, *, as_of: dt.date | None = None, today: dt.date | None = None) -> Summary:
    """Counts at ``as_of``; with ``as_of`` also records it as the master's as-of date so the
    master's formulas show the same statuses, and refreshes the cached statuses."""
    path = ws.master
    with master_io.locked(path):
        s, plan = plan_summary(master_io.read_master(path), as_of=as_of, today=today)
        if plan.writes:
            write_master(ws, path, plan)
        return s


def plan_summary(ds: Dataset, *, as_of: dt.date | None = None, today: dt.date | None = None) -> tuple[Summary, WritePlan]:
    when = as_of or ds.config.effective_as_of(today or dt.date.today())
    plan = WritePlan()
    if as_of is not None:
        plan_config(plan, "as_of", as_of)
        ds.config.as_of = as_of
        plan_programme(plan, ds, when)
    return summarize(ds, when), plan


def report(ws: Workspace, *, as_of: dt.date | None = None, today: dt.date | None = None) -> tuple[Summary, Path]:
    """The paragraph and the tables as a text report in reports/."""
    s = summary(ws, as_of=as_of, today=today)
    out = ws.folder("reports")
    out.mkdir(exist_ok=True)
    path = out / f"BaoCao_{s.as_of:%Y-%m-%d}.txt"
    lines = [f"BÁO CÁO TÌNH HÌNH THỰC HIỆN CHƯƠNG TRÌNH CÔNG TÁC NĂM {s.year}", "", s.narrative, "",
             "Theo đơn vị:"]
    for a in sorted(s.by_agency, key=lambda a: vn_sort_key(a["name"])):
        if a["total"]:
            lines.append(f"- {a['name']}: {a['total']} việc; " + ", ".join(
                f"{a[st.value]} {st.text.lower()}" for st in COUNTED if a[st.value]))
    lines += ["", "Đăng ký chương trình công tác năm (đánh giá thi đua):"]
    for a in sorted(s.by_agency, key=lambda a: vn_sort_key(a["name"])):
        late_months = [m for m, v in a["monthly_registration"].items() if v != "Đúng hạn"]
        monthly = f"; đăng ký tháng chưa đúng hạn: {', '.join(late_months)}" if late_months else ""
        lines.append(f"- {a['name']}: {a['registration'].lower()}{monthly}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return s, path


@dataclass
class Reminder:
    agency: Agency
    overdue: list
    due_soon: list
    path: Path | None = None


def remind(ws: Workspace, *, as_of: dt.date | None = None, within: int | None = None,
           today: dt.date | None = None) -> list[Reminder]:
    return remind_from(ws, master_io.read_master(ws.master), as_of=as_of, within=within, today=today)


def remind_from(ws: Workspace, ds: Dataset, *, as_of: dt.date | None = None, within: int | None = None,
                today: dt.date | None = None) -> list[Reminder]:
    """The reminder lists for a dataset already read (from the file or the open book)."""
    when = as_of or ds.config.effective_as_of(today or dt.date.today())
    days = within if within is not None else ds.config.remind_within_days
    out = []
    for a in ds.agencies:
        overdue, soon = reminder_items(ds.items_of(a.code), when, days)
        if overdue or soon:
            out.append(Reminder(a, overdue, soon))
    for r in out:
        r.path = write_reminder(ws.folder("outbox"), r.agency, r.overdue, r.due_soon, when, ds.config.year)
    return out
