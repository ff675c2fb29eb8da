"""marshmallow schemas for sampling rounds and policies. Unknown fields are refused.

Responses dump the sampling services' views (``services/sampling/views.py``) as they are.
"""

from __future__ import annotations

import marshmallow as ma

from audit_service.api.schemas import MONTH, StrictSchema, UtcDateTime
from audit_service.domain.sampling import DRAW_MODES, INDEPENDENCE
from audit_service.domain.sampling.policy import REAUDIT_GRADES
from audit_service.domain.vocabulary import CaseType


class PeriodQuerySchema(StrictSchema):
    period = ma.fields.String(
        load_default=None, validate=MONTH,
        metadata={"description": "The month, YYYY-MM; by default the current month"},
    )


class CaseFieldsSchema(StrictSchema):
    """A case in a round or a round's population, named as the case system names it."""

    case_id = ma.fields.String(attribute="case.public_id", required=True,
                               metadata={"description": "Opaque case id"})
    child_id = ma.fields.String(attribute="case.child_id", required=True,
                                metadata={"description": "The case system's child id"})
    case_type = ma.fields.String(attribute="case.case_type", required=True)


class RoundCaseSchema(CaseFieldsSchema):
    position = ma.fields.Integer(required=True, metadata={"description": "1, 2, ... in the round"})
    reason = ma.fields.String(required=True, metadata={"description": "Why it was drawn"})
    replaced_at = UtcDateTime(allow_none=True, metadata={"description": "UTC"})
    replacement_reason = ma.fields.String(allow_none=True)


class PolicyRefSchema(StrictSchema):
    scope = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    strategy = ma.fields.String(required=True)


class RoundSchema(StrictSchema):
    id = ma.fields.String(attribute="public_id", required=True)
    period = ma.fields.String(required=True)
    supervisor = ma.fields.String(required=True)
    team = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True,
                              metadata={"description": "awaiting_draw, open, ..."})
    due_on = ma.fields.Date(required=True)
    opened_at = UtcDateTime(required=True, metadata={"description": "UTC"})
    drawn_at = UtcDateTime(allow_none=True, metadata={"description": "UTC"})
    seed = ma.fields.String(required=True, metadata={"description": "The draw's seed"})
    eligible_count = ma.fields.Integer(required=True,
                                       metadata={"description": "Eligible cases at the draw"})
    policy = ma.fields.Nested(PolicyRefSchema, required=True)
    case_count = ma.fields.Integer(required=True, metadata={
        "description": "Cases to audit now: what senior leaders and administrators read"})
    cases = ma.fields.List(ma.fields.Nested(RoundCaseSchema), required=True, metadata={
        "description": "Empty unless you may read the round's children's case references"})
    replaced_cases = ma.fields.List(ma.fields.Nested(RoundCaseSchema), attribute="replaced",
                                    required=True)


class ReplaceSchema(StrictSchema):
    reason = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=500),
        metadata={"description": "Why, e.g. \"closed since the draw\", \"conflict of interest\""},
    )


class PopulationCaseSchema(CaseFieldsSchema):
    age_band = ma.fields.String(attribute="case.age_band", allow_none=True)
    reaudit = ma.fields.Boolean(required=True,
                                metadata={"description": "A re-audit, drawn first"})
    pool = ma.fields.String(required=True, metadata={
        "description": "open (the open caseload), reaudit, closed (closed last month) or "
                       "unallocated (a service manager's pool)"})
    in_round = ma.fields.Boolean(required=True,
                                 metadata={"description": "Drawn into this round"})


class PopulationSchema(StrictSchema):
    round = ma.fields.String(attribute="round.public_id", required=True)
    eligible_count_at_draw = ma.fields.Integer(attribute="round.eligible_count", required=True)
    eligible_now = ma.fields.Integer(required=True)
    cases = ma.fields.List(ma.fields.Nested(PopulationCaseSchema), attribute="rows",
                           required=True)


class PolicySettingsFields(StrictSchema):
    cases_per_supervisor = ma.fields.Integer(validate=ma.validate.Range(min=1, max=50))
    case_types = ma.fields.List(ma.fields.String(
        validate=ma.validate.OneOf([t.value for t in CaseType])))
    strategy = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    strategy_options = ma.fields.Dict(keys=ma.fields.String())
    exclusion_months = ma.fields.Integer(validate=ma.validate.Range(min=0, max=60))
    independence = ma.fields.String(validate=ma.validate.OneOf(INDEPENDENCE))
    reaudit_grades = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(REAUDIT_GRADES)),
                                    metadata={"description": "Effective grades that bring a "
                                              "case back for a re-audit"})
    reaudit_after_months = ma.fields.Integer(validate=ma.validate.Range(min=1, max=24))
    draw_mode = ma.fields.String(validate=ma.validate.OneOf(DRAW_MODES))
    due_working_days = ma.fields.Integer(validate=ma.validate.Range(min=1, max=60))
    closed_cases = ma.fields.Integer(validate=ma.validate.Range(min=0, max=50), metadata={
        "description": "Cases closed last month drawn per team manager, beyond the open draw"})
    unallocated_cases = ma.fields.Integer(validate=ma.validate.Range(min=0, max=50), metadata={
        "description": "Open cases with no allocated worker drawn per service manager"})


class PolicySchema(PolicySettingsFields):
    scope = ma.fields.String(required=True,
                             metadata={"description": "council, service:<id> or team:<id>"})
    strategy_options = ma.fields.Dict(
        keys=ma.fields.String(), allow_none=True, attribute="saved_options",
        metadata={"description": "null for a policy saved without options (the strategy's "
                                 "defaults)"})
    applies_to = ma.fields.String(required=True, metadata={"description": "In words"})
    version = ma.fields.Integer(required=True)
    created_at = UtcDateTime(required=True, metadata={"description": "UTC"})
    created_by = ma.fields.String(required=True)


class PolicyUpdateSchema(PolicySettingsFields):
    """Settings left out are kept from the policy that applies to the scope now."""

    team = ma.fields.String(metadata={"description": "Team name, for a team override"})
    service = ma.fields.String(metadata={"description": "Service name, for a service policy"})

    @ma.validates_schema
    def one_scope(self, data, **kwargs):
        if data.get("team") and data.get("service"):
            raise ma.ValidationError("choose a team or a service, not both", "team")


class PolicyListQuerySchema(StrictSchema):
    history = ma.fields.Boolean(load_default=False,
                                metadata={"description": "Every version, not only the newest"})
