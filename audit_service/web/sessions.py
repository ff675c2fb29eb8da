"""Browser sessions: who is signed in, and for how long, decided on the server.

Flask's signed session cookie is only the carrier: it holds the random session
id (``sid``) and Flask-Login's user id. The session itself is a ``user_session``
row (see ``services.user_sessions``), so signing out, a timeout, or disabling
the user ends it for good: a copy of the cookie taken earlier signs nobody in.

Sessions end after ``SESSION_IDLE_MINUTES`` without a request
(``AUDIT_SESSION_IDLE_MINUTES``, default 30) or ``SESSION_MAX_HOURS`` after
sign-in (``AUDIT_SESSION_MAX_HOURS``, default 12), whichever comes first, both
measured from the row rather than from anything the browser sends.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g, request, session
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import sessions as user_sessions
from audit_service.services.platform import audit_trail
from audit_service.storage.models import User, UserSession, utcnow

login_manager = LoginManager()
SESSION_KEY = "sid"


class SessionUser:
    """The signed-in account as Flask-Login sees it; the peewee row stays free of Flask."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, record: User):
        self.record = record

    @property
    def is_active(self) -> bool:
        return bool(self.record.is_active)

    def get_id(self) -> str:
        return str(self.record.id)

    @property
    def username(self) -> str:
        return self.record.username

    @property
    def display_name(self) -> str:
        return self.record.display_name

    @property
    def role(self) -> Role:
        return Role(self.record.role)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class AnonymousUser(AnonymousUserMixin):
    record = None
    role = None
    username = None

    def has_role(self, *roles: Role) -> bool:
        return False


@login_manager.user_loader
def _load_user(user_id: str) -> SessionUser | None:
    """Only a live session row of this same, active user signs the browser in."""
    if not user_id.isdigit():
        return None
    row = user_sessions.find_live(session.get(SESSION_KEY))
    if row is None or row.user_id != int(user_id):
        return None
    g.user_session = row
    return SessionUser(row.user)


def timeouts() -> user_sessions.Timeouts:
    config = current_app.config
    return user_sessions.Timeouts(
        idle=dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        absolute=dt.timedelta(hours=config["SESSION_MAX_HOURS"]),
    )


def start_session(user: User) -> None:
    """Sign ``user`` in on a brand-new session (never one the browser brought with it)."""
    user_sessions.end_by_id(session.get(SESSION_KEY), user_sessions.ENDED_REPLACED)
    session.clear()
    session[SESSION_KEY] = user_sessions.start(
        user,
        remote_addr=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
    )
    session.permanent = False
    login_user(SessionUser(user), remember=False, fresh=True)
    User.update(last_login_at=utcnow()).where(User.id == user.id).execute()


def end_session(reason: str = user_sessions.ENDED_LOGOUT) -> None:
    """End this browser's session row and forget everything the cookie held."""
    user_sessions.end_by_id(session.get(SESSION_KEY), reason)
    logout_user()
    session.clear()


def _refused_reason(session_id: object) -> str:
    if not isinstance(session_id, str):
        return "no session id"
    row = UserSession.get_or_none(UserSession.session_hash == user_sessions.digest(session_id))
    if row is None:
        return "unknown session"
    if row.ended_at is not None:
        return f"session already ended ({row.ended_reason})"
    return "user disabled or not the session's user"


def _enforce_session() -> None:
    if request.path.startswith(("/static/", "/api/")):
        return
    if not current_user.is_authenticated:
        if "_user_id" in session or SESSION_KEY in session:
            # A cookie naming a session that is over: say so once, then forget it.
            audit_trail.record(
                "session.refused",
                actor_label="anonymous",
                object_type="session",
                after={"reason": _refused_reason(session.get(SESSION_KEY)), "path": request.path},
                remote_addr=request.remote_addr,
            )
            logout_user()
            session.clear()
        return
    row: UserSession = g.user_session
    reason = user_sessions.expiry_reason(row, timeouts(), utcnow())
    if reason:
        user_sessions.end(row, reason)
        audit_trail.record(
            "session.expired",
            actor=current_user.record,
            object_type="session",
            object_id=row.id,
            after={"reason": reason},
            remote_addr=request.remote_addr,
        )
        end_session(reason)
        session["expired"] = True
        return
    user_sessions.touch(row)


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_MINUTES", 30)
    app.config.setdefault("SESSION_MAX_HOURS", 12)
    login_manager.init_app(app)
    login_manager.anonymous_user = AnonymousUser
    # Sessions are never remembered beyond the browser; no "remember me" cookie.
    app.config.setdefault("REMEMBER_COOKIE_DURATION", 0)
    app.before_request(_enforce_session)
