"""``register_notifiers``: built-in email and inbox, plus a plugin's own channel."""

from __future__ import annotations

import sys

import pytest

from audit_service.notifications.base import Notifier, NotifierSettings, disabled_notifiers
from audit_service.plugins.installed import build_registries
from audit_service.plugins.manager import PluginError
from audit_service.plugins.registries import UnknownPlugin
from tests.plugins.test_plugin_system import plugin_module


@pytest.fixture
def allow(monkeypatch):
    """Register a throwaway plugin module through the AUDIT_PLUGINS allow-list route."""

    def add(name: str, **hooks) -> None:
        monkeypatch.setitem(sys.modules, name, plugin_module(name, **hooks))

    return add


class Pager(Notifier):
    id = "pager"
    label = "Pager"

    def send(self, message):
        raise NotImplementedError


def test_hook_register_notifiers(allow):
    allow("pager_plugin", register_notifiers=lambda: [Pager])
    registry = build_registries(["pager_plugin"], NotifierSettings(smtp_url="smtp://mail")).notifiers
    assert registry.ids() == ["email", "inbox", "pager"]
    assert isinstance(registry["pager"], Pager)
    assert registry["pager"].settings.smtp_url == "smtp://mail"
    assert registry.plugin_of("pager") == "pager_plugin"
    assert disabled_notifiers(registry) == {}
    with pytest.raises(UnknownPlugin,
                       match="the notifier 'fax' is not installed; installed: email, inbox, pager"):
        registry.lookup("fax")


def test_a_notifier_that_is_not_a_notifier_class_is_refused_naming_the_plugin(allow):
    allow("bad_notifier", register_notifiers=lambda: [object])
    with pytest.raises(PluginError, match=r"plugin 'bad_notifier'.*not a subclass"):
        build_registries(["bad_notifier"])


def test_a_duplicate_notifier_id_is_refused(allow):
    class Email(Pager):
        id = "email"

    allow("dup_notifier", register_notifiers=lambda: [Email])
    with pytest.raises(PluginError, match="notifier id 'email', already registered"):
        build_registries(["dup_notifier"])


def test_the_app_has_the_built_in_notifiers_and_email_is_disabled_without_smtp(app):
    from audit_service.extension import registries

    with app.app_context():
        registry = registries().notifiers
    assert registry.ids() == ["email", "inbox"]
    assert "AUDIT_SMTP_URL is not set" in disabled_notifiers(registry)["email"]
