"""Finding Annex A columns by heading, however a council's export spells them.

Headings are compared after folding case, quotes, punctuation, runs of
whitespace and non-breaking spaces, and each field lists the variants seen in
real workbooks. Columns are found by heading, never by position.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from audit_service.domain.imports.annex_a.values import printable
from audit_service.domain.names import clean_text

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def header_key(text: object) -> str:
    """The key two spellings of a heading share.

    ``'Was the Child\\xa0Seen  Alone?'`` and ``'was the child seen alone'`` match.
    """
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES).casefold()
    folded = folded.replace("'", "")
    return _NOT_WORD.sub(" ", folded).strip()


class Need(Enum):
    """What happens when a sheet lacks the column."""

    REQUIRED = "required"  # the sheet cannot be read
    EXPECTED = "expected"  # reported once; rows are read without it
    OPTIONAL = "optional"  # silently absent


@dataclass(frozen=True)
class Field:
    """One column we read: its canonical Annex A heading, variants and cell parser."""

    key: str
    heading: str
    parse: Callable[[object], object]
    variants: tuple[str, ...] = ()
    need: Need = Need.EXPECTED
    #: Searched in a heading's key when no variant matches it exactly: the looser spellings
    #: councils send ("Child Identifier", "Child's Date of Birth", "Sum of Number of ...").
    pattern: str | None = None
    keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "keys", frozenset(header_key(h) for h in (self.heading, *self.variants))
        )


@dataclass(frozen=True)
class Column:
    field: Field
    index: int
    heading: str


@dataclass(frozen=True)
class HeaderMatch:
    columns: dict[str, Column]
    missing: tuple[Field, ...]
    #: (field, heading as written, first column index, repeated column index)
    repeated: tuple[tuple[Field, str, int, int], ...]


def column_letter(index: int) -> str:
    """Spreadsheet letters for a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def match_headers(cells: Sequence[object], fields: Sequence[Field]) -> HeaderMatch:
    """Which column holds each field; the first of repeated headings wins."""
    by_key = {key: f for f in fields for key in f.keys}
    columns: dict[str, Column] = {}
    repeated = []
    for index, cell in enumerate(cells):
        found = by_key.get(header_key(cell))
        if found is None:
            continue
        heading = printable(clean_text(str(cell)))
        if found.key in columns:
            repeated.append((found, heading, columns[found.key].index, index))
            continue
        columns[found.key] = Column(found, index, heading)
    taken = {column.index for column in columns.values()} | {r[3] for r in repeated}
    for loose in (f for f in fields if f.pattern and f.key not in columns):
        index = next((i for i, cell in enumerate(cells) if i not in taken
                      and re.search(loose.pattern, header_key(cell))), None)
        if index is not None:
            taken.add(index)
            columns[loose.key] = Column(loose, index, printable(clean_text(str(cells[index]))))
    missing = tuple(f for f in fields if f.key not in columns)
    return HeaderMatch(columns, missing, tuple(repeated))
