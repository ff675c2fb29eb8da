"""Synthetic audit history for the demo council: months of rounds and scored audits.

Pure and deterministic: the same council, rubrics, seed and date always give the
same history (only a private ``random.Random`` is used). Ratings come from a
latent quality level per team and practitioner, plus noise, so summaries and SPC
charts show real signals, which the README's demo walk-through points at:

- the first team (by name) **improves** steadily across the history;
- the second **deteriorates** after staff turnover two thirds of the way through;
- the third has a **false dawn**: one excellent month that no SPC rule confirms;
- agency staff and new starters score somewhat lower, high caseloads lower still.

Cases are drawn the way a default policy draws them: never again inside the 12-month
exclusion window, except that a case graded Requires improvement or Inadequate comes
back for a re-audit three months later, before any other case.

Scores, domain grades and overall grades come from the real scoring engine
(``score_rubric``, ``overall_grade``), so they obey the rubrics' limiting rules.
Evidence text is generic and contains no identifiers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from audit_service.domain.rubrics import (
    CriterionType,
    OverallResult,
    Rating,
    Rubric,
    RubricResult,
    overall_grade,
    score_rubric,
)
from audit_service.domain.vocabulary import CaseType, EmploymentType

DEFAULT_MONTHS = {"small": 12, "large": 60}
NA_SHARE = 0.08
LATE_SHARE = 0.12
EXCLUSION_MONTHS = 12
REAUDIT_AFTER_MONTHS = 3
REAUDIT_GRADES = frozenset({"requires_improvement", "inadequate"})

NA_REASONS = (
    "Not relevant at this stage of the work.",
    "No key decision point fell within the audit period.",
    "The circumstances this criterion tests did not arise in the period.",
)
EVIDENCE = {
    4: "Consistently strong, well recorded practice that clearly made a difference.",
    3: "Practice met the expected standard and was recorded on the file.",
    2: "Some of the expected practice was found, with gaps in recording or follow-up.",
    1: "The expected practice was not found on the file for the audit period.",
}
ACTIONS = (
    "Record reflective supervision on the file and review the plan.",
    "Update the chronology and use it in the next assessment.",
    "Record the child's wishes and feelings in their own words.",
    "Revisit the plan in the light of the changes in the household.",
)


class Story(StrEnum):
    IMPROVING = "improving"
    DETERIORATING = "deteriorating"
    FALSE_DAWN = "false_dawn"
    STEADY = "steady"


@dataclass(frozen=True)
class HistoryPractitioner:
    key: int
    employment_type: EmploymentType
    started_on: dt.date | None
    open_cases: int


@dataclass(frozen=True)
class HistoryCase:
    key: int
    case_type: CaseType
    worker_key: int | None


@dataclass(frozen=True)
class HistoryTeam:
    key: int
    name: str
    supervisor_key: int
    cases: tuple[HistoryCase, ...]


@dataclass(frozen=True)
class HistoryRating:
    rubric_id: str
    criterion_id: str
    rating: str | None
    na_reason: str | None
    evidence: str


@dataclass(frozen=True)
class HistoryAction:
    description: str
    due_on: dt.date
    completed_at: dt.datetime | None


@dataclass(frozen=True)
class HistoryAudit:
    case_key: int
    practitioner_key: int | None
    created_at: dt.datetime
    submitted_at: dt.datetime
    domains: tuple[RubricResult, ...]
    overall: OverallResult
    ratings: tuple[HistoryRating, ...]
    actions: tuple[HistoryAction, ...]
    case_type: CaseType = CaseType.CHILD_IN_NEED
    #: (period, case key) of the audit this one re-audits, for a re-audit.
    reaudit_of: tuple[str, int] | None = None


@dataclass(frozen=True)
class HistoryRound:
    team_key: int
    supervisor_key: int
    period: str
    opened_at: dt.datetime
    due_on: dt.date
    audits: tuple[HistoryAudit, ...]

    @property
    def completed_at(self) -> dt.datetime:
        return max(a.submitted_at for a in self.audits)


def story_of(index: int) -> Story:
    """Teams in name order: improving, deteriorating, false dawn, steady, steady, again."""
    return (Story.IMPROVING, Story.DETERIORATING, Story.FALSE_DAWN, Story.STEADY,
            Story.STEADY)[index % 5]


def history_months(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` whole months before the current one, oldest first."""
    first = today.replace(day=1)
    months = []
    for back in range(count, 0, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(dt.date(index // 12, index % 12 + 1, 1))
    return months


def _story_shift(story: Story, step: int, steps: int) -> float:
    progress = step / max(steps - 1, 1)
    if story is Story.IMPROVING:
        return -0.35 + 0.85 * progress
    if story is Story.DETERIORATING:
        return 0.2 if progress < 2 / 3 else -0.45
    if story is Story.FALSE_DAWN:
        return 0.9 if step == max(steps - 4, 0) else 0.0
    return 0.0


def _workforce_shift(p: HistoryPractitioner | None, on: dt.date) -> float:
    if p is None:
        return 0.0
    shift = 0.0
    if p.employment_type is EmploymentType.AGENCY:
        shift -= 0.3
    if p.started_on is not None and (on - p.started_on).days < 365:
        shift -= 0.25
    if p.open_cases > 20:
        shift -= 0.3
    elif p.open_cases > 15:
        shift -= 0.15
    return shift


def _due_on(month: dt.date) -> dt.date:
    """Fifteen working days after the first working day (weekends only; near enough for a demo)."""
    day = month
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    added = 0
    while added < 15:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            added += 1
    return day


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59))


class _Rater:
    """Turns a latent quality (1 to 4) into a rating for one criterion of one rubric."""

    def __init__(self, rubric: Rubric, types: Mapping[str, CriterionType], rng: random.Random):
        self.rubric = rubric
        self.types = types
        # Some criteria are harder to meet everywhere: the weakest criteria are real.
        self.difficulty = {c.id: rng.uniform(-0.35, 0.2) for c in rubric.criteria}

    def rate(self, latent: float, rng: random.Random) -> tuple[dict[str, Rating], list]:
        ratings: dict[str, Rating] = {}
        rows = []
        for criterion in self.rubric.criteria:
            kind = self.types[criterion.type]
            if not kind.scored:
                # A judgement such as "Is the child safe now?": the best answer almost
                # always, the middle one on a weak file, the worst only on the weakest.
                value = latent + rng.gauss(0, 0.55)
                options = kind.options(self.rubric.scale)
                index = 0 if value >= 1.9 else (len(options) // 2 if value >= 1.2 else -1)
                ratings[criterion.id] = Rating.of(options[index].value)
                rows.append(HistoryRating(self.rubric.id, criterion.id, options[index].value,
                                          None, EVIDENCE[4 if index == 0 else 2]))
                continue
            if criterion.na_allowed and rng.random() < NA_SHARE:
                reason = rng.choice(NA_REASONS)
                ratings[criterion.id] = Rating.not_applicable(reason)
                rows.append(HistoryRating(self.rubric.id, criterion.id, None, reason, ""))
                continue
            value = latent + self.difficulty[criterion.id] + rng.gauss(0, 0.55)
            position = min(max((value - 1) / 3, 0.0), 1.0)  # 1 best .. 0 worst
            options = self.types[criterion.type].options(self.rubric.scale)
            option = options[round((1 - position) * (len(options) - 1))]
            level = max(1, min(4, round(value)))
            ratings[criterion.id] = Rating.of(option.value)
            rows.append(HistoryRating(self.rubric.id, criterion.id, option.value, None,
                                      EVIDENCE[level]))
        return ratings, rows


def generate_history(
    teams: Sequence[HistoryTeam],
    practitioners: Mapping[int, HistoryPractitioner],
    rubrics: Sequence[Rubric],
    criterion_types: Mapping[str, CriterionType],
    *,
    today: dt.date,
    months: int,
    seed: int,
) -> list[HistoryRound]:
    """One round per supervisor per past month, each with 2 to 4 submitted audits."""
    rng = random.Random(f"history:{seed}")
    raters = {r.id: _Rater(r, criterion_types, rng) for r in rubrics}
    month_starts = history_months(today, months)
    ordered = sorted(teams, key=lambda t: t.name)
    team_level = {t.key: rng.gauss(3.1, 0.2) for t in ordered}
    person_level = {k: rng.gauss(0, 0.15) for k in sorted(practitioners)}
    rounds = []
    for index, team in enumerate(ordered):
        story = story_of(index)
        if not team.cases:
            continue
        drawn_at: dict[int, int] = {}  # case key -> step it was last drawn
        graded: dict[int, tuple[int, str]] = {}  # case key -> (step, grade) of its last audit
        for step, month in enumerate(month_starts):
            due = _due_on(month)
            opened = dt.datetime(month.year, month.month, 1, 6, 0)
            wanted = min(len(team.cases), rng.randint(2, 4))
            reaudits = [case for case in team.cases if case.key in graded
                        and graded[case.key][1] in REAUDIT_GRADES
                        and drawn_at[case.key] == graded[case.key][0]
                        and step - graded[case.key][0] >= REAUDIT_AFTER_MONTHS][:wanted]
            eligible = [case for case in team.cases if case not in reaudits and (
                case.key not in drawn_at or step - drawn_at[case.key] >= EXCLUSION_MONTHS)
                and not (case.key in graded and graded[case.key][1] in REAUDIT_GRADES
                         and drawn_at[case.key] == graded[case.key][0])]
            picks = reaudits + rng.sample(eligible, min(len(eligible), wanted - len(reaudits)))
            late_share = LATE_SHARE * (2.5 if story is Story.DETERIORATING and
                                       step >= months * 2 // 3 else 1)
            audits = []
            for case in picks:
                person = (practitioners.get(case.worker_key)
                          if case.worker_key is not None else None)
                latent = (team_level[team.key] + _story_shift(story, step, months)
                          + _workforce_shift(person, month)
                          + (person_level.get(case.worker_key, 0.0) if person else 0.0)
                          + rng.gauss(0, 0.3))
                previous = (f"{month_starts[graded[case.key][0]]:%Y-%m}", case.key) \
                    if case in reaudits else None
                audit = _audit(case, person, latent, rubrics, raters, criterion_types,
                               month, due, late_share, today, rng, previous)
                audits.append(audit)
                drawn_at[case.key] = step
                graded[case.key] = (step, audit.overall.grade.id if audit.overall.grade else "")
            if audits:
                rounds.append(HistoryRound(team.key, team.supervisor_key, f"{month:%Y-%m}",
                                           opened, due, tuple(audits)))
    return rounds


def _audit(case, person, latent, rubrics, raters, types, month, due, late_share, today, rng,
           reaudit_of=None) -> HistoryAudit:
    last_day = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
    if rng.random() < late_share:
        day = due + dt.timedelta(days=rng.randint(1, max((last_day - due).days, 1)))
        day = min(day, last_day)
    else:
        day = month + dt.timedelta(days=rng.randint(2, max((due - month).days, 2)))
    submitted = _at(day, rng)
    created = submitted - dt.timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 5))
    results, ratings = [], []
    for rubric in rubrics:
        if not rubric.applies_to_case_type(case.case_type):
            continue
        given, rows = raters[rubric.id].rate(latent, rng)
        results.append(score_rubric(rubric, given, types, case_type=case.case_type))
        ratings.extend(rows)
    overall = overall_grade(results)
    grade = overall.grade.id if overall.grade else None
    actions = []
    wanted = {"inadequate": 2, "requires_improvement": 1}.get(grade or "", 0)
    if grade == "good" and rng.random() < 0.3:
        wanted = 1
    for _ in range(wanted):
        due_on = day + dt.timedelta(days=rng.randint(20, 40))
        completed = None
        if (due_on < today or rng.random() < 0.5) and rng.random() < 0.85:
            done_on = due_on + dt.timedelta(days=rng.randint(-15, 10))
            if done_on < today:
                completed = _at(done_on, rng)
        actions.append(HistoryAction(rng.choice(ACTIONS), due_on, completed))
    return HistoryAudit(case.key, person.key if person else None, created, submitted,
                        tuple(results), overall, tuple(ratings), tuple(actions),
                        case.case_type, reaudit_of)
