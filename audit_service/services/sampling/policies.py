"""Sampling policies: set a new version for a scope, and find the one that applies to a team.

A policy is never edited in place: each change is a new version for its scope
("council", "service:<id>", "team:<id>"), recorded in the audit trail with the
settings before and after, so every round can say exactly which rules drew it.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError, fn

from audit_service.domain.sampling import (
    BUILTIN_DEFAULT,
    PolicyError,
    SamplingPolicySettings,
    SamplingStrategy,
)
from audit_service.plugins.registries import Registry
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import SamplingPolicy, Service, Team, User

COUNCIL = "council"
# The built-in default is stored too (once), so every round can point at the rules it used.
BUILTIN_SCOPE = "default"
SETTING_FIELDS = tuple(SamplingPolicySettings.__dataclass_fields__)


def scope_of(*, team: Team | None = None, service: Service | None = None) -> str:
    if team is not None and service is not None:
        raise PolicyError(["scope: choose a team or a service, not both"])
    if team is not None:
        return f"team:{team.id}"
    if service is not None:
        return f"service:{service.id}"
    return COUNCIL


def describe_scope(scope: str) -> str:
    """"the council", "service Safeguarding", "team Family Support Team 1"."""
    kind, _, ident = scope.partition(":")
    if kind == "team":
        team = Team.get_or_none(Team.id == int(ident))
        return f"team {team.name}" if team else f"a deleted team ({ident})"
    if kind == "service":
        service = Service.get_or_none(Service.id == int(ident))
        return f"service {service.name}" if service else f"a deleted service ({ident})"
    if kind == BUILTIN_SCOPE:
        return "the built-in default"
    return "the council"


def settings_of(policy: SamplingPolicy) -> SamplingPolicySettings:
    return SamplingPolicySettings(**{name: getattr(policy, name) for name in SETTING_FIELDS})


def check_settings(settings: SamplingPolicySettings, registry: Registry[SamplingStrategy]) -> None:
    """Refuse a strategy that is not installed or options the strategy does not take."""
    errors = settings.problems(known_strategies=registry.ids())
    if settings.strategy in registry.ids():
        errors += registry.lookup(settings.strategy).check_options(
            settings.strategy_options, registry.ids())
    if errors:
        raise PolicyError(errors)


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
    scope = scope_of(team=team, service=service)
    created_by = actor.username if actor is not None else (actor_label or "system")
    for attempt in range(3):
        try:
            with database.atomic():
                before = newest(scope)
                policy = SamplingPolicy.create(
                    scope=scope, team=team, service=service,
                    version=(before.version + 1) if before else 1,
                    created_by=created_by, **_columns(settings),
                )
                audit_trail.record(
                    "sampling_policy.set", actor=actor, actor_label=actor_label,
                    object_type="sampling_policy", object_id=scope,
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


def newest(scope: str) -> SamplingPolicy | None:
    return (SamplingPolicy.select().where(SamplingPolicy.scope == scope)
            .order_by(SamplingPolicy.version.desc()).first())


def list_versions(scope: str | None = None) -> list[SamplingPolicy]:
    """Every version, newest first (of one scope, or of all)."""
    query = SamplingPolicy.select().order_by(SamplingPolicy.scope, SamplingPolicy.version.desc())
    if scope is not None:
        query = query.where(SamplingPolicy.scope == scope)
    return list(query)


def newest_by_scope() -> dict[str, SamplingPolicy]:
    """The newest version of every scope, in one query (rounds resolve 1,000s of teams)."""
    latest = (SamplingPolicy.select(SamplingPolicy.scope, fn.MAX(SamplingPolicy.version)
                                    .alias("version")).group_by(SamplingPolicy.scope))
    rows = SamplingPolicy.select().join(
        latest, on=((SamplingPolicy.scope == latest.c.scope)
                    & (SamplingPolicy.version == latest.c.version)))
    return {row.scope: row for row in rows}


def scopes_for(team_id: int | None, service_id: int | None) -> list[str]:
    """Most specific first: team, service, council, built-in default."""
    scopes = []
    if team_id is not None:
        scopes.append(f"team:{team_id}")
    if service_id is not None:
        scopes.append(f"service:{service_id}")
    return [*scopes, COUNCIL, BUILTIN_SCOPE]


@dataclass(frozen=True)
class EffectivePolicy:
    """The policy that applies to a team, and whose it is. ``policy`` is None for the
    built-in default when it has never been stored."""

    policy: SamplingPolicy | None
    settings: SamplingPolicySettings
    scope: str

    @property
    def source(self) -> str:
        return describe_scope(self.scope)


def resolve(
    team_id: int | None, service_id: int | None, policies: dict[str, SamplingPolicy]
) -> SamplingPolicy | None:
    for scope in scopes_for(team_id, service_id):
        if scope in policies:
            return policies[scope]
    return None


def effective_policy(team: Team | None) -> EffectivePolicy:
    """Team over service over council over the built-in default."""
    policies = newest_by_scope()
    policy = resolve(team.id if team else None, team.service_id if team else None, policies)
    if policy is None:
        return EffectivePolicy(None, BUILTIN_DEFAULT, BUILTIN_SCOPE)
    return EffectivePolicy(policy, settings_of(policy), policy.scope)


def base_settings(*, team: Team | None = None,
                  service: Service | None = None) -> SamplingPolicySettings:
    """What applies to a scope now (its own newest version, or what it inherits)."""
    policies = newest_by_scope()
    if team is not None:
        policy = resolve(team.id, team.service_id, policies)
    elif service is not None:
        policy = resolve(None, service.id, policies)
    else:
        policy = resolve(None, None, policies)
    return settings_of(policy) if policy is not None else BUILTIN_DEFAULT


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

