"""Server-side role checks for browser endpoints.

Every browser view is decorated with ``require_roles(...)`` or ``public``. Both
leave a mark on the view function (``required_roles`` / ``is_public``) that the
permission-matrix test reads, so a view without a declared rule is caught.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from flask_login import current_user

from audit_service.domain.accounts.case_reading import holds_case_reader
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts.denials import record_denial

F = TypeVar("F", bound=Callable[..., Any])
ALL_ROLES: frozenset[Role] = frozenset(Role)


def _deny(reason: str, required: frozenset[Role]) -> None:
    user = current_user.record if current_user.is_authenticated else None
    record_denial(user, reason, required, request)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths may be returned to after sign-in (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def login_redirect():
    nxt = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=nxt))


def require_roles(*roles: Role, case_readers: bool = False) -> Callable[[F], F]:
    """Allow only signed-in users holding one of ``roles`` (or, with ``case_readers``, the
    "case reader" grant: see ``domain.accounts.case_reading``).

    Anonymous users are sent to sign in (and back afterwards); a signed-in
    user without the role gets the 403 page. Both are recorded.
    """
    if not roles:
        raise ValueError("require_roles needs at least one role; use ALL_ROLES for any user")
    required = frozenset(Role(r) for r in roles)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                _deny("not signed in", required)
                return login_redirect()
            if current_user.role not in required and not (
                    case_readers and holds_case_reader(current_user.role,
                                                       current_user.record.case_reader)):
                _deny("role not allowed", required)
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_roles = required  # type: ignore[attr-defined]
        wrapper.case_readers = case_readers  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Mark a view as open to everyone (sign-in page, error pages)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view
