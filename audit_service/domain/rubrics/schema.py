"""Layer one of rubric validation: is the document shaped like a rubric?

The schema checks field names, types and required fields only. Whether the
content makes sense (unique ids, rules naming real criteria, bands covering
the scale) is layer two, in ``validation.py``. Every message is written for a
quality lead editing YAML, not for a developer: marshmallow's defaults such as
"Not a valid number." are replaced, and values are strict (``"yes"`` is not a
boolean, ``true`` is not a number), because a rubric silently read differently
from what its author meant would mis-grade audits.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from audit_service.domain.rubrics.model import (
    APPLIES_TO,
    DOMAIN,
    RATING_RULE,
    RULE_KINDS,
    SCALE_TYPE,
)

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class Messages:
    REQUIRED = "is required but missing"
    NULL = "is empty: give a value"
    UNKNOWN_FIELD = "is not a field a rubric can have (check the spelling)"
    NOT_A_MAPPING = "must be a set of named fields (name: value), not a single value or list"
    NOT_A_LIST = "must be a list of values, not a single value"
    NOT_TEXT = "must be text (got {input}); put it in quotes if it looks like a number"
    NOT_TEXT_BUT_YES_OR_NO = (
        "must be text (got {input}): YAML reads a bare yes, no, true or false as true or "
        "false; write it in quotes, like \"no\""
    )
    BLANK = "must not be blank"
    NOT_A_NUMBER = "must be a number (got {input})"
    NOT_A_WHOLE_NUMBER = "must be a whole number (got {input})"
    NOT_TRUE_OR_FALSE = "must be true or false (got {input})"
    BAD_ID = (
        "must be a short id of lower-case letters, digits and underscores, "
        "starting with a letter (got '{input}')"
    )
    BAD_APPLIES_TO = "must be 'domain' or 'overall' (got '{input}')"
    BAD_RULE_KIND = "must be 'rating' or 'combination' (got '{input}')"
    TOO_FEW_CRITERIA = "must list at least two criteria (a rule on one criterion is kind 'rating')"
    NO_CRITERIA = "must list at least one criterion"
    TOO_FEW_LEVELS = "must have at least two levels"
    EMPTY_LIST = "must list at least one value"


def shown(value: Any) -> str:
    """A value as the author wrote it in YAML: ``true`` not ``True``, text in quotes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a set of named fields"
    if isinstance(value, list):
        return "a list"
    return str(value)


_FIELD_MESSAGES = {"required": Messages.REQUIRED, "null": Messages.NULL}


class Text(fields.Field):
    """A string, never a number or date that YAML guessed; blank only where allowed."""

    default_error_messages = {
        "invalid": Messages.NOT_TEXT,
        "boolean": Messages.NOT_TEXT_BUT_YES_OR_NO,
        "blank": Messages.BLANK,
    }

    def __init__(self, *, allow_blank: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", _FIELD_MESSAGES)
        super().__init__(**kwargs)
        self.allow_blank = allow_blank

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool):
            raise self.make_error("boolean", input=shown(value))
        if not isinstance(value, str):
            raise self.make_error("invalid", input=shown(value))
        value = value.strip()
        if not value and not self.allow_blank:
            raise self.make_error("blank")
        return value


class Identifier(Text):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Regexp(ID_PATTERN, error=Messages.BAD_ID), **kwargs)


class Number(fields.Field):
    """A finite number, kept exact as a Decimal of what was written (0.1 stays 0.1)."""

    default_error_messages = {"invalid": Messages.NOT_A_NUMBER}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", _FIELD_MESSAGES)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", input=shown(value))
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("invalid", input=shown(value))
        return Decimal(str(value))


class WholeNumber(fields.Field):
    default_error_messages = {"invalid": Messages.NOT_A_WHOLE_NUMBER}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", _FIELD_MESSAGES)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid", input=shown(value))
        return value


class TrueOrFalse(fields.Field):
    default_error_messages = {"invalid": Messages.NOT_TRUE_OR_FALSE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", _FIELD_MESSAGES)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=shown(value))
        return value


class TextMap(fields.Field):
    """``level id: text`` pairs; errors are reported under each key."""

    default_error_messages = {"invalid": Messages.NOT_A_MAPPING}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", _FIELD_MESSAGES)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        errors: dict[str, list[str]] = {}
        result: dict[str, str] = {}
        for key, text in value.items():
            if not isinstance(text, str) or not text.strip():
                blank = isinstance(text, str)
                errors[str(key)] = [
                    Messages.BLANK if blank else Messages.NOT_TEXT.format(input=shown(text))
                ]
            else:
                result[str(key)] = text.strip()
        if errors:
            raise ValidationError(errors)
        return result


def _list(inner: fields.Field, *, min_items: int, too_few: str, **kwargs: Any) -> fields.List:
    return fields.List(
        inner,
        validate=validate.Length(min=min_items, error=too_few),
        error_messages={**_FIELD_MESSAGES, "invalid": Messages.NOT_A_LIST},
        **kwargs,
    )


def _nested(schema: type[Schema]) -> fields.Nested:
    return fields.Nested(schema, error_messages=_FIELD_MESSAGES)


class _StrictSchema(Schema):
    error_messages = {"unknown": Messages.UNKNOWN_FIELD, "type": Messages.NOT_A_MAPPING}

    class Meta:
        unknown = RAISE


class LevelSchema(_StrictSchema):
    id = Identifier(required=True)
    label = Text(required=True)
    score = WholeNumber(required=True)
    descriptor = Text(allow_blank=True, load_default="")


class CriterionSchema(_StrictSchema):
    id = Identifier(required=True)
    prompt = Text(required=True)
    guidance = Text(allow_blank=True, load_default="")
    weight = Number(load_default=Decimal(1))
    evidence_required = TrueOrFalse(load_default=True)
    na_allowed = TrueOrFalse(load_default=False)
    level_descriptors = TextMap(load_default=dict)
    type = Identifier(load_default=SCALE_TYPE)


class GradeBandSchema(_StrictSchema):
    min = Number(required=True)
    max = Number(required=True)
    grade = Identifier(required=True)


class LimitingRuleSchema(_StrictSchema):
    """Which of ``criterion`` (kind rating) and ``criteria``/``at_least`` (kind
    combination) a rule needs is a question of meaning, checked in layer two."""

    id = Identifier(required=True)
    kind = Text(
        load_default=RATING_RULE,
        validate=validate.OneOf(RULE_KINDS, error=Messages.BAD_RULE_KIND),
    )
    criterion = Identifier(load_default=None)
    criteria = _list(Identifier(), min_items=2, too_few=Messages.TOO_FEW_CRITERIA,
                     load_default=None)
    at_least = WholeNumber(load_default=None)
    when = _list(Text(), min_items=1, too_few=Messages.EMPTY_LIST, required=True)
    cap = Identifier(required=True)
    applies_to = Text(
        load_default=DOMAIN,
        validate=validate.OneOf(APPLIES_TO, error=Messages.BAD_APPLIES_TO),
    )
    case_types = _list(Text(), min_items=1, too_few=Messages.EMPTY_LIST, load_default=None)
    alert = TrueOrFalse(load_default=False)
    explanation = Text(required=True)


class RubricSchema(_StrictSchema):
    """A whole rubric file. ``scale`` and ``grade_bands`` may be left out (defaults apply)."""

    id = Identifier(required=True)
    title = Text(required=True)
    domain = Text(required=True)
    version_notes = Text(allow_blank=True, load_default="")
    case_types = _list(Text(), min_items=1, too_few=Messages.EMPTY_LIST, required=True)
    scale = _list(
        _nested(LevelSchema), min_items=2, too_few=Messages.TOO_FEW_LEVELS, load_default=None
    )
    criteria = _list(
        _nested(CriterionSchema), min_items=1, too_few=Messages.NO_CRITERIA, required=True
    )
    grade_bands = _list(
        _nested(GradeBandSchema), min_items=1, too_few=Messages.EMPTY_LIST, load_default=None
    )
    limiting_rules = _list(
        _nested(LimitingRuleSchema), min_items=0, too_few=Messages.EMPTY_LIST, load_default=list
    )
