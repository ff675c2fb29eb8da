"""The risk flags the statutory returns raise: an assessment past 45 working days, and three
or more changes of social worker in 12 months."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.audits.evidence import CaseFacts
from audit_service.domain.calendar import england_and_wales_calendar
from audit_service.domain.sampling.flags import FLAG_IDS, assessment_overdue, case_flags

TODAY = dt.date(2025, 3, 31)


def _facts(**kwargs) -> CaseFacts:
    return CaseFacts("child_in_need", last_seen_on=TODAY, **kwargs)


@pytest.mark.parametrize(("started", "authorised", "expected"), [
    # 45 working days from Monday 6 January 2025 is Monday 10 March: in time.
    (dt.date(2025, 1, 6), dt.date(2025, 3, 10), None),
    (dt.date(2025, 1, 6), dt.date(2025, 3, 11), "assessment took 46 working days (timescale 45)"),
    # Open: counted to today. Easter Monday and Good Friday are not working days.
    (dt.date(2025, 1, 6), None, "assessment open 60 working days (timescale 45)"),
    (dt.date(2025, 2, 17), None, None),
    # Finished late more than a year ago: history, not a flag.
    (dt.date(2023, 1, 2), dt.date(2023, 9, 1), None),
    # A start after today is a bad date, not an overdue assessment.
    (dt.date(2025, 6, 1), None, None),
])
def test_an_assessment_past_45_working_days_is_flagged(started, authorised, expected):
    facts = _facts(assessment_started_on=started, assessment_authorised_on=authorised)
    assert assessment_overdue(facts, TODAY) == expected
    flagged = [f.id for f in case_flags(facts, TODAY)]
    assert flagged == (["assessment_overdue"] if expected else [])


def test_bank_holidays_do_not_count():
    # Good Friday (18 April), Easter Monday (21 April) and the early May bank holiday (5 May)
    # fall in it: 46 working days, not 49.
    facts = _facts(assessment_started_on=dt.date(2025, 3, 3))
    today = dt.date(2025, 5, 9)
    assert assessment_overdue(facts, today) == "assessment open 46 working days (timescale 45)"


@given(st.integers(min_value=0, max_value=12))
def test_three_changes_of_social_worker_in_a_year_raise_the_flag(changes):
    flags = [f.id for f in case_flags(_facts(sw_changes_12m=changes), TODAY)]
    assert ("social_worker_changes" in flags) is (changes >= 3)
    assert set(flags) <= set(FLAG_IDS)


@given(st.dates(min_value=dt.date(2023, 1, 1), max_value=TODAY))
def test_an_open_assessment_is_overdue_exactly_when_past_45_working_days(started):
    days = england_and_wales_calendar(range(2023, 2026)).working_days_between(started, TODAY)
    facts = _facts(assessment_started_on=started)
    assert (assessment_overdue(facts, TODAY) is not None) is (days > 45)
