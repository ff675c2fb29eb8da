"""The README's configuration tables name every ``AUDIT_*`` variable, and nothing else.

A council's operator reads the README to configure the service; a variable the code
reads but the README omits is a setting nobody knows exists, and a row for a variable
no code reads is a setting that silently does nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"[\"'](AUDIT_[A-Z0-9_]+)[\"']")
ROW = re.compile(r"^\| `(AUDIT_[A-Z0-9_]+)` \|", re.M)


def _read_by(*folders: str) -> set[str]:
    return {name for folder in folders for path in (ROOT / folder).rglob("*.py")
            for name in NAME.findall(path.read_text())}


def _tables() -> tuple[set[str], set[str]]:
    text = (ROOT / "README.md").read_text()
    service, tools = text.split("The tests and tools read a few more", 1)
    return set(ROW.findall(service)), set(ROW.findall(tools))


def test_every_variable_the_service_reads_is_in_the_configuration_table():
    service_table, _ = _tables()
    read = _read_by("audit_service")
    assert read - service_table == set(), "add these to the README's configuration table"
    assert service_table - read == set(), "the README lists variables no code reads"


def test_every_variable_the_tests_and_tools_read_is_listed():
    service_table, tools_table = _tables()
    read = _read_by("tests", "benchmarks", "scripts") - service_table
    assert read - tools_table == set(), "add these to the README's tests and tools table"
    assert tools_table - read == set(), "the README lists tool variables nothing reads"
