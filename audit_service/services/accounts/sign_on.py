"""Signing in through the council's OpenID provider: the account, its role and the trail.

The provider has already proved who the person is (the web layer checked the ID token); this
module decides what they may do here. Their role comes from their groups at every sign-in, so
a person removed from a group in the council's directory loses the role at their next sign-in;
a person in no mapped group is refused, and the refusal is in the audit trail.

The first sign-in creates the account. Its staff record is linked when exactly one unlinked
staff record has the same (provider-verified) email address; otherwise an administrator links
it, as for any account.
"""

from __future__ import annotations

from peewee import fn

from audit_service.domain.accounts.sign_on import Identity, RoleMap
from audit_service.services.accounts.signin import SignIn, open_session
from audit_service.services.accounts.users import create_user
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import Staff, User

SIGN_ON = "sign-on"
NO_ROLE = ("Your account is not in any group that gives access to this service. Ask your "
           "manager or the service's administrator to add you to the right group.")
DISABLED = "Your account here has been disabled. Ask the service's administrator."
NAME_TAKEN = ("An account called {username} already exists here and is not linked to your "
              "organisation's sign-in. Ask the service's administrator to link it.")


def sign_on(identity: Identity, role_map: RoleMap, *, replaces: str | None,
            remote_addr: str | None, user_agent: str | None) -> SignIn:
    """Open a session for the person the provider vouched for, or say why not."""
    role = role_map.role_for(identity.groups)
    user = User.get_or_none(User.oidc_subject == identity.subject)
    refusal = _refusal(identity, user, role)
    if refusal is not None:
        audit_trail.record("login.refused", actor=user, actor_label=None if user else SIGN_ON,
                           object_type="login", object_id=identity.username,
                           after={"via": SIGN_ON, "reason": refusal[0],
                                  "groups": len(identity.groups)},
                           remote_addr=remote_addr)
        return SignIn(refusal=refusal[1])
    assert role is not None  # _refusal refuses a person in no mapped group
    with database.atomic():
        if user is None:
            user = _first_sign_in(identity, role)
        else:
            _follow_directory(user, identity, role)
        return open_session(user, replaces=replaces, remote_addr=remote_addr,
                            user_agent=user_agent)


def _refusal(identity: Identity, user: User | None, role) -> tuple[str, str] | None:
    if role is None:
        return "no mapped group", NO_ROLE
    if user is not None and not user.is_active:
        return "disabled", DISABLED
    if user is None and User.select().where(
            fn.LOWER(User.username) == identity.username).exists():
        return "username taken", NAME_TAKEN.format(username=identity.username)
    return None


def _first_sign_in(identity: Identity, role) -> User:
    user = create_user(identity.username, role=role, password=None,
                       display_name=identity.display_name, email=identity.email,
                       staff=_staff_by_email(identity.email), actor_label=SIGN_ON)
    User.update(oidc_subject=identity.subject).where(User.id == user.id).execute()
    return user


def _staff_by_email(email: str | None) -> Staff | None:
    """The one staff record with this address and no account yet; None if none or several."""
    if not email:
        return None
    linked = User.select(User.staff).where(User.staff.is_null(False))
    found = list(Staff.select().where((fn.LOWER(Staff.email) == email)
                                      & ~Staff.id.in_(linked)).limit(2))
    return found[0] if len(found) == 1 else None


def _follow_directory(user: User, identity: Identity, role) -> None:
    """The directory is the source of truth: role, name and email follow it."""
    changes = {name: new for name, old, new in (
        ("role", user.role, role.value),
        ("display_name", user.display_name, identity.display_name),
        ("email", user.email, identity.email or user.email),
    ) if old != new}
    if not changes:
        return
    User.update(**changes).where(User.id == user.id).execute()
    audit_trail.record("user.updated", actor=None, actor_label=SIGN_ON, object_type="user",
                       object_id=user.id,
                       before={name: getattr(user, name) for name in changes},
                       after=changes)
