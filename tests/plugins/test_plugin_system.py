"""The plugin system: discovery, start-up validation and one test per hook.

``test_every_hook_has_a_test`` fails when a hook is added to ``hookspecs`` without
a ``test_hook_<name>`` test here (datasette's meta-test).
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest

from audit_service.domain.audits.evidence import CaseFacts, EvidencePromptProvider
from audit_service.domain.rubrics import CriterionType
from audit_service.domain.vocabulary import CaseType
from audit_service.importers.base import CaseImporter
from audit_service.plugins import hookimpl, hookspecs
from audit_service.plugins.installed import build_registries, importer_for
from audit_service.plugins.manager import (
    DEFAULT_PLUGINS,
    PluginError,
    build_plugin_manager,
    describe_plugins,
)
from tests.support.installed import installed

REPO = Path(__file__).resolve().parents[2]
HOOKS = sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
               if hasattr(fn, "audit_service_spec"))


def plugin_module(name: str, **hooks) -> types.ModuleType:
    """A throwaway plugin module, importable by name, implementing ``hooks``."""
    module = types.ModuleType(name)
    for hook_name, fn in hooks.items():
        fn.__name__ = hook_name
        setattr(module, hook_name, hookimpl(fn))
    sys.modules[name] = module
    return module


@pytest.fixture
def allow(monkeypatch):
    """Register throwaway modules through the AUDIT_PLUGINS allow-list route."""
    names = []

    def add(name: str, **hooks):
        monkeypatch.setitem(sys.modules, name, plugin_module(name, **hooks))
        names.append(name)
        return names

    return add


# --- meta-tests ----------------------------------------------------------------------


def test_every_hook_has_a_test():
    sources = "\n".join(p.read_text() for p in [*REPO.glob("tests/**/*.py"),
                                                 *REPO.glob("plugins/**/*.py")])
    missing = [h for h in HOOKS if f"def test_hook_{h}(" not in sources]
    assert HOOKS, "no hookspecs found"
    assert missing == []


def test_every_hook_is_documented_with_its_signature():
    docs = (REPO / "docs" / "plugins.md").read_text()
    documented = dict(re.findall(r"^### `(\w+)(\([^)]*\))`", docs, flags=re.M))
    assert sorted(documented) == HOOKS
    for hook in HOOKS:
        assert documented[hook] == str(inspect.signature(getattr(hookspecs, hook))), hook


def test_every_hook_spec_has_a_docstring_saying_what_it_returns():
    for hook in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
        assert "Parameters:" in doc and "Returns:" in doc, hook
        assert "collected" in doc or "first" in doc, hook


# --- discovery and start-up checks --------------------------------------------------


def test_the_default_plugins_load_as_built_ins_through_the_same_hooks():
    pm = build_plugin_manager()
    names = {info.name: info for info in describe_plugins(pm)}
    assert [name for name in names if name in DEFAULT_PLUGINS] == list(names)[:6]
    assert {names[name].source for name in DEFAULT_PLUGINS} == {"built-in"}
    assert names["audit_service.default_plugins.default_rubrics"].hooks == (
        "register_criterion_types", "register_rubrics")
    assert names["audit_service.default_plugins.evidence_prompts"].version == "1.1.0"
    assert names["audit_service.default_plugins.sampling_strategies"].hooks == (
        "register_sampling_strategies",)


def test_allow_list_loads_a_module_by_name(allow):
    allow("council_extras", register_exporters=lambda: ["x"])
    pm = build_plugin_manager(["council_extras"])
    info = {i.name: i for i in describe_plugins(pm)}["council_extras"]
    assert (info.source, info.hooks) == ("AUDIT_PLUGINS", ("register_exporters",))


def test_allow_list_names_a_module_that_does_not_exist():
    with pytest.raises(PluginError, match="AUDIT_PLUGINS names 'no_such_plugin_module'"):
        build_plugin_manager(["no_such_plugin_module"])


def test_unknown_hook_name_is_refused_naming_the_plugin(allow):
    allow("typo_plugin", register_rubricz=lambda: [])
    with pytest.raises(PluginError, match=r"plugin 'typo_plugin'.*register_rubricz"):
        build_plugin_manager(["typo_plugin"])


def test_duplicate_id_is_refused_naming_both_plugins(allow):
    from audit_service.importers.annex_a import AnnexAWorkbookImporter

    class Copy(AnnexAWorkbookImporter):
        pass

    allow("copycat", register_case_importers=lambda: [Copy])
    with pytest.raises(PluginError, match=(
        r"plugin 'copycat' registers case importer id 'annex-a-xlsx', "
        r"already registered by plugin 'audit_service.default_plugins.default_importers'")):
        build_registries(["copycat"])


def test_wrong_base_class_is_refused(allow):
    class NotAType:
        id = "odd"
        label = "Odd"

    allow("wrong_base", register_criterion_types=lambda: [NotAType()])
    with pytest.raises(PluginError, match=(
            r"plugin 'wrong_base' registers .* as a criterion type, but it is not an instance "
            r"of a subclass of audit_service\.domain\.rubrics\.criterion_types\.CriterionType")):
        build_registries(["wrong_base"])


def test_missing_field_is_refused(allow):
    class Nameless(CriterionType):
        id = "nameless"

        def options(self, scale):
            return ()

        def score(self, rating, scale):
            return Decimal(1)

    allow("nameless_plugin", register_criterion_types=lambda: [Nameless()])
    with pytest.raises(PluginError, match=(
            "plugin 'nameless_plugin': criterion type Nameless has no 'label'")):
        build_registries(["nameless_plugin"])


def test_broken_rubric_file_is_refused_at_start_up(allow, tmp_path):
    (tmp_path / "broken.yaml").write_text("id: broken\ntitle: Broken\n")
    allow("broken_rubrics", register_rubrics=lambda: [tmp_path])
    with pytest.raises(PluginError) as caught:
        build_registries(["broken_rubrics"])
    message = str(caught.value)
    assert message.startswith("plugin 'broken_rubrics' registers rubric files with errors:")
    assert f"{tmp_path / 'broken.yaml'}: domain:" in message


# --- one test per hook --------------------------------------------------------------


def test_hook_register_rubrics():
    catalogue = build_registries()
    assert sorted(catalogue.rubrics) == [
        "assessment_and_planning", "care_leavers", "children_in_care", "management_oversight",
        "reappraisal_of_past_decisions", "safety_now", "voice_of_the_child"]
    source = catalogue.rubrics["voice_of_the_child"]
    assert (source.plugin, source.path.name) == (
        "audit_service.default_plugins.default_rubrics", "voice_of_the_child.yaml")


def test_hook_register_criterion_types():
    catalogue = build_registries()
    assert sorted(catalogue.criterion_types) == ["met", "safety", "scale", "yes_no"]


def test_hook_register_evidence_prompts():
    catalogue = build_registries()
    assert catalogue.evidence_providers.ids() == ["annex-a-facts", "statutory-returns"]
    provider = catalogue.evidence_providers["annex-a-facts"]
    assert isinstance(provider, EvidencePromptProvider)
    facts = CaseFacts(case_type=CaseType.CHILD_IN_NEED, referrals_12m=4, sw_changes_12m=1)
    texts = [p.text for p in provider.prompts(facts, dt.date(2026, 11, 1))]
    assert "4 referrals in the last 12 months" in texts
    returns = catalogue.evidence_providers["statutory-returns"]
    assert [p.text for p in returns.prompts(facts, dt.date(2026, 11, 1))] == [
        "SSDA903: 1 change of social worker in the last 12 months"]


def test_hook_register_case_importers():
    registry = installed().importers
    assert registry.ids() == ["annex-a-csv", "annex-a-xlsx", "cin-census-xml", "ssda903-csv"]
    assert issubclass(importer_for(registry, "Annex_A.XLSX"), CaseImporter)
    # Two importers read .csv: the file's first line tells an SSDA903 table from Annex A.
    assert importer_for(registry, "a.csv", head=b"\xef\xbb\xbfCHILD,DECOM,RNE\r\n").id == \
        "ssda903-csv"
    assert importer_for(registry, "a.csv", head=b"Child Unique ID,Gender\n").id == "annex-a-csv"
    assert importer_for(registry, "a.csv").id == "annex-a-csv"
    assert importer_for(registry, "census.xml").id == "cin-census-xml"

