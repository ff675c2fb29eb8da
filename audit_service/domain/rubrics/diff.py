"""A readable, field-by-field difference between two rubric documents.

Quality leads compare versions before publishing and when an audit's grade
looks different from last year's. They need "criterion 'child_seen': weight
1 -> 2", not a JSON diff, so criteria, levels and rules are matched by id
(bands by grade) and each change names its subject, field and both values.
Long text is compared word by word with ``difflib``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
MOVED = "moved"
LONG_TEXT = 60

DETAIL_FIELDS = ("title", "domain", "version_notes", "case_types")
SECTIONS = (
    ("scale", "level", "id"),
    ("criteria", "criterion", "id"),
    ("grade_bands", "grade band", "grade"),
    ("limiting_rules", "limiting rule", "id"),
)


@dataclass(frozen=True)
class TextPiece:
    """A run of words: ``op`` is "same", "removed" or "added"."""

    op: str
    text: str


@dataclass(frozen=True)
class Change:
    """One difference. ``field`` is empty when a whole item was added or removed."""

    section: str
    kind: str
    subject: str
    field: str = ""
    old: Any = None
    new: Any = None
    words: tuple[TextPiece, ...] = ()

    def describe(self) -> str:
        if self.kind == ADDED:
            return f"{self.subject} added"
        if self.kind == REMOVED:
            return f"{self.subject} removed"
        if self.kind == MOVED:
            return f"{self.subject} moved from position {self.old} to {self.new}"
        return f"{self.subject}: {self.field} changed from {shown(self.old)} to {shown(self.new)}"


def shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(v)}" for k, v in sorted(value.items())) or "none"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def word_diff(old: str, new: str) -> tuple[TextPiece, ...]:
    """Word-level pieces showing what was removed and added, for long text."""
    a, b = old.split(), new.split()
    pieces: list[TextPiece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(TextPiece("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(TextPiece("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(TextPiece("added", " ".join(b[j1:j2])))
    return tuple(pieces)


def _is_long(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value)


def _field_changes(section: str, subject: str, old: Mapping[str, Any],
                   new: Mapping[str, Any], skip: str = "") -> list[Change]:
    changes = []
    for name in sorted(set(old) | set(new), key=lambda n: (list(old) + list(new)).index(n)):
        if name == skip:
            continue
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        words: tuple[TextPiece, ...] = ()
        texts = (before or "", after or "")
        if all(isinstance(t, str) for t in texts) and any(_is_long(t) for t in texts):
            words = word_diff(*texts)
        changes.append(Change(section, CHANGED, subject, name, before, after, words))
    return changes


def _items(document: Mapping[str, Any], section: str, key: str) -> list[Mapping[str, Any]]:
    items = document.get(section) or []
    return [item for item in items if isinstance(item, Mapping) and key in item]


def _section_changes(old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], section: str,
                     noun: str, key: str) -> list[Change]:
    old_items = {str(i[key]): (n, i) for n, i in enumerate(_items(old_doc, section, key), 1)}
    new_items = {str(i[key]): (n, i) for n, i in enumerate(_items(new_doc, section, key), 1)}
    changes: list[Change] = []
    for ident, (_, item) in old_items.items():
        if ident not in new_items:
            changes.append(Change(section, REMOVED, f"{noun} {ident!r}", old=dict(item)))
    for ident, (position, item) in new_items.items():
        subject = f"{noun} {ident!r}"
        if ident not in old_items:
            changes.append(Change(section, ADDED, subject, new=dict(item)))
            continue
        old_position, old_item = old_items[ident]
        changes.extend(_field_changes(section, subject, old_item, item, skip=key))
        if _rank(old_items, ident, new_items) != _rank(new_items, ident, old_items):
            changes.append(Change(section, MOVED, subject, old=old_position, new=position))
    return changes


def _rank(items: Mapping[str, tuple[int, Any]], ident: str, other: Mapping[str, Any]) -> int:
    """Position among the items both versions share, so an insertion is not a move."""
    shared = [i for i in items if i in other]
    return shared.index(ident)


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every difference from ``old`` to ``new``; empty when they say the same thing."""
    details = {name: old.get(name) for name in DETAIL_FIELDS}
    changes = _field_changes("details", "rubric", details,
                             {name: new.get(name) for name in DETAIL_FIELDS})
    for section, noun, key in SECTIONS:
        changes.extend(_section_changes(old, new, section, noun, key))
    return changes


def summary(changes: Sequence[Change]) -> str:
    """"3 changes: 1 criterion added, 2 fields changed" style headline."""
    if not changes:
        return "No differences: the two versions say the same thing."
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    parts = [f"{n} {kind}" for kind, n in counts.items()]
    return f"{len(changes)} difference{'s' if len(changes) != 1 else ''}: {', '.join(parts)}"
