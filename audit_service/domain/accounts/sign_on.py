"""What a council's OpenID provider says about a person, read into this service's terms.

Roles follow the council's groups at every sign-in, so that removing someone from a group in
the council's directory takes the role away here too. The role map is ordered: a person in
several mapped groups gets the first one listed, so a council lists its most trusted role
first (``AUDIT_OIDC_ROLE_MAP="cs-admins=admin,cs-quality=quality_lead,..."``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from audit_service.domain.vocabulary import Role

#: Usernames are capped before anything is stored or echoed (as for password sign-in).
MAX_USERNAME = 150


class RoleMapError(ValueError):
    """``AUDIT_OIDC_ROLE_MAP`` cannot be read; the message names the entry and why."""


@dataclass(frozen=True)
class RoleMap:
    """``group -> role`` pairs in the order the council listed them."""

    pairs: tuple[tuple[str, Role], ...]

    @classmethod
    def parse(cls, text: str) -> RoleMap:
        """``group=role,group=role``; a group may be a name or a directory object id."""
        pairs: list[tuple[str, Role]] = []
        for number, entry in enumerate((text or "").split(","), start=1):
            if not entry.strip():
                continue
            group, sep, role = entry.rpartition("=")
            group, role = group.strip(), role.strip()
            if not sep or not group:
                raise RoleMapError(f"AUDIT_OIDC_ROLE_MAP entry {number} ({entry.strip()!r}) "
                                   f"must be group=role")
            try:
                pairs.append((group, Role(role)))
            except ValueError:
                allowed = ", ".join(r.value for r in Role)
                raise RoleMapError(f"AUDIT_OIDC_ROLE_MAP entry {number} names the role "
                                   f"{role!r}; roles are {allowed}") from None
        if not pairs:
            raise RoleMapError("AUDIT_OIDC_ROLE_MAP maps no group to a role, so nobody "
                               "could sign in; give at least one group=role")
        return cls(tuple(pairs))

    def role_for(self, groups: Sequence[str]) -> Role | None:
        """The role of the first mapped group the person is in; None when in none."""
        held = set(groups)
        return next((role for group, role in self.pairs if group in held), None)


def groups_in(claims: Mapping[str, object], claim: str) -> tuple[str, ...]:
    """The groups a claim lists: providers send a list, and some a single string."""
    value = claims.get(claim)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    return ()


@dataclass(frozen=True)
class Identity:
    """The person the provider vouched for, in the fields this service keeps."""

    subject: str
    username: str
    display_name: str
    email: str | None
    groups: tuple[str, ...]


def identity_from(claims: Mapping[str, object], *, issuer: str, groups_claim: str) -> Identity:
    """Read the ID token's (and userinfo's) claims. The subject is issuer and ``sub``: the
    only pair a provider promises never to give to anyone else."""
    sub = str(claims.get("sub") or "").strip()
    if not sub:
        raise ValueError("the provider sent no subject (sub) for this person")
    email = str(claims.get("email") or "").strip().lower() or None
    if email and claims.get("email_verified") is False:
        email = None
    username = str(claims.get("preferred_username") or email or sub).strip().lower()
    display = str(claims.get("name") or username).strip()
    return Identity(subject=f"{issuer} {sub}", username=username[:MAX_USERNAME],
                    display_name=display[:MAX_USERNAME], email=email,
                    groups=groups_in(claims, groups_claim))
