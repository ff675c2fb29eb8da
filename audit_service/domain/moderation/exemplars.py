"""Checks that an excerpt of practice is safe to share: no child identifiers in it.

Exemplars are read across the service, by people with no reason to know which
child a piece of practice was about. So an excerpt is refused if it carries a
child's case id, a full date (a date of birth is the likeliest), or a postcode.
The checks are deliberately cautious: rewording "born 03/04/2019" as "aged 4"
costs the quality lead a minute; a leaked identifier cannot be taken back.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
NUMERIC_DATE = re.compile(
    r"\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2})\b"
)
WORDED_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:{MONTHS})\.?,?\s+\d{{2,4}}"
    rf"|(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b",
    re.IGNORECASE,
)
# UK postcodes, full ("SW1A 1AA", "m1 1ae") or outward code with sector ("LS6 2").
POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|GIR\s*0AA)\b", re.IGNORECASE
)
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.]*[A-Za-z0-9]|[A-Za-z0-9]")
MAX_EXCERPT = 2_000


@dataclass(frozen=True)
class IdentifierProblem:
    kind: str  # "child_id", "date", "postcode", "empty", "length"
    found: str
    message: str


def candidate_tokens(text: str) -> set[str]:
    """Every word-like run that could be a case id, with and without inner punctuation."""
    tokens: set[str] = set()
    for match in TOKEN.finditer(text):
        token = match.group(0)
        tokens.add(token)
        tokens.add(token.upper())
        tokens.update(part for part in re.split(r"[/.]", token) if part)
    return tokens


def identifier_problems(text: str, case_child_id: str | None,
                        known_child_ids: Collection[str]) -> list[IdentifierProblem]:
    """What makes ``text`` unsafe to share, each with a message saying what to change.

    ``known_child_ids`` are the child ids in the database found among the text's
    candidate tokens (the caller looks them up, so the check costs one query).
    """
    problems: list[IdentifierProblem] = []
    stripped = text.strip()
    if not stripped:
        return [IdentifierProblem("empty", "", "Enter the excerpt to share")]
    if len(stripped) > MAX_EXCERPT:
        return [IdentifierProblem("length", "",
                                  f"The excerpt must be {MAX_EXCERPT:,} characters or fewer")]
    found_ids = set(known_child_ids)
    if case_child_id and case_child_id.casefold() in stripped.casefold():
        found_ids.add(case_child_id)
    for child_id in sorted(found_ids):
        problems.append(IdentifierProblem(
            "child_id", child_id,
            f"The excerpt contains the child ID “{child_id}”. Remove it: shared "
            "excerpts must not identify a child."))
    for pattern in (NUMERIC_DATE, WORDED_DATE):
        for match in pattern.finditer(stripped):
            problems.append(IdentifierProblem(
                "date", match.group(0),
                f"The excerpt contains the date “{match.group(0)}”, which could be a date "
                "of birth. Remove it or write the age or month instead."))
    for match in POSTCODE.finditer(stripped):
        problems.append(IdentifierProblem(
            "postcode", match.group(0),
            f"The excerpt contains what looks like a postcode, “{match.group(0)}”. "
            "Remove it: an address can identify a child."))
    return problems
