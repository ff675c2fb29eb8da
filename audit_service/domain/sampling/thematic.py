"""Thematic audit cohorts: which cases a quality lead's filters select, in pure Python.

A thematic audit looks at a worry across the council ("child-in-need cases
closed without an assessment this spring", "under-5s on child protection
plans"), not at one supervisor's month. The filters are data: stored with the
audit, described in plain words, checked here, and applied to the same
``PopulationCase`` values monthly sampling uses, so the sampling strategy
plugins draw thematic samples too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit_service.domain.sampling.flags import (
    FLAG_IDS,
    FLAG_LABELS,
    case_flags,
    closed_without_assessment,
)
from audit_service.domain.sampling.strategy import PopulationCase
from audit_service.domain.vocabulary import AgeBand, CaseStatus, CaseType

CLOSED_WITHOUT_ASSESSMENT = "closed_without_assessment"
CLOSURES = {"": "Any closure reason",
            CLOSED_WITHOUT_ASSESSMENT: "Closed after assessment with no further action (RC8, RC9)"}
MAX_SAMPLE = 500


class CohortError(ValueError):
    """Filters that cannot be used; ``errors`` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class CohortFilters:
    """Every filter is optional; an empty filter selects everything on that axis."""

    case_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    closure: str = ""
    age_bands: tuple[str, ...] = ()
    team_ids: tuple[int, ...] = ()
    service_ids: tuple[int, ...] = ()
    flags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("case_types", "statuses", "age_bands", "team_ids", "service_ids", "flags"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        errors = self.problems()
        if errors:
            raise CohortError(errors)

    def problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        _known(errors, "case_types", self.case_types, [t.value for t in CaseType], "case type")
        _known(errors, "statuses", self.statuses, [s.value for s in CaseStatus], "status")
        _known(errors, "age_bands", self.age_bands, [b.value for b in AgeBand], "age band")
        _known(errors, "flags", self.flags, list(FLAG_IDS), "flag")
        if self.closure not in CLOSURES:
            errors["closure"] = f"{self.closure!r} is not a closure filter"
        if self.closed_from and self.closed_to and self.closed_from > self.closed_to:
            errors["closed_to"] = "The end date must be the same as or after the start date"
        return errors

    @property
    def only_closed(self) -> bool:
        """Closure filters only make sense for closed cases."""
        return bool(self.closed_from or self.closed_to or self.closure)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_types": list(self.case_types),
            "statuses": list(self.statuses),
            "closed_from": self.closed_from.isoformat() if self.closed_from else None,
            "closed_to": self.closed_to.isoformat() if self.closed_to else None,
            "closure": self.closure,
            "age_bands": list(self.age_bands),
            "team_ids": list(self.team_ids),
            "service_ids": list(self.service_ids),
            "flags": list(self.flags),
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CohortFilters:
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise CohortError({key: "is not a cohort filter" for key in unknown})
        values = dict(data)
        for name in ("closed_from", "closed_to"):
            if isinstance(values.get(name), str):
                try:
                    values[name] = dt.date.fromisoformat(values[name])
                except ValueError:
                    raise CohortError({name: "must be a date like 2024-03-31"}) from None
        return cls(**values)

    def describe(self, team_names: Mapping[int, str] | None = None,
                 service_names: Mapping[int, str] | None = None) -> list[str]:
        """The filters in plain words, one line each; empty filters are left out."""
        lines = []
        if self.case_types:
            lines.append("Case type: " + ", ".join(CaseType(t).label for t in self.case_types))
        if self.statuses:
            lines.append("Status: " + ", ".join(s.capitalize() for s in self.statuses))
        if self.closed_from or self.closed_to:
            start = f"{self.closed_from:%d %B %Y}" if self.closed_from else "any date"
            end = f"{self.closed_to:%d %B %Y}" if self.closed_to else "any date"
            lines.append(f"Closed between {start} and {end}")
        if self.closure:
            lines.append(CLOSURES[self.closure])
        if self.age_bands:
            lines.append("Age: " + ", ".join(AgeBand(b).label for b in self.age_bands))
        if self.team_ids:
            names = team_names or {}
            lines.append("Team: " + ", ".join(names.get(i, f"team {i}") for i in self.team_ids))
        if self.service_ids:
            names = service_names or {}
            lines.append("Service: " + ", ".join(names.get(i, f"service {i}")
                                                 for i in self.service_ids))
        if self.flags:
            lines.append("Flags: " + ", ".join(FLAG_LABELS[f] for f in self.flags))
        return lines or ["Every case"]


def _known(errors: dict[str, str], name: str, values: Sequence[str], known: Sequence[str],
           noun: str) -> None:
    unknown = [v for v in values if v not in known]
    if unknown:
        errors[name] = (f"{', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} "
                        f"not a known {noun}")


def matches(filters: CohortFilters, case: PopulationCase, today: dt.date) -> bool:
    """Whether ``case`` is in the cohort the filters describe on ``today``."""
    facts = case.facts
    if filters.case_types and facts.case_type not in filters.case_types:
        return False
    status = CaseStatus.OPEN if case.is_open else CaseStatus.CLOSED
    if filters.statuses and status not in filters.statuses:
        return False
    if filters.only_closed and case.is_open:
        return False
    if filters.closed_from and (facts.closed_on is None or facts.closed_on < filters.closed_from):
        return False
    if filters.closed_to and (facts.closed_on is None or facts.closed_on > filters.closed_to):
        return False
    if filters.closure == CLOSED_WITHOUT_ASSESSMENT and not closed_without_assessment(
            facts.closure_reason):
        return False
    if filters.age_bands and (facts.age_band is None or facts.age_band not in filters.age_bands):
        return False
    if filters.team_ids and case.team_id not in filters.team_ids:
        return False
    if filters.service_ids and case.service_id not in filters.service_ids:
        return False
    if filters.flags:
        raised = {flag.id for flag in case_flags(facts, today)}
        if not set(filters.flags) <= raised:
            return False
    return True


def cohort(filters: CohortFilters, cases: Sequence[PopulationCase],
           today: dt.date) -> list[PopulationCase]:
    """The matching cases, in key order (so the input's order never matters)."""
    return sorted((c for c in cases if matches(filters, c, today)), key=lambda c: c.key)
