"""`summary`, `report` and `remind` (SPEC §7): the review of the programme at an as-of date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.dataset import Dataset
from ..core.models import Agency
from ..core.plan import WritePlan
from ..core.documents import report_document
from ..core.summary import Summary, reminder_items, summarize
from ..core.writeplan import plan_config, plan_programme
from ..io import master as master_io
from ..io.document import Published, publish
from ..io.master_build import STATUS_COLORS
from ..io.reminders import write_reminder
from .workspace import Workspace, write_master

def summary(ws: Workspace, *, as_of: dt.date | None = None, today: dt.date | None = None) -> Summary:
    """Counts at ``as_of``; with ``as_of`` also records it as the master's as-of date so the
    master's formulas show the same statuses, and refreshes the cached statuses."""
    return _review(ws, as_of=as_of, today=today)[0]


def _review(ws: Workspace, *, as_of: dt.date | None, today: dt.date | None) -> tuple[Summary, Dataset]:
    path = ws.master
    with master_io.locked(path):
        ds = master_io.read_master(path)
        s, plan = plan_summary(ds, as_of=as_of, today=today)
        if plan.writes:
            write_master(ws, path, plan)
        return s, ds


def plan_summary(ds: Dataset, *, as_of: dt.date | None = None, today: dt.date | None = None) -> tuple[Summary, WritePlan]:
    when = as_of or ds.config.effective_as_of(today or dt.date.today())
    plan = WritePlan()
    if as_of is not None:
        plan_config(plan, "as_of", as_of)
        ds.config.as_of = as_of
        plan_programme(plan, ds, when)
    return summarize(ds, when), plan


def report(ws: Workspace, *, as_of: dt.date | None = None, today: dt.date | None = None) -> tuple[Summary, Published]:
    """The report as an administrative document, ``reports/BaoCao_<as-of>.docx`` (+ .pdf): the
    figures and the paragraph of :func:`summary`, dated ``today``."""
    s, ds = _review(ws, as_of=as_of, today=today)
    return s, report_from(ws, s, ds, today=today)


def report_from(ws: Workspace, s: Summary, ds: Dataset, *, today: dt.date | None = None) -> Published:
    """The report of a summary already made (from the file or the open book)."""
    doc = report_document(s, ds, day=today or dt.date.today(), colors=STATUS_COLORS)
    return publish(doc, ws.folder("reports") / f"BaoCao_{s.as_of:%Y-%m-%d}.docx")


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
