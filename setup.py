"""Packaging that setup.cfg cannot say: the repository's top-level ``plugins/``, ``rubrics/``
and ``migrations/`` travel inside the package, under names that are the same in a
checkout (an editable install maps them to these folders) and in an installed wheel.

- ``plugins/``    is ``audit_service.default_plugins``: every built-in plugin, in one place;
- ``rubrics/``    is ``audit_service.default_rubrics``: the shipped rubric files;
- ``migrations/`` is ``audit_service.migration_scripts``: the numbered migrations.

GOV.UK Frontend's compiled assets are part of ``audit_service/static`` (built by
``make assets`` before ``make wheel``), so the wheel serves styled pages.
"""

from setuptools import find_packages, setup

MAPPED = {
    "audit_service.default_plugins": "plugins",
    "audit_service.default_rubrics": "rubrics",
    "audit_service.migration_scripts": "migrations",
}
PLUGIN_PACKAGES = [
    f"audit_service.default_plugins.{name}"
    for name in find_packages(where="plugins", exclude=["*.tests", "*.tests.*", "tests"])
]

setup(
    packages=[*find_packages(include=["audit_service", "audit_service.*"]), *MAPPED,
              *PLUGIN_PACKAGES],
    package_dir={"": ".", **MAPPED},
    package_data={
        "audit_service": ["templates/**/*", "static/**/*"],
        "audit_service.default_rubrics": ["*.yaml"],
    },
)
