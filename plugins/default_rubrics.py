"""The shipped rubrics (``rubrics/``, as ``audit_service.default_rubrics``) and the built-in
criterion types."""

from __future__ import annotations

from audit_service.domain.rubrics import BUILTIN_CRITERION_TYPES
from audit_service.plugins import hookimpl
from audit_service.resources import rubrics_dir


@hookimpl
def register_rubrics():
    return [rubrics_dir()]


@hookimpl
def register_criterion_types():
    return list(BUILTIN_CRITERION_TYPES.values())
