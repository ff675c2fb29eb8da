"""The synthetic council: deterministic, internally consistent, realistic in shape."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_service.domain.names import name_key
from audit_service.domain.vocabulary import (
    AgeBand,
    CaseType,
    EmploymentType,
    Role,
    StaffRole,
    age_band,
)
from audit_service.services.demo.council import (
    CASE_TYPE_SHARE,
    PRACTITIONER_ROLES,
    SIZES,
    CouncilSize,
    DemoCouncil,
    TeamKind,
    generate_council,
)

TODAY = dt.date(2025, 1, 15)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))


@pytest.fixture(scope="module")
def large() -> DemoCouncil:
    return generate_council("large", 2024, TODAY)


def check_invariants(council: DemoCouncil) -> None:
    """What must hold for every seed and date: the council hangs together."""
    teams = {t.name: t for t in council.teams}
    people = {s.name: s for s in council.staff}
    assert len({name_key(s.name) for s in council.staff}) == len(council.staff)

    for person in council.staff:
        manager = people.get(person.line_manager) if person.line_manager else None
        if person.staff_role == StaffRole.SERVICE_MANAGER:
            assert person.team is None and manager is None
        elif person.staff_role == StaffRole.TEAM_MANAGER:
            assert manager is not None and manager.staff_role == StaffRole.SERVICE_MANAGER
            assert manager.service == teams[person.team].service
        else:
            assert person.staff_role in PRACTITIONER_ROLES
            assert manager is not None and manager.staff_role == StaffRole.TEAM_MANAGER
            assert manager.team == person.team
        assert person.started_on <= council.today
        if person.left_on is not None:
            assert person.started_on < person.left_on < council.today

    for team in council.teams:
        managers = [s for s in council.staff
                    if s.team == team.name and s.staff_role == StaffRole.TEAM_MANAGER]
        assert len(managers) == 1, team.name

    ids = [c.record.child_id for c in council.cases]
    assert len(set(ids)) == len(ids)
    for case in council.cases:
        r = case.record
        assert r.child_id.isdigit()
        assert r.team_name in teams
        if r.worker_name is not None:
            worker = people[r.worker_name]
            assert worker.team == r.team_name
            assert worker.is_practitioner
            if r.closed_on is None:
                assert worker.left_on is None, "a leaver still holds an open case"
        assert r.age_band == age_band(case.born_on, council.today)
        end = r.closed_on or council.today
        assert case.born_on <= r.opened_on <= end <= council.today
        assert r.opened_on <= r.last_seen_on <= end
        assert (r.closure_reason is not None) == (r.closed_on is not None)
        kind = teams[r.team_name].kind
        if r.case_type == CaseType.CARE_LEAVER:
            assert kind == TeamKind.CARE_LEAVERS
            assert r.age_band in (AgeBand.AGE_16_17, AgeBand.AGE_18_PLUS)
        elif r.case_type == CaseType.LOOKED_AFTER:
            assert kind == TeamKind.CHILDREN_IN_CARE
            assert r.placements_12m is not None and r.placements_12m >= 0
        else:
            assert r.age_band != AgeBand.AGE_18_PLUS
        if r.case_type != CaseType.CHILD_PROTECTION:
            assert r.seen_alone is None and r.previous_cp_plans is None

    current = [s for s in council.current_staff() if s.is_practitioner]
    agency = sum(s.employment_type == EmploymentType.AGENCY for s in current)
    assert 0.15 - 1 / len(current) <= agency / len(current) <= 0.20 + 1 / len(current)

    logins = {login.role: login for login in council.logins}
    assert [login.username for login in council.logins] == [
        "demo-admin", "demo-supervisor", "demo-practitioner", "demo-quality", "demo-hr",
        "demo-leader",
    ]
    assert set(logins) == set(Role)
    supervisor = people[logins[Role.SUPERVISOR].staff_name]
    practitioner = people[logins[Role.PRACTITIONER].staff_name]
    assert supervisor.staff_role == StaffRole.TEAM_MANAGER
    assert practitioner.team == supervisor.team
    assert practitioner.line_manager == supervisor.name
    assert practitioner.left_on is None
    assert any(c.record.worker_name == practitioner.name and c.record.closed_on is None
               for c in council.cases)


def check_counts(council: DemoCouncil, size: CouncilSize) -> None:
    roles = Counter(s.staff_role for s in council.current_staff())
    assert len(council.teams) == sum(size.teams.values())
    assert roles[StaffRole.TEAM_MANAGER] == len(council.teams)
    assert sum(roles[r] for r in PRACTITIONER_ROLES) == size.practitioners
    assert sum(s.left_on is not None for s in council.staff) == size.leavers
    assert len(council.open_cases()) == size.open_cases
    assert len(council.cases) == size.open_cases + size.closed_cases
    types = Counter(c.record.case_type for c in council.open_cases())
    for case_type, share in CASE_TYPE_SHARE.items():
        assert abs(types[case_type] - share * size.open_cases) <= 1, case_type


@settings(max_examples=25, deadline=None)
@given(seed=seeds, today=days)
def test_small_council_hangs_together_for_any_seed_and_date(seed: int, today: dt.date) -> None:
    council = generate_council("small", seed, today)
    check_invariants(council)
    check_counts(council, SIZES["small"])
    assert len(council.current_staff()) == 40


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_same_seed_gives_the_same_council(seed: int) -> None:
    assert generate_council("small", seed, TODAY) == generate_council("small", seed, TODAY)


def test_different_seeds_give_different_councils() -> None:
    one, two = generate_council("small", 1, TODAY), generate_council("small", 2, TODAY)
    assert [s.name for s in one.staff] != [s.name for s in two.staff]
    assert [c.record.child_id for c in one.cases] != [c.record.child_id for c in two.cases]


def test_generation_does_not_touch_the_global_random_generator() -> None:
    import random

    random.seed(7)
    expected = random.random()
    random.seed(7)
    generate_council("small", 3, TODAY)
    assert random.random() == expected


def test_large_council_has_the_size_of_the_largest_council(large: DemoCouncil) -> None:
    check_counts(large, SIZES["large"])
    check_invariants(large)
    roles = Counter(s.staff_role for s in large.current_staff())
    assert roles[StaffRole.TEAM_MANAGER] == 120
    assert sum(roles[r] for r in PRACTITIONER_ROLES) == 1000
    assert len(large.open_cases()) == 20_000


def test_large_council_facts_look_like_a_real_caseload(large: DemoCouncil) -> None:
    open_cases = [c.record for c in large.open_cases()]
    cp = [r for r in open_cases if r.case_type == CaseType.CHILD_PROTECTION]
    assert 0.84 < sum(r.seen_alone is True for r in cp) / len(cp) < 0.92
    assert 0.6 < sum(r.previous_cp_plans == 0 for r in cp) / len(cp) < 0.8

    def stale(r) -> bool:
        interval = {CaseType.CHILD_IN_NEED: 28, CaseType.CHILD_PROTECTION: 14,
                    CaseType.LOOKED_AFTER: 42, CaseType.CARE_LEAVER: 56,
                    CaseType.OPEN_ASSESSMENT: 10}[r.case_type]
        return (TODAY - r.last_seen_on).days > interval

    assert 0.08 < sum(map(stale, open_cases)) / len(open_cases) < 0.2
    lac = [r for r in open_cases if r.case_type == CaseType.LOOKED_AFTER]
    assert 0.55 < sum(r.placements_12m <= 1 for r in lac) / len(lac) < 0.95
    assert max(r.placements_12m for r in lac) >= 3
    bands = Counter(r.age_band for r in lac)
    assert bands.most_common(1)[0][0] == AgeBand.AGE_10_15
    unallocated = sum(r.worker_name is None for r in open_cases)
    assert 0 < unallocated < 0.03 * len(open_cases)
    caseloads = Counter(r.worker_name for r in open_cases if r.worker_name)
    assert 10 < sum(caseloads.values()) / len(caseloads) < 30
    agency = [s for s in large.current_staff() if s.employment_type == EmploymentType.AGENCY
              and s.is_practitioner]
    assert any((TODAY - s.started_on).days <= 30 for s in agency), "no very recent locums"
    permanent = [s for s in large.current_staff() if s.employment_type == EmploymentType.PERMANENT
                 and s.is_practitioner]
    assert any((TODAY - s.started_on).days > 10 * 365 for s in permanent)
    closed = [c.record for c in large.cases if c.record.closed_on]
    assert {r.case_type for r in closed} == {CaseType.CHILD_IN_NEED, CaseType.LOOKED_AFTER}


def test_a_custom_size_is_honoured() -> None:
    size = CouncilSize(
        teams=dict.fromkeys(TeamKind, 2), practitioners=40, open_cases=300, closed_cases=5,
        leavers=3,
    )
    council = generate_council(size, 9, TODAY)
    assert council.scale == "custom"
    check_counts(council, size)
    check_invariants(council)


def test_unknown_scale_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown demo scale 'huge'; choose one of small, large"):
        generate_council("huge", 1, TODAY)


def test_a_size_too_small_to_staff_its_teams_is_refused() -> None:
    with pytest.raises(ValueError, match="7 practitioners cannot staff 4 teams"):
        CouncilSize(teams=dict.fromkeys(TeamKind, 1), practitioners=7, open_cases=10,
                    closed_cases=0, leavers=0)
    with pytest.raises(ValueError, match="at least one safeguarding team"):
        CouncilSize(teams={TeamKind.ASSESSMENT: 1}, practitioners=10, open_cases=10,
                    closed_cases=0, leavers=0)
