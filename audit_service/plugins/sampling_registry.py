"""The installed sampling strategies, collected from plugins and validated at start-up."""

from __future__ import annotations

from functools import lru_cache

import pluggy

from audit_service.domain.sampling import SamplingStrategy
from audit_service.plugins.manager import build_plugin_manager
from audit_service.plugins.registries import Registration, collect


class UnknownStrategy(LookupError):
    """A policy names a strategy that no installed plugin provides."""


class SamplingStrategyRegistry:
    """Strategy instances by id, with the plugin each came from."""

    def __init__(self, registrations: dict[str, Registration]):
        self._registrations = registrations
        self._instances: dict[str, SamplingStrategy] = {
            strategy_id: reg.item() for strategy_id, reg in registrations.items()
        }

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> SamplingStrategyRegistry:
        return cls(collect(pm, "register_sampling_strategies", kind="sampling strategy",
                           base=SamplingStrategy, as_class=True))

    def ids(self) -> list[str]:
        return sorted(self._instances)

    def get(self, strategy_id: str) -> SamplingStrategy:
        try:
            return self._instances[strategy_id]
        except KeyError:
            raise UnknownStrategy(
                f"the sampling strategy {strategy_id!r} is not installed; installed: "
                f"{', '.join(self.ids()) or 'none'}"
            ) from None

    def plugin_of(self, strategy_id: str) -> str:
        return self._registrations[strategy_id].plugin

    def as_mapping(self) -> dict[str, SamplingStrategy]:
        return dict(self._instances)


@lru_cache(maxsize=1)
def default_registry() -> SamplingStrategyRegistry:
    """Built-in and first-party strategies, for callers outside an app (scripts, benchmarks)."""
    return SamplingStrategyRegistry.from_plugins(build_plugin_manager())
