"""``/admin/users``: administrators create accounts, change roles and staff links, disable
and enable, and reset passwords. Disabling and resetting show what they will do and ask first;
a new or reset password is shown once, to be handed over, and changed at the next sign-in."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import management, second_factor
from audit_service.services.accounts.views import StaffChoice
from audit_service.services.errors import Invalid
from audit_service.web.access import require_roles
from audit_service.web.summary_filters import show_refusal

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")

ROLE_CHOICES = [("", "Select a role")] + [(r.value, r.label) for r in Role]


def _staff_choices(current: StaffChoice | None = None) -> list[tuple[str, str]]:
    choices = [("", "Not linked to a staff record")]
    if current is not None:
        choices.append((str(current.id), current.name))
    return choices + [(str(s.id), s.label) for s in management.unlinked_staff()]


class NewAccountForm(FlaskForm):
    username = StringField()
    display_name = StringField()
    email = EmailField()
    role = SelectField(choices=ROLE_CHOICES, validate_choice=False)
    staff = SelectField(choices=[], validate_choice=False)


class ChangeForm(FlaskForm):
    role = SelectField(choices=ROLE_CHOICES[1:], validate_choice=False)
    staff = SelectField(choices=[], validate_choice=False)
    swe_number = StringField()


class ConfirmForm(FlaskForm):
    """A button with a CSRF token: the confirmation of a step shown first."""


@bp.get("")
@require_roles(Role.ADMIN)
def index():
    return render_template("admin/users.html", users=management.accounts())


@bp.route("/new", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def new():
    form = NewAccountForm()
    form.staff.choices = _staff_choices()
    status = 200
    if form.validate_on_submit():
        try:
            created, first_password = management.create(
                current_user.record, username=form.username.data or "",
                display_name=form.display_name.data or "", role=form.role.data or "",
                email=form.email.data, staff=form.staff.data, remote_addr=request.remote_addr)
        except Invalid as exc:
            show_refusal(form, exc)
            status = 400
        else:
            return render_template("admin/user_password.html", account=created,
                                   password=first_password, created=True)
    elif form.errors:
        status = 400
    return render_template("admin/user_new.html", form=form), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def show(user_id: int):
    account = management.account(user_id)
    shown_number = (account.staff.swe_number if account.staff else None) or ""
    form = ChangeForm(role=account.role, staff=str(account.staff.id) if account.staff else "",
                      swe_number=shown_number)
    form.staff.choices = _staff_choices(account.staff)
    status = 200
    if form.validate_on_submit():
        typed = (form.swe_number.data or "").strip()
        try:
            # The number is changed only when edited: it belongs to the staff record, which
            # may be changed in the same step.
            management.change(current_user.record, user_id, role=form.role.data,
                              staff=form.staff.data, unlink_staff=not form.staff.data,
                              staff_swe_number=typed if typed != shown_number else None,
                              remote_addr=request.remote_addr)
        except Invalid as exc:
            show_refusal(form, exc)
            status = 400
        else:
            flash(f"{account.display_name}'s account has been changed", "success")
            return redirect(url_for("admin_users.show", user_id=user_id))
    elif form.errors:
        status = 400
    return render_template("admin/user.html", account=account, form=form), status


STEPS = {
    "disable": ("Disable {name}'s account?",
                "They will be signed out at once, and their API tokens will stop working. "
                "Nothing they recorded is changed, and you can enable the account again.",
                "Disable account"),
    "enable": ("Enable {name}'s account?",
               "They will be able to sign in again with their role as it is now.",
               "Enable account"),
    "reset-two-factor": ("Turn off {name}'s two-step sign-in?",
                         "Their authenticator app and recovery codes stop working. If their "
                         "role needs two-step sign-in, they set it up again when they next "
                         "sign in. Do this only when you are sure who is asking.",
                         "Turn off two-step sign-in"),
    "grant-case-reader": ("Let {name} read audits and case lists?",
                          "They will be able to read every audit, its evidence and the "
                          "children's case references in sampling rounds and the high-risk "
                          "list, as a quality lead reads them, though they cannot audit or "
                          "moderate. Every page they open is recorded in the audit trail. "
                          "Give this only when their work needs it.",
                          "Give case reader access"),
    "withdraw-case-reader": ("Stop {name} reading audits and case lists?",
                             "They will no longer be able to open audits, round case lists or "
                             "the high-risk list; summaries and everything else their role "
                             "allows stay as they are.", "Withdraw case reader access"),
    "reset-password": ("Reset {name}'s password?",
                       "Their current password stops working and they are signed out. You "
                       "will be shown a new password once, to give them; they must choose "
                       "their own when they next sign in.", "Reset password"),
}


@bp.route("/<int:user_id>/<any(disable, enable, 'reset-password', 'reset-two-factor', "
          "'grant-case-reader', 'withdraw-case-reader'):step>",
          methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def confirm(user_id: int, step: str):
    """Show what the step will do (GET), then do it (POST)."""
    account = management.account(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        actor = current_user.record
        if step == "reset-password":
            changed, temporary = management.reset_password(actor, user_id,
                                                           remote_addr=request.remote_addr)
            return render_template("admin/user_password.html", account=changed,
                                   password=temporary, created=False)
        if step in ("grant-case-reader", "withdraw-case-reader"):
            granted = step == "grant-case-reader"
            management.set_case_reader(actor, user_id, granted, remote_addr=request.remote_addr)
            flash(f"{account.display_name} "
                  f"{'can now' if granted else 'can no longer'} read audits and case lists",
                  "success")
            return redirect(url_for("admin_users.show", user_id=user_id))
        if step == "reset-two-factor":
            second_factor.reset(actor, user_id, remote_addr=request.remote_addr)
            flash(f"{account.display_name}'s two-step sign-in is off", "success")
            return redirect(url_for("admin_users.show", user_id=user_id))
        management.set_active(actor, user_id, step == "enable", remote_addr=request.remote_addr)
        flash(f"{account.display_name}'s account has been {step}d", "success")
        return redirect(url_for("admin_users.show", user_id=user_id))
    heading, body, button = STEPS[step]
    return render_template("admin/user_confirm.html", account=account, form=form,
                           heading=heading.format(name=account.display_name), body=body,
                           button=button, step=step)
