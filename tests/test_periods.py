"""Dates and periods as people type them (SPEC §3): ctcong_xl.core.periods."""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctcong_xl.core.forms import DINH_KY
from ctcong_xl.core.periods import (
    HALF_YEARLY,
    MONTHLY,
    QUARTERLY,
    RECURRENCES,
    YEARLY,
    Instance,
    ParsedDeadline,
    Recurrence,
    excel_serial_to_date,
    expand,
    format_date,
    parse_deadline,
    parse_recurrence,
)

YEAR = 2026
D = dt.date

# --------------------------------------------------------------------------- readable forms

DATE_FORMS = [
    ("15/11/2026", D(2026, 11, 15)),
    ("15-11-2026", D(2026, 11, 15)),
    ("15.11.2026", D(2026, 11, 15)),
    ("5/1/2026", D(2026, 1, 5)),
    ("05/01/2026", D(2026, 1, 5)),
    ("15/11/26", D(2026, 11, 15)),
    ("15/11", D(2026, 11, 15)),
    ("ngày 15 tháng 11 năm 2026", D(2026, 11, 15)),
    ("Ngày 5 tháng 1", D(2026, 1, 5)),
    ("ngày 15/11/2026", D(2026, 11, 15)),
    ("2026-11-15", D(2026, 11, 15)),
    ("2026-11-15 00:00:00", D(2026, 11, 15)),
    ("46341", D(2026, 11, 15)),
]


@pytest.mark.parametrize(("text", "expected"), DATE_FORMS)
def test_date_text_reads_as_that_day_without_label(text: str, expected: dt.date) -> None:
    assert parse_deadline(text, YEAR) == (ParsedDeadline(expected, "", None), None)


PERIOD_FORMS = [
    ("Tháng 6", D(2026, 6, 30), "Tháng 6/2026"),
    ("Tháng 6/2026", D(2026, 6, 30), "Tháng 6/2026"),
    ("tháng 6 năm 2026", D(2026, 6, 30), "Tháng 6/2026"),
    ("T6/2026", D(2026, 6, 30), "Tháng 6/2026"),
    ("T6", D(2026, 6, 30), "Tháng 6/2026"),
    ("Tháng 02", D(2026, 2, 28), "Tháng 2/2026"),
    ("6/2026", D(2026, 6, 30), "Tháng 6/2026"),
    ("Quý II", D(2026, 6, 30), "Quý II/2026"),
    ("Quý 2/2026", D(2026, 6, 30), "Quý II/2026"),
    ("Quý II năm 2026", D(2026, 6, 30), "Quý II/2026"),
    ("Quý I", D(2026, 3, 31), "Quý I/2026"),
    ("quý iv/2026", D(2026, 12, 31), "Quý IV/2026"),
    ("6 tháng đầu năm", D(2026, 6, 30), "6 tháng đầu năm 2026"),
    ("6 tháng cuối năm", D(2026, 12, 31), "6 tháng cuối năm 2026"),
    ("6 tháng đầu năm 2026", D(2026, 6, 30), "6 tháng đầu năm 2026"),
    ("Năm 2026", D(2026, 12, 31), "Năm 2026"),
    ("Cả năm", D(2026, 12, 31), "Năm 2026"),
    ("Cuối năm", D(2026, 12, 31), "Năm 2026"),
    ("Cuối tháng 9", D(2026, 9, 30), "Tháng 9/2026"),
    ("Trong quý III", D(2026, 9, 30), "Quý III/2026"),
]


@pytest.mark.parametrize(("text", "expected", "label"), PERIOD_FORMS)
def test_period_text_reads_as_last_day_with_label(text: str, expected: dt.date, label: str) -> None:
    assert parse_deadline(text, YEAR) == (ParsedDeadline(expected, label, None), None)


RECURRING_WORDS = [
    ("Hằng tháng", MONTHLY),
    ("Hàng tháng", MONTHLY),
    ("Định kỳ hằng tháng", MONTHLY),
    ("Hằng quý", QUARTERLY),
    ("Định kỳ hằng quý", QUARTERLY),
    ("6 tháng", HALF_YEARLY),
    ("Định kỳ 6 tháng", HALF_YEARLY),
    ("Hằng năm", YEARLY),
]


@pytest.mark.parametrize(("text", "recurrence"), RECURRING_WORDS)
def test_recurring_word_gives_recurrence_without_deadline(text: str, recurrence: Recurrence) -> None:
    assert parse_deadline(text, YEAR) == (ParsedDeadline(None, "", recurrence), None)


@pytest.mark.parametrize(
    "text",
    [
        "QUÝ II",
        "quý ii",
        "  Quý   II  ",
        "Quý\u00a0II",
        unicodedata.normalize("NFD", "Quý II"),
        unicodedata.normalize("NFD", "QUÝ II"),
        "Quy II",
        "Quý II.",
    ],
)
def test_case_spacing_decomposition_and_missing_accents_do_not_matter(text: str) -> None:
    assert parse_deadline(text, YEAR) == (ParsedDeadline(D(2026, 6, 30), "Quý II/2026", None), None)


@pytest.mark.parametrize("text", ["8h30, 15/6/2026", "15/06/2026 14:00", "15/6/2026 8 giờ 30"])
def test_time_of_day_next_to_a_date_is_ignored(text: str) -> None:
    assert parse_deadline(text, YEAR) == (ParsedDeadline(D(2026, 6, 15), "", None), None)


def test_chậm_nhất_ngày_reads_as_that_day() -> None:
    assert parse_deadline("Chậm nhất ngày 15/11", YEAR)[0] == ParsedDeadline(D(2026, 11, 15), "", None)


def test_date_and_datetime_objects_read_as_their_day() -> None:
    assert parse_deadline(D(2026, 3, 4), YEAR) == (ParsedDeadline(D(2026, 3, 4), "", None), None)
    assert parse_deadline(dt.datetime(2026, 3, 4, 17, 30), YEAR)[0] == ParsedDeadline(D(2026, 3, 4), "", None)


def test_pandas_timestamp_reads_as_its_day() -> None:
    assert parse_deadline(pd.Timestamp("2026-03-04 08:00"), YEAR)[0] == ParsedDeadline(D(2026, 3, 4), "", None)


@pytest.mark.parametrize("serial", [46341, 46341.0, 46341.75, decimal.Decimal("46341")])
def test_excel_serial_number_reads_as_its_day(serial: object) -> None:
    assert parse_deadline(serial, YEAR) == (ParsedDeadline(D(2026, 11, 15), "", None), None)


def test_missing_year_is_the_programme_year() -> None:
    assert parse_deadline("Quý I", 2027)[0] == ParsedDeadline(D(2027, 3, 31), "Quý I/2027", None)
    assert parse_deadline("15/11", 2027)[0] == ParsedDeadline(D(2027, 11, 15), "", None)


@pytest.mark.parametrize("blank", [None, "", "   ", "\u00a0", float("nan"), pd.NaT, decimal.Decimal("NaN")])
def test_blank_cell_gives_nothing(blank: object) -> None:
    assert parse_deadline(blank, YEAR) == (None, None)


# --------------------------------------------------------------------------- mistakes

BAD_INPUTS = [
    ("31/02/2026", "date_impossible"),
    ("29/02/2026", "date_impossible"),
    ("11/15/2026", "date_impossible"),  # month first: not a day of a day-first calendar
    ("Tháng 13", "month_invalid"),
    ("Tháng 0/2026", "month_invalid"),
    ("13/2026", "month_invalid"),
    ("Quý V", "quarter_invalid"),
    ("Quý 5", "quarter_invalid"),
    ("Quý 0/2026", "quarter_invalid"),
    ("Năm 20266", "year_invalid"),
    ("15/11/202", "year_invalid"),
    ("Tháng 6/3026", "year_invalid"),
    ("báo cáo sau", "date_unreadable"),
    ("Trước ngày 15/11", "date_unreadable"),  # 14/11 or 15/11? ambiguous, refused
    ("15/11/2026 - 20/11/2026", "date_unreadable"),
    ("Đầu tháng 6", "date_unreadable"),
]


@pytest.mark.parametrize(("text", "code"), BAD_INPUTS)
def test_bad_text_gives_finding_with_code(text: str, code: str) -> None:
    parsed, found = parse_deadline(text, YEAR)
    assert parsed is None
    assert found is not None and found.code == code and found.is_error


@pytest.mark.parametrize(("text", "code"), BAD_INPUTS)
def test_finding_message_quotes_the_cell_in_vietnamese(text: str, code: str) -> None:
    _, found = parse_deadline(text, YEAR)
    assert found is not None
    assert f"“{text}”" in found.message
    assert found.value == text
    assert found.message == unicodedata.normalize("NFC", found.message)
    assert found.hint  # says how to write it


def test_deadline_outside_programme_year_is_an_error_that_keeps_the_date() -> None:
    parsed, found = parse_deadline("15/11/2025", YEAR)
    assert parsed == ParsedDeadline(D(2025, 11, 15), "", None)
    assert found is not None and found.code == "date_outside_year"
    assert found.message == "Thời hạn “15/11/2025” nằm ngoài năm chương trình 2026."


def test_deadline_outside_programme_year_is_accepted_when_allowed() -> None:
    assert parse_deadline("Quý I/2027", YEAR, allow_outside_year=True) == (
        ParsedDeadline(D(2027, 3, 31), "Quý I/2027", None),
        None,
    )


def test_serial_outside_year_quotes_number_and_its_day() -> None:
    _, found = parse_deadline(45900, YEAR)
    assert found is not None and found.code == "date_outside_year"
    assert "“45900 (ngày 31/08/2025)”" in found.message


def test_serial_60_is_excels_phantom_leap_day() -> None:
    _, found = parse_deadline(60, YEAR, allow_outside_year=True)
    assert found is not None and found.code == "date_impossible"


@pytest.mark.parametrize("value", [0, -5, 1e300, float("inf"), 10**400, True, b"15/11/2026", [15, 11], object()])
def test_unreadable_object_gives_date_unreadable(value: object) -> None:
    parsed, found = parse_deadline(value, YEAR)
    assert parsed is None
    assert found is not None and found.code == "date_unreadable"


def test_object_whose_str_fails_still_gets_a_finding() -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no text")

    _, found = parse_deadline(Hostile(), YEAR)
    assert found is not None and found.code == "date_unreadable" and "Hostile" in found.message


def test_very_long_cell_is_shortened_in_the_message() -> None:
    _, found = parse_deadline("x" * 5000, YEAR)
    assert found is not None and found.code == "date_unreadable"
    assert len(found.message) < 200


# --------------------------------------------------------------------------- Định kỳ column


@pytest.mark.parametrize("recurrence", RECURRENCES)
def test_dinh_ky_dropdown_value_reads_as_its_recurrence(recurrence: Recurrence) -> None:
    assert parse_recurrence(recurrence.label) == (recurrence, None)


def test_recurrence_labels_are_the_dropdown_list() -> None:
    assert tuple(r.label for r in RECURRENCES) == DINH_KY


@pytest.mark.parametrize(("text", "recurrence"), RECURRING_WORDS)
def test_dinh_ky_accepts_typed_variants(text: str, recurrence: Recurrence) -> None:
    assert parse_recurrence(text) == (recurrence, None)


@pytest.mark.parametrize("blank", [None, "", "  ", "Một lần", float("nan")])
def test_dinh_ky_blank_or_once_means_no_recurrence(blank: object) -> None:
    assert parse_recurrence(blank) == (None, None)


@pytest.mark.parametrize("value", ["Hằng tuần", "Quý II", 12, "15/11/2026"])
def test_dinh_ky_other_value_gives_recurrence_unknown(value: object) -> None:
    recurrence, found = parse_recurrence(value)
    assert recurrence is None
    assert found is not None and found.code == "recurrence_unknown"
    assert f"“{value}”" in found.message


# --------------------------------------------------------------------------- expansion


@pytest.mark.parametrize(
    ("recurrence", "suffixes"),
    [
        (MONTHLY, [f"T{m:02d}" for m in range(1, 13)]),
        (QUARTERLY, ["Q1", "Q2", "Q3", "Q4"]),
        (HALF_YEARLY, ["H1", "H2"]),
        (YEARLY, ["N"]),
    ],
)
def test_expand_gives_one_instance_per_period_with_suffixes(recurrence: Recurrence, suffixes: list[str]) -> None:
    assert [i.suffix for i in expand(recurrence, YEAR)] == suffixes


def test_expand_monthly_is_due_on_each_month_end() -> None:
    assert [i.deadline for i in expand(MONTHLY, YEAR)] == [
        D(2026, m, calendar.monthrange(2026, m)[1]) for m in range(1, 13)
    ]


def test_expand_monthly_in_leap_year_is_due_29_february() -> None:
    assert expand(MONTHLY, 2028)[1] == Instance("T02", "Tháng 2/2028", D(2028, 2, 29))


def test_expand_quarterly_gives_quarter_ends_and_roman_labels() -> None:
    assert expand(QUARTERLY, YEAR) == [
        Instance("Q1", "Quý I/2026", D(2026, 3, 31)),
        Instance("Q2", "Quý II/2026", D(2026, 6, 30)),
        Instance("Q3", "Quý III/2026", D(2026, 9, 30)),
        Instance("Q4", "Quý IV/2026", D(2026, 12, 31)),
    ]


def test_expand_half_yearly_gives_both_halves() -> None:
    assert expand(HALF_YEARLY, YEAR) == [
        Instance("H1", "6 tháng đầu năm 2026", D(2026, 6, 30)),
        Instance("H2", "6 tháng cuối năm 2026", D(2026, 12, 31)),
    ]


def test_expand_yearly_gives_the_year() -> None:
    assert expand(YEARLY, YEAR) == [Instance("N", "Năm 2026", D(2026, 12, 31))]


@pytest.mark.parametrize("recurrence", RECURRENCES)
def test_instance_label_reads_back_as_the_same_period(recurrence: Recurrence) -> None:
    for instance in expand(recurrence, YEAR):
        assert parse_deadline(instance.label, YEAR) == (ParsedDeadline(instance.deadline, instance.label, None), None)


# --------------------------------------------------------------------------- helpers


def test_format_date_is_day_first_with_zeros() -> None:
    assert format_date(D(2026, 1, 5)) == "05/01/2026"


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(1, D(1900, 1, 1)), (59, D(1900, 2, 28)), (61, D(1900, 3, 1)), (46341.99, D(2026, 11, 15)), (2958465, D(9999, 12, 31))],
)
def test_excel_serial_to_date_follows_the_1900_system(serial: float, expected: dt.date) -> None:
    assert excel_serial_to_date(serial) == expected


@pytest.mark.parametrize("serial", [0, 60, 2958466, float("nan")])
def test_excel_serial_to_date_refuses_non_days(serial: float) -> None:
    with pytest.raises(ValueError):
        excel_serial_to_date(serial)


# --------------------------------------------------------------------------- properties

dates = st.dates(min_value=D(1900, 3, 1), max_value=D(2199, 12, 31))
WRITERS = {
    "dd/mm/yyyy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "d/m/yyyy": lambda d: f"{d.day}/{d.month}/{d.year}",
    "dd-mm-yyyy": lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    "dd.mm.yyyy": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "words": lambda d: f"ngày {d.day} tháng {d.month} năm {d.year}",
    "iso": lambda d: d.isoformat(),
    "serial int": lambda d: (d - D(1899, 12, 30)).days,
    "serial text": lambda d: str((d - D(1899, 12, 30)).days),
    "datetime": lambda d: dt.datetime(d.year, d.month, d.day, 9, 30),
    "date": lambda d: d,
}


@given(day=dates, form=st.sampled_from(sorted(WRITERS)))
def test_every_date_in_every_form_reads_back_to_itself(day: dt.date, form: str) -> None:
    assert parse_deadline(WRITERS[form](day), day.year) == (ParsedDeadline(day, "", None), None)


def _check_contract(result: tuple[ParsedDeadline | None, object]) -> None:
    parsed, found = result
    assert parsed is None or isinstance(parsed, ParsedDeadline)
    if found is not None:
        assert found.message and found.hint
        assert parsed is None or found.code == "date_outside_year"


@settings(max_examples=300)
@given(text=st.text())
def test_no_text_makes_parse_deadline_raise(text: str) -> None:
    _check_contract(parse_deadline(text, YEAR))


period_like_text = st.builds(
    lambda parts: " ".join(parts),
    st.lists(
        st.sampled_from(["ngày", "tháng", "Quý", "năm", "T", "6", "đầu", "cuối", "/", "-", ".", "II", "V", "15",
                         "11", "2026", "26", "0", "99999", "Hằng", "Định kỳ", "h", ":", "30", "trong"]),
        max_size=6,
    ),
)
weird_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.fractions(),
    st.complex_numbers(),
    st.binary(),
    st.dates(),
    st.datetimes(timezones=st.timezones()),
    st.times(),
    st.timedeltas(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(object),
    period_like_text,
)


@settings(max_examples=400)
@given(value=weird_values, year=st.integers(min_value=1900, max_value=2199), allow=st.booleans())
def test_no_value_makes_parse_deadline_raise(value: object, year: int, allow: bool) -> None:
    _check_contract(parse_deadline(value, year, allow_outside_year=allow))


@given(value=st.one_of(st.text(), weird_values))
def test_no_value_makes_parse_recurrence_raise(value: object) -> None:
    recurrence, found = parse_recurrence(value)
    assert recurrence is None or found is None


MONTH_WRITERS = [
    lambda m, y: f"Tháng {m}/{y}",
    lambda m, y: f"tháng {m} năm {y}",
    lambda m, y: f"T{m}/{y}",
    lambda m, y: f"{m}/{y}",
]
QUARTER_WRITERS = [
    lambda q, y: f"Quý {'I II III IV'.split()[q - 1]}/{y}",
    lambda q, y: f"Quý {q}/{y}",
    lambda q, y: f"QUÝ {'I II III IV'.split()[q - 1]} năm {y}",
]
years = st.integers(min_value=1900, max_value=2199)


@given(month=st.integers(1, 12), year=years, write=st.sampled_from(MONTH_WRITERS))
def test_every_month_resolves_to_its_last_day(month: int, year: int, write) -> None:
    parsed, found = parse_deadline(write(month, year), year)
    assert found is None and parsed is not None
    assert parsed.deadline == D(year, month, calendar.monthrange(year, month)[1])
    assert parsed.label == f"Tháng {month}/{year}"


@given(quarter=st.integers(1, 4), year=years, write=st.sampled_from(QUARTER_WRITERS))
def test_every_quarter_resolves_to_its_last_day(quarter: int, year: int, write) -> None:
    parsed, found = parse_deadline(write(quarter, year), year)
    assert found is None and parsed is not None
    last_month = 3 * quarter
    assert parsed.deadline == D(year, last_month, calendar.monthrange(year, last_month)[1])
