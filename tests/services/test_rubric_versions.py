"""Rubric files become immutable versions; edits make new versions, old ones stay intact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from peewee import PostgresqlDatabase

from audit_service.domain.rubrics import BUILTIN_CRITERION_TYPES, load_rubric_file, score_rubric
from audit_service.resources import rubrics_dir
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.models import Event, RubricVersion

VOICE = rubrics_dir() / "voice_of_the_child.yaml"


def test_publish_creates_version_one_and_is_a_no_op_when_unchanged(db):
    rubric = load_rubric_file(VOICE)
    version, created = rubric_versions.publish(rubric, source="test")
    assert (version.number, created) == (1, True)
    again, created_again = rubric_versions.publish(rubric, source="test")
    assert (again.id, again.number, created_again) == (version.id, 1, False)
    assert RubricVersion.select().count() == 1
    assert Event.select().where(Event.action == "rubric.version_published").count() == 1


def test_editing_a_file_creates_version_two_and_version_one_stays_intact(db, runner, tmp_path):
    folder = tmp_path / "rubrics"
    shutil.copytree(rubrics_dir(), folder)
    assert runner.invoke(args=["rubrics", "load", str(folder)]).exit_code == 0
    v1 = rubric_versions.get_version("voice_of_the_child", 1)
    v1_document, v1_hash = v1.document, v1.content_hash

    edited = folder / "voice_of_the_child.yaml"
    edited.write_text(edited.read_text().replace("weight: 2", "weight: 3", 1))
    result = runner.invoke(args=["rubrics", "load", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "voice_of_the_child: version 2 created",
        *(f"{rubric_id}: unchanged (version 1)" for rubric_id in (
            "assessment_and_planning", "care_leavers", "children_in_care",
            "management_oversight", "reappraisal_of_past_decisions", "safety_now")),
    ]
    v1_again = rubric_versions.get_version("voice_of_the_child", 1)
    v2 = rubric_versions.get_version("voice_of_the_child", 2)
    assert (v1_again.document, v1_again.content_hash) == (v1_document, v1_hash)
    assert v2.content_hash != v1_hash
    weights = [c["weight"] for c in v2.document["criteria"]][:1], [
        c["weight"] for c in v1_document["criteria"]][:1]
    assert weights == (["3"], ["2"]) or weights == ([3], [2])


def test_an_audit_scored_on_version_one_scores_the_same_after_version_two(db, tmp_path):
    rubric = load_rubric_file(VOICE)
    rubric_versions.publish(rubric, source="test")
    ratings = {c.id: "good" for c in rubric.criteria}
    ratings["wishes_and_feelings"] = "inadequate"
    before = score_rubric(rubric_versions.rubric_of(rubric_versions.get_version(
        "voice_of_the_child", 1), BUILTIN_CRITERION_TYPES), ratings)

    edited = tmp_path / "voice.yaml"
    domain_cap = "cap: requires_improvement\n    applies_to: domain"
    assert domain_cap in VOICE.read_text()
    edited.write_text(VOICE.read_text().replace(
        domain_cap, "cap: inadequate\n    applies_to: domain", 1))
    rubric_versions.publish(load_rubric_file(edited), source="test")
    rubric_versions.retire("voice_of_the_child", actor_label="test")

    v1 = rubric_versions.get_version("voice_of_the_child", 1)
    after = score_rubric(rubric_versions.rubric_of(v1, BUILTIN_CRITERION_TYPES), ratings)
    assert (after.score, after.grade, after.explanations) == (
        before.score, before.grade, before.explanations)
    assert before.grade.id == "requires_improvement"


def test_unknown_version_is_a_clear_error(db):
    with pytest.raises(rubric_versions.UnknownRubric, match="rubric 'nope' has no version 3"):
        rubric_versions.get_version("nope", 3)


def test_published_versions_cannot_be_updated_on_postgresql(postgres_db):
    assert isinstance(postgres_db, PostgresqlDatabase)
    rubric_versions.publish(load_rubric_file(VOICE), source="test")
    with pytest.raises(Exception, match="immutable"), postgres_db.atomic():
        RubricVersion.update(title="changed").execute()


def test_validate_command_passes_the_builtin_rubrics(runner):
    result = runner.invoke(args=["rubrics", "validate", str(rubrics_dir())])
    assert result.exit_code == 0, result.output
    assert "ok  voice_of_the_child: 7 criteria" in result.output


def test_validate_command_reports_located_errors_and_fails(runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        Path(VOICE).read_text()
        .replace("    weight: 2\n", "    weight: -1\n", 1)
        .replace("criterion: seen_alone", "criterion: seen_alnoe")
    )
    result = runner.invoke(args=["rubrics", "validate", str(broken)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{broken}: criteria[0].weight: must be greater than 0 (got -1)" in lines
    assert any(line.startswith(f"{broken}: limiting_rules[0].criterion: names criterion "
                               "'seen_alnoe', which this rubric does not have") for line in lines)
    assert lines[-1] == "2 errors found"
