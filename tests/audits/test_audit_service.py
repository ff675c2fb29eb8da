"""The audit services on both databases: starting, drafts under the lock, atomic submission."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.domain.audits import Answer, CriterionKey, answers_from_form
from audit_service.extension import registries
from audit_service.services.audits import actions as action_service
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.audits import submission
from audit_service.services.audits.access import readable_audit
from audit_service.services.errors import NotAllowed
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.models import (
    Audit,
    AuditAction,
    AuditRating,
    AuditRubric,
    Event,
    OutboxMessage,
    SamplingRound,
)
from tests.audits.world import complete_form, scored_keys, world_fixture  # noqa: F401


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield registries().criterion_types


def _start(w, case_index: int = 0, types=None):
    return audit_service.start_audit(w.supervisor, w.round_a.public_id,
                                     w.cases_a[case_index].public_id, types)


def _complete(audit, types, rating_index=1):
    state = audit_service.load_state(audit, types)
    return answers_from_form(complete_form(state, rating_index), state.keys)


def test_start_is_idempotent_and_pins_the_latest_applicable_rubrics(world, ctx):
    audit, created = _start(world, types=ctx)
    again, created_again = _start(world, types=ctx)
    assert created and not created_again and again.id == audit.id
    assert Audit.select().count() == 1
    assert audit.practitioner_id == world.cases_a[0].worker_id
    assert audit.team_id == world.team_a.id
    pinned = [row.rubric_version.rubric.rubric_id for row in
              AuditRubric.select().where(AuditRubric.audit == audit).order_by(AuditRubric.position)]
    expected = sorted(rid for rid, src in registries().rubrics.items()
                      if "child_protection" in src.rubric.case_types)
    assert sorted(pinned) == expected and pinned
    assert Event.select().where(Event.action == "audit.started").count() == 1


def test_a_retired_rubric_is_not_pinned_to_new_audits(world, ctx):
    retired = sorted(registries().rubrics)[0]
    rubric_versions.retire(retired, actor_label="test")
    audit, _ = _start(world, types=ctx)
    state = audit_service.load_state(audit, ctx)
    assert retired not in state.rubrics


def test_only_the_rounds_supervisor_can_start_its_audits(world, ctx):
    with pytest.raises(NotAllowed):
        audit_service.start_audit(world.other_supervisor, world.round_a.public_id,
                                  world.cases_a[0].public_id, ctx)
    with pytest.raises(audit_service.NotFound):
        audit_service.start_audit(world.supervisor, world.round_a.public_id,
                                  world.case_b.public_id, ctx)


def test_draft_saves_bump_the_version_and_a_stale_save_is_refused(world, ctx):
    audit, _ = _start(world, types=ctx)
    state = audit_service.load_state(audit, ctx)
    key = scored_keys(state)[0]
    v2 = audit_service.save_draft(world.supervisor, audit, {key: Answer(evidence="first")}, 1, ctx)
    assert v2 == 2
    with pytest.raises(audit_service.VersionConflict) as conflict:
        audit_service.save_draft(world.supervisor, Audit.get_by_id(audit.id),
                                 {key: Answer(evidence="second")}, 1, ctx)
    assert (conflict.value.your_version, conflict.value.current_version) == (1, 2)
    assert AuditRating.get().evidence == "first"
    # Sending exactly what is saved, even from the old page, is not a conflict.
    assert audit_service.save_draft(world.supervisor, Audit.get_by_id(audit.id),
                                    {key: Answer(evidence="first")}, 1, ctx) == 2
    event = Event.get(Event.action == "audit.draft_saved")
    label = f"{key.rubric_id}/{key.criterion_id}"
    assert event.before["answers"][label]["evidence"] == ""
    assert event.after["answers"][label]["evidence"] == "first"
    assert event.actor_id == world.supervisor.id


def test_only_the_auditor_may_save(world, ctx):
    audit, _ = _start(world, types=ctx)
    with pytest.raises(NotAllowed):
        audit_service.save_draft(world.other_supervisor, audit, {}, 1, ctx)


def test_submit_scores_stores_the_level_id_and_completes_the_round(world, ctx):
    first, _ = _start(world, 0, ctx)
    second, _ = _start(world, 1, ctx)
    done = audit_service.submit(world.supervisor, first, _complete(first, ctx), 1, ctx)
    assert done.audit.status == "submitted" and done.audit.version == 2
    assert done.audit.overall_grade == "good"
    assert done.audit.result["overall"]["grade"]["id"] == "good"
    grades = {r.rubric_version.rubric.rubric_id: r.grade
              for r in AuditRubric.select().where(AuditRubric.audit == first)}
    assert grades.pop("safety_now") is None  # a judgement, not a graded domain
    assert set(grades.values()) == {"good"}
    assert SamplingRound.get_by_id(world.round_a.id).status != "completed"
    audit_service.submit(world.supervisor, second, _complete(second, ctx), 1, ctx)
    round_ = SamplingRound.get_by_id(world.round_a.id)
    assert round_.status == "completed" and round_.completed_at is not None
    # The practitioner is told, without the child's identifier.
    messages = list(OutboxMessage.select().where(OutboxMessage.recipient == world.practitioner))
    assert {m.notifier for m in messages} == {"email", "inbox"}
    assert all("CHILD-" not in m.body_text + m.subject for m in messages)
    assert all(m.link == f"/audits/{first.public_id}" for m in messages
               if first.public_id in m.key)


def test_a_submitted_audit_is_read_only(world, ctx):
    audit, _ = _start(world, types=ctx)
    audit_service.submit(world.supervisor, audit, _complete(audit, ctx), 1, ctx)
    with pytest.raises(audit_service.ReadOnly):
        audit_service.save_draft(world.supervisor, Audit.get_by_id(audit.id),
                                 {}, 2, ctx)


def test_incomplete_submit_keeps_the_draft_and_lists_every_missing_field(world, ctx):
    audit, _ = _start(world, types=ctx)
    state = audit_service.load_state(audit, ctx)
    key = scored_keys(state)[0]
    with pytest.raises(audit_service.InvalidAnswers) as invalid:
        audit_service.submit(world.supervisor, audit, {key: Answer(evidence="kept")}, 1, ctx)
    assert invalid.value.version == 2
    fields = {e.field for e in invalid.value.errors}
    assert f"rating-{key.rubric_id}-{key.criterion_id}" in fields
    assert len(invalid.value.errors) >= len(state.keys)
    fresh = Audit.get_by_id(audit.id)
    assert fresh.status == "draft"
    assert AuditRating.get().evidence == "kept"


def test_submit_is_atomic(world, ctx, monkeypatch):
    audit, _ = _start(world, types=ctx)
    answers = _complete(audit, ctx)

    def fail(_audit):
        raise RuntimeError("the database went away mid-submit")

    monkeypatch.setattr(submission, "complete_round_if_done", fail)
    events_before = Event.select().count()
    with pytest.raises(RuntimeError):
        audit_service.submit(world.supervisor, audit, answers, 1, ctx)
    fresh = Audit.get_by_id(audit.id)
    assert (fresh.status, fresh.version, fresh.overall_grade, fresh.result) == (
        "draft", 1, None, None)
    assert AuditRating.select().count() == 0
    assert all(r.grade is None for r in AuditRubric.select())
    assert OutboxMessage.select().count() == 0
    assert Event.select().count() == events_before


def test_inadequate_escalates_to_the_line_manager_and_marks_for_reaudit(world, ctx):
    audit, _ = _start(world, types=ctx)
    done = audit_service.submit(world.supervisor, audit, _complete(audit, ctx, 99), 1, ctx)
    assert done.audit.overall_grade == "inadequate"
    escalation = OutboxMessage.select().where(OutboxMessage.recipient == world.manager)
    assert escalation.count() == 2
    event = Event.get(Event.action == "audit.escalated")
    assert event.after == {"grade": "inadequate", "reaudit": True, "agreed": False,
                           "notified": "hana"}


def test_practitioner_responds_and_acknowledges(world, ctx):
    audit, _ = _start(world, types=ctx)
    audit_service.submit(world.supervisor, audit, _complete(audit, ctx), 1, ctx)
    audit = readable_audit(world.practitioner, audit.public_id)
    v3 = audit_service.respond(world.practitioner, audit, "I agree.", 2)
    with pytest.raises(audit_service.VersionConflict):
        audit_service.respond(world.practitioner, Audit.get_by_id(audit.id), "Stale", 2)
    audit_service.acknowledge(world.practitioner, Audit.get_by_id(audit.id), v3)
    fresh = Audit.get_by_id(audit.id)
    assert fresh.response == "I agree." and fresh.acknowledged_at is not None
    with pytest.raises(audit_service.ReadOnly):
        audit_service.respond(world.practitioner, fresh, "Too late", fresh.version)
    with pytest.raises(NotAllowed):
        audit_service.respond(world.colleague, fresh, "Not mine", fresh.version)


def test_actions_are_owned_dated_and_locked(world, ctx):
    audit, _ = _start(world, types=ctx)
    audit_service.submit(world.supervisor, audit, _complete(audit, ctx), 1, ctx)
    audit = Audit.get_by_id(audit.id)
    today = dt.date(2030, 1, 1)
    bad = action_service.ActionInput("", world.other_practitioner, today - dt.timedelta(1))
    with pytest.raises(audit_service.InvalidAnswers) as invalid:
        action_service.create_action(world.supervisor, audit, bad, today)
    assert {e.field for e in invalid.value.errors} == {"description", "owner", "due_on"}
    action = action_service.create_action(
        world.supervisor, audit,
        action_service.ActionInput("Update the chronology", world.practitioner, today), today)
    updated = action_service.update_status(world.practitioner, action, "in_progress", 1)
    assert updated.version == 2
    with pytest.raises(action_service.ActionConflict):
        action_service.update_status(world.supervisor, action, "done", 1)
    with pytest.raises(NotAllowed):
        action_service.update_status(world.colleague, updated, "done", 2)
    done = action_service.update_status(world.supervisor, updated, "done", 2)
    assert done.status == "done" and done.completed_at is not None
    assert [e.action for e in Event.select().where(Event.object_type == "action")
            .order_by(Event.id)] == ["action.created", "action.updated", "action.updated"]
    assert AuditAction.select().count() == 1


def test_scoping_rules(world, ctx):
    audit, _ = _start(world, types=ctx)
    assert readable_audit(world.supervisor, audit.public_id).id == audit.id
    with pytest.raises(NotAllowed):
        readable_audit(world.other_supervisor, audit.public_id)
    with pytest.raises(audit_service.NotFound):  # a draft is not shown to the practitioner
        readable_audit(world.practitioner, audit.public_id)
    audit_service.submit(world.supervisor, audit, _complete(audit, ctx), 1, ctx)
    assert readable_audit(world.practitioner, audit.public_id)
    for outsider in (world.colleague, world.other_practitioner):
        with pytest.raises(audit_service.NotFound):
            readable_audit(outsider, audit.public_id)


def test_a_draft_keeps_rating_and_reason_when_na_is_toggled(world, ctx):
    audit, _ = _start(world, types=ctx)
    state = audit_service.load_state(audit, ctx)
    rubric = next(r for r in state.rubrics.values() if any(c.na_allowed for c in r.criteria))
    criterion = next(c for c in rubric.criteria if c.na_allowed)
    key = CriterionKey(rubric.id, criterion.id)
    answer = Answer(rating="good", not_applicable=False, na_reason="typed then unticked")
    audit_service.save_draft(world.supervisor, audit, {key: answer}, 1, ctx)
    assert audit_service.load_state(Audit.get_by_id(audit.id), ctx).answers[key] == Answer(
        rating="good")
    # An unticked reason is not kept as N/A; a ticked one keeps its rating for later.
    answer = Answer(rating="good", not_applicable=True, na_reason="No meetings this period")
    audit_service.save_draft(world.supervisor, Audit.get_by_id(audit.id), {key: answer}, 2, ctx)
    assert audit_service.load_state(Audit.get_by_id(audit.id), ctx).answers[key] == answer
