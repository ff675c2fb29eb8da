"""The installed plugins' registries for tests that run services outside an app."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from audit_service.notifications.base import Notifier
from audit_service.plugins.installed import Registries, build_registries
from audit_service.plugins.registries import Registry


@lru_cache(maxsize=1)
def installed() -> Registries:
    """What the default plugins register, built once per test process."""
    return build_registries()


def with_notifiers(*notifiers: Notifier) -> Registries:
    """The installed registries, delivering only through ``notifiers``."""
    return dataclasses.replace(installed(), notifiers=Registry.of("notifier", notifiers))


def strategies():
    """The installed sampling strategies, for services that draw samples."""
    return installed().sampling_strategies
