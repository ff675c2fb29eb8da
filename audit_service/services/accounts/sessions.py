"""Server-side sign-in sessions, and disabling an account (which ends all of them).

The browser holds only a random session id; this module stores its SHA-256,
so a copy of the database cannot be turned back into a working cookie. A
session is live while its row has no ``ended_at``, its user is active, and
neither timeout has passed. Everything here is plain Python: the web layer
decides when to call it, and holds a session row only to hand it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import User, UserSession, utcnow

USER_AGENT_MAX = 255
# ``last_seen_at`` is written at most this often, so each page view does not cost a write.
TOUCH_EVERY = dt.timedelta(seconds=30)

ENDED_LOGOUT = "logout"
ENDED_IDLE = "idle"
ENDED_ABSOLUTE = "absolute"
ENDED_DISABLED = "user disabled"
ENDED_REPLACED = "replaced by a new sign-in"
ENDED_PASSWORD_CHANGED = "password changed"  # noqa: S105 - a reason, not a secret
ENDED_PASSWORD_RESET = "password reset"  # noqa: S105 - a reason, not a secret


@dataclass(frozen=True)
class Timeouts:
    """How long a session may sit unused, and how long it may last at all."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=12)


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(user: User, *, remote_addr: str | None, user_agent: str | None) -> str:
    """Open a new session for ``user``; its id goes to the browser and nowhere else."""
    session_id = secrets.token_urlsafe(32)
    UserSession.create(
        session_hash=digest(session_id),
        user=user,
        remote_addr=remote_addr,
        user_agent=(user_agent or "")[:USER_AGENT_MAX] or None,
    )
    return session_id


def find_live(session_id: str | None, user_id: int | None = None) -> UserSession | None:
    """The open session row for this id with its active user joined, or None; with a
    ``user_id``, only if the session is that user's (a cookie cannot graft one onto another)."""
    if not session_id or not isinstance(session_id, str):
        return None
    row = (
        UserSession.select(UserSession, User)
        .join(User)
        .where(
            (UserSession.session_hash == digest(session_id))
            & UserSession.ended_at.is_null()
            & (User.is_active == True)  # noqa: E712
        )
        .first()
    )
    if row is None or (user_id is not None and row.user_id != user_id):
        return None
    return row


def refused_reason(session_id: object) -> str:
    """Why a cookie naming a session signs nobody in, for the audit trail."""
    if not isinstance(session_id, str):
        return "no session id"
    row = UserSession.get_or_none(UserSession.session_hash == digest(session_id))
    if row is None:
        return "unknown session"
    if row.ended_at is not None:
        return f"session already ended ({row.ended_reason})"
    return "user disabled or not the session's user"


def record_refused(session_id: object, *, path: str, remote_addr: str | None) -> None:
    """``session.refused``: a browser brought a cookie whose session is over."""
    audit_trail.record("session.refused", actor_label="anonymous", object_type="session",
                       after={"reason": refused_reason(session_id), "path": path},
                       remote_addr=remote_addr)


def expiry_reason(row: UserSession, timeouts: Timeouts, now: dt.datetime) -> str | None:
    """Why this session has run out at ``now`` (absolute first), or None while it is live."""
    if now - row.created_at > timeouts.absolute:
        return ENDED_ABSOLUTE
    if now - row.last_seen_at > timeouts.idle:
        return ENDED_IDLE
    return None


def keep_alive(row: UserSession, timeouts: Timeouts, *, remote_addr: str | None,
               now: dt.datetime | None = None) -> str | None:
    """Mark the session used, or end it if it has run out (recorded as ``session.expired``);
    returns the reason it ended, or None while it lives on."""
    now = now or utcnow()
    reason = expiry_reason(row, timeouts, now)
    if reason is None:
        touch(row, now)
        return None
    end(row, reason)
    audit_trail.record("session.expired", actor=row.user, object_type="session",
                       object_id=row.id, after={"reason": reason}, remote_addr=remote_addr)
    return reason


def touch(row: UserSession, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if now - row.last_seen_at >= TOUCH_EVERY:
        UserSession.update(last_seen_at=now).where(UserSession.id == row.id).execute()
        row.last_seen_at = now


def end(row: UserSession, reason: str) -> bool:
    """End one session; False when it had already ended (so it is never ended twice)."""
    changed = (
        UserSession.update(ended_at=utcnow(), ended_reason=reason)
        .where((UserSession.id == row.id) & UserSession.ended_at.is_null())
        .execute()
    )
    return bool(changed)


def end_by_id(session_id: str | None, reason: str) -> bool:
    if not session_id or not isinstance(session_id, str):
        return False
    changed = (
        UserSession.update(ended_at=utcnow(), ended_reason=reason)
        .where((UserSession.session_hash == digest(session_id)) & UserSession.ended_at.is_null())
        .execute()
    )
    return bool(changed)


def end_all(user: User, reason: str) -> int:
    """End every open session of ``user`` at once; returns how many were open."""
    return end_others(user, None, reason)


def end_others(user: User, keep: str | None, reason: str) -> int:
    """End every open session of ``user`` but the one ``keep`` names; returns how many."""
    where = (UserSession.user == user.id) & UserSession.ended_at.is_null()
    if keep:
        where &= UserSession.session_hash != digest(keep)
    return UserSession.update(ended_at=utcnow(), ended_reason=reason).where(where).execute()


def disable_user(
    user: User,
    *,
    actor: User | None = None,
    actor_label: str | None = None,
    remote_addr: str | None = None,
) -> int:
    """Stop ``user`` signing in and end every session they have; returns sessions ended.

    Their API tokens stop working too, because token checks require an active user.
    """
    with database.atomic():
        User.update(is_active=False).where(User.id == user.id).execute()
        ended = end_all(user, ENDED_DISABLED)
        audit_trail.record(
            "user.disabled", actor=actor, actor_label=actor_label, object_type="user",
            object_id=user.id, before={"is_active": bool(user.is_active)},
            after={"is_active": False, "sessions_ended": ended}, remote_addr=remote_addr,
        )
    user.is_active = False
    return ended
