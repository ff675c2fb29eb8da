"""Editing a rubric document one section at a time, as the browser editor does.

A draft document keeps exactly what the editor typed, even when it is not yet
valid: a weight of "two" stays "two" so the validator can say "must be a
number (got 'two')" beside the weight box, and nothing typed is lost. The
validator's error paths (``criteria[3].weight``) are mapped back to the page
and field they belong to by ``locate``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from audit_service.domain.rubrics.model import DEFAULT_GRADE_BANDS, DEFAULT_SCALE, Rubric

DETAILS = "details"
SCALE = "scale"
CRITERIA = "criteria"
CRITERION = "criterion"
BANDS = "bands"
RULES = "rules"
RULE = "rule"

_PATH_PART = re.compile(r"([A-Za-z_]+)((?:\[\d+\])*)")


def blank_document(rubric_id: str, title: str, domain: str) -> dict[str, Any]:
    """A new rubric: the default scale and bands, one case type to be chosen, no criteria."""
    return Rubric(
        id=rubric_id, title=title, domain=domain, case_types=(), scale=DEFAULT_SCALE,
        criteria=(), grade_bands=DEFAULT_GRADE_BANDS,
    ).to_document()


@dataclass(frozen=True)
class Location:
    """Where an error is shown: the editor page (``section`` and ``index``) and field id."""

    section: str
    index: int | None
    field_id: str


def split_path(path: str) -> list[str | int]:
    """``criteria[3].weight`` -> ``["criteria", 3, "weight"]``."""
    parts: list[str | int] = []
    for chunk in path.split(".") if path else []:
        match = _PATH_PART.fullmatch(chunk)
        if not match:
            parts.append(chunk)
            continue
        parts.append(match.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return parts


def locate(path: str) -> Location:
    """The page and field id for a validator error path."""
    parts = split_path(path)
    if not parts:
        return Location(DETAILS, None, "title")
    head = parts[0]
    rest = parts[1:]
    if head == "scale":
        if rest and isinstance(rest[0], int):
            name = rest[1] if len(rest) > 1 else "id"
            return Location(SCALE, None, f"level-{rest[0]}-{name}")
        return Location(SCALE, None, "level-0-id")
    if head == "criteria":
        if rest and isinstance(rest[0], int):
            name = rest[1] if len(rest) > 1 else "prompt"
            if name == "level_descriptors":
                level = rest[2] if len(rest) > 2 else ""
                return Location(CRITERION, rest[0], f"descriptor-{level}" if level else "prompt")
            return Location(CRITERION, rest[0], str(name))
        return Location(CRITERIA, None, "add-criterion")
    if head == "grade_bands":
        if rest and isinstance(rest[0], int):
            name = rest[1] if len(rest) > 1 else "min"
            return Location(BANDS, None, f"band-{rest[0]}-{name}")
        return Location(BANDS, None, "band-0-min")
    if head == "limiting_rules":
        if rest and isinstance(rest[0], int):
            name = rest[1] if len(rest) > 1 else "id"
            return Location(RULE, rest[0], "when" if name == "when" else str(name))
        return Location(RULES, None, "add-rule")
    if head == "case_types":
        return Location(DETAILS, None, "case_types")
    return Location(DETAILS, None, str(head))


# --- reading form values ------------------------------------------------------------------


def text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def number(value: str | None) -> Any:
    """A typed number as the YAML loader would give it; anything else stays text for the
    validator to describe. Blank is None ("is empty: give a value")."""
    raw = text(value)
    if not raw:
        return None
    try:
        exact = Decimal(raw)
    except InvalidOperation:
        return raw
    if not exact.is_finite():
        return raw
    if exact == exact.to_integral_value() and "." not in raw and "e" not in raw.lower():
        return int(exact)
    return float(raw)


def details_from_form(form: Mapping[str, Any], case_types: Sequence[str],
                      *, id_editable: bool, current_id: str) -> dict[str, Any]:
    return {
        "id": text(form.get("id")) if id_editable else current_id,
        "title": text(form.get("title")),
        "domain": text(form.get("domain")),
        "version_notes": text(form.get("version_notes")),
        "case_types": list(case_types),
    }


def _rows(form: Mapping[str, Any], prefix: str, names: Sequence[str]) -> list[dict[str, str]]:
    """``level-0-id``, ``level-0-label``, ... into rows; an all-blank row is dropped."""
    indexes = sorted({int(m.group(1)) for key in form
                      if (m := re.fullmatch(rf"{prefix}-(\d{{1,6}})-\w+", key))})
    rows = []
    for index in indexes:
        row = {name: text(form.get(f"{prefix}-{index}-{name}")) for name in names}
        if any(row.values()):
            rows.append(row)
    return rows


def scale_from_form(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": row["id"], "label": row["label"], "score": number(row["score"]),
         "descriptor": row["descriptor"]}
        for row in _rows(form, "level", ("id", "label", "score", "descriptor"))
    ]


def bands_from_form(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {"min": number(row["min"]), "max": number(row["max"]), "grade": row["grade"]}
        for row in _rows(form, "band", ("min", "max", "grade"))
    ]


def criterion_from_form(form: Mapping[str, Any], rating_values: Sequence[str]) -> dict[str, Any]:
    """One criterion; level descriptors come from ``descriptor-<value>`` boxes."""
    criterion: dict[str, Any] = {
        "id": text(form.get("id")),
        "prompt": text(form.get("prompt")),
        "guidance": text(form.get("guidance")),
        "weight": number(form.get("weight")),
        "evidence_required": form.get("evidence_required") == "yes",
        "na_allowed": form.get("na_allowed") == "yes",
        "type": text(form.get("type")) or "scale",
        "level_descriptors": {},
    }
    if criterion["weight"] is None:
        criterion["weight"] = 1
    for value in rating_values:
        described = text(form.get(f"descriptor-{value}"))
        if described:
            criterion["level_descriptors"][value] = described
    return criterion


def rule_from_form(form: Mapping[str, Any], when: Sequence[str]) -> dict[str, Any]:
    return {
        "id": text(form.get("id")),
        "criterion": text(form.get("criterion")),
        "when": list(when),
        "cap": text(form.get("cap")),
        "applies_to": text(form.get("applies_to")) or "domain",
        "explanation": text(form.get("explanation")),
    }


# --- list operations --------------------------------------------------------------------


def replace_at(items: Sequence[Any], index: int | None, item: Any) -> list[Any]:
    """Put ``item`` at ``index``, or append it when ``index`` is None."""
    result = list(items)
    if index is None:
        result.append(item)
    else:
        result[index] = item
    return result


def remove_at(items: Sequence[Any], index: int) -> list[Any]:
    result = list(items)
    del result[index]
    return result


def move(items: Sequence[Any], index: int, offset: int) -> list[Any]:
    """Move one item up (-1) or down (+1); at either end nothing changes."""
    result = list(items)
    target = index + offset
    if 0 <= index < len(result) and 0 <= target < len(result):
        result[index], result[target] = result[target], result[index]
    return result
