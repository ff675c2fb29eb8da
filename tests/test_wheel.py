"""The built wheel runs where it is installed: migrate, load rubrics, demo and serve, styled.

``scripts/check_wheel.py`` does what a council's IT team would (build, install in a clean
virtual environment, run from an empty folder); this test runs it so CI proves it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_migrates_loads_rubrics_loads_the_demo_and_serves_styled_pages(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_wheel.py"),
                           "--workdir", str(tmp_path)], capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "wheel check passed"
    assert "rubrics load: 7 rubrics, version 1 each" in lines
    assert any(line.startswith("Loaded the small demo council") for line in lines)
    assert any(line.startswith("serve: /login 200 with /static/govuk/govuk-frontend.min.css")
               for line in lines)
