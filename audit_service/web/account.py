"""``/account/...``: a person's own password (which they must change after a reset) and API
tokens (issued with an expiry, listed, revoked); administrators see everyone's tokens."""

from __future__ import annotations

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
from wtforms import BooleanField, PasswordField, SelectField, StringField

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import management, second_factor
from audit_service.services.accounts import users as accounts
from audit_service.services.errors import Invalid
from audit_service.web.access import ALL_ROLES, require_roles
from audit_service.web.sessions import SESSION_KEY
from audit_service.web.summary_filters import show_refusal

bp = Blueprint("account", __name__, url_prefix="/account")

#: Where someone who must change their password may still go.
OPEN_WHILE_CHANGING = frozenset({"account.password", "account.two_factor", "auth.logout",
                                 "auth.login", "auth.code", "static", "health.healthz",
                                 "accessibility.statement"})
ENROLMENT_KEY = "totp_enrolment"


def init_app(app) -> None:
    """Read ``AUDIT_SECOND_FACTOR_ROLES`` once: a wrong role stops the app starting."""
    app.extensions["second_factor_roles"] = second_factor.roles_requiring(
        app.config.get("SECOND_FACTOR_ROLES"))
    app.register_blueprint(bp)


class PasswordForm(FlaskForm):
    current = PasswordField()
    new = PasswordField()
    confirm = PasswordField()


@bp.before_app_request
def _change_first():
    """After an administrator's reset, every page waits until the person has chosen their own
    password; a role that needs a second factor waits until it is set up (the API is for
    tokens, which neither touches)."""
    if (not current_user.is_authenticated or request.endpoint in OPEN_WHILE_CHANGING
            or request.path.startswith(("/api/", "/static/"))):
        return None
    account = current_user.record
    if account.must_change_password:
        return redirect(url_for("account.password"))
    if second_factor.must_enrol(account, current_app.extensions["second_factor_roles"]):
        return redirect(url_for("account.two_factor"))
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


TOKEN_DAYS = [("30", "30 days"), ("90", "90 days"), ("180", "180 days"), ("366", "A year")]


class TokenForm(FlaskForm):
    name = StringField()
    days = SelectField(choices=TOKEN_DAYS, default=str(accounts.TOKEN_DAYS))
    read_only = BooleanField()


class RevokeForm(FlaskForm):
    """The confirmation of a revocation shown first."""


@bp.route("/tokens", methods=["GET", "POST"])
@require_roles(*ALL_ROLES)
def tokens():
    """Your API tokens, and a new one (its secret shown once)."""
    form = TokenForm()
    status = 200
    if form.validate_on_submit():
        try:
            secret = accounts.create_token(
                current_user.record, form.name.data or "", days=int(form.days.data),
                read_only=bool(form.read_only.data), actor=current_user.record)
        except accounts.AccountError as exc:
            show_refusal(form, Invalid(str(exc), {"name": str(exc)}))
            status = 400
        else:
            return render_template("account/token_created.html", secret=secret,
                                   name=form.name.data.strip())
    elif form.errors:
        status = 400
    return render_template("account/tokens.html", form=form,
                           tokens=accounts.tokens(current_user.record), everyone=False), status


@bp.get("/tokens/everyone")
@require_roles(Role.ADMIN)
def all_tokens():
    return render_template("account/tokens.html", form=None, tokens=accounts.tokens(),
                           everyone=True)


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@require_roles(*ALL_ROLES)
def revoke(token_id: int):
    """Say what revoking does (GET), then revoke (POST): yours, or anyone's for an admin."""
    token = accounts.token_of(current_user.record, token_id)
    form = RevokeForm()
    if form.validate_on_submit():
        accounts.revoke_token(current_user.record, token_id, remote_addr=request.remote_addr)
        flash(f"The token {token.name} has been revoked", "success")
        return redirect(url_for("account.tokens"))
    return render_template("account/token_revoke.html", token=token, form=form)


class CodeForm(FlaskForm):
    code = StringField()


@bp.route("/two-factor", methods=["GET", "POST"])
@require_roles(*ALL_ROLES)
def two_factor():
    """Set up an authenticator app: scan, prove it with a code, keep the recovery codes."""
    account = current_user.record
    issuer = current_app.config.get("ORGANISATION_NAME") or "Case audit"
    required = Role(account.role) in current_app.extensions["second_factor_roles"]
    if account.oidc_subject or second_factor.has_second_factor(account):
        return render_template("account/two_factor.html", enrolment=None, form=None,
                               signs_on=bool(account.oidc_subject), required=required,
                               left=second_factor.recovery_codes_left(account))
    form = CodeForm()
    secret = session.get(ENROLMENT_KEY)
    enrolment = (second_factor.enrolment_for(account, secret, issuer) if secret
                 else second_factor.new_enrolment(account, issuer))
    session[ENROLMENT_KEY] = enrolment.secret
    status = 200
    if form.validate_on_submit():
        try:
            codes = second_factor.enable(account, enrolment.secret, form.code.data or "",
                                         remote_addr=request.remote_addr)
        except Invalid as exc:
            show_refusal(form, exc)
            status = 400
        else:
            session.pop(ENROLMENT_KEY, None)
            return render_template("account/recovery_codes.html", codes=codes)
    elif form.errors:
        status = 400
    return render_template("account/two_factor.html", enrolment=enrolment, form=form,
                           signs_on=False, required=required, left=0), status
