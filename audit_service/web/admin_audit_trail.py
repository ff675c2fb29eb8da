"""``/admin/audit-trail``: admins search the audit trail and export it as CSV.

Looking at the trail is itself recorded (``audit_trail.searched`` and
``audit_trail.exported``) by the service, since the trail says who looked at what.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from wtforms import Form, SelectField, StringField
from wtforms.validators import Length, Optional

from audit_service.domain.vocabulary import Role
from audit_service.services.platform import trail_search
from audit_service.services.platform.trail_search import TrailFilter
from audit_service.web.access import require_roles
from audit_service.web.admin_imports import page_number, page_numbers
from audit_service.web.forms import DateInputField

bp = Blueprint("admin_audit_trail", __name__, url_prefix="/admin/audit-trail")

PER_PAGE = 50
FILTER_ARGS = ("user", "action", "object_type", "object_id", "since", "until")


class TrailFilterForm(Form):
    """Read from the query string: searching changes nothing, so it is a GET without CSRF."""

    user = StringField("User", validators=[Optional(), Length(max=200)])
    action = SelectField("Action", choices=[], default="", validate_choice=True)
    object_type = StringField("Object type", validators=[Optional(), Length(max=100)])
    object_id = StringField("Object id", validators=[Optional(), Length(max=200)])
    since = DateInputField("From")
    until = DateInputField("To")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.since.data and self.until.data and self.until.data < self.since.data:
            self.until.errors.append("The date in To must be the same as or after the date in From")
            return False
        return valid

    def filters(self) -> TrailFilter:
        return TrailFilter(
            user=(self.user.data or "").strip() or None,
            action=self.action.data or None,
            object_type=(self.object_type.data or "").strip() or None,
            object_id=(self.object_id.data or "").strip() or None,
            since=self.since.data,
            until=self.until.data,
        )


def action_choices() -> list[tuple[str, str]]:
    """Every recorded action, plus "all <group> actions" for groups of more than one."""
    actions = trail_search.known_actions()
    groups: dict[str, int] = {}
    for action in actions:
        head, dot, _ = action.partition(".")
        if dot:
            groups[head] = groups.get(head, 0) + 1
    choices = [("", "Any action")]
    for head in sorted(g for g, n in groups.items() if n > 1):
        choices.append((f"{head}.", f"Any {head} action"))
    return choices + [(a, a) for a in actions]


def _form() -> TrailFilterForm:
    form = TrailFilterForm(request.args)
    form.action.choices = action_choices()
    if form.action.data and form.action.data not in {v for v, _ in form.action.choices}:
        # An action nobody has done yet still filters (to nothing) rather than erroring.
        form.action.choices.append((form.action.data, form.action.data))
    return form


def _filter_args() -> dict[str, str]:
    return {k: v for k, v in request.args.items(multi=False) if k != "page" and v}


@bp.get("")
@require_roles(Role.ADMIN)
def index():
    form = _form()
    if request.args and not form.validate():
        return render_template("admin/audit_trail.html", form=form, events=None), 400
    page = trail_search.search_page(form.filters(), page_number(), PER_PAGE,
                                    actor=current_user.record, remote_addr=request.remote_addr)
    args = _filter_args()
    return render_template(
        "admin/audit_trail.html",
        form=form,
        events=page,
        page_numbers=page_numbers(page.number, page.pages),
        args=args,
        export_url=url_for("admin_audit_trail.export", **args),
    )


@bp.get("/export.csv")
@require_roles(Role.ADMIN)
def export():
    """Every matching event as CSV, streamed; cells that a spreadsheet would run are quoted."""
    form = _form()
    if request.args and not form.validate():
        abort(400)
    lines = trail_search.export(form.filters(), actor=current_user.record,
                                remote_addr=request.remote_addr)
    response = Response(lines, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response
