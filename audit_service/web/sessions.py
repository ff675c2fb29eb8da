"""Browser sessions: who is signed in, and for how long, decided on the server.

Flask's signed session cookie is only the carrier: it holds the random session
id (``sid``) and Flask-Login's user id. The session itself is a ``user_session``
row (see ``services.accounts.sessions``), so signing out, a timeout, or disabling
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
from audit_service.services.accounts.views import Account

login_manager = LoginManager()
SESSION_KEY = "sid"


class SessionUser:
    """The signed-in account as Flask-Login sees it; the account itself stays free of Flask."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, record: Account):
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
    row = user_sessions.find_live(session.get(SESSION_KEY), int(user_id))
    if row is None:
        return None
    g.user_session = row
    return SessionUser(row.user)


def timeouts() -> user_sessions.Timeouts:
    config = current_app.config
    return user_sessions.Timeouts(
        idle=dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        absolute=dt.timedelta(hours=config["SESSION_MAX_HOURS"]),
    )


def start_session(account: Account, session_id: str) -> None:
    """Carry ``session_id``, just opened for ``account``, in a cookie holding nothing older."""
    session.clear()
    session[SESSION_KEY] = session_id
    session.permanent = False
    login_user(SessionUser(account), remember=False, fresh=True)


def end_session() -> None:
    """Forget everything the cookie held; the session row was ended by the service."""
    logout_user()
    session.clear()


def _enforce_session() -> None:
    if request.path.startswith(("/static/", "/api/")):
        return
    if not current_user.is_authenticated:
        if "_user_id" in session or SESSION_KEY in session:
            # A cookie naming a session that is over: say so once, then forget it.
            user_sessions.record_refused(session.get(SESSION_KEY), path=request.path,
                                         remote_addr=request.remote_addr)
            end_session()
        return
    if user_sessions.keep_alive(g.user_session, timeouts(), remote_addr=request.remote_addr):
        end_session()
        session["expired"] = True


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_MINUTES", 30)
    app.config.setdefault("SESSION_MAX_HOURS", 12)
    login_manager.init_app(app)
    login_manager.anonymous_user = AnonymousUser
    # Sessions are never remembered beyond the browser; no "remember me" cookie.
    app.config.setdefault("REMEMBER_COOKIE_DURATION", 0)
    app.before_request(_enforce_session)
