"""A hand-built council whose every summary figure is known in advance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.models import (
    Audit,
    AuditAction,
    AuditRating,
    AuditRubric,
    Case,
    RoundCase,
    RubricDefinition,
    RubricVersion,
    SamplingPolicy,
    SamplingRound,
    Service,
    Staff,
    Team,
    User,
)
from tests.support.installed import installed

EVIDENCE = "Evidence text that must never reach HR: file note of 3 March."


def publish() -> dict[str, int]:
    catalogue = installed()
    rubric_versions.sync_installed(catalogue.rubrics)
    return {rid: vid for vid, rid in RubricVersion.select(RubricVersion.id,
            RubricDefinition.rubric_id).join(RubricDefinition).tuples()}


class Council:
    """Service "Safeguarding" with teams North and South; three practitioners."""

    def __init__(self):
        self.versions = publish()
        self.service = Service.create(name="Safeguarding")
        self.north = Team.create(name="North", service=self.service)
        self.south = Team.create(name="South", service=self.service)
        self.sup = Staff.create(name="Sue Super", name_key="sue super",
                                staff_role="team_manager", team=self.north)
        self.auditor = User.create(username="sue", display_name="Sue", role="supervisor",
                                   staff=self.sup)
        self.perm = self._staff("Pat Perm", self.north, "permanent", dt.date(2020, 1, 1))
        self.agency = self._staff("Alex Agency", self.north, "agency", dt.date(2026, 1, 10))
        self.south_worker = self._staff("Sam South", self.south, "permanent", None)
        self.policy = SamplingPolicy.create(scope="council", version=1, case_types=[],
                                            created_by="test")
        self.cases = 0
        # Caseloads now: Pat 12 open (11-15), Alex 22 open (21+), Sam 1 open (0-10).
        for worker, count in ((self.perm, 12), (self.agency, 22), (self.south_worker, 1)):
            for _ in range(count):
                self.case(worker)

    def _staff(self, name, team, employment, started):
        return Staff.create(name=name, name_key=name.lower(), team=team,
                            employment_type=employment, started_on=started)

    def case(self, worker, **facts) -> Case:
        self.cases += 1
        return Case.create(child_id=f"CHILD{self.cases:05d}", case_type="child_in_need",
                           team=worker.team_id, worker=worker, facts_hash=str(self.cases),
                           last_seen_on=dt.date(2026, 6, 1), **facts)

    def round(self, period: str, due_on: dt.date) -> SamplingRound:
        return SamplingRound.create(supervisor=self.sup, team=self.north, period=period,
                                    policy=self.policy, seed="s", due_on=due_on)

    def audit(self, worker, submitted_at: dt.datetime | None, grade: str | None,
              score: str | None, *, ratings: dict[str, str | None] | None = None,
              domain_score: str | None = None, round_=None, case=None) -> Audit:
        case = case or self.case(worker)
        round_case = None
        if round_ is not None:
            round_case = RoundCase.create(round=round_, case=case, position=1, reason="test")
        audit = Audit.create(
            case=case, round_case=round_case, auditor=self.auditor, practitioner=worker,
            team=worker.team_id, status="submitted" if submitted_at else "draft",
            submitted_at=submitted_at, overall_grade=grade,
            overall_score=Decimal(score) if score else None, calculated_grade=grade,
            effective_grade=grade, effective_score=Decimal(score) if score else None)
        vid = self.versions["management_oversight"]
        if domain_score is not None:
            AuditRubric.create(audit=audit, rubric_version=vid, score=Decimal(domain_score),
                               effective_score=Decimal(domain_score))
        for criterion, rating in (ratings or {}).items():
            AuditRating.create(audit=audit, rubric_version=vid, criterion_id=criterion,
                               rating=rating, na_reason=None if rating else "not relevant",
                               evidence=EVIDENCE)
        return audit

    def action(self, audit, due_on, completed_at=None):
        return AuditAction.create(audit=audit, description="Do the thing", owner=self.auditor,
                                  due_on=due_on, status="done" if completed_at else "open",
                                  created_by=self.auditor, completed_at=completed_at)
