"""``/api/v1/imports``: upload a caseload file and read import reports (admins only)."""

from __future__ import annotations

from flask_smorest import abort
from peewee import JOIN

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import (
    ImportBatchSchema,
    ImportOptionsSchema,
    ImportReportSchema,
    ImportUploadSchema,
)
from audit_service.clock import local_today
from audit_service.domain.annex_a.values import printable
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.storage.models import ImportBatch, RejectedRow, User

bp = Blueprint(
    "api_imports", __name__, url_prefix="/api/v1/imports", description="Case imports"
)


def _with_uploader():
    return ImportBatch.select(ImportBatch, User).join(
        User, on=(ImportBatch.uploaded_by == User.id), join_type=JOIN.LEFT_OUTER
    )


def _report(batch: ImportBatch) -> ImportBatch:
    """Attach the rejected rows in report order (as ``rejected_list``, beside the backref)."""
    batch.rejected_list = list(
        RejectedRow.select()
        .where(RejectedRow.batch == batch)
        .order_by(RejectedRow.sheet, RejectedRow.row, RejectedRow.id)
    )
    return batch


@bp.route("", methods=["GET"])
@require_api_roles(Role.ADMIN)
@bp.response(200, ImportBatchSchema(many=True))
@bp.paginate()
def list_imports(pagination_parameters):
    """Past imports, newest first, with their counts."""
    query = _with_uploader().order_by(ImportBatch.started_at.desc(), ImportBatch.id.desc())
    pagination_parameters.item_count = query.count()
    return list(query.paginate(pagination_parameters.page, pagination_parameters.page_size))


@bp.route("", methods=["POST"])
@require_api_roles(Role.ADMIN)
@bp.arguments(ImportUploadSchema, location="files")
@bp.arguments(ImportOptionsSchema, location="query", as_kwargs=True)
@bp.response(201, ImportReportSchema)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY",
                 description="The file could not be read at all; nothing was imported")
def create_import(files, format=None, as_of=None):
    """Import a caseload file (multipart field ``file``); returns the report with rejected rows.

    Rows that cannot be read are reported in ``rejected_rows``; the others are
    imported. A file that cannot be read at all is refused with 422.
    """
    from audit_service.services.imports.case_import import ImportFailed, import_file

    upload = files["file"]
    # The client names the file: control characters (NUL) cannot be stored or shown.
    filename = printable(upload.filename or "")
    registry = registries().importers
    if format is not None and format not in registry.ids():
        abort(422, message=f"unknown format {format!r}; known formats: {', '.join(registry.ids())}",
              errors={"query": {"format": ["unknown format"]}})
    try:
        batch = import_file(
            upload.stream,
            filename or "upload",
            importer_id=format,
            uploaded_by=current_api_user(),
            as_of=as_of or local_today(),
            importers=registry,
        )
    except ImportFailed as exc:
        abort(422, message=f"{filename or 'the file'} could not be imported: {exc}")
    return _report(batch)


@bp.route("/<public_id>", methods=["GET"])
@require_api_roles(Role.ADMIN)
@bp.response(200, ImportReportSchema)
def get_import(public_id: str):
    """One import's report, including every rejected row."""
    batch = _with_uploader().where(ImportBatch.public_id == public_id).first()
    if batch is None:
        abort(404, message="no import with that id")
    return _report(batch)
