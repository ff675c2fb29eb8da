"""Rubric drafts: the editable side of rubrics, and the one way a draft becomes a version.

Published versions never change (audits are scored against them). A quality
lead edits a draft instead: created blank, from a published version or from
an uploaded file, saved under an optimistic lock (``UPDATE ... WHERE version
= ?``) so two editors never overwrite each other, validated with exactly the
validator rubric files use, and published through ``rubric_versions.publish``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml
from peewee import JOIN

from audit_service.domain.rubrics import CriterionType, Rubric, RubricError, check_document
from audit_service.domain.rubrics.diff import Change, diff_documents
from audit_service.domain.rubrics.editing import blank_document
from audit_service.domain.rubrics.loading import read_yaml
from audit_service.domain.rubrics.schema import ID_PATTERN
from audit_service.services.errors import Conflict, Invalid, NotFound
from audit_service.services.platform import audit_trail
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.database import database
from audit_service.storage.models import (
    RubricDefinition,
    RubricDraft,
    RubricVersion,
    User,
    utcnow,
)

MAX_FILE_BYTES = 512 * 1024


class DraftError(Invalid):
    """A draft that cannot be created or imported; ``errors`` name each field."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None):
        super().__init__(message, errors or {})


class DraftNotFound(NotFound):
    pass


class DraftConflict(Conflict):
    """Someone saved the draft after this page was opened; ``current`` is the saved draft."""

    def __init__(self, current: RubricDraft):
        super().__init__(
            "Someone else saved this draft after you opened it. Your changes have not been "
            "saved: they are shown below so you can check the draft and save again.")
        self.current = current


class InvalidDraft(Invalid):
    """The draft does not pass the rubric validator; ``rubric_errors`` lists every problem."""

    def __init__(self, rubric_errors: list[RubricError]):
        super().__init__(f"The draft has {len(rubric_errors)} problem"
                         f"{'s' if len(rubric_errors) != 1 else ''}")
        self.rubric_errors = rubric_errors


def source_of(draft: RubricDraft) -> str:
    return f"draft {draft.rubric_id}"


def list_drafts(rubric_id: str | None = None) -> list[RubricDraft]:
    """Drafts (of one rubric, if given) with the number of the version each started from.

    The base version's number is joined in (not its document), so listing reads
    one row per draft however many drafts there are.
    """
    query = (RubricDraft.select(RubricDraft, RubricVersion.id, RubricVersion.number)
             .join(RubricVersion, JOIN.LEFT_OUTER,
                   on=(RubricDraft.base_version == RubricVersion.id))
             .order_by(RubricDraft.rubric_id, RubricDraft.updated_at.desc()))
    if rubric_id is not None:
        query = query.where(RubricDraft.rubric_id == rubric_id)
    return list(query)


def get_draft(public_id: str) -> RubricDraft:
    draft = RubricDraft.get_or_none(RubricDraft.public_id == public_id)
    if draft is None:
        raise DraftNotFound("There is no rubric draft at this address: it may have been "
                            "published or deleted.")
    return draft


def _create(document: dict[str, Any], *, author: User, base: RubricVersion | None,
            how: str) -> RubricDraft:
    with database.atomic():
        draft = RubricDraft.create(rubric_id=str(document.get("id") or ""), document=document,
                                   base_version=base, author=author)
        audit_trail.record("rubric.draft_created", actor=author, object_type="rubric_draft",
                           object_id=draft.public_id,
                           after={"rubric": draft.rubric_id, "from": how})
    return draft


def new_draft(rubric_id: str, title: str, domain: str, *, author: User) -> RubricDraft:
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


def draft_from_version(version: RubricVersion, *, author: User) -> RubricDraft:
    document = dict(version.document)
    document["version_notes"] = ""
    return _create(document, author=author, base=version,
                   how=f"version {version.number}")


def draft_from_document(document: dict[str, Any], *, author: User,
                        how: str = "api") -> RubricDraft:
    """A draft of a whole rubric document (an API upload), kept even if it does not validate."""
    rubric_id = str(document.get("id") or "")
    base = rubric_versions.latest_version(rubric_id) if rubric_id else None
    return _create(dict(document), author=author, base=base, how=how)


def draft_from_yaml(content: bytes, filename: str, *, author: User) -> RubricDraft:
    """Read an uploaded rubric file into a draft, even one that does not validate yet."""
    if len(content) > MAX_FILE_BYTES:
        raise DraftError("The file was not imported",
                         {"file": f"The file must be smaller than {MAX_FILE_BYTES // 1024} KB"})
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise DraftError("The file was not imported",
                         {"file": "The file must be UTF-8 text (a .yaml rubric file)"}) from None
    raw, errors = read_yaml(text, filename)
    if errors:
        raise DraftError("The file was not imported", {"file": errors[0].message})
    if not isinstance(raw, dict):
        raise DraftError("The file was not imported",
                         {"file": "The file must hold one rubric (a set of named fields)"})
    return draft_from_document(raw, author=author, how=f"file {filename}")


def save(draft: RubricDraft, document: Mapping[str, Any], version: int, *,
         actor: User) -> RubricDraft:
    """Replace the draft's document if nobody saved since ``version``; returns the fresh row."""
    new_document = dict(document)
    with database.atomic():
        changed = (
            RubricDraft.update(document=new_document, version=version + 1, updated_at=utcnow(),
                               rubric_id=str(new_document.get("id") or ""), author=actor)
            .where((RubricDraft.id == draft.id) & (RubricDraft.version == version))
            .execute()
        )
        if changed != 1:
            current = RubricDraft.get_or_none(RubricDraft.id == draft.id)
            if current is None:
                raise DraftNotFound("This draft has been published or deleted.")
            raise DraftConflict(current)
        audit_trail.record("rubric.draft_saved", actor=actor, object_type="rubric_draft",
                           object_id=draft.public_id,
                           before={"version": version}, after={"version": version + 1})
    return RubricDraft.get_by_id(draft.id)


def check(draft: RubricDraft | Mapping[str, Any],
          criterion_types: Mapping[str, CriterionType]) -> tuple[Rubric | None, list[RubricError]]:
    """The same two-layer validation as rubric files."""
    document = draft.document if isinstance(draft, RubricDraft) else draft
    source = source_of(draft) if isinstance(draft, RubricDraft) else "<draft>"
    return check_document(document, source, criterion_types)


def publish(draft: RubricDraft, version: int, *, actor: User,
            criterion_types: Mapping[str, CriterionType]) -> tuple[RubricVersion, bool]:
    """Publish the draft as the rubric's next immutable version and remove the draft.

    Returns the version and whether it is new (False: identical to the latest,
    so nothing was published and the draft is kept). Raises ``InvalidDraft``.
    """
    if draft.version != version:
        raise DraftConflict(draft)
    rubric, errors = check(draft, criterion_types)
    if rubric is None:
        raise InvalidDraft(errors)
    with database.atomic():
        published, created = rubric_versions.publish(
            rubric, source=f"editor:{actor.username}", actor=actor)
        if created:
            deleted = (RubricDraft.delete()
                       .where((RubricDraft.id == draft.id) & (RubricDraft.version == version))
                       .execute())
            if deleted != 1:
                raise DraftConflict(RubricDraft.get_by_id(draft.id))
    return published, created


def delete(draft: RubricDraft, *, actor: User) -> None:
    with database.atomic():
        RubricDraft.delete().where(RubricDraft.id == draft.id).execute()
        audit_trail.record("rubric.draft_deleted", actor=actor, object_type="rubric_draft",
                           object_id=draft.public_id, before={"rubric": draft.rubric_id})


def export_yaml(version: RubricVersion) -> str:
    """The version as a rubric file: ``audit-service rubrics validate`` accepts it, and
    importing it again gives the same content hash."""
    header = (f"# {version.rubric.rubric_id} version {version.number}, exported from "
              "audit-service. Edit and load it with `audit-service rubrics load`.\n")
    return header + yaml.safe_dump(version.document, sort_keys=False, allow_unicode=True,
                                   width=100)


def diff_versions(rubric_id: str, old: int, new: int) -> list[Change]:
    return diff_documents(rubric_versions.get_version(rubric_id, old).document,
                          rubric_versions.get_version(rubric_id, new).document)
