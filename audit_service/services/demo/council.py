"""A synthetic council to try the service with: staff, teams and a caseload, no real people.

Generation is deterministic: the same seed, scale and date always give the same
council, so demos, screenshots, tests and benchmarks are repeatable. Only a
private ``random.Random(seed)`` is used, never the global generator.

Proportions follow published national figures closely enough to look real:
roughly 45% children in need, 12% child protection, 30% looked after, 8% care
leavers and 5% open assessments; 15-20% agency practitioners. Children have
random numeric ids (like Annex A "Child Unique ID") and no names. Staff names
are drawn from fixed lists of invented first and last names.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from audit_service.domain.imports.case_records import CaseRecord, SourceRef
from audit_service.domain.vocabulary import (
    AgeBand,
    CaseType,
    EmploymentType,
    Role,
    StaffRole,
    age_band,
)

SCALES = ("small", "large")


class TeamKind(StrEnum):
    """What a team does decides which cases it holds and who works in it."""

    ASSESSMENT = "assessment"
    SAFEGUARDING = "safeguarding"
    CHILDREN_IN_CARE = "children_in_care"
    CARE_LEAVERS = "care_leavers"


SERVICE_FOR_KIND = {
    TeamKind.ASSESSMENT: "Early Help and Assessment",
    TeamKind.SAFEGUARDING: "Safeguarding and Family Support",
    TeamKind.CHILDREN_IN_CARE: "Children in Care and Care Leavers",
    TeamKind.CARE_LEAVERS: "Children in Care and Care Leavers",
}

TEAM_NAME_FOR_KIND = {
    TeamKind.ASSESSMENT: "Assessment Team",
    TeamKind.SAFEGUARDING: "Family Support Team",
    TeamKind.CHILDREN_IN_CARE: "Children in Care Team",
    TeamKind.CARE_LEAVERS: "Care Leavers Team",
}

# National shares of the open caseload (DfE children in need and looked-after statistics).
CASE_TYPE_SHARE = {
    CaseType.CHILD_IN_NEED: 0.45,
    CaseType.CHILD_PROTECTION: 0.12,
    CaseType.LOOKED_AFTER: 0.30,
    CaseType.CARE_LEAVER: 0.08,
    CaseType.OPEN_ASSESSMENT: 0.05,
}

# Assessment teams keep some children in need after assessment; the rest move on.
CIN_HELD_BY_ASSESSMENT = 0.3

KIND_SHARE = {
    TeamKind.ASSESSMENT: CASE_TYPE_SHARE[CaseType.OPEN_ASSESSMENT]
    + CASE_TYPE_SHARE[CaseType.CHILD_IN_NEED] * CIN_HELD_BY_ASSESSMENT,
    TeamKind.SAFEGUARDING: CASE_TYPE_SHARE[CaseType.CHILD_PROTECTION]
    + CASE_TYPE_SHARE[CaseType.CHILD_IN_NEED] * (1 - CIN_HELD_BY_ASSESSMENT),
    TeamKind.CHILDREN_IN_CARE: CASE_TYPE_SHARE[CaseType.LOOKED_AFTER],
    TeamKind.CARE_LEAVERS: CASE_TYPE_SHARE[CaseType.CARE_LEAVER],
}

AGE_BANDS_FOR_TYPE: dict[CaseType, dict[AgeBand, float]] = {
    CaseType.CHILD_IN_NEED: {
        AgeBand.UNDER_1: 0.06, AgeBand.AGE_1_4: 0.17, AgeBand.AGE_5_9: 0.25,
        AgeBand.AGE_10_15: 0.38, AgeBand.AGE_16_17: 0.14,
    },
    CaseType.CHILD_PROTECTION: {
        AgeBand.UNDER_1: 0.11, AgeBand.AGE_1_4: 0.27, AgeBand.AGE_5_9: 0.27,
        AgeBand.AGE_10_15: 0.30, AgeBand.AGE_16_17: 0.05,
    },
    CaseType.LOOKED_AFTER: {
        AgeBand.UNDER_1: 0.05, AgeBand.AGE_1_4: 0.14, AgeBand.AGE_5_9: 0.18,
        AgeBand.AGE_10_15: 0.38, AgeBand.AGE_16_17: 0.25,
    },
    CaseType.CARE_LEAVER: {AgeBand.AGE_16_17: 0.08, AgeBand.AGE_18_PLUS: 0.92},
    CaseType.OPEN_ASSESSMENT: {
        AgeBand.UNDER_1: 0.08, AgeBand.AGE_1_4: 0.18, AgeBand.AGE_5_9: 0.24,
        AgeBand.AGE_10_15: 0.36, AgeBand.AGE_16_17: 0.14,
    },
}

# Inclusive age ranges in whole years for each band (care leavers stay with us to 21+).
AGE_RANGE = {
    AgeBand.UNDER_1: (0, 0),
    AgeBand.AGE_1_4: (1, 4),
    AgeBand.AGE_5_9: (5, 9),
    AgeBand.AGE_10_15: (10, 15),
    AgeBand.AGE_16_17: (16, 17),
    AgeBand.AGE_18_PLUS: (18, 21),
}

# Expected days between visits: CP every 10 working days, looked-after every 6 weeks...
VISIT_INTERVAL_DAYS = {
    CaseType.CHILD_IN_NEED: 28,
    CaseType.CHILD_PROTECTION: 14,
    CaseType.LOOKED_AFTER: 42,
    CaseType.CARE_LEAVER: 56,
    CaseType.OPEN_ASSESSMENT: 10,
}
STALE_SHARE = 0.15

CIN_CLOSURE_REASONS = (
    "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8 - Case closed after assessment, no further action",
    "RC9 - Case closed after assessment, referred to early help",
    "RC5 - Transferred to services of another local authority",
    "RC4 - Special guardianship order",
)
LAC_CLOSURE_REASONS = (
    "E13: Left care to live with parent(s), relative(s), or other person(s) with parental "
    "responsibility",
    "E17: Aged 18 (or over) and remained with current carers",
    "E48: Special guardianship order made to former foster carer(s)",
    "E11: Adopted - application for an adoption order unopposed",
)

FIRST_NAMES = (
    "Aaliyah", "Abdul", "Adele", "Aiden", "Aisha", "Alfie", "Amara", "Amir", "Anika", "Arlo",
    "Beatrix", "Bilal", "Bronwen", "Caleb", "Cerys", "Chidi", "Ciara", "Dante", "Delia", "Declan",
    "Efua", "Elif", "Emeka", "Esme", "Ewan", "Farah", "Fergus", "Freya", "Gareth", "Gita",
    "Hamza", "Harriet", "Hollis", "Ines", "Imran", "Isla", "Jasper", "Joanna", "Kofi", "Keira",
    "Lachlan", "Leona", "Lorcan", "Maeve", "Malik", "Marta", "Nadia", "Nathaniel", "Niamh",
    "Oluwaseun", "Orla", "Owain", "Priya", "Quentin", "Rafael", "Rhiannon", "Rohan", "Saoirse",
    "Selin", "Tariq", "Tamsin", "Ugo", "Vanessa", "Wilf", "Yasmin", "Zainab", "Zoltan",
    "Bethan", "Callum", "Dilys", "Eamon", "Fenella", "Hugo", "Ivo", "Juno", "Kasia", "Lowri",
    "Milo", "Nell", "Otis", "Petra", "Rosalind", "Soren", "Tomasz", "Una",
)
LAST_NAMES = (
    "Abara", "Ainsworth", "Akhtar", "Ballard", "Bannerman", "Beaumont", "Birch", "Bosworth",
    "Cadwallader", "Carrick", "Chaudhry", "Clegg", "Coombes", "Dacosta", "Darby", "Dunmore",
    "Eastwood", "Ellery", "Fairbairn", "Farrant", "Fenwick", "Gadd", "Garside", "Goldring",
    "Haddow", "Hallam", "Hartigan", "Hussain", "Ibbotson", "Iqbal", "Jarrold", "Jowett",
    "Kavanagh", "Kershaw", "Kowalski", "Lacey", "Langridge", "Lomax", "Madigan", "Marsden",
    "Mensah", "Moorcroft", "Nakamura", "Nightingale", "Nwosu", "Oakley", "Okafor", "Ormerod",
    "Pacheco", "Pemberton", "Pilling", "Quarmby", "Radcliffe", "Rashid", "Rowntree", "Sadiq",
    "Sandford", "Scrivener", "Sheard", "Thackeray", "Threlfall", "Tindall", "Underwood",
    "Varga", "Venables", "Wainwright", "Walcott", "Whitlock", "Yardley", "Yilmaz", "Zielinski",
    "Ashdown", "Brierley", "Crowther", "Dimmock", "Entwistle", "Foxley", "Greenhalgh",
    "Holroyd", "Ingleby", "Kettlewell", "Loxley", "Mottram",
)


@dataclass(frozen=True, slots=True)
class CouncilSize:
    """How big a council to generate: teams per kind, practitioners and cases."""

    teams: dict[TeamKind, int]
    practitioners: int
    open_cases: int
    closed_cases: int
    leavers: int

    def __post_init__(self) -> None:
        for kind in TeamKind:
            if self.teams.get(kind, 0) < 1:
                raise ValueError(f"a council needs at least one {kind.value} team")
        if self.practitioners < 2 * sum(self.teams.values()):
            raise ValueError(
                f"{self.practitioners} practitioners cannot staff "
                f"{sum(self.teams.values())} teams with at least two each"
            )
        if min(self.open_cases, self.closed_cases, self.leavers) < 0:
            raise ValueError("case and leaver counts cannot be negative")


SIZES: dict[str, CouncilSize] = {
    # About 4 teams, 40 staff and 600 cases: quick to load for ``make run``.
    "small": CouncilSize(
        teams={TeamKind.ASSESSMENT: 1, TeamKind.SAFEGUARDING: 1,
               TeamKind.CHILDREN_IN_CARE: 1, TeamKind.CARE_LEAVERS: 1},
        practitioners=33, open_cases=600, closed_cases=30, leavers=2,
    ),
    # The largest council of PRODUCT.md section 6: 120 supervisors, 1,000 practitioners.
    "large": CouncilSize(
        teams={TeamKind.ASSESSMENT: 22, TeamKind.SAFEGUARDING: 52,
               TeamKind.CHILDREN_IN_CARE: 36, TeamKind.CARE_LEAVERS: 10},
        practitioners=1000, open_cases=20_000, closed_cases=1_000, leavers=30,
    ),
}


@dataclass(frozen=True, slots=True)
class DemoTeam:
    name: str
    service: str
    kind: TeamKind


@dataclass(frozen=True, slots=True)
class DemoStaff:
    """A member of staff. ``line_manager`` is another DemoStaff's (unique) name."""

    name: str
    staff_role: StaffRole
    service: str
    team: str | None
    line_manager: str | None
    employment_type: EmploymentType
    started_on: dt.date
    left_on: dt.date | None = None

    @property
    def is_practitioner(self) -> bool:
        return self.staff_role in PRACTITIONER_ROLES


PRACTITIONER_ROLES = frozenset(
    {StaffRole.SOCIAL_WORKER, StaffRole.SENIOR_PRACTITIONER, StaffRole.PERSONAL_ADVISER}
)


@dataclass(frozen=True, slots=True)
class DemoCase:
    """A case and the synthetic date of birth an Annex A export of it would show.

    The birth date never reaches the database: only ``record.age_band`` does.
    """

    record: CaseRecord
    born_on: dt.date


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: Role
    display_name: str
    staff_name: str | None
    sees: str


@dataclass(frozen=True, slots=True)
class DemoCouncil:
    scale: str
    seed: int
    today: dt.date
    services: tuple[str, ...]
    teams: tuple[DemoTeam, ...]
    staff: tuple[DemoStaff, ...]
    cases: tuple[DemoCase, ...]
    logins: tuple[DemoLogin, ...]
    _by_name: dict[str, DemoStaff] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({s.name: s for s in self.staff})

    def person(self, name: str) -> DemoStaff:
        return self._by_name[name]

    def open_cases(self) -> list[DemoCase]:
        return [c for c in self.cases if c.record.closed_on is None]

    def current_staff(self) -> list[DemoStaff]:
        return [s for s in self.staff if s.left_on is None]


LOGIN_SEES = {
    Role.ADMIN: "users, teams, case imports and plugins",
    Role.QUALITY_LEAD: "rubrics, sampling policy, moderation and learning themes",
    Role.SUPERVISOR: "this month's sample and the results of their team",
    Role.PRACTITIONER: "the audits of their own cases only",
    Role.HR: "practice-quality summaries by team and practitioner, no child-level data",
    Role.SENIOR_LEADER: "read-only dashboards of trends, coverage and overdue work",
}


def generate_council(
    scale: str | CouncilSize, seed: int, today: dt.date
) -> DemoCouncil:
    """Build the same synthetic council every time for the same scale, seed and date."""
    if isinstance(scale, str):
        if scale not in SIZES:
            raise ValueError(f"unknown demo scale {scale!r}; choose one of {', '.join(SCALES)}")
        size, scale_name = SIZES[scale], scale
    else:
        size, scale_name = scale, "custom"
    rng = random.Random(seed)
    names = _staff_names(rng, size)
    teams = _teams(size)
    staff = _staff(rng, size, teams, names, today)
    cases = _cases(rng, size, teams, staff, today)
    logins = _logins(teams, staff, cases)
    services = tuple(dict.fromkeys(SERVICE_FOR_KIND[kind] for kind in TeamKind))
    return DemoCouncil(
        scale=scale_name, seed=seed, today=today, services=services, teams=tuple(teams),
        staff=tuple(staff), cases=tuple(cases), logins=logins,
    )


def _staff_names(rng: random.Random, size: CouncilSize) -> list[str]:
    """Unique invented names, enough for everyone, in a seed-dependent order."""
    needed = (
        len(set(SERVICE_FOR_KIND.values())) + sum(size.teams.values())
        + size.practitioners + size.leavers
    )
    combos = len(FIRST_NAMES) * len(LAST_NAMES)
    if needed > combos:
        raise ValueError(f"a council of {needed} staff needs more than {combos} invented names")
    picks = rng.sample(range(combos), needed)
    return [f"{FIRST_NAMES[i // len(LAST_NAMES)]} {LAST_NAMES[i % len(LAST_NAMES)]}" for i in picks]


def _teams(size: CouncilSize) -> list[DemoTeam]:
    return [
        DemoTeam(f"{TEAM_NAME_FOR_KIND[kind]} {n}", SERVICE_FOR_KIND[kind], kind)
        for kind in TeamKind
        for n in range(1, size.teams[kind] + 1)
    ]


def _split(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Share ``total`` out by ``weights`` (largest remainder), each part at least ``minimum``."""
    spare = total - minimum * len(weights)
    scale = sum(weights)
    exact = [spare * w / scale for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def _days_ago(today: dt.date, days: float) -> dt.date:
    return today - dt.timedelta(days=int(days))


def _staff(
    rng: random.Random, size: CouncilSize, teams: list[DemoTeam], names: list[str], today: dt.date
) -> list[DemoStaff]:
    names = list(names)
    staff: list[DemoStaff] = []
    service_manager: dict[str, str] = {}
    for service in dict.fromkeys(SERVICE_FOR_KIND.values()):
        name = names.pop()
        service_manager[service] = name
        years = 5 + rng.expovariate(1 / 7)
        staff.append(DemoStaff(
            name, StaffRole.SERVICE_MANAGER, service, None, None, EmploymentType.PERMANENT,
            _days_ago(today, min(years, 32) * 365.25),
        ))

    # Every team gets two practitioners; the rest follow each kind's share of the caseload.
    spare = size.practitioners - 2 * sum(size.teams.values())
    per_kind = [
        n + 2 * size.teams[kind]
        for kind, n in zip(TeamKind, _split(spare, [KIND_SHARE[k] for k in TeamKind]), strict=True)
    ]
    kind_teams = {k: [t for t in teams if t.kind == k] for k in TeamKind}
    team_sizes: dict[str, int] = {}
    for kind, count in zip(TeamKind, per_kind, strict=True):
        jitter = [rng.uniform(0.8, 1.2) for _ in kind_teams[kind]]
        for team, n in zip(kind_teams[kind], _split(count, jitter, minimum=2), strict=True):
            team_sizes[team.name] = n

    manager_of: dict[str, str] = {}
    for team in teams:
        name = names.pop()
        manager_of[team.name] = name
        agency = rng.random() < 0.08  # interim managers are often agency staff
        years = rng.uniform(0.1, 2) if agency else 2 + rng.expovariate(1 / 6)
        staff.append(DemoStaff(
            name, StaffRole.TEAM_MANAGER, team.service, team.name, service_manager[team.service],
            EmploymentType.AGENCY if agency else EmploymentType.PERMANENT,
            _days_ago(today, min(years, 30) * 365.25),
        ))

    agency_rate = rng.uniform(0.15, 0.20)
    agency = set(rng.sample(range(size.practitioners), round(agency_rate * size.practitioners)))
    index = 0
    for team in teams:
        for _ in range(team_sizes[team.name]):
            staff.append(_practitioner(
                rng, names.pop(), team, manager_of[team.name], index in agency, today,
            ))
            index += 1

    for _ in range(size.leavers):
        team = rng.choice(teams)
        left_on = _days_ago(today, rng.uniform(14, 300))
        started = left_on - dt.timedelta(days=int(rng.uniform(90, 3000)))
        staff.append(DemoStaff(
            names.pop(), _practitioner_role(rng, team), team.service, team.name,
            manager_of[team.name],
            EmploymentType.AGENCY if rng.random() < 0.4 else EmploymentType.PERMANENT,
            started, left_on,
        ))
    return staff


def _practitioner_role(rng: random.Random, team: DemoTeam) -> StaffRole:
    if team.kind == TeamKind.CARE_LEAVERS:
        return StaffRole.PERSONAL_ADVISER
    return StaffRole.SENIOR_PRACTITIONER if rng.random() < 0.2 else StaffRole.SOCIAL_WORKER


def _practitioner(
    rng: random.Random, name: str, team: DemoTeam, manager: str, agency: bool, today: dt.date
) -> DemoStaff:
    role = _practitioner_role(rng, team)
    if agency:
        # Agency locums turn over fast; some arrived in the last few weeks.
        days = rng.uniform(0, 30) if rng.random() < 0.15 else min(rng.expovariate(1 / 240), 1100)
    else:
        floor = 3 if role == StaffRole.SENIOR_PRACTITIONER else 0
        days = (floor + min(rng.expovariate(1 / 4.5), 30)) * 365.25
    return DemoStaff(
        name, role, team.service, team.name, manager,
        EmploymentType.AGENCY if agency else EmploymentType.PERMANENT, _days_ago(today, days),
    )


def _weighted(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _cases(
    rng: random.Random,
    size: CouncilSize,
    teams: list[DemoTeam],
    staff: list[DemoStaff],
    today: dt.date,
) -> list[DemoCase]:
    kind_of_team = {t.name: t.kind for t in teams}
    current: dict[TeamKind, list[DemoStaff]] = {k: [] for k in TeamKind}
    everyone: dict[TeamKind, list[DemoStaff]] = {k: [] for k in TeamKind}
    for person in staff:
        if not person.is_practitioner:
            continue
        kind = kind_of_team[person.team]
        everyone[kind].append(person)
        if person.left_on is None:
            current[kind].append(person)
    # Caseloads differ: seniors and new starters carry fewer cases.
    capacity = {}
    for person in staff:
        weight = rng.uniform(0.7, 1.3)
        if person.staff_role == StaffRole.SENIOR_PRACTITIONER:
            weight *= 0.8
        if (today - person.started_on).days < 60:
            weight *= 0.5
        capacity[person.name] = weight

    open_types = _split(size.open_cases, list(CASE_TYPE_SHARE.values()))
    plan: list[tuple[CaseType, bool]] = [
        (case_type, False)
        for case_type, n in zip(CASE_TYPE_SHARE, open_types, strict=True)
        for _ in range(n)
    ]
    closed_cin = round(size.closed_cases * 0.75)
    plan += [(CaseType.CHILD_IN_NEED, True)] * closed_cin
    plan += [(CaseType.LOOKED_AFTER, True)] * (size.closed_cases - closed_cin)
    rng.shuffle(plan)

    child_ids = rng.sample(range(1_000_000, 20_000_000), len(plan))
    cases = []
    for row, ((case_type, closed), child_id) in enumerate(zip(plan, child_ids, strict=True), 1):
        kind = _kind_for(rng, case_type)
        pool = everyone[kind] if closed else current[kind]
        worker = rng.choices(pool, weights=[capacity[p.name] for p in pool])[0]
        # A few open cases wait for allocation: the team holds them, no worker yet.
        unallocated = not closed and rng.random() < 0.01
        cases.append(_case(
            rng, case_type, str(child_id), worker.team, None if unallocated else worker.name,
            closed, row, today,
        ))
    return cases


def _kind_for(rng: random.Random, case_type: CaseType) -> TeamKind:
    if case_type == CaseType.OPEN_ASSESSMENT:
        return TeamKind.ASSESSMENT
    if case_type == CaseType.CHILD_IN_NEED:
        if rng.random() < CIN_HELD_BY_ASSESSMENT:
            return TeamKind.ASSESSMENT
        return TeamKind.SAFEGUARDING
    if case_type == CaseType.CHILD_PROTECTION:
        return TeamKind.SAFEGUARDING
    if case_type == CaseType.LOOKED_AFTER:
        return TeamKind.CHILDREN_IN_CARE
    return TeamKind.CARE_LEAVERS


def _birth_date(rng: random.Random, band: AgeBand, today: dt.date) -> dt.date:
    low, high = AGE_RANGE[band]
    years = rng.randint(low, high)
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - dt.timedelta(days=rng.randint(0, 364))


def _case(
    rng: random.Random,
    case_type: CaseType,
    child_id: str,
    team: str | None,
    worker: str | None,
    closed: bool,
    row: int,
    today: dt.date,
) -> DemoCase:
    born = _birth_date(rng, _weighted(rng, AGE_BANDS_FOR_TYPE[case_type]), today)
    end = _days_ago(today, rng.uniform(1, 180)) if closed else today
    if born > end:  # a case that closed before the child's birth date: an unborn child's case
        born = end - dt.timedelta(days=rng.randint(0, 120))
    age_days = max((end - born).days, 0)
    if case_type == CaseType.OPEN_ASSESSMENT:
        open_days = rng.expovariate(1 / 25) if rng.random() < 0.9 else rng.uniform(45, 120)
    elif case_type == CaseType.CHILD_PROTECTION:
        open_days = min(rng.expovariate(1 / 200), 3 * 365)
    elif case_type == CaseType.LOOKED_AFTER:
        open_days = rng.expovariate(1 / 900)
    elif case_type == CaseType.CARE_LEAVER:
        # A care leaver's case opens at 16 (relevant child) or 18 (former relevant child).
        open_days = age_days - (16 if age_days < 18 * 365.25 else 18) * 365.25 - rng.uniform(0, 30)
    else:
        open_days = min(rng.expovariate(1 / 270), 6 * 365)
    opened = max(end - dt.timedelta(days=int(max(open_days, 0))), born)

    interval = VISIT_INTERVAL_DAYS[case_type]
    if rng.random() < STALE_SHARE:
        since = rng.randint(interval + 1, interval * 4)
    else:
        since = rng.randint(0, interval)
    last_seen = max(end - dt.timedelta(days=since), opened)

    seen_alone = referrals = previous_plans = placements = None
    if case_type == CaseType.CHILD_PROTECTION:
        seen_alone = _weighted(rng, {True: 0.88, False: 0.10, None: 0.02})
        previous_plans = _weighted(rng, {0: 0.72, 1: 0.19, 2: 0.06, 3: 0.03})
    if case_type in (CaseType.CHILD_IN_NEED, CaseType.CHILD_PROTECTION, CaseType.OPEN_ASSESSMENT):
        referrals = _weighted(rng, {1: 0.58, 2: 0.22, 3: 0.1, 4: 0.05, 5: 0.03, 7: 0.02})
        if (end - opened).days > 365 and rng.random() < 0.7:
            referrals -= 1  # the referral that opened the case is over a year old
    if case_type == CaseType.LOOKED_AFTER:
        placements = _weighted(rng, {1: 0.68, 2: 0.2, 3: 0.08, 4: 0.03, 6: 0.01})
        if (end - opened).days > 365 and rng.random() < 0.6:
            placements -= 1  # settled: the current placement began over a year ago

    reason = None
    if closed:
        pool = CIN_CLOSURE_REASONS if case_type == CaseType.CHILD_IN_NEED else LAC_CLOSURE_REASONS
        reason = rng.choice(pool)
    record = CaseRecord(
        child_id=child_id,
        case_type=case_type,
        source=SourceRef("demo council", row),
        team_name=team,
        worker_name=worker,
        opened_on=opened,
        closed_on=end if closed else None,
        closure_reason=reason,
        age_band=age_band(born, today),
        last_seen_on=last_seen,
        seen_alone=seen_alone,
        referrals_12m=referrals,
        previous_cp_plans=previous_plans,
        placements_12m=placements,
    )
    return DemoCase(record, born)


def _logins(
    teams: list[DemoTeam], staff: list[DemoStaff], cases: list[DemoCase]
) -> tuple[DemoLogin, ...]:
    """One login per role; the supervisor and practitioner are real people in the council."""
    team = next(t for t in teams if t.kind == TeamKind.SAFEGUARDING)
    supervisor = next(
        s for s in staff if s.team == team.name and s.staff_role == StaffRole.TEAM_MANAGER
    )
    caseload: dict[str, int] = {}
    for case in cases:
        if case.record.closed_on is None and case.record.worker_name:
            caseload[case.record.worker_name] = caseload.get(case.record.worker_name, 0) + 1
    candidates = [
        s for s in staff
        if s.team == team.name and s.staff_role == StaffRole.SOCIAL_WORKER and s.left_on is None
        and s.employment_type == EmploymentType.PERMANENT and caseload.get(s.name)
    ]
    practitioner = max(candidates, key=lambda s: (caseload[s.name], s.name))
    people = {Role.SUPERVISOR: supervisor.name, Role.PRACTITIONER: practitioner.name}
    display = {
        Role.ADMIN: "Demo Administrator",
        Role.QUALITY_LEAD: "Demo Quality Lead",
        Role.HR: "Demo HR Analyst",
        Role.SENIOR_LEADER: "Demo Senior Leader",
    }
    usernames = {
        Role.ADMIN: "demo-admin",
        Role.SUPERVISOR: "demo-supervisor",
        Role.PRACTITIONER: "demo-practitioner",
        Role.QUALITY_LEAD: "demo-quality",
        Role.HR: "demo-hr",
        Role.SENIOR_LEADER: "demo-leader",
    }
    return tuple(
        DemoLogin(
            username=usernames[role],
            role=role,
            display_name=people.get(role) or display[role],
            staff_name=people.get(role),
            sees=LOGIN_SEES[role] + (f" ({team.name})" if role in people else ""),
        )
        for role in usernames
    )
