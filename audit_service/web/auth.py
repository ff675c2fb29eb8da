"""Sign in and sign out (``/login``, ``/logout``)."""

from __future__ import annotations

import datetime as dt
import math
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from audit_service.domain.accounts.sign_on import MAX_USERNAME
from audit_service.services.accounts import second_factor, signin
from audit_service.web import sign_on
from audit_service.web.access import public, safe_next
from audit_service.web.sessions import SESSION_KEY, end_session, start_session

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "Enter a correct username and password"
SECOND_STEP = "second_step"
#: How long the second step waits after the password before it starts again.
SECOND_STEP_SECONDS = 300
OFFER_PROVIDER_LOGOUT = "offer_provider_logout"
THROTTLED = (
    "Too many failed attempts to sign in with this username. "
    "Wait {wait} and try again"
)


def wait_text(wait: dt.timedelta | None) -> str:
    """A wait in whole minutes, as a person reads it."""
    minutes = max(1, math.ceil((wait or dt.timedelta(minutes=1)).total_seconds() / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class CodeForm(FlaskForm):
    code = StringField(validators=[InputRequired("Enter the code from your authenticator app"),
                                   Length(max=40, message=second_factor.WRONG_CODE)])


class LoginForm(FlaskForm):
    username = StringField(validators=[
        InputRequired("Enter your username"),
        Length(max=MAX_USERNAME, message=f"Enter a username of {MAX_USERNAME} characters or fewer"),
    ])
    password = PasswordField(validators=[InputRequired("Enter your password")])


def _throttle() -> signin.Throttle:
    config = current_app.config
    return signin.Throttle(config["LOGIN_MAX_FAILURES"],
                           dt.timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
                           config["LOGIN_MAX_FAILURES_PER_ADDRESS"])


@bp.record_once
def _defaults(state) -> None:
    state.app.config.setdefault("LOGIN_MAX_FAILURES", 5)
    state.app.config.setdefault("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
    state.app.config.setdefault("LOGIN_LOCKOUT_MINUTES", 15)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Check the password; on success start a new session and go where the user was heading."""
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("home.index"))
    status = 200
    retry_after = 0
    local = current_app.config.get("LOCAL_LOGIN", True)
    if request.method == "POST" and not local:
        status = 403
    elif form.validate_on_submit():
        throttle = _throttle()
        attempt = signin.sign_in(
            form.username.data, form.password.data, throttle=throttle,
            replaces=session.get(SESSION_KEY), remote_addr=request.remote_addr,
            user_agent=request.headers.get("User-Agent"),
        )
        if attempt.account is not None:
            start_session(attempt.account, attempt.session_id)
            return redirect(next_url or url_for("home.index"))
        if attempt.second_factor_for is not None:
            session.clear()
            session[SECOND_STEP] = {"user": attempt.second_factor_for, "at": time.time(),
                                    "next": next_url}
            return redirect(url_for("auth.code"))
        if attempt.throttled:
            form.username.errors.append(THROTTLED.format(wait=wait_text(attempt.retry_after)))
            status = 429
            retry_after = math.ceil(attempt.retry_after.total_seconds())
        else:
            form.username.errors.append(BAD_CREDENTIALS)
            status = 400
    elif form.errors:
        status = 400
    if form.username.data and len(form.username.data) > MAX_USERNAME:
        # Refused before anything is stored, and never echoed back into the page.
        form.username.data = ""
    expired = session.pop("expired", False)
    provider_logout = (sign_on.provider_logout_url() if session.pop(OFFER_PROVIDER_LOGOUT, False)
                       else None)
    return (
        render_template("auth/login.html", form=form, next_url=next_url, expired=expired,
                        local_login=local, sign_on=sign_on.configured(),
                        provider_name=current_app.config.get("OIDC_PROVIDER_NAME"),
                        provider_logout=provider_logout),
        status,
        {"Retry-After": str(retry_after)} if retry_after else {},
    )


@bp.route("/login/code", methods=["GET", "POST"])
@public
def code():
    """The second step, for an account with an authenticator app: its code, or a recovery
    code. It waits five minutes after the password, then sign-in starts again."""
    pending = session.get(SECOND_STEP)
    if not pending or time.time() - pending.get("at", 0) > SECOND_STEP_SECONDS:
        session.pop(SECOND_STEP, None)
        flash("Sign in again: the time to enter your code ran out", "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        throttle = _throttle()
        attempt = signin.complete_second_factor(
            pending["user"], form.code.data, throttle=throttle, replaces=None,
            remote_addr=request.remote_addr, user_agent=request.headers.get("User-Agent"))
        if attempt.account is not None:
            start_session(attempt.account, attempt.session_id)
            return redirect(pending.get("next") or url_for("home.index"))
        if attempt.throttled:
            form.code.errors.append(f"Too many wrong codes. Wait "
                                    f"{wait_text(attempt.retry_after)} and sign in again")
            session.pop(SECOND_STEP, None)
            status = 429
        else:
            form.code.errors.append(second_factor.WRONG_CODE)
            status = 400
    elif form.errors:
        status = 400
    return render_template("auth/code.html", form=form), status


@bp.post("/logout")
@public
def logout():
    """POST only (with a CSRF token), so no link or image can sign a user out."""
    signin.sign_out(current_user.record, session.get(SESSION_KEY),
                    remote_addr=request.remote_addr)
    signed_on = session.get(sign_on.SIGNED_ON_KEY, False)
    end_session()
    # Signing out here leaves the council account signed in at its provider: offer that too.
    session[OFFER_PROVIDER_LOGOUT] = signed_on
    flash("You have signed out", "success")
    return redirect(url_for("auth.login"))
