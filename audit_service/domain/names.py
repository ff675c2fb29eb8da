"""Matching people and teams typed as free text in case-system exports."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Trim and collapse whitespace, including the non-breaking spaces exports carry."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def name_key(value: str) -> str:
    """The key two spellings of one name share: case and spacing do not matter."""
    return clean_text(value).casefold()
