"""User accounts, argon2 password hashing and API bearer tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from audit_service.domain.accounts.passwords import MIN_LENGTH, password_problem
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts.views import UserView
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import ApiToken, Staff, User, utcnow

_hasher = PasswordHasher()
TOKEN_PREFIX = "as_"  # noqa: S105 - a marker that makes leaked tokens recognisable
MIN_PASSWORD_LENGTH = MIN_LENGTH


class AccountError(ValueError):
    """A request to create or change an account that cannot be honoured; says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """Verify, and quietly upgrade the hash when argon2's parameters have changed."""
    if not user.password_hash:
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return True


def create_user(
    username: str,
    *,
    role: Role | str,
    password: str | None,
    display_name: str | None = None,
    email: str | None = None,
    staff: Staff | None = None,
    actor: User | None = None,
    actor_label: str | None = None,
) -> User:
    """Create an account; a password, when given, must pass the password rules."""
    username = username.strip().lower()
    if not username:
        raise AccountError("username must not be empty")
    try:
        role = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise AccountError(f"unknown role {role!r}; choose one of {known}") from None
    if password is not None:
        problem = password_problem(password, user_inputs=(username, display_name or ""))
        if problem:
            raise AccountError(problem)
    with database.atomic():
        if User.select().where(User.username == username).exists():
            raise AccountError(f"a user named {username!r} already exists")
        user = User.create(
            username=username,
            display_name=display_name or username,
            email=email,
            password_hash=hash_password(password) if password else None,
            role=role.value,
            staff=staff,
        )
        audit_trail.record(
            "user.created", actor=actor, actor_label=actor_label, object_type="user",
            object_id=user.id,
            after={"username": username, "role": role.value,
                   "staff_id": staff.id if staff else None},
        )
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None. Timing does not reveal which part failed."""
    user = User.get_or_none(User.username == username.strip().lower())
    if user is None or not user.password_hash:
        # Spend the time a real check takes: no account, or one that signs in only by
        # single sign-on, must not answer faster than a wrong password.
        _hasher.hash(password)
        return None
    if not check_password(user, password) or not user.is_active:
        return None
    return user


def list_users() -> list[UserView]:
    """Every account, by role and then username, for the administrators' list."""
    query = User.select().order_by(User.role, User.username)
    return [UserView(u.username, u.display_name, u.role, bool(u.is_active), u.last_login_at)
            for u in query]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, *, actor_label: str | None = None) -> str:
    """Issue a bearer token; the secret is returned once and only its hash is stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with database.atomic():
        token = ApiToken.create(user=user, name=name, token_hash=_digest(secret), prefix=secret[:8])
        audit_trail.record(
            "token.created",
            actor_label=actor_label,
            object_type="api_token",
            object_id=token.id,
            after={"user": user.username, "name": name},
        )
    return secret


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to, or None."""
    token = (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where(ApiToken.token_hash == _digest(secret), ApiToken.revoked_at.is_null())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.update(last_used_at=utcnow()).where(ApiToken.id == token.id).execute()
    return token.user
