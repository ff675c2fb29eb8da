"""The ways the audit journey says no, in the service family's terms (``services.errors``).

Pages and the API answer these through the one refusal handler each; a page catches
``InvalidAnswers`` or a ``Conflict`` only to show its own form again.
"""

from __future__ import annotations

from audit_service.domain.audits import FieldError
from audit_service.services.errors import Conflict, Invalid
from audit_service.storage.models import Audit


class VersionConflict(Conflict):
    """The page was out of date: ``current_version`` is what is saved now."""

    def __init__(self, audit: Audit, your_version: int, current_version: int):
        super().__init__(
            f"This audit was saved elsewhere (version {current_version}) after you opened "
            f"version {your_version}."
        )
        self.audit = audit
        self.your_version = your_version
        self.current_version = current_version

    def details(self) -> dict[str, int]:
        return {"your_version": self.your_version, "current_version": self.current_version}


class ReadOnly(Conflict):
    """The audit is submitted (or acknowledged) and can no longer be changed this way."""


class InvalidAnswers(Invalid):
    """Answers (or a response, or an action) that cannot be saved; ``version`` is the audit's
    version now, which a form shown again must carry. ``message`` sums the refusal up for an
    API client; the errors say what to do, field by field."""

    def __init__(self, errors: list[FieldError], version: int, message: str | None = None):
        super().__init__(message or "; ".join(e.message for e in errors), errors)
        self.version = version


class NoRubrics(Invalid):
    """No rubric applies to the case, so there is nothing to audit it against."""
