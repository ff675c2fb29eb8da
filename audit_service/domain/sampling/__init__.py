"""Monthly sampling, as pure Python: policies, the eligible population and seeded draws.

Nothing here touches the database or Flask. The services layer loads cases and
past audits, hands them in as ``PopulationCase`` values, and stores what comes
back, so every rule here is tested directly.
"""

from audit_service.domain.sampling.flags import FLAG_IDS, FLAG_LABELS, CaseFlag, case_flags
from audit_service.domain.sampling.policy import (
    BUILTIN_DEFAULT,
    DRAW_MODES,
    INDEPENDENCE,
    PolicyError,
    SamplingPolicySettings,
)
from audit_service.domain.sampling.population import (
    Eligible,
    Supervisor,
    eligible_population,
    months_before,
    reaudit_state,
    seed_for,
    unallocated_population,
)
from audit_service.domain.sampling.strategy import (
    DrawContext,
    Drawn,
    PopulationCase,
    SamplingStrategy,
    StrategyError,
    draw_sample,
    draw_unallocated,
)

__all__ = [
    "BUILTIN_DEFAULT",
    "DRAW_MODES",
    "FLAG_IDS",
    "FLAG_LABELS",
    "INDEPENDENCE",
    "CaseFlag",
    "DrawContext",
    "Drawn",
    "Eligible",
    "PolicyError",
    "PopulationCase",
    "SamplingPolicySettings",
    "SamplingStrategy",
    "StrategyError",
    "Supervisor",
    "case_flags",
    "draw_sample",
    "draw_unallocated",
    "eligible_population",
    "months_before",
    "reaudit_state",
    "seed_for",
    "unallocated_population",
]
