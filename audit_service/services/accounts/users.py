"""User accounts, argon2 password hashing and API bearer tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from audit_service.domain.accounts.passwords import MIN_LENGTH, password_problem
from audit_service.domain.vocabulary import Role
from audit_service.services.errors import NotFound
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


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: How long a token works unless asked otherwise, and the longest it may.
TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366


@dataclass(frozen=True)
class TokenView:
    """A token as its owner or an administrator sees it: never the secret or its hash."""

    id: int
    name: str
    prefix: str
    username: str
    read_only: bool
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "live"


def create_token(user: User, name: str, *, days: int = TOKEN_DAYS, read_only: bool = False,
                 actor: User | None = None, actor_label: str | None = None) -> str:
    """Issue a bearer token; the secret is returned once and only its hash is stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("give the token a name of 1 to 100 characters, saying what it is for")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"a token lasts from 1 to {MAX_TOKEN_DAYS} days, not {days}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(days=days)
    with database.atomic():
        token = ApiToken.create(user=user, name=name, token_hash=_digest(secret),
                                prefix=secret[:8], expires_at=expires, read_only=read_only)
        audit_trail.record(
            "token.created", actor=actor, actor_label=actor_label, object_type="api_token",
            object_id=token.id,
            after={"user": user.username, "name": name, "expires_at": expires.isoformat(),
                   "read_only": read_only},
        )
    return secret


def token_for(secret: str) -> ApiToken | None:
    """The live token (not revoked, not expired, its user active) with this secret, with its
    user joined; its last use is recorded."""
    token = (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where(ApiToken.token_hash == _digest(secret), ApiToken.revoked_at.is_null(),
               ApiToken.expires_at.is_null() | (ApiToken.expires_at > utcnow()))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.update(last_used_at=utcnow()).where(ApiToken.id == token.id).execute()
    return token


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to, or None."""
    token = token_for(secret)
    return token.user if token is not None else None


def _token_view(token: ApiToken) -> TokenView:
    return TokenView(token.id, token.name, token.prefix, token.user.username,
                     bool(token.read_only), token.created_at, token.expires_at,
                     token.last_used_at, token.revoked_at)


def tokens(owner: User | None = None) -> list[TokenView]:
    """Tokens newest first: ``owner``'s, or everyone's for an administrator's list."""
    query = ApiToken.select(ApiToken, User).join(User).order_by(ApiToken.id.desc())
    if owner is not None:
        query = query.where(ApiToken.user == owner.id)
    return [_token_view(t) for t in query]


def _reachable_token(actor: User | None, token_id: int) -> ApiToken:
    """The token ``actor`` may see and revoke: their own; any, for an administrator or the
    operator at the command line (no ``actor``)."""
    token = ApiToken.select(ApiToken, User).join(User).where(ApiToken.id == token_id).first()
    allowed = actor is None or Role(actor.role) is Role.ADMIN or (
        token is not None and token.user_id == actor.id)
    if token is None or not allowed:
        raise NotFound("There is no token of yours with that id.")
    return token


def token_of(actor: User | None, token_id: int) -> TokenView:
    """One token, as its owner (or an administrator) sees it before revoking it."""
    return _token_view(_reachable_token(actor, token_id))


def revoke_token(actor: User | None, token_id: int, *, actor_label: str | None = None,
                 remote_addr: str | None = None) -> TokenView:
    """Stop one token working at once. Its owner may, an administrator may revoke any, and so
    may the operator at the command line (no ``actor``, an ``actor_label``)."""
    token = _reachable_token(actor, token_id)
    if token.revoked_at is None:
        with database.atomic():
            ApiToken.update(revoked_at=utcnow()).where(ApiToken.id == token.id).execute()
            audit_trail.record("token.revoked", actor=actor, actor_label=actor_label,
                               object_type="api_token",
                               object_id=token.id,
                               after={"user": token.user.username, "name": token.name},
                               remote_addr=remote_addr)
        token = ApiToken.select(ApiToken, User).join(User).where(ApiToken.id == token_id).get()
    return _token_view(token)
