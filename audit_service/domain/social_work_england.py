"""Social Work England registration numbers: the one identifier a social worker keeps across a
council's systems, returns and employers.

Names are typed differently in every export, and email addresses change with employers; the
registration number does not. Accounts are linked to staff records by it, and the workforce
census matches its workers by it. Social Work England issues ``SW`` and digits; the census
and its synthetic samples carry other two-letter prefixes, so any two letters and digits are
accepted, compared without regard to case or spaces.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^[A-Z]{2}[0-9]{1,12}$")
_SPACES = re.compile(r"\s+")


class SweNumberError(ValueError):
    """Not a registration number; the message says what one looks like."""


def looks_like_swe_number(text: str | None) -> bool:
    return bool(_NUMBER.match(_SPACES.sub("", text or "").upper()))


def swe_number(text: str | None) -> str | None:
    """The number as stored (capitals, no spaces); None for nothing given."""
    compact = _SPACES.sub("", text or "").upper()
    if not compact:
        return None
    if not _NUMBER.match(compact):
        raise SweNumberError(
            f"Enter a Social Work England number as two letters and up to 12 digits, like "
            f"SW123456, not “{(text or '').strip()[:40]}”")
    return compact
