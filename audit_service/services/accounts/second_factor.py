"""A second factor for password accounts: codes from an authenticator app (TOTP, RFC 6238,
by ``pyotp``) and single-use recovery codes for a lost phone.

Required for the roles in ``AUDIT_SECOND_FACTOR_ROLES`` (administrators unless set otherwise)
and open to everyone else. People who sign in through the council's provider use the
provider's own second factor, so none is asked of them here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass

import pyotp
import segno

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts.views import Account
from audit_service.services.errors import Invalid, NotAllowed, NotFound
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import RecoveryCode, User, utcnow

RECOVERY_CODES = 10
#: A code from the step before or after is accepted too: phones' clocks drift.
DRIFT_STEPS = 1
WRONG_CODE = "Enter the 6-digit code your authenticator app shows now, or a recovery code"


@dataclass(frozen=True)
class Enrolment:
    """What the person scans (or types) into their authenticator app."""

    secret: str
    uri: str
    qr_svg: str

    @property
    def grouped_secret(self) -> str:
        """The secret in groups of four, for typing by hand."""
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


def roles_requiring(raw: str | None) -> frozenset[Role]:
    """``AUDIT_SECOND_FACTOR_ROLES`` (comma-separated roles; default ``admin``; ``none``)."""
    text = "admin" if raw is None else raw
    if text.strip().lower() in ("", "none"):
        return frozenset()
    roles = set()
    for name in text.split(","):
        try:
            roles.add(Role(name.strip()))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise ValueError(f"AUDIT_SECOND_FACTOR_ROLES names {name.strip()!r}; roles are "
                             f"{allowed}, or none") from None
    return frozenset(roles)


def has_second_factor(user: Account) -> bool:
    return bool(getattr(user, "totp_secret", None))


def must_enrol(user: Account, required: Collection[Role]) -> bool:
    """A password account whose role needs a second factor and has none yet."""
    return (not getattr(user, "oidc_subject", None) and Role(user.role) in required
            and not has_second_factor(user))


def new_enrolment(user: Account, issuer_name: str) -> Enrolment:
    return enrolment_for(user, pyotp.random_base32(), issuer_name)


def enrolment_for(user: Account, secret: str, issuer_name: str) -> Enrolment:
    """The enrolment for ``secret`` (the page shown after a wrong code keeps its secret)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer_name)
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator app")
    return Enrolment(secret, uri, svg)


def _step(secret: str, code: str, last_step: int | None, now: dt.datetime) -> int | None:
    """The step a 6-digit ``code`` belongs to, if it is right and newer than ``last_step``."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (last_step is None or step > last_step) and secrets.compare_digest(
                totp.generate_otp(step), code):
            return step
    return None


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def enable(person: Account, secret: str, code: str, *, remote_addr: str | None = None,
           now: dt.datetime | None = None) -> list[str]:
    """Turn the second factor on once the app has shown it has the secret; returns the
    recovery codes, shown once."""
    user = User.get_by_id(person.id)
    if user.oidc_subject:
        raise NotAllowed("You sign in with your council account, which has its own second step.")
    step = _step(secret, _normal(code), None, now or dt.datetime.now(dt.UTC))
    if step is None:
        raise Invalid("The code did not match", {"code": "Enter the 6-digit code your "
                                                         "authenticator app shows now"})
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    with database.atomic():
        User.update(totp_secret=secret, totp_last_step=step).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        RecoveryCode.insert_many([{"user": user.id, "code_hash": _digest(_normal(c)),
                                   "created_at": utcnow()} for c in codes]).execute()
        audit_trail.record("user.second_factor_enabled", actor=user, object_type="user",
                           object_id=user.id, remote_addr=remote_addr)
    return codes


def check(user: User, code: str, *, remote_addr: str | None = None,
          now: dt.datetime | None = None) -> bool:
    """Is this the person's current app code (not used before) or an unused recovery code?"""
    text = _normal(code)
    if not user.totp_secret or not text:
        return False
    if text.isdigit() and len(text) == 6:
        step = _step(user.totp_secret, text, user.totp_last_step,
                     now or dt.datetime.now(dt.UTC))
        if step is None:
            return False
        # Conditional on the step it replaced: two requests with one code, one wins.
        return bool(User.update(totp_last_step=step).where(
            (User.id == user.id) & ((User.totp_last_step.is_null())
                                    | (User.totp_last_step < step))).execute())
    used = (RecoveryCode.update(used_at=utcnow())
            .where((RecoveryCode.user == user.id) & (RecoveryCode.code_hash == _digest(text))
                   & RecoveryCode.used_at.is_null()).execute())
    if used:
        left = RecoveryCode.select().where((RecoveryCode.user == user.id)
                                           & RecoveryCode.used_at.is_null()).count()
        audit_trail.record("user.recovery_code_used", actor=user, object_type="user",
                           object_id=user.id, after={"codes_left": left},
                           remote_addr=remote_addr)
    return bool(used)


def recovery_codes_left(user: Account) -> int:
    return RecoveryCode.select().where((RecoveryCode.user == user.id)
                                       & RecoveryCode.used_at.is_null()).count()


def reset(actor: Account, user_id: int, *, remote_addr: str | None = None) -> None:
    """An administrator takes a lost second factor off an account: the person sets a new one
    up at their next sign-in (if their role needs one)."""
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound("There is no account at this address.")
    with database.atomic():
        User.update(totp_secret=None, totp_last_step=None).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        audit_trail.record("user.second_factor_reset", actor=User.get_by_id(actor.id),
                           object_type="user", object_id=user.id, remote_addr=remote_addr)
