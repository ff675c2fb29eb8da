"""The plugin system: hook specifications and the manager that loads implementations.

Plugins import ``hookimpl`` from here (or from ``audit_service.hookimpl``)::

    from audit_service.plugins import hookimpl

    @hookimpl
    def register_case_importers():
        return [MyCaseSystemImporter]
"""

from audit_service.plugins.markers import hookimpl, hookspec

__all__ = ["hookimpl", "hookspec"]
