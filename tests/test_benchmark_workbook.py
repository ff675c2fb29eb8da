"""The benchmark's Annex A workbook: real headers, and the importer reads every row of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_service.services.demo.council import CouncilSize, TeamKind, generate_council
from audit_service.services.imports.case_import import import_file
from audit_service.storage.models import Case
from benchmarks.annex_a_workbook import HEADERS, council_for_rows, write_workbook
from tests.support.installed import installed
from tests.support.samples import ANNEX_A_2024, sample

AS_OF = dt.date(2025, 1, 15)
SIZE = CouncilSize(teams=dict.fromkeys(TeamKind, 1), practitioners=12, open_cases=240,
                   closed_cases=12, leavers=1)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("bench") / "annex_a.xlsx"
    counts = write_workbook(generate_council(SIZE, 5, AS_OF), path)
    return path, counts


def test_headers_are_exactly_those_of_the_annex_a_sample(workbook) -> None:
    path, _ = workbook
    annex_a = load_workbook(sample(ANNEX_A_2024), read_only=True)
    ours = load_workbook(path, read_only=True)
    for sheet, headers in HEADERS.items():
        expected = next(annex_a[sheet].iter_rows(max_row=1, values_only=True))
        assert headers == expected, sheet
        assert next(ours[sheet].iter_rows(max_row=1, values_only=True)) == headers


def test_one_row_per_case_on_the_list_for_its_type(workbook) -> None:
    _, counts = workbook
    assert sum(counts.values()) == 252
    assert set(counts) == {"List 6", "List 7", "List 8", "List 9"}
    assert all(counts.values())


def test_council_for_rows_gives_exactly_that_many_cases() -> None:
    council = council_for_rows(2_100, 1, AS_OF)
    assert len(council.cases) == 2_100
    assert len(council.open_cases()) == 2_000


def test_the_importer_reads_every_row_and_finds_a_reimport_unchanged(db, workbook) -> None:
    path, _ = workbook
    registry = installed().importers
    with path.open("rb") as stream:
        first = import_file(stream, path.name, importers=registry, as_of=AS_OF,
                             closure_limit=None)
    assert (first.rows_read, first.created_count, first.rejected_count) == (252, 252, 0)
    assert Case.select().count() == 252
    with path.open("rb") as stream:
        again = import_file(stream, path.name, importers=registry, as_of=AS_OF,
                             closure_limit=None)
    assert (again.unchanged_count, again.updated_count, again.created_count) == (252, 0, 0)
