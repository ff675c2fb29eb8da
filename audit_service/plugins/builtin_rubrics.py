"""The built-in rubrics (``rubrics/``) and criterion types, registered like any plugin's."""

from __future__ import annotations

from pathlib import Path

from audit_service.domain.rubrics import BUILTIN_CRITERION_TYPES
from audit_service.plugins.markers import hookimpl
from audit_service.plugins.paths import project_root


def rubrics_dir() -> Path:
    return project_root() / "rubrics"


@hookimpl
def register_rubrics():
    return [rubrics_dir()]


@hookimpl
def register_criterion_types():
    return list(BUILTIN_CRITERION_TYPES.values())
