"""What pages and the API are shown of rubrics: frozen snapshots, built here from the rows.

Both layers read the same attributes (pages in templates, the API through its
schemas), so a rubric, a version, a draft or an assignment is described once;
neither layer ever holds a database row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from audit_service.domain.rubrics import RubricError
from audit_service.domain.rubrics.diff import Change, summary
from audit_service.storage.models import (
    RubricAssignment,
    RubricDefinition,
    RubricDraft,
    RubricVersion,
)


@dataclass(frozen=True)
class RubricSummary:
    """A rubric as lists show it: what it grades, its latest version, whether it is retired."""

    rubric_id: str
    title: str
    domain: str
    latest_version: int
    retired_at: dt.datetime | None = None

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    @property
    def versions(self) -> list[int]:
        """Every version number: versions are numbered from 1 and never deleted."""
        return list(range(1, self.latest_version + 1))

    @classmethod
    def of(cls, definition: RubricDefinition, latest_version: int) -> RubricSummary:
        return cls(rubric_id=definition.rubric_id, title=definition.title,
                   domain=definition.domain, latest_version=latest_version,
                   retired_at=definition.retired_at)


@dataclass(frozen=True)
class VersionView:
    """One published, immutable version, with the document audits are scored against."""

    rubric_id: str
    number: int
    title: str
    version_notes: str
    content_hash: str
    source: str
    created_at: dt.datetime
    created_by: str
    document: Mapping[str, Any]

    @property
    def filename(self) -> str:
        """The name the version is downloaded as: which rubric and version it is."""
        return f"{self.rubric_id}-v{self.number}.yaml"

    @property
    def yaml(self) -> str:
        """The version as a rubric file: ``audit-service rubrics validate`` accepts it, and
        loading it again gives the same content hash (so the same version)."""
        header = (f"# {self.rubric_id} version {self.number}, exported from audit-service. "
                  "Edit and load it with `audit-service rubrics load`.\n")
        return header + yaml.safe_dump(dict(self.document), sort_keys=False,
                                       allow_unicode=True, width=100)

    @classmethod
    def of(cls, version: RubricVersion) -> VersionView:
        """``version`` with its definition joined (its rubric id is read from there)."""
        return cls(rubric_id=version.rubric.rubric_id, number=version.number,
                   title=version.title, version_notes=version.version_notes,
                   content_hash=version.content_hash, source=version.source,
                   created_at=version.created_at, created_by=version.created_by,
                   document=version.document)


@dataclass(frozen=True)
class DraftView:
    """A draft as last saved: ``version`` is its optimistic lock, to be sent back with a
    change; ``base_version`` the number of the version it started from, if any."""

    public_id: str
    rubric_id: str
    version: int
    document: dict[str, Any]
    base_version: int | None
    updated_at: dt.datetime

    def items(self, name: str) -> list[Any]:
        """The list the document holds under ``name``; empty while it holds anything else
        (a draft keeps what was typed, valid or not)."""
        value = self.document.get(name)
        return list(value) if isinstance(value, list) else []

    @classmethod
    def of(cls, draft: RubricDraft) -> DraftView:
        """``draft`` with its base version's id and number joined (see ``drafts._query``)."""
        base = draft.base_version if draft.base_version_id is not None else None
        return cls(public_id=draft.public_id, rubric_id=draft.rubric_id, version=draft.version,
                   document=dict(draft.document or {}),
                   base_version=base.number if base is not None else None,
                   updated_at=draft.updated_at)


@dataclass(frozen=True)
class RubricHistory:
    """One rubric's page: the rubric, its versions newest first, and its drafts."""

    rubric: RubricSummary
    versions: tuple[VersionView, ...]
    drafts: tuple[DraftView, ...]


@dataclass(frozen=True)
class RubricDiff:
    """What changed from version ``old`` to ``new`` of a rubric, field by field (nothing,
    when the two are the same version)."""

    rubric: RubricSummary
    old: int
    new: int
    changes: tuple[Change, ...] = ()

    @property
    def headline(self) -> str:
        return summary(self.changes)


@dataclass(frozen=True)
class RubricCheck:
    """The rubric validator's verdict on a document: the id it would publish under (when
    valid) and every problem, located."""

    rubric_id: str | None
    errors: tuple[RubricError, ...]

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Published:
    """The version a draft became; ``created`` is False when it was identical to the
    latest, so nothing was published and the draft is kept."""

    rubric_id: str
    version: int
    title: str
    content_hash: str
    created: bool


@dataclass(frozen=True)
class AssignmentView:
    """A rubric in use for some case types, in one service (``service``) or all (None)."""

    id: int
    rubric_id: str
    rubric_title: str
    service: str | None
    case_types: tuple[str, ...]

    @classmethod
    def of(cls, row: RubricAssignment) -> AssignmentView:
        """``row`` with its rubric and service joined."""
        return cls(id=row.id, rubric_id=row.rubric.rubric_id, rubric_title=row.rubric.title,
                   service=row.service.name if row.service_id is not None else None,
                   case_types=tuple(row.case_types or ()))


@dataclass(frozen=True)
class AssignmentChoices:
    """What the assignment form offers: rubrics in use, and the council's services as
    ``(id, name)`` pairs, by name."""

    rubrics: tuple[RubricSummary, ...]
    services: tuple[tuple[int, str], ...]
