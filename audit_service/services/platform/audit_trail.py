"""Write to the append-only audit trail. There is deliberately no update or delete here."""

from __future__ import annotations

from typing import Any, Protocol

from audit_service.storage.models import Event


class Actor(Protocol):
    """Whoever acted: a login row, or an account view of one (the trail keeps its id and
    the username it had then)."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...


def record(
    action: str,
    *,
    actor: Actor | None = None,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: Any = None,
    after: Any = None,
    remote_addr: str | None = None,
) -> Event:
    """Append one event: who did what to which object, with before and after states.

    ``actor_label`` names a non-user actor ("system", "cli:root") when ``actor`` is None.
    """
    return Event.create(
        actor=actor.id if actor is not None else None,
        actor_label=actor.username if actor is not None else (actor_label or "system"),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=before,
        after=after,
        remote_addr=remote_addr,
    )
