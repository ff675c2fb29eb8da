"""Two versions of the same draft: what differs, field by field, and how to merge them.

When a save arrives from a stale page, nothing is overwritten: the auditor is
shown each field where their version and the saved one differ, and picks one
per field. ``merge`` builds the answers from those picks, starting from the
saved version so that fields the auditor did not touch keep the newer text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from audit_service.domain.audits.answers import Answer, CriterionKey, field_id

Choice = Literal["yours", "saved"]
# A conflict is settled per part of an answer; N/A and its reason go together.
CONFLICT_PARTS = ("rating", "na", "evidence")


@dataclass(frozen=True)
class FieldDifference:
    key: CriterionKey
    part: str  # "rating", "na" (not applicable and its reason) or "evidence"
    yours: Answer
    saved: Answer

    @property
    def field(self) -> str:
        return field_id(self.part, self.key)  # type: ignore[arg-type]


def _part(answer: Answer, part: str) -> tuple[object, ...]:
    if part == "rating":
        return (answer.rating,)
    if part == "na":
        return (answer.not_applicable, answer.na_reason)
    return (answer.evidence,)


def differences(
    yours: Mapping[CriterionKey, Answer],
    saved: Mapping[CriterionKey, Answer],
    order: list[CriterionKey],
) -> list[FieldDifference]:
    """Every part that differs, in form order (``order`` lists the audit's criteria)."""
    found = []
    for key in order:
        mine, theirs = yours.get(key, Answer()), saved.get(key, Answer())
        for part in CONFLICT_PARTS:
            if _part(mine, part) != _part(theirs, part):
                found.append(FieldDifference(key, part, mine, theirs))
    return found


def _take(base: Answer, source: Answer, part: str) -> Answer:
    if part == "rating":
        return replace(base, rating=source.rating)
    if part == "na":
        return replace(base, not_applicable=source.not_applicable, na_reason=source.na_reason)
    return replace(base, evidence=source.evidence)


def merge(
    yours: Mapping[CriterionKey, Answer],
    saved: Mapping[CriterionKey, Answer],
    choices: Mapping[str, Choice],
    order: list[CriterionKey],
    default: Choice = "yours",
) -> dict[CriterionKey, Answer]:
    """The saved answers with each differing field taken from the version chosen for it.

    ``choices`` maps a difference's ``field`` to "yours" or "saved"; a field
    without a choice takes ``default``.
    """
    merged = {key: saved.get(key, Answer()) for key in order}
    for diff in differences(yours, saved, order):
        if choices.get(diff.field, default) == "yours":
            merged[diff.key] = _take(merged[diff.key], diff.yours, diff.part)
    return merged
