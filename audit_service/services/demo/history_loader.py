"""Write the demo's audit history (``domain.demo_history``) with bulk inserts in chunks.

Audits need an auditor account. A supervisor in the demo who has no login
(every team manager but ``demo-supervisor``'s) gets a **disabled account with no
password**, linked to their staff record: it can be shown as the auditor of
past audits, cannot sign in, and an administrator can later enable it and set a
password, keeping the history attached to the person.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from audit_service.domain.audits.results import AuditScore, explain
from audit_service.domain.names import name_key
from audit_service.domain.rubrics import CriterionType
from audit_service.domain.vocabulary import (
    ActionStatus,
    AuditStatus,
    CaseStatus,
    CaseType,
    EmploymentType,
    Pool,
    Role,
    RoundStatus,
    StaffRole,
)
from audit_service.services.demo.history import (
    HistoryCase,
    HistoryPractitioner,
    HistoryRound,
    HistoryTeam,
    generate_history,
)
from audit_service.services.platform import audit_trail
from audit_service.services.rubrics.versions import latest_in_use, rubric_of
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    AuditAction,
    AuditRating,
    AuditRubric,
    Case,
    RoundCase,
    SamplingPolicy,
    SamplingRound,
    Staff,
    User,
)

CHUNK = 500
ACTOR_LABEL = "cli:demo"


class HistoryLoadError(RuntimeError):
    """The history cannot be loaded here; the message says why."""


@dataclass(frozen=True)
class HistorySummary:
    months: int
    rounds: int
    audits: int
    ratings: int
    actions: int


def _chunks(rows: Sequence, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _teams_and_people() -> tuple[list[HistoryTeam], dict[int, HistoryPractitioner]]:
    supervisors = {}
    for staff_id, team_id in (Staff.select(Staff.id, Staff.team)
                              .where((Staff.staff_role == StaffRole.TEAM_MANAGER.value)
                                     & Staff.left_on.is_null() & Staff.team.is_null(False))
                              .order_by(Staff.id).tuples()):
        supervisors.setdefault(team_id, staff_id)
    cases: dict[int, list[HistoryCase]] = {}
    for case_id, case_type, team_id, worker_id in (
            Case.select(Case.id, Case.case_type, Case.team, Case.worker)
            .where(Case.team.in_(list(supervisors))).order_by(Case.id).tuples()):
        cases.setdefault(team_id, []).append(HistoryCase(case_id, CaseType(case_type), worker_id))
    from audit_service.storage.models import Team

    names = dict(Team.select(Team.id, Team.name).tuples())
    teams = [HistoryTeam(team_id, names[team_id], sup, tuple(cases.get(team_id, ())))
             for team_id, sup in supervisors.items()]
    loads = dict(Case.select(Case.worker, fn.COUNT(Case.id))
                 .where((Case.status == CaseStatus.OPEN) & Case.worker.is_null(False))
                 .group_by(Case.worker).tuples())
    people = {
        sid: HistoryPractitioner(sid, EmploymentType(etype), started, loads.get(sid, 0))
        for sid, etype, started in Staff.select(Staff.id, Staff.employment_type,
                                                Staff.started_on).tuples()
    }
    return teams, people


def _auditors(supervisor_ids: Sequence[int]) -> dict[int, int]:
    """User id per supervisor staff id, creating disabled no-password accounts as needed."""
    users = dict(User.select(User.staff, User.id)
                 .where(User.staff.in_(list(supervisor_ids))).tuples())
    missing = [sid for sid in supervisor_ids if sid not in users]
    if missing:
        rows = []
        for sid, name in Staff.select(Staff.id, Staff.name).where(Staff.id.in_(missing)).tuples():
            username = "tm-" + name_key(name).replace(" ", "-") + f"-{sid}"
            rows.append({"username": username, "display_name": name,
                         "role": Role.SUPERVISOR.value, "staff": sid, "is_active": False,
                         "password_hash": None})
        for chunk in _chunks(rows):
            User.insert_many(chunk).execute()
        users.update(User.select(User.staff, User.id)
                     .where(User.staff.in_(missing)).tuples())
    return users


def load_history(
    *,
    today: dt.date,
    months: int,
    seed: int,
    criterion_types: Mapping[str, CriterionType],
) -> HistorySummary:
    """Generate and write ``months`` of history before the current month, in one transaction."""
    versions = latest_in_use()
    if not versions:
        raise HistoryLoadError("no rubric is published: run `audit-service rubrics load` first")
    policy = SamplingPolicy.select().order_by(SamplingPolicy.id.desc()).first()
    if policy is None:
        raise HistoryLoadError("no sampling policy is set, so history rounds have none to cite")
    rubrics = [rubric_of(v, criterion_types) for v in versions]
    version_of = {r.id: v.id for r, v in zip(rubrics, versions, strict=True)}
    # Form order, as for a live audit: the unscored checks ("Is the child safe now?") first.
    rubrics.sort(key=lambda r: any(criterion_types[c.type].scored for c in r.criteria))
    with database.atomic():
        teams, people = _teams_and_people()
        rounds = generate_history(teams, people, rubrics, criterion_types,
                                  today=today, months=months, seed=seed)
        periods = sorted({r.period for r in rounds})
        if SamplingRound.select().where(SamplingRound.period.in_(periods)).exists():
            raise HistoryLoadError("the database already holds rounds for the history's months")
        auditors = _auditors(sorted({r.supervisor_key for r in rounds}))
        summary = _write(rounds, auditors, policy.id, version_of, seed)
        audit_trail.record("demo.history_loaded", actor_label=ACTOR_LABEL,
                           object_type="demo", object_id=f"history:{seed}",
                           after={"months": months, "rounds": summary.rounds,
                                  "audits": summary.audits, "ratings": summary.ratings,
                                  "actions": summary.actions})
    return HistorySummary(months, summary.rounds, summary.audits, summary.ratings,
                          summary.actions)


def _write(rounds: list[HistoryRound], auditors: dict[int, int], policy_id: int,
           version_of: dict[str, int], seed: int) -> HistorySummary:
    ids = random.Random(f"history-ids:{seed}")

    def public_id() -> str:
        return uuid.UUID(int=ids.getrandbits(128), version=4).hex

    round_rows = [{
        "public_id": public_id(), "supervisor": r.supervisor_key, "team": r.team_key,
        "period": r.period, "policy": policy_id, "seed": f"demo-history:{seed}",
        "eligible_count": len(r.audits), "status": RoundStatus.COMPLETED, "opened_at": r.opened_at,
        "drawn_at": r.opened_at, "due_on": r.due_on, "completed_at": r.completed_at,
    } for r in rounds]
    for chunk in _chunks(round_rows):
        SamplingRound.insert_many(chunk).execute()
    round_ids = {(sup, period): rid for rid, sup, period in SamplingRound.select(
        SamplingRound.id, SamplingRound.supervisor, SamplingRound.period)
        .where(SamplingRound.period.in_(sorted({r.period for r in rounds}))).tuples()}

    case_rows = []
    for r in rounds:
        rid = round_ids[(r.supervisor_key, r.period)]
        case_rows += [{"round": rid, "case": a.case_key, "position": i,
                       "pool": Pool.REAUDIT if a.reaudit_of else Pool.OPEN,
                       "reason": ("Re-audit of the case's audit of " + a.reaudit_of[0]
                                  + " (demo history)") if a.reaudit_of else
                       "Drawn at random from the team's cases (demo history)"}
                      for i, a in enumerate(r.audits, start=1)]
    for chunk in _chunks(case_rows):
        RoundCase.insert_many(chunk).execute()
    round_case_ids = {}
    for chunk in _chunks(sorted(set(round_ids.values()))):
        round_case_ids.update({(rid, cid): rcid for rcid, rid, cid in RoundCase.select(
            RoundCase.id, RoundCase.round, RoundCase.case)
            .where(RoundCase.round.in_(list(chunk))).tuples()})

    audits, audit_rows = [], []
    public_of: dict[tuple[str, int], str] = {}
    for r in rounds:
        rid = round_ids[(r.supervisor_key, r.period)]
        for a in r.audits:
            pid = public_id()
            public_of[(r.period, a.case_key)] = pid
            grade = a.overall.grade.id if a.overall.grade else None
            calculated = a.overall.calculated_grade
            result = explain(AuditScore(a.domains, a.overall, a.case_type))
            audit_rows.append({
                "public_id": pid, "case": a.case_key, "round_case": round_case_ids[
                    (rid, a.case_key)], "kind": "reaudit" if a.reaudit_of else "monthly",
                "auditor": auditors[r.supervisor_key], "case_type": a.case_type.value,
                "practitioner": a.practitioner_key, "team": r.team_key,
                "status": AuditStatus.SUBMITTED,
                "version": 2, "created_at": a.created_at, "updated_at": a.submitted_at,
                "submitted_at": a.submitted_at, "overall_grade": grade,
                "overall_score": a.overall.score, "result": result,
                "calculated_grade": calculated.id if calculated else None,
                "effective_grade": grade, "effective_score": a.overall.score,
                "acknowledged_at": a.submitted_at + dt.timedelta(days=3),
            })
            audits.append((pid, r, a))
    for chunk in _chunks(audit_rows, 200):
        Audit.insert_many(chunk).execute()
    audit_ids = {}
    for chunk in _chunks([pid for pid, _, _ in audits]):
        audit_ids.update(Audit.select(Audit.public_id, Audit.id)
                         .where(Audit.public_id.in_(list(chunk))).tuples())
    # Each re-audit points at the audit it follows up, and so does the case it was drawn as.
    for pid, r, a in audits:
        if a.reaudit_of:
            previous = audit_ids[public_of[a.reaudit_of]]
            Audit.update(reaudit_of=previous).where(Audit.id == audit_ids[pid]).execute()
            rid = round_ids[(r.supervisor_key, r.period)]
            RoundCase.update(reaudit_of=previous).where(
                RoundCase.id == round_case_ids[(rid, a.case_key)]).execute()

    rubric_rows, rating_rows, action_rows = [], [], []
    for pid, r, a in audits:
        aid = audit_ids[pid]
        auditor = auditors[r.supervisor_key]
        explained = explain(AuditScore(a.domains, a.overall))["domains"]
        for position, (d, text) in enumerate(zip(a.domains, explained, strict=True)):
            score = None if d.score is None else Decimal(d.score)
            grade = d.grade.id if d.grade else None
            rubric_rows.append({
                "audit": aid, "rubric_version": version_of[d.rubric_id], "position": position,
                "score": score, "grade": grade, "explanation": text,
                "effective_score": score, "effective_grade": grade,
            })
        rating_rows += [(aid, version_of[x.rubric_id], x.criterion_id, x.rating, x.na_reason,
                         x.evidence) for x in a.ratings]
        action_rows += [{
            "public_id": public_id(), "audit": aid, "description": x.description,
            "owner": auditor, "due_on": x.due_on,
            "status": ActionStatus.DONE if x.completed_at else ActionStatus.OPEN,
            "created_by": auditor, "created_at": a.submitted_at, "updated_at": x.completed_at
            or a.submitted_at, "completed_at": x.completed_at,
        } for x in a.actions]
    for chunk in _chunks(rubric_rows, 300):
        AuditRubric.insert_many(chunk).execute()
    fields = [AuditRating.audit, AuditRating.rubric_version, AuditRating.criterion_id,
              AuditRating.rating, AuditRating.na_reason, AuditRating.evidence]
    for chunk in _chunks(rating_rows, 1000):
        AuditRating.insert_many(chunk, fields=fields).execute()
    for chunk in _chunks(action_rows, 300):
        AuditAction.insert_many(chunk).execute()
    return HistorySummary(0, len(round_rows), len(audit_rows), len(rating_rows), len(action_rows))
