"""One rubric's history as the editor shows it: its versions and drafts, and what changed
from one version to another.
"""

from __future__ import annotations

from audit_service.domain.rubrics.diff import diff_documents
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.rubrics.versions import UnknownRubric
from audit_service.services.rubrics.views import (
    RubricDiff,
    RubricHistory,
    RubricSummary,
    VersionView,
)
from audit_service.storage.models import RubricVersion


def _summary(rubric_id: str, versions: list[RubricVersion]) -> RubricSummary:
    """The rubric the versions (oldest first, definition joined) belong to."""
    if not versions:
        raise UnknownRubric(f"no rubric {rubric_id!r}")
    return RubricSummary.of(versions[-1].rubric, versions[-1].number)


def history(rubric_id: str) -> RubricHistory:
    """The rubric, its versions newest first and its drafts; ``UnknownRubric`` if none."""
    versions = rubric_versions.versions_of(rubric_id)
    return RubricHistory(
        rubric=_summary(rubric_id, versions),
        versions=tuple(VersionView.of(v) for v in reversed(versions)),
        drafts=tuple(rubric_drafts.list_drafts(rubric_id)))


def compare(rubric_id: str, old: int | None = None, new: int | None = None) -> RubricDiff:
    """The changes from version ``old`` to ``new``: by default from the version before the
    latest (or the latest itself, when it is the only one) to the latest.
    ``UnknownRubric`` names the first version asked for that does not exist."""
    versions = rubric_versions.versions_of(rubric_id)
    by_number = {v.number: v for v in versions}
    if None in (old, new):  # versions are numbered from 1 with no gaps
        latest = _summary(rubric_id, versions).latest_version
        old = max(latest - 1, 1) if old is None else old
        new = latest if new is None else new
    for number in (old, new):
        if number not in by_number:
            raise UnknownRubric(f"rubric {rubric_id!r} has no version {number}")
    changes = diff_documents(by_number[old].document, by_number[new].document)
    return RubricDiff(rubric=_summary(rubric_id, versions), old=old, new=new,
                      changes=tuple(changes))
