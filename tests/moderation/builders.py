"""Submitted audits and moderations for moderation tests, built through the real services."""

from __future__ import annotations

from audit_service.domain.audits import answers_from_form
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.moderation import workflow as moderation_service
from audit_service.storage.models import Audit
from tests.audits.world import complete_form

FIRST_EVIDENCE = "FIRST-AUDITOR-EVIDENCE"


def types():
    return registries().criterion_types


def answer_all(audit, rating_index: int, evidence: str):
    state = audit_service.load_state(audit, types())
    form = complete_form(state, rating_index)
    for key in list(form):
        if key.startswith("evidence-"):
            form[key] = f"{evidence} {key}"
    return answers_from_form(form, state.keys)


def submitted_first_audit(world, case_index: int = 0, rating_index: int = 0):
    """The supervisor's audit of a drawn case, submitted ("outstanding" by default)."""
    audit, _ = audit_service.start_audit(world.supervisor, world.round_a.public_id,
                                         world.cases_a[case_index].public_id, types())
    done = audit_service.submit(world.supervisor, audit,
                                answer_all(audit, rating_index, FIRST_EVIDENCE), audit.version,
                                types())
    return done.audit


def moderated(world, make_user, *, moderator=None, rating_index: int = 2, submit: bool = True):
    """A first audit, picked, assigned and (by default) moderated with other ratings."""
    lead = make_user(Role.QUALITY_LEAD, "quinn", display_name="Quinn Lead")
    first = submitted_first_audit(world)
    picked = moderation_service.pick(lead, first.public_id)
    moderator = moderator or world.other_supervisor
    assigned = moderation_service.assign(lead, picked.id, moderator.username)
    second = Audit.get(Audit.public_id == assigned.moderation_audit)
    if submit:
        second = audit_service.submit(moderator, second,
                                      answer_all(second, rating_index, "MODERATOR-EVIDENCE"),
                                      second.version, types()).audit
    return lead, first, moderation_service.get(picked.id), second
