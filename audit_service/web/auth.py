"""Sign in and sign out (``/login``, ``/logout``)."""

from __future__ import annotations

import datetime as dt

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
from wtforms.validators import InputRequired

from audit_service.services.accounts import users as accounts
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.web.access import public, safe_next
from audit_service.web.sessions import end_session, start_session
from audit_service.web.throttle import LOGIN_FAILED, is_throttled

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "Enter a correct username and password"
THROTTLED = (
    "Too many failed attempts to sign in with this username. "
    "Wait {minutes} minutes and try again"
)


class LoginForm(FlaskForm):
    username = StringField(validators=[InputRequired("Enter your username")])
    password = PasswordField(validators=[InputRequired("Enter your password")])


def _throttle_settings() -> tuple[int, dt.timedelta]:
    config = current_app.config
    return config["LOGIN_MAX_FAILURES"], dt.timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])


@bp.record_once
def _defaults(state) -> None:
    state.app.config.setdefault("LOGIN_MAX_FAILURES", 5)
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
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        limit, window = _throttle_settings()
        if is_throttled(username, limit=limit, window=window):
            audit_trail.record(
                "login.throttled",
                actor_label="anonymous",
                object_type="login",
                object_id=username,
                remote_addr=request.remote_addr,
            )
            form.username.errors.append(THROTTLED.format(minutes=int(window.total_seconds() // 60)))
            status = 429
        else:
            user = accounts.authenticate(username, form.password.data)
            if user is None:
                audit_trail.record(
                    LOGIN_FAILED,
                    actor_label="anonymous",
                    object_type="login",
                    object_id=username,
                    remote_addr=request.remote_addr,
                )
                form.username.errors.append(BAD_CREDENTIALS)
                status = 400
            else:
                with database.atomic():
                    start_session(user)
                    audit_trail.record(
                        "login.succeeded",
                        actor=user,
                        object_type="login",
                        object_id=username,
                        remote_addr=request.remote_addr,
                    )
                return redirect(next_url or url_for("home.index"))
    elif form.errors:
        status = 400
    expired = session.pop("expired", False)
    return (
        render_template("auth/login.html", form=form, next_url=next_url, expired=expired),
        status,
    )


@bp.post("/logout")
@public
def logout():
    """POST only (with a CSRF token), so no link or image can sign a user out."""
    if current_user.is_authenticated:
        audit_trail.record(
            "logout",
            actor=current_user.record,
            object_type="login",
            object_id=current_user.username,
            remote_addr=request.remote_addr,
        )
    end_session()
    flash("You have signed out", "success")
    return redirect(url_for("auth.login"))
