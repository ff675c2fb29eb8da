"""Who reads children's case files through the service, and the grant that widens it.

Reading audits (evidence text, children's case references, the cases in a round) is the
work of quality leads, and of supervisors and practitioners for their own teams and cases.
Administrators run the service (accounts, imports, plugins) and senior leaders read
summaries, dashboards and reports: neither reads case files by default. A council that
wants one of them to (a head of service who reviews audits, an administrator who supports
quality leads) gives that account the separate "case reader" grant; it reads, it never
audits or moderates, and a change of role to anything else ends it.
"""

from __future__ import annotations

from audit_service.domain.vocabulary import Role

#: The roles the grant means something for: everyone else either reads case files by their
#: job already or, like HR, must never read them.
GRANTABLE = frozenset({Role.ADMIN, Role.SENIOR_LEADER})


def may_be_granted(role: str | Role) -> bool:
    return Role(role) in GRANTABLE


def holds_case_reader(role: str | Role, case_reader: bool) -> bool:
    """True when the grant is in force: given, and on a role it can be given to."""
    return bool(case_reader) and may_be_granted(role)


def reads_every_audit(role: str | Role, case_reader: bool) -> bool:
    """Quality leads by their job; administrators and senior leaders only with the grant."""
    return Role(role) is Role.QUALITY_LEAD or holds_case_reader(role, case_reader)
