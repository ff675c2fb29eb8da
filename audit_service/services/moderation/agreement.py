"""Agreement between auditors and moderators over a period, per criterion, auditor and team.

Only completed moderations count (the moderator has submitted). Each
criterion is rated on its own ordered options, so per-criterion statistics
use those options as the scale. Per auditor and per team, ratings are pooled
over criteria that share a scale (the rubric scale, in practice); ratings on
any other scale are left out and counted, so nothing is silently mixed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from audit_service.domain.audits import CriterionKey
from audit_service.domain.moderation.agreement import AgreementSummary, auditor_flag, summarise
from audit_service.domain.rubrics import CriterionType
from audit_service.domain.vocabulary import AuditStatus
from audit_service.services.audits.lifecycle import AuditState, load_state
from audit_service.services.moderation.periods import span_bounds
from audit_service.services.moderation.views import AuditorRow, Statistics, StatRow
from audit_service.storage.models import Audit, Moderation, Team, User

FLAG_THRESHOLD = 0.25  # overall score points (the scale runs 1 to 4)

Pair = tuple[str, str]


def _ratings(state: AuditState, types: Mapping[str, CriterionType]
             ) -> dict[CriterionKey, tuple[str, tuple[str, ...]]]:
    """Each rated criterion's rating and its ordered options (N/A and blanks left out)."""
    found = {}
    for pinned in state.pinned:
        rubric = pinned.rubric
        for criterion in rubric.criteria:
            key = CriterionKey(rubric.id, criterion.id)
            answer = state.answers.get(key)
            kind = types.get(criterion.type)
            if answer is None or answer.not_applicable or not answer.rating or kind is None:
                continue
            found[key] = (answer.rating, tuple(o.value for o in kind.options(rubric.scale)))
    return found


def _pooled(pairs: list[tuple[Pair, tuple[str, ...]]]) -> tuple[AgreementSummary | None, int]:
    if not pairs:
        return None, 0
    scale, _ = Counter(categories for _, categories in pairs).most_common(1)[0]
    kept = [pair for pair, categories in pairs if categories == scale]
    return summarise(kept, scale), len(pairs) - len(kept)


def statistics(period_from: str, period_to: str,
               types: Mapping[str, CriterionType]) -> Statistics:
    """Every table of the statistics page for moderations of audits submitted in the period."""
    span_bounds(period_from, period_to)
    Second = Audit.alias()
    rows = (
        Moderation.select(Moderation, Audit, Second)
        .join(Audit, on=(Moderation.audit == Audit.id), attr="first_row")
        .switch(Moderation)
        .join(Second, on=(Moderation.moderation_audit == Second.id), attr="second_row")
        .where((Second.status == AuditStatus.SUBMITTED) & (Moderation.period >= period_from)
               & (Moderation.period <= period_to))
        .order_by(Moderation.id)
    )
    moderations = 0
    by_criterion: dict[CriterionKey, list[Pair]] = defaultdict(list)
    scales: dict[CriterionKey, tuple[str, ...]] = {}
    labels: dict[CriterionKey, str] = {}
    by_auditor: dict[int, list[tuple[Pair, tuple[str, ...]]]] = defaultdict(list)
    by_team: dict[int | None, list[tuple[Pair, tuple[str, ...]]]] = defaultdict(list)
    differences: dict[int, list[float]] = defaultdict(list)
    for moderation in rows:
        first, second = moderation.first_row, moderation.second_row
        moderations += 1
        one, two = load_state(first, types), load_state(second, types)
        for pinned in one.pinned:
            for number, criterion in enumerate(pinned.rubric.criteria, start=1):
                labels.setdefault(CriterionKey(pinned.rubric.id, criterion.id),
                                  f"{pinned.rubric.title} {number}: {criterion.prompt}")
        first_ratings, second_ratings = _ratings(one, types), _ratings(two, types)
        for key, (rating, categories) in first_ratings.items():
            if key not in second_ratings:
                continue
            pair = (rating, second_ratings[key][0])
            by_criterion[key].append(pair)
            scales[key] = categories
            by_auditor[first.auditor_id].append((pair, categories))
            by_team[first.team_id].append((pair, categories))
        if first.overall_score is not None and second.overall_score is not None:
            differences[first.auditor_id].append(
                float(first.overall_score) - float(second.overall_score))
        by_auditor.setdefault(first.auditor_id, [])
    criteria = [StatRow(labels.get(key, f"{key.rubric_id}/{key.criterion_id}"),
                        summarise(by_criterion[key], scales[key]))
                for key in sorted(by_criterion, key=lambda k: labels.get(k, ""))]
    return Statistics(period_from, period_to, moderations, criteria,
                      _auditor_rows(by_auditor, differences), _team_rows(by_team))


def _auditor_rows(by_auditor: Mapping[int, list[tuple[Pair, tuple[str, ...]]]],
                  differences: Mapping[int, list[float]]) -> list[AuditorRow]:
    """Each auditor's pooled agreement and flag, the flagged first."""
    users = {u.id: u for u in User.select().where(User.id.in_(list(by_auditor)))} \
        if by_auditor else {}
    auditors = []
    for auditor_id, pairs in by_auditor.items():
        summary, left_out = _pooled(pairs)
        user = users[auditor_id]
        auditors.append(AuditorRow(
            user.display_name, user.username, summary,
            auditor_flag(differences.get(auditor_id, []), FLAG_THRESHOLD), left_out))
    return sorted(auditors, key=lambda row: (not row.flag.flagged, row.label))


def _team_rows(by_team: Mapping[int | None, list[tuple[Pair, tuple[str, ...]]]]
               ) -> list[StatRow]:
    """Each team's pooled agreement, by name; teams with no comparable pairs left out."""
    team_ids = [t for t in by_team if t is not None]
    names = {t.id: t.name for t in Team.select().where(Team.id.in_(team_ids))} \
        if team_ids else {}
    teams = []
    for team_id, pairs in by_team.items():
        summary, left_out = _pooled(pairs)
        if summary is not None:
            teams.append(StatRow(names.get(team_id, "No team"), summary, left_out))
    return sorted(teams, key=lambda row: row.label)
