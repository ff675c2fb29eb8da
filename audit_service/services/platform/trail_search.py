"""Read the audit trail: filter it for the admin page, the API and the CSV export.

Reading only: the trail is append-only and nothing in the service updates or
deletes an ``Event`` (a test greps the package for it, and on PostgreSQL a
trigger refuses both). Reading it is itself recorded (``audit_trail.searched``,
``audit_trail.exported``), since the trail says who looked at what.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from peewee import ModelSelect

from audit_service.services.platform import audit_trail
from audit_service.services.platform.audit_trail import Actor
from audit_service.services.platform.paging import Page, page_of
from audit_service.storage.database import database
from audit_service.storage.models import Event

CSV_COLUMNS = (
    "id",
    "occurred_at_utc",
    "actor",
    "action",
    "object_type",
    "object_id",
    "remote_addr",
    "before",
    "after",
)
# A spreadsheet would run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class TrailFilter:
    """What to look for. Empty fields match everything; dates are whole UTC days, inclusive.

    ``user`` is the actor's username or label ("system", "cli:name", "anonymous").
    ``action`` matches the action itself or, ending in a dot ("login."), every action
    it starts.
    """

    user: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters that were set, as text: what a search records about itself."""
        return {k: str(v) for k, v in asdict(self).items() if v not in (None, "")}


@dataclass(frozen=True)
class EventView:
    """One event as the page and the API show it."""

    id: int
    occurred_at: dt.datetime
    actor_label: str
    action: str
    object_type: str | None
    object_id: str | None
    remote_addr: str | None
    before: object
    after: object

    @classmethod
    def of(cls, event: Event) -> EventView:
        return cls(event.id, event.occurred_at, event.actor_label, event.action,
                   event.object_type, event.object_id, event.remote_addr, event.before,
                   event.after)

    @property
    def occurred_at_utc(self) -> str:
        return utc_text(self.occurred_at)


def search(filters: TrailFilter) -> ModelSelect:
    """Matching events, newest first."""
    query = Event.select()
    if filters.user:
        query = query.where(Event.actor_label == filters.user.strip().lower())
    if filters.action:
        action = filters.action.strip()
        if action.endswith("."):
            query = query.where(Event.action.startswith(action))
        else:
            query = query.where(Event.action == action)
    if filters.object_type:
        query = query.where(Event.object_type == filters.object_type.strip())
    if filters.object_id:
        query = query.where(Event.object_id == filters.object_id.strip())
    if filters.since:
        query = query.where(Event.occurred_at >= dt.datetime.combine(filters.since, dt.time()))
    if filters.until:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time())
        query = query.where(Event.occurred_at < end)
    return query.order_by(Event.occurred_at.desc(), Event.id.desc())


def search_page(filters: TrailFilter, number: int, size: int, *, actor: Actor,
                remote_addr: str | None, via: str | None = None,
                empty_past_the_end: bool = False) -> Page[EventView]:
    """Page ``number`` of the matching events, newest first; the search is recorded."""
    page = page_of(search(filters), number, size, EventView.of,
                   empty_past_the_end=empty_past_the_end)
    after: dict[str, object] = {"filters": filters.as_dict(), "page": number,
                                "matches": page.total}
    if via is not None:
        after["via"] = via
    audit_trail.record("audit_trail.searched", actor=actor, object_type="audit_trail",
                       after=after, remote_addr=remote_addr)
    return page


def export(filters: TrailFilter, *, actor: Actor, remote_addr: str | None) -> Iterator[str]:
    """Every matching event as CSV lines, read while they are sent; recorded at once."""
    query = search(filters)
    audit_trail.record("audit_trail.exported", actor=actor, object_type="audit_trail",
                       after={"filters": filters.as_dict(), "matches": query.count()},
                       remote_addr=remote_addr)
    return csv_lines(_read_while_sent(query))


def _read_while_sent(query: ModelSelect) -> Iterator[Event]:
    """The rows, on a connection of their own: the request's has closed by the time a
    streamed response is read."""
    database.connect(reuse_if_open=True)
    try:
        yield from query.iterator()
    finally:
        database.close()


def known_actions() -> list[str]:
    """Every action recorded so far, for the filter's drop-down."""
    rows = Event.select(Event.action).distinct().order_by(Event.action).tuples()
    return [action for (action,) in rows]


def utc_text(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, default=str)


def csv_lines(events: Iterable[Event]) -> Iterator[str]:
    """The export, a line at a time, so a long trail streams without being held in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for event in events:
        writer.writerow(
            [
                event.id,
                utc_text(event.occurred_at),
                _cell(event.actor_label),
                _cell(event.action),
                _cell(event.object_type),
                _cell(event.object_id),
                _cell(event.remote_addr),
                _cell(_json(event.before)),
                _cell(_json(event.after)),
            ]
        )
        yield flush()
