"""Retention: anonymise closed cases, and their audits, once they are past retention.

A case is past retention when it was closed more than ``AUDIT_RETENTION_YEARS``
(default 7) whole years ago. We anonymise rather than delete, so that the
council's practice-quality figures for past years do not change:

- the case's ``child_id`` becomes ``anonymised:<random hash>`` (salted with fresh
  randomness, so it cannot be matched back to the child by hashing candidate ids);
- every free-text field written about the child is removed: each rating's evidence
  and N/A reason, the practitioner's response, and the description of each agreed
  action. Ratings, grades, scores, dates, teams and workers stay.

Each anonymised case is one transaction with its ``retention.anonymised`` event;
the run ends with one ``retention.run`` event. The audit trail itself is never
changed (it is append-only), so its events must not carry a child's id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass

from audit_service.config import positive_int
from audit_service.domain.vocabulary import CaseStatus
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import Audit, AuditAction, AuditRating, Case, utcnow

DEFAULT_YEARS = 7
YEARS_SETTING = "AUDIT_RETENTION_YEARS"
ANONYMISED_PREFIX = "anonymised:"
REMOVED = "[removed after the retention period]"
ACTOR = "system:retention"


@dataclass(frozen=True)
class RetentionReport:
    """What a run did (or, with ``dry_run``, would do)."""

    today: dt.date
    years: int
    cutoff: dt.date
    dry_run: bool
    cases: tuple[str, ...]
    audits: int
    ratings_cleared: int
    responses_cleared: int
    actions_cleared: int

    @property
    def anonymised(self) -> int:
        return len(self.cases)

    def summary(self) -> str:
        verb = "would anonymise" if self.dry_run else "anonymised"
        return (
            f"{verb} {self.anonymised} case(s) closed on or before {self.cutoff:%Y-%m-%d} "
            f"({self.years} years' retention): {self.audits} audit(s), "
            f"{self.ratings_cleared} rating(s) of evidence, {self.responses_cleared} "
            f"response(s), {self.actions_cleared} action description(s)"
        )


def retention_years(environ: dict[str, str] | None = None) -> int:
    return positive_int(os.environ if environ is None else environ, YEARS_SETTING, DEFAULT_YEARS)


def cutoff_date(today: dt.date, years: int) -> dt.date:
    """The last closure date that is past retention on ``today`` (29 February → 28th)."""
    year = today.year - years
    try:
        return today.replace(year=year) - dt.timedelta(days=1)
    except ValueError:
        return dt.date(year, 2, 28) - dt.timedelta(days=1)


def anonymised_marker(child_id: str) -> str:
    salt = secrets.token_bytes(16)
    return ANONYMISED_PREFIX + hashlib.sha256(salt + child_id.encode()).hexdigest()


def due_cases(cutoff: dt.date):
    return (
        Case.select()
        .where(
            (Case.status == CaseStatus.CLOSED.value)
            & Case.closed_on.is_null(False)
            & (Case.closed_on <= cutoff)
            & ~Case.child_id.startswith(ANONYMISED_PREFIX)
        )
        .order_by(Case.closed_on, Case.id)
    )


def _free_text_counts(audit_ids: list[int]) -> tuple[int, int, int]:
    if not audit_ids:
        return 0, 0, 0
    ratings = (
        AuditRating.select()
        .where(
            AuditRating.audit.in_(audit_ids)
            & ((AuditRating.evidence != "") | AuditRating.na_reason.is_null(False))
        )
        .count()
    )
    responses = (
        Audit.select().where(Audit.id.in_(audit_ids) & Audit.response.is_null(False)).count()
    )
    actions = AuditAction.select().where(AuditAction.audit.in_(audit_ids)).count()
    return ratings, responses, actions


def _anonymise(case: Case, audit_ids: list[int], counts: tuple[int, int, int]) -> None:
    with database.atomic():
        Case.update(child_id=anonymised_marker(case.child_id), updated_at=utcnow()).where(
            Case.id == case.id
        ).execute()
        if audit_ids:
            AuditRating.update(evidence="").where(AuditRating.audit.in_(audit_ids)).execute()
            AuditRating.update(na_reason=REMOVED).where(
                AuditRating.audit.in_(audit_ids) & AuditRating.na_reason.is_null(False)
            ).execute()
            # A new version makes any form still open on these audits stale.
            Audit.update(response=None, version=Audit.version + 1, updated_at=utcnow()).where(
                Audit.id.in_(audit_ids)
            ).execute()
            AuditAction.update(description=REMOVED, version=AuditAction.version + 1).where(
                AuditAction.audit.in_(audit_ids)
            ).execute()
        audit_trail.record(
            "retention.anonymised",
            actor_label=ACTOR,
            object_type="case",
            object_id=case.public_id,
            after={
                "closed_on": case.closed_on.isoformat(),
                "audits": len(audit_ids),
                "ratings_cleared": counts[0],
                "responses_cleared": counts[1],
                "actions_cleared": counts[2],
            },
        )


def run_retention(
    today: dt.date, *, years: int | None = None, dry_run: bool = False
) -> RetentionReport:
    """Anonymise every closed case past retention on ``today``, with its audits.

    Safe to run again (an anonymised case is never picked twice) and to stop part
    way (each case is anonymised whole or not at all). The scheduler calls it.
    """
    years = retention_years() if years is None else years
    if years < 1:
        raise ValueError(f"retention must be at least 1 year, not {years}")
    cutoff = cutoff_date(today, years)
    done: list[str] = []
    totals = [0, 0, 0, 0]
    for case in list(due_cases(cutoff)):
        audit_ids = [a.id for a in Audit.select(Audit.id).where(Audit.case == case.id)]
        counts = _free_text_counts(audit_ids)
        if not dry_run:
            _anonymise(case, audit_ids, counts)
        done.append(case.public_id)
        for i, value in enumerate((len(audit_ids), *counts)):
            totals[i] += value
    report = RetentionReport(
        today=today, years=years, cutoff=cutoff, dry_run=dry_run, cases=tuple(done),
        audits=totals[0], ratings_cleared=totals[1], responses_cleared=totals[2],
        actions_cleared=totals[3],
    )
    if not dry_run:
        audit_trail.record(
            "retention.run",
            actor_label=ACTOR,
            object_type="retention",
            object_id=today.isoformat(),
            after={"years": years, "cutoff": cutoff.isoformat(), "cases": report.anonymised,
                   "audits": report.audits, "ratings_cleared": report.ratings_cleared,
                   "responses_cleared": report.responses_cleared,
                   "actions_cleared": report.actions_cleared},
        )
    return report
