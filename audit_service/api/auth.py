"""Bearer-token authentication and role checks for the JSON API.

API clients never use the browser session: every request carries
``Authorization: Bearer <token>``. A missing or unknown token is 401 (with
``WWW-Authenticate: Bearer``), a known token without the role is 403. Every
refusal is written to the audit trail, like the browser's.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from flask import g, request
from flask_smorest import Blueprint, abort

from audit_service.domain.accounts.case_reading import holds_case_reader
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.services.accounts.denials import record_denial
from audit_service.services.accounts.views import Account

F = TypeVar("F", bound=Callable[..., Any])
SECURITY_SCHEME = "bearerAuth"
ALL_ROLES: frozenset[Role] = frozenset(Role)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="audit-service"'}
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _deny(status: int, reason: str, required: frozenset[Role], user: Account | None) -> NoReturn:
    record_denial(user, reason, required, request)
    if status == 401:
        abort(401, message=reason, headers=CHALLENGE)
    abort(403, message=reason)


def current_api_user() -> Account:
    """The user whose token authenticated this request (inside a protected view)."""
    return g.api_user


def require_api_roles(*roles: Role, case_readers: bool = False) -> Callable[[F], F]:
    """Authenticate the bearer token, then allow only ``roles`` (or, with ``case_readers``,
    holders of the "case reader" grant); documents both in OpenAPI.

    Put it above ``@bp.arguments`` so that nobody learns about validation rules
    before authenticating.
    """
    if not roles:
        raise ValueError("require_api_roles needs at least one role; use ALL_ROLES for any user")
    required = frozenset(Role(r) for r in roles)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _bearer_token()
            if token is None:
                _deny(401, "send an API token in the header Authorization: Bearer <token>",
                      required, None)
            issued = accounts.token_for(token)
            if issued is None:
                _deny(401, "the API token is not valid: it is unknown, revoked or expired, or "
                      "its user is disabled", required, None)
            user = issued.user
            if Role(user.role) not in required and not (
                    case_readers and holds_case_reader(user.role, user.case_reader)):
                _deny(403, f"the role {user.role!r} may not use this endpoint", required, user)
            if issued.read_only and request.method not in READS:
                _deny(403, "this API token is read-only: it may only read (GET)", required,
                      user)
            g.api_user = user
            return view(*args, **kwargs)

        wrapper.required_roles = required  # type: ignore[attr-defined]
        roles_text = ", ".join(sorted(r.value for r in required))
        if case_readers:
            roles_text += "; and administrators or senior leaders given the case reader grant"
        _, _, details = (view.__doc__ or "").partition("\n")
        parts = (inspect.cleandoc(details), f"Roles: {roles_text}.")
        description = "\n\n".join(p for p in parts if p)
        documented = Blueprint.doc(
            security=[{SECURITY_SCHEME: []}],
            responses={401: "UNAUTHORIZED", 403: "FORBIDDEN"},
            description=description,
        )(wrapper)
        documented.required_roles = required  # type: ignore[attr-defined]
        documented.case_readers = case_readers  # type: ignore[attr-defined]
        return documented  # type: ignore[return-value]

    return decorate
