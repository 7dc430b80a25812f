"""The status rule of SPEC §2 in Python, and the shape of its Excel formula text."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctcong_xl.core.status import (
    COUNTED,
    RULES,
    STATUS_KEYS,
    Otherwise,
    Status,
    classify,
    status_formula,
    status_from_text,
)

DAY = timedelta(days=1)
D = date(2026, 6, 30)  # as-of date: end of June, as in a 6-month review
E = date(2026, 5, 15)  # a deadline before D

# (deadline, completed, as_of, withdrawn, expected)
BOUNDARIES = [
    pytest.param(E, E, D, False, Status.DUNG_HAN, id="completed on the deadline (C = E)"),
    pytest.param(E, E - DAY, D, False, Status.DUNG_HAN, id="completed a day early (C = E-1)"),
    pytest.param(E, E + DAY, D, False, Status.KHONG_DUNG_HAN, id="completed a day late (C = E+1)"),
    pytest.param(D, None, D, False, Status.DANG_THUC_HIEN, id="deadline is the as-of date (D = E)"),
    pytest.param(D - DAY, None, D, False, Status.CHUA_HOAN_THANH, id="one day overdue (D = E+1)"),
    pytest.param(D + DAY, None, D, False, Status.DANG_THUC_HIEN, id="due tomorrow (D = E-1)"),
    pytest.param(E, D + DAY, D, False, Status.CHUA_HOAN_THANH, id="completed after D, overdue at D"),
    pytest.param(D + 10 * DAY, D + DAY, D, False, Status.DANG_THUC_HIEN, id="completed after D, not yet due at D"),
    pytest.param(D, D, D, False, Status.DUNG_HAN, id="completed on D, due on D (C = D = E)"),
    pytest.param(E, D, D, False, Status.KHONG_DUNG_HAN, id="completed on D, late (C = D > E)"),
    pytest.param(E, E, D, True, Status.RUT_KHOI, id="withdrawn although completed"),
    pytest.param(E, None, D, True, Status.RUT_KHOI, id="withdrawn and overdue"),
    pytest.param(D + DAY, None, D, True, Status.RUT_KHOI, id="withdrawn, not yet due"),
    pytest.param(None, None, D, False, Status.DANG_THUC_HIEN, id="blank deadline, not completed"),
    pytest.param(None, D, D, False, Status.DUNG_HAN, id="blank deadline, completed on D"),
    pytest.param(None, D + DAY, D, False, Status.DANG_THUC_HIEN, id="blank deadline, completed after D"),
    pytest.param(None, None, D, True, Status.RUT_KHOI, id="blank deadline, withdrawn"),
    pytest.param(E, None, D, False, Status.CHUA_HOAN_THANH, id="blank completion, overdue"),
]


@pytest.mark.parametrize(("deadline", "completed", "as_of", "withdrawn", "expected"), BOUNDARIES)
def test_classify_follows_the_spec_table_at_every_boundary(deadline, completed, as_of, withdrawn, expected):
    assert classify(deadline, completed, as_of, withdrawn=withdrawn) is expected


def test_withdrawn_defaults_to_false():
    assert classify(E, None, D) is Status.CHUA_HOAN_THANH


# --- an independent restatement of SPEC §2, written as a clerk would read the table ---------

def spec_status(deadline: date | None, completed: date | None, as_of: date, withdrawn: bool) -> Status:
    if withdrawn:
        return Status.RUT_KHOI
    counts_as_completed = completed is not None and completed <= as_of
    if counts_as_completed:
        if deadline is None or completed <= deadline:
            return Status.DUNG_HAN
        return Status.KHONG_DUNG_HAN
    if deadline is not None and as_of > deadline:
        return Status.CHUA_HOAN_THANH
    return Status.DANG_THUC_HIEN


# A narrow window makes equal dates (the boundaries) frequent.
window = st.dates(min_value=date(2026, 6, 1), max_value=date(2026, 6, 12))
maybe_date = st.none() | window


@given(deadline=maybe_date, completed=maybe_date, as_of=window, withdrawn=st.booleans())
def test_classify_agrees_with_a_plain_reading_of_the_spec(deadline, completed, as_of, withdrawn):
    assert classify(deadline, completed, as_of, withdrawn) is spec_status(deadline, completed, as_of, withdrawn)


@given(deadline=st.none() | st.dates(), completed=st.none() | st.dates(), as_of=st.dates(), withdrawn=st.booleans())
def test_classify_agrees_with_the_spec_over_the_whole_calendar(deadline, completed, as_of, withdrawn):
    assert classify(deadline, completed, as_of, withdrawn) is spec_status(deadline, completed, as_of, withdrawn)


@given(deadline=maybe_date, as_of=window, days_after=st.integers(min_value=1, max_value=400))
def test_a_completion_after_the_as_of_date_does_not_count(deadline, as_of, days_after):
    late_completion = as_of + timedelta(days=days_after)
    assert classify(deadline, late_completion, as_of) is classify(deadline, None, as_of)


@given(deadline=maybe_date, completed=maybe_date, as_of=window)
def test_withdrawal_overrides_every_other_status(deadline, completed, as_of):
    assert classify(deadline, completed, as_of, withdrawn=True) is Status.RUT_KHOI


@given(completed=maybe_date, as_of=window)
def test_an_item_without_deadline_is_never_late(completed, as_of):
    assert classify(None, completed, as_of) not in (Status.CHUA_HOAN_THANH, Status.KHONG_DUNG_HAN)


# --- the statuses ---------------------------------------------------------------------------

def test_status_texts_are_exactly_those_of_the_spec():
    assert [s.text for s in Status] == [
        "Đã rút khỏi chương trình",
        "Hoàn thành đúng hạn",
        "Hoàn thành không đúng hạn",
        "Chưa hoàn thành",
        "Đang thực hiện",
    ]


def test_status_texts_are_nfc():
    assert all(unicodedata.is_normalized("NFC", s.text) for s in Status)


def test_status_keys_are_the_spec_keys_in_spec_order():
    assert STATUS_KEYS == (
        "rut_khoi_chuong_trinh",
        "hoan_thanh_dung_han",
        "hoan_thanh_khong_dung_han",
        "chua_hoan_thanh",
        "dang_thuc_hien",
    )


def test_status_value_is_its_key():
    assert Status("chua_hoan_thanh") is Status.CHUA_HOAN_THANH
    assert Status.CHUA_HOAN_THANH == "chua_hoan_thanh"


def test_counted_statuses_leave_out_withdrawn_items():
    assert COUNTED == (Status.DUNG_HAN, Status.KHONG_DUNG_HAN, Status.CHUA_HOAN_THANH, Status.DANG_THUC_HIEN)


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_status_from_text_reads_back_every_status_text(status):
    assert status_from_text(status.text) is status


def test_status_from_text_forgives_nfd_spaces_and_case():
    typed = "  " + unicodedata.normalize("NFD", "HOÀN THÀNH   không đúng hạn") + " "
    assert status_from_text(typed) is Status.KHONG_DUNG_HAN


@pytest.mark.parametrize("text", ["", "Hoàn thành", "Đã hoàn thành", "hoan_thanh_dung_han"])
def test_status_from_text_returns_none_for_other_texts(text):
    assert status_from_text(text) is None


# --- the table and the formula ----------------------------------------------------------------

def test_the_table_ends_with_otherwise_and_names_every_status():
    assert isinstance(RULES[-1].when, Otherwise)
    assert {rule.status for rule in RULES} == set(Status)


ROW5 = dict(deadline="R5", completed="S5", as_of="NgayBaoCao", withdrawn="V5")


def test_formula_is_nested_if_over_the_given_references():
    formula = status_formula(**ROW5)
    assert formula.startswith("=IF(")
    for ref in ("R5", "S5", "NgayBaoCao", "V5"):
        assert ref in formula


def test_formula_uses_only_functions_known_to_excel_and_libreoffice_7_4():
    formula = status_formula(**ROW5, content="B5")
    functions = set(re.findall(r"([A-Z][A-Z0-9._]*)\(", formula))
    assert functions <= {"IF", "AND", "OR", "N"}
    assert "[@" not in formula


def test_formula_names_each_status_text_once():
    formula = status_formula(**ROW5)
    for status in Status:
        assert formula.count(f'"{status.text}"') == 1


def test_formula_with_content_yields_empty_text_for_a_blank_content_cell():
    assert status_formula(**ROW5, content="B5").startswith('=IF(B5="","",IF(')


def test_formula_without_content_has_no_blank_row_guard():
    assert '""' not in status_formula(**ROW5).replace('<>""', "")


def test_formula_treats_any_mark_in_the_withdrawn_cell_as_withdrawn():
    assert 'IF(V5<>"","Đã rút khỏi chương trình",' in status_formula(**ROW5)


def test_formula_stays_short_enough_to_read():
    assert len(status_formula(**ROW5, content="B5")) < 300


def test_formula_refuses_an_empty_reference():
    with pytest.raises(ValueError):
        status_formula(deadline="", completed="S5", as_of="NgayBaoCao", withdrawn="V5")
