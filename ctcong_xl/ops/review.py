"""`summary` and `report` (SPEC §7): the review of the programme at an as-of date."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..core.dataset import Dataset
from ..core.plan import WritePlan
from ..core.reviewsheets import plan_review_sheets
from ..core.summary import Summary, summarize
from ..core.writeplan import plan_config, plan_config_labels, plan_programme, plan_summary_sheet
from ..io import master as master_io
from .workspace import Workspace, write_master

if TYPE_CHECKING:
    from ..io.document import Published


def summary(ws: Workspace, *, as_of: dt.date | None = None, today: dt.date | None = None) -> Summary:
    """Counts at ``as_of``; with ``as_of`` also records it as the master's as-of date so the
    master's formulas show the same statuses, and refreshes the cached statuses."""
    return _review(ws, as_of=as_of, today=today)[0]


def _review(ws: Workspace, *, as_of: dt.date | None, today: dt.date | None) -> tuple[Summary, Dataset]:
    path = ws.master
    with master_io.locked(path):
        ds = master_io.read_master(path, logs=False)  # a summary appends to no log
        s, plan = plan_summary(ds, as_of=as_of, today=today)
        if plan.writes:
            write_master(ws, path, plan, ds.config)
        return s, ds


def plan_summary(ds: Dataset, *, as_of: dt.date | None = None, today: dt.date | None = None) -> tuple[Summary, WritePlan]:
    when = as_of or ds.config.effective_as_of(today or dt.date.today())
    plan = WritePlan()
    if as_of is not None:
        plan_config(plan, "as_of", as_of)
        ds.config.as_of = as_of
        plan_programme(plan, ds, when)
        plan_summary_sheet(plan, ds, when)
        plan_config_labels(plan, ds)  # rows an older master lacks
    s = summarize(ds, when)
    if as_of is not None:
        plan_review_sheets(plan, ds, s)
    return s, plan


def report(ws: Workspace, *, as_of: dt.date | None = None, today: dt.date | None = None) -> tuple[Summary, Published]:
    """The report as an administrative document, ``reports/BaoCao_<as-of>.docx`` (+ .pdf): the
    figures and the paragraph of :func:`summary`, dated ``today``."""
    s, ds = _review(ws, as_of=as_of, today=today)
    return s, report_from(ws, s, ds, today=today)


def report_from(ws: Workspace, s: Summary, ds: Dataset, *, today: dt.date | None = None) -> Published:
    """The report of a summary already made (from the file or the open book)."""
    from ..core.documents import report_document  # the document model: only when a report is made
    from ..io.document import publish  # python-docx, matplotlib: likewise

    doc = report_document(s, ds, day=today or dt.date.today())
    return publish(doc, ws.folder("reports") / f"BaoCao_{s.as_of:%Y-%m-%d}.docx")
