"""``/api/v1/staff``: staff records for administrators, and their Social Work England numbers
(the same rules as ``/admin/staff``, from ``services.accounts.staff_records``)."""

from __future__ import annotations

import marshmallow as ma
from flask import request

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import PagingSchema, StrictSchema
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import staff_records

bp = Blueprint("api_staff", __name__, url_prefix="/api/v1/staff",
               description="Staff records (administrators)")


class StaffQuerySchema(PagingSchema):
    q = ma.fields.String(load_default="", validate=ma.validate.Length(max=150), metadata={
        "description": "Part of a name, or a Social Work England number"})


class StaffRecordSchema(StrictSchema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    team = ma.fields.String(allow_none=True)
    staff_role = ma.fields.String(required=True)
    employment_type = ma.fields.String(required=True)
    swe_number = ma.fields.String(allow_none=True, metadata={
        "description": "Social Work England registration number"})
    email = ma.fields.String(allow_none=True)
    username = ma.fields.String(allow_none=True, metadata={
        "description": "The account linked to the record, if any"})
    started_on = ma.fields.Date(allow_none=True)
    left_on = ma.fields.Date(allow_none=True)


class StaffChangeSchema(StrictSchema):
    swe_number = ma.fields.String(required=True, allow_none=True,
                                  validate=ma.validate.Length(max=40), metadata={
        "description": 'Like SW123456; null or "" removes it'})


@bp.route("", methods=["GET"])
@require_api_roles(Role.ADMIN)
@bp.arguments(StaffQuerySchema, location="query", as_kwargs=True)
@bp.response(200, StaffRecordSchema(many=True))
@bp.paginate()
def list_staff(pagination_parameters, q=""):
    """Staff records by name, with or without an account."""
    page = staff_records.staff_page(q, pagination_parameters.page,
                                    pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return list(page.items)


@bp.route("/<int:staff_id>", methods=["PATCH"])
@require_api_roles(Role.ADMIN)
@bp.arguments(StaffChangeSchema)
@bp.response(200, StaffRecordSchema)
def change_staff(body, staff_id: int):
    """Set or remove the record's Social Work England number (unique to one record)."""
    return staff_records.set_swe_number(current_api_user(), staff_id, body["swe_number"],
                                        remote_addr=request.remote_addr)
