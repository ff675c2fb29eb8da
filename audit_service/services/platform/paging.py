"""Long lists read a page at a time, numbered from 1, the same way wherever a list has pages.

A page past the last is not found, so a stale link says so; an API client paging
on past the end gets an empty page instead, as flask-smorest's pagination expects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from audit_service.services.errors import NotFound

T = TypeVar("T")


def page_count(total: int, size: int) -> int:
    """How many pages ``total`` items fill; an empty list still has its one (empty) page."""
    return max(1, -(-total // size))


@dataclass(frozen=True)
class Page(Generic[T]):
    """Page ``number`` of a list of ``total`` items, ``size`` to a page."""

    items: tuple[T, ...]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)

    @property
    def first(self) -> int:
        """The position in the whole list of this page's first item, counting from 1."""
        return (self.number - 1) * self.size + 1


def page_of(query: Any, number: int, size: int, view: Callable[[Any], T], *,
            empty_past_the_end: bool = False) -> Page[T]:
    """Page ``number`` of ``query`` (a peewee query, counted once), each row made a view."""
    total = query.count()
    if number < 1 or (number > page_count(total, size) and not empty_past_the_end):
        raise NotFound(f"there is no page {number} of this list")
    return Page(tuple(view(row) for row in query.paginate(number, size)), total, number, size)
