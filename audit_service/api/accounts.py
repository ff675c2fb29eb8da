"""``/api/v1/users`` and ``/api/v1/tokens``: accounts for administrators, tokens for everyone.

The same rules as the pages (``services.accounts.management``): a new or reset password is in
the one response that creates it; nobody disables themselves or the last administrator. Each
person lists and revokes their own tokens; administrators everyone's.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request

from audit_service.api.auth import ALL_ROLES, current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import StrictSchema, UtcDateTime
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import management
from audit_service.services.accounts import users as accounts
from audit_service.services.errors import Invalid

bp = Blueprint("api_accounts", __name__, url_prefix="/api/v1",
               description="Accounts (administrators) and API tokens (everyone's own)")

ROLES = ma.validate.OneOf([r.value for r in Role])


class StaffSchema(StrictSchema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(allow_none=True)
    swe_number = ma.fields.String(allow_none=True, metadata={
        "description": "Social Work England registration number"})


class AccountSchema(StrictSchema):
    id = ma.fields.Integer(required=True)
    username = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    email = ma.fields.String(allow_none=True)
    role = ma.fields.String(required=True)
    is_active = ma.fields.Boolean(required=True)
    signs_in_with = ma.fields.String(required=True, metadata={
        "description": "Single sign-on, Password or Not set up"})
    must_change_password = ma.fields.Boolean(required=True)
    has_second_factor = ma.fields.Boolean(required=True)
    last_login_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)
    staff = ma.fields.Nested(StaffSchema, allow_none=True)
    case_reader = ma.fields.Boolean(required=True, metadata={
        "description": "An administrator or senior leader given read access to audits and "
                       "case lists"})


class AccountWithPasswordSchema(StrictSchema):
    account = ma.fields.Nested(AccountSchema, required=True)
    password = ma.fields.String(required=True, metadata={
        "description": "Shown in this response only: hand it over; it must be changed at the "
                       "next sign-in"})


class AccountCreateSchema(StrictSchema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=150))
    display_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=150))
    email = ma.fields.Email(load_default=None, allow_none=True)
    role = ma.fields.String(required=True, validate=ROLES)
    staff = ma.fields.String(load_default=None, allow_none=True, metadata={
        "description": "A staff record's id, Social Work England number or email address"})


class AccountChangeSchema(StrictSchema):
    role = ma.fields.String(validate=ROLES)
    staff = ma.fields.String(allow_none=True, metadata={
        "description": "A staff record's id, Social Work England number or email address; "
                       "null unlinks"})
    staff_swe_number = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40),
                                        metadata={
        "description": "The linked staff record's Social Work England number; null or \"\" "
                       "removes it"})
    is_active = ma.fields.Boolean()
    case_reader = ma.fields.Boolean(metadata={
        "description": "Give (true) or withdraw (false) read access to audits and case lists; "
                       "administrators and senior leaders only"})


class TokenSchema(StrictSchema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    prefix = ma.fields.String(required=True, metadata={
        "description": "The secret's first characters, to recognise it"})
    username = ma.fields.String(required=True)
    read_only = ma.fields.Boolean(required=True)
    state = ma.fields.String(required=True, metadata={"description": "live, expired or revoked"})
    created_at = UtcDateTime(required=True)
    expires_at = UtcDateTime(allow_none=True)
    last_used_at = UtcDateTime(allow_none=True)
    revoked_at = UtcDateTime(allow_none=True)


class TokenQuerySchema(StrictSchema):
    everyone = ma.fields.Boolean(load_default=False, metadata={
        "description": "Administrators: every account's tokens, not only your own"})


@bp.route("/users", methods=["GET"])
@require_api_roles(Role.ADMIN)
@bp.response(200, AccountSchema(many=True))
def list_accounts():
    """Every account, by role and then username."""
    return management.accounts()


@bp.route("/users", methods=["POST"])
@require_api_roles(Role.ADMIN)
@bp.arguments(AccountCreateSchema)
@bp.response(201, AccountWithPasswordSchema)
def create_account(body):
    """A password account, with its first password (in this response only)."""
    account, password = management.create(
        current_api_user(), username=body["username"], display_name=body["display_name"],
        role=body["role"], email=body["email"], staff=body["staff"],
        remote_addr=request.remote_addr)
    return {"account": account, "password": password}


@bp.route("/users/<int:user_id>", methods=["GET"])
@require_api_roles(Role.ADMIN)
@bp.response(200, AccountSchema)
def get_account(user_id: int):
    """One account."""
    return management.account(user_id)


@bp.route("/users/<int:user_id>", methods=["PATCH"])
@require_api_roles(Role.ADMIN)
@bp.arguments(AccountChangeSchema)
@bp.response(200, AccountSchema)
def change_account(body, user_id: int):
    """Change the role, the staff link (null unlinks), the case reader grant or whether the
    account is active."""
    actor = current_api_user()
    if {"role", "staff", "staff_swe_number"} & body.keys():
        number = body.get("staff_swe_number")
        management.change(actor, user_id, role=body.get("role"), staff=body.get("staff"),
                          unlink_staff="staff" in body and body["staff"] is None,
                          staff_swe_number=(number or "") if "staff_swe_number" in body
                          else None, remote_addr=request.remote_addr)
    if "case_reader" in body:
        management.set_case_reader(actor, user_id, body["case_reader"],
                                   remote_addr=request.remote_addr)
    if "is_active" in body:
        management.set_active(actor, user_id, body["is_active"],
                              remote_addr=request.remote_addr)
    return management.account(user_id)


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@require_api_roles(Role.ADMIN)
@bp.response(200, AccountWithPasswordSchema)
def reset_password(user_id: int):
    """A new password (in this response only); the person's sessions end and they must
    choose their own at the next sign-in."""
    account, password = management.reset_password(current_api_user(), user_id,
                                                  remote_addr=request.remote_addr)
    return {"account": account, "password": password}


@bp.route("/tokens", methods=["GET"])
@require_api_roles(*ALL_ROLES)
@bp.arguments(TokenQuerySchema, location="query")
@bp.response(200, TokenSchema(many=True))
def list_tokens(query):
    """Your tokens, newest first (never their secrets)."""
    user = current_api_user()
    if query["everyone"] and Role(user.role) is not Role.ADMIN:
        raise Invalid("Only administrators list everyone's tokens",
                      {"everyone": "Leave this out to list your own tokens"})
    return accounts.tokens(None if query["everyone"] else user)


@bp.route("/tokens/<int:token_id>", methods=["DELETE"])
@require_api_roles(*ALL_ROLES)
@bp.response(200, TokenSchema)
def revoke_token(token_id: int):
    """Revoke a token at once (yours; an administrator, anyone's)."""
    return accounts.revoke_token(current_api_user(), token_id, remote_addr=request.remote_addr)
