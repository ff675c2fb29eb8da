"""marshmallow schemas for the API. Unknown fields are refused, never ignored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload

from audit_service.domain.months import MONTH_PATTERN
from audit_service.domain.vocabulary import Role

# PostgreSQL's ``integer``; a larger number would overflow in the database driver (a 500)
# instead of being refused as invalid input (a 422).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


#: A month in a query or body: the same rule as ``Month.parse``, documented as a pattern.
MONTH = ma.validate.Regexp(MONTH_PATTERN, error="use YYYY-MM between 1900 and 2100, e.g. 2026-03")


def no_nul(value: str) -> None:
    if "\x00" in value:
        raise ma.ValidationError("must not contain NUL characters (\\u0000)")


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        """Keep input the database cannot store out: whole numbers past its integer range,
        and text with NUL characters (PostgreSQL refuses them), in lists and dicts too."""
        inner = [getattr(field_obj, name, None) for name in ("inner", "key_field", "value_field")]
        for field in (field_obj, *inner):
            if isinstance(field, ma.fields.Integer) and not any(
                isinstance(v, ma.validate.Range) and v.max is not None for v in field.validators
            ):
                field.validators.append(ma.validate.Range(min=INT_MIN, max=INT_MAX))
            if isinstance(field, ma.fields.String):
                field.validators.append(no_nul)


class PagingSchema(StrictSchema):
    """A query string read beside ``@bp.paginate()``: ``page`` and ``page_size`` are its, so
    this schema leaves them out rather than refusing them as unknown."""

    @ma.pre_load
    def _leave_paging_to_paginate(self, data, **_kwargs):
        return {k: v for k, v in data.items() if k not in ("page", "page_size")}


class UtcDateTime(ma.fields.DateTime):
    """A timestamp with its offset: stored naive in UTC, but OpenAPI's ``date-time``
    (RFC 3339) requires the offset, and a client must not guess the zone."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


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
    started_at = UtcDateTime(required=True, metadata={"description": "UTC"})
    finished_at = UtcDateTime(allow_none=True, metadata={"description": "UTC"})
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
    rejected = ma.fields.Integer(attribute="rejected_count", required=True, metadata={
        "description": "Problems listed in rejected_rows: refusals and warnings"})
    rows_refused = ma.fields.Integer(required=True, metadata={
        "description": "Rows not imported; rows_read = rows imported + rows_refused"})
    warnings = ma.fields.Integer(attribute="warning_count", required=True, metadata={
        "description": "Values dropped from rows imported without them"})
    error = ma.fields.String(allow_none=True)
    lists_read = ma.fields.List(
        ma.fields.String(), attribute="list_names", allow_none=True,
        metadata={"description": "The lists read in full: a full import closed missing cases "
                  "of their case types only (null when the format does not say)"},
    )
    progress = ma.fields.Function(
        lambda batch: (ImportProgressSchema().dump(batch.progress)
                       if batch.progress and batch.progress.in_progress else None),
        allow_none=True,
        metadata={"type": "object", "description": "While a large upload is queued or running "
                  "in the background: how far it has got (poll this endpoint); else null"},
    )


class ImportProgressSchema(StrictSchema):
    rows_read = ma.fields.Integer(required=True, metadata={
        "description": "Rows read so far (written every 1,000 rows)"})
    rows_estimated = ma.fields.Integer(allow_none=True, metadata={
        "description": "About how many rows the file holds; null when that cannot be told"})
    words = ma.fields.String(required=True)


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
    file = Upload(required=True, metadata={
        "description": "The Annex A workbook or CSV, a CIN census (XML) or an SSDA903 table "
                       "(CSV)"})


class WorkforceUploadSchema(StrictSchema):
    file = Upload(required=True, metadata={
        "description": "The children's social work workforce census (CSWW XML)"})


class WorkforceOptionsSchema(StrictSchema):
    dry_run = ma.fields.Boolean(load_default=False, metadata={
        "description": "Report what would change without changing anything"})


class WorkerProblemSchema(RejectedRowSchema):
    imported = ma.fields.Boolean(required=True, metadata={
        "description": "true: the worker was read without this value; false: refused"})


class WorkforceReportSchema(StrictSchema):
    source_name = ma.fields.String(required=True)
    dry_run = ma.fields.Boolean(required=True)
    workers_read = ma.fields.Integer(required=True, metadata={
        "description": "matched + unmatched + refused"})
    matched = ma.fields.Integer(required=True, metadata={"description": "updated + unchanged"})
    updated = ma.fields.Integer(required=True)
    unchanged = ma.fields.Integer(required=True)
    unmatched = ma.fields.Integer(required=True, metadata={
        "description": "Workers no staff record has the Social Work England number of"})
    refused = ma.fields.Integer(required=True)
    warnings = ma.fields.Integer(required=True)
    unmatched_rows = ma.fields.List(ma.fields.Integer(), required=True, metadata={
        "description": "Their places in the file (1 for the first worker)"})
    problems = ma.fields.List(ma.fields.Nested(WorkerProblemSchema), required=True, metadata={
        "description": "The first 200 refusals and warnings"})


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
    confirm = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Go ahead even though the import closes more open cases "
                  "than AUDIT_IMPORT_CONFIRM_PERCENT allows unconfirmed"},
    )
