"""Who may see and change which audits.

One place for the scoping rules, used by the pages and the API alike:
supervisors see their team's audits and the ones they carry out; practitioners
see the submitted audits of their own cases; quality leads, administrators and
administrators and senior leaders given the "case reader" grant read everything
(``domain.accounts.case_reading``); HR never sees an audit (it is child-level data).
"""

from __future__ import annotations

from peewee import Expression

from audit_service.domain.accounts.case_reading import reads_every_audit
from audit_service.domain.vocabulary import AuditStatus, Role
from audit_service.services.errors import Blinded, NotAllowed, NotFound
from audit_service.storage.models import Audit, AuditAction, SamplingRound, Staff, User

#: The roles that read audits by their job; administrators and senior leaders read them only
#: with the case reader grant (routes say ``case_readers=True``).
AUDIT_ROLES = frozenset({Role.QUALITY_LEAD, Role.SUPERVISOR, Role.PRACTITIONER})


def role_of(user: User) -> Role:
    return Role(user.role)


def team_id_of(user: User) -> int | None:
    return user.staff.team_id if user.staff_id is not None else None


def managed_teams(user: User):
    """The teams of the people ``user`` line-manages, as a subquery: a service manager reads
    the audits of the teams whose managers report to them, so an escalation or a safety
    alert sent to them leads to a page they can open."""
    return Staff.select(Staff.team).where(
        (Staff.line_manager == (user.staff_id or 0)) & Staff.team.is_null(False))


MODERATION = "moderation"
BLIND_MESSAGE = ("You are moderating this audit. You can read the first auditor's ratings, "
                 "evidence and grades once you have submitted your own audit.")


def blinded_ids(user: User | int):
    """The audits ``user`` (or the user of that id) is moderating and has not yet submitted:
    hidden from them.

    A subquery, so lists can exclude them in SQL (``~Audit.id.in_(blinded_ids(u))``).
    """
    moderation = Audit.alias()
    user_id = user if isinstance(user, int) else user.id
    return moderation.select(moderation.moderates).where(
        (moderation.auditor == user_id) & (moderation.kind == MODERATION)
        & (moderation.status != AuditStatus.SUBMITTED) & moderation.moderates.is_null(False)
    )


def is_blinded(user: User, audit: Audit) -> bool:
    """Moderation is blind: the moderator may not see the first audit until theirs is in."""
    return Audit.select().where(
        (Audit.moderates == audit.id) & (Audit.auditor == user.id)
        & (Audit.kind == MODERATION) & (Audit.status != AuditStatus.SUBMITTED)
    ).exists()


def visible_audits(user: User) -> Expression | None:
    """A WHERE clause selecting the audits ``user`` may read; None means none at all."""
    clause = _visible_by_role(user)
    if clause is None:
        return None
    return clause & ~Audit.id.in_(blinded_ids(user))


def _visible_by_role(user: User) -> Expression | None:
    role = role_of(user)
    if reads_every_audit(role, user.case_reader):
        return Audit.id.is_null(False)
    if role == Role.SUPERVISOR:
        clause = Audit.auditor == user.id
        team_id = team_id_of(user)
        if team_id is not None:
            clause = clause | (Audit.team == team_id)
        if user.staff_id is not None:
            clause = clause | Audit.team.in_(managed_teams(user))
        return clause
    if role == Role.PRACTITIONER and user.staff_id is not None:
        # A moderation audit checks the auditor, not the practitioner: it is not theirs to read.
        return ((Audit.practitioner == user.staff_id) & (Audit.status == AuditStatus.SUBMITTED)
                & (Audit.kind != MODERATION))
    return None


def has_moderated(user: User, audit: Audit) -> bool:
    """A moderator who has submitted may read the audit they moderated, whatever its team."""
    return Audit.select().where(
        (Audit.moderates == audit.id) & (Audit.auditor == user.id)
        & (Audit.kind == MODERATION) & (Audit.status == AuditStatus.SUBMITTED)
    ).exists()


def can_read(user: User, audit: Audit) -> bool:
    if audit.auditor_id != user.id and is_blinded(user, audit):
        return False
    role = role_of(user)
    if role in (Role.SUPERVISOR, Role.QUALITY_LEAD) and has_moderated(user, audit):
        return True
    if reads_every_audit(role, user.case_reader):
        return True
    if role == Role.SUPERVISOR:
        team_id = team_id_of(user)
        if audit.auditor_id == user.id or (team_id is not None and audit.team_id == team_id):
            return True
        return (user.staff_id is not None and audit.team_id is not None
                and managed_teams(user).where(Staff.team == audit.team_id).exists())
    if role == Role.PRACTITIONER:
        return (
            user.staff_id is not None
            and audit.practitioner_id == user.staff_id
            and audit.status == AuditStatus.SUBMITTED
            and audit.kind != MODERATION
        )
    return False


def is_auditor(user: User, audit: Audit) -> bool:
    return audit.auditor_id == user.id


def is_practitioner(user: User, audit: Audit) -> bool:
    return user.staff_id is not None and audit.practitioner_id == user.staff_id


def can_manage_actions(user: User, audit: Audit) -> bool:
    """The auditor, or a supervisor of the audited team, records actions after submission."""
    if audit.status != AuditStatus.SUBMITTED or role_of(user) != Role.SUPERVISOR:
        return False
    team_id = team_id_of(user)
    return is_auditor(user, audit) or (team_id is not None and audit.team_id == team_id)


def can_update_action(user: User, action: AuditAction, audit: Audit) -> bool:
    return action.owner_id == user.id or can_manage_actions(user, audit)


def readable_audit(user: User, public_id: str) -> Audit:
    """The audit with this public id, if ``user`` may read it.

    An audit the user may not read is "not found" for practitioners (they must
    not learn that other audits exist) and "not allowed" for others.
    """
    audit = Audit.get_or_none(Audit.public_id == public_id)
    if audit is None:
        raise NotFound("There is no audit at this address.")
    if not can_read(user, audit):
        if is_blinded(user, audit):
            raise Blinded(BLIND_MESSAGE)
        if role_of(user) == Role.PRACTITIONER:
            raise NotFound("There is no audit at this address.")
        raise NotAllowed("You cannot see this audit: it is not one of your team's.")
    return audit


def owns_round(user: User, round_: SamplingRound) -> bool:
    return user.staff_id is not None and round_.supervisor_id == user.staff_id
