"""Admin pages for case imports: upload a caseload file and read each import's report."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.errors import Invalid
from audit_service.services.imports import reports
from audit_service.services.imports.case_import import (
    ConfirmationNeeded,
    cancel_pending,
)
from audit_service.web.access import require_roles
from audit_service.web.forms import DateInputField

bp = Blueprint("admin_imports", __name__, url_prefix="/admin/imports")

REJECTED_PER_PAGE = 100
RECENT_IMPORTS = 50
AUTO_FORMAT = ""


class UploadForm(FlaskForm):
    file = FileField("Case file", validators=[FileRequired("Select the case file to import")])
    format = SelectField("Format", choices=[], default=AUTO_FORMAT, validate_choice=True)
    as_of = DateInputField("Date the file was produced")


class WorkforceForm(FlaskForm):
    file = FileField("Workforce census", validators=[
        FileRequired("Select the workforce census file to import")])
    dry_run = BooleanField("Only check: show what would change, and change nothing")


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.format.choices = [(AUTO_FORMAT, "Work it out from the file name")] + [
        (importer_id, importer.label) for importer_id, importer in registries().importers.items()
    ]
    return form


def _format_label(importer_id: str) -> str:
    """The importer's name, or its id if the plugin that read the file is no longer installed."""
    importer = registries().importers.get(importer_id)
    return importer.label if importer else importer_id or "Not known"


def _accepted_extensions() -> str:
    return ",".join(sorted({ext for importer in registries().importers.values()
                            for ext in importer.extensions}))


def _render_index(form: UploadForm, status: int = 200):
    return (
        render_template("admin/imports.html", form=form, batches=reports.latest(RECENT_IMPORTS),
                        accept=_accepted_extensions(),
                        confirm_percent=current_app.config["IMPORT_CONFIRM_PERCENT"]),
        status,
    )


def page_number() -> int:
    """The ``page`` asked for; anything but a whole number is a page that is not there (0)."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() else 0


def page_numbers(current: int, last: int, around: int = 1) -> list[int | None]:
    """GOV.UK pagination: first, last and the pages next to the current one; None is a gap."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@bp.get("")
@require_roles(Role.ADMIN)
def index():
    return _render_index(_upload_form())


@bp.post("")
@require_roles(Role.ADMIN)
def upload():
    """Run the import; an unreadable file shows the form again with the reason."""
    from audit_service.services.imports.uploads import closure_limit, run_import

    form = _upload_form()
    if not form.validate_on_submit():
        return _render_index(form, 400)
    upload = form.file.data
    try:
        batch = run_import(upload.stream, upload.filename, importer_id=form.format.data or None,
                           uploaded_by=current_user.record, as_of=form.as_of.data or local_today(),
                           importers=registries().importers,
                           closure_limit=closure_limit(
                               current_app.config["IMPORT_CONFIRM_PERCENT"], confirmed=False),
                           background_bytes=current_app.config["IMPORT_BACKGROUND_BYTES"])
    except ConfirmationNeeded as exc:
        return redirect(url_for("admin_imports.confirm", public_id=exc.batch.public_id))
    except Invalid as exc:
        form.file.errors.append(exc.message)
        return _render_index(form, exc.status)
    return redirect(url_for("admin_imports.report", public_id=batch.public_id))


@bp.route("/workforce", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def workforce():
    """The workforce census onto staff records; the report is shown on the same page."""
    from audit_service.services.imports.workforce_import import import_workforce

    form = WorkforceForm()
    report, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = import_workforce(upload.stream, upload.filename, actor=current_user.record,
                                      dry_run=form.dry_run.data)
        except Invalid as exc:
            form.file.errors.append(exc.message)
            status = exc.status
    elif form.errors:
        status = 400
    return render_template("admin/workforce_import.html", form=form, report=report), status


@bp.get("/<public_id>/confirm")
@require_roles(Role.ADMIN)
def confirm(public_id: str):
    """What an import would do, before it closes more cases than the council allows
    unconfirmed: counts by team and kind of case, then confirm or cancel."""
    return render_template("admin/import_confirm.html", preview=reports.preview(public_id),
                           format_label=_format_label)


@bp.post("/<public_id>/confirm")
@require_roles(Role.ADMIN)
def confirmed(public_id: str):
    if request.form.get("decision") == "cancel":
        cancel_pending(public_id, actor=current_user.record)
        flash("The import was cancelled. No case was changed.", "success")
        return redirect(url_for("admin_imports.index"))
    from audit_service.services.imports.uploads import confirm_upload

    batch = confirm_upload(public_id, actor=current_user.record,
                           importers=registries().importers,
                           background_bytes=current_app.config["IMPORT_BACKGROUND_BYTES"])
    if batch.progress and batch.progress.in_progress:
        flash("The import was confirmed. It is running in the background: this page shows "
              "how far it has got.", "success")
    else:
        flash(f"The import was confirmed: {batch.closed_count} cases missing from the file "
              "were closed.", "success")
    return redirect(url_for("admin_imports.report", public_id=batch.public_id))


@bp.get("/<public_id>/progress")
@require_roles(Role.ADMIN)
def progress(public_id: str):
    """How far a background import has got, for the report page's script."""
    from audit_service.services.imports.background import progress_of

    found = progress_of(public_id)
    return jsonify(status=found.status, rows_read=found.rows_read,
                   rows_estimated=found.rows_estimated, words=found.words)


@bp.get("/<public_id>")
@require_roles(Role.ADMIN)
def report(public_id: str):
    batch, rows = reports.report_page(public_id, page_number(), REJECTED_PER_PAGE)
    return render_template(
        "admin/import_report.html",
        page_numbers=page_numbers(rows.number, rows.pages),
        format_label=_format_label(batch.importer),
        batch=batch,
        rows=rows,
    )
