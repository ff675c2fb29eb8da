"""Reading one Annex A cell: dates, counts, lettered codes, and the ways a cell says "nothing".

Every parser raises ``CellProblem`` with a reason a data officer can act on;
the row reader turns that into a ``RowError`` naming the sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from audit_service.domain.names import clean_text


class CellProblem(ValueError):
    """A cell whose value cannot be used; the message is the plain-words reason."""


@dataclass(frozen=True, slots=True)
class UncalculatedFormula:
    """A formula cell saved without a result (the file was written by a program, not Excel)."""

    formula: str

    def __str__(self) -> str:
        return self.formula if self.formula.startswith("=") else f"={self.formula}"


@dataclass(frozen=True, slots=True)
class SpreadsheetError:
    """A cell holding a spreadsheet error such as ``#REF!`` (``#N/A`` counts as blank)."""

    code: str

    def __str__(self) -> str:
        return self.code


# Excel's day 0 is 1899-12-30 once its 1900 leap-year bug is accounted for.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_FIRST_SAFE_SERIAL = 61  # 1900-03-01; earlier serials are off by one in Excel
_EXCEL_LAST_SERIAL = 2_958_465  # 9999-12-31

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]00:00(?::00)?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_LETTER = re.compile(r"^\(?([a-z])\)\s*(.*)$", re.IGNORECASE)
# Control characters other than tab and line breaks: PostgreSQL cannot store NUL, and
# none of them can be shown in a page.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: More referrals, plans or placements than any child has: a bigger number is a typo or a
#: pasted id (and past 2**31 it would overflow the database's integer columns).
MAX_COUNT = 1_000_000


def is_missing(value: object) -> bool:
    """Blank cells, whitespace and ``#N/A`` (a failed lookup in the council's workbook)."""
    if value is None:
        return True
    if isinstance(value, SpreadsheetError):
        return value.code.strip().upper() == "#N/A"
    if isinstance(value, str):
        # str.strip() also strips non-breaking spaces; this runs for every cell.
        text = value.strip()
        return not text or (len(text) <= 8 and text.replace(" ", "").upper() == "#N/A")
    return False


def printable(text: str) -> str:
    """``text`` with each control character shown as U+FFFD, so it can be stored and shown."""
    return _CONTROL.sub("\ufffd", text)


def display(value: object) -> str:
    """The cell as a person would see it, for the ``value`` of a row error."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return printable(str(value))


def _refuse_special(value: object) -> None:
    if isinstance(value, UncalculatedFormula):
        raise CellProblem(
            "the cell holds a formula with no saved result; "
            "open the file in Excel, let it calculate and save it again"
        )
    if isinstance(value, SpreadsheetError):
        raise CellProblem(f"the cell holds the spreadsheet error {value.code}")


def parse_date(value: object) -> dt.date | None:
    """An Excel date, an Excel day number, or ``dd/mm/yyyy`` text (``yyyy-mm-dd`` also read)."""
    if is_missing(value):
        return None
    _refuse_special(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellProblem("expected a date, found a true/false value")
    if isinstance(value, int | float):
        return _from_serial(value)
    text = clean_text(str(value))
    match = _DMY.match(text)
    if match:
        day, month, year = match.groups()
        if len(year) == 2:
            raise CellProblem("the year has only two digits; write dates as dd/mm/yyyy")
        return _real_date(int(year), int(month), int(day), text)
    match = _ISO.match(text)
    if match:
        year, month, day = match.groups()
        return _real_date(int(year), int(month), int(day), text)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _from_serial(float(text))
    raise CellProblem("not a date: expected dd/mm/yyyy")


def _real_date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellProblem(f"{text} is not a real date (day {day}, month {month})") from None


def _from_serial(serial: float) -> dt.date:
    if not _EXCEL_FIRST_SAFE_SERIAL <= serial <= _EXCEL_LAST_SERIAL:
        raise CellProblem("not a date: the number is outside the range of Excel dates")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_count(value: object) -> int | None:
    """A whole number of at least zero: referrals, plans, placements."""
    if is_missing(value):
        return None
    _refuse_special(value)
    if isinstance(value, bool):
        raise CellProblem("expected a whole number, found a true/false value")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellProblem("not a whole number")
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = clean_text(str(value))
        match = re.fullmatch(r"([+-]?)(\d+)(?:\.0+)?", text)
        if not match:
            raise CellProblem("not a whole number")
        digits = match.group(2).lstrip("0") or "0"
        if len(digits) > len(str(MAX_COUNT)):  # int() of a huge string is slow, then fails
            raise CellProblem(f"too large for a count (more than {MAX_COUNT:,})")
        number = int(match.group(1) + digits)
    if number < 0:
        raise CellProblem("a count cannot be negative")
    if number > MAX_COUNT:
        raise CellProblem(f"too large for a count (more than {MAX_COUNT:,})")
    return number


def parse_child_id(value: object) -> str | None:
    """The case system's child id as text; Excel turns numeric ids into numbers."""
    if is_missing(value):
        return None
    _refuse_special(value)
    if isinstance(value, bool):
        raise CellProblem("expected a child id, found a true/false value")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellProblem("a child id cannot be a fraction")
        value = int(value)
    if isinstance(value, int):
        if value.bit_length() > 4000:  # over 1,200 digits; str() fails past 4,300
            raise CellProblem(f"longer than {MAX_TEXT} characters")
        return _fits(str(value))
    if isinstance(value, dt.date):
        raise CellProblem("expected a child id, found a date")
    return _fits(clean_text(str(value)))


#: Names, ids and reasons are stored in 255-character columns.
MAX_TEXT = 255


def _fits(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise CellProblem(f"longer than {MAX_TEXT} characters")
    if _CONTROL.search(text):
        raise CellProblem("the cell holds a control character (such as NUL), which cannot "
                          "be stored; retype the value")
    return text


def parse_text(value: object) -> str | None:
    """Free text with spacing (including non-breaking spaces) tidied."""
    if is_missing(value):
        return None
    _refuse_special(value)
    return _fits(clean_text(display(value))) or None


#: What councils type where nobody is allocated: no team or worker of that name exists.
UNALLOCATED = frozenset({"unallocated", "not allocated", "none allocated", "no worker",
                         "no team", "not applicable", "n/a", "none", "-"})


def parse_allocation(value: object) -> str | None:
    """A team or worker name; ``Unallocated``, ``Not allocated`` and the like mean nobody
    (the case is unallocated), never a team or person called that."""
    text = parse_text(value)
    if text is None or text.casefold().strip(" .") in UNALLOCATED:
        return None
    return text


def parse_coded_text(value: object) -> str | None:
    """Free text that may carry an Annex A letter: ``'k) E47: SGO'`` -> ``'E47: SGO'``."""
    text = parse_text(value)
    if text is None:
        return None
    match = _LETTER.match(text)
    return (match.group(2).strip() or text) if match else text


def _code_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", clean_text(text).casefold()).strip()


@dataclass(frozen=True, slots=True)
class Code:
    letter: str
    label: str
    aliases: tuple[str, ...] = ()


class CodeList:
    """An Annex A coded column: ``c) Child in need plan``, or the bare ``Child in need plan``.

    The words decide when they are known; the letter is used only when the words
    are missing or unknown, because councils' templates do not always letter alike.
    """

    def __init__(self, name: str, codes: tuple[Code, ...]):
        self.name = name
        self.codes = codes
        self._by_letter = {c.letter: c for c in codes}
        self._by_words = {_code_key(w): c for c in codes for w in (c.label, *c.aliases)}

    def expected(self) -> str:
        return ", ".join(f"{c.letter}) {c.label}" for c in self.codes)

    def parse(self, value: object) -> Code | None:
        if is_missing(value):
            return None
        _refuse_special(value)
        text = clean_text(display(value))
        letter, words = None, text
        match = _LETTER.match(text)
        if match:
            letter, words = match.group(1).casefold(), match.group(2)
        key = _code_key(words)
        found = self._by_words.get(key) if key else None
        if found is None and letter is not None and not key:
            found = self._by_letter.get(letter)
        if found is None:
            raise CellProblem(f"not a known {self.name}: expected one of {self.expected()}")
        return found


# The aliases are the spellings councils send, as a regional pipeline accepts them
# (liia-tools-pipeline's Annex A schema), compared without case, spacing or punctuation.
SEEN_ALONE = CodeList(
    "answer to whether the child was seen alone",
    (
        Code("a", "Yes", ("y", "true", "1", "1 yes", "seen", "seen alone", "child seen",
                          "child seen alone", "yes see care notes for details")),
        Code("b", "No", ("n", "false", "0", "0 no", "not seen", "not seen alone",
                         "child not seen", "child not seen alone")),
        Code("c", "Unknown", ("not known", "no visit new in last month")),
    ),
)

CASE_STATUS = CodeList(
    "Case Status",
    (
        Code("a", "Looked after child", ("looked after", "lac", "cla", "child looked after",
                                         "cla cp", "cla cpp", "cp cla")),
        Code("b", "Child protection plan", ("cp plan", "cpp", "cp", "cp ext",
                                            "child protection")),
        Code("c", "Child in need plan", ("cin plan", "child in need", "cin")),
        Code("d", "Open assessment", ("assessment", "open assessment in progress", "open asmt",
                                      "cf assessment in progress")),
        Code("e", "Closed episode", ("closed", "case closed", "closed case", "closed stepdown",
                                     "closed referral", "closed assessment", "care leaver")),
    ),
)


def parse_seen_alone(value: object) -> bool | None:
    """Yes, no, or not known (``c) Unknown`` in Ofsted's template): None."""
    code = SEEN_ALONE.parse(value)
    return None if code is None or code.letter == "c" else code.letter == "a"
