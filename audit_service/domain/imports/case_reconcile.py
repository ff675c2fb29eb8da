"""One case per child from the several rows that describe it.

A child on a CP plan is also on the children-in-need list, and a care leaver
may still appear in the children-in-care list: each list adds facts about the
same case. Merging here, before anything is written, means the import service
compares one settled set of facts per child with what it stored last time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from audit_service.domain.imports.annex_a.lists import LISTS, list_number
from audit_service.domain.imports.case_records import CaseRecord, ListRead, RowError
from audit_service.domain.names import name_key
from audit_service.domain.vocabulary import CASE_TYPE_PRECEDENCE, CaseStatus, CaseType

_RANK = {case_type: rank for rank, case_type in enumerate(CASE_TYPE_PRECEDENCE)}


@dataclass(frozen=True)
class Reconciled:
    #: One record per child, in the order children were first seen.
    cases: list[CaseRecord]
    #: The importer's row errors followed, in file order, by duplicate rows.
    errors: list[RowError]
    #: Distinct (sheet, row) pairs that produced a record or an error: those imported plus
    #: those refused.
    rows_read: int
    #: The lists read in full, in file order: only their case types may be closed.
    lists_read: tuple[ListRead, ...] = ()

    #: Rows refused: a problem stopped them being imported (a header row whose problem stopped
    #: its sheet counts as one).
    rows_refused: int = 0

    @property
    def warnings(self) -> int:
        """Values dropped from rows that were imported without them."""
        return sum(1 for error in self.errors if error.imported)

    @property
    def covered(self) -> frozenset[CaseType]:
        """The case types this file speaks for: a full import may close missing cases of
        these types, and of no other."""
        return frozenset(read.case_type for read in self.lists_read)


def _list_of(sheet: str) -> object:
    """Rows are duplicates when they are on the same list; a sheet is a list."""
    number = list_number(sheet)
    return number if number is not None else sheet


def _creates_case(record: CaseRecord) -> bool:
    """List 3 (referrals) only adds facts to children on the caseload lists."""
    number = list_number(record.source.sheet)
    spec = LISTS.get(number) if number is not None else None
    return spec is None or spec.creates_cases


def reconcile(items: Iterable[CaseRecord | RowError | ListRead]) -> Reconciled:
    """Group records by child, refuse repeated rows within one list, merge the rest."""
    by_child: dict[str, list[CaseRecord]] = {}
    first_row: dict[tuple[str, object], CaseRecord] = {}
    errors: list[RowError] = []
    rows: set[tuple[str, int]] = set()
    lists_read: list[ListRead] = []
    imported = 0
    for item in items:
        if isinstance(item, ListRead):
            lists_read.append(item)
            continue
        if isinstance(item, RowError):
            errors.append(item)
            rows.add((item.sheet, item.row))
            continue
        rows.add((item.source.sheet, item.source.row))
        key = (item.child_id, _list_of(item.source.sheet))
        first = first_row.get(key)
        if first is not None:
            where = (
                f"row {first.source.row}"
                if first.source.sheet == item.source.sheet
                else f"{first.source.sheet}, row {first.source.row}"
            )
            errors.append(RowError(
                item.source.sheet,
                item.source.row,
                "Child Unique ID",
                item.child_id,
                f"duplicate row for child {item.child_id}, first seen at {where}; "
                "the row was not imported",
            ))
            continue
        first_row[key] = item
        imported += 1  # one record a row, so kept records are the rows imported
        by_child.setdefault(item.child_id, []).append(item)
    cases = [
        merge(records)
        for records in by_child.values()
        if any(_creates_case(r) for r in records)
    ]
    return Reconciled(cases, errors, len(rows), tuple(lists_read), len(rows) - imported)


def merge(records: list[CaseRecord]) -> CaseRecord:
    """The case a child's records describe together.

    The case is filed under its most intensive open involvement
    (``CASE_TYPE_PRECEDENCE``); it is closed only when every episode is.
    """
    episodes = [r for r in records if _creates_case(r)]
    if not episodes:
        raise ValueError(f"child {records[0].child_id} is on no caseload list")
    still_open = [r for r in episodes if r.closed_on is None]
    # min() keeps the first of equals, so file order breaks ties.
    lead = min(still_open or episodes, key=lambda r: _RANK[r.case_type])
    by_precedence = [lead, *sorted((r for r in episodes if r is not lead),
                                   key=lambda r: _RANK[r.case_type])]
    everything = [*by_precedence, *(r for r in records if r not in episodes)]

    def first(attr: str, among: list[CaseRecord] = everything) -> object:
        return next((getattr(r, attr) for r in among if getattr(r, attr) is not None), None)

    allocated = next((r for r in by_precedence if r.team_name or r.worker_name), lead)
    last_closed = None if still_open else max(episodes, key=lambda r: r.closed_on)
    seen = [r.last_seen_on for r in records if r.last_seen_on is not None]
    return CaseRecord(
        child_id=lead.child_id,
        case_type=lead.case_type,
        source=lead.source,
        team_name=allocated.team_name,
        worker_name=allocated.worker_name,
        opened_on=lead.opened_on or min(
            (r.opened_on for r in episodes if r.opened_on), default=None
        ),
        closed_on=last_closed.closed_on if last_closed else None,
        closure_reason=last_closed.closure_reason if last_closed else None,
        age_band=first("age_band"),
        last_seen_on=max(seen) if seen else None,
        seen_alone=first("seen_alone", by_precedence),
        referrals_12m=first("referrals_12m"),
        previous_cp_plans=first("previous_cp_plans", by_precedence),
        placements_12m=first("placements_12m", by_precedence),
    )


def status_of(record: CaseRecord) -> CaseStatus:
    return CaseStatus.CLOSED if record.closed_on is not None else CaseStatus.OPEN


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def facts_hash(record: CaseRecord) -> str:
    """A fingerprint of what the file says about a case, so a re-import can skip unchanged ones.

    Where the row came from is not a fact, and names are compared as
    ``name_key`` so a stray non-breaking space is not a change.
    """
    facts = {
        "child_id": record.child_id,
        "case_type": str(record.case_type),
        "team": name_key(record.team_name) if record.team_name else None,
        "worker": name_key(record.worker_name) if record.worker_name else None,
        "opened_on": _plain(record.opened_on),
        "closed_on": _plain(record.closed_on),
        "closure_reason": record.closure_reason,
        "age_band": str(record.age_band) if record.age_band else None,
        "last_seen_on": _plain(record.last_seen_on),
        "seen_alone": record.seen_alone,
        "referrals_12m": record.referrals_12m,
        "previous_cp_plans": record.previous_cp_plans,
        "placements_12m": record.placements_12m,
    }
    encoded = json.dumps(facts, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()
