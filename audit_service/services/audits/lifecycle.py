"""An audit's lifecycle as one import: start, drafts, submission, alerts, responses.

Each job lives in its own module beside this one (``starting``, ``drafting``,
``submission``, ``alerts``, ``responses``, ``round_progress``...); this module names
them together for the other capabilities, the command line and the tests, which
follow an audit through its whole life.
"""

from __future__ import annotations

from audit_service.services.audits.alerts import (
    INADEQUATE,
    alert_recipients,
    escalate_inadequate,
    raise_alerts,
)
from audit_service.services.audits.drafting import save_draft
from audit_service.services.audits.notices import audit_link, user_for_staff
from audit_service.services.audits.reading import record_view
from audit_service.services.audits.refusals import (
    InvalidAnswers,
    NoRubrics,
    ReadOnly,
    VersionConflict,
)
from audit_service.services.audits.responses import MAX_RESPONSE, acknowledge, respond
from audit_service.services.audits.round_progress import complete_round_if_done
from audit_service.services.audits.starting import ensure_published, round_case_for, start_audit
from audit_service.services.audits.state import AuditState, PinnedRubric, case_type_of, load_state
from audit_service.services.audits.submission import Submitted, submit
from audit_service.services.cases.facts import case_facts
from audit_service.services.errors import NotAllowed, NotFound

__all__ = [
    "INADEQUATE",
    "MAX_RESPONSE",
    "AuditState",
    "InvalidAnswers",
    "NoRubrics",
    "NotAllowed",
    "NotFound",
    "PinnedRubric",
    "ReadOnly",
    "Submitted",
    "VersionConflict",
    "acknowledge",
    "alert_recipients",
    "audit_link",
    "case_facts",
    "case_type_of",
    "complete_round_if_done",
    "ensure_published",
    "escalate_inadequate",
    "load_state",
    "raise_alerts",
    "record_view",
    "respond",
    "round_case_for",
    "save_draft",
    "start_audit",
    "submit",
    "user_for_staff",
]
