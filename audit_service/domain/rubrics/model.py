"""A rubric as plain, immutable values.

A published rubric version must never change under an audit that was scored
with it, so every value here is frozen and every sequence is a tuple. The
canonical document (``to_document``) is the single source for both the
content hash (which decides "changed file -> new version") and file export,
so an exported version validates and imports to an identical rubric.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from audit_service.domain.vocabulary import CaseType

DOMAIN = "domain"
OVERALL = "overall"
APPLIES_TO = (DOMAIN, OVERALL)
SCALE_TYPE = "scale"
# A rule watches one criterion's rating, or how many of several criteria got one of its ratings.
RATING_RULE = "rating"
COMBINATION_RULE = "combination"
RULE_KINDS = (RATING_RULE, COMBINATION_RULE)


@dataclass(frozen=True)
class Level:
    """One step of a rating scale; ``id`` is the stable name stored with ratings."""

    id: str
    label: str
    score: int
    descriptor: str = ""


@dataclass(frozen=True)
class Scale:
    """Levels ordered best first: scores strictly descend down the list."""

    levels: tuple[Level, ...]

    def level(self, level_id: str) -> Level:
        for level in self.levels:
            if level.id == level_id:
                return level
        raise KeyError(level_id)

    def has_level(self, level_id: str) -> bool:
        return any(level.id == level_id for level in self.levels)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    @property
    def best(self) -> Level:
        return self.levels[0]

    @property
    def worst(self) -> Level:
        return self.levels[-1]

    @property
    def min_score(self) -> int:
        return min(level.score for level in self.levels)

    @property
    def max_score(self) -> int:
        return max(level.score for level in self.levels)


@dataclass(frozen=True)
class Criterion:
    """One question the auditor answers; ``type`` names how it is rated."""

    id: str
    prompt: str
    guidance: str = ""
    weight: Decimal = Decimal(1)
    evidence_required: bool = True
    na_allowed: bool = False
    level_descriptors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    type: str = SCALE_TYPE

    def __post_init__(self) -> None:
        # Freeze the mapping too, so a published criterion cannot be edited in place.
        object.__setattr__(
            self, "level_descriptors", MappingProxyType(dict(self.level_descriptors))
        )

    def __hash__(self) -> int:
        # The generated hash would fail on the mapping; hash its items instead.
        return hash(
            (
                self.id,
                self.prompt,
                self.guidance,
                self.weight,
                self.evidence_required,
                self.na_allowed,
                tuple(sorted(self.level_descriptors.items())),
                self.type,
            )
        )


@dataclass(frozen=True)
class GradeBand:
    """Scores from ``min`` to ``max`` (both inclusive, two decimal places) earn ``grade``."""

    min: Decimal
    max: Decimal
    grade: str

    def contains(self, score: Decimal) -> bool:
        return self.min <= score <= self.max


@dataclass(frozen=True)
class LimitingRule:
    """When the watched ratings are given, the grade is capped at level ``cap``.

    A ``rating`` rule watches one ``criterion``; a ``combination`` rule fires when at
    least ``at_least`` of its ``criteria`` are rated one of ``when`` (a pattern that is
    worse than any one of its parts, such as a child neither seen alone nor heard).
    ``applies_to`` says whether the cap limits this rubric's (domain) grade or the
    audit's overall grade. ``case_types`` (empty: all) limits the rule to cases of
    those types, so one criterion can carry a statutory consequence for children on a
    plan and a lighter one for others. ``alert`` raises an immediate alert as soon as a
    draft records the rating, not only at submission.
    """

    id: str
    criterion: str
    when: tuple[str, ...]
    cap: str
    explanation: str
    applies_to: str = DOMAIN
    kind: str = RATING_RULE
    criteria: tuple[str, ...] = ()
    at_least: int | None = None
    case_types: tuple[CaseType, ...] = ()
    alert: bool = False

    @property
    def watched(self) -> tuple[str, ...]:
        """The criteria whose ratings the rule reads."""
        return self.criteria if self.kind == COMBINATION_RULE else (self.criterion,)

    @property
    def needed(self) -> int:
        """How many of the watched criteria must be rated one of ``when``."""
        if self.kind == COMBINATION_RULE:
            return self.at_least or len(self.criteria)
        return 1

    def covers(self, case_type: CaseType | str | None) -> bool:
        """Whether the rule applies to a case of ``case_type`` (None: type unknown, so yes)."""
        return not self.case_types or case_type is None or case_type in self.case_types

    def to_document(self) -> dict[str, Any]:
        """Optional fields are written only when used, so a rubric written before they
        existed keeps its content hash (and is not re-published as a new version)."""
        document: dict[str, Any] = {"id": self.id}
        if self.kind == COMBINATION_RULE:
            document["kind"] = self.kind
            document["criteria"] = list(self.criteria)
            if self.at_least is not None:
                document["at_least"] = self.at_least
        else:
            document["criterion"] = self.criterion
        document |= {"when": list(self.when), "cap": self.cap, "applies_to": self.applies_to}
        if self.case_types:
            document["case_types"] = [str(case_type) for case_type in self.case_types]
        if self.alert:
            document["alert"] = True
        document["explanation"] = self.explanation
        return document


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    domain: str
    case_types: tuple[CaseType, ...]
    scale: Scale
    criteria: tuple[Criterion, ...]
    grade_bands: tuple[GradeBand, ...]
    limiting_rules: tuple[LimitingRule, ...] = ()
    version_notes: str = ""

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def applies_to_case_type(self, case_type: CaseType) -> bool:
        return case_type in self.case_types

    def top_score_of(self, level: Level) -> Decimal:
        """The highest score that earns ``level`` or worse: where a capped score is held,
        so that a score shown beside a capped grade never reads as a better grade."""
        tops = [band.max for band in self.grade_bands
                if self.scale.level(band.grade).score <= level.score]
        return max(tops) if tops else Decimal(self.scale.min_score)

    def to_document(self) -> dict[str, Any]:
        """The canonical mapping: it loads back through the schema to an equal rubric."""
        return {
            "id": self.id,
            "title": self.title,
            "domain": self.domain,
            "version_notes": self.version_notes,
            "case_types": [str(case_type) for case_type in self.case_types],
            "scale": [
                {
                    "id": level.id,
                    "label": level.label,
                    "score": level.score,
                    "descriptor": level.descriptor,
                }
                for level in self.scale.levels
            ],
            "criteria": [
                {
                    "id": criterion.id,
                    "prompt": criterion.prompt,
                    "guidance": criterion.guidance,
                    "weight": _plain_number(criterion.weight),
                    "evidence_required": criterion.evidence_required,
                    "na_allowed": criterion.na_allowed,
                    "type": criterion.type,
                    "level_descriptors": dict(criterion.level_descriptors),
                }
                for criterion in self.criteria
            ],
            "grade_bands": [
                {
                    "min": _plain_number(band.min),
                    "max": _plain_number(band.max),
                    "grade": band.grade,
                }
                for band in self.grade_bands
            ],
            "limiting_rules": [rule.to_document() for rule in self.limiting_rules],
        }

    def content_hash(self) -> str:
        """A sha256 of the canonical document: equal content gives an equal hash.

        Formatting, comments, key order and an omitted default scale do not
        count as changes; any change to wording, numbers or rules does.
        """
        canonical = json.dumps(
            self.to_document(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _plain_number(value: Decimal) -> int | float:
    """Write 2 (not 2.0 or Decimal) so the document is plain YAML/JSON."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


DEFAULT_SCALE = Scale(
    levels=(
        Level(
            "outstanding",
            "Outstanding",
            4,
            "Practice is consistently strong and makes a clear difference for the child or "
            "young person.",
        ),
        Level(
            "good",
            "Good",
            3,
            "Practice meets the expected standard and the child's or young person's needs are "
            "met.",
        ),
        Level(
            "requires_improvement",
            "Requires improvement",
            2,
            "Practice is not yet good: there are gaps, but the child or young person is not "
            "left at risk by them.",
        ),
        Level(
            "inadequate",
            "Inadequate",
            1,
            "Practice is poor and leaves the child's or young person's needs unmet, or leaves "
            "them at risk.",
        ),
    )
)

# Nearest level wins, and a score exactly half-way between two levels takes the lower
# grade: a file that is only half Good has not shown that it is Good.
DEFAULT_GRADE_BANDS = (
    GradeBand(Decimal("3.51"), Decimal("4.00"), "outstanding"),
    GradeBand(Decimal("2.51"), Decimal("3.50"), "good"),
    GradeBand(Decimal("1.51"), Decimal("2.50"), "requires_improvement"),
    GradeBand(Decimal("1.00"), Decimal("1.50"), "inadequate"),
)
