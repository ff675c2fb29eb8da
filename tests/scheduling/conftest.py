"""The real SMTP server fixture, shared with the notification tests."""

from tests.notifications.conftest import smtp_server  # noqa: F401
