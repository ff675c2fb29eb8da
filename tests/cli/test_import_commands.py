"""``audit-service import-cases``: prints the summary and every rejected row."""

from __future__ import annotations

from pathlib import Path

from audit_service.cli import cli
from audit_service.storage.database import database
from audit_service.storage.models import Case, ImportBatch
from tests.importers.builders import LIST_6, d, workbook_bytes


def test_import_prints_summary_and_rejected_rows(runner, tmp_path: Path) -> None:
    path = tmp_path / "annex_a.xlsx"
    path.write_bytes(workbook_bytes({"List 6": [
        LIST_6,
        [1, "a) Male", d(1, 5, 2015), d(1, 1, 2023), "03/01/2024", None, None, "c)",
         "Locality 1", "Ann\xa0Smith"],
        [2, "a) Male", d(1, 5, 2015), "31/02/2023", "03/01/2024", None, None, "c)",
         "Locality 1", "Ann Smith"],
    ]}))
    result = runner.invoke(cli, ["import-cases", str(path), "--as-of", "2024-01-31"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Imported annex_a.xlsx with annex-a-xlsx: 2 rows read, 2 created, 0 updated, "
        "0 unchanged, 0 closed, 1 rejected.",
        "Rows: 2 imported, 0 refused; 1 values dropped from imported rows.",
        "Lists read in full: List 6. Only their kinds of case can be closed.",
        "  rejected: List 6, row 3, column 'CIN Start Date', value '31/02/2023': "
        "31/02/2023 is not a real date (day 31, month 2); the row was imported without this value",
    ]
    again = runner.invoke(cli, ["import-cases", str(path), "--format", "annex-a-xlsx",
                                "--as-of", "2024-01-31"])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 2 unchanged, 0 closed, 1 rejected." in again.output
    with database.connection_context():
        assert Case.select().count() == 2


def test_unreadable_file_exits_non_zero_with_the_reason(runner, tmp_path: Path) -> None:
    path = tmp_path / "annex_a.xlsx"
    path.write_bytes(b"this is not a workbook")
    result = runner.invoke(cli, ["import-cases", str(path)])
    assert result.exit_code == 1
    assert (
        "annex_a.xlsx was not imported: could not read annex_a.xlsx: the file is not an Excel "
        "workbook (.xlsx)" in result.output
    )
    with database.connection_context():
        assert Case.select().count() == 0
        assert [b.status for b in ImportBatch.select()] == ["failed"]


def test_unknown_format_is_refused(runner, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("Child Unique ID\n1\n")
    result = runner.invoke(cli, ["import-cases", str(path), "--format", "mosaic"])
    assert result.exit_code == 1
    assert "no importer 'mosaic'; known: annex-a-csv, annex-a-xlsx" in result.output


def test_a_large_closure_needs_the_confirm_flag(runner, tmp_path: Path) -> None:
    from tests.importers.builders import caseload

    january, february = tmp_path / "jan.xlsx", tmp_path / "feb.xlsx"
    january.write_bytes(caseload(cin=range(1, 11)))
    february.write_bytes(caseload(cin=(1, 2)))
    assert runner.invoke(cli, ["import-cases", str(january)]).exit_code == 0
    held = runner.invoke(cli, ["import-cases", str(february)])
    assert held.exit_code == 1
    assert "would close 8 of the 10 open cases (80%)" in held.output
    assert "would close: 8 child_in_need cases of Locality 1" in held.output
    assert "--confirm-closures" in held.output
    with database.connection_context():
        assert Case.select().where(Case.status == "open").count() == 10
    done = runner.invoke(cli, ["import-cases", str(february), "--confirm-closures"])
    assert done.exit_code == 0, done.output
    assert "8 closed" in done.output
    with database.connection_context():
        assert Case.select().where(Case.status == "open").count() == 2
