"""The exporter registry and the built-in CSV and XLSX exporters."""

from __future__ import annotations

import io
import sys
import types

import pytest
from openpyxl import load_workbook

from audit_service.exports.base import Exporter, table
from audit_service.plugins import hookimpl
from audit_service.plugins.installed import build_registries
from audit_service.plugins.manager import PluginError
from audit_service.plugins.registries import UnknownPlugin
from tests.support.installed import installed

TABLE = table("summary", "A summary", [("group", "Group"), ("audits", "Audits")],
              [("North", 12), ("=HYPERLINK(\"x\")", "c")])


class JsonLines(Exporter):
    id = "jsonl"
    label = "JSON lines"
    media_type = "application/x-ndjson"
    extension = "jsonl"

    def write(self, table, stream):
        import json

        for row in table.as_dicts():
            stream.write((json.dumps(row) + "\n").encode())


def _plugin(monkeypatch, name, items):
    module = types.ModuleType(name)
    module.register_exporters = hookimpl(lambda: items)
    monkeypatch.setitem(sys.modules, name, module)
    return name


def test_hook_register_exporters(monkeypatch):
    """Built-ins register through the hook, and a plugin's exporter joins them."""
    registry = build_registries([_plugin(monkeypatch, "council_jsonl", [JsonLines])]).exporters
    assert registry.ids() == ["csv", "jsonl", "xlsx"]
    stream = io.BytesIO()
    registry["jsonl"].write(TABLE, stream)
    assert stream.getvalue().decode().splitlines()[0] == '{"group": "North", "audits": 12}'
    with pytest.raises(UnknownPlugin, match="'pdf' is not installed; installed: csv, jsonl, xlsx"):
        registry.lookup("pdf")


def test_duplicate_or_incomplete_exporters_are_refused(monkeypatch):
    class Csv(JsonLines):
        id = "csv"

    with pytest.raises(PluginError, match="already registered"):
        build_registries([_plugin(monkeypatch, "dupe_csv", [Csv])])

    class NoType(JsonLines):
        media_type = ""

    with pytest.raises(PluginError, match="media_type"):
        build_registries([_plugin(monkeypatch, "no_type", [NoType])])


def test_csv_quotes_formulas_and_keeps_column_ids():
    registry = installed().exporters
    stream = io.BytesIO()
    registry["csv"].write(TABLE, stream)
    text = stream.getvalue().decode("utf-8-sig")
    assert text.splitlines() == ["group,audits", "North,12", "\"'=HYPERLINK(\"\"x\"\")\",c"]


def test_xlsx_has_a_header_row_and_typed_numbers():
    registry = installed().exporters
    stream = io.BytesIO()
    registry["xlsx"].write(TABLE, stream)
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    assert sheet.title == "summary"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["group", "audits"], ["North", 12], ["'=HYPERLINK(\"x\")", "c"]]


def test_table_rows_must_match_columns():
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        table("t", "T", [("a", "A"), ("b", "B")], [("x",)])
