"""Dates and periods as people type them (SPEC §3).

A deadline cell may hold a real date, an Excel serial number, or text. :func:`parse_deadline`
turns any of them into a date, a period label and, for recurring words, a :class:`Recurrence`;
:func:`expand` turns a recurrence into one :class:`Instance` per period of the programme year.
Nothing here raises for a user's mistake: bad input gives a :class:`Finding`.

Rules and decisions (the clerk's reading of a cell):

* Text is compared after NFKC/NFC normalisation, case folding, collapsing spaces and removing
  diacritics, so ``Quý``, ``QUÝ``, ``quý`` (NFC or NFD) and an unaccented ``Quy`` are the same;
  ``Hằng`` and ``Hàng`` both read as "every".
* A date is ALWAYS day first: ``15/11/2026``, ``5/1/2026``, ``15-11-2026``, ``15.11.2026``,
  ``ngày 15/11/2026``, ``ngày 15 tháng 11 năm 2026``. A two-digit year is 20YY (``15/11/26``).
  Year first means ISO: ``2026-11-15`` (also with a time, as ``str(datetime)`` writes it).
* ``D/M`` (``15/11``) is a day of the programme year. ``M/YYYY`` (one or two digits, then a
  four-digit year, e.g. ``6/2026``) is month M of that year, like ``Tháng 6/2026``.
* Periods resolve to their last day: ``Tháng 6``, ``T6/2026``, ``tháng 6 năm 2026``,
  ``Quý II``, ``Quý 2/2026``, ``Q2``, ``6 tháng đầu năm`` (30/06), ``6 tháng cuối năm`` (31/12),
  ``Năm 2026``, ``Cả năm``, ``Cuối năm``. A missing year is the programme year.
  The lead words ``trong``, ``cuối``, ``chậm nhất (là)``, ``hạn`` are allowed in front
  (``Trong quý II``, ``Cuối tháng 6``, ``Chậm nhất ngày 15/11``). ``Trước ngày 15/11`` is NOT
  accepted: whether it means 14/11 or 15/11 is ambiguous.
* A time of day next to a date (``8h30, 15/6/2026``, ``15/06/2026 14:00``) is ignored.
* Recurring words (``Hằng tháng``, ``Định kỳ hằng quý``, ``6 tháng``, ``Định kỳ 6 tháng``,
  ``Hằng năm``) give a result with no deadline and the recurrence set.
* A number, or a text of digits such as ``46341``, is an Excel serial day (1900 date system).
  Serial 60 is Excel's phantom 29/02/1900 and is reported as an impossible date.
* Years must lie in 1900–2199; a deadline outside the programme year is an error unless the
  caller allows it (``date_outside_year``; the parsed value is returned with that finding, so a
  caller that finds a reason in ``Ghi chú`` can still use it).
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
import math
import numbers
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from .findings import Finding, finding
from .text import format_date, memoized

MIN_YEAR = 1900
MAX_YEAR = 2199
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 61 and above count from here
_EXCEL_MAX_SERIAL = 2958465  # 31/12/9999
_SHOWN_MAX_CHARS = 80  # a longer cell is shortened when quoted in a message


# --------------------------------------------------------------------------- public values


@dataclass(frozen=True)
class Recurrence:
    """An item repeating by period."""

    key: str  # "monthly" | "quarterly" | "half_yearly" | "yearly"
    label: str  # as in forms.DINH_KY


@dataclass(frozen=True)
class Instance:
    """One expanded instance of a recurring item."""

    suffix: str  # code suffix: T01..T12, Q1..Q4, H1/H2, N
    label: str  # "Tháng 3/2026", "Quý II/2026", "6 tháng đầu năm 2026", "Năm 2026"
    deadline: dt.date


@dataclass(frozen=True)
class ParsedDeadline:
    deadline: dt.date | None  # None for a bare recurring word
    label: str  # "" for a plain date, else the period label, e.g. "Quý II/2026"
    recurrence: Recurrence | None  # set when the text itself says it recurs


MONTHLY = Recurrence("monthly", "Hằng tháng")
QUARTERLY = Recurrence("quarterly", "Hằng quý")
HALF_YEARLY = Recurrence("half_yearly", "6 tháng")
YEARLY = Recurrence("yearly", "Hằng năm")
RECURRENCES: tuple[Recurrence, ...] = (MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY)

ROMAN_QUARTERS = ("I", "II", "III", "IV")


# --------------------------------------------------------------------------- small helpers


def excel_serial_to_date(n: float) -> dt.date:
    """The date of an Excel serial number (1900 date system; a time fraction is dropped).

    Raises ValueError for a number that is no day in Excel (below 1, beyond 31/12/9999, not
    finite) and for 60, Excel's phantom 29/02/1900.
    """
    if not math.isfinite(n) or n < 1 or n >= _EXCEL_MAX_SERIAL + 1:
        raise ValueError(f"not an Excel serial day: {n!r}")
    day = math.floor(n)
    if day == 60:
        raise ValueError("serial 60 is 29/02/1900, a day that does not exist")
    if day < 60:  # before Excel's phantom leap day
        return dt.date(1899, 12, 31) + dt.timedelta(days=day)
    return _EXCEL_EPOCH + dt.timedelta(days=day)


def date_to_excel_serial(d: dt.date) -> int:
    """The Excel serial number of a date after 28/02/1900 (1900 date system), the inverse of
    :func:`excel_serial_to_date`."""
    return (d - _EXCEL_EPOCH).days


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_label(month: int, year: int) -> str:
    return f"Tháng {month}/{year}"


def quarter_label(quarter: int, year: int) -> str:
    return f"Quý {ROMAN_QUARTERS[quarter - 1]}/{year}"


def half_label(half: int, year: int) -> str:
    return f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {year}"


def year_label(year: int) -> str:
    return f"Năm {year}"


# --------------------------------------------------------------------------- expansion


def expand(recurrence: Recurrence, year: int) -> list[Instance]:
    """One instance per period of ``year``, each due on the last day of its period."""
    if recurrence.key == "monthly":
        return [Instance(f"T{m:02d}", month_label(m, year), month_end(year, m)) for m in range(1, 13)]
    if recurrence.key == "quarterly":
        return [Instance(f"Q{q}", quarter_label(q, year), month_end(year, 3 * q)) for q in range(1, 5)]
    if recurrence.key == "half_yearly":
        return [Instance(f"H{h}", half_label(h, year), month_end(year, 6 * h)) for h in (1, 2)]
    if recurrence.key == "yearly":
        return [Instance("N", year_label(year), dt.date(year, 12, 31))]
    raise ValueError(f"unknown recurrence key: {recurrence.key!r}")


# --------------------------------------------------------------------------- parsing


class _Reject(Exception):
    """Internal: the text was understood but is wrong; carries the finding code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@memoized
def parse_deadline(
    value: object, year: int, *, allow_outside_year: bool = False
) -> tuple[ParsedDeadline | None, Finding | None]:
    """Read a deadline cell. Blank -> ``(None, None)``; understood -> ``(parsed, None)``;
    wrong -> ``(None, finding)``; outside the programme year -> ``(parsed, finding)``.
    See the module docstring for the forms understood."""
    if _is_blank(value):
        return None, None
    shown = _shown(value)
    try:
        parsed, shown = _parse_value(value, year, shown)
        if parsed.deadline is not None and not MIN_YEAR <= parsed.deadline.year <= MAX_YEAR:
            raise _Reject("year_invalid")
    except _Reject as reject:
        return None, finding(reject.code, shown, year=year)
    if parsed.deadline is not None and parsed.deadline.year != year and not allow_outside_year:
        return parsed, finding("date_outside_year", shown, year=year)
    return parsed, None


@memoized
def parse_recurrence(value: object) -> tuple[Recurrence | None, Finding | None]:
    """Read the ``Định kỳ`` column. Blank (or ``Một lần``) -> ``(None, None)``."""
    if _is_blank(value):
        return None, None
    if isinstance(value, str):
        folded = _fold(value)
        if _ONCE.match(folded):
            return None, None
        recurrence = _match_recurrence(folded)
        if recurrence is not None:
            return recurrence, None
    return None, finding("recurrence_unknown", _shown(value))


def _parse_value(value: object, year: int, shown: str) -> tuple[ParsedDeadline, str]:
    """The parsed value and the text to quote in a finding about it."""
    if isinstance(value, dt.datetime):
        return ParsedDeadline(value.date(), "", None), shown
    if isinstance(value, dt.date):
        return ParsedDeadline(value, "", None), shown
    if isinstance(value, bool):
        raise _Reject("date_unreadable")
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        return _parse_serial(value)
    if isinstance(value, str):
        return _parse_text(value, year), shown
    raise _Reject("date_unreadable")


def _parse_serial(value: numbers.Real | decimal.Decimal | str) -> tuple[ParsedDeadline, str]:
    try:
        number = float(value)
    except (ValueError, OverflowError, TypeError, ArithmeticError):
        raise _Reject("date_unreadable") from None
    if math.isfinite(number) and math.floor(number) == 60:  # Excel's phantom 29/02/1900
        raise _Reject("date_impossible")
    try:
        day = excel_serial_to_date(number)
    except (ValueError, OverflowError):
        raise _Reject("date_unreadable") from None
    return ParsedDeadline(day, "", None), f"{_number_text(number)} (ngày {format_date(day)})"


# Patterns run on folded text (see _fold): lower case, no diacritics, single spaces, ASCII.
_N = r"([0-9]+)"
_SEP = r"\s*[/.\-]\s*"
_YEAR_TAIL = r"(?:(?:\s*(?:[/.\-]|nam)\s*|\s+)([0-9]+))?"
_LEAD = re.compile(r"^(?:(?:trong|cuoi|cham nhat(?: la)?|han(?: chot)?)\s+)")
_TIME = r"[0-9]{1,2}\s*(?:h|gio)\s*(?:[0-9]{1,2}\s*(?:phut|p)?)?|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
_TIME_BEFORE = re.compile(rf"^(?:luc\s*)?(?:{_TIME})\s*(?:,|-)?\s*(?=(?:ngay\s*)?[0-9])", re.ASCII)
_TIME_AFTER = re.compile(rf"(?<=[0-9])(?:\s*,\s*|\s+|t)(?:luc\s*)?(?:{_TIME})$", re.ASCII)

_DMY = re.compile(rf"^(?:ngay\s*)?([0-9]{{1,2}}){_SEP}([0-9]{{1,2}})(?:{_SEP}{_N})?$", re.ASCII)
_DMY_WORDS = re.compile(rf"^(?:ngay\s*)?{_N}\s*thang\s*{_N}(?:\s*(?:nam|[/.\-])\s*{_N})?$", re.ASCII)
_ISO = re.compile(rf"^([0-9]{{4}}){_SEP}{_N}{_SEP}{_N}$", re.ASCII)
_MONTH_YEAR = re.compile(rf"^([0-9]{{1,2}}){_SEP}([0-9]{{4}})$", re.ASCII)
_MONTH = re.compile(rf"^(?:thang|t)\s*{_N}{_YEAR_TAIL}$", re.ASCII)
_QUARTER = re.compile(rf"^(?:quy|q)\s*([ivxlcdm]+|[0-9]+){_YEAR_TAIL}$", re.ASCII)
_HALF = re.compile(r"^(?:6|sau)\s*thang\s*(dau|cuoi)\s*nam(?:\s*[/.\-]?\s*([0-9]+))?$", re.ASCII)
_YEAR = re.compile(r"^(?:ca\s*)?nam(?:\s*[/:]?\s*([0-9]+))?$", re.ASCII)
_SERIAL = re.compile(r"^[0-9]{1,7}(?:\.[0-9]+)?$", re.ASCII)
_ONCE = re.compile(r"^(?:mot|1)\s*lan$", re.ASCII)

_EVERY = r"(?:dinh ky\s*(?:hang\s*|moi\s*)?|hang\s*|moi\s*)"
_RECURRING: tuple[tuple[re.Pattern[str], Recurrence], ...] = (
    (re.compile(rf"^{_EVERY}thang$", re.ASCII), MONTHLY),
    (re.compile(rf"^{_EVERY}quy$", re.ASCII), QUARTERLY),
    (re.compile(rf"^(?:{_EVERY})?(?:6|sau)\s*thang(?:\s*(?:/\s*|mot\s*)lan)?$|^{_EVERY}nua nam$", re.ASCII), HALF_YEARLY),
    (re.compile(rf"^{_EVERY}nam$", re.ASCII), YEARLY),
)


def _match_recurrence(folded: str) -> Recurrence | None:
    for pattern, recurrence in _RECURRING:
        if pattern.match(folded):
            return recurrence
    return None


def _parse_text(text: str, year: int) -> ParsedDeadline:
    folded = _fold(text)
    recurrence = _match_recurrence(folded)
    if recurrence is not None:
        return ParsedDeadline(None, "", recurrence)
    folded = _LEAD.sub("", folded)
    folded = _TIME_AFTER.sub("", _TIME_BEFORE.sub("", folded))
    for pattern, read in _TEXT_FORMS:
        match = pattern.match(folded)
        if match:
            return read(match, year)
    raise _Reject("date_unreadable")


def _read_dmy(match: re.Match[str], year: int) -> ParsedDeadline:
    day, month, y = match.groups()
    return ParsedDeadline(_day(_year(y, year), _int(month), _int(day)), "", None)


def _read_iso(match: re.Match[str], year: int) -> ParsedDeadline:
    y, month, day = match.groups()
    return ParsedDeadline(_day(_year(y, year), _int(month), _int(day)), "", None)


def _read_month(match: re.Match[str], year: int) -> ParsedDeadline:
    month, y = _int(match.group(1)), _year(match.group(2), year)
    if not 1 <= month <= 12:
        raise _Reject("month_invalid")
    return ParsedDeadline(month_end(y, month), month_label(month, y), None)


def _read_quarter(match: re.Match[str], year: int) -> ParsedDeadline:
    quarter, y = _quarter(match.group(1)), _year(match.group(2), year)
    return ParsedDeadline(month_end(y, 3 * quarter), quarter_label(quarter, y), None)


def _read_half(match: re.Match[str], year: int) -> ParsedDeadline:
    half, y = (1 if match.group(1) == "dau" else 2), _year(match.group(2), year)
    return ParsedDeadline(month_end(y, 6 * half), half_label(half, y), None)


def _read_year(match: re.Match[str], year: int) -> ParsedDeadline:
    y = _year(match.group(1), year)
    return ParsedDeadline(dt.date(y, 12, 31), year_label(y), None)


def _read_serial(match: re.Match[str], year: int) -> ParsedDeadline:
    return _parse_serial(match.group(0))[0]


_TEXT_FORMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], int], ParsedDeadline]], ...] = (
    (_DMY, _read_dmy),
    (_DMY_WORDS, _read_dmy),
    (_ISO, _read_iso),
    (_MONTH_YEAR, _read_month),
    (_MONTH, _read_month),
    (_QUARTER, _read_quarter),
    (_HALF, _read_half),
    (_YEAR, _read_year),
    (_SERIAL, _read_serial),
)


def _int(digits: str) -> int:
    """Digits as an int; absurdly long runs become a number no rule accepts."""
    return int(digits) if len(digits) <= 9 else 10**9


def _year(digits: str | None, programme_year: int) -> int:
    if digits is None:
        return programme_year
    if len(digits) == 2:
        return 2000 + int(digits)
    y = _int(digits)
    if len(digits) != 4 or not MIN_YEAR <= y <= MAX_YEAR:
        raise _Reject("year_invalid")
    return y


def _day(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _Reject("date_impossible") from None


def _quarter(token: str) -> int:
    if token.isdigit():
        quarter = _int(token)
    else:
        quarter = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(token, 0)
    if not 1 <= quarter <= 4:
        raise _Reject("quarter_invalid")
    return quarter


# --------------------------------------------------------------------------- text plumbing


def _fold(text: str) -> str:
    """Comparison key: NFKC, lower case, no diacritics (đ -> d), single spaces, no trailing dot."""
    s = unicodedata.normalize("NFKC", text).casefold().replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    s = "".join(c for c in s if unicodedata.category(c) != "Cf")  # zero-width marks
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)  # typographic dashes
    return re.sub(r"\s+", " ", s).strip(" .,;")


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not _fold(value)
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, decimal.Decimal):
        return value.is_nan()
    if isinstance(value, dt.date):  # pandas' NaT is a date that is not equal to itself
        return bool(value != value)
    return False


def _shown(value: object) -> str:
    """The value as quoted in a message: NFC, single spaces, shortened if very long."""
    if isinstance(value, dt.date):
        try:
            return format_date(value)
        except (ValueError, TypeError, AttributeError):
            pass
    try:
        text = str(value)
    except Exception:  # a foreign object whose str() fails still gets a message
        text = f"<{type(value).__name__}>"
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    if len(text) > _SHOWN_MAX_CHARS:
        text = text[: _SHOWN_MAX_CHARS - 1] + "…"
    return text


def _number_text(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)
