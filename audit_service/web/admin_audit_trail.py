"""``/admin/audit-trail``: admins search the audit trail and export it as CSV.

Looking at the trail is itself recorded (``audit_trail.searched`` and
``audit_trail.exported``), since the trail says who looked at what.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from wtforms import Form, SelectField, StringField
from wtforms.validators import Length, Optional

from audit_service.domain.vocabulary import Role
from audit_service.services.platform import audit_trail
from audit_service.services.platform.trail_search import (
    TrailFilter,
    csv_lines,
    known_actions,
    search,
    utc_text,
)
from audit_service.storage.database import database
from audit_service.web.access import require_roles
from audit_service.web.admin_imports import page_numbers
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
    actions = known_actions()
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
    filters = form.filters()
    query = search(filters)
    total = query.count()
    pages = max(1, -(-total // PER_PAGE))
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= pages:
        abort(404)
    page = int(page)
    events = list(query.paginate(page, PER_PAGE))
    audit_trail.record(
        "audit_trail.searched",
        actor=current_user.record,
        object_type="audit_trail",
        after={"filters": filters.as_dict(), "page": page, "matches": total},
        remote_addr=request.remote_addr,
    )
    args = _filter_args()
    return render_template(
        "admin/audit_trail.html",
        form=form,
        events=events,
        total=total,
        page=page,
        pages=pages,
        page_numbers=page_numbers(page, pages),
        first=(page - 1) * PER_PAGE + 1,
        args=args,
        export_url=url_for("admin_audit_trail.export", **args),
        utc_text=utc_text,
    )


def _stream(query) -> Iterator[str]:
    """The CSV, read while it is sent: after the request's own connection has closed."""

    def rows() -> Iterator:
        database.connect(reuse_if_open=True)
        try:
            yield from query.iterator()
        finally:
            database.close()

    return csv_lines(rows())


@bp.get("/export.csv")
@require_roles(Role.ADMIN)
def export():
    """Every matching event as CSV, streamed; cells that a spreadsheet would run are quoted."""
    form = _form()
    if request.args and not form.validate():
        abort(400)
    filters = form.filters()
    query = search(filters)
    audit_trail.record(
        "audit_trail.exported",
        actor=current_user.record,
        object_type="audit_trail",
        after={"filters": filters.as_dict(), "matches": query.count()},
        remote_addr=request.remote_addr,
    )
    response = Response(_stream(query), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response
