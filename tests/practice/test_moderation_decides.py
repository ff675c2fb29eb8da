"""Once a moderation is adjudicated, the agreed grade is the audit's grade everywhere:
summaries, trends, escalation, re-audit and the API. The first grade stays for
audit-the-auditor figures."""

from __future__ import annotations

import pytest

from audit_service.clock import local_today
from audit_service.domain.audits import answers_from_form
from audit_service.domain.summaries.periods import parse_period
from audit_service.domain.vocabulary import CaseType
from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.moderation import agreement as agreement_stats
from audit_service.services.moderation import workflow as moderation_service
from audit_service.services.sampling import population as round_population
from audit_service.services.summaries.figures import Level, monthly_series, summarise
from audit_service.storage.models import (
    Audit,
    AuditRubric,
    Event,
    OutboxMessage,
    RubricDefinition,
    RubricVersion,
)
from tests.audits.world import complete_form
from tests.support.auth import sign_in
from tests.support.pages import PageClient


@pytest.fixture
def in_the_app(council):
    with council.app.app_context():
        yield council


def _types():
    return registries().criterion_types


def _submit(council, case_type: CaseType, rating_index: int) -> Audit:
    audit, _ = audit_service.start_audit(council.team_manager, council.round_.public_id,
                                         council.cases[case_type].public_id, _types())
    state = audit_service.load_state(audit, _types())
    answers = answers_from_form(complete_form(state, rating_index), state.keys)
    return audit_service.submit(council.team_manager, audit, answers, audit.version,
                                _types()).audit


def _moderate(council, first: Audit, rating_index: int, agreed: str,
              domains: dict | None = None):
    lead = council.quality_lead
    moderation = moderation_service.pick(lead, first.public_id)
    assigned = moderation_service.assign(lead, moderation.id, lead.username)
    second = Audit.get(Audit.public_id == assigned.moderation_audit)
    state = audit_service.load_state(second, _types())
    answers = answers_from_form(complete_form(state, rating_index), state.keys)
    audit_service.submit(lead, second, answers, second.version, _types())
    return moderation_service.adjudicate(lead, moderation.id, agreed, domains or {},
                                         "Agreed after discussing the file", _types())


def test_the_agreed_grade_is_the_effective_grade_everywhere(in_the_app) -> None:
    council = in_the_app
    first = _submit(council, CaseType.CHILD_IN_NEED, 1)  # Good
    assert (first.overall_grade, first.effective_grade) == ("good", "good")
    _moderate(council, first, 3, "inadequate", {"voice_of_the_child": "inadequate"})
    first = Audit.get_by_id(first.id)
    assert (first.overall_grade, first.effective_grade) == ("good", "inadequate")
    # The auditor's 3.00 does not read as Inadequate; the moderator's 1.00 does.
    assert str(first.effective_score) in ("1", "1.00")
    voice = (AuditRubric.select().join(RubricVersion).join(RubricDefinition)
             .where((AuditRubric.audit == first.id)
                    & (RubricDefinition.rubric_id == "voice_of_the_child")).get())
    assert (voice.grade, voice.effective_grade) == ("good", "inadequate")

    month = parse_period(f"{local_today():%Y-%m}")
    summary = summarise(Level.TEAM, month, today=local_today())
    assert summary.total.grades["inadequate"] == 1 and summary.total.grades["good"] == 0
    series = monthly_series([month], summary.scope, None)
    assert series[None][f"{local_today():%Y-%m}"][:2] == (1, 0)  # one audit, none Good
    # Agreement statistics still compare the two auditors' own grades.
    report = agreement_stats.statistics(f"{local_today():%Y-%m}", f"{local_today():%Y-%m}",
                                        _types())
    assert report.moderations == 1

    # Escalated to the team manager's line manager, as an Inadequate grade at submission is.
    assert OutboxMessage.select().where(
        OutboxMessage.key.startswith(f"audit-inadequate:{first.public_id}")
        & (OutboxMessage.recipient == council.service_manager.id)).exists()
    event = Event.get(Event.action == "moderation.adjudicated")
    assert event.after["effective_grade"] == {"before": "good", "after": "inadequate"}

    # Re-audit follows the effective grade.
    latest = round_population.latest_grades([first.case_id])[first.case_id]
    assert latest.grade == "inadequate"

    # The API gives the agreed grade as the audit's grade, and the auditor's beside it.
    api = council.api(council.quality_lead)
    body = api.get(f"/api/v1/audits/{first.public_id}").json
    assert (body["overall_grade"], body["auditor_grade"], body["moderated"]) == (
        "inadequate", "good", True)
    result = api.get(f"/api/v1/audits/{first.public_id}/result").json
    assert (result["overall_grade"], result["auditor_grade"], result["overall_score"]) == (
        "inadequate", "good", "1.00")


def test_an_agreed_grade_keeps_a_score_only_where_it_reads_as_that_grade(in_the_app) -> None:
    council = in_the_app
    first = _submit(council, CaseType.CHILD_IN_NEED, 1)  # Good, 3.00
    _moderate(council, first, 0, "requires_improvement")  # the moderator's mean is 4.00
    first = Audit.get_by_id(first.id)
    assert first.effective_grade == "requires_improvement"
    assert first.effective_score is None  # neither 3.00 nor 4.00 reads as RI: none is shown


def test_the_audit_page_says_the_grade_was_agreed_at_moderation(council) -> None:
    with council.app.app_context():
        first = _submit(council, CaseType.CHILD_PROTECTION, 1)
        _moderate(council, first, 3, "requires_improvement")
    client = council.app.test_client()
    assert sign_in(client, council.team_manager.username).status_code == 302
    shown = PageClient(client).get(f"/audits/{first.public_id}")
    grade = " ".join(shown.select("dd", id="overall-grade")[0].itertext()).split()
    assert " ".join(grade) == ("Requires improvement agreed at moderation; the auditor "
                               "graded it Good")
