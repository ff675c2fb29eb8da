"""What pages and the API are given about accounts: nothing they could save or query with.

``Account`` is how a layer holds the signed-in user between its own code and a
service call (the actor of what it asks for): it reads these attributes and
hands the account back, and never needs the storage model to do so.
``AccountDetail`` is an account as administrators manage it, in pages and the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from audit_service.domain.vocabulary import Role


class Account(Protocol):
    """The signed-in account as a service hands it out: read, and passed back as the actor."""

    id: int
    username: str
    display_name: str
    email: str | None
    role: str
    is_active: bool
    staff_id: int | None
    case_reader: bool


@dataclass(frozen=True)
class StaffChoice:
    """A staff record an account is, or may be, linked to."""

    id: int
    name: str
    email: str | None
    swe_number: str | None = None

    @property
    def label(self) -> str:
        """How a list of staff records names this one: the name, then what tells two
        people of one name apart."""
        known = ", ".join(v for v in (self.swe_number, self.email) if v)
        return f"{self.name} ({known})" if known else self.name


@dataclass(frozen=True)
class AccountDetail:
    """One account as an administrator manages it (never its hash or tokens), its fields in
    the order the account's page shows them."""

    id: int
    display_name: str
    username: str
    email: str | None
    role: str
    staff: StaffChoice | None
    signs_in_with: str
    has_second_factor: bool
    must_change_password: bool
    is_active: bool
    last_login_at: dt.datetime | None
    created_at: dt.datetime
    #: Holds the case reader grant (only ever true for roles it can be given to).
    case_reader: bool
    #: The role is one the grant can be given to (administrator, senior leader).
    may_be_case_reader: bool

    @property
    def role_label(self) -> str:
        return Role(self.role).label
