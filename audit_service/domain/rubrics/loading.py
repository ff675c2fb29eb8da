"""Read rubric files (or uploaded documents) into validated ``Rubric`` values.

This is the one entry point the CLI, the start-up sync and the API use, so a
rubric is judged the same way wherever it comes from. Reading never stops at
the first bad file: ``validate_paths`` reports every error in every file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from audit_service.domain.rubrics.criterion_types import CriterionType
from audit_service.domain.rubrics.model import Rubric
from audit_service.domain.rubrics.validation import RubricError, check_document

RUBRIC_SUFFIXES = (".yaml", ".yml")


class RubricValidationError(ValueError):
    """A rubric (or a set of them) failed validation; ``errors`` lists every problem."""

    def __init__(self, errors: list[RubricError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice, which plain YAML silently overwrites."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the key {key!r} appears twice in the same block "
                f"(first on line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(text: str, source: str) -> tuple[Any, list[RubricError]]:
    """Parse YAML text; a syntax error is reported with its line and column."""
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass  # nosec B506
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = error.problem or "the file is not valid YAML"
        where = f"line {line}, column {column}: " if mark else ""
        return None, [
            RubricError(source, "", f"{where}could not read the YAML: {problem}", line, column)
        ]
    except yaml.YAMLError as error:
        return None, [RubricError(source, "", f"could not read the YAML: {error}")]
    if document is None:
        return None, [RubricError(source, "", "the file is empty")]
    return document, []


def check_file(
    path: str | Path, criterion_types: Mapping[str, CriterionType] | None = None
) -> tuple[Rubric | None, list[RubricError]]:
    """The rubric in one file, or every error in it (never raises for bad content)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [RubricError(source, "", "the file is not UTF-8 text")]
    except OSError as error:
        return None, [RubricError(source, "", f"could not open the file: {error.strerror}")]
    raw, errors = read_yaml(text, source)
    if errors:
        return None, errors
    return check_document(raw, source, criterion_types)


def load_rubric_file(
    path: str | Path, criterion_types: Mapping[str, CriterionType] | None = None
) -> Rubric:
    """Load one rubric file or raise ``RubricValidationError`` with every problem in it."""
    rubric, errors = check_file(path, criterion_types)
    if rubric is None:
        raise RubricValidationError(errors)
    return rubric


def parse_rubric_document(
    document: Any,
    source: str = "<upload>",
    criterion_types: Mapping[str, CriterionType] | None = None,
    *,
    stored: bool = False,
) -> Rubric:
    """Validate an already-parsed mapping (an API upload; ``stored``: a published version,
    checked only for what scoring needs, so rules added since never lock it out)."""
    rubric, errors = check_document(document, source, criterion_types, stored=stored)
    if rubric is None:
        raise RubricValidationError(errors)
    return rubric


def rubric_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[RubricError]]:
    """Expand files and folders into rubric files, in a stable (sorted) order."""
    files: list[Path] = []
    errors: list[RubricError] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                child
                for child in path.iterdir()
                if child.is_file() and child.suffix.lower() in RUBRIC_SUFFIXES
            )
            if not found:
                errors.append(RubricError(str(given), "", "the folder has no .yaml or .yml files"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(RubricError(str(given), "", "no such file or folder"))
    return files, errors


def check_paths(
    paths: Iterable[str | Path], criterion_types: Mapping[str, CriterionType] | None = None
) -> tuple[list[Rubric], list[RubricError]]:
    """Every valid rubric under ``paths`` and every error, including ids used twice."""
    files, errors = rubric_files(paths)
    rubrics: list[Rubric] = []
    first_file: dict[str, Path] = {}
    for path in files:
        rubric, file_errors = check_file(path, criterion_types)
        errors.extend(file_errors)
        if rubric is None:
            continue
        if rubric.id in first_file:
            errors.append(
                RubricError(
                    str(path),
                    "id",
                    f"rubric id {rubric.id!r} is already used by {first_file[rubric.id]}",
                )
            )
            continue
        first_file[rubric.id] = path
        rubrics.append(rubric)
    return rubrics, errors


def validate_paths(
    paths: Iterable[str | Path], criterion_types: Mapping[str, CriterionType] | None = None
) -> list[RubricError]:
    """Every error in the rubric files and folders given; empty means all valid."""
    return check_paths(paths, criterion_types)[1]


def load_rubrics(
    paths: Iterable[str | Path], criterion_types: Mapping[str, CriterionType] | None = None
) -> list[Rubric]:
    """All rubrics under ``paths``; raise ``RubricValidationError`` if any file is bad."""
    rubrics, errors = check_paths(paths, criterion_types)
    if errors:
        raise RubricValidationError(errors)
    return rubrics
