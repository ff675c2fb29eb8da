"""Administrators manage accounts, and everyone their own password: every change in the trail.

The rules that keep a council able to run the service live here, for pages and the API alike:
nobody disables or demotes themselves out of administration, the last active administrator
stays one, a reset password is shown once and must be changed at the next sign-in, and an
account that signs in through the council's provider has no password here to reset.
"""

from __future__ import annotations

import secrets

from peewee import JOIN, fn

from audit_service.domain.accounts.case_reading import holds_case_reader, may_be_granted
from audit_service.domain.accounts.passwords import password_problem
from audit_service.domain.social_work_england import looks_like_swe_number, swe_number
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import sessions, staff_records
from audit_service.services.accounts.users import (
    AccountError,
    check_password,
    create_user,
    hash_password,
)
from audit_service.services.accounts.views import Account, AccountDetail, StaffChoice
from audit_service.services.errors import Invalid, NotAllowed, NotFound
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import Staff, User

SINGLE_SIGN_ON = "Single sign-on"
PASSWORD_SIGN_IN = "Password"  # noqa: S105 - a label, not a secret
NO_WAY_IN = "Not set up"


def _detail(user: User, staff: Staff | None = None) -> AccountDetail:
    if staff is None and user.staff_id:
        staff = Staff.get_or_none(Staff.id == user.staff_id)
    way_in = (SINGLE_SIGN_ON if user.oidc_subject else PASSWORD_SIGN_IN if user.password_hash
              else NO_WAY_IN)
    return AccountDetail(
        id=user.id, username=user.username, display_name=user.display_name, email=user.email,
        role=user.role, is_active=bool(user.is_active), signs_in_with=way_in,
        must_change_password=bool(user.must_change_password),
        has_second_factor=bool(user.totp_secret), last_login_at=user.last_login_at,
        created_at=user.created_at,
        case_reader=holds_case_reader(user.role, user.case_reader),
        may_be_case_reader=may_be_granted(user.role),
        staff=_choice(staff) if staff else None)


def _choice(staff: Staff) -> StaffChoice:
    return StaffChoice(staff.id, staff.name, staff.email, staff.swe_number)


def accounts() -> list[AccountDetail]:
    """Every account, by role and then username."""
    query = (User.select(User, Staff).join(Staff, JOIN.LEFT_OUTER, on=(User.staff == Staff.id))
             .order_by(User.role, User.username))
    return [_detail(u, u.staff if u.staff_id else None) for u in query]


def account(user_id: int) -> AccountDetail:
    return _detail(_get(user_id))


def _get(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound("There is no account at this address.")
    return user


def unlinked_staff() -> list[StaffChoice]:
    """Staff records no account is linked to yet, by name: what an account may be linked to."""
    linked = User.select(User.staff).where(User.staff.is_null(False))
    return [_choice(s)
            for s in Staff.select().where(~Staff.id.in_(linked)).order_by(Staff.name)]


def _staff(key: str | int | None, for_user: User | None = None) -> Staff | None:
    """A staff record by id, Social Work England number or email address that no account but
    ``for_user`` is linked to; None for no link."""
    text = str(key or "").strip()
    if not text:
        return None
    if text.isdecimal() and len(text) < 10:
        found = Staff.get_or_none(Staff.id == int(text))
    elif looks_like_swe_number(text):
        found = Staff.get_or_none(Staff.swe_number == swe_number(text))
    else:
        found = Staff.get_or_none(fn.LOWER(Staff.email) == text.lower())
    if found is None:
        raise Invalid("Check the staff record", {"staff": "Select a staff record from the list"})
    others = User.select().where(User.staff == found.id)
    if for_user is not None:
        others = others.where(User.id != for_user.id)
    if others.exists():
        raise Invalid("Check the staff record", {
            "staff": f"{found.name} is already linked to another account"})
    return found


def create(actor: Account, *, username: str, display_name: str, role: str,
           email: str | None, staff: str | int | None, remote_addr: str | None
           ) -> tuple[AccountDetail, str]:
    """A new password account, and its first password (shown once, changed at first sign-in)."""
    errors = {}
    if not username.strip():
        errors["username"] = "Enter a username"
    elif len(username.strip()) > 150:
        errors["username"] = "Enter a username of 150 characters or fewer"
    if role not in {r.value for r in Role}:
        errors["role"] = "Select a role"
    if errors:
        raise Invalid("Check the account's details", errors)
    first_password = _temporary_password()
    with database.atomic():
        try:
            user = create_user(username, role=role, password=first_password,
                               display_name=display_name.strip() or None,
                               email=(email or "").strip() or None, staff=_staff(staff),
                               actor=User.get_by_id(actor.id))
        except AccountError as exc:
            raise Invalid("Check the account's details", {"username": str(exc)}) from None
        User.update(must_change_password=True).where(User.id == user.id).execute()
    return account(user.id), first_password


def _temporary_password() -> str:
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def _record(actor: Account, action: str, user: User, before: dict, after: dict,
            remote_addr: str | None) -> None:
    audit_trail.record(action, actor=User.get_by_id(actor.id), object_type="user",
                       object_id=user.id, before=before, after=after, remote_addr=remote_addr)


def _other_active_admins(user: User) -> int:
    return User.select().where((User.role == Role.ADMIN.value) & User.is_active
                               & (User.id != user.id)).count()


def change(actor: Account, user_id: int, *, role: str | None = None,
           staff: str | int | None = None, unlink_staff: bool = False,
           staff_swe_number: str | None = None,
           remote_addr: str | None = None) -> AccountDetail:
    """Change an account's role and staff link, and the linked staff record's Social Work
    England number (``""`` removes it; None leaves it). An account that signs in through the
    provider takes its role from the directory at every sign-in, so the change lasts until
    then."""
    user = _get(user_id)
    with database.atomic():
        detail = _change_account(actor, user, role, staff, unlink_staff, remote_addr)
        if staff_swe_number is not None:
            _set_swe_number(actor, detail, staff_swe_number, remote_addr)
    return account(user.id)


def _set_swe_number(actor: Account, detail: AccountDetail, raw: str,
                    remote_addr: str | None) -> None:
    if detail.staff is None:
        if not raw.strip():
            return
        raise Invalid("Check the Social Work England number", {
            "swe_number": "Link the account to a staff record first: the number is the "
                          "staff record's"})
    staff_records.set_swe_number(actor, detail.staff.id, raw, remote_addr=remote_addr)


def _change_account(actor: Account, user: User, role: str | None, staff: str | int | None,
                    unlink_staff: bool, remote_addr: str | None) -> AccountDetail:
    changes: dict[str, object] = {}
    if role is not None and role != user.role:
        if role not in {r.value for r in Role}:
            raise Invalid("Check the role", {"role": "Select a role"})
        if user.role == Role.ADMIN.value and not _other_active_admins(user):
            raise Invalid("Check the role", {
                "role": "This is the only active administrator; make someone else one first"})
        changes["role"] = role
        if user.case_reader and not may_be_granted(role):
            # The grant would lie dormant and come back with a later change of role.
            changes["case_reader"] = False
    if unlink_staff and user.staff_id is not None:
        changes["staff"] = None
    elif staff not in (None, ""):
        chosen = _staff(staff, for_user=user)
        if chosen is not None and chosen.id != user.staff_id:
            changes["staff"] = chosen
    if not changes:
        return _detail(user)
    before = {k: (user.staff_id if k == "staff" else getattr(user, k)) for k in changes}
    after = {k: (v.id if isinstance(v, Staff) else v) for k, v in changes.items()}
    User.update(**changes).where(User.id == user.id).execute()
    _record(actor, "user.updated", user, before, after, remote_addr)
    return account(user.id)


def set_case_reader(actor: Account, user_id: int, granted: bool, *,
                    remote_addr: str | None = None) -> AccountDetail:
    """Give an administrator or senior leader read access to audits and case lists, or take it
    back: the council's deliberate choice, on the record (``user.case_reader_granted`` /
    ``user.case_reader_withdrawn``)."""
    user = _get(user_id)
    if granted and not may_be_granted(user.role):
        raise Invalid("Check the role", {"case_reader": (
            f"Only administrators and senior leaders are given the case reader grant; a "
            f"{Role(user.role).label.lower()} reads the audits their role allows")})
    if bool(user.case_reader) == granted:
        return _detail(user)
    with database.atomic():
        User.update(case_reader=granted).where(User.id == user.id).execute()
        _record(actor, "user.case_reader_granted" if granted else "user.case_reader_withdrawn",
                user, {"case_reader": not granted}, {"case_reader": granted}, remote_addr)
    return account(user.id)


def set_active(actor: Account, user_id: int, active: bool, *,
               remote_addr: str | None = None) -> AccountDetail:
    """Disable (every session and token stops at once) or enable an account."""
    user = _get(user_id)
    if bool(user.is_active) == active:
        return _detail(user)
    if not active:
        if user.id == actor.id:
            raise NotAllowed("You cannot disable your own account.")
        if user.role == Role.ADMIN.value and not _other_active_admins(user):
            raise NotAllowed("This is the only active administrator; make someone else one "
                             "before disabling this account.")
        sessions.disable_user(user, actor=User.get_by_id(actor.id), remote_addr=remote_addr)
    else:
        with database.atomic():
            User.update(is_active=True).where(User.id == user.id).execute()
            _record(actor, "user.enabled", user, {"is_active": False}, {"is_active": True},
                    remote_addr)
    return account(user.id)


def reset_password(actor: Account, user_id: int, *,
                   remote_addr: str | None = None) -> tuple[AccountDetail, str]:
    """A new password to hand to the person (shown once); their sessions end, and they must
    choose their own at the next sign-in."""
    user = _get(user_id)
    if user.oidc_subject:
        raise NotAllowed(f"{user.display_name} signs in through the council's own account; "
                         f"there is no password here to reset.")
    temporary = _temporary_password()
    with database.atomic():
        User.update(password_hash=hash_password(temporary), must_change_password=True
                    ).where(User.id == user.id).execute()
        ended = sessions.end_all(user, sessions.ENDED_PASSWORD_RESET)
        _record(actor, "user.password_reset", user, {}, {"sessions_ended": ended},
                remote_addr)
    return account(user.id), temporary


def change_password(person: Account, *, current: str, new: str, confirm: str,
                    session_id: str | None, remote_addr: str | None = None) -> None:
    """The person's own change: the current password first; every other session ends."""
    user = _get(person.id)
    if user.oidc_subject or not user.password_hash:
        raise NotAllowed("You sign in through your council account; change your password "
                         "there.")
    errors = {}
    if not check_password(user, current):
        errors["current"] = "Enter your current password"
    problem = password_problem(new, user_inputs=(user.username, user.display_name))
    if problem:
        errors["new"] = problem
    elif new == current:
        errors["new"] = "Choose a password different from your current one"
    elif new != confirm:
        errors["confirm"] = "Enter the same new password twice"
    if errors:
        raise Invalid("Your password has not been changed", errors)
    with database.atomic():
        User.update(password_hash=hash_password(new), must_change_password=False
                    ).where(User.id == user.id).execute()
        ended = sessions.end_others(user, session_id, sessions.ENDED_PASSWORD_CHANGED)
        _record(person, "user.password_changed", user, {}, {"other_sessions_ended": ended},
                remote_addr)
