"""HR and leadership summaries, aggregated in SQL with GROUP BY (never loops over audits).

Every figure comes from one grouped query per measure, so a summary over five
years of a large council costs a handful of index range scans. What counts:

- **Quality** (grades, scores, domains, criteria, breakdowns, actions): audits
  *submitted* within the period (``Audit.submitted_at``, UTC).
- **Sampling** (sampled, completed, on time): cases drawn into the rounds of the
  period's months (``SamplingRound.period``) and not replaced; completed when
  their audit is submitted, on time when it was submitted on or before the
  round's due date.
- **Groups**: an audit belongs to the team and practitioner recorded on it when it
  was started, and to that team's service now.
- **Breakdowns**: the practitioner's employment type and open caseload now, and
  their length of service at the end of the period; the audited child's changes of social
  worker in 12 months, as the last SSDA903 import gave them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from peewee import JOIN, SQL, Case, Value, fn

from audit_service.domain.rubrics import CriterionType
from audit_service.domain.rubrics.criterion_types import known_types
from audit_service.domain.summaries.bands import (
    CASELOAD_BANDS,
    EMPLOYMENT_BANDS,
    SERVICE_BANDS,
    UNKNOWN,
    WORKER_CHANGE_BANDS,
    service_band_cutoffs,
)
from audit_service.domain.summaries.periods import Period
from audit_service.domain.vocabulary import ActionStatus, AuditStatus, CaseStatus
from audit_service.services.audits.access import blinded_ids
from audit_service.services.rubrics.versions import rubric_of
from audit_service.storage.models import (
    Audit,
    AuditAction,
    AuditRating,
    AuditRubric,
    RoundCase,
    RubricDefinition,
    RubricVersion,
    SamplingRound,
    Service,
    Staff,
    Team,
    practice_audit,
)
from audit_service.storage.models import Case as CaseFile

GRADES: tuple[str, ...] = ("outstanding", "good", "requires_improvement", "inadequate")
GRADE_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
GOOD_OR_BETTER: tuple[str, ...] = ("outstanding", "good")


class Level(StrEnum):
    """What a summary's rows are: one per service, per team or per practitioner.

    Trends are drawn per service or team; practitioners appear in the tables only.
    """

    SERVICE = "service"
    TEAM = "team"
    PRACTITIONER = "practitioner"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class Scope:
    """Restrict a summary to one service or one team (both None: the whole council).

    ``blind_to`` is the reader: the audits they are moderating blind are left out of every
    figure, or a practitioner's row for the month would give away the grade they must not see.
    It is not part of the ``key`` (the filter's value): it comes from who asks, never the address.
    """

    service_id: int | None = None
    team_id: int | None = None
    blind_to: int | None = None

    @classmethod
    def parse(cls, key: str | None) -> Scope:
        """``service:<id>`` or ``team:<id>`` (the filter's value); anything else: the council."""
        kind, _, number = (key or "").partition(":")
        if kind == "service" and number.isdigit():
            return cls(service_id=int(number))
        if kind == "team" and number.isdigit():
            return cls(team_id=int(number))
        return cls()

    @property
    def key(self) -> str:
        if self.team_id is not None:
            return f"team:{self.team_id}"
        return f"service:{self.service_id}" if self.service_id is not None else ""


@dataclass
class GroupFigures:
    """The raw (unsuppressed) figures for one group, or for the whole scope."""

    group_id: int | None
    name: str
    sampled: int = 0
    completed: int = 0
    on_time: int = 0
    audits: int = 0
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    not_graded: int = 0
    mean_score: float | None = None
    actions: int = 0
    actions_done: int = 0
    actions_done_on_time: int = 0
    actions_overdue: int = 0

    @property
    def good_or_better(self) -> int:
        return sum(self.grades[g] for g in GOOD_OR_BETTER)

    @property
    def graded(self) -> int:
        return sum(self.grades.values())


@dataclass(frozen=True)
class DomainFigure:
    group_id: int | None
    rubric_id: str
    domain: str
    audits: int
    mean_score: float | None


@dataclass(frozen=True)
class CriterionFigure:
    rubric_id: str
    domain: str
    criterion_id: str
    prompt: str
    ratings: int
    mean_score: float | None


@dataclass(frozen=True)
class BreakdownFigure:
    dimension: str
    band_id: str
    audits: int
    good_or_better: int
    mean_score: float | None


@dataclass
class Summary:
    level: Level
    period: Period
    scope: Scope
    groups: list[GroupFigures]
    total: GroupFigures
    domains: list[DomainFigure]
    domain_totals: list[DomainFigure]
    criteria: list[CriterionFigure]
    breakdowns: list[BreakdownFigure]


def _number(value) -> float | None:
    """AVG is a Decimal on PostgreSQL and a float on SQLite: one rounding for both."""
    if value is None:
        return None
    return round(float(Decimal(str(value))), 4)


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def _count_if(condition):
    return fn.SUM(Case(None, ((condition, 1),), 0))


# --- group keys ----------------------------------------------------------------------------


def _audit_key(level: Level | None):
    if level is Level.SERVICE:
        return Team.service
    if level is Level.TEAM:
        return Audit.team
    if level is Level.PRACTITIONER:
        return Audit.practitioner
    return Value(0)


def _submitted(query, period: Period, scope: Scope):
    """Submitted audits of the period within the scope; ``query`` selects from Audit."""
    query = (query.join(Team, JOIN.LEFT_OUTER, on=(Audit.team == Team.id))
             .where(practice_audit()
                    & (Audit.submitted_at >= _start(period.start))
                    & (Audit.submitted_at < _start(period.end))))
    return _within(query, scope)


def _within(query, scope: Scope):
    """Narrow a query over Audit (joined to Team) to the scope and what its reader may see."""
    if scope.team_id is not None:
        query = query.where(Audit.team == scope.team_id)
    if scope.service_id is not None:
        query = query.where(Team.service == scope.service_id)
    if scope.blind_to is not None:
        query = query.where(~Audit.id.in_(blinded_ids(scope.blind_to)))
    return query


def _grouped(rows, level: Level | None) -> dict:
    return {(row[0] if level is not None else None): row[1:] for row in rows}


# --- measures --------------------------------------------------------------------------


def audit_figures(period: Period, scope: Scope, level: Level | None) -> dict:
    """``{group: (audits, outstanding, good, ri, inadequate, mean_score)}``."""
    key = _audit_key(level)
    query = Audit.select(
        key, fn.COUNT(Audit.id),
        *(_count_if(Audit.effective_grade == grade) for grade in GRADES),
        fn.AVG(Audit.effective_score),
    )
    query = _submitted(query, period, scope)
    if level is not None:
        query = query.group_by(key)
    return _grouped(query.tuples(), level)


def action_figures(period: Period, scope: Scope, level: Level | None, today: dt.date) -> dict:
    """``{group: (actions, done, done_on_time, overdue)}`` for actions of the period's audits."""
    key = _audit_key(level)
    done = AuditAction.status == ActionStatus.DONE
    query = (
        AuditAction.select(
            key, fn.COUNT(AuditAction.id), _count_if(done),
            _count_if(done & (fn.DATE(AuditAction.completed_at) <= AuditAction.due_on)),
            _count_if(~done & (AuditAction.due_on < today)),
        )
        .join(Audit, on=(AuditAction.audit == Audit.id))
    )
    query = _submitted(query, period, scope)
    if level is not None:
        query = query.group_by(key)
    return _grouped(query.tuples(), level)


def sampling_figures(period: Period, scope: Scope, level: Level | None) -> dict:
    """``{group: (sampled, completed, on_time)}`` for the rounds of the period's months."""
    team_of = SamplingRound.team
    if level is Level.SERVICE:
        key = Team.service
    elif level is Level.TEAM:
        key = team_of
    elif level is Level.PRACTITIONER:
        key = fn.COALESCE(Audit.practitioner, CaseFile.worker)
    else:
        key = Value(0)
    submitted = Audit.status == AuditStatus.SUBMITTED
    months = period.months
    # A range, not IN (...): months are contiguous "YYYY-MM" keys, and over years SQLite scans
    # round_case once instead of probing the period index month by month (2.1x slower).
    query = (
        RoundCase.select(
            key, fn.COUNT(RoundCase.id), _count_if(submitted),
            _count_if(submitted & (fn.DATE(Audit.submitted_at) <= SamplingRound.due_on)),
        )
        .join(SamplingRound, on=(RoundCase.round == SamplingRound.id))
    )
    if level is Level.SERVICE or scope.service_id is not None:
        query = query.join(Team, JOIN.LEFT_OUTER, on=(team_of == Team.id))
    query = (
        query.switch(RoundCase)
        .join(Audit, JOIN.LEFT_OUTER, on=(Audit.round_case == RoundCase.id))
        .where(SamplingRound.period.between(months[0], months[-1])
               & RoundCase.replaced_at.is_null())
    )
    if level is Level.PRACTITIONER:
        query = query.switch(RoundCase).join(CaseFile, on=(RoundCase.case == CaseFile.id))
    if scope.team_id is not None:
        query = query.where(team_of == scope.team_id)
    if scope.service_id is not None:
        query = query.where(Team.service == scope.service_id)
    if level is not None:
        query = query.group_by(key)
    return _grouped(query.tuples(), level)


def domain_figures(period: Period, scope: Scope, level: Level | None) -> list[DomainFigure]:
    """Mean domain score per group and rubric, over graded domains only."""
    key = _audit_key(level)
    query = (
        AuditRubric.select(key, RubricDefinition.rubric_id, RubricDefinition.domain,
                           fn.COUNT(AuditRubric.effective_score),
                           fn.AVG(AuditRubric.effective_score))
        .join(Audit, on=(AuditRubric.audit == Audit.id))
        .switch(AuditRubric)
        .join(RubricVersion, on=(AuditRubric.rubric_version == RubricVersion.id))
        .join(RubricDefinition, on=(RubricVersion.rubric == RubricDefinition.id))
        .switch(Audit)
    )
    query = _submitted(query, period, scope)
    by = (RubricDefinition.rubric_id, RubricDefinition.domain)
    query = query.group_by(key, *by) if level is not None else query.group_by(*by)
    return [
        DomainFigure(g if level is not None else None, rid, domain, n, _number(mean))
        for g, rid, domain, n, mean in query.tuples()
        if n
    ]


def rating_score(criterion_types: Mapping[str, CriterionType] | None = None):
    """A SQL CASE giving each stored rating its number on its rubric version's scale.

    Built from the (few) rubric versions in the database, so criterion means are
    computed by the database like every other figure. N/A ratings are NULL and
    drop out of AVG and COUNT.
    """
    types = known_types(criterion_types)
    scores: dict[tuple[int, str], set[tuple[str, Decimal]]] = {}
    for version in RubricVersion.select(RubricVersion, RubricDefinition).join(RubricDefinition):
        rubric = rubric_of(version, types)
        for criterion in rubric.criteria:
            ctype = types[criterion.type]
            for option in ctype.options(rubric.scale):
                score = ctype.score(option.value, rubric.scale)
                scores.setdefault((version.id, option.value), set()).add((criterion.id, score))
    whens = []
    for (version_id, rating), by_criterion in sorted(scores.items()):
        distinct = {score for _, score in by_criterion}
        base = (AuditRating.rubric_version == version_id) & (AuditRating.rating == rating)
        if len(distinct) == 1:
            whens.append((base, float(distinct.pop())))
        else:
            whens.extend(((base & (AuditRating.criterion_id == cid)), float(score))
                         for cid, score in sorted(by_criterion))
    if not whens:
        # Typed, because PostgreSQL cannot choose an AVG for an untyped NULL (no rubric yet).
        return Value(None).cast("NUMERIC")
    return Case(None, whens, None)


def criterion_figures(period: Period, scope: Scope,
                      criterion_types: Mapping[str, CriterionType] | None = None
                      ) -> list[CriterionFigure]:
    """Mean score per criterion across the scope, weakest first."""
    score = rating_score(criterion_types)
    query = (
        AuditRating.select(RubricDefinition.rubric_id, RubricDefinition.domain,
                           AuditRating.criterion_id, fn.COUNT(score), fn.AVG(score))
        .join(Audit, on=(AuditRating.audit == Audit.id))
        .switch(AuditRating)
        .join(RubricVersion, on=(AuditRating.rubric_version == RubricVersion.id))
        .join(RubricDefinition, on=(RubricVersion.rubric == RubricDefinition.id))
        .switch(Audit)
    )
    query = _submitted(query, period, scope).group_by(
        RubricDefinition.rubric_id, RubricDefinition.domain, AuditRating.criterion_id)
    prompts = criterion_prompts(criterion_types)
    figures = [
        CriterionFigure(rid, domain, cid, prompts.get((rid, cid), cid), n, _number(mean))
        for rid, domain, cid, n, mean in query.tuples()
        if n
    ]
    return sorted(figures, key=lambda f: (f.mean_score, f.rubric_id, f.criterion_id))


def criterion_prompts(criterion_types=None) -> dict[tuple[str, str], str]:
    """The latest wording of each criterion, to label the criteria table."""
    types = known_types(criterion_types)
    prompts: dict[tuple[str, str], str] = {}
    query = (RubricVersion.select(RubricVersion, RubricDefinition).join(RubricDefinition)
             .order_by(RubricVersion.number))
    for version in query:
        rubric = rubric_of(version, types)
        for criterion in rubric.criteria:
            prompts[(rubric.id, criterion.id)] = " ".join(criterion.prompt.split())
    return prompts


def caseloads():
    """Open cases per worker now, as a subquery."""
    return (CaseFile.select(CaseFile.worker.alias("worker_id"),
                            fn.COUNT(CaseFile.id).alias("open_cases"))
            .where(CaseFile.status == CaseStatus.OPEN)
            .group_by(CaseFile.worker))


def _band_case(expression, bands):
    whens = []
    for band, low, high in bands:
        condition = expression >= low if high is None else expression.between(low, high)
        whens.append((condition, band.id))
    return Case(None, whens, UNKNOWN.id)


def breakdown_figures(period: Period, scope: Scope) -> list[BreakdownFigure]:
    """Audits, Good or better and mean score by employment type, caseload, length of service
    and the audited child's changes of social worker."""
    load = caseloads().alias("load")
    open_cases = fn.COALESCE(load.c.open_cases, 0)
    started = Staff.started_on
    service_whens = [
        ((started > cutoff) if cutoff is not None else started.is_null(False), band.id)
        for band, cutoff in service_band_cutoffs(period.last_day)
    ]
    dimensions = {
        "employment_type": fn.COALESCE(Staff.employment_type, UNKNOWN.id),
        "caseload_band": _band_case(open_cases, CASELOAD_BANDS),
        "length_of_service": Case(None, service_whens, UNKNOWN.id),
        "worker_changes": _band_case(CaseFile.sw_changes_12m, WORKER_CHANGE_BANDS),
    }
    figures = []
    good = Audit.effective_grade.in_(GOOD_OR_BETTER)
    for dimension, expression in dimensions.items():
        band = expression.alias("band")
        query = (
            Audit.select(band, fn.COUNT(Audit.id), _count_if(good), fn.AVG(Audit.effective_score))
            .join(Staff, JOIN.LEFT_OUTER, on=(Audit.practitioner == Staff.id))
            .switch(Audit)
        )
        if dimension == "caseload_band":
            query = query.join(load, JOIN.LEFT_OUTER, on=(load.c.worker_id == Audit.practitioner))
            query = query.switch(Audit)
        if dimension == "worker_changes":
            query = query.join(CaseFile, on=(Audit.case == CaseFile.id)).switch(Audit)
        query = _submitted(query, period, scope).group_by(SQL("1"))
        figures.extend(BreakdownFigure(dimension, b, n, g or 0, _number(mean))
                       for b, n, g, mean in query.tuples())
    return figures


BREAKDOWN_ORDER = {
    "employment_type": [b.id for b in EMPLOYMENT_BANDS],
    "caseload_band": [b.id for b, _, _ in CASELOAD_BANDS],
    "length_of_service": [b.id for b, _, _ in SERVICE_BANDS],
    "worker_changes": [b.id for b, _, _ in WORKER_CHANGE_BANDS],
}


# --- names -----------------------------------------------------------------------------


def group_names(level: Level, scope: Scope) -> dict[int, str]:
    """Every group in scope by id, so groups with no audits are listed too (not practitioners)."""
    if level is Level.SERVICE:
        query = Service.select(Service.id, Service.name)
        if scope.service_id is not None:
            query = query.where(Service.id == scope.service_id)
        if scope.team_id is not None:
            query = query.join(Team).where(Team.id == scope.team_id)
        return dict(query.tuples())
    if level is Level.TEAM:
        query = Team.select(Team.id, Team.name)
        if scope.service_id is not None:
            query = query.where(Team.service == scope.service_id)
        if scope.team_id is not None:
            query = query.where(Team.id == scope.team_id)
        return dict(query.tuples())
    return {}


def _staff_names(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(Staff.select(Staff.id, Staff.name).where(Staff.id.in_(ids)).tuples())


# --- the whole summary -------------------------------------------------------------------


def _fill(fig: GroupFigures, audits, actions, sampling) -> GroupFigures:
    if audits:
        n, *grades, mean = audits
        fig.audits = n or 0
        fig.grades = {g: int(v or 0) for g, v in zip(GRADES, grades, strict=True)}
        fig.not_graded = fig.audits - fig.graded
        fig.mean_score = _number(mean)
    if actions:
        fig.actions, fig.actions_done, fig.actions_done_on_time, fig.actions_overdue = (
            int(v or 0) for v in actions)
    if sampling:
        fig.sampled, fig.completed, fig.on_time = (int(v or 0) for v in sampling)
    return fig


NOT_RECORDED = "Not recorded"


def summarise(
    level: Level | str,
    period: Period,
    scope: Scope | None = None,
    *,
    today: dt.date,
    criterion_types: Mapping[str, CriterionType] | None = None,
) -> Summary:
    """Every figure of the summary page for ``level`` over ``period`` (unsuppressed)."""
    level = Level(level)
    scope = scope or Scope()
    audits = audit_figures(period, scope, level)
    actions = action_figures(period, scope, level, today)
    sampling = sampling_figures(period, scope, level)
    names = group_names(level, scope)
    keys = set(names) | set(audits) | set(sampling)
    if level is Level.PRACTITIONER:
        names = _staff_names(keys)
    groups = [
        _fill(GroupFigures(key, names.get(key, NOT_RECORDED)), audits.get(key),
              actions.get(key), sampling.get(key))
        for key in keys
    ]
    groups.sort(key=lambda g: (g.group_id is None, g.name.casefold()))
    total = _fill(
        GroupFigures(None, "All"),
        audit_figures(period, scope, None).get(None),
        action_figures(period, scope, None, today).get(None),
        sampling_figures(period, scope, None).get(None),
    )
    return Summary(
        level=level, period=period, scope=scope, groups=groups, total=total,
        domains=domain_figures(period, scope, level),
        domain_totals=domain_figures(period, scope, None),
        criteria=criterion_figures(period, scope, criterion_types),
        breakdowns=breakdown_figures(period, scope),
    )


# --- trends ------------------------------------------------------------------------------


def monthly_series(months: list[Period], scope: Scope, level: Level | None
                   ) -> dict[object, dict[str, tuple[int, int, float | None]]]:
    """``{group: {YYYY-MM: (audits, good_or_better, mean_score)}}`` in one grouped query."""
    first, last = months[0], months[-1]
    key = _audit_key(level)
    month = _month_expr(Audit.submitted_at)
    query = Audit.select(
        key, month, fn.COUNT(Audit.id), _count_if(Audit.effective_grade.in_(GOOD_OR_BETTER)),
        fn.AVG(Audit.effective_score),
    )
    span = Period(first.start, first.granularity)
    query = (query.join(Team, JOIN.LEFT_OUTER, on=(Audit.team == Team.id))
             .where(practice_audit()
                    & (Audit.submitted_at >= _start(span.start))
                    & (Audit.submitted_at < _start(last.end))))
    query = _within(query, scope)
    query = query.group_by(key, month) if level is not None else query.group_by(month)
    series: dict[object, dict[str, tuple[int, int, float | None]]] = {}
    for g, m, n, good, mean in query.tuples():
        group = g if level is not None else None
        series.setdefault(group, {})[str(m)] = (int(n), int(good or 0), _number(mean))
    return series


def _month_expr(column):
    """``YYYY-MM`` of a timestamp, on either database."""
    from audit_service.storage.database import is_sqlite

    if is_sqlite():
        return fn.strftime("%Y-%m", column)
    return fn.to_char(column, "YYYY-MM")
