"""Opening rounds exactly once, supervisor draws, replacements and the eligible population."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.domain.calendar import WorkingCalendar
from audit_service.domain.sampling import SamplingPolicySettings
from audit_service.domain.vocabulary import CaseType, Role, StaffRole
from audit_service.services.errors import NotAllowed, NotFound
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling import round_draws, round_reads, rounds
from audit_service.services.sampling.round_reads import current_cases
from audit_service.services.sampling.rounds import (
    InvalidRound,
    RoundConflict,
    RoundNotYours,
    open_rounds,
)
from audit_service.storage.models import (
    Audit,
    Case,
    Event,
    OutboxMessage,
    RoundCase,
    SamplingRound,
    Staff,
)
from tests.services.round_builders import PERIOD, TODAY, add_case, build_council
from tests.support.installed import strategies


def _sample(staff) -> list[int]:
    round_ = SamplingRound.get(SamplingRound.supervisor == staff, SamplingRound.period == PERIOD)
    return [rc.case_id for rc in current_cases(round_)]


def test_opens_one_round_per_supervisor_and_prompts_each_once(db) -> None:
    council = build_council()
    report = open_rounds(PERIOD, today=TODAY, registry=strategies())
    assert (report.opened_count, report.already_open_count, report.skipped) == (2, 0, [])
    for boss, team in zip(council.supervisors, council.teams, strict=True):
        round_ = SamplingRound.get(SamplingRound.supervisor == boss)
        cases = current_cases(round_)
        assert len(cases) == 2
        assert {rc.case.team_id for rc in cases} == {team.id}
        assert all(rc.reason.startswith("simple random: drawn from 6 eligible cases")
                   for rc in cases)
        assert round_.seed == f"{PERIOD}/supervisor-{boss.id}/policy-default-v1"
        assert (round_.eligible_count, round_.status, round_.policy.scope) == (6, "open", "default")
        messages = OutboxMessage.select().where(OutboxMessage.key.startswith(
            f"round-opened:{round_.public_id}"))
        assert sorted(m.notifier for m in messages) == ["email", "inbox"]
        for message in messages:
            assert message.link == f"/rounds/{round_.public_id}"
            assert "2 case files" in message.body_text
            for rc in cases:
                assert rc.case.child_id not in message.body_text + (message.body_html or "")
    again = open_rounds(PERIOD, today=TODAY, registry=strategies())
    assert (again.opened_count, again.already_open_count) == (0, 2)
    assert SamplingRound.select().count() == 2
    assert OutboxMessage.select().count() == 4
    assert Event.select().where(Event.action == "round.opened").count() == 2


def test_the_same_inputs_draw_the_same_sample(db) -> None:
    council = build_council(cases_per_team=30)
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    first = [_sample(boss) for boss in council.supervisors]
    RoundCase.delete().execute()
    OutboxMessage.delete().execute()
    SamplingRound.delete().execute()
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    assert [_sample(boss) for boss in council.supervisors] == first
    # A different month is a different seed, so (almost surely) a different sample.
    open_rounds("2026-06", today=TODAY, registry=strategies())
    june = SamplingRound.get(SamplingRound.period == "2026-06",
                             SamplingRound.supervisor == council.supervisors[0])
    assert june.seed != SamplingRound.get(SamplingRound.period == PERIOD,
                                          SamplingRound.supervisor == council.supervisors[0]).seed


def test_only_current_supervisors_with_a_team_get_a_round(db) -> None:
    council = build_council(logins=False)
    Staff.create(name="Gone", name_key="gone", staff_role=StaffRole.TEAM_MANAGER.value,
                 team=council.teams[0], left_on=dt.date(2026, 1, 1))
    Staff.create(name="Floating", name_key="floating", staff_role=StaffRole.TEAM_MANAGER.value)
    report = open_rounds(PERIOD, today=TODAY, registry=strategies())
    assert report.opened == ["Manager 1", "Manager 2"]
    assert report.skipped == [("Floating", "has no team, so there are no cases to sample")]
    assert report.not_notified == ["Manager 1", "Manager 2"]
    assert OutboxMessage.select().count() == 0


def test_a_round_opened_by_another_process_meanwhile_counts_as_already_open(db, monkeypatch):
    council = build_council()
    real = sampling_policies.newest_by_scope

    def racing():
        # Another process opens Manager 1's round after this one checked which exist.
        policy = sampling_policies.stored_builtin_default()
        SamplingRound.create(supervisor=council.supervisors[0], team=council.teams[0],
                             period=PERIOD, policy=policy, seed="other", due_on=TODAY)
        return real()

    monkeypatch.setattr(sampling_policies, "newest_by_scope", racing)
    report = open_rounds(PERIOD, today=TODAY, registry=strategies())
    assert (report.opened, report.already_open) == (["Manager 2"], ["Manager 1"])
    assert SamplingRound.select().count() == 2
    first = SamplingRound.get(SamplingRound.supervisor == council.supervisors[0])
    assert (first.seed, first.cases.count()) == ("other", 0)


def test_other_team_independence_draws_from_the_other_team_in_the_service(db) -> None:
    council = build_council()
    sampling_policies.set_policy(SamplingPolicySettings(independence="other_team"),
                                 service=council.service, actor_label="test", registry=strategies())
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    for boss, other in zip(council.supervisors, reversed(council.teams), strict=True):
        round_ = SamplingRound.get(SamplingRound.supervisor == boss)
        assert {rc.case.team_id for rc in current_cases(round_)} == {other.id}
        assert round_.policy.scope == f"service:{council.service.id}"
    drawn = [rc.case_id for rc in RoundCase.select()]
    assert len(drawn) == len(set(drawn)) == 4


def test_inadequate_cases_are_reaudited_first_even_inside_the_exclusion_window(db) -> None:
    council = build_council()
    team = council.teams[0]
    graded = add_case(team, CaseType.CHILD_PROTECTION)
    audited = add_case(team)
    first_audit = Audit.create(
        case=graded, auditor=council.users[0], status="submitted",
        created_at=dt.datetime(2026, 1, 1, 9), submitted_at=dt.datetime(2026, 1, 10, 9),
        overall_grade="inadequate", effective_grade="inadequate")
    Audit.create(case=audited, auditor=council.users[0], status="submitted",
                 created_at=dt.datetime(2026, 3, 1, 9), submitted_at=dt.datetime(2026, 3, 2, 9),
                 overall_grade="good", effective_grade="good")
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = SamplingRound.get(SamplingRound.supervisor == council.supervisors[0])
    first, second = current_cases(round_)
    assert (first.case_id, first.pool, first.reaudit_of_id) == (graded.id, "reaudit",
                                                                first_audit.id)
    assert first.reason == ("re-audit: graded Inadequate on 10/01/2026; checks whether "
                            "practice has changed since")
    assert second.case_id not in (graded.id, audited.id)
    assert second.pool == "open"
    assert round_.eligible_count == 7  # 6 + the re-audit; the audited case is excluded


def test_supervisor_draw_mode_waits_for_the_supervisor(db, make_user) -> None:
    council = build_council()
    sampling_policies.set_policy(SamplingPolicySettings(draw_mode="supervisor"),
                                 actor_label="test", registry=strategies())
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = SamplingRound.get(SamplingRound.supervisor == council.supervisors[0])
    assert (round_.status, round_.cases.count(), round_.drawn_at) == ("awaiting_draw", 0, None)
    # Another team manager cannot even see it; a quality lead sees it but may not draw it.
    with pytest.raises(NotFound):
        round_draws.draw(round_.public_id, council.users[1], today=TODAY,
                         registry=strategies())
    with pytest.raises(RoundNotYours):
        round_draws.draw(round_.public_id, make_user(Role.QUALITY_LEAD), today=TODAY,
                         registry=strategies())
    # The supervisor's draw is the same seeded draw an automatic round would make.
    expected = rounds.draw_for(rounds.supervisor_of(round_),
                               SamplingPolicySettings(), round_.seed,
                               rounds.load_population([council.teams[0].id]), set(),
                               today=TODAY, period=PERIOD, registry=strategies())[1]
    drawn = round_draws.draw(round_.public_id, council.users[0], today=TODAY,
                             registry=strategies())
    assert (drawn.status, drawn.eligible_count, len(drawn.cases)) == ("open", 6, 2)
    assert [rc.case_id for rc in current_cases(round_)] == [
        int(d.case_key) for d in expected]
    with pytest.raises(RoundConflict, match="already been drawn"):
        round_draws.draw(round_.public_id, council.users[0], today=TODAY,
                         registry=strategies())
    assert Event.select().where(Event.action == "round.drawn").count() == 1


def test_replacing_a_case_needs_a_reason_and_records_it(db) -> None:
    council = build_council()
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = SamplingRound.get(SamplingRound.supervisor == council.supervisors[0])
    first, second = current_cases(round_)

    def replace(position, reason, user=council.users[0]):
        return round_draws.replace(round_.public_id, position, reason, user, today=TODAY,
                                   registry=strategies())

    with pytest.raises(InvalidRound, match="give a reason") as blank:
        replace(1, "  ")
    assert blank.value.error_for == {"reason": "Enter the reason for replacing this case"}
    with pytest.raises(NotFound, match="no case at position 3"):
        replace(3, "conflict of interest")
    view = replace(1, "conflict of interest")
    new = RoundCase.get(RoundCase.round == round_.id, RoundCase.position == 1,
                        RoundCase.replaced_at.is_null())
    assert [rc.replacement_reason for rc in view.replaced] == ["conflict of interest"]
    old = RoundCase.get_by_id(first.id)
    assert (old.replaced_by_id, old.replacement_reason) == (new.id, "conflict of interest")
    assert old.replaced_at is not None
    assert new.position == first.position
    assert new.case_id not in (first.case_id, second.case_id)
    assert new.case.team_id == council.teams[0].id
    assert new.reason.startswith("replacement (conflict of interest): simple random")
    assert [rc.id for rc in current_cases(round_)] == [new.id, second.id]
    with pytest.raises(NotFound):
        replace(2, "closed since the draw", council.users[1])
    Audit.create(case=second.case_id, round_case=second.id, auditor=council.users[0])
    with pytest.raises(RoundConflict, match="an audit of this case has been started"):
        replace(2, "closed since the draw")


def test_replacing_when_no_case_is_left_keeps_the_case(db) -> None:
    council = build_council(cases_per_team=2)
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = SamplingRound.get(SamplingRound.supervisor == council.supervisors[0])
    first, _ = current_cases(round_)
    with pytest.raises(RoundConflict, match="no other eligible case"):
        round_draws.replace(round_.public_id, 1, "closed since the draw", council.users[0],
                            today=TODAY, registry=strategies())
    assert RoundCase.get_by_id(first.id).replaced_at is None


def test_eligible_population_marks_the_round_cases(db, make_user) -> None:
    council = build_council()
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = SamplingRound.get(SamplingRound.supervisor == council.supervisors[0])
    population = round_reads.population(round_.public_id, make_user(Role.QUALITY_LEAD),
                                        today=TODAY)
    assert len(population.rows) == 6
    assert sum(row.in_round for row in population.rows) == 2
    assert (population.eligible_now, population.round.eligible_count) == (4, 6)
    assert {row.case.child_id for row in population.rows} == {
        case.child_id for case in Case.select().where(Case.team == council.teams[0])}
    with pytest.raises(NotAllowed):
        round_reads.population(round_.public_id, make_user(Role.SENIOR_LEADER), today=TODAY)


def test_no_eligible_case_skips_the_supervisor_with_the_reason(db) -> None:
    build_council(cases_per_team=0)
    report = open_rounds(PERIOD, today=TODAY, registry=strategies())
    assert report.opened == []
    assert report.skipped[0] == (
        "Manager 1", "no case is eligible under the policy of the built-in default (version 1); "
                     "no round was opened")


def test_due_date_counts_working_days_from_the_first_working_day() -> None:
    calendar = WorkingCalendar(frozenset({dt.date(2026, 5, 4), dt.date(2026, 5, 25)}))
    settings = SamplingPolicySettings(due_working_days=15)
    # 1 May 2026 is a Friday; 4 and 25 May are bank holidays.
    assert rounds.due_date("2026-05", settings, calendar) == dt.date(2026, 5, 26)
    with pytest.raises(InvalidRound, match="YYYY-MM"):
        rounds.due_date("2026-5", settings, calendar)
