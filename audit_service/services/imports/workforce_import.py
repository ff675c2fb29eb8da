"""The workforce census brought onto staff records: agency status and dates in role.

A census worker is matched to a staff record by Social Work England number and nothing else:
names are typed differently in every system, and a wrong match would put one person's
employment on another's audits. A worker with no staff record of that number is reported,
never created (the census names nobody, and a person here is someone the caseload or an
administrator knows). Matching records are updated in one transaction, or, with ``dry_run``,
reported without a change. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from audit_service.domain.imports.annex_a.values import printable
from audit_service.domain.imports.case_records import RowError
from audit_service.domain.imports.workforce import (
    WorkerRecord,
    WorkforceFileError,
    read_workforce_census,
)
from audit_service.domain.vocabulary import EmploymentType
from audit_service.services.accounts.views import Account
from audit_service.services.errors import Invalid
from audit_service.services.imports.bulk_writes import chunks, update_by_id
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import Staff, User

#: Problems listed in a report; the counts always cover them all.
PROBLEMS_LISTED = 200


class WorkforceImportFailed(Invalid):
    """The file is not a workforce census; nothing was changed."""


@dataclass(frozen=True)
class WorkforceReport:
    """What an import read and did; the counts add up: ``workers_read`` is ``matched`` plus
    ``unmatched`` plus ``refused``, and ``matched`` is ``updated`` plus ``unchanged``."""

    source_name: str
    workers_read: int
    matched: int
    updated: int
    unchanged: int
    unmatched: int
    refused: int
    warnings: int
    dry_run: bool
    #: Rows (file order) of workers no staff record has the number of.
    unmatched_rows: tuple[int, ...] = ()
    problems: tuple[RowError, ...] = field(default=())

    @property
    def problems_left_out(self) -> int:
        return self.refused + self.warnings - len(self.problems)


#: What the census sets on a staff record, in the order ``_merged`` gives them.
FIELDS = ("employment_type", "started_on", "left_on")


def _merged(staff: Staff, worker: WorkerRecord) -> tuple:
    """The record's ``FIELDS`` with what the census gives; a value it leaves out is left as
    it was."""
    agency = (staff.employment_type if worker.agency is None
              else (EmploymentType.AGENCY if worker.agency else EmploymentType.PERMANENT).value)
    return (agency, worker.started_on or staff.started_on, worker.left_on or staff.left_on)


def import_workforce(stream: BinaryIO, source_name: str | None, *, actor: Account | None = None,
                     actor_label: str | None = None, dry_run: bool = False) -> WorkforceReport:
    """Read the census from ``stream`` and update the staff records it matches; ``actor`` is
    the administrator who uploaded it (``actor_label`` names the command line instead).
    ``source_name`` may be a browser's file name: it is made printable before it is kept or
    repeated back."""
    source_name = printable(source_name or "census.xml")
    workers: list[WorkerRecord] = []
    problems: list[RowError] = []
    try:
        for item in read_workforce_census(stream):
            (workers if isinstance(item, WorkerRecord) else problems).append(item)
    except WorkforceFileError as exc:
        raise WorkforceImportFailed(f"{source_name} was not imported: {exc}",
                                    {"file": str(exc)}) from None
    with database.atomic():
        by_number = _staff_by_number(w.swe_number for w in workers)
        unchanged = 0
        unmatched_rows = []
        changed: list[tuple] = []
        for worker in workers:
            staff = by_number.get(worker.swe_number)
            if staff is None:
                unmatched_rows.append(worker.row)
                continue
            merged = _merged(staff, worker)
            if merged == tuple(getattr(staff, name) for name in FIELDS):
                unchanged += 1
            else:
                changed.append((*merged, staff.id))
        if not dry_run:
            update_by_id(Staff, FIELDS, changed)
        updated = len(changed)
        refused = sum(1 for p in problems if not p.imported)
        report = WorkforceReport(
            source_name, len(workers) + refused, updated + unchanged, updated, unchanged,
            len(unmatched_rows), refused, len(problems) - refused, dry_run,
            tuple(unmatched_rows), tuple(problems[:PROBLEMS_LISTED]))
        if not dry_run:
            audit_trail.record(
                "workforce.imported", actor=User.get_by_id(actor.id) if actor else None,
                actor_label=actor_label, object_type="workforce_census",
                object_id=source_name[:200],
                after={k: getattr(report, k) for k in (
                    "workers_read", "matched", "updated", "unchanged", "unmatched", "refused",
                    "warnings")})
    return report


def _staff_by_number(numbers: Iterable[str]) -> dict[str, Staff]:
    found: dict[str, Staff] = {}
    columns = [Staff.id, Staff.swe_number] + [getattr(Staff, name) for name in FIELDS]
    for chunk in chunks(list(numbers)):
        found.update((s.swe_number, s) for s in
                     Staff.select(*columns).where(Staff.swe_number.in_(chunk)))
    return found
