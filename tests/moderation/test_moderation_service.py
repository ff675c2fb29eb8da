"""Moderation in the database: picking, the seeded draw, blind assignment and adjudication."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.domain.vocabulary import Role
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.audits.access import can_read, readable_audit
from audit_service.services.errors import NotAllowed
from audit_service.services.moderation import agreement as agreement_stats
from audit_service.services.moderation import workflow as moderation_service
from audit_service.storage.models import Audit, AuditRubric, Event, Moderation, OutboxMessage
from tests.audits.world import world_fixture  # noqa: F401
from tests.moderation.builders import answer_all, moderated, submitted_first_audit, types


@pytest.fixture(autouse=True)
def _context(app):
    with app.app_context():
        yield


def test_assigning_creates_a_blind_draft_pinned_to_the_same_rubric_versions(world, make_user):
    _lead, first, moderation, second = moderated(world, make_user, submit=False)
    assert second.kind == "moderation" and second.moderates_id == first.id
    assert second.status == "draft" and second.auditor_id == world.other_supervisor.id
    pinned = lambda audit: [r.rubric_version_id for r in  # noqa: E731
                            AuditRubric.select().where(AuditRubric.audit == audit.id)
                            .order_by(AuditRubric.position)]
    assert pinned(second) == pinned(first)
    assert list(second.ratings) == []  # nothing of the first audit is copied
    assert OutboxMessage.select().where(
        OutboxMessage.key.startswith(f"moderation-assigned:{moderation.public_id}")).exists()
    assert moderation_service.state_of(moderation) == "in_moderation"


def test_the_moderator_cannot_read_the_first_audit_until_they_submit(world, make_user):
    _lead, first, _moderation, second = moderated(world, make_user, submit=False)
    moderator = world.other_supervisor
    assert not can_read(moderator, first)
    with pytest.raises(NotAllowed, match="You are moderating this audit"):
        readable_audit(moderator, first.public_id)
    rows = moderation_service.submitted_audits(moderator)
    assert [r.grade for r in rows if r.audit == first.public_id] == [None]
    audit_service.submit(moderator, second, answer_all(second, 2, "M"), second.version, types())
    assert can_read(moderator, Audit.get_by_id(first.id))
    assert readable_audit(moderator, first.public_id).id == first.id


def test_a_quality_lead_moderator_is_blinded_too(world, make_user):
    moderator = make_user(Role.QUALITY_LEAD, "mo", display_name="Mo Derator")
    lead, first, _moderation, _second = moderated(world, make_user, moderator=moderator,
                                                submit=False)
    assert not can_read(moderator, first)
    assert can_read(lead, first)  # another quality lead still reads it


def test_the_first_auditor_and_unknown_people_cannot_moderate(world, make_user):
    lead = make_user(Role.QUALITY_LEAD, "quinn")
    first = submitted_first_audit(world)
    moderation = moderation_service.pick(lead, first.public_id)
    with pytest.raises(moderation_service.InvalidModeration, match="first auditor cannot"):
        moderation_service.assign(lead, moderation.id, world.supervisor.username)
    with pytest.raises(moderation_service.InvalidModeration, match="Select a quality lead"):
        moderation_service.assign(lead, moderation.id, world.practitioner.username)
    with pytest.raises(moderation_service.ModerationConflict):
        moderation_service.pick(lead, first.public_id)
    assert world.supervisor not in moderation_service.moderator_choices(first)


def test_submitting_a_moderation_tells_quality_leads_not_the_practitioner(world, make_user):
    _lead, _first, moderation, second = moderated(world, make_user)
    assert moderation_service.state_of(moderation) == "ready"
    keys = [m.key for m in OutboxMessage.select()]
    assert any(k.startswith(f"moderation-ready:{moderation.public_id}") for k in keys)
    assert not any(k.startswith(f"audit-submitted:{second.public_id}") for k in keys)
    assert Event.select().where(Event.action == "moderation.submitted").count() == 1


def test_adjudication_compares_both_audits_and_records_the_agreed_grade(world, make_user):
    lead, first, moderation, _second = moderated(world, make_user, rating_index=2)
    comparison = moderation_service.moderation_view(lead, moderation.public_id,
                                                    types()).comparison
    # Both found the child safe; every graded criterion differs.
    scored = [c for c in comparison.criteria if c.key.rubric_id != "safety_now"]
    assert comparison.differences == len(scored) == len(comparison.criteria) - 1 > 0
    assert {c.first for c in scored} == {"outstanding"}
    with pytest.raises(moderation_service.InvalidModeration) as refused:
        moderation_service.adjudicate(lead, moderation.public_id, "splendid", {"nope": "good"}, "",
                                      types())
    assert {e.field for e in refused.value.errors} == {"agreed_grade", "domain-nope", "note"}
    rubric_id = comparison.rubrics[0].id
    done = moderation_service.adjudicate(lead, moderation.public_id, "good", {rubric_id: "good"},
                                         "Agreed after discussion", types())
    assert (done.agreed_grade, done.agreed_domains, done.note) == (
        "good", {rubric_id: "good"}, "Agreed after discussion")
    event = Event.get(Event.action == "moderation.adjudicated")
    assert event.after["first_grade"] == first.overall_grade
    with pytest.raises(moderation_service.ModerationConflict):
        moderation_service.adjudicate(lead, done.id, "good", {}, "again", types())


def test_the_seeded_draw_picks_the_share_once_and_only_tops_up(world, make_user):
    lead = make_user(Role.QUALITY_LEAD, "quinn")
    first = submitted_first_audit(world, 0)
    second = submitted_first_audit(world, 1)
    period = f"{first.submitted_at:%Y-%m}"
    assert moderation_service.pick_moderation_sample(period).picked == []  # no share set
    with pytest.raises(moderation_service.InvalidModeration, match="whole number"):
        moderation_service.set_share(lead, "150")
    moderation_service.set_share(lead, "50")
    report = moderation_service.pick_moderation_sample(period)
    assert (report.eligible, report.target, len(report.picked)) == (2, 1, 1)
    again = moderation_service.pick_moderation_sample(period)
    assert again.picked == []
    [picked] = Moderation.select()
    assert picked.source == "random" and "seed" in picked.reason
    assert picked.audit_id in (first.id, second.id)


def test_the_draw_is_reproducible_from_its_seed(world, make_user):
    lead = make_user(Role.QUALITY_LEAD, "quinn")
    audits = [submitted_first_audit(world, 0), submitted_first_audit(world, 1)]
    period = f"{audits[0].submitted_at:%Y-%m}"
    setting = moderation_service.set_share(lead, "50")
    expected = min(audits, key=lambda a: moderation_service._draw_key(setting.seed, period, a))
    moderation_service.pick_moderation_sample(period)
    assert Moderation.get().audit_id == expected.id


def test_statistics_count_completed_moderations(world, make_user):
    _lead, _first, _moderation, _second = moderated(world, make_user, rating_index=2)
    period = f"{dt.date.today():%Y-%m}"
    report = agreement_stats.statistics(period, period, types())
    assert report.moderations == 1
    assert report.criteria and all(row.summary.n == 1 for row in report.criteria)
    agreement = {row.label.split(":")[0]: row.summary.percent.value for row in report.criteria}
    assert agreement.pop("Is the child or young person safe now? 1") == 1  # both: safe
    assert set(agreement.values()) == {0}  # and disagreed on every graded criterion
    [auditor] = report.auditors
    assert auditor.username == world.supervisor.username
    assert auditor.flag.mean.value > 0 and not auditor.flag.flagged  # one pair is not enough
    with pytest.raises(moderation_service.InvalidModeration):
        agreement_stats.statistics("2026-05", "2026-01", types())
