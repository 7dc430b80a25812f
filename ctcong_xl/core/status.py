"""The status of an item (SPEC §2): one table that yields the Python rule and the Excel formula.

E = effective deadline, C = completion date, D = as-of date (*ngày báo cáo*). The table
:data:`RULES` is read top to bottom; the first row whose condition holds gives the status:

====  ============================================================  ===========================
row   condition                                                     status
====  ============================================================  ===========================
1     item withdrawn (the withdrawn cell is not blank)              Đã rút khỏi chương trình
2     C set, C ≤ D, and (E blank or C ≤ E)                          Hoàn thành đúng hạn
3     C set, C ≤ D                                   (so C > E)     Hoàn thành không đúng hạn
4     E set, D > E                                                  Chưa hoàn thành
5     otherwise                                                     Đang thực hiện
====  ============================================================  ===========================

A completion dated after D does not count at D: rows 2–3 need C ≤ D, so such an item falls
through to rows 4–5 exactly like an item without a completion date.

**Blank deadline** (SPEC §2 is silent; decided here): an item without a deadline can never be
late. It is "Hoàn thành đúng hạn" once completed (C ≤ D), and "Đang thực hiện" before —
never "Chưa hoàn thành" nor "Hoàn thành không đúng hạn".

Each condition is built from a few atoms that exist twice, side by side: a Python test and an
Excel text. :func:`classify` evaluates the table in Python, :func:`status_formula` writes the
same table as nested ``IF`` (Excel and LibreOffice 7.4 alike: only ``IF``, ``AND``, ``OR``,
``N``). To make each atom mean the same thing on both sides, Python sees a date the way a
spreadsheet does: as a number, with a blank as 0 (``N(cell)``), below every real date. A date
cell that holds 0 or the empty text (e.g. a formula ``=IF(Q5="",K5,Q5)`` over blank cells)
therefore counts as blank, as it should. A comparison of two dates is only ever used in the
table together with the presence test of its C or E (the one place where Excel, comparing
the empty text with a number, would differ from Python). Dates are whole days; a time of day
in a cell is not expected (the doors write dates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Literal

from .text import normalize_header


class Status(str, Enum):
    """The five statuses of SPEC §2; the value is the key used in JSON and code."""

    RUT_KHOI = "rut_khoi_chuong_trinh"
    DUNG_HAN = "hoan_thanh_dung_han"
    KHONG_DUNG_HAN = "hoan_thanh_khong_dung_han"
    CHUA_HOAN_THANH = "chua_hoan_thanh"
    DANG_THUC_HIEN = "dang_thuc_hien"

    @property
    def text(self) -> str:
        """The exact Vietnamese text of SPEC §2, as shown in the `Tình trạng` column."""
        return _TEXTS[self]

    @property
    def key(self) -> str:
        return self.value


_TEXTS: dict[Status, str] = {
    Status.RUT_KHOI: "Đã rút khỏi chương trình",
    Status.DUNG_HAN: "Hoàn thành đúng hạn",
    Status.KHONG_DUNG_HAN: "Hoàn thành không đúng hạn",
    Status.CHUA_HOAN_THANH: "Chưa hoàn thành",
    Status.DANG_THUC_HIEN: "Đang thực hiện",
}

STATUS_KEYS: tuple[str, ...] = tuple(s.value for s in Status)
# Withdrawn items are shown apart: not in the four counts, not in the total.
COUNTED: tuple[Status, ...] = tuple(s for s in Status if s is not Status.RUT_KHOI)


# --- the condition language: each atom is a Python test and an Excel text ------------------

DateField = Literal["deadline", "completed", "as_of"]


@dataclass(frozen=True)
class _Facts:
    """One item at one as-of date, dates as spreadsheet-like numbers (blank = 0)."""

    numbers: Mapping[str, int]
    withdrawn: bool


class Condition:
    def holds(self, facts: _Facts) -> bool:
        raise NotImplementedError

    def excel(self, refs: Mapping[str, str]) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Withdrawn(Condition):
    """The withdrawn cell holds anything at all (the Office writes "x")."""

    def holds(self, facts: _Facts) -> bool:
        return facts.withdrawn

    def excel(self, refs: Mapping[str, str]) -> str:
        return f'{refs["withdrawn"]}<>""'


@dataclass(frozen=True)
class Present(Condition):
    """The date is set (a positive number; blank, "" and 0 are not)."""

    field: DateField

    def holds(self, facts: _Facts) -> bool:
        return facts.numbers[self.field] > 0

    def excel(self, refs: Mapping[str, str]) -> str:
        return f"N({refs[self.field]})>0"


@dataclass(frozen=True)
class Blank(Condition):
    field: DateField

    def holds(self, facts: _Facts) -> bool:
        return facts.numbers[self.field] == 0

    def excel(self, refs: Mapping[str, str]) -> str:
        return f"N({refs[self.field]})=0"


@dataclass(frozen=True)
class NotAfter(Condition):
    """left ≤ right."""

    left: DateField
    right: DateField

    def holds(self, facts: _Facts) -> bool:
        return facts.numbers[self.left] <= facts.numbers[self.right]

    def excel(self, refs: Mapping[str, str]) -> str:
        return f"{refs[self.left]}<={refs[self.right]}"


@dataclass(frozen=True)
class After(Condition):
    """left > right."""

    left: DateField
    right: DateField

    def holds(self, facts: _Facts) -> bool:
        return facts.numbers[self.left] > facts.numbers[self.right]

    def excel(self, refs: Mapping[str, str]) -> str:
        return f"{refs[self.left]}>{refs[self.right]}"


@dataclass(frozen=True)
class AllOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, facts: _Facts) -> bool:
        return all(p.holds(facts) for p in self.parts)

    def excel(self, refs: Mapping[str, str]) -> str:
        return "AND(" + ",".join(p.excel(refs) for p in self._flat()) + ")"

    def _flat(self) -> list[Condition]:
        flat: list[Condition] = []
        for p in self.parts:
            flat.extend(p._flat() if isinstance(p, AllOf) else [p])
        return flat


@dataclass(frozen=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, facts: _Facts) -> bool:
        return any(p.holds(facts) for p in self.parts)

    def excel(self, refs: Mapping[str, str]) -> str:
        return "OR(" + ",".join(p.excel(refs) for p in self.parts) + ")"


@dataclass(frozen=True)
class Otherwise(Condition):
    """Always holds; only as the last row of the table."""

    def holds(self, facts: _Facts) -> bool:
        return True

    def excel(self, refs: Mapping[str, str]) -> str:
        return "TRUE"


def all_of(*parts: Condition) -> AllOf:
    return AllOf(parts)


def any_of(*parts: Condition) -> AnyOf:
    return AnyOf(parts)


@dataclass(frozen=True)
class Rule:
    when: Condition
    status: Status


# --- THE table (SPEC §2), read top to bottom ------------------------------------------------

_DONE_BY_AS_OF = all_of(Present("completed"), NotAfter("completed", "as_of"))

RULES: tuple[Rule, ...] = (
    Rule(Withdrawn(), Status.RUT_KHOI),
    Rule(all_of(_DONE_BY_AS_OF, any_of(Blank("deadline"), NotAfter("completed", "deadline"))), Status.DUNG_HAN),
    Rule(_DONE_BY_AS_OF, Status.KHONG_DUNG_HAN),
    Rule(all_of(Present("deadline"), After("as_of", "deadline")), Status.CHUA_HOAN_THANH),
    Rule(Otherwise(), Status.DANG_THUC_HIEN),
)


# --- Python ----------------------------------------------------------------------------------

def _number(d: date | None) -> int:
    """A date as a positive day number, a blank as 0 — as a spreadsheet's N(cell) sees it."""
    return d.toordinal() if d is not None else 0


def classify(deadline: date | None, completed: date | None, as_of: date, withdrawn: bool = False) -> Status:
    """Status of one item at ``as_of`` (deadline = the effective deadline E)."""
    return _classify(deadline, completed, as_of, bool(withdrawn))


@lru_cache(maxsize=1 << 16)
def _classify(deadline: date | None, completed: date | None, as_of: date, withdrawn: bool) -> Status:
    """:func:`classify`, worked out once per distinct set of dates: a run classifies every item
    several times (the summary, its sheet, the ranking, the leaders' view, the cached statuses),
    and deadlines and completion dates repeat across items."""
    facts = _Facts(
        numbers={"deadline": _number(deadline), "completed": _number(completed), "as_of": _number(as_of)},
        withdrawn=bool(withdrawn),
    )
    for rule in RULES:
        if rule.when.holds(facts):
            return rule.status
    raise AssertionError("the status table must end with Otherwise()")  # pragma: no cover


# --- Excel -----------------------------------------------------------------------------------

def _excel_text(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def status_formula(
    *, deadline: str, completed: str, as_of: str, withdrawn: str, content: str | None = None
) -> str:
    """The status rule as Excel formula text (starting with "="), e.g. for row 5::

        status_formula(deadline="R5", completed="S5", as_of="NgayBaoCao", withdrawn="V5", content="B5")

    Arguments are cell references or defined names. Dates must be real date serials. Any
    non-blank value in the withdrawn cell means withdrawn. With ``content``, the formula
    yields "" while that cell is blank (empty rows of a template). Works in Excel and in
    LibreOffice: nested IF, AND, OR, N only.
    """
    refs = {"deadline": deadline, "completed": completed, "as_of": as_of, "withdrawn": withdrawn}
    for name, ref in refs.items():
        if not ref or not ref.strip():
            raise ValueError(f"status_formula: empty reference for {name}")
    expr = _excel_text(RULES[-1].status.text)
    for rule in reversed(RULES[:-1]):
        expr = f"IF({rule.when.excel(refs)},{_excel_text(rule.status.text)},{expr})"
    if content is not None:
        expr = f'IF({content}="","",{expr})'
    return "=" + expr


# --- reading a status back -------------------------------------------------------------------

_BY_TEXT: dict[str, Status] = {normalize_header(s.text): s for s in Status}


def status_from_text(text: str) -> Status | None:
    """The status whose SPEC text this is (NFC, spaces and letter case forgiven), else None."""
    if not isinstance(text, str):
        return None
    return _BY_TEXT.get(normalize_header(text))
