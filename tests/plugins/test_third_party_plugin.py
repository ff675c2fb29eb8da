"""A third-party plugin installed as its own distribution works end to end.

The example in ``tests/example_plugin`` is built and installed with pip into a
temporary folder; its entry point (group ``audit_service``) is then discovered
like any installed plugin. It adds a rubric and a criterion type, which are
validated at start-up, loaded as a rubric version and used to score.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from audit_service.domain.rubrics import score_rubric
from audit_service.extension import registries
from audit_service.services.rubrics import versions as rubric_versions

EXAMPLE = Path(__file__).resolve().parents[1] / "example_plugin"


@pytest.fixture(scope="session")
def installed_example(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(EXAMPLE)],
        check=True, capture_output=True,
    )
    return target


@pytest.fixture
def example_on_path(installed_example, monkeypatch):
    monkeypatch.syspath_prepend(str(installed_example))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("audit_example_plugin", None)


def test_entry_point_plugin_is_listed_with_version_and_hooks(example_on_path, runner):
    result = runner.invoke(args=["plugins", "--json"])
    assert result.exit_code == 0, result.output
    plugins = {p["name"]: p for p in json.loads(result.output)}
    assert plugins["example"] == {
        "name": "example",
        "version": "1.2.0",
        "source": "entry point (audit-service-example-plugin)",
        "hooks": ["register_criterion_types", "register_rubrics"],
    }


def test_plugin_rubric_and_criterion_type_work_end_to_end(example_on_path, app, runner):
    result = runner.invoke(args=["rubrics", "load"])
    assert result.exit_code == 0, result.output
    assert "record_keeping: version 1 created" in result.output

    with app.app_context():
        catalogue = registries()
        assert "traffic_light" in catalogue.criterion_types
        version = rubric_versions.get_version("record_keeping", 1)
        assert version.source == "plugin:example"
        rubric = rubric_versions.rubric_of(version, catalogue.criterion_types)
        red = score_rubric(rubric, {"case_summary_current": "red",
                                    "recording_timely": "outstanding"},
                           criterion_types=catalogue.criterion_types)
        green = score_rubric(rubric, {"case_summary_current": "green",
                                      "recording_timely": "good"},
                             criterion_types=catalogue.criterion_types)
    # red = 1 on the default scale, outstanding = 4: (1*1 + 4*2) / 3 = 3.00, banded Good,
    # then the plugin rubric's limiting rule caps it, and the score shown is held within it
    assert (red.mean_score, red.banded_grade.id, red.grade.id, red.score) == (
        Decimal("3.00"), "good", "requires_improvement", Decimal("2.50"))
    assert red.explanations == ("Case summary out of date: grade capped at Requires improvement",)
    # green = 4: (4 + 6) / 3 = 3.33, Good, no cap
    assert (green.score, green.grade.id, green.explanations) == (Decimal("3.33"), "good", ())


def test_without_the_plugin_its_rubric_does_not_validate(runner, tmp_path):
    rubric = EXAMPLE / "audit_example_plugin" / "rubrics" / "record_keeping.yaml"
    result = runner.invoke(args=["rubrics", "validate", str(rubric)])
    assert result.exit_code == 1
    assert "criteria[0].type: 'traffic_light' is not a criterion type" in result.output
