"""Every hook a plugin can implement. Documented in ``docs/plugins.md``.

A plugin is any module or package that defines functions with these names,
decorated with ``audit_service.plugins.hookimpl``. Built-in features register
through the same hooks as third-party plugins.
"""

from __future__ import annotations

from audit_service.plugins.markers import hookspec

# --- Case data -----------------------------------------------------------------


@hookspec
def register_case_importers():
    """Return a list of ``CaseImporter`` subclasses that read a council's case data.

    Parameters: none.
    Returns: a list of classes derived from ``audit_service.importers.base.CaseImporter``;
    each declares a unique ``id``, a ``label`` and the file ``extensions`` it reads.
    All results are collected (not first-result-wins); duplicate ids are refused at start-up.
    """
