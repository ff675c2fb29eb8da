"""Actions agreed after an audit: who does what by when, tracked by the owner to done.

Each action carries its own version, so an owner and a team manager updating the
same action at once cannot overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audit_service.domain.audits import FieldError
from audit_service.domain.vocabulary import ActionStatus, AuditStatus, Role
from audit_service.services.audits.access import (
    can_manage_actions,
    can_update_action,
    readable_audit,
    role_of,
)
from audit_service.services.audits.notices import audit_link, user_for_staff
from audit_service.services.audits.refusals import InvalidAnswers, ReadOnly
from audit_service.services.audits.rows import action_view
from audit_service.services.audits.views import STATUSES, ActionView
from audit_service.services.errors import Conflict, NotAllowed, NotFound
from audit_service.services.platform import audit_trail, outbox
from audit_service.storage.database import database
from audit_service.storage.models import Audit, AuditAction, Staff, User, utcnow

MAX_DESCRIPTION = 2_000
__all__ = ["STATUSES", "ActionConflict", "ActionInput", "actions_of", "create_action",
           "find_owner", "move_action", "owner_choices", "problems", "record_action",
           "update_status"]


class ActionConflict(Conflict):
    """The action was changed by someone else since the page was read."""

    def __init__(self, action: AuditAction, your_version: int):
        super().__init__(
            f"This action was changed by someone else (now version {action.version}) after "
            f"you opened version {your_version}."
        )
        self.action = action
        self.audit_public_id = Audit.get_by_id(action.audit_id).public_id
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


def find_owner(audit: Audit, *, user_id: int | None = None,
               username: str | None = None) -> User | None:
    """The owner chosen for a new action, if they are one ``owner_choices`` offers: by id
    (the page's list) or by username (the API)."""
    return next((u for u in owner_choices(audit)
                 if (user_id is not None and u.id == user_id)
                 or (username is not None and u.username == username)), None)


def problems(audit: Audit, data: ActionInput, today: dt.date, *,
             due_on_error: str | None = None) -> list[FieldError]:
    """What is wrong with a new action; ``due_on_error`` says why a due date as typed could
    not be read, and then stands for the due date's other problems."""
    errors = []
    description = data.description.strip()
    if not description:
        errors.append(FieldError("description", "Enter what needs to be done"))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(FieldError(
            "description", f"The action must be {MAX_DESCRIPTION:,} characters or fewer"))
    if data.owner is None or data.owner.id not in {u.id for u in owner_choices(audit)}:
        errors.append(FieldError("owner", "Select who owns the action"))
    if due_on_error:
        errors.append(FieldError("due_on", due_on_error))
    elif data.due_on is None:
        errors.append(FieldError("due_on", "Enter the date the action is due"))
    elif data.due_on < today:
        errors.append(FieldError("due_on", "The date the action is due must be today or later"))
    if data.status not in STATUSES:
        errors.append(FieldError("status", "Select open, in progress or done"))
    return sorted(errors, key=lambda e: e.field != "due_on") if due_on_error else errors


def _as_dict(action: AuditAction) -> dict[str, object]:
    return {"description": action.description, "owner": action.owner_id,
            "due_on": action.due_on.isoformat(), "status": action.status,
            "version": action.version}


def create_action(user: User, audit: Audit, data: ActionInput, today: dt.date, *,
                  due_on_error: str | None = None,
                  remote_addr: str | None = None) -> AuditAction:
    if not can_manage_actions(user, audit):
        if audit.status != AuditStatus.SUBMITTED:
            raise ReadOnly("Actions are agreed after the audit is submitted.")
        raise NotAllowed("Only the team's team manager can record actions for this audit.")
    errors = problems(audit, data, today, due_on_error=due_on_error)
    if errors:
        raise InvalidAnswers(errors, audit.version, "the action cannot be saved")
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


def record_action(user: User, public_id: str, *, description: str, due_on: dt.date | None,
                  status: str, today: dt.date, owner_id: int | None = None,
                  owner_username: str | None = None, due_on_error: str | None = None,
                  remote_addr: str | None = None) -> ActionView:
    """Record an action agreed after the audit at this address, its owner named by id or by
    username (see ``find_owner``)."""
    audit = readable_audit(user, public_id)
    owner = find_owner(audit, user_id=owner_id, username=owner_username)
    action = create_action(user, audit, ActionInput(description, owner, due_on, status), today,
                           due_on_error=due_on_error, remote_addr=remote_addr)
    return action_view(action, audit.public_id, action.owner, may_update=True)


def update_status(user: User, action: AuditAction, status: str, version: int, *,
                  remote_addr: str | None = None) -> AuditAction:
    """Move an action along (open, in progress, done) under its optimistic lock."""
    audit = Audit.get_by_id(action.audit_id)
    if not can_update_action(user, action, audit):
        raise NotAllowed("Only the action's owner or the team's team manager can update it.")
    if status not in STATUSES:
        raise InvalidAnswers([FieldError("status", "Select open, in progress or done")],
                             action.version, "The action's status could not be changed.")
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


def move_action(user: User, public_id: str, status: str, version: int, *,
                remote_addr: str | None = None) -> ActionView:
    """Change the status of the action at this address. An action the user may not change
    is not found for a practitioner (they must not learn that others' actions exist) and
    not allowed for anyone else."""
    action = AuditAction.get_or_none(AuditAction.public_id == public_id)
    if action is None:
        raise NotFound("no action with that id")
    audit = Audit.get_by_id(action.audit_id)
    if not can_update_action(user, action, audit):
        refusal = NotFound if role_of(user) == Role.PRACTITIONER else NotAllowed
        raise refusal("you cannot change this action")
    fresh = update_status(user, action, status, version, remote_addr=remote_addr)
    return action_view(fresh, audit.public_id, fresh.owner, may_update=True)


def actions_of(audit: Audit) -> list[AuditAction]:
    return list(
        AuditAction.select(AuditAction, User)
        .join(User, on=(AuditAction.owner == User.id))
        .where(AuditAction.audit == audit.id)
        .order_by(AuditAction.due_on, AuditAction.id)
    )
