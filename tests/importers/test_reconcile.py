"""Merging a child's rows from several lists into one case, and refusing repeated rows."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.imports.case_reconcile import facts_hash, merge, reconcile, status_of
from audit_service.domain.imports.case_records import CaseRecord, RowError, SourceRef
from audit_service.domain.vocabulary import CASE_TYPE_PRECEDENCE, AgeBand, CaseStatus, CaseType


def rec(sheet: str, row: int, child: str = "1", case_type=CaseType.CHILD_IN_NEED, **facts):
    return CaseRecord(child_id=child, case_type=case_type, source=SourceRef(sheet, row), **facts)


CIN = rec("List 6", 2, team_name="Locality 1", worker_name="Ann Smith",
          opened_on=dt.date(2020, 1, 1), last_seen_on=dt.date(2024, 1, 3),
          age_band=AgeBand.AGE_5_9)
CP = rec("List 7", 5, case_type=CaseType.CHILD_PROTECTION, team_name="CP Team",
         worker_name="Bo Lee", opened_on=dt.date(2023, 9, 1), last_seen_on=dt.date(2024, 1, 20),
         seen_alone=True, previous_cp_plans=2)
LAC = rec("List 8", 3, case_type=CaseType.LOOKED_AFTER, placements_12m=3,
          last_seen_on=dt.date(2023, 12, 1), closed_on=dt.date(2023, 12, 20),
          closure_reason="Returned home")
REFERRALS = rec("List 3", 9, referrals_12m=4, team_name="Front Door", worker_name="Duty")


def test_child_on_several_lists_becomes_one_case():
    result = reconcile([CIN, CP, LAC, REFERRALS])
    assert result.errors == []
    assert result.rows_read == 4
    (case,) = result.cases
    assert case == CaseRecord(
        child_id="1",
        case_type=CaseType.CHILD_PROTECTION,  # LAC episode is closed, CP outranks CIN
        source=SourceRef("List 7", 5),
        team_name="CP Team",
        worker_name="Bo Lee",
        opened_on=dt.date(2023, 9, 1),
        closed_on=None,
        closure_reason=None,
        age_band=AgeBand.AGE_5_9,
        last_seen_on=dt.date(2024, 1, 20),  # the most recent of the lists' dates
        seen_alone=True,
        referrals_12m=4,  # from List 3
        previous_cp_plans=2,
        placements_12m=3,
    )


def test_case_is_closed_only_when_every_episode_is():
    closed_cin = dataclasses.replace(CIN, closed_on=dt.date(2023, 11, 1), closure_reason="NFA")
    case = merge([closed_cin, LAC])
    assert status_of(case) is CaseStatus.CLOSED
    assert (case.case_type, case.closed_on, case.closure_reason) == (
        CaseType.LOOKED_AFTER, dt.date(2023, 12, 20), "Returned home"
    )


def test_list_3_alone_does_not_make_a_case():
    result = reconcile([REFERRALS, rec("List 3", 10, child="2", referrals_12m=1)])
    assert result.cases == []


def test_duplicate_row_on_the_same_list_is_refused_and_the_first_wins():
    again = dataclasses.replace(CIN, source=SourceRef("List 6", 7), worker_name="Someone Else")
    problem = RowError("List 6", 4, "Case Status", "z)", "not a known Case Status")
    result = reconcile([CIN, problem, again])
    assert result.errors == [
        problem,
        RowError("List 6", 7, "Child Unique ID", "1",
                 "duplicate row for child 1, first seen at row 2; the row was not imported"),
    ]
    assert [c.worker_name for c in result.cases] == ["Ann Smith"]
    assert result.rows_read == 3


def test_duplicates_are_per_list_even_across_sheets_of_one_list():
    other_sheet = rec("list 6 (2)", 3)
    result = reconcile([CIN, other_sheet])
    assert [e.reason for e in result.errors] == [
        "duplicate row for child 1, first seen at List 6, row 2; the row was not imported"
    ]


@given(st.permutations([CIN, CP, LAC, REFERRALS]))
def test_merge_does_not_depend_on_row_order(records):
    case = merge(list(records))
    assert case.case_type is CaseType.CHILD_PROTECTION
    assert case.last_seen_on == dt.date(2024, 1, 20)
    assert facts_hash(case) == facts_hash(merge([CIN, CP, LAC, REFERRALS]))


@given(st.lists(st.sampled_from(CASE_TYPE_PRECEDENCE), min_size=1, max_size=5))
def test_open_case_type_follows_precedence(types):
    records = [rec(f"Sheet {i}", 2, case_type=t) for i, t in enumerate(types)]
    assert merge(records).case_type is min(types, key=CASE_TYPE_PRECEDENCE.index)


@given(st.sampled_from(["Ann Smith", "ann\xa0smith", "  ANN  SMITH "]), st.integers(1, 999))
def test_hash_ignores_the_source_row_and_name_spacing(worker, row):
    moved = dataclasses.replace(CIN, source=SourceRef("Elsewhere", row), worker_name=worker)
    assert facts_hash(moved) == facts_hash(CIN)


def test_hash_changes_with_any_fact():
    changes = {
        "case_type": CaseType.LOOKED_AFTER, "team_name": "Locality 2", "worker_name": "Bo Lee",
        "opened_on": dt.date(2020, 1, 2), "closed_on": dt.date(2024, 1, 4),
        "closure_reason": "x", "age_band": AgeBand.AGE_10_15,
        "last_seen_on": dt.date(2024, 1, 4), "seen_alone": False, "referrals_12m": 1,
        "previous_cp_plans": 1, "placements_12m": 1,
    }
    hashes = {facts_hash(dataclasses.replace(CIN, **{k: v})) for k, v in changes.items()}
    assert len(hashes | {facts_hash(CIN)}) == len(changes) + 1
