"""A real SMTP server (aiosmtpd) on a free loopback port, and users to notify."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: int = 0  # refuse this many messages with a 451 first

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox("127.0.0.1", _free_port())
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def supervisor(db):
    return accounts.create_user("sam", role=Role.SUPERVISOR, password=None,
                                display_name="Sam Stone", email="sam@example.org",
                                actor_label="test")
