"""Where the files that travel with the package are: the shipped rubrics and the migrations.

In a checkout they are the repository's top-level ``rubrics/`` and ``migrations/`` (an
editable install maps the packages there); in an installed wheel they are inside the
package. The same names find them either way (see ``setup.py``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def rubrics_dir() -> Path:
    """The folder of the rubrics the service ships."""
    return Path(str(files("audit_service.default_rubrics")))


def migrations_dir() -> Path:
    """The folder of the numbered migration scripts."""
    return Path(str(files("audit_service.migration_scripts")))
