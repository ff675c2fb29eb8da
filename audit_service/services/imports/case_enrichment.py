"""Adding a statutory return's facts to the cases the caseload already holds.

A return (the CIN census, an SSDA903 table) names children, not teams or workers, so it
never creates, allocates or closes a case: it fills the return's own columns of each case with
the same child id, open or closed. A child with no case here is reported, and nothing about
them is kept. Only the columns the return speaks for are compared and written, so a re-import
of the same file changes nothing and one table never wipes another's facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from audit_service.domain.imports.case_reconcile import Reconciled
from audit_service.domain.imports.case_records import CaseEnrichment, ListRead, RowError
from audit_service.services.imports.bulk_writes import chunks, update_by_id
from audit_service.storage.models import Case, utcnow

NOT_IN_CASELOAD = ("no case here has this child id, so nothing about the child was kept; "
                   "import the Annex A caseload first if the child should have one")


@dataclass
class EnrichmentPlan:
    """What a return will change, worked out before anything is written."""

    #: As a caseload import reports it: rows read and refused, and every problem, children
    #: with no case among them.
    read: Reconciled
    updated: int = 0
    unchanged: int = 0
    #: Rows to write, grouped by the columns they set: (values..., case id).
    writes: dict[tuple[str, ...], list[tuple]] = field(default_factory=dict)


def plan_enrichment(items: Iterable[CaseEnrichment | RowError | ListRead]) -> EnrichmentPlan:
    """Match each child to their case and compare the return's facts with what is stored."""
    enrichments: list[CaseEnrichment] = []
    errors: list[RowError] = []
    for item in items:
        if isinstance(item, CaseEnrichment):
            enrichments.append(item)
        elif isinstance(item, RowError):
            errors.append(item)
    # Rows a problem stopped; every row of a child with no case is refused too.
    refused = len({(e.sheet, e.row) for e in errors if not e.imported})
    stored = _stored(enrichments)
    updated = unchanged = unmatched_rows = 0
    writes: dict[tuple[str, ...], list[tuple]] = {}
    for enrichment in enrichments:
        names = tuple(name for name, _ in enrichment.facts)
        values = tuple(value for _, value in enrichment.facts)
        case = stored.get(enrichment.child_id)
        if case is None:
            errors.append(RowError(enrichment.source.sheet, enrichment.source.row, "child id",
                                   enrichment.child_id, NOT_IN_CASELOAD))
            unmatched_rows += enrichment.rows
            continue
        if tuple(case[name] for name in names) == values:
            unchanged += 1
            continue
        updated += 1
        writes.setdefault(names, []).append((*values, case["id"]))
    rows_read = sum(enrichment.rows for enrichment in enrichments) + refused
    return EnrichmentPlan(Reconciled([], errors, rows_read, (), refused + unmatched_rows),
                          updated, unchanged, writes)


def _stored(enrichments: list[CaseEnrichment]) -> dict[str, dict[str, object]]:
    """The stored facts of every case the return names, by child id."""
    names = sorted({name for enrichment in enrichments for name, _ in enrichment.facts})
    columns = [Case.id, Case.child_id, *(getattr(Case, name) for name in names)]
    ids = [enrichment.child_id for enrichment in enrichments]
    found: dict[str, dict[str, object]] = {}
    for chunk in chunks(ids):
        for row in Case.select(*columns).where(Case.child_id.in_(list(chunk))).dicts():
            found[row["child_id"]] = row
    return found


def write_enrichment(plan: EnrichmentPlan) -> None:
    now = utcnow()
    for names, rows in plan.writes.items():
        update_by_id(Case, (*names, "updated_at"),
                     [(*row[:-1], now, row[-1]) for row in rows])
