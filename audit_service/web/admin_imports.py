"""Admin pages for case imports: upload a caseload file and read each import's report."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from peewee import JOIN
from wtforms import SelectField

from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.storage.models import ImportBatch, RejectedRow, User
from audit_service.web.access import require_roles
from audit_service.web.forms import DateInputField

bp = Blueprint("admin_imports", __name__, url_prefix="/admin/imports")

REJECTED_PER_PAGE = 100
AUTO_FORMAT = ""


class UploadForm(FlaskForm):
    file = FileField("Case file", validators=[FileRequired("Select the case file to import")])
    format = SelectField("Format", choices=[], default=AUTO_FORMAT, validate_choice=True)
    as_of = DateInputField("Date the file was produced")


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
    batches = (
        ImportBatch.select(ImportBatch, User)
        .join(User, on=(ImportBatch.uploaded_by == User.id), join_type=JOIN.LEFT_OUTER)
        .order_by(ImportBatch.started_at.desc(), ImportBatch.id.desc())
        .limit(50)
    )
    return (
        render_template(
            "admin/imports.html", form=form, batches=list(batches), accept=_accepted_extensions()
        ),
        status,
    )


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
    from audit_service.services.imports.case_import import ImportFailed, import_file

    form = _upload_form()
    if not form.validate_on_submit():
        return _render_index(form, 400)
    upload = form.file.data
    try:
        batch = import_file(
            upload.stream,
            upload.filename or "upload",
            importer_id=form.format.data or None,
            uploaded_by=current_user.record,
            as_of=form.as_of.data or local_today(),
            importers=registries().importers,
        )
    except ImportFailed as exc:
        form.file.errors.append(f"{upload.filename or 'The file'} could not be imported: {exc}")
        return _render_index(form, 422)
    return redirect(url_for("admin_imports.report", public_id=batch.public_id))


@bp.get("/<public_id>")
@require_roles(Role.ADMIN)
def report(public_id: str):
    batch = (
        ImportBatch.select(ImportBatch, User)
        .join(User, on=(ImportBatch.uploaded_by == User.id), join_type=JOIN.LEFT_OUTER)
        .where(ImportBatch.public_id == public_id)
        .first()
    )
    if batch is None:
        abort(404)
    total = batch.rejected_rows.count()
    pages = max(1, -(-total // REJECTED_PER_PAGE))
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= pages:
        abort(404)
    page = int(page)
    rows = (
        RejectedRow.select()
        .where(RejectedRow.batch == batch)
        .order_by(RejectedRow.sheet, RejectedRow.row, RejectedRow.id)
        .paginate(page, REJECTED_PER_PAGE)
    )
    return render_template(
        "admin/import_report.html",
        page_numbers=page_numbers(page, pages),
        format_label=_format_label(batch.importer),
        batch=batch,
        rows=list(rows),
        total=total,
        page=page,
        pages=pages,
        first=(page - 1) * REJECTED_PER_PAGE + 1,
    )
