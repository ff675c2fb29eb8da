"""The shared sample files (``../shared/data`` beside the repository), for tests that read them.

A clone anywhere else has no such folder: those tests skip, saying why. CI sets
``AUDIT_REQUIRE_SAMPLES=1``, and then a missing sample fails the test instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ANNEX_A_2024 = "annex_a_2024_jan_synthetic.xlsx"


def sample(name: str) -> Path:
    """The sample file's path; skips the test (or, in CI, fails it) when it is not there."""
    path = SHARED_DATA / name
    if not path.exists():
        message = (f"the shared sample {name} is not beside the repository ({path}); "
                   "these tests run where ../shared/data is present, and always in CI")
        if os.environ.get("AUDIT_REQUIRE_SAMPLES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path
