"""The demo history tells its story, deterministically, scored by the real engine."""

from __future__ import annotations

import datetime as dt
from statistics import mean

import pytest

from audit_service.domain.rubrics import overall_grade
from audit_service.domain.vocabulary import CaseType, EmploymentType
from audit_service.plugins.installed import Registries
from audit_service.services.demo.history import (
    HistoryCase,
    HistoryPractitioner,
    HistoryTeam,
    Story,
    generate_history,
    history_months,
    story_of,
)
from audit_service.storage.models import Audit, AuditRating, SamplingRound, User
from tests.support.installed import installed

TODAY = dt.date(2026, 5, 20)


@pytest.fixture(scope="module")
def catalogue() -> Registries:
    return installed()


def _council():
    people = {}
    teams = []
    for t in range(5):
        cases = []
        for p in range(6):
            key = t * 10 + p
            agency = p < 2
            people[key] = HistoryPractitioner(
                key, EmploymentType.AGENCY if agency else EmploymentType.PERMANENT,
                dt.date(2015, 1, 1), 12)
            cases += [HistoryCase(key * 100 + c, CaseType.CHILD_IN_NEED, key) for c in range(8)]
        teams.append(HistoryTeam(t, f"Team {t}", 1000 + t, tuple(cases)))
    return teams, people


def _generate(catalogue, months=36, seed=1):
    teams, people = _council()
    rubrics = [s.rubric for s in catalogue.rubrics.values()]
    return generate_history(teams, people, rubrics, catalogue.criterion_types, today=TODAY,
                            months=months, seed=seed), people


def test_history_is_deterministic_and_covers_past_months_only(catalogue):
    first, _ = _generate(catalogue, months=12)
    again, _ = _generate(catalogue, months=12)
    assert first == again
    assert sorted({r.period for r in first}) == [f"{m:%Y-%m}" for m in history_months(TODAY, 12)]
    assert "2026-05" not in {r.period for r in first}
    for r in first:
        assert 2 <= len(r.audits) <= 4
        for audit in r.audits:
            assert audit.submitted_at.strftime("%Y-%m") == r.period
            assert overall_grade(audit.domains) == audit.overall
            assert all(x.evidence or x.na_reason for x in audit.ratings)


def test_history_tells_the_story(catalogue):
    rounds, people = _generate(catalogue)
    assert [story_of(i) for i in range(3)] == [Story.IMPROVING, Story.DETERIORATING,
                                                Story.FALSE_DAWN]

    def team_scores(team, periods):
        return mean(float(a.overall.score) for r in rounds if r.team_key == team
                    and r.period in periods for a in r.audits)

    periods = sorted({r.period for r in rounds})
    early, late = periods[:9], periods[-9:]
    assert team_scores(0, late) > team_scores(0, early) + 0.3   # improving
    assert team_scores(1, late) < team_scores(1, early) - 0.3   # deteriorating
    by_type = {t: [float(a.overall.score) for r in rounds for a in r.audits
                   if people[a.practitioner_key].employment_type is t]
               for t in EmploymentType}
    assert mean(by_type[EmploymentType.AGENCY]) < mean(by_type[EmploymentType.PERMANENT])


def test_demo_command_loads_history_with_auditors_who_cannot_sign_in(runner, db):
    result = runner.invoke(args=["demo", "--password", "demo-password-2024"])
    assert result.exit_code == 0, result.output
    assert "months of audit history" in result.output
    assert Audit.select().where(Audit.status == "submitted").count() > 100
    assert AuditRating.select().count() > 1000
    history_auditors = User.select().where(User.username.startswith("tm-"))
    assert history_auditors.count() >= 1
    assert all(not u.is_active and u.password_hash is None for u in history_auditors)
    assert SamplingRound.select().where(SamplingRound.status == "completed").count() >= 40


def test_no_history_flag(runner, db):
    result = runner.invoke(args=["demo", "--no-history", "--password", "demo-password-2024"])
    assert result.exit_code == 0, result.output
    assert not Audit.select().exists()
