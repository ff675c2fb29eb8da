"""A team manager's changes to their own round: draw the sample their policy leaves to them,
and replace a drawn case, with the reason, by another that the same strategy draws.

Both are seeded like the scheduler's draw, recorded in the audit trail, and safe when two
requests race: the second is refused as a conflict.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from audit_service.domain.sampling import (
    Drawn,
    SamplingPolicySettings,
    SamplingStrategy,
    StrategyError,
)
from audit_service.domain.vocabulary import CaseStatus, Pool, RoundStatus
from audit_service.plugins.registries import Registry, UnknownPlugin
from audit_service.services.errors import NotFound
from audit_service.services.platform import audit_trail
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling.population import (
    case_id_of,
    drawn_in_period,
    load_population,
)
from audit_service.services.sampling.round_reads import current_cases, find, visible_round
from audit_service.services.sampling.rounds import (
    InvalidRound,
    RoundConflict,
    RoundNotYours,
    candidates_for,
    draw_for,
    draw_unallocated_for,
    insert_cases,
    service_manager_of,
    supervisor_of,
)
from audit_service.services.sampling.views import RoundView
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    RoundCase,
    SamplingRound,
    User,
    utcnow,
)

REASON_NEEDED = "Enter the reason for replacing this case"


def _check_owner(round_: SamplingRound, user: User, action: str) -> None:
    if user.staff_id is None or user.staff_id != round_.supervisor_id:
        raise RoundNotYours(f"only the round's team manager can {action}")


def draw(public_id: str, user: User, *, today: dt.date,
         registry: Registry[SamplingStrategy]) -> RoundView:
    """The team manager's "Draw my sample": the same seeded draw the scheduler would make."""
    round_ = visible_round(public_id, user)
    _check_owner(round_, user, "draw its sample")
    if round_.status != RoundStatus.AWAITING_DRAW:
        raise RoundConflict("this round's sample has already been drawn")
    settings = sampling_policies.settings_of(round_.policy)
    sup = supervisor_of(round_)
    drawn = drawn_in_period(round_.period, excluding_round=round_.id)
    try:
        count, picks = draw_for(sup, settings, round_.seed,
                                candidates_for(sup, settings, round_.period), drawn,
                                today=today, period=round_.period, registry=registry)
    except (StrategyError, UnknownPlugin) as exc:
        raise RoundConflict(f"the sample cannot be drawn: {exc}") from None
    if not picks:
        raise RoundConflict("no case is eligible under the round's policy, so nothing can be "
                            "drawn")
    with database.atomic():
        changed = (SamplingRound.update(status=RoundStatus.OPEN, drawn_at=utcnow(),
                                        eligible_count=count)
                   .where(SamplingRound.id == round_.id,
                          SamplingRound.status == RoundStatus.AWAITING_DRAW)
                   .execute())
        if not changed:
            raise RoundConflict("this round's sample has already been drawn")
        insert_cases(round_, picks)
        audit_trail.record(
            "round.drawn", actor=user, object_type="round", object_id=round_.public_id,
            after={"seed": round_.seed, "eligible_count": count,
                   "cases": [case_id_of(d.case_key) for d in picks]},
        )
    return find(public_id, user)


def replace(public_id: str, position: int, reason: str, user: User, *, today: dt.date,
            registry: Registry[SamplingStrategy]) -> RoundView:
    """Swap the case at ``position`` for another drawn by the same strategy, recording why.

    The reason is required ("closed since the draw", "conflict of interest"); the
    replaced case stays in the round's history.
    """
    round_ = visible_round(public_id, user)
    round_case = next((rc for rc in current_cases(round_) if rc.position == position), None)
    if round_case is None:
        raise NotFound(f"the round has no case at position {position}")
    _check_owner(round_, user, "replace its cases")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidRound("give a reason for replacing the case, such as \"closed since the "
                           "draw\" or \"conflict of interest\"", {"reason": REASON_NEEDED})
    if Audit.select().where(Audit.round_case == round_case.id).exists():
        raise RoundConflict("an audit of this case has been started, so it cannot be replaced")
    case = round_case.case
    if case.status == CaseStatus.CLOSED.value and round_case.pool != Pool.CLOSED:
        raise RoundConflict(
            f"this case closed on {case.closed_on:%d/%m/%Y} since it was drawn: audit it as a "
            "closure (was the decision to close right, and was it recorded with a rationale?) "
            "rather than replace it" if case.closed_on else
            "this case has closed since it was drawn: audit it as a closure rather than "
            "replace it")
    settings = sampling_policies.settings_of(round_.policy)
    in_round = {str(c) for (c,) in RoundCase.select(RoundCase.case)
                .where(RoundCase.round == round_.id).tuples()}
    replaced_so_far = (RoundCase.select().where(RoundCase.round == round_.id,
                                                RoundCase.replaced_at.is_null(False)).count())
    excluded = drawn_in_period(round_.period, excluding_round=round_.id) | in_round
    seed = f"{round_.seed}|replacement-{replaced_so_far + 1}"
    try:
        picks = _replacement(round_, round_case, settings, seed, excluded, today, registry)
    except (StrategyError, UnknownPlugin) as exc:
        raise RoundConflict(f"no replacement can be drawn: {exc}") from None
    if not picks:
        raise RoundConflict("no other eligible case is left to draw, so the case stays in the "
                            "sample")
    (pick,) = picks
    with database.atomic():
        changed = (RoundCase.update(replaced_at=utcnow(), replacement_reason=reason)
                   .where(RoundCase.id == round_case.id, RoundCase.replaced_at.is_null())
                   .execute())
        if not changed:
            raise RoundConflict("this case has already been replaced")
        new = RoundCase.create(round=round_.id, case=case_id_of(pick.case_key),
                               position=round_case.position, pool=pick.pool,
                               reaudit_of=case_id_of(pick.reaudit_of) if pick.reaudit_of
                               else None,
                               reason=f"replacement ({reason}): {pick.reason}")
        RoundCase.update(replaced_by=new.id).where(RoundCase.id == round_case.id).execute()
        audit_trail.record(
            "round.case_replaced", actor=user, object_type="round", object_id=round_.public_id,
            before={"case_id": round_case.case_id, "position": round_case.position},
            after={"case_id": new.case_id, "reason": reason, "seed": seed},
        )
    return find(public_id, user)


def _replacement(round_: SamplingRound, round_case: RoundCase,
                 settings: SamplingPolicySettings, seed: str, excluded: set[str],
                 today: dt.date, registry: Registry[SamplingStrategy]) -> list[Drawn]:
    """One case drawn by the same strategy from the pool the replaced case came from."""
    if round_.team_id is None:
        manager = service_manager_of(round_)
        if manager is None:
            raise RoundConflict("the round's service manager is no longer in post, so no "
                                "replacement can be drawn")
        return draw_unallocated_for(manager, settings, seed, load_population(), excluded,
                                    today=today, period=round_.period, registry=registry,
                                    n=1)[1]
    sup = supervisor_of(round_)
    one = dataclasses.replace(
        settings, cases_per_supervisor=0 if round_case.pool == Pool.CLOSED else 1,
        closed_cases=1 if round_case.pool == Pool.CLOSED else 0)
    return draw_for(sup, one, seed, candidates_for(sup, one, round_.period), excluded,
                    today=today, period=round_.period, registry=registry)[1]
