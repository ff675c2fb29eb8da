"""Browser sessions: who is signed in, and for how long.

The signed session cookie holds the user id, a random session id made afresh
at every sign-in (so a session fixed before sign-in is worthless), and when the
session started and was last used. Sessions end after
``SESSION_IDLE_MINUTES`` without a request or ``SESSION_MAX_HOURS`` after
sign-in, whichever comes first. Disabling a user ends their sessions at the
next request because the loader only returns active users.
"""

from __future__ import annotations

import secrets
import time

from flask import Flask, current_app, request, session
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user

from audit_service.domain.vocabulary import Role
from audit_service.services import audit_trail
from audit_service.storage.models import User, utcnow

login_manager = LoginManager()


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
    if not user_id.isdigit():
        return None
    record = User.get_or_none((User.id == int(user_id)) & (User.is_active == True))  # noqa: E712
    return SessionUser(record) if record else None


def start_session(user: User) -> None:
    """Sign ``user`` in on a brand-new session (never one the browser brought with it)."""
    session.clear()
    now = int(time.time())
    session["sid"] = secrets.token_urlsafe(32)
    session["started"] = now
    session["seen"] = now
    session.permanent = False
    login_user(SessionUser(user), remember=False, fresh=True)
    User.update(last_login_at=utcnow()).where(User.id == user.id).execute()


def end_session() -> None:
    logout_user()
    session.clear()


def session_expired() -> str | None:
    """Why the current session has run out, or None while it is live."""
    now = int(time.time())
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["SESSION_MAX_HOURS"] * 3600
    if now - int(session.get("started", 0)) > absolute:
        return "absolute"
    if now - int(session.get("seen", 0)) > idle:
        return "idle"
    return None


def _enforce_timeouts() -> None:
    if request.path.startswith(("/static/", "/api/")) or not current_user.is_authenticated:
        return
    reason = session_expired()
    if reason:
        audit_trail.record(
            "session.expired",
            actor=current_user.record,
            object_type="session",
            after={"reason": reason},
            remote_addr=request.remote_addr,
        )
        end_session()
        session["expired"] = True
        return
    session["seen"] = int(time.time())


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_MINUTES", 30)
    app.config.setdefault("SESSION_MAX_HOURS", 12)
    login_manager.init_app(app)
    login_manager.anonymous_user = AnonymousUser
    # Sessions are never remembered beyond the browser; no "remember me" cookie.
    app.config.setdefault("REMEMBER_COOKIE_DURATION", 0)
    app.before_request(_enforce_timeouts)
