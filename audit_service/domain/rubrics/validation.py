"""Validate a rubric document in two layers and build the ``Rubric`` from it.

Layer one is the marshmallow schema (structure); its nested error dicts are
flattened into the same ``criteria[3].weight`` paths the semantic layer uses.
Layer two is a set of validator classes (after the ONS eQ validator): each
checks one concern and reports through ``add_error(message, path=..., **context)``
with its messages kept as class constants, so tests can assert exact wording.
Semantic checks run only on a structurally valid document: there is no point
asking whether a rule names a real criterion when ``criteria`` is not a list.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from marshmallow import ValidationError

from audit_service.domain.rubrics.criterion_types import CriterionType, known_types
from audit_service.domain.rubrics.model import (
    DEFAULT_GRADE_BANDS,
    DEFAULT_SCALE,
    OVERALL,
    RATING_RULE,
    Criterion,
    GradeBand,
    Level,
    LimitingRule,
    Rubric,
    Scale,
)
from audit_service.domain.rubrics.schema import Messages, RubricSchema
from audit_service.domain.vocabulary import CaseType

BAND_STEP = Decimal("0.01")


@dataclass(frozen=True)
class RubricError:
    """One problem in one rubric, located well enough to fix without a developer.

    ``path`` is empty for problems with the file as a whole; ``line`` and
    ``column`` (1-based) are set when the YAML itself could not be read.
    """

    file: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.path:
            return f"{self.file}: {self.path}: {self.message}"
        return f"{self.file}: {self.message}"


def join_path(*parts: str | int) -> str:
    """``("criteria", 3, "weight")`` -> ``criteria[3].weight``."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else part
    return path


def flatten_schema_errors(messages: Any, source: str, *parts: str | int) -> list[RubricError]:
    """Turn marshmallow's ``{"criteria": {3: {"weight": [...]}}}`` into located errors."""
    if isinstance(messages, dict):
        errors: list[RubricError] = []
        for key, value in messages.items():
            nested = parts if key == "_schema" else (*parts, key)
            errors.extend(flatten_schema_errors(value, source, *nested))
        return errors
    if isinstance(messages, list):
        errors = []
        for message in messages:
            errors.extend(flatten_schema_errors(message, source, *parts))
        return errors
    return [RubricError(source, join_path(*parts), str(messages))]


def check_structure(raw: Any, source: str) -> tuple[dict[str, Any] | None, list[RubricError]]:
    """Layer one: the loaded document (defaults filled in), or the structural errors."""
    if not isinstance(raw, Mapping):
        return None, [RubricError(source, "", f"the rubric {Messages.NOT_A_MAPPING}")]
    try:
        return RubricSchema().load(dict(raw)), []
    except ValidationError as error:
        return None, flatten_schema_errors(error.messages, source)


class Validator:
    """Base for one semantic check; subclasses implement ``validate``."""

    def __init__(self, document: Mapping[str, Any], context: ValidationContext) -> None:
        self.document = document
        self.context = context
        self.errors: list[RubricError] = []

    def add_error(self, message: str, *, path: str, **context: Any) -> None:
        self.errors.append(RubricError(self.context.source, path, message.format(**context)))

    def validate(self) -> list[RubricError]:
        raise NotImplementedError


@dataclass(frozen=True)
class ValidationContext:
    source: str
    scale: Scale
    criterion_types: Mapping[str, CriterionType]

    def type_of(self, criterion: Mapping[str, Any]) -> CriterionType | None:
        return self.criterion_types.get(criterion["type"])


def _listing(values: Sequence[str]) -> str:
    return ", ".join(values)


class CaseTypeValidator(Validator):
    UNKNOWN_CASE_TYPE = "{value!r} is not a case type (known case types: {known})"
    DUPLICATE_CASE_TYPE = "{value!r} is listed more than once"

    def validate(self) -> list[RubricError]:
        seen: set[str] = set()
        for index, value in enumerate(self.document["case_types"]):
            path = join_path("case_types", index)
            if value not in CaseType.__members__.values():
                self.add_error(
                    self.UNKNOWN_CASE_TYPE, path=path, value=value, known=_listing(list(CaseType))
                )
            elif value in seen:
                self.add_error(self.DUPLICATE_CASE_TYPE, path=path, value=value)
            seen.add(value)
        return self.errors


class ScaleValidator(Validator):
    DUPLICATE_LEVEL_ID = "level id {id!r} is already used by scale[{first}]"
    NOT_DESCENDING = (
        "score {score} must be lower than the score of the level above it ({previous}): "
        "list levels best first, each scoring less than the one before"
    )

    def validate(self) -> list[RubricError]:
        levels = self.document["scale"]
        if levels is None:
            return self.errors
        first_index: dict[str, int] = {}
        for index, level in enumerate(levels):
            if level["id"] in first_index:
                self.add_error(
                    self.DUPLICATE_LEVEL_ID,
                    path=join_path("scale", index, "id"),
                    id=level["id"],
                    first=first_index[level["id"]],
                )
            first_index.setdefault(level["id"], index)
            if index and level["score"] >= levels[index - 1]["score"]:
                self.add_error(
                    self.NOT_DESCENDING,
                    path=join_path("scale", index, "score"),
                    score=level["score"],
                    previous=levels[index - 1]["score"],
                )
        return self.errors


class CriteriaValidator(Validator):
    DUPLICATE_CRITERION_ID = "criterion id {id!r} is already used by criteria[{first}]"
    WEIGHT_NOT_POSITIVE = "must be greater than 0 (got {value})"
    UNKNOWN_TYPE = "{type!r} is not a criterion type (known types: {known})"
    UNKNOWN_DESCRIPTOR_LEVEL = (
        "{level!r} is not a rating this criterion can be given (allowed: {allowed})"
    )

    def validate(self) -> list[RubricError]:
        first_index: dict[str, int] = {}
        for index, criterion in enumerate(self.document["criteria"]):
            if criterion["id"] in first_index:
                self.add_error(
                    self.DUPLICATE_CRITERION_ID,
                    path=join_path("criteria", index, "id"),
                    id=criterion["id"],
                    first=first_index[criterion["id"]],
                )
            first_index.setdefault(criterion["id"], index)
            if criterion["weight"] <= 0:
                self.add_error(
                    self.WEIGHT_NOT_POSITIVE,
                    path=join_path("criteria", index, "weight"),
                    value=_plain(criterion["weight"]),
                )
            criterion_type = self.context.type_of(criterion)
            if criterion_type is None:
                self.add_error(
                    self.UNKNOWN_TYPE,
                    path=join_path("criteria", index, "type"),
                    type=criterion["type"],
                    known=_listing(sorted(self.context.criterion_types)),
                )
                continue
            allowed = [option.value for option in criterion_type.options(self.context.scale)]
            for level_id in criterion["level_descriptors"]:
                if level_id not in allowed:
                    self.add_error(
                        self.UNKNOWN_DESCRIPTOR_LEVEL,
                        path=join_path("criteria", index, "level_descriptors", level_id),
                        level=level_id,
                        allowed=_listing(allowed),
                    )
        return self.errors


class GradeBandValidator(Validator):
    BANDS_REQUIRED = (
        "is required when the rubric declares its own scale: the default bands only fit "
        "the default scale"
    )
    UNKNOWN_GRADE = "{grade!r} is not a level of this rubric's scale (levels: {levels})"
    TOO_PRECISE = "must have at most two decimal places (got {value})"
    MIN_ABOVE_MAX = "min ({min}) is greater than max ({max})"
    WRONG_START = (
        "the lowest band must start at the scale's lowest score, {low} (it starts at {min})"
    )
    WRONG_END = "the highest band must end at the scale's highest score, {high} (it ends at {max})"
    GAP = (
        "leaves a gap: grade_bands[{other}] ends at {other_max} but this band starts at {min}, "
        "so scores from {gap_from} to {gap_to} get no grade"
    )
    OVERLAP = (
        "overlaps grade_bands[{other}] ({other_min} to {other_max}): {scores} would be in both"
    )
    GRADE_FALLS = (
        "gives {grade!r} to higher scores than grade_bands[{other}], which gives the better "
        "grade {other_grade!r}: a higher score must never earn a lower grade"
    )

    def validate(self) -> list[RubricError]:
        bands = self.document["grade_bands"]
        if bands is None:
            if self.document["scale"] is not None and not _is_default_scale(self.context.scale):
                self.add_error(self.BANDS_REQUIRED, path="grade_bands")
            return self.errors
        usable = []
        for index, band in enumerate(bands):
            if self._check_band(index, band):
                usable.append((index, band))
        if len(usable) == len(bands):
            self._check_coverage(usable)
        return self.errors

    def _check_band(self, index: int, band: Mapping[str, Any]) -> bool:
        ok = True
        for bound in ("min", "max"):
            if band[bound] != band[bound].quantize(BAND_STEP):
                self.add_error(
                    self.TOO_PRECISE,
                    path=join_path("grade_bands", index, bound),
                    value=_plain(band[bound]),
                )
                ok = False
        if band["min"] > band["max"]:
            self.add_error(
                self.MIN_ABOVE_MAX,
                path=join_path("grade_bands", index),
                min=_two_places(band["min"]),
                max=_two_places(band["max"]),
            )
            ok = False
        if not self.context.scale.has_level(band["grade"]):
            self.add_error(
                self.UNKNOWN_GRADE,
                path=join_path("grade_bands", index, "grade"),
                grade=band["grade"],
                levels=_listing(self.context.scale.ids),
            )
            ok = False
        return ok

    def _check_coverage(self, bands: list[tuple[int, Mapping[str, Any]]]) -> None:
        ordered = sorted(bands, key=lambda item: (item[1]["min"], item[1]["max"]))
        low, high = self.context.scale.min_score, self.context.scale.max_score
        first_index, first = ordered[0]
        if first["min"] != low:
            self.add_error(
                self.WRONG_START,
                path=join_path("grade_bands", first_index, "min"),
                low=_two_places(low),
                min=_two_places(first["min"]),
            )
        top_index, top = max(ordered, key=lambda item: item[1]["max"])
        if top["max"] != high:
            self.add_error(
                self.WRONG_END,
                path=join_path("grade_bands", top_index, "max"),
                high=_two_places(high),
                max=_two_places(top["max"]),
            )
        for (prev_index, prev), (index, band) in itertools.pairwise(ordered):
            if band["min"] > prev["max"] + BAND_STEP:
                self.add_error(
                    self.GAP,
                    path=join_path("grade_bands", index, "min"),
                    other=prev_index,
                    other_max=_two_places(prev["max"]),
                    min=_two_places(band["min"]),
                    gap_from=_two_places(prev["max"] + BAND_STEP),
                    gap_to=_two_places(band["min"] - BAND_STEP),
                )
            elif band["min"] <= prev["max"]:
                self.add_error(
                    self.OVERLAP,
                    path=join_path("grade_bands", index, "min"),
                    other=prev_index,
                    other_min=_two_places(prev["min"]),
                    other_max=_two_places(prev["max"]),
                    scores=_score_range(band["min"], min(prev["max"], band["max"])),
                )
            scale = self.context.scale
            if scale.level(band["grade"]).score < scale.level(prev["grade"]).score:
                self.add_error(
                    self.GRADE_FALLS,
                    path=join_path("grade_bands", index, "grade"),
                    grade=band["grade"],
                    other=prev_index,
                    other_grade=prev["grade"],
                )


class LimitingRuleValidator(Validator):
    DUPLICATE_RULE_ID = "rule id {id!r} is already used by limiting_rules[{first}]"
    UNKNOWN_CRITERION = (
        "names criterion {criterion!r}, which this rubric does not have (criteria: {known})"
    )
    UNKNOWN_RATING = (
        "{value!r} is not a rating criterion {criterion!r} can be given (allowed: {allowed})"
    )
    NOT_CLOSED_BELOW = (
        "lists {value!r} but not the worse rating(s) {missing}: a worse rating must always "
        "trigger a cap that a better one triggers"
    )
    UNKNOWN_CAP = "{cap!r} is not a level of this rubric's scale (levels: {levels})"
    UNKNOWN_OVERALL_CAP = (
        "{cap!r} is not a grade of the overall (default) scale: an overall cap must be one of "
        "{levels}"
    )
    CRITERION_REQUIRED = "is required: name the criterion this rule watches"
    CRITERIA_REQUIRED = (
        "is required for a rule of kind 'combination': list the criteria it watches"
    )
    ONLY_FOR_COMBINATION = (
        "is only for rules of kind 'combination'; a 'rating' rule watches one criterion"
    )
    ONLY_FOR_RATING = (
        "is only for rules of kind 'rating'; a 'combination' rule lists its 'criteria'"
    )
    REPEATED_CRITERION = "criterion {criterion!r} is listed more than once"
    AT_LEAST_OUT_OF_RANGE = (
        "must be from 1 to {count}, the number of criteria the rule lists (got {value})"
    )
    UNKNOWN_CASE_TYPE = "{value!r} is not a case type (known case types: {known})"
    CASE_TYPE_NOT_AUDITED = (
        "{value!r} is not one of this rubric's case types ({known}), so the rule could "
        "never fire for it"
    )
    DUPLICATE_CASE_TYPE = "{value!r} is listed more than once"

    def validate(self) -> list[RubricError]:
        criteria = {criterion["id"]: criterion for criterion in self.document["criteria"]}
        first_index: dict[str, int] = {}
        for index, rule in enumerate(self.document["limiting_rules"]):
            if rule["id"] in first_index:
                self.add_error(
                    self.DUPLICATE_RULE_ID,
                    path=join_path("limiting_rules", index, "id"),
                    id=rule["id"],
                    first=first_index[rule["id"]],
                )
            first_index.setdefault(rule["id"], index)
            self._check_cap(index, rule)
            self._check_case_types(index, rule)
            for field, criterion_id in self._watched(index, rule):
                criterion = criteria.get(criterion_id)
                if criterion is None:
                    self.add_error(
                        self.UNKNOWN_CRITERION,
                        path=field,
                        criterion=criterion_id,
                        known=_listing(list(criteria)),
                    )
                    continue
                criterion_type = self.context.type_of(criterion)
                if criterion_type is not None:
                    self._check_when(index, rule, criterion_id, criterion_type)
        return self.errors

    def _watched(self, index: int, rule: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Each criterion the rule reads, with the path its errors are reported at."""
        path = partial(join_path, "limiting_rules", index)
        if rule["kind"] == RATING_RULE:
            for name in ("criteria", "at_least"):
                if rule[name] is not None:
                    self.add_error(self.ONLY_FOR_COMBINATION, path=path(name))
            if rule["criterion"] is None:
                self.add_error(self.CRITERION_REQUIRED, path=path("criterion"))
                return []
            return [(path("criterion"), rule["criterion"])]
        if rule["criterion"] is not None:
            self.add_error(self.ONLY_FOR_RATING, path=path("criterion"))
        listed = rule["criteria"]
        if listed is None:
            self.add_error(self.CRITERIA_REQUIRED, path=path("criteria"))
            return []
        seen: set[str] = set()
        watched = []
        for position, criterion_id in enumerate(listed):
            if criterion_id in seen:
                self.add_error(self.REPEATED_CRITERION, path=path("criteria", position),
                               criterion=criterion_id)
                continue
            seen.add(criterion_id)
            watched.append((path("criteria", position), criterion_id))
        at_least = rule["at_least"]
        if at_least is not None and not 1 <= at_least <= len(listed):
            self.add_error(self.AT_LEAST_OUT_OF_RANGE, path=path("at_least"),
                           count=len(listed), value=at_least)
        return watched

    def _check_case_types(self, index: int, rule: Mapping[str, Any]) -> None:
        if rule["case_types"] is None:
            return
        audited = list(self.document["case_types"])
        seen: set[str] = set()
        for position, value in enumerate(rule["case_types"]):
            path = join_path("limiting_rules", index, "case_types", position)
            if value not in CaseType.__members__.values():
                self.add_error(self.UNKNOWN_CASE_TYPE, path=path, value=value,
                               known=_listing(list(CaseType)))
            elif value in seen:
                self.add_error(self.DUPLICATE_CASE_TYPE, path=path, value=value)
            elif value not in audited:
                self.add_error(self.CASE_TYPE_NOT_AUDITED, path=path, value=value,
                               known=_listing(audited))
            seen.add(value)

    def _check_cap(self, index: int, rule: Mapping[str, Any]) -> None:
        path = join_path("limiting_rules", index, "cap")
        if rule["applies_to"] == OVERALL:
            if not DEFAULT_SCALE.has_level(rule["cap"]):
                self.add_error(
                    self.UNKNOWN_OVERALL_CAP,
                    path=path,
                    cap=rule["cap"],
                    levels=_listing(DEFAULT_SCALE.ids),
                )
        elif not self.context.scale.has_level(rule["cap"]):
            self.add_error(
                self.UNKNOWN_CAP,
                path=path,
                cap=rule["cap"],
                levels=_listing(self.context.scale.ids),
            )

    def _check_when(
        self, index: int, rule: Mapping[str, Any], criterion_id: str,
        criterion_type: CriterionType,
    ) -> None:
        scale = self.context.scale
        allowed = [option.value for option in criterion_type.options(scale)]
        known_values = []
        for value_index, value in enumerate(rule["when"]):
            if value not in allowed:
                self.add_error(
                    self.UNKNOWN_RATING,
                    path=join_path("limiting_rules", index, "when", value_index),
                    value=value,
                    criterion=criterion_id,
                    allowed=_listing(allowed),
                )
            else:
                known_values.append(value)
        if not known_values:
            return
        scores = {value: criterion_type.score(value, scale) for value in allowed}
        best = max(known_values, key=lambda value: scores[value])
        missing = [
            value for value in allowed if scores[value] < scores[best] and value not in rule["when"]
        ]
        if missing:
            self.add_error(
                self.NOT_CLOSED_BELOW,
                path=join_path("limiting_rules", index, "when"),
                value=best,
                missing=_listing([repr(value) for value in missing]),
            )


class HalfwayBandValidator(Validator):
    """A score exactly half-way between two levels must earn the lower one.

    Checked when a rubric is validated or published, not when a stored version is read
    back: a version published under earlier rules stays readable, as it was graded.
    """

    HALFWAY_TO_BETTER = (
        "gives the score {score}, exactly half-way between {lower!r} and {higher!r}, the "
        "better grade {grade!r}: a half-way score must take the lower grade (start this "
        "band at {start})"
    )

    def validate(self) -> list[RubricError]:
        bands = self.document["grade_bands"]
        if bands is None:
            return self.errors
        if any(check(self.document, self.context).validate()
               for check in (ScaleValidator, GradeBandValidator)):
            return self.errors  # the bands are wrong already; fix those first
        scale = self.context.scale
        levels = sorted(scale.levels, key=lambda level: level.score)
        for lower, higher in itertools.pairwise(levels):
            halfway = (Decimal(lower.score) + Decimal(higher.score)) / 2
            if halfway != halfway.quantize(BAND_STEP):
                continue
            for index, band in enumerate(bands):
                if not (band["min"] <= halfway <= band["max"]) or not scale.has_level(
                    band["grade"]
                ):
                    continue
                if scale.level(band["grade"]).score > lower.score:
                    self.add_error(
                        self.HALFWAY_TO_BETTER,
                        path=join_path("grade_bands", index, "min"),
                        score=_two_places(halfway),
                        lower=lower.id,
                        higher=higher.id,
                        grade=band["grade"],
                        start=_two_places(halfway + BAND_STEP),
                    )
        return self.errors


STORED_VALIDATORS: tuple[type[Validator], ...] = (
    CaseTypeValidator,
    ScaleValidator,
    CriteriaValidator,
    GradeBandValidator,
    LimitingRuleValidator,
)
"""What any rubric, including a version published long ago, must satisfy to be scored."""

SEMANTIC_VALIDATORS: tuple[type[Validator], ...] = (*STORED_VALIDATORS, HalfwayBandValidator)
"""Everything a rubric must satisfy to be published today."""


def check_meaning(
    document: Mapping[str, Any],
    source: str,
    criterion_types: Mapping[str, CriterionType] | None = None,
    *,
    stored: bool = False,
) -> list[RubricError]:
    """Layer two: run every semantic validator over a structurally valid document.

    ``stored`` reads back a published version: only what scoring needs is checked.
    """
    context = ValidationContext(source, _scale_of(document), known_types(criterion_types))
    errors: list[RubricError] = []
    for validator_class in STORED_VALIDATORS if stored else SEMANTIC_VALIDATORS:
        errors.extend(validator_class(document, context).validate())
    return errors


def check_document(
    raw: Any,
    source: str,
    criterion_types: Mapping[str, CriterionType] | None = None,
    *,
    stored: bool = False,
) -> tuple[Rubric | None, list[RubricError]]:
    """Both layers: the rubric if the document is valid, else every error found."""
    document, errors = check_structure(raw, source)
    if document is None:
        return None, errors
    errors = check_meaning(document, source, criterion_types, stored=stored)
    if errors:
        return None, errors
    return build_rubric(document), []


def build_rubric(document: Mapping[str, Any]) -> Rubric:
    """Turn a validated document into values; call only after both layers pass."""
    bands = document["grade_bands"]
    return Rubric(
        id=document["id"],
        title=document["title"],
        domain=document["domain"],
        version_notes=document["version_notes"],
        case_types=tuple(CaseType(value) for value in document["case_types"]),
        scale=_scale_of(document),
        criteria=tuple(
            Criterion(
                id=criterion["id"],
                prompt=criterion["prompt"],
                guidance=criterion["guidance"],
                weight=criterion["weight"],
                evidence_required=criterion["evidence_required"],
                na_allowed=criterion["na_allowed"],
                level_descriptors=criterion["level_descriptors"],
                type=criterion["type"],
            )
            for criterion in document["criteria"]
        ),
        grade_bands=(
            DEFAULT_GRADE_BANDS
            if bands is None
            else tuple(
                GradeBand(
                    band["min"].quantize(BAND_STEP), band["max"].quantize(BAND_STEP), band["grade"]
                )
                for band in bands
            )
        ),
        limiting_rules=tuple(
            LimitingRule(
                id=rule["id"],
                criterion=rule["criterion"] or "",
                when=tuple(rule["when"]),
                cap=rule["cap"],
                explanation=rule["explanation"],
                applies_to=rule["applies_to"],
                kind=rule["kind"],
                criteria=tuple(rule["criteria"] or ()),
                at_least=rule["at_least"],
                case_types=tuple(CaseType(value) for value in rule["case_types"] or ()),
                alert=rule["alert"],
            )
            for rule in document["limiting_rules"]
        ),
    )


def _scale_of(document: Mapping[str, Any]) -> Scale:
    levels = document["scale"]
    if levels is None:
        return DEFAULT_SCALE
    return Scale(
        tuple(
            Level(level["id"], level["label"], level["score"], level["descriptor"])
            for level in levels
        )
    )


def _is_default_scale(scale: Scale) -> bool:
    return [(level.id, level.score) for level in scale.levels] == [
        (level.id, level.score) for level in DEFAULT_SCALE.levels
    ]


def _plain(value: Decimal) -> str:
    """``-1`` not ``Decimal('-1')``, ``0.5`` not ``5E-1``."""
    return format(value.normalize(), "f") if value != 0 else "0"


def _two_places(value: Decimal | int) -> str:
    return str(Decimal(value).quantize(BAND_STEP))


def _score_range(low: Decimal, high: Decimal) -> str:
    if low == high:
        return f"the score {_two_places(low)}"
    return f"scores from {_two_places(low)} to {_two_places(high)}"
