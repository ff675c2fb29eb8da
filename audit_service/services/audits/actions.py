"""Actions agreed after an audit: who does what by when, tracked by the owner to done.

Each action carries its own version, so an owner and a supervisor updating the
same action at once cannot overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audit_service.domain.audits import FieldError
from audit_service.domain.vocabulary import ActionStatus, AuditStatus
from audit_service.services.audits.access import can_manage_actions, can_update_action
from audit_service.services.audits.lifecycle import (
    InvalidAnswers,
    ReadOnly,
    audit_link,
    user_for_staff,
)
from audit_service.services.errors import Conflict, NotAllowed
from audit_service.services.platform import audit_trail, outbox
from audit_service.storage.database import database
from audit_service.storage.models import Audit, AuditAction, Staff, User, utcnow

STATUSES: dict[str, str] = {status: status.label for status in ActionStatus}
MAX_DESCRIPTION = 2_000


class ActionConflict(Conflict):
    """The action was changed by someone else since the page was read."""

    def __init__(self, action: AuditAction, your_version: int):
        super().__init__(
            f"This action was changed by someone else (now version {action.version}) after "
            f"you opened version {your_version}."
        )
        self.action = action
        self.your_version = your_version
        self.current_version = action.version

    def details(self) -> dict[str, int]:
        return {"your_version": self.your_version, "current_version": self.current_version}


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: User | None
    due_on: dt.date | None
    status: str = ActionStatus.OPEN


def owner_choices(audit: Audit) -> list[User]:
    """The practitioner and every other active login in the audited team."""
    users = list(
        User.select(User)
        .join(Staff, on=(User.staff == Staff.id))
        .where((User.is_active == True) & (Staff.team == audit.team_id))  # noqa: E712
        .order_by(User.display_name, User.id)
    ) if audit.team_id is not None else []
    practitioner = user_for_staff(audit.practitioner_id)
    if practitioner is not None and practitioner.id not in {u.id for u in users}:
        users.insert(0, practitioner)
    return users


def problems(audit: Audit, data: ActionInput, today: dt.date) -> list[FieldError]:
    errors = []
    description = data.description.strip()
    if not description:
        errors.append(FieldError("description", "Enter what needs to be done"))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(FieldError(
            "description", f"The action must be {MAX_DESCRIPTION:,} characters or fewer"))
    if data.owner is None or data.owner.id not in {u.id for u in owner_choices(audit)}:
        errors.append(FieldError("owner", "Select who owns the action"))
    if data.due_on is None:
        errors.append(FieldError("due_on", "Enter the date the action is due"))
    elif data.due_on < today:
        errors.append(FieldError("due_on", "The date the action is due must be today or later"))
    if data.status not in STATUSES:
        errors.append(FieldError("status", "Select open, in progress or done"))
    return errors


def _as_dict(action: AuditAction) -> dict[str, object]:
    return {"description": action.description, "owner": action.owner_id,
            "due_on": action.due_on.isoformat(), "status": action.status,
            "version": action.version}


def create_action(user: User, audit: Audit, data: ActionInput, today: dt.date, *,
                  remote_addr: str | None = None) -> AuditAction:
    if not can_manage_actions(user, audit):
        if audit.status != AuditStatus.SUBMITTED:
            raise ReadOnly("Actions are agreed after the audit is submitted.")
        raise NotAllowed("Only the team's team manager can record actions for this audit.")
    errors = problems(audit, data, today)
    if errors:
        raise InvalidAnswers(errors, audit.version)
    assert data.owner is not None and data.due_on is not None
    now = utcnow()
    with database.atomic():
        action = AuditAction.create(
            audit=audit, description=data.description.strip(), owner=data.owner,
            due_on=data.due_on, status=data.status, created_by=user,
            completed_at=now if data.status == ActionStatus.DONE else None,
        )
        audit_trail.record("action.created", actor=user, object_type="action",
                           object_id=action.public_id,
                           after={**_as_dict(action), "audit": audit.public_id},
                           remote_addr=remote_addr)
        if data.owner.id != user.id:
            link = audit_link(audit)
            outbox.enqueue(
                f"action-created:{action.public_id}", data.owner,
                "You have a new action from a case audit",
                f"{user.display_name} agreed an action with you, due "
                f"{data.due_on.day} {data.due_on:%B %Y}: {link}",
                None, link,
            )
    return action


def update_status(user: User, action: AuditAction, status: str, version: int, *,
                  remote_addr: str | None = None) -> AuditAction:
    """Move an action along (open, in progress, done) under its optimistic lock."""
    audit = Audit.get_by_id(action.audit_id)
    if not can_update_action(user, action, audit):
        raise NotAllowed("Only the action's owner or the team's team manager can update it.")
    if status not in STATUSES:
        raise InvalidAnswers([FieldError("status", "Select open, in progress or done")],
                             action.version)
    before = _as_dict(action)
    with database.atomic():
        changed = (
            AuditAction.update(
                status=status, version=version + 1, updated_at=utcnow(),
                completed_at=utcnow() if status == ActionStatus.DONE else None,
            )
            .where((AuditAction.id == action.id) & (AuditAction.version == version))
            .execute()
        )
        fresh = AuditAction.get_by_id(action.id)
        if not changed:
            raise ActionConflict(fresh, version)
        audit_trail.record("action.updated", actor=user, object_type="action",
                           object_id=action.public_id, before=before, after=_as_dict(fresh),
                           remote_addr=remote_addr)
    return fresh


def actions_of(audit: Audit) -> list[AuditAction]:
    return list(
        AuditAction.select(AuditAction, User)
        .join(User, on=(AuditAction.owner == User.id))
        .where(AuditAction.audit == audit.id)
        .order_by(AuditAction.due_on, AuditAction.id)
    )
