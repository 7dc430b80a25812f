"""`agencies` (SPEC §7): the agency registry and its reorganisations — list, add, rename,
merge — so that the Office never edits codes by hand. Each change is one atomic write of the
master (registry rows, the items it moved or renamed, the history sheet), refused while the
master is open in Excel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from ..core import registry as rules
from ..core.dataset import Dataset
from ..core.models import Agency
from ..core.plan import WritePlan
from ..core.registry import RegistryChange
from ..core.writeplan import plan_config_labels, plan_history, plan_programme, plan_registry, plan_summary_sheet
from ..io import master as master_io
from ..io.agencies import AgenciesFileError, parse_agency
from .workspace import Workspace, WorkspaceError, current_user, write_master

COMMAND = "Lệnh ctcong-xl agencies {action}"  # the history's source of a registry change


def list_agencies(ws: Workspace) -> list[Agency]:
    return master_io.read_master(ws.master, logs=False).agencies  # only reads


def add_agency(ws: Workspace, code: str, name: str, *, kind: str = "", email: str = "",
               on: dt.date | None = None, who: str | None = None) -> RegistryChange:
    agency, problems = parse_agency(code, name, kind, email)
    if agency is None:
        raise AgenciesFileError([f for _, f in problems])
    return _change(ws, "add", lambda ds: rules.add(ds, agency, on or dt.date.today()), who)


def rename_agency(ws: Workspace, code: str, name: str, *, who: str | None = None) -> RegistryChange:
    return _change(ws, "rename", lambda ds: rules.rename(ds, code, name), who)


def merge_agencies(ws: Workspace, codes: Sequence[str], into: str, *, on: dt.date | None = None,
                   who: str | None = None) -> RegistryChange:
    return _change(ws, "merge", lambda ds: rules.merge(ds, codes, into, on or dt.date.today()), who)


def _change(ws: Workspace, action: str, apply: Callable[[Dataset], RegistryChange], who: str | None) -> RegistryChange:
    path = ws.master
    master_io.check_not_open(path)  # refuse before doing anything: Excel holds the book
    with master_io.locked(path):
        ds = master_io.read_master(path)
        try:
            change = apply(ds)
        except rules.RegistryError as exc:
            raise WorkspaceError(str(exc)) from exc
        plan = WritePlan()
        if change.agencies:
            plan_registry(plan, ds, change.agencies)
        if change.items:
            plan_programme(plan, ds, ds.config.effective_as_of(dt.date.today()))
        if plan.writes:
            plan_summary_sheet(plan, ds, ds.config.effective_as_of(dt.date.today()))
            plan_config_labels(plan, ds)  # rows an older master lacks
        now = dt.datetime.now().replace(microsecond=0)
        plan_history(plan, ds, now, who or current_user(), [(COMMAND.format(action=action), c) for c in change.history])
        if plan.writes:
            write_master(ws, path, plan, ds.config)
    return change
