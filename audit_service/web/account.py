"""``/account/password``: a person changes their own password, and must after a reset."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField

from audit_service.services.accounts import management
from audit_service.services.errors import Invalid
from audit_service.web.access import ALL_ROLES, require_roles
from audit_service.web.sessions import SESSION_KEY
from audit_service.web.summary_filters import show_refusal

bp = Blueprint("account", __name__, url_prefix="/account")

#: Where someone who must change their password may still go.
OPEN_WHILE_CHANGING = frozenset({"account.password", "auth.logout", "auth.login", "static",
                                 "health.healthz", "accessibility.statement"})


class PasswordForm(FlaskForm):
    current = PasswordField()
    new = PasswordField()
    confirm = PasswordField()


@bp.before_app_request
def _change_first():
    """After an administrator's reset, every page waits until the person has chosen their own
    password (the API is for tokens, which a reset does not touch)."""
    if (current_user.is_authenticated and current_user.record.must_change_password
            and request.endpoint not in OPEN_WHILE_CHANGING
            and not request.path.startswith(("/api/", "/static/"))):
        return redirect(url_for("account.password"))
    return None


@bp.route("/password", methods=["GET", "POST"])
@require_roles(*ALL_ROLES)
def password():
    form = PasswordForm()
    account = current_user.record
    status = 200
    if form.validate_on_submit():
        try:
            management.change_password(
                account, current=form.current.data or "", new=form.new.data or "",
                confirm=form.confirm.data or "", session_id=session.get(SESSION_KEY),
                remote_addr=request.remote_addr)
        except Invalid as exc:
            show_refusal(form, exc)
            status = 400
        else:
            flash("Your password has been changed. You have been signed out everywhere else.",
                  "success")
            return redirect(url_for("home.index"))
    elif form.errors:
        status = 400
    return render_template("account/password.html", form=form, forced=bool(
        account.must_change_password), signs_on=bool(account.oidc_subject)), status
