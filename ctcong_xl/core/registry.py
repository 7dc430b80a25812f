"""Reorganisations of the agency registry (SPEC §7 ``agencies``), as pure changes of a dataset:
adding an agency, renaming one, merging agencies into a successor. Each returns the changes it
made to items (for the history sheet); the registry rows it changed are listed in
:attr:`RegistryChange.agencies`.

* A **rename** keeps the code (item codes such as ``2026-SNV-003`` carry it) and updates the
  lead-agency name on the agency's items.
* A **merge** moves the *open* items (not completed, not withdrawn) of the merged agencies to
  the successor under their existing codes; completed and withdrawn items stay with the
  predecessor, and so does its registration punctuality (its receipts are kept; registrations
  due after the merge are "not applicable" to it, see :meth:`Agency.registers_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .consolidate import tool_update
from .dataset import Dataset
from .findings import Finding, finding
from .history import ADDED_TEXT, FieldChange, item_changes
from .layout import REGISTRY_COLUMNS
from .models import Agency

_HEADER = {c.key: c.header for c in REGISTRY_COLUMNS}
AGENCY_FIELD = "Đơn vị (danh mục)"  # the history's field for an agency added to the registry


class RegistryError(Exception):
    """A registry command that cannot be done; carries the finding (Vietnamese, with the fix)."""

    def __init__(self, problem: Finding) -> None:
        self.finding = problem
        super().__init__(problem.located_message())


@dataclass
class RegistryChange:
    agencies: list[str] = field(default_factory=list)  # codes of the registry rows changed or added
    items: list[str] = field(default_factory=list)  # codes of the items changed
    history: list[FieldChange] = field(default_factory=list)


def _known(ds: Dataset, code: str) -> Agency:
    agency = ds.agency(code.upper())
    if agency is None:
        raise RegistryError(finding("registry_code_unknown", code, codes=", ".join(a.code for a in ds.agencies)))
    return agency


def _replace(ds: Dataset, agency: Agency) -> None:
    ds.agencies = [agency if a.code == agency.code else a for a in ds.agencies]


def add(ds: Dataset, agency: Agency, on: dt.date) -> RegistryChange:
    """Add ``agency`` to the registry on ``on`` (registrations due before then are not
    applicable to it)."""
    if ds.agency(agency.code) is not None:
        raise RegistryError(finding("registry_code_taken", agency.code, name=ds.agency(agency.code).name))
    ds.agencies.append(agency.model_copy(update={"added": on}))
    return RegistryChange([agency.code], [], [FieldChange(agency.code, AGENCY_FIELD, "", f"{ADDED_TEXT}: {agency.name}")])


def rename(ds: Dataset, code: str, name: str) -> RegistryChange:
    """The agency ``code`` is now called ``name``; its items' lead agency follows (a name the
    Office typed by hand in an item stays)."""
    agency = _known(ds, code)
    if not name.strip():
        raise RegistryError(finding("agency_name_missing", agency.code))
    if name == agency.name:
        return RegistryChange()
    _replace(ds, agency.model_copy(update={"name": name}))
    before = {i.ma_dau_viec: i for i in ds.items}
    ds.items = [tool_update(i, don_vi_chu_tri=name) if i.ma_don_vi == agency.code and i.don_vi_chu_tri == agency.name
                else i for i in ds.items]
    history = [FieldChange(agency.code, _HEADER["name"], agency.name, name), *item_changes(before, ds.items)]
    return RegistryChange([agency.code], sorted({c.code for c in history[1:]}), history)


def merge(ds: Dataset, codes: Sequence[str], into: str, on: dt.date) -> RegistryChange:
    """Merge the agencies ``codes`` into ``into`` on ``on``: their open items move to the
    successor (same item codes); they stay in the registry, marked as merged."""
    successor = _known(ds, into)
    merged = [_known(ds, c) for c in codes]
    for a in merged:
        if a.code == successor.code:
            raise RegistryError(finding("registry_merge_into_itself", a.code))
        if a.merged_into:
            raise RegistryError(finding("registry_already_merged", a.code, successor=a.merged_into))
    gone = {a.code: a for a in merged}
    before = {i.ma_dau_viec: i for i in ds.items}
    ds.items = [
        tool_update(i, don_vi_chu_tri=successor.name).model_copy(update={"ma_don_vi": successor.code})
        if i.ma_don_vi in gone and not i.rut and i.ngay_hoan_thanh is None else i
        for i in ds.items
    ]
    for a in merged:
        _replace(ds, a.model_copy(update={"merged_into": successor.code, "merged_on": on}))
    history = [FieldChange(a.code, _HEADER["merged_into"], "", successor.code) for a in merged]
    moved = item_changes(before, ds.items)
    return RegistryChange([a.code for a in merged], sorted({c.code for c in moved}), history + moved)
