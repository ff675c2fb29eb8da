"""Where the project's own folders (``rubrics/``, ``plugins/``, ``migrations/``) are."""

from __future__ import annotations

from pathlib import Path


def project_root() -> Path:
    """The checkout the package runs from (an editable install, as ``make run`` makes)."""
    return Path(__file__).resolve().parents[2]


def first_party_plugins_dir() -> Path:
    return project_root() / "plugins"
