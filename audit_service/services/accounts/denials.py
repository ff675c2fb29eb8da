"""``access.denied``: every refused request in the audit trail, written the same way for
pages and the API, so the trail (and whoever searches it) need not know which door it was."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts.views import Account
from audit_service.services.platform import audit_trail


class Asked(Protocol):
    """What was asked for and from where; a Flask request is one, and so is a test's stand-in."""

    endpoint: str | None
    method: str
    path: str
    remote_addr: str | None


def record_denial(actor: Account | None, reason: str, required: Iterable[Role],
                  asked: Asked) -> None:
    """Append ``access.denied``: who (or "anonymous") tried what, why not, and from where."""
    audit_trail.record(
        "access.denied", actor=actor, actor_label=None if actor else "anonymous",
        object_type="endpoint", object_id=asked.endpoint,
        after={"method": asked.method, "path": asked.path, "reason": reason,
               "required_roles": sorted(Role(r).value for r in required)},
        remote_addr=asked.remote_addr,
    )
