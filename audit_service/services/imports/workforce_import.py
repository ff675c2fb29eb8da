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

from audit_service.domain.imports.case_records import RowError
from audit_service.domain.imports.workforce import (
    WorkerRecord,
    WorkforceFileError,
    read_workforce_census,
)
from audit_service.domain.vocabulary import EmploymentType
from audit_service.services.accounts.views import Account
from audit_service.services.errors import Invalid
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


def _changes(staff: Staff, worker: WorkerRecord) -> dict[str, object]:
    """The fields the census gives that differ from the record; a value it leaves out is
    left as it was."""
    wanted: dict[str, object] = {}
    if worker.agency is not None:
        wanted["employment_type"] = (EmploymentType.AGENCY if worker.agency
                                     else EmploymentType.PERMANENT).value
    if worker.started_on is not None:
        wanted["started_on"] = worker.started_on
    if worker.left_on is not None:
        wanted["left_on"] = worker.left_on
    return {name: value for name, value in wanted.items() if getattr(staff, name) != value}


def import_workforce(stream: BinaryIO, source_name: str, *, actor: Account | None = None,
                     actor_label: str | None = None, dry_run: bool = False) -> WorkforceReport:
    """Read the census from ``stream`` and update the staff records it matches; ``actor`` is
    the administrator who uploaded it (``actor_label`` names the command line instead)."""
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
        updated = unchanged = 0
        unmatched_rows = []
        for worker in workers:
            staff = by_number.get(worker.swe_number)
            if staff is None:
                unmatched_rows.append(worker.row)
                continue
            changes = _changes(staff, worker)
            if not changes:
                unchanged += 1
                continue
            updated += 1
            if not dry_run:
                Staff.update(**changes).where(Staff.id == staff.id).execute()
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
    wanted = list(numbers)
    found: dict[str, Staff] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update((s.swe_number, s) for s in Staff.select().where(Staff.swe_number.in_(chunk)))
    return found
