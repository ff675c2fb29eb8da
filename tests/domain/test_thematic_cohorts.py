"""Thematic cohorts: filters are checked, described in words and applied as stated."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.audits.evidence import CaseFacts
from audit_service.domain.sampling import PopulationCase
from audit_service.domain.sampling.thematic import CohortError, CohortFilters, cohort, matches
from audit_service.domain.vocabulary import AgeBand, CaseType

TODAY = dt.date(2024, 6, 1)


def _case(key: str, case_type=CaseType.CHILD_IN_NEED, *, is_open=True, closed_on=None,
          reason=None, age=None, team=1, service=1) -> PopulationCase:
    return PopulationCase(key=key, team_id=team, service_id=service, is_open=is_open,
                          facts=CaseFacts(case_type=case_type, age_band=age, closed_on=closed_on,
                                          closure_reason=reason, last_seen_on=TODAY))


def test_child_in_need_closed_without_assessment_between_two_dates():
    filters = CohortFilters(case_types=["child_in_need"], closure="closed_without_assessment",
                            closed_from=dt.date(2024, 3, 1), closed_to=dt.date(2024, 5, 31))
    cases = [
        _case("a", is_open=False, closed_on=dt.date(2024, 4, 1), reason="RC8"),
        _case("b", is_open=False, closed_on=dt.date(2024, 4, 1), reason="RC1"),
        _case("c", is_open=False, closed_on=dt.date(2024, 2, 1), reason="RC9"),
        _case("d", is_open=True, reason="RC8"),
        _case("e", CaseType.CHILD_PROTECTION, is_open=False, closed_on=dt.date(2024, 4, 1),
              reason="RC8"),
    ]
    assert [c.key for c in cohort(filters, cases, TODAY)] == ["a"]
    assert filters.describe() == [
        "Case type: Child in need", "Closed between 01 March 2024 and 31 May 2024",
        "Closed after assessment with no further action (RC8, RC9)"]


def test_under_fives_on_child_protection_plans():
    filters = CohortFilters(flags=["under_5", "cp_plan"])
    cases = [_case("a", CaseType.CHILD_PROTECTION, age=AgeBand.AGE_1_4),
             _case("b", CaseType.CHILD_PROTECTION, age=AgeBand.AGE_5_9),
             _case("c", CaseType.CHILD_IN_NEED, age=AgeBand.UNDER_1)]
    assert [c.key for c in cohort(filters, cases, TODAY)] == ["a"]


def test_bad_filters_name_the_field():
    with pytest.raises(CohortError) as error:
        CohortFilters(case_types=["nope"], closed_from=dt.date(2024, 2, 1),
                      closed_to=dt.date(2024, 1, 1), flags=["odd"])
    assert set(error.value.errors) == {"case_types", "closed_to", "flags"}
    with pytest.raises(CohortError):
        CohortFilters.from_mapping({"colour": "red"})


@given(st.lists(st.sampled_from(list(CaseType)), max_size=3),
       st.lists(st.sampled_from(["open", "closed"]), max_size=2),
       st.lists(st.sampled_from(list(AgeBand)), max_size=3))
def test_filters_round_trip_and_empty_filters_select_everything(types, statuses, ages):
    filters = CohortFilters(case_types=[t.value for t in types], statuses=statuses,
                            age_bands=[a.value for a in ages])
    assert CohortFilters.from_mapping(filters.as_dict()) == filters
    everyone = CohortFilters()
    case = _case("x", types[0] if types else CaseType.LOOKED_AFTER)
    assert matches(everyone, case, TODAY)
    picked = cohort(filters, [case, _case("y", is_open=False, closed_on=TODAY)], TODAY)
    assert [c.key for c in picked] == sorted(c.key for c in picked)
