"""Write a generated demo council into the database quickly, with its six demo logins.

The large council (about 1,150 staff and 21,000 cases) loads with bulk inserts
in chunks inside one transaction, so a failure leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from audit_service.domain.accounts.passwords import password_problem

# The importer's own fingerprint: a later import of the same facts finds the cases unchanged.
from audit_service.domain.calendar import WorkingCalendar
from audit_service.domain.imports.case_reconcile import facts_hash
from audit_service.domain.names import name_key
from audit_service.domain.sampling import SamplingPolicySettings, SamplingStrategy
from audit_service.domain.vocabulary import CaseStatus, StaffRole
from audit_service.plugins.registries import Registry
from audit_service.services.accounts import users as accounts
from audit_service.services.demo.council import DemoCouncil, DemoLogin, DemoStaff
from audit_service.services.platform import audit_trail
from audit_service.services.sampling.policies import set_policy
from audit_service.services.sampling.rounds import OpenRoundsReport, open_rounds
from audit_service.storage.database import database
from audit_service.storage.models import Case, Service, Staff, Team, new_public_id, utcnow

CHUNK_ROWS = 500  # well under SQLite's bound-variable limit at 19 columns a row
ACTOR_LABEL = "cli:demo"


class DemoLoadError(RuntimeError):
    """The demo cannot be loaded here; the message says why and what to do instead."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    scale: str
    seed: int
    services: int
    teams: int
    staff: int
    open_cases: int
    closed_cases: int
    logins: tuple[DemoLogin, ...]


def _chunks(rows: Sequence[Any], size: int = CHUNK_ROWS) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(model, fields: list, rows: Sequence[tuple]) -> None:
    for chunk in _chunks(rows):
        model.insert_many(chunk, fields=fields).execute()


def _ids_by_key(model, key_field, keys: Iterable[str]) -> dict[str, int]:
    wanted = set(keys)
    return {key: pk for pk, key in model.select(model.id, key_field).tuples() if key in wanted}


def load_demo(council: DemoCouncil, password: str) -> DemoSummary:
    """Write ``council`` and its logins to an empty database.

    Refuses a database that already holds staff or cases: the demo must never
    mix with (or be mistaken for) a council's real caseload.
    """
    problem = password_problem(password)
    if problem:
        raise DemoLoadError(f"the demo password will not do: {problem}")
    with database.atomic():
        staff_count, case_count = Staff.select().count(), Case.select().count()
        if staff_count or case_count:
            raise DemoLoadError(
                f"the database already holds {staff_count} staff and {case_count} cases; "
                "load the demo only into an empty database"
            )
        now = utcnow()
        Service.insert_many([(name, now) for name in council.services],
                            fields=[Service.name, Service.created_at]).execute()
        service_ids = _ids_by_key(Service, Service.name, council.services)
        _insert(Team, [Team.name, Team.service, Team.created_at],
                [(t.name, service_ids[t.service], now) for t in council.teams])
        team_ids = _ids_by_key(Team, Team.name, (t.name for t in council.teams))
        staff_ids = _insert_staff(council.staff, team_ids, now)
        _insert_cases(council, team_ids, staff_ids, now)
        for login in council.logins:
            accounts.create_user(
                login.username,
                role=login.role,
                password=password,
                display_name=login.display_name,
                staff=Staff.get_by_id(staff_ids[login.staff_name]) if login.staff_name else None,
                actor_label=ACTOR_LABEL,
            )
        open_cases = len(council.open_cases())
        summary = DemoSummary(
            scale=council.scale,
            seed=council.seed,
            services=len(council.services),
            teams=len(council.teams),
            staff=len(council.staff),
            open_cases=open_cases,
            closed_cases=len(council.cases) - open_cases,
            logins=council.logins,
        )
        audit_trail.record(
            "demo.loaded",
            actor_label=ACTOR_LABEL,
            object_type="demo",
            object_id=f"{council.scale}:{council.seed}",
            after={
                "scale": summary.scale, "seed": summary.seed, "as_of": council.today,
                "services": summary.services, "teams": summary.teams, "staff": summary.staff,
                "open_cases": summary.open_cases, "closed_cases": summary.closed_cases,
                "logins": [login.username for login in council.logins],
            },
        )
    return summary


def _insert_staff(
    staff: Sequence[DemoStaff], team_ids: dict[str, int], now: dt.datetime
) -> dict[str, int]:
    """Insert managers before the people they manage, so each tier can point at the last."""
    tiers = (
        [s for s in staff if s.staff_role == StaffRole.SERVICE_MANAGER],
        [s for s in staff if s.staff_role == StaffRole.TEAM_MANAGER],
        [s for s in staff
         if s.staff_role not in (StaffRole.SERVICE_MANAGER, StaffRole.TEAM_MANAGER)],
    )
    fields = [Staff.name, Staff.name_key, Staff.staff_role, Staff.team, Staff.line_manager,
              Staff.employment_type, Staff.started_on, Staff.left_on, Staff.created_at]
    ids: dict[str, int] = {}
    for tier in tiers:
        _insert(Staff, fields, [
            (s.name, name_key(s.name), s.staff_role.value,
             team_ids[s.team] if s.team else None,
             ids[s.line_manager] if s.line_manager else None,
             s.employment_type.value, s.started_on, s.left_on, now)
            for s in tier
        ])
        keys = {name_key(s.name): s.name for s in tier}
        ids.update({keys[k]: pk for k, pk in _ids_by_key(Staff, Staff.name_key, keys).items()})
    return ids


def _insert_cases(
    council: DemoCouncil, team_ids: dict[str, int], staff_ids: dict[str, int], now: dt.datetime
) -> None:
    fields = [Case.public_id, Case.child_id, Case.case_type, Case.status, Case.team, Case.worker,
              Case.opened_on, Case.closed_on, Case.closure_reason, Case.age_band,
              Case.last_seen_on, Case.seen_alone, Case.referrals_12m, Case.previous_cp_plans,
              Case.placements_12m, Case.facts_hash, Case.created_at, Case.updated_at]
    rows = []
    for case in council.cases:
        r = case.record
        rows.append((
            new_public_id(), r.child_id, r.case_type.value,
            (CaseStatus.CLOSED if r.closed_on else CaseStatus.OPEN).value,
            team_ids[r.team_name] if r.team_name else None,
            staff_ids[r.worker_name] if r.worker_name else None,
            r.opened_on, r.closed_on, r.closure_reason,
            r.age_band.value if r.age_band else None,
            r.last_seen_on, r.seen_alone, r.referrals_12m, r.previous_cp_plans,
            r.placements_12m, facts_hash(r), now, now,
        ))
    _insert(Case, fields, rows)


DEMO_POLICY = {
    "cases_per_supervisor": 2,
    "strategy": "risk_weighted",
    "exclusion_months": 12,
    "independence": "own_team",
    # A closure a month per team, where one closed: the 145 closed without assessment.
    "closed_cases": 1,
}


def start_demo_sampling(today: dt.date, *, registry: Registry[SamplingStrategy],
                        calendar: WorkingCalendar | None = None) -> OpenRoundsReport:
    """Set the demo's council-wide policy and open this month's rounds, so that
    ``demo-supervisor`` has a sample to look at straight away."""
    set_policy(SamplingPolicySettings(**DEMO_POLICY), actor_label=ACTOR_LABEL, registry=registry)
    return open_rounds(f"{today:%Y-%m}", today=today, actor_label=ACTOR_LABEL,
                       registry=registry, calendar=calendar)
