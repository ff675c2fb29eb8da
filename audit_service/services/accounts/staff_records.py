"""Staff records as administrators keep them: found by name, given their Social Work England
number.

Most social workers in a caseload import have no account here; the workforce census still
needs to find them, and it finds people only by registration number. So the number is kept on
the staff record, set here (for anyone) or on an account's page (for its linked record), with
one rule and one trail entry for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, fn

from audit_service.domain.names import name_key
from audit_service.domain.social_work_england import SweNumberError, swe_number
from audit_service.services.accounts.views import Account
from audit_service.services.errors import Invalid, NotFound
from audit_service.services.platform import audit_trail
from audit_service.services.platform.paging import Page, page_of
from audit_service.storage.database import database
from audit_service.storage.models import Staff, Team, User


@dataclass(frozen=True)
class StaffRow:
    id: int
    name: str
    team: str | None
    staff_role: str
    employment_type: str
    swe_number: str | None
    email: str | None
    username: str | None
    started_on: object
    left_on: object


def _row(staff: Staff) -> StaffRow:
    team = staff.team.name if staff.team_id else None
    user = getattr(staff, "account", None)
    return StaffRow(staff.id, staff.name, team, staff.staff_role, staff.employment_type,
                    staff.swe_number, staff.email, user.username if user and user.id else None,
                    staff.started_on, staff.left_on)


def _query():
    account = User.alias("account")
    return (Staff.select(Staff, Team, account.id, account.username)
            .join(Team, JOIN.LEFT_OUTER, on=(Staff.team == Team.id))
            .switch(Staff)
            .join(account, JOIN.LEFT_OUTER, on=(account.staff == Staff.id), attr="account"))


def staff_page(search: str, number: int, size: int) -> Page[StaffRow]:
    """Staff whose name holds ``search`` (any case and spacing) or whose number is it, by
    name."""
    query = _query().order_by(Staff.name, Staff.id)
    wanted = name_key(search or "")[:150]
    if wanted:
        query = query.where(Staff.name_key.contains(wanted)
                            | (fn.LOWER(Staff.swe_number) == wanted.replace(" ", "")))
    return page_of(query, number, size, _row, empty_past_the_end=True)


def staff_record(staff_id: int) -> StaffRow:
    found = _query().where(Staff.id == staff_id).first()
    if found is None:
        raise NotFound("There is no staff record at this address.")
    return _row(found)


def set_swe_number(actor: Account, staff_id: int, raw: str | None, *,
                   remote_addr: str | None = None) -> StaffRow:
    """Give the record its number (``""`` or None removes it); unique to one record."""
    record = staff_record(staff_id)
    try:
        number = swe_number(raw)
    except SweNumberError as exc:
        raise Invalid("Check the Social Work England number", {"swe_number": str(exc)}
                      ) from None
    if number == record.swe_number:
        return record
    holder = Staff.get_or_none((Staff.swe_number == number) & (Staff.id != staff_id))
    if number is not None and holder is not None:
        raise Invalid("Check the Social Work England number", {
            "swe_number": f"{number} is already the number of {holder.name}'s staff record"})
    with database.atomic():
        Staff.update(swe_number=number).where(Staff.id == staff_id).execute()
        audit_trail.record("staff.swe_number_changed", actor=User.get_by_id(actor.id),
                           object_type="staff", object_id=staff_id,
                           before={"swe_number": record.swe_number},
                           after={"swe_number": number}, remote_addr=remote_addr)
    return staff_record(staff_id)
