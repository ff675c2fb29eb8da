"""``/api/v1/imports``: upload a caseload file and read import reports (admins only)."""

from __future__ import annotations

from flask import current_app, url_for

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import (
    ImportBatchSchema,
    ImportOptionsSchema,
    ImportReportSchema,
    ImportUploadSchema,
    WorkforceOptionsSchema,
    WorkforceReportSchema,
    WorkforceUploadSchema,
)
from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.imports import reports

bp = Blueprint(
    "api_imports", __name__, url_prefix="/api/v1/imports", description="Case imports"
)


@bp.route("", methods=["GET"])
@require_api_roles(Role.ADMIN)
@bp.response(200, ImportBatchSchema(many=True))
@bp.paginate()
def list_imports(pagination_parameters):
    """Past imports, newest first, with their counts."""
    page = reports.imports_page(pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return list(page.items)


@bp.route("", methods=["POST"])
@require_api_roles(Role.ADMIN)
@bp.arguments(ImportUploadSchema, location="files")
@bp.arguments(ImportOptionsSchema, location="query", as_kwargs=True)
@bp.response(201, ImportReportSchema)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY",
                 description="The file could not be read at all; nothing was imported")
@bp.alt_response(409, response="CONFLICT",
                 description="It would close more open cases than may close unconfirmed; "
                 "nothing was changed (send `confirm=true` to go ahead)")
@bp.alt_response(202, schema=ImportReportSchema,
                 description="A file of AUDIT_IMPORT_BACKGROUND_KB or more was queued for the "
                 "scheduler: poll the import at `Location` until its status is no longer "
                 "queued or running")
def create_import(files, format=None, as_of=None, confirm=False):
    """Import a caseload file (multipart field ``file``); returns the report with rejected rows.

    Rows that cannot be read are reported in ``rejected_rows``; the others are
    imported. A file that cannot be read at all is refused with 422. A full import that
    would close more than ``AUDIT_IMPORT_CONFIRM_PERCENT`` of the open cases is refused
    with 409 (``would_close``, ``open_cases``) and changes nothing; send it again with
    ``confirm=true`` to go ahead. A large file is queued (202) and imported in the background:
    ``GET /api/v1/imports/<id>`` shows its ``status`` and ``progress`` until it is done.
    """
    from audit_service.services.imports.uploads import closure_limit, run_import

    upload = files["file"]
    batch = run_import(upload.stream, upload.filename, importer_id=format,
                       uploaded_by=current_api_user(), as_of=as_of or local_today(),
                       importers=registries().importers,
                       closure_limit=closure_limit(current_app.config["IMPORT_CONFIRM_PERCENT"],
                                                   confirmed=confirm),
                       background_bytes=current_app.config["IMPORT_BACKGROUND_BYTES"])
    report = reports.report(batch.public_id)
    if report.progress and report.progress.in_progress:
        location = url_for("api_imports.get_import", public_id=batch.public_id)
        return report, 202, {"Location": location}
    return report


@bp.route("/workforce", methods=["POST"])
@require_api_roles(Role.ADMIN)
@bp.arguments(WorkforceUploadSchema, location="files")
@bp.arguments(WorkforceOptionsSchema, location="query", as_kwargs=True)
@bp.response(200, WorkforceReportSchema)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY",
                 description="Not a workforce census; nothing was changed")
def import_workforce(files, dry_run=False):
    """Bring the workforce census onto staff records matched by Social Work England number.

    Agency status and dates in role are updated; workers no staff record has the number of
    are listed in ``unmatched_rows``, never created. Dates of birth, gender, ethnicity and
    absence are not read.
    """
    from audit_service.services.imports.workforce_import import import_workforce

    upload = files["file"]
    return import_workforce(upload.stream, upload.filename, actor=current_api_user(),
                            dry_run=dry_run)


@bp.route("/<public_id>", methods=["GET"])
@require_api_roles(Role.ADMIN)
@bp.response(200, ImportReportSchema)
def get_import(public_id: str):
    """One import's report, including every rejected row."""
    return reports.report(public_id)
