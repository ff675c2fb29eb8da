"""Reading the SSDA903 return (children looked after), one CSV table at a time.

A council sends the 903 as a set of CSVs keyed by ``CHILD``. Four tables carry what an
auditor of a child in care weighs and what sampling flags:

- ``episodes``: placements in the last 12 months (a placement continues through an episode
  that changed only the legal status, ``RNE`` L) and the current legal status;
- ``reviews``: the date of the last looked-after review;
- ``missing``: episodes missing or away from placement in the last 12 months;
- ``sw_episodes``: changes of social worker in the last 12 months (the first allocation is
  not a change).

Each table is recognised by its header, so a file's name does not matter. The other tables
(``header``, ``uasc``, ``oc2``, ``oc3``, ``ad1``, ``placed_adoption``, ``prev_perm``) hold
dates of birth, sex, ethnicity, health and adoption details and nothing the service keeps:
they are recognised and refused with that said. Dates are ``dd/mm/yyyy``; "the last 12
months" end on the import's ``as_of`` date.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from audit_service.domain.imports.annex_a.values import (
    CellProblem,
    display,
    parse_child_id,
    parse_date,
)
from audit_service.domain.imports.case_records import CaseEnrichment, RowError, SourceRef

#: Legal statuses of a child looked after, as the 903 codes them.
LEGAL_STATUSES: dict[str, str] = {
    "C1": "interim care order",
    "C2": "full care order",
    "D1": "freeing order granted",
    "E1": "placement order granted",
    "J1": "remanded to local authority accommodation or youth detention",
    "J2": "placed in local authority accommodation under PACE",
    "J3": "sentenced to a youth rehabilitation order with residence requirement",
    "L1": "under police protection and in local authority accommodation",
    "L2": "emergency protection order",
    "L3": "under child assessment order and in local authority accommodation",
    "V2": "single period of accommodation under section 20",
    "V3": "accommodated under an agreed series of short-term breaks (single placements)",
    "V4": "accommodated under an agreed series of short-term breaks (multiple placements)",
}
#: Reasons for a new episode; only L (legal status changed) keeps the same placement.
NEW_EPISODE_REASONS = frozenset({"S", "L", "P", "T", "U", "B"})
SAME_PLACEMENT = "L"

#: Tables that carry nothing the service keeps, each known by a column only it has.
UNUSED_TABLES: dict[str, str] = {
    "ETHNIC": "header",
    "DUC": "uasc",
    "SDQ_SCORE": "oc2",
    "IN_TOUCH": "oc3",
    "DATE_INT": "ad1",
    "DATE_PLACED": "placed_adoption",
    "PREV_PERM": "prev_perm",
}
#: Above any council's 903 table (the largest hold tens of thousands of rows).
MAX_ROWS = 500_000


class Ssda903FileError(ValueError):
    """Not a 903 table this service reads; the message says which it is, or why not."""


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class Table:
    """One table the service reads: its name, the columns it needs, and what it makes of a
    child's rows."""

    name: str
    columns: tuple[str, ...]
    facts: tuple[str, ...]
    summarise: Callable[[list[_Row], _Context], dict[str, object]]


@dataclass
class _Context:
    table: str
    as_of: dt.date
    problems: list[RowError]

    @property
    def year_ago(self) -> dt.date:
        try:
            return self.as_of.replace(year=self.as_of.year - 1)
        except ValueError:  # 29 February
            return self.as_of.replace(year=self.as_of.year - 1, day=28)

    def date(self, row: _Row, column: str, *, required: bool) -> dt.date | None:
        """The row's date, or a problem: a refusal when the row means nothing without it."""
        text = row.values.get(column, "")
        try:
            day = _dmy(text)
        except CellProblem as exc:
            self.problem(row, column, text, str(exc), refused=required)
            return None
        if day is None and required:
            self.problem(row, column, text, "no date", refused=True)
        elif day is not None and day > self.as_of:
            self.problem(row, column, text, f"after the import date ({self.as_of:%d/%m/%Y})",
                          refused=required)
            return None
        return day

    def problem(self, row: _Row, column: str, text: str, reason: str, *, refused: bool,
                outcome: str | None = None) -> None:
        """Record a refusal (the row is not read) or a warning (it is read without the value,
        or as ``outcome`` says)."""
        outcome = outcome or ("the row was not read" if refused else "the row was read without it")
        self.problems.append(RowError(self.table, row.number, column, display(text),
                                      f"{reason}; {outcome}", imported=not refused))


def _dmy(text: str) -> dt.date | None:
    """A 903 date (``dd/mm/yyyy``, read directly), or any date ``parse_date`` reads."""
    if len(text) == 10 and text[2] == "/" and text[5] == "/":
        try:
            return dt.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        except ValueError:
            pass  # parse_date says why in words
    return parse_date(text)


def _placements(rows: list[_Row], context: _Context) -> dict[str, object]:
    episodes = []
    for row in rows:
        started = context.date(row, "DECOM", required=True)
        if started is None:
            continue
        ended = context.date(row, "DEC", required=False)
        reason = row.values.get("RNE", "").upper()
        if reason not in NEW_EPISODE_REASONS:
            context.problem(row, "RNE", row.values.get("RNE", ""),
                            "not a reason for a new episode (S, L, P, T, U or B)", refused=False,
                            outcome="the episode was read as a new placement")
        episodes.append((started, ended, reason, row))
    if not episodes:
        return {}
    episodes.sort(key=lambda episode: (episode[0], episode[3].number))
    # A placement runs from its first episode to the start of the next placement, or to the
    # end of its last episode.
    starts = [index for index, (_, _, reason, _) in enumerate(episodes)
              if index == 0 or reason != SAME_PLACEMENT]
    placements = 0
    for position, first in enumerate(starts):
        begun = episodes[first][0]
        if position + 1 < len(starts):
            until: dt.date | None = episodes[starts[position + 1]][0]
        else:
            until = episodes[-1][1]
        if begun <= context.as_of and (until is None or until >= context.year_ago):
            placements += 1
    latest = episodes[-1]
    status = None
    if latest[1] is None:  # still looked after: the open episode's legal status
        code = latest[3].values.get("LS", "").upper()
        if code in LEGAL_STATUSES:
            status = code
        elif code:
            context.problem(latest[3], "LS", code, "not a legal status code", refused=False)
    return {"lac_placements_12m": placements, "legal_status": status}


def _last_review(rows: list[_Row], context: _Context) -> dict[str, object]:
    dates = [day for row in rows if (day := context.date(row, "REVIEW", required=True))]
    return {"last_review_on": max(dates)} if dates else {}


def _missing(rows: list[_Row], context: _Context) -> dict[str, object]:
    dates = [day for row in rows if (day := context.date(row, "MIS_START", required=True))]
    if not dates:
        return {}
    return {"missing_12m": sum(1 for day in dates if day >= context.year_ago)}


def _worker_changes(rows: list[_Row], context: _Context) -> dict[str, object]:
    episodes = sorted(
        (day, row.number, row.values.get("SW_ID", "").strip().upper())
        for row in rows if (day := context.date(row, "SW_DECOM", required=True))
    )
    if not episodes:
        return {}
    changes = 0
    for (_, _, before), (started, _, worker) in itertools.pairwise(episodes):
        if started >= context.year_ago and worker != before:
            changes += 1
    return {"sw_changes_12m": changes}


TABLES: tuple[Table, ...] = (
    Table("episodes", ("CHILD", "DECOM", "RNE", "LS"), ("lac_placements_12m", "legal_status"),
          _placements),
    Table("reviews", ("CHILD", "REVIEW"), ("last_review_on",), _last_review),
    Table("missing", ("CHILD", "MIS_START"), ("missing_12m",), _missing),
    Table("sw_episodes", ("CHILD", "SW_ID", "SW_DECOM"), ("sw_changes_12m",), _worker_changes),
)


def table_of(header: Sequence[str]) -> Table:
    """The table a header row belongs to; ``Ssda903FileError`` says why none fits."""
    columns = {column.strip().upper() for column in header}
    for table in TABLES:
        if set(table.columns) <= columns:
            return table
    if "CHILD" in columns:
        for column, name in UNUSED_TABLES.items():
            if column in columns:
                raise Ssda903FileError(
                    f"this is the SSDA903 {name} table, which holds nothing audit-service "
                    "keeps (it never stores children's dates of birth, sex, ethnicity or "
                    "health details); import the episodes, reviews, missing or sw_episodes "
                    "tables")
    wanted = "; ".join(f"{table.name}: {', '.join(table.columns)}" for table in TABLES)
    raise Ssda903FileError(f"this is not an SSDA903 table this service reads: its header "
                           f"needs the columns of one of them ({wanted})")


def looks_like_903(head: bytes) -> bool:
    """True when the first line names the ``CHILD`` key column, as every 903 table does."""
    line = _decode(head.split(b"\n", 1)[0]).strip()
    return "CHILD" in {column.strip().upper() for column in line.split(",")}


def _decode(data: bytes) -> str:
    try:
        return codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError:
        return codecs.decode(data, "cp1252", errors="replace")


def read_ssda903(stream: BinaryIO, *, as_of: dt.date) -> Iterator[CaseEnrichment | RowError]:
    """A ``CaseEnrichment`` per child with readable rows, and a ``RowError`` per problem.

    A row without a child id, or without the date it is about, is refused; a child's facts are
    worked out from the rest of their rows. Raises ``Ssda903FileError`` for a file that is
    not a table read here.
    """
    reader = csv.reader(io.StringIO(_decode(stream.read()), newline=""))
    header = next(reader, None)
    if not header:
        raise Ssda903FileError("the file is empty: an SSDA903 table starts with its header row")
    table = table_of(header)
    names = [column.strip().upper() for column in header]
    context = _Context(table.name, as_of, [])
    by_child: dict[str, list[_Row]] = {}
    first_row: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if number > MAX_ROWS:
            raise Ssda903FileError(f"the table has more than {MAX_ROWS:,} rows, more than any "
                                   "council's return; it was not read")
        if not any(cell.strip() for cell in cells):
            continue
        row = _Row(number, dict(zip(names, (cell.strip() for cell in cells), strict=False)))
        raw = row.values.get("CHILD", "")
        try:
            child_id = parse_child_id(raw)
        except CellProblem as exc:
            context.problem(row, "CHILD", raw, str(exc), refused=True)
            continue
        if child_id is None:
            context.problem(row, "CHILD", raw, "no child id", refused=True)
            continue
        by_child.setdefault(child_id, []).append(row)
        first_row.setdefault(child_id, number)
    for child_id, rows in by_child.items():
        before = len(context.problems)
        facts = table.summarise(rows, context)
        refused = len({p.row for p in context.problems[before:] if not p.imported})
        if facts:  # rows refused here are counted with the problems, not the child's rows
            yield CaseEnrichment(child_id, SourceRef(table.name, first_row[child_id]),
                                 tuple(facts.items()), rows=len(rows) - refused)
    yield from sorted(context.problems, key=lambda problem: problem.row)
