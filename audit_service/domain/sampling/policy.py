"""The settings of a sampling policy, and the rules that make a set of settings valid.

A policy is data that quality leads change; every check here explains itself in
plain words and names the setting, so the CLI, the API and (later) the browser
editor show the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from audit_service.domain.vocabulary import CaseType

INDEPENDENCE = ("own_team", "other_team")
DRAW_MODES = ("automatic", "supervisor")
MAX_CASES = 50
MAX_EXCLUSION_MONTHS = 60
MAX_DUE_WORKING_DAYS = 60
MAX_REAUDIT_MONTHS = 24
REAUDIT_GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
DEFAULT_REAUDIT_GRADES = ("requires_improvement", "inadequate")


class PolicyError(ValueError):
    """The settings are not valid; ``errors`` lists every problem, one sentence each."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class SamplingPolicySettings:
    """What a sampling policy says. Validated on creation; immutable afterwards."""

    cases_per_supervisor: int = 2
    case_types: tuple[str, ...] = tuple(t.value for t in CaseType)
    strategy: str = "simple_random"
    strategy_options: Mapping[str, Any] = field(default_factory=dict)
    exclusion_months: int = 12
    independence: str = "own_team"
    #: Cases whose latest effective grade is one of these come back for a re-audit...
    reaudit_grades: tuple[str, ...] = DEFAULT_REAUDIT_GRADES
    #: ...this many months after that audit, to check that practice changed.
    reaudit_after_months: int = 3
    draw_mode: str = "automatic"
    due_working_days: int = 15
    #: A dip sample per team manager of their team's cases closed last month.
    closed_cases: int = 0
    #: A sample per service manager of their service's open cases with no allocated worker.
    unallocated_cases: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_types", tuple(self.case_types))
        if isinstance(self.reaudit_grades, list | tuple):
            object.__setattr__(self, "reaudit_grades", tuple(self.reaudit_grades))
        object.__setattr__(self, "strategy_options", dict(self.strategy_options or {}))
        errors = self.problems()
        if errors:
            raise PolicyError(errors)

    def problems(self, known_strategies: Iterable[str] | None = None) -> list[str]:
        """Every reason these settings cannot be used; empty when they can."""
        errors: list[str] = []
        errors += _whole_number("cases per supervisor", self.cases_per_supervisor, 1, MAX_CASES)
        errors += _whole_number("exclusion months", self.exclusion_months, 0, MAX_EXCLUSION_MONTHS)
        errors += _whole_number("due working days", self.due_working_days, 1,
                                MAX_DUE_WORKING_DAYS)
        known_types = [t.value for t in CaseType]
        if not self.case_types:
            errors.append("case types: choose at least one case type")
        errors += _listed("case types", self.case_types, known_types, "not known",
                          "a case type")
        if not isinstance(self.strategy, str) or not self.strategy.strip():
            errors.append("strategy: name a sampling strategy")
        elif known_strategies is not None and self.strategy not in set(known_strategies):
            errors.append(f"strategy: {self.strategy!r} is not an installed sampling strategy; "
                          f"choose from {', '.join(sorted(known_strategies))}")
        if self.independence not in INDEPENDENCE:
            errors.append(f"independence: {self.independence!r} is not known; "
                          f"choose own_team or other_team")
        if self.draw_mode not in DRAW_MODES:
            errors.append(f"draw mode: {self.draw_mode!r} is not known; "
                          f"choose automatic or supervisor")
        errors += _whole_number("re-audit after months", self.reaudit_after_months, 1,
                                MAX_REAUDIT_MONTHS)
        errors += _whole_number("closed cases", self.closed_cases, 0, MAX_CASES)
        errors += _whole_number("unallocated cases", self.unallocated_cases, 0, MAX_CASES)
        if not isinstance(self.reaudit_grades, tuple) or not all(
                isinstance(grade, str) for grade in self.reaudit_grades):
            errors.append("re-audit grades: list the grades that bring a case back, "
                          "such as requires_improvement and inadequate")
        else:
            errors += _listed("re-audit grades", self.reaudit_grades, REAUDIT_GRADES,
                              "not a grade", "a grade")
        return errors

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["case_types"] = list(self.case_types)
        data["reaudit_grades"] = list(self.reaudit_grades)
        data["strategy_options"] = dict(self.strategy_options)
        return data

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SamplingPolicySettings:
        """Build from a mapping (a stored row, an API body); unknown keys are an error."""
        names = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - names)
        if unknown:
            raise PolicyError([f"{key}: not a sampling policy setting" for key in unknown])
        return cls(**dict(data))


def _listed(label: str, values: Sequence[str], known: Sequence[str], unknown_is: str,
            one: str) -> list[str]:
    """What is wrong with a list chosen from ``known``: entries it does not know, and an
    entry given twice."""
    errors = []
    unknown = [value for value in values if value not in known]
    if unknown:
        errors.append(f"{label}: {', '.join(map(repr, unknown))} "
                      f"{'is' if len(unknown) == 1 else 'are'} {unknown_is}; "
                      f"choose from {', '.join(known)}")
    if len(set(values)) != len(values):
        errors.append(f"{label}: {one} is listed twice")
    return errors


def _whole_number(name: str, value: object, low: int, high: int) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{name}: {value!r} is not a whole number"]
    if not low <= value <= high:
        return [f"{name}: {value} is out of range; use {low} to {high}"]
    return []


BUILTIN_DEFAULT = SamplingPolicySettings()
"""Used when no policy has been set for a team, its service or the council."""
