"""Signing in and out: the password check, throttling, the new session and the audit trail.

After too many failed sign-ins for one username from one address, each further attempt
waits longer (one minute, then two, four... up to the window), and only at that address, so
nobody elsewhere can lock a colleague out by typing their username; too many failures from one
address across usernames (password spraying) are slowed the same way. The audit trail
already records every failed sign-in with its address, so the counts come from there
rather than from a second store that could disagree with it.

The browser's own session (its cookie) is the web layer's business; everything
that is stored happens here, in one transaction on success.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from audit_service.domain.accounts.sign_on import MAX_USERNAME
from audit_service.services.accounts import second_factor, sessions, users
from audit_service.services.accounts.views import Account
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import Event, User, utcnow

LOGIN_FAILED = "login.failed"


@dataclass(frozen=True)
class Throttle:
    """When failures slow sign-in down: after ``limit`` failures within ``window`` for one
    username from one address, or ``address_limit`` from one address whatever the usernames,
    each further attempt waits ``first_delay`` after the last failure, twice as long after
    each further failure, and never longer than ``window``."""

    limit: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)
    address_limit: int = 30
    first_delay: dt.timedelta = dt.timedelta(minutes=1)

    def delay_after(self, failures: int, limit: int) -> dt.timedelta:
        """The wait after the last of ``failures`` (none below ``limit``)."""
        if failures < limit:
            return dt.timedelta(0)
        doublings = min(failures - limit, 20)
        return min(self.first_delay * (2 ** doublings), self.window)


@dataclass(frozen=True)
class SignIn:
    """What an attempt came to: ``account`` and its new ``session_id`` when it succeeded,
    ``throttled`` when it was not even tried, ``refusal`` (what to tell the person) when
    single sign-on vouched for someone this service will not let in, ``second_factor_for``
    (their id) when the password was right and a code is still to come; none of them for
    wrong credentials."""

    account: Account | None = None
    session_id: str | None = None
    throttled: bool = False
    refusal: str | None = None
    second_factor_for: int | None = None
    retry_after: dt.timedelta | None = None


def recent_failures(window: dt.timedelta, *, remote_addr: str | None,
                    username: str | None = None) -> tuple[int, dt.datetime | None]:
    """Failed sign-ins within ``window`` from this address (for ``username`` if given): how
    many, and when the last was."""
    where = ((Event.action == LOGIN_FAILED) & (Event.object_type == "login")
             & (Event.occurred_at >= utcnow() - window)
             & (Event.remote_addr.is_null() if remote_addr is None
                else Event.remote_addr == remote_addr))
    if username is not None:
        where &= Event.object_id == username
    count, last = Event.select(fn.COUNT(Event.id), fn.MAX(Event.occurred_at)).where(
        where).tuples().get()
    return int(count), last


def wait_needed(username: str, throttle: Throttle, remote_addr: str | None
                ) -> dt.timedelta | None:
    """How long this username at this address must wait before another attempt, or None."""
    now = utcnow()
    waits = []
    for who, limit in ((username, throttle.limit), (None, throttle.address_limit)):
        failures, last = recent_failures(throttle.window, remote_addr=remote_addr,
                                         username=who)
        if last is not None:
            ready = _naive(last) + throttle.delay_after(failures, limit)
            if ready > now:
                waits.append(ready - now)
    return max(waits) if waits else None


def _naive(moment: dt.datetime | str) -> dt.datetime:
    """SQLite hands MAX() back as text; both databases store naive UTC."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.replace(tzinfo=None)


def _refuse_throttled(username: str, throttle: Throttle, remote_addr: str | None
                      ) -> SignIn | None:
    wait = wait_needed(username, throttle, remote_addr)
    if wait is None:
        return None
    audit_trail.record("login.throttled", actor_label="anonymous", object_type="login",
                       object_id=username, after={"wait_seconds": int(wait.total_seconds())},
                       remote_addr=remote_addr)
    return SignIn(throttled=True, retry_after=wait)


def sign_in(username: str, password: str, *, throttle: Throttle, replaces: str | None,
            remote_addr: str | None, user_agent: str | None) -> SignIn:
    """Check the password and open a new session, ending ``replaces`` (the one the browser
    brought with it, never reused). Every outcome is written to the audit trail."""
    # Capped before anything is stored: the trail records what was typed, up to the longest
    # username an account can have.
    username = username.strip().lower()[:MAX_USERNAME]
    refused = _refuse_throttled(username, throttle, remote_addr)
    if refused is not None:
        return refused
    user = users.authenticate(username, password)
    if user is None:
        record_attempt(LOGIN_FAILED, None, username, remote_addr)
        return SignIn()
    if second_factor.has_second_factor(user):
        # The password was right; no session until the second step is too.
        record_attempt("login.second_factor_asked", user, username, remote_addr)
        return SignIn(second_factor_for=user.id)
    return open_session(user, replaces=replaces, remote_addr=remote_addr,
                        user_agent=user_agent)


def complete_second_factor(user_id: int, code: str, *, throttle: Throttle,
                           replaces: str | None, remote_addr: str | None,
                           user_agent: str | None) -> SignIn:
    """The second step: an app code or a recovery code, throttled like the password (its
    failures count towards the same limits)."""
    user = User.get_or_none((User.id == user_id) & User.is_active)
    if user is None:
        return SignIn()
    refused = _refuse_throttled(user.username, throttle, remote_addr)
    if refused is not None:
        return refused
    if not second_factor.check(user, code, remote_addr=remote_addr):
        record_attempt(LOGIN_FAILED, None, user.username, remote_addr)
        return SignIn(second_factor_for=user.id)
    return open_session(user, replaces=replaces, remote_addr=remote_addr,
                        user_agent=user_agent)


def open_session(user: User, *, replaces: str | None, remote_addr: str | None,
                 user_agent: str | None) -> SignIn:
    """A new session for someone who has proved who they are, however they did: it ends
    ``replaces`` (the browser's old one, never reused) and is in the trail."""
    with database.atomic():
        sessions.end_by_id(replaces, sessions.ENDED_REPLACED)
        session_id = sessions.start(user, remote_addr=remote_addr, user_agent=user_agent)
        User.update(last_login_at=utcnow()).where(User.id == user.id).execute()
        record_attempt("login.succeeded", user, user.username, remote_addr)
    return SignIn(account=User.get_by_id(user.id), session_id=session_id)


def sign_out(account: Account | None, session_id: str | None, *,
             remote_addr: str | None) -> None:
    """End this browser's session for good; a signed-in account's sign-out is recorded."""
    if account is not None:
        record_attempt("logout", account, account.username, remote_addr)
    sessions.end_by_id(session_id, sessions.ENDED_LOGOUT)


def record_attempt(action: str, actor: Account | None, username: str,
                   remote_addr: str | None) -> None:
    """One sign-in event in the audit trail, whichever way the person signed in."""
    audit_trail.record(action, actor=actor, actor_label=None if actor else "anonymous",
                       object_type="login", object_id=username, remote_addr=remote_addr)
