"""Rubric drafts: the editable side of rubrics, and the one way a draft becomes a version.

Published versions never change (audits are scored against them). A quality
lead edits a draft instead: created blank, from a published version or from
an uploaded file, saved under an optimistic lock (``UPDATE ... WHERE version
= ?``) so two editors never overwrite each other, validated with exactly the
validator rubric files use, and published through ``rubric_versions.publish``.
Drafts leave here as ``DraftView`` snapshots and come back by their public id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from peewee import JOIN

from audit_service.domain.rubrics import CriterionType, Rubric, RubricError, check_document
from audit_service.domain.rubrics.editing import blank_document
from audit_service.domain.rubrics.schema import ID_PATTERN
from audit_service.services.errors import Conflict, FieldError, Invalid, NotFound
from audit_service.services.platform import audit_trail
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.rubrics.views import DraftView, Published, RubricCheck
from audit_service.storage.database import database
from audit_service.storage.models import (
    RubricDefinition,
    RubricDraft,
    RubricVersion,
    User,
    utcnow,
)

NO_DRAFT = "There is no rubric draft at this address: it may have been published or deleted."


class DraftError(Invalid):
    """A draft that cannot be created or imported; ``errors`` name each field."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None):
        super().__init__(message, errors or {})


class DraftNotFound(NotFound):
    def __init__(self, message: str = NO_DRAFT):
        super().__init__(message)


class DraftConflict(Conflict):
    """Someone saved the draft after this page was opened; ``current`` is the saved draft.

    The message is the part every page and client shares; what to do next depends on
    where the change was made, so pages add it.
    """

    def __init__(self, current: DraftView, your_version: int):
        super().__init__("Someone else saved this draft after you opened it.")
        self.current = current
        self.your_version = your_version

    def details(self) -> dict[str, int]:
        return {"your_version": self.your_version, "current_version": self.current.version}


class InvalidDraft(Invalid):
    """The draft does not pass the rubric validator; ``rubric_errors`` lists every problem,
    each also an error on the ``document`` field (as the API reports it)."""

    def __init__(self, rubric_errors: list[RubricError]):
        super().__init__(f"The draft has {len(rubric_errors)} problem"
                         f"{'s' if len(rubric_errors) != 1 else ''}",
                         [FieldError("document", str(e)) for e in rubric_errors])
        self.rubric_errors = rubric_errors


def _query():
    """Drafts with the number of the version each started from.

    The base version's number is joined in (not its document), so listing reads
    one row per draft however many drafts there are.
    """
    return (RubricDraft.select(RubricDraft, RubricVersion.id, RubricVersion.number)
            .join(RubricVersion, JOIN.LEFT_OUTER,
                  on=(RubricDraft.base_version == RubricVersion.id)))


def list_drafts(rubric_id: str | None = None) -> list[DraftView]:
    """Drafts (of one rubric, if given), the most recently saved first for each rubric."""
    query = _query().order_by(RubricDraft.rubric_id, RubricDraft.updated_at.desc())
    if rubric_id is not None:
        query = query.where(RubricDraft.rubric_id == rubric_id)
    return [DraftView.of(draft) for draft in query]


def get_draft(public_id: str) -> DraftView:
    draft = _query().where(RubricDraft.public_id == public_id).first()
    if draft is None:
        raise DraftNotFound()
    return DraftView.of(draft)


def item(draft: DraftView, name: str, index: int) -> Any:
    """Entry ``index`` of one of the draft's lists (``criteria``, ``limiting_rules``): an
    address for an entry the draft does not have leads nowhere."""
    items = draft.items(name)
    if index >= len(items):
        raise DraftNotFound(f"This draft has no entry {index + 1} in its {name}: it may have "
                            "been removed.")
    return items[index]


# --- starting a draft ---------------------------------------------------------------------


def _create(document: dict[str, Any], *, author: User, base: RubricVersion | None,
            how: str) -> DraftView:
    with database.atomic():
        draft = RubricDraft.create(rubric_id=str(document.get("id") or ""), document=document,
                                   base_version=base, author=author)
        audit_trail.record("rubric.draft_created", actor=author, object_type="rubric_draft",
                           object_id=draft.public_id,
                           after={"rubric": draft.rubric_id, "from": how})
    return DraftView(public_id=draft.public_id, rubric_id=draft.rubric_id,
                     version=draft.version, document=dict(document),
                     base_version=base.number if base is not None else None,
                     updated_at=draft.updated_at)


def new_draft(rubric_id: str, title: str, domain: str, *, author: User) -> DraftView:
    """A blank draft of a new rubric (default scale and bands, no criteria yet)."""
    rubric_id, title, domain = rubric_id.strip(), title.strip(), domain.strip()
    errors = {}
    if not re.match(ID_PATTERN, rubric_id):
        errors["id"] = ("Enter an id of lower-case letters, digits and underscores, starting "
                        "with a letter, like voice_of_the_child")
    elif RubricDefinition.select().where(RubricDefinition.rubric_id == rubric_id).exists():
        errors["id"] = (f"A rubric with the id {rubric_id} already exists: create a draft from "
                        "its latest version instead")
    if not title:
        errors["title"] = "Enter the rubric's title"
    if not domain:
        errors["domain"] = "Enter the domain the rubric grades, like Voice of the child"
    if errors:
        raise DraftError("The draft was not created", errors)
    return _create(blank_document(rubric_id, title, domain), author=author, base=None,
                   how="blank")


def draft_from_version(rubric_id: str, number: int, *, author: User) -> DraftView:
    """A draft of a published version, its notes emptied for the next version's.
    ``UnknownRubric`` when there is no such version."""
    version = rubric_versions.get_version(rubric_id, number)
    document = dict(version.document)
    document["version_notes"] = ""
    return _create(document, author=author, base=version, how=f"version {version.number}")


def draft_from_document(document: dict[str, Any], *, author: User,
                        how: str = "api") -> DraftView:
    """A draft of a whole rubric document (an API upload), kept even if it does not validate."""
    rubric_id = str(document.get("id") or "")
    base = rubric_versions.latest_version(rubric_id) if rubric_id else None
    return _create(dict(document), author=author, base=base, how=how)


def start_draft(*, author: User, rubric_id: str | None = None, title: str = "",
                domain: str = "", from_rubric: str | None = None, from_version: int = 0,
                document: dict[str, Any] | None = None) -> DraftView:
    """A draft started the one way a request asks: a new rubric (``rubric_id``), a copy of a
    published version (``from_rubric``, ``from_version``) or a whole ``document``.

    A version the request names that does not exist is a mistake in the request
    (``from_version``), not an address that leads nowhere.
    """
    if rubric_id:
        return new_draft(rubric_id, title, domain, author=author)
    if from_rubric:
        try:
            return draft_from_version(from_rubric, from_version, author=author)
        except rubric_versions.UnknownRubric as exc:
            raise DraftError(exc.message, {"from_version": exc.message}) from None
    return draft_from_document(dict(document or {}), author=author)


# --- changing a draft ---------------------------------------------------------------------


def save(public_id: str, document: Mapping[str, Any], version: int, *,
         actor: User) -> DraftView:
    """Replace the draft's document if nobody saved since ``version``; returns the draft
    as saved. ``DraftConflict`` (with the draft as it is) if someone did."""
    new_document = dict(document)
    with database.atomic():
        changed = (
            RubricDraft.update(document=new_document, version=version + 1, updated_at=utcnow(),
                               rubric_id=str(new_document.get("id") or ""), author=actor)
            .where((RubricDraft.public_id == public_id) & (RubricDraft.version == version))
            .execute()
        )
        if changed != 1:
            raise DraftConflict(get_draft(public_id), version)
        audit_trail.record("rubric.draft_saved", actor=actor, object_type="rubric_draft",
                           object_id=public_id,
                           before={"version": version}, after={"version": version + 1})
    return get_draft(public_id)


def check(draft: DraftView | Mapping[str, Any],
          criterion_types: Mapping[str, CriterionType]) -> tuple[Rubric | None, list[RubricError]]:
    """The same two-layer validation as rubric files."""
    if isinstance(draft, DraftView):
        return check_document(draft.document, f"draft {draft.rubric_id}", criterion_types)
    return check_document(draft, "<draft>", criterion_types)


def validate(public_id: str, criterion_types: Mapping[str, CriterionType]) -> RubricCheck:
    """The validator's verdict on a saved draft."""
    rubric, errors = check(get_draft(public_id), criterion_types)
    return RubricCheck(rubric.id if rubric else None, tuple(errors))


def validate_document(document: Mapping[str, Any],
                      criterion_types: Mapping[str, CriterionType]) -> RubricCheck:
    """The validator's verdict on an uploaded document; nothing is saved."""
    rubric, errors = check_document(document, "<upload>", criterion_types)
    return RubricCheck(rubric.id if rubric else None, tuple(errors))


def publish(public_id: str, version: int, *, actor: User,
            criterion_types: Mapping[str, CriterionType]) -> Published:
    """Publish the draft as the rubric's next immutable version and remove the draft.

    Nothing is published when the draft is identical to the latest version (the
    draft is kept). Raises ``DraftConflict`` for a stale ``version`` and
    ``InvalidDraft`` for a draft the validator refuses.
    """
    draft = get_draft(public_id)
    if draft.version != version:
        raise DraftConflict(draft, version)
    rubric, errors = check(draft, criterion_types)
    if rubric is None:
        raise InvalidDraft(errors)
    with database.atomic():
        published, created = rubric_versions.publish(
            rubric, source=f"editor:{actor.username}", actor=actor)
        if created:
            deleted = (RubricDraft.delete()
                       .where((RubricDraft.public_id == public_id)
                              & (RubricDraft.version == version))
                       .execute())
            if deleted != 1:
                raise DraftConflict(get_draft(public_id), version)
    return Published(rubric_id=rubric.id, version=published.number, title=published.title,
                     content_hash=published.content_hash, created=created)


def delete(public_id: str, *, actor: User) -> None:
    draft = get_draft(public_id)
    with database.atomic():
        RubricDraft.delete().where(RubricDraft.public_id == public_id).execute()
        audit_trail.record("rubric.draft_deleted", actor=actor, object_type="rubric_draft",
                           object_id=public_id, before={"rubric": draft.rubric_id})
