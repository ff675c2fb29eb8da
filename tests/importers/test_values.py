"""Cell parsing: dates, counts, lettered codes and the ways a cell says "nothing"."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.imports.annex_a.values import (
    CASE_STATUS,
    SEEN_ALONE,
    CellProblem,
    SpreadsheetError,
    UncalculatedFormula,
    is_missing,
    parse_count,
    parse_date,
    parse_seen_alone,
)

dates = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2199, 12, 31))
padding = st.sampled_from(["", " ", "\xa0", "  ", "\t"])


@pytest.mark.parametrize("value", [None, "", "   ", "\xa0", "#N/A", "#n/a", " #N/A\xa0",
                                   SpreadsheetError("#N/A")])
def test_blank_and_na_are_missing(value):
    assert is_missing(value)
    assert parse_date(value) is None
    assert parse_count(value) is None
    assert SEEN_ALONE.parse(value) is None


@given(dates, padding, padding)
def test_ddmmyyyy_text_round_trips(day, before, after):
    assert parse_date(f"{before}{day:%d/%m/%Y}{after}") == day


@given(dates)
def test_unpadded_day_and_month_are_read(day):
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day


@given(dates)
def test_excel_values_iso_text_and_serial_numbers_agree(day):
    serial = (day - dt.date(1899, 12, 30)).days
    assert parse_date(dt.datetime.combine(day, dt.time(0))) == day
    assert parse_date(day) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.isoformat()} 00:00:00") == day
    assert parse_date(serial) == day
    assert parse_date(float(serial) + 0.25) == day


@given(st.text(alphabet="abcxyz!?;", min_size=1))
def test_text_that_is_not_a_date_is_refused(text):
    with pytest.raises(CellProblem, match="not a date: expected dd/mm/yyyy"):
        parse_date(text)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31/02/2021", "31/02/2021 is not a real date (day 31, month 2)"),
        ("13/13/2020", "13/13/2020 is not a real date (day 13, month 13)"),
        ("01/02/21", "the year has only two digits; write dates as dd/mm/yyyy"),
        ("yesterday", "not a date: expected dd/mm/yyyy"),
        (-3, "not a date: the number is outside the range of Excel dates"),
        (True, "expected a date, found a true/false value"),
        (UncalculatedFormula("=H2+5"), "the cell holds a formula with no saved result; open the "
         "file in Excel, let it calculate and save it again"),
        (SpreadsheetError("#REF!"), "the cell holds the spreadsheet error #REF!"),
    ],
)
def test_bad_dates_say_why(value, reason):
    with pytest.raises(CellProblem) as caught:
        parse_date(value)
    assert str(caught.value) == reason


@given(st.integers(min_value=0, max_value=10**6), padding)
def test_counts_from_numbers_and_text(number, pad):
    assert parse_count(number) == number
    assert parse_count(float(number)) == number
    assert parse_count(f"{pad}{number}{pad}") == number


@pytest.mark.parametrize(
    ("value", "reason"),
    [(-1, "a count cannot be negative"), (2.5, "not a whole number"),
     ("two", "not a whole number"), ("1,000", "not a whole number")],
)
def test_bad_counts_say_why(value, reason):
    with pytest.raises(CellProblem) as caught:
        parse_count(value)
    assert str(caught.value) == reason


@given(
    st.sampled_from(CASE_STATUS.codes),
    st.sampled_from(["{letter}) {label}", "{label}", "{LETTER}) {label}", "{letter})",
                     " {letter})\xa0 {LABEL} ", "({letter}) {label}"]),
)
def test_codes_read_with_or_without_letter_in_any_case(code, form):
    text = form.format(letter=code.letter, LETTER=code.letter.upper(), label=code.label,
                       LABEL=code.label.upper())
    assert CASE_STATUS.parse(text) is code


@given(st.text(min_size=1).filter(lambda t: not is_missing(t)))
def test_code_parser_returns_a_code_or_says_what_was_expected(text):
    try:
        found = CASE_STATUS.parse(text)
    except CellProblem as problem:
        assert str(problem) == (
            "not a known Case Status: expected one of a) Looked after child, "
            "b) Child protection plan, c) Child in need plan, d) Open assessment, "
            "e) Closed episode"
        )
    else:
        assert found in CASE_STATUS.codes


def test_words_decide_over_a_mismatched_letter():
    assert CASE_STATUS.parse("a) Child in need plan").letter == "c"


# Every spelling of the answer a regional pipeline accepts from councils (liia-tools-pipeline's
# Annex A schema, ../shared/data/reference), and Ofsted's own "c) Unknown".
@pytest.mark.parametrize(("text", "answer"), [
    ("a) Yes", True), ("1 - Yes", True), ("Child seen", True), ("Child seen alone", True),
    ("Seen", True), ("Seen alone", True), ("Y", True), ("Yes", True),
    ("Yes-See care notes for details", True), ("True", True),
    ("b) No", False), ("0 - No", False), ("Child not seen", False),
    ("Child not seen alone", False), ("N", False), ("No", False), ("Not seen", False),
    ("Not seen alone", False), ("False", False),
    ("c) Unknown", None), ("Unknown", None), ("No Visit - new in last month", None),
])
def test_seen_alone(text, answer):
    assert parse_seen_alone(text) is answer


def test_an_unknown_seen_alone_answer_is_a_problem():
    with pytest.raises(CellProblem) as caught:
        parse_seen_alone("d) Maybe")
    assert str(caught.value) == ("not a known answer to whether the child was seen alone: "
                                 "expected one of a) Yes, b) No, c) Unknown")


# The 33 Case Status spellings of the same schema, each read as its code.
@pytest.mark.parametrize(("text", "letter"), [
    *((t, "a") for t in ("a) Looked after child", "CLA", "CLA&CP", "LAC", "Looked after child",
                         "CLA&CPP", "CP/CLA")),
    *((t, "b") for t in ("b) Child Protection plan", "Child Protection plan", "CP", "CPP",
                         "CP Ext", "Child Protection")),
    *((t, "c") for t in ("c) Child in need plan", "Child in need plan", "CIN", "CiN",
                         "CiN Plan", "Child in Need")),
    *((t, "d") for t in ("d) Open assessment", "Open asmt", "Open assessment", "Assessment",
                         "CF Assessment in progress")),
    *((t, "e") for t in ("e) Closed episode", "Closed", "Closed episode", "Care leaver",
                         "Closed - stepdown", "Closed case", "Closed Referral",
                         "Closed Assessment")),
])
def test_every_case_status_spelling_councils_send(text, letter):
    assert CASE_STATUS.parse(text).letter == letter
