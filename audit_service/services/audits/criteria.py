"""An audit's criteria as every page and the API show them, built once per rubric version.

Everything about a criterion item but the case's evidence prompts depends only on a
published (so immutable) rubric version and the installed criterion types, so the
items are kept per process, per version, and reused for every audit pinned to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from audit_service.domain.audits import Answer, CriterionKey, field_id
from audit_service.domain.audits.evidence import EvidencePrompt
from audit_service.domain.rubrics import CriterionType, Rubric
from audit_service.services.audits.views import CriterionItem, Section

_items_of_version: dict[tuple, tuple[CriterionItem, ...]] = {}


class Pinned(Protocol):
    """A rubric with the version it was read from (a pinned version, or a draft's stand-in
    whose ``number`` is "draft" and which has no ``content_hash``)."""

    rubric: Rubric
    version: object


def criterion_items(rubric: Rubric, types: Mapping[str, CriterionType]
                    ) -> tuple[CriterionItem, ...]:
    items = []
    for index, criterion in enumerate(rubric.criteria):
        kind = types.get(criterion.type)
        options = tuple(kind.options(rubric.scale)) if kind else ()
        descriptors = []
        for level in rubric.scale.levels:
            text = criterion.level_descriptors.get(level.id)
            if text:
                descriptors.append((level.label, text))
        for option in options:
            text = criterion.level_descriptors.get(option.value)
            if text and not rubric.scale.has_level(option.value):
                descriptors.append((option.label, text))
        key = CriterionKey(rubric.id, criterion.id)
        items.append(CriterionItem(
            key=key,
            number=index + 1,
            label=f"{rubric.domain}, criterion {index + 1}",
            criterion=criterion,
            options=options,
            option_labels={o.value: o.label for o in options},
            descriptors=tuple(descriptors),
            ids={part: field_id(part, key) for part in ("rating", "na", "na-reason", "evidence")},
            scored=kind.scored if kind else True,
        ))
    return tuple(items)


def sections(pinned: Sequence[Pinned], types: Mapping[str, CriterionType]
             ) -> tuple[Section, ...]:
    """Each rubric with its criteria, in form order."""
    found = []
    for pin in pinned:
        rubric = pin.rubric
        content_hash = getattr(pin.version, "content_hash", None)
        cache_key = None if content_hash is None else (content_hash, tuple(sorted(types)))
        items = _items_of_version.get(cache_key) if cache_key else None
        if items is None:
            items = criterion_items(rubric, types)
            if cache_key:  # a draft being previewed is never kept
                _items_of_version[cache_key] = items
        found.append(Section(rubric, pin.version.number, items, cache_key))
    return tuple(found)


def with_prompts(shown: Sequence[Section], prompts: Mapping[str, Sequence[EvidencePrompt]]
                 ) -> tuple[Section, ...]:
    """The sections with the case record's ``prompts`` (by criterion id) beside the criteria
    they concern."""
    return tuple(replace(section, criteria=tuple(
        replace(item, prompts=tuple(prompts[item.key.criterion_id]))
        if prompts.get(item.key.criterion_id) else item for item in section.criteria))
        for section in shown)


def unscored_answers(shown: Sequence[Section], answers: Mapping[CriterionKey, Answer],
                     types: Mapping[str, CriterionType]) -> dict[str, str]:
    """The answer to each rubric made only of unscored judgements ("Is the child safe
    now?"), by rubric id, in words: shown where a graded domain shows its grade."""
    found = {}
    for section in shown:
        items = section.criteria
        if items and not any(item.scored for item in items if item.criterion.type in types):
            words = [item.option_labels.get(answers[item.key].rating or "", "Not answered")
                     for item in items if item.key in answers]
            found[section.rubric.id] = ", ".join(words) or "Not answered"
    return found
