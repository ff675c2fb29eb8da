"""``register_notifiers``: built-in email and inbox, plus a plugin's own channel."""

from __future__ import annotations

import sys

import pytest

from audit_service.notifications.base import Notifier, NotifierSettings
from audit_service.notifications.registry import NotifierRegistry, UnknownNotifier
from audit_service.plugins.manager import PluginError, build_plugin_manager
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
    pm = build_plugin_manager(["pager_plugin"])
    registry = NotifierRegistry.from_plugins(pm, NotifierSettings(smtp_url="smtp://mail"))
    assert registry.ids() == ["email", "inbox", "pager"]
    assert isinstance(registry.get("pager"), Pager)
    assert registry.get("pager").settings.smtp_url == "smtp://mail"
    assert registry.disabled() == {}
    with pytest.raises(UnknownNotifier, match="no notifier 'fax'; known: email, inbox, pager"):
        registry.get("fax")


def test_a_notifier_that_is_not_a_notifier_class_is_refused_naming_the_plugin(allow):
    allow("bad_notifier", register_notifiers=lambda: [object])
    pm = build_plugin_manager(["bad_notifier"])
    with pytest.raises(PluginError, match=r"plugin 'bad_notifier'.*not a subclass"):
        NotifierRegistry.from_plugins(pm, NotifierSettings())


def test_a_duplicate_notifier_id_is_refused(allow):
    class Email(Pager):
        id = "email"

    allow("dup_notifier", register_notifiers=lambda: [Email])
    pm = build_plugin_manager(["dup_notifier"])
    with pytest.raises(PluginError, match="notifier id 'email', already registered"):
        NotifierRegistry.from_plugins(pm, NotifierSettings())


def test_the_app_has_the_built_in_notifiers_and_email_is_disabled_without_smtp(app):
    from audit_service.extension import KEY

    registry = app.extensions[KEY].notifiers
    assert registry.ids() == ["email", "inbox"]
    assert "AUDIT_SMTP_URL is not set" in registry.disabled()["email"]
