"""marshmallow schemas for the API. Unknown fields are refused, never ignored."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from audit_service.domain.vocabulary import Role


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True


class UserSchema(StrictSchema):
    username = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    email = ma.fields.String(allow_none=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf([r.value for r in Role]))


class ImportBatchSchema(StrictSchema):
    id = ma.fields.String(attribute="public_id", required=True,
                          metadata={"description": "Opaque id of the import"})
    source_name = ma.fields.String(required=True, metadata={"description": "Uploaded file name"})
    importer = ma.fields.String(required=True, metadata={"description": "Format it was read as"})
    full_import = ma.fields.Boolean(
        required=True,
        metadata={"description": "True when cases missing from the file were closed"},
    )
    status = ma.fields.String(required=True)
    started_at = ma.fields.DateTime(required=True, metadata={"description": "UTC"})
    finished_at = ma.fields.DateTime(allow_none=True, metadata={"description": "UTC"})
    uploaded_by = ma.fields.Function(
        lambda batch: batch.uploaded_by.username if batch.uploaded_by_id else None,
        allow_none=True,
        metadata={"type": "string"},
    )
    rows_read = ma.fields.Integer(required=True)
    created = ma.fields.Integer(attribute="created_count", required=True)
    updated = ma.fields.Integer(attribute="updated_count", required=True)
    unchanged = ma.fields.Integer(attribute="unchanged_count", required=True)
    closed = ma.fields.Integer(attribute="closed_count", required=True)
    rejected = ma.fields.Integer(attribute="rejected_count", required=True)
    error = ma.fields.String(allow_none=True)


class RejectedRowSchema(StrictSchema):
    sheet = ma.fields.String(required=True)
    row = ma.fields.Integer(required=True)
    column = ma.fields.String(required=True)
    value = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)


class ImportReportSchema(ImportBatchSchema):
    rejected_rows = ma.fields.List(
        ma.fields.Nested(RejectedRowSchema), attribute="rejected_list", required=True
    )


class ImportUploadSchema(StrictSchema):
    file = Upload(required=True, metadata={"description": "The Annex A workbook or CSV file"})


class ImportOptionsSchema(StrictSchema):
    format = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "Importer id; by default chosen from the file extension"},
    )
    as_of = ma.fields.Date(
        load_default=None,
        metadata={"description": "Date the file was produced (for age bands); default today"},
    )
