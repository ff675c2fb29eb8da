"""The refusals services raise, one family for every capability.

A service decides whether something may be done and says why not in words
written for the person who asked; pages and the API only turn the refusal into
a response, each in one place (``web/errors.py``, ``api/errors.py``), with the
same status code:

=============  ======  =============================================================
``NotFound``    404    nothing at that address the user may know of
``NotAllowed``  403    it exists, and this user may not do this to it
``Blinded``     403    a moderator asking for the audit they are moderating blind
``Conflict``    409    the object has moved on (saved elsewhere, already submitted)
``Invalid``     422    the request was understood, but what it asks for cannot be done;
                       ``errors`` names each field and what to do about it
=============  ======  =============================================================

A view that re-shows its own form (a page with an error summary) catches
``Invalid`` or ``Conflict`` itself; everything else is left to the handler.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from audit_service.domain.audits import FieldError, first_message_per_field

__all__ = ["Blinded", "Conflict", "FieldError", "Invalid", "NotAllowed", "NotFound",
           "ServiceError"]


class ServiceError(Exception):
    """A refusal: ``message`` for the person, ``errors`` for the fields it concerns."""

    status: ClassVar[int] = 422

    def __init__(self, message: str,
                 errors: Iterable[FieldError] | Mapping[str, str] = ()) -> None:
        super().__init__(message)
        self.message = message
        if isinstance(errors, Mapping):
            errors = [FieldError(field, text) for field, text in errors.items()]
        self.errors: list[FieldError] = list(errors)

    @property
    def error_for(self) -> dict[str, str]:
        """The first message for each field, as a form shows it beside the control."""
        return first_message_per_field(self.errors)

    def by_field(self) -> dict[str, list[str]]:
        """Every message for each field, as the API lists them."""
        grouped: dict[str, list[str]] = {}
        for error in self.errors:
            grouped.setdefault(error.field, []).append(error.message)
        return grouped

    def details(self) -> dict[str, Any]:
        """Anything else an API client needs to act on the refusal (both versions of a
        conflict, say); empty unless a refusal has more to say."""
        return {}


class NotFound(ServiceError):
    status = 404


class NotAllowed(ServiceError):
    status = 403


class Blinded(NotAllowed):
    """Moderation is blind: the moderator sees nothing of the first audit until their own
    audit is submitted, and is told why rather than simply refused."""


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    status = 422
