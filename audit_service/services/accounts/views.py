"""What pages and the API are given about accounts: nothing they could save or query with.

``Account`` is how a layer holds the signed-in user between its own code and a
service call (the actor of what it asks for): it reads these attributes and
hands the account back, and never needs the storage model to do so.
``UserView`` is one row of the administrators' list of accounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class Account(Protocol):
    """The signed-in account as a service hands it out: read, and passed back as the actor."""

    id: int
    username: str
    display_name: str
    email: str | None
    role: str
    is_active: bool
    staff_id: int | None


@dataclass(frozen=True)
class UserView:
    """An account as the administrators' list shows it: no hash, no token, no staff link."""

    username: str
    display_name: str
    role: str
    is_active: bool
    last_login_at: dt.datetime | None
