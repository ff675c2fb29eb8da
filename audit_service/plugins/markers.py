"""The pluggy markers for the ``audit_service`` project name."""

import pluggy

PROJECT = "audit_service"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
