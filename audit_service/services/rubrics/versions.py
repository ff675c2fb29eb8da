"""Rubric versions in the database: sync files to versions, read and retire them.

A published version is immutable. Changed content becomes the next version
number; unchanged content is a no-op, so syncing at every start-up is safe and
several processes syncing at once still create each version exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from peewee import IntegrityError, fn

from audit_service.domain.rubrics import CriterionType, Rubric, parse_rubric_document
from audit_service.plugins.installed import RubricSource
from audit_service.services.errors import NotFound
from audit_service.services.platform import audit_trail
from audit_service.services.rubrics.views import RubricSummary, VersionView
from audit_service.storage.database import database
from audit_service.storage.models import RubricDefinition, RubricVersion, User, utcnow


class UnknownRubric(NotFound):
    pass


@dataclass
class SyncReport:
    created: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{rid}: version {n} created" for rid, n in self.created] + [
            f"{rid}: unchanged (version {n})" for rid, n in self.unchanged
        ]


def latest_version(rubric_id: str) -> RubricVersion | None:
    return (
        RubricVersion.select(RubricVersion, RubricDefinition)
        .join(RubricDefinition)
        .where(RubricDefinition.rubric_id == rubric_id)
        .order_by(RubricVersion.number.desc())
        .first()
    )


def publish(
    rubric: Rubric, *, source: str, actor: User | None = None, actor_label: str | None = None
) -> tuple[RubricVersion, bool]:
    """Store ``rubric`` as its next version unless the latest has identical content.

    Returns the version and whether it was created. Concurrent publishers of the
    same content race on the unique (rubric, number) index; the loser re-reads.
    """
    content_hash = rubric.content_hash()
    for _attempt in range(3):
        latest = latest_version(rubric.id)
        if latest is not None and latest.content_hash == content_hash:
            return latest, False
        try:
            with database.atomic():
                definition, _ = _definition(rubric)
                version = RubricVersion.create(
                    rubric=definition,
                    number=(latest.number + 1) if latest else 1,
                    content_hash=content_hash,
                    document=rubric.to_document(),
                    title=rubric.title,
                    version_notes=rubric.version_notes or "",
                    source=source,
                    created_by=actor.username if actor else (actor_label or "system"),
                )
                audit_trail.record(
                    "rubric.version_published",
                    actor=actor,
                    actor_label=actor_label,
                    object_type="rubric_version",
                    object_id=f"{rubric.id}/{version.number}",
                    before={"version": latest.number, "content_hash": latest.content_hash}
                    if latest else None,
                    after={"version": version.number, "content_hash": content_hash,
                           "source": source},
                )
            return version, True
        except IntegrityError:
            continue  # another process published first; look again
    raise RuntimeError(f"could not publish rubric {rubric.id!r}: too many concurrent publishers")


def _definition(rubric: Rubric) -> tuple[RubricDefinition, bool]:
    definition = RubricDefinition.get_or_none(RubricDefinition.rubric_id == rubric.id)
    if definition is not None:
        return definition, False
    return RubricDefinition.create(
        rubric_id=rubric.id, title=rubric.title, domain=rubric.domain
    ), True


def sync(
    sources: Iterable[tuple[Rubric, str]], *, actor_label: str = "system"
) -> SyncReport:
    """Publish every changed rubric among ``(rubric, source)`` pairs."""
    report = SyncReport()
    for rubric, source in sources:
        version, created = publish(rubric, source=source, actor_label=actor_label)
        (report.created if created else report.unchanged).append((rubric.id, version.number))
    return report


def sync_installed(installed: Mapping[str, RubricSource], *,
                   actor_label: str = "system") -> SyncReport:
    """Publish the rubrics the plugins ship, each recorded as coming from its plugin."""
    return sync([(src.rubric, f"plugin:{src.plugin}") for src in installed.values()],
                actor_label=actor_label)


def latest_in_use() -> list[RubricVersion]:
    """The latest version of every rubric not retired, in the order rubrics were created."""
    latest = (RubricVersion.select(RubricVersion.rubric, fn.MAX(RubricVersion.number).alias("n"))
              .group_by(RubricVersion.rubric))
    return list(
        RubricVersion.select(RubricVersion, RubricDefinition)
        .join(RubricDefinition)
        .join(latest, on=((latest.c.rubric_id == RubricVersion.rubric)
                          & (latest.c.n == RubricVersion.number)))
        .where(RubricDefinition.retired_at.is_null())
        .order_by(RubricDefinition.id)
    )


def list_definitions() -> list[tuple[RubricDefinition, int]]:
    """Every rubric with its latest version number, retired ones included."""
    latest = fn.MAX(RubricVersion.number).alias("latest")
    query = (
        RubricDefinition.select(RubricDefinition, latest)
        .join(RubricVersion)
        .group_by(RubricDefinition)
        .order_by(RubricDefinition.rubric_id)
    )
    return [(row, row.latest) for row in query]


def list_rubrics() -> list[RubricSummary]:
    """Every rubric, retired ones included, as the editor and the API list them."""
    return [RubricSummary.of(definition, latest) for definition, latest in list_definitions()]


def get_version(rubric_id: str, number: int) -> RubricVersion:
    version = (
        RubricVersion.select(RubricVersion, RubricDefinition)
        .join(RubricDefinition)
        .where(RubricDefinition.rubric_id == rubric_id, RubricVersion.number == number)
        .first()
    )
    if version is None:
        raise UnknownRubric(f"rubric {rubric_id!r} has no version {number}")
    return version


def read_version(rubric_id: str, number: int) -> VersionView:
    """One published version as pages and the API show it; ``UnknownRubric`` if none."""
    return VersionView.of(get_version(rubric_id, number))


def versions_of(rubric_id: str) -> list[RubricVersion]:
    """Every version of the rubric, oldest first (none for a rubric that does not exist)."""
    return list(
        RubricVersion.select(RubricVersion, RubricDefinition)
        .join(RubricDefinition)
        .where(RubricDefinition.rubric_id == rubric_id)
        .order_by(RubricVersion.number)
    )


# Versions are immutable, so a parsed version never goes stale. Keyed by content hash
# (ids differ between databases) and the criterion types it was parsed against.
_parsed: dict[tuple[str, tuple[str, ...]], Rubric] = {}

# Every column but the document: what pages need of a pinned version when its parsed
# rubric is already cached. Decoding the three documents' JSON on every audit page was a
# third of the cost of reading an audit's state (docs/performance.md).
WITHOUT_DOCUMENT = tuple(f for f in RubricVersion._meta.sorted_fields
                         if f is not RubricVersion.document)


def rubric_of(version: RubricVersion, criterion_types: Mapping[str, CriterionType]) -> Rubric:
    """The domain rubric a stored version describes, parsed once per process.

    ``version`` may have been selected without its document (``WITHOUT_DOCUMENT``): the
    document is then read only the first time this process meets its content hash.
    """
    key = (version.content_hash, tuple(sorted(criterion_types)))
    rubric = _parsed.get(key)
    if rubric is None:
        if "document" not in version.__data__:
            version = (RubricVersion.select(RubricVersion, RubricDefinition)
                       .join(RubricDefinition).where(RubricVersion.id == version.id).get())
        rubric = parse_rubric_document(
            version.document,
            source=f"{version.rubric.rubric_id} version {version.number}",
            criterion_types=criterion_types,
            stored=True,
        )
        _parsed[key] = rubric
    return rubric


def retire(rubric_id: str, *, actor: User | None = None,
           actor_label: str | None = None) -> RubricSummary:
    """Stop offering a rubric for new audits. Its versions stay readable and scoreable.

    Retiring a retired rubric changes nothing. Returns the rubric as it now is.
    """
    with database.atomic():
        definition = RubricDefinition.get_or_none(RubricDefinition.rubric_id == rubric_id)
        if definition is None:
            raise UnknownRubric(f"no rubric {rubric_id!r}")
        if definition.retired_at is None:
            definition.retired_at = utcnow()
            (RubricDefinition.update(retired_at=definition.retired_at)
             .where(RubricDefinition.id == definition.id).execute())
            audit_trail.record("rubric.retired", actor=actor, actor_label=actor_label,
                               object_type="rubric", object_id=rubric_id,
                               before={"retired_at": None},
                               after={"retired_at": definition.retired_at.isoformat()})
    latest = (RubricVersion.select(fn.MAX(RubricVersion.number))
              .where(RubricVersion.rubric == definition.id).scalar())
    return RubricSummary.of(definition, latest or 0)
