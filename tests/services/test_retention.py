"""Retention: closed cases past retention are anonymised with their audits, and it is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.vocabulary import CaseStatus, Role
from audit_service.services.accounts import users as accounts
from audit_service.services.platform.retention import (
    ANONYMISED_PREFIX,
    REMOVED,
    cutoff_date,
    retention_years,
    run_retention,
)
from audit_service.storage.models import (
    Audit,
    AuditAction,
    AuditRating,
    Case,
    Event,
    RubricDefinition,
    RubricVersion,
)

TODAY = dt.date(2026, 3, 2)


def _case(child_id: str, closed_on: dt.date | None) -> Case:
    return Case.create(
        child_id=child_id,
        case_type="cin",
        status=CaseStatus.CLOSED.value if closed_on else CaseStatus.OPEN.value,
        closed_on=closed_on,
        facts_hash="x",
    )


@pytest.fixture
def audited(db):
    """A case closed 7 years and a day ago, with a submitted audit full of free text."""
    auditor = accounts.create_user("sam", role=Role.SUPERVISOR, password=None, actor_label="t")
    definition = RubricDefinition.create(rubric_id="core", title="Core", domain="practice")
    version = RubricVersion.create(rubric=definition, number=1, content_hash="h", document={},
                                   title="Core", source="test", created_by="test")
    case = _case("CHILD-OLD-1", dt.date(2019, 3, 1))
    audit = Audit.create(case=case, auditor=auditor, status="submitted", overall_grade="good",
                         response="The family moved in May; see my note about Jo.")
    AuditRating.create(audit=audit, rubric_version=version, criterion_id="plan", rating="good",
                       evidence="Jo (age 9) told me about the bruise on 3 May.")
    AuditRating.create(audit=audit, rubric_version=version, criterion_id="voice",
                       na_reason="Jo was in hospital")
    AuditAction.create(audit=audit, description="Visit Jo at school", owner=auditor,
                       due_on=dt.date(2019, 4, 1), created_by=auditor)
    return case, audit


def test_cases_past_retention_are_anonymised_with_their_audits(audited) -> None:
    case, audit = audited
    kept = _case("CHILD-RECENT", dt.date(2019, 3, 2))  # exactly 7 years: not yet
    still_open = _case("CHILD-OPEN", None)

    report = run_retention(TODAY, years=7)

    assert report.cases == (case.public_id,)
    assert (report.audits, report.ratings_cleared, report.responses_cleared,
            report.actions_cleared) == (1, 2, 1, 1)
    anonymised = Case.get_by_id(case.id)
    assert anonymised.child_id.startswith(ANONYMISED_PREFIX)
    assert "CHILD-OLD-1" not in anonymised.child_id
    assert Case.get_by_id(kept.id).child_id == "CHILD-RECENT"
    assert Case.get_by_id(still_open.id).child_id == "CHILD-OPEN"

    ratings = {r.criterion_id: r for r in AuditRating.select()}
    assert ratings["plan"].evidence == "" and ratings["plan"].rating == "good"
    assert ratings["voice"].na_reason == REMOVED
    after = Audit.get_by_id(audit.id)
    assert after.response is None
    assert after.overall_grade == "good", "grades stay for the council's figures"
    assert after.version == audit.version + 1
    assert AuditAction.get().description == REMOVED

    [event] = Event.select().where(Event.action == "retention.anonymised")
    assert event.object_id == case.public_id
    assert event.after["ratings_cleared"] == 2
    [run] = Event.select().where(Event.action == "retention.run")
    assert run.after["cases"] == 1 and run.after["cutoff"] == "2019-03-01"
    for logged in Event.select():
        assert "CHILD-OLD-1" not in str(logged.after), "the trail must not keep the child id"


def test_a_second_run_finds_nothing_more(audited) -> None:
    run_retention(TODAY, years=7)
    marker = Case.get_by_id(audited[0].id).child_id
    again = run_retention(TODAY, years=7)
    assert again.cases == ()
    assert Case.get_by_id(audited[0].id).child_id == marker


def test_dry_run_changes_and_records_nothing(audited) -> None:
    case, _ = audited
    before = Event.select().count()
    report = run_retention(TODAY, years=7, dry_run=True)
    assert report.cases == (case.public_id,) and report.ratings_cleared == 2
    assert Case.get_by_id(case.id).child_id == "CHILD-OLD-1"
    assert AuditRating.select().where(AuditRating.evidence != "").count() == 1
    assert Event.select().count() == before
    assert report.summary().startswith("would anonymise 1 case(s) closed on or before 2019-03-01")


def test_markers_differ_for_the_same_child_id(db) -> None:
    first = _case("SAME", dt.date(2010, 1, 1))
    run_retention(TODAY, years=7)
    second = _case("SAME", dt.date(2010, 1, 1))
    run_retention(TODAY, years=7)
    assert Case.get_by_id(first.id).child_id != Case.get_by_id(second.id).child_id


def test_the_command(runner, audited) -> None:
    dry = runner.invoke(args=["retention", "run", "--dry-run", "--today", "2026-03-02"])
    assert dry.exit_code == 0, dry.output
    assert "would anonymise 1 case(s)" in dry.output
    assert audited[0].public_id in dry.output
    real = runner.invoke(args=["retention", "run", "--today", "2026-03-02"])
    assert real.exit_code == 0, real.output
    assert real.output.startswith("anonymised 1 case(s)")
    assert Case.get_by_id(audited[0].id).child_id.startswith(ANONYMISED_PREFIX)


def test_years_come_from_the_environment() -> None:
    assert retention_years({}) == 7
    assert retention_years({"AUDIT_RETENTION_YEARS": "25"}) == 25
    with pytest.raises(ValueError, match="AUDIT_RETENTION_YEARS must be a whole number"):
        retention_years({"AUDIT_RETENTION_YEARS": "seven"})


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2200, 12, 31)),
       st.integers(min_value=1, max_value=40))
def test_cutoff_is_the_day_before_the_anniversary(today: dt.date, years: int) -> None:
    cutoff = cutoff_date(today, years)
    assert cutoff.year in (today.year - years, today.year - years - 1)
    after = cutoff + dt.timedelta(days=1)
    assert (after.month, after.day) == (today.month, today.day) or (
        (today.month, today.day) == (2, 29) and (after.month, after.day) == (2, 28)
    )
