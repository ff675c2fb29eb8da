"""Sampling policies: set a new version for a scope, and find the one that applies to a team.

A policy is never edited in place: each change is a new version for its scope
("council", "service:<id>", "team:<id>"), recorded in the audit trail with the
settings before and after, so every round can say exactly which rules drew it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from peewee import IntegrityError, fn

from audit_service.domain.sampling import (
    BUILTIN_DEFAULT,
    PolicyError,
    SamplingPolicySettings,
    SamplingStrategy,
)
from audit_service.plugins.registries import Registry
from audit_service.services.errors import FieldError, Invalid, NotFound
from audit_service.services.platform import audit_trail
from audit_service.services.sampling.views import (
    EffectivePolicy,
    PolicyOverview,
    PolicyScope,
    PolicyVersion,
)
from audit_service.storage.database import database
from audit_service.storage.models import SamplingPolicy, Service, Team, User

COUNCIL = "council"
# The built-in default is stored too (once), so every round can point at the rules it used.
BUILTIN_SCOPE = "default"
BUILTIN_SOURCE = "the built-in default"
SETTING_FIELDS = tuple(SamplingPolicySettings.__dataclass_fields__)
COUNCIL_SCOPE = PolicyScope(COUNCIL, "the council")
# The policy's own sentences start with the setting in words; these are the settings' names.
SETTING_NAMES = {
    "cases per supervisor": "cases_per_supervisor",
    "exclusion months": "exclusion_months",
    "due working days": "due_working_days",
    "case types": "case_types",
    "strategy options": "strategy_options",
    "strategy": "strategy",
    "independence": "independence",
    "draw mode": "draw_mode",
    "re-audit grades": "reaudit_grades",
    "re-audit after months": "reaudit_after_months",
    "closed cases": "closed_cases",
    "unallocated cases": "unallocated_cases",
}


class InvalidPolicy(Invalid):
    """Settings no policy may have. ``problems`` are the policy's own sentences, each led by
    the setting in words (the command line lists them); ``errors`` put each on its setting,
    for the form and the API."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("the policy was not saved: " + "; ".join(problems),
                         [_on_setting(problem) for problem in problems])
        self.problems = list(problems)


class UnknownScope(Invalid):
    """A team or service named in a request that the council does not have."""


def _on_setting(problem: str) -> FieldError:
    words, _, text = problem.partition(": ")
    text = text or problem
    return FieldError(SETTING_NAMES.get(words, "cases_per_supervisor"),
                      text[:1].upper() + text[1:])


# --- scopes ---------------------------------------------------------------------------------


def _scope(row: Team | Service) -> PolicyScope:
    if isinstance(row, Team):
        return PolicyScope(f"team:{row.id}", f"team {row.name}", row.name, row.id, row.service_id)
    return PolicyScope(f"service:{row.id}", f"service {row.name}", row.name, None, row.id)


def _row_scope(team: Team | None, service: Service | None) -> PolicyScope:
    if team is not None and service is not None:
        raise InvalidPolicy(["scope: choose a team or a service, not both"])
    found = team or service
    return _scope(found) if found is not None else COUNCIL_SCOPE


def find_scope(*, team_id: int | None = None, service_id: int | None = None) -> PolicyScope:
    """The scope of a team or service by id (the council's with neither); NotFound when the
    team or service does not exist."""
    if team_id is None and service_id is None:
        return COUNCIL_SCOPE
    model, kind, ident = ((Team, "team", team_id) if team_id is not None
                          else (Service, "service", service_id))
    found = model.get_or_none(model.id == ident)
    if found is None:
        raise NotFound(f"there is no {kind} with that id")
    return _scope(found)


def named_scope(*, team: str | None = None, service: str | None = None) -> PolicyScope:
    """The scope of a team or service by name (the council's with neither), as the API and the
    command line name them; UnknownScope, on that field, when there is no such team or service."""
    if team and service:
        raise UnknownScope("choose a team or a service, not both",
                           {"team": "choose a team or a service, not both"})
    if not team and not service:
        return COUNCIL_SCOPE
    model, kind, name = (Team, "team", team) if team else (Service, "service", service)
    found = model.get_or_none(model.name == name)
    if found is None:
        raise UnknownScope(f"there is no {kind} named {name!r}", {kind: f"no such {kind}"})
    return _scope(found)


def describe_scope(scope: str) -> str:
    """"the council", "service Safeguarding", "team Family Support Team 1"."""
    return describe_scopes([scope])[scope]


def describe_scopes(scopes: Iterable[str]) -> dict[str, str]:
    """Each scope in words, with a query for teams and one for services however many."""
    scopes = set(scopes)
    models = {"team": Team, "service": Service}
    wanted: dict[str, set[int]] = {kind: set() for kind in models}
    for scope in scopes:
        kind, _, ident = scope.partition(":")
        if kind in wanted:
            wanted[kind].add(int(ident))
    names = {kind: dict(model.select(model.id, model.name)
                        .where(model.id.in_(list(wanted[kind]))).tuples()) if wanted[kind] else {}
             for kind, model in models.items()}
    described = {}
    for scope in scopes:
        kind, _, ident = scope.partition(":")
        if kind in names:
            name = names[kind].get(int(ident))
            described[scope] = f"{kind} {name}" if name else f"a deleted {kind} ({ident})"
        else:
            described[scope] = BUILTIN_SOURCE if kind == BUILTIN_SCOPE else "the council"
    return described


# --- settings -------------------------------------------------------------------------------


def settings_of(policy: SamplingPolicy) -> SamplingPolicySettings:
    return SamplingPolicySettings(**{name: getattr(policy, name) for name in SETTING_FIELDS})


def check_settings(settings: SamplingPolicySettings, registry: Registry[SamplingStrategy]) -> None:
    """Refuse a strategy that is not installed or options the strategy does not take."""
    errors = settings.problems(known_strategies=registry.ids())
    if settings.strategy in registry.ids():
        errors += registry.lookup(settings.strategy).check_options(
            settings.strategy_options, registry.ids())
    if errors:
        raise InvalidPolicy(errors)


def compose(data: Mapping[str, Any], registry: Registry[SamplingStrategy]
            ) -> SamplingPolicySettings:
    """Settings from ``data``, or InvalidPolicy with every problem, the strategy's included."""
    try:
        settings = SamplingPolicySettings.from_mapping(data)
    except PolicyError as exc:
        raise InvalidPolicy([*exc.errors, *_strategy_problems(data.get("strategy"), registry)]
                            ) from None
    check_settings(settings, registry)
    return settings


def _strategy_problems(strategy: object, registry: Registry[SamplingStrategy]) -> list[str]:
    """Settings check the strategy against those installed only once they are otherwise valid;
    say it now too, so that one attempt lists every problem. (A blank strategy the settings
    already refuse.)"""
    if not isinstance(strategy, str) or not strategy.strip() or strategy in registry.ids():
        return []
    return dataclasses.replace(BUILTIN_DEFAULT, strategy=strategy).problems(
        known_strategies=registry.ids())


# --- saving ---------------------------------------------------------------------------------


def set_policy(
    settings: SamplingPolicySettings,
    *,
    team: Team | None = None,
    service: Service | None = None,
    actor: User | None = None,
    actor_label: str | None = None,
    registry: Registry[SamplingStrategy],
) -> SamplingPolicy:
    """Save ``settings`` as the next version for the team's, service's or council's scope."""
    check_settings(settings, registry)
    return _store(settings, _row_scope(team, service), actor, actor_label)


def save(scope: PolicyScope, changes: Mapping[str, Any], *, actor: User | None = None,
         actor_label: str | None = None, registry: Registry[SamplingStrategy]) -> PolicyVersion:
    """Save the scope's next version: what applies to it now, with ``changes``. A strategy
    changed without options starts from that strategy's defaults, not the old one's options."""
    changes = dict(changes)
    if "strategy" in changes and "strategy_options" not in changes:
        changes["strategy_options"] = {}
    settings = compose({**effective(scope).settings.as_dict(), **changes}, registry)
    return _version(_store(settings, scope, actor, actor_label), scope.label)


def _store(settings: SamplingPolicySettings, scope: PolicyScope, actor: User | None,
           actor_label: str | None) -> SamplingPolicy:
    created_by = actor.username if actor is not None else (actor_label or "system")
    team_id = scope.team_id
    service_id = scope.service_id if team_id is None else None
    for attempt in range(3):
        try:
            with database.atomic():
                before = newest(scope.key)
                policy = SamplingPolicy.create(
                    scope=scope.key, team=team_id, service=service_id,
                    version=(before.version + 1) if before else 1,
                    created_by=created_by, **_columns(settings),
                )
                audit_trail.record(
                    "sampling_policy.set", actor=actor, actor_label=actor_label,
                    object_type="sampling_policy", object_id=scope.key,
                    before=_snapshot(before), after=_snapshot(policy),
                )
            return policy
        except IntegrityError:
            if attempt == 2:  # someone else kept saving the same scope at the same moment
                raise
    raise AssertionError("unreachable")


def _columns(settings: SamplingPolicySettings) -> dict:
    data = settings.as_dict()
    data["strategy_options"] = data["strategy_options"] or None
    return data


def _snapshot(policy: SamplingPolicy | None) -> dict | None:
    if policy is None:
        return None
    return {"version": policy.version, **settings_of(policy).as_dict()}


# --- reading --------------------------------------------------------------------------------


def newest(scope: str) -> SamplingPolicy | None:
    return (SamplingPolicy.select().where(SamplingPolicy.scope == scope)
            .order_by(SamplingPolicy.version.desc()).first())


def newest_by_scope() -> dict[str, SamplingPolicy]:
    """The newest version of every scope, in one query (rounds resolve 1,000s of teams)."""
    latest = (SamplingPolicy.select(SamplingPolicy.scope, fn.MAX(SamplingPolicy.version)
                                    .alias("version")).group_by(SamplingPolicy.scope))
    rows = SamplingPolicy.select().join(
        latest, on=((SamplingPolicy.scope == latest.c.scope)
                    & (SamplingPolicy.version == latest.c.version)))
    return {row.scope: row for row in rows}


def _version(row: SamplingPolicy, applies_to: str) -> PolicyVersion:
    return PolicyVersion(**{name: getattr(row, name) for name in SETTING_FIELDS},
                         scope=row.scope, applies_to=applies_to, version=row.version,
                         created_at=row.created_at, created_by=row.created_by,
                         saved_options=row.strategy_options)


def _versions(rows: Iterable[SamplingPolicy]) -> list[PolicyVersion]:
    rows = list(rows)
    sources = describe_scopes(row.scope for row in rows)
    return [_version(row, sources[row.scope]) for row in rows]


def newest_versions() -> list[PolicyVersion]:
    """The newest version of every scope, by scope."""
    return _versions(row for _, row in sorted(newest_by_scope().items()))


def all_versions(scope: PolicyScope | None = None) -> list[PolicyVersion]:
    """Every version, newest first (of one scope, or of all by scope)."""
    query = SamplingPolicy.select().order_by(SamplingPolicy.scope, SamplingPolicy.version.desc())
    if scope is not None:
        query = query.where(SamplingPolicy.scope == scope.key)
    return _versions(query)


def scopes_for(team_id: int | None, service_id: int | None) -> list[str]:
    """Most specific first: team, service, council, built-in default."""
    scopes = []
    if team_id is not None:
        scopes.append(f"team:{team_id}")
    if service_id is not None:
        scopes.append(f"service:{service_id}")
    return [*scopes, COUNCIL, BUILTIN_SCOPE]


def resolve(
    team_id: int | None, service_id: int | None, policies: dict[str, SamplingPolicy]
) -> SamplingPolicy | None:
    for scope in scopes_for(team_id, service_id):
        if scope in policies:
            return policies[scope]
    return None


def effective(scope: PolicyScope) -> EffectivePolicy:
    """Team over service over council over the built-in default: what applies to ``scope``."""
    policies = newest_by_scope()
    return _effective(scope, policies, describe_scopes(policies))


def _effective(scope: PolicyScope, policies: dict[str, SamplingPolicy],
               sources: dict[str, str]) -> EffectivePolicy:
    policy = resolve(scope.team_id, scope.service_id, policies)
    if policy is None:
        return EffectivePolicy(BUILTIN_DEFAULT, BUILTIN_SCOPE, BUILTIN_SOURCE, None)
    return EffectivePolicy(settings_of(policy), policy.scope, sources[policy.scope],
                           policy.version)


def base_settings(*, team: Team | None = None,
                  service: Service | None = None) -> SamplingPolicySettings:
    """What applies to a scope now (its own newest version, or what it inherits)."""
    return effective(_row_scope(team, service)).settings


def overview() -> PolicyOverview:
    """The council's policy, each service's own, and what each team works under, at once."""
    policies = newest_by_scope()
    sources = describe_scopes(policies)

    def own(scope: PolicyScope) -> PolicyVersion | None:
        row = policies.get(scope.key)
        return _version(row, sources[row.scope]) if row is not None else None

    return PolicyOverview(
        council=own(COUNCIL_SCOPE),
        services=tuple((scope, own(scope)) for scope in map(
            _scope, Service.select().order_by(Service.name))),
        teams=tuple((scope, _effective(scope, policies, sources)) for scope in map(
            _scope, Team.select().order_by(Team.name))),
    )


def stored_builtin_default() -> SamplingPolicy:
    """The built-in default as a row, created once (safe when several processes race)."""
    existing = newest(BUILTIN_SCOPE)
    if existing is not None:
        return existing
    try:
        with database.atomic():
            return SamplingPolicy.create(scope=BUILTIN_SCOPE, version=1, created_by="built-in",
                                         **_columns(BUILTIN_DEFAULT))
    except IntegrityError:
        return newest(BUILTIN_SCOPE)
