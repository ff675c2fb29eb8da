"""Every fixture in ``valid/`` loads cleanly; every one in ``invalid/`` gives exactly
the errors listed in its sibling ``.expected`` file (one ``path: message`` per line)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from audit_service.domain.rubrics import (
    RubricError,
    RubricValidationError,
    check_paths,
    load_rubric_file,
    parse_rubric_document,
    validate_paths,
)

FIXTURES = Path(__file__).parent / "fixtures"
VALID = sorted((FIXTURES / "valid").glob("*.y*ml"))
INVALID = sorted((FIXTURES / "invalid").glob("*.y*ml"))


def _located(error: RubricError) -> str:
    return f"{error.path}: {error.message}" if error.path else error.message


@pytest.mark.parametrize("path", VALID, ids=lambda path: path.name)
def test_valid_fixture_has_no_errors(path: Path) -> None:
    assert validate_paths([path]) == []


@pytest.mark.parametrize("path", VALID, ids=lambda path: path.name)
def test_valid_fixture_round_trips_through_its_document(path: Path) -> None:
    rubric = load_rubric_file(path)
    document = rubric.to_document()
    # Through YAML text as well: an exported version must be a file that imports identically.
    again = parse_rubric_document(yaml.safe_load(yaml.safe_dump(document)))
    assert again == rubric
    assert again.content_hash() == rubric.content_hash()


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.name)
def test_invalid_fixture_gives_exactly_the_expected_errors(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    errors = validate_paths([path])
    assert [_located(error) for error in errors] == expected
    assert {error.file for error in errors} == {str(path)}


def test_every_invalid_fixture_declares_its_errors() -> None:
    fixtures = {path.stem for path in INVALID}
    declared = {path.stem for path in (FIXTURES / "invalid").glob("*.expected")}
    assert fixtures == declared
    assert len(INVALID) >= 12


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.name)
def test_load_rubric_file_raises_with_the_same_errors(path: Path) -> None:
    with pytest.raises(RubricValidationError) as raised:
        load_rubric_file(path)
    assert raised.value.errors == validate_paths([path])
    assert str(raised.value) == "\n".join(str(error) for error in raised.value.errors)


def test_error_reads_file_path_message() -> None:
    error = RubricError(
        "rubrics/voice.yaml", "criteria[3].weight", "must be greater than 0 (got -1)"
    )
    assert str(error) == "rubrics/voice.yaml: criteria[3].weight: must be greater than 0 (got -1)"
    assert str(RubricError("rubrics/voice.yaml", "", "the file is empty")) == (
        "rubrics/voice.yaml: the file is empty"
    )


def test_yaml_syntax_error_carries_line_and_column() -> None:
    [error] = validate_paths([FIXTURES / "invalid" / "bad_yaml_syntax.yaml"])
    assert (error.line, error.column) == (5, 9)


def test_upload_errors_name_the_upload() -> None:
    with pytest.raises(RubricValidationError) as raised:
        parse_rubric_document({"id": "x", "title": "X", "domain": "D", "case_types": []})
    assert [str(error) for error in raised.value.errors] == [
        "<upload>: case_types: must list at least one value",
        "<upload>: criteria: is required but missing",
    ]


def test_semantic_errors_are_not_reported_for_a_structurally_broken_document() -> None:
    document = {
        "id": "x",
        "title": "X",
        "domain": "D",
        "case_types": ["nonsense"],
        "criteria": [{"id": "a", "prompt": "A", "weight": "1"}],
    }
    with pytest.raises(RubricValidationError) as raised:
        parse_rubric_document(document, source="form")
    assert [str(error) for error in raised.value.errors] == [
        "form: criteria[0].weight: must be a number (got '1')"
    ]


def test_folders_are_expanded_and_missing_paths_reported(tmp_path: Path) -> None:
    minimal = (FIXTURES / "valid" / "minimal.yaml").read_text()
    (tmp_path / "one.yaml").write_text(minimal)
    (tmp_path / "two.yml").write_text(minimal)
    (tmp_path / "notes.txt").write_text("not a rubric")
    empty = tmp_path / "empty"
    empty.mkdir()
    rubrics, errors = check_paths([tmp_path, empty, tmp_path / "gone.yaml"])
    assert [rubric.id for rubric in rubrics] == ["minimal"]
    assert [str(error) for error in errors] == [
        f"{empty}: the folder has no .yaml or .yml files",
        f"{tmp_path / 'gone.yaml'}: no such file or folder",
        f"{tmp_path / 'two.yml'}: id: rubric id 'minimal' is already used by "
        f"{tmp_path / 'one.yaml'}",
    ]


def test_content_hash_ignores_layout_but_not_content(tmp_path: Path) -> None:
    original = load_rubric_file(FIXTURES / "valid" / "minimal.yaml")
    reformatted = tmp_path / "reformatted.yaml"
    reformatted.write_text(
        "# comments and layout do not count\n"
        "criteria: [{prompt: The plan is clear., id: plan_is_clear, weight: 1.0}]\n"
        "case_types: [child_in_need]\ndomain: Practice\ntitle: Minimal rubric\nid: minimal\n"
    )
    assert load_rubric_file(reformatted).content_hash() == original.content_hash()
    reworded = tmp_path / "reworded.yaml"
    reworded.write_text(reformatted.read_text().replace("The plan is clear.", "The plan is SMART."))
    assert load_rubric_file(reworded).content_hash() != original.content_hash()


def test_published_criterion_cannot_be_edited_in_place() -> None:
    rubric = load_rubric_file(FIXTURES / "valid" / "met_partly_not_met.yaml")
    criterion = rubric.criterion("smart_actions")
    with pytest.raises(TypeError):
        criterion.level_descriptors["met"] = "changed"  # type: ignore[index]


def test_a_version_published_under_earlier_rules_stays_readable() -> None:
    """Half-way bands were allowed once: a stored version with them still loads and scores,
    though a new rubric with them is refused."""
    old = yaml.safe_load((FIXTURES / "invalid" / "halfway_to_the_better_grade.yaml").read_text())
    with pytest.raises(RubricValidationError, match="a half-way score must take the lower"):
        parse_rubric_document(old)
    rubric = parse_rubric_document(old, stored=True)
    assert [band.min for band in rubric.grade_bands][1] == 2.5
