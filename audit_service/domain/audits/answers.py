"""An auditor's answer to one criterion, and how the audit form's fields map onto answers.

The form names every control after the rubric and criterion it belongs to
(``rating-<rubric>-<criterion>``), so the same names serve as element ids, as
error summary anchors and as the keys an autosave posts. Rubric and criterion
ids are ``[a-z][a-z0-9_]*``, so the hyphen can never be part of an id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from audit_service.domain.rubrics import DEFAULT_SCALE, OverallJudgement, Rating

MAX_TEXT = 20_000
"""Longest evidence or reason kept, in characters: a few pages of notes."""

Part = Literal["rating", "na", "na-reason", "evidence"]
PARTS: tuple[Part, ...] = ("rating", "na", "na-reason", "evidence")


@dataclass(frozen=True, order=True)
class CriterionKey:
    """A criterion within an audit: rubric ids are unique among an audit's rubrics."""

    rubric_id: str
    criterion_id: str


def field_id(part: Part, key: CriterionKey) -> str:
    """The form control's name and id (the first radio's id for ratings)."""
    return f"{part}-{key.rubric_id}-{key.criterion_id}"


@dataclass(frozen=True)
class Answer:
    """What the auditor has put for one criterion so far; every part may still be empty.

    ``rating`` is kept while "not applicable" is ticked, so unticking it brings the
    rating back; a reason only means something while the box is ticked.
    """

    rating: str | None = None
    not_applicable: bool = False
    na_reason: str = ""
    evidence: str = ""

    @property
    def is_empty(self) -> bool:
        return self == Answer()

    def as_rating(self) -> Rating | None:
        """The scoring engine's view, or None when the criterion is not yet answered."""
        if self.not_applicable:
            return Rating.not_applicable(self.na_reason)
        if self.rating:
            return Rating.of(self.rating)
        return None

    def as_dict(self) -> dict[str, object]:
        return {
            "rating": self.rating,
            "not_applicable": self.not_applicable,
            "na_reason": self.na_reason,
            "evidence": self.evidence,
        }


JUDGEMENT = "overall-judgement"
JUDGEMENT_REASON = "overall-judgement-reason"
"""The form controls of the auditor's own overall judgement (a grade and its reason)."""


@dataclass(frozen=True)
class JudgementAnswer:
    """The auditor's overall judgement as drafted: a grade on the default scale and why.

    Both parts may be empty while drafting; ``as_judgement`` gives the scoring engine's
    view, or None when no grade is chosen (the calculated grade stands).
    """

    grade: str | None = None
    reason: str = ""

    @property
    def is_empty(self) -> bool:
        return self == JudgementAnswer()

    def as_judgement(self) -> OverallJudgement | None:
        return OverallJudgement(self.grade, self.reason) if self.grade else None

    def as_dict(self) -> dict[str, object]:
        return {"grade": self.grade, "reason": self.reason}


def judgement_from_form(form: Mapping[str, object]) -> JudgementAnswer | None:
    """The judgement posted with the form ("calculated" means none), or None when the post
    carries no judgement fields at all (a page without them keeps the saved judgement)."""
    if JUDGEMENT not in form and JUDGEMENT_REASON not in form:
        return None
    grade = _text(form.get(JUDGEMENT)).strip()
    return JudgementAnswer(
        grade=grade if grade and grade != "calculated" else None,
        reason=_text(form.get(JUDGEMENT_REASON)).strip(),
    )


def judgement_grades() -> tuple[tuple[str, str], ...]:
    """The grades a judgement may name, best first, as (id, label)."""
    return tuple((level.id, level.label) for level in DEFAULT_SCALE.levels)


@dataclass(frozen=True)
class FieldError:
    """A problem with one control: ``field`` is its id, ``message`` says what to do."""

    field: str
    message: str


def first_message_per_field(errors: Iterable[FieldError]) -> dict[str, str]:
    """The first message for each field, as a form shows it beside the control."""
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(error.field, error.message)
    return found


def _text(value: object) -> str:
    """Posted text with Windows line endings normalised and NUL characters dropped; never
    None. No one types a NUL, and PostgreSQL cannot store one in text."""
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def answers_from_form(
    form: Mapping[str, object], keys: Iterable[CriterionKey]
) -> dict[CriterionKey, Answer]:
    """Read one answer per criterion from posted form fields (``form.get`` returns a string).

    Missing fields are empty answers: an unticked checkbox and an unchosen radio
    are simply not posted. Unknown fields are ignored, so any post parses.
    """
    answers = {}
    for key in keys:
        rating = _text(form.get(field_id("rating", key))).strip() or None
        answers[key] = Answer(
            rating=rating,
            not_applicable=bool(_text(form.get(field_id("na", key))).strip()),
            na_reason=_text(form.get(field_id("na-reason", key))).strip(),
            evidence=_text(form.get(field_id("evidence", key))).strip(),
        )
    return answers
