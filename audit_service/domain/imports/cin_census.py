"""Reading the DfE Children in Need census (XML) for what audits and sampling need.

The census is the council's own statutory return: for each child, each episode of need
(``CINdetails``) with its referral, assessments (start, authorisation, the factors found),
section 47 enquiries and child protection plans (category of abuse, number of previous
plans). It has no team or worker, so it never creates a case: it adds these facts to the case
the Annex A caseload already holds for the same ``LAchildID``.

Only the latest of each is kept (the latest episode of need, and within it the latest
assessment, enquiry and plan): that is what an auditor weighs and what the risk flags read.
The census also carries the child's UPN, date of birth, sex (``GenderCurrent`` before
2023-24, ``Sex`` after), ethnicity and disabilities: none of it is read, so none is stored.
Every layout from 2020-21 to 2025-26 reads alike; the 2025-26 pre-proceedings blocks are
passed over.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element

from audit_service.domain.imports.annex_a.values import (
    CellProblem,
    parse_child_id,
    parse_count,
    parse_date,
)
from audit_service.domain.imports.case_records import CaseEnrichment, RowError, SourceRef
from audit_service.domain.imports.xml_returns import children, local, records, texts

CHILD = "Child"
WHAT = "a Children in Need census"

#: Categories of abuse on a child protection plan, as the census codes them.
CATEGORIES_OF_ABUSE: dict[str, str] = {
    "NEG": "neglect",
    "PHY": "physical abuse",
    "EMO": "emotional abuse",
    "SAB": "sexual abuse",
    "MUL": "multiple categories",
}
#: Factors identified at assessment are short codes ("1C", "4A", "21", "RB").
_FACTOR = re.compile(r"^[0-9A-Z]{1,4}$")

#: The facts one census speaks for: a re-import sets every one, so a fact the council
#: corrected away is cleared here too.
CIN_FACTS = (
    "referral_on", "assessment_started_on", "assessment_authorised_on", "assessment_factors",
    "s47_started_on", "cp_plan_started_on", "cp_category", "cin_previous_cp_plans",
)


def iso_date(text: str) -> dt.date | None:
    """A census date (``YYYY-MM-DD``, read directly), or any date ``parse_date`` reads."""
    if len(text) == 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass  # parse_date says why in words
    return parse_date(text)


def read_cin_census(stream: BinaryIO, *, as_of: dt.date
                    ) -> Iterator[CaseEnrichment | RowError]:
    """A ``CaseEnrichment`` per child with an id, and a ``RowError`` per problem, in file order.

    A child without an id, or repeating an earlier child's id, is refused. A date that is not
    a date or falls after ``as_of``, an authorisation before its assessment started, an unknown
    category of abuse or factor code: each is a warning, the child read without that value.
    Raises ``ReturnFileError`` when the file is not a census.
    """
    seen: dict[str, int] = {}
    for row, element in enumerate(records(stream, CHILD, WHAT), start=1):
        yield from _child(element, row, seen, as_of)


class _Reader:
    """One child's values, collecting a warning for each one dropped."""

    def __init__(self, row: int, as_of: dt.date) -> None:
        self.row = row
        self.as_of = as_of
        self.warnings: list[RowError] = []

    def warn(self, column: str, value: str, reason: str) -> None:
        self.warnings.append(RowError(CHILD, self.row, column, value,
                                      f"{reason}; the child was read without it",
                                      imported=True))

    def date(self, values: dict[str, str], column: str) -> dt.date | None:
        text = values.get(column, "")
        try:
            day = iso_date(text)
        except CellProblem as exc:
            self.warn(column, text, str(exc))
            return None
        if day is not None and day > self.as_of:
            self.warn(column, text, f"after the import date ({self.as_of:%d/%m/%Y})")
            return None
        return day

    def count(self, values: dict[str, str], column: str) -> int | None:
        text = values.get(column, "")
        try:
            return parse_count(text)
        except CellProblem as exc:
            self.warn(column, text, str(exc))
            return None


def _child(element: Element, row: int, seen: dict[str, int], as_of: dt.date
           ) -> Iterator[CaseEnrichment | RowError]:
    identifiers = next(iter(children(element, "ChildIdentifiers")), None)
    raw = texts(identifiers).get("LAchildID", "") if identifiers is not None else ""
    try:
        child_id = parse_child_id(raw)
    except CellProblem as exc:
        yield RowError(CHILD, row, "LAchildID", raw, f"{exc}; the child was not read")
        return
    if child_id is None:
        yield RowError(CHILD, row, "LAchildID", "", "No LAchildID: the child cannot be "
                       "matched to a case, so was not read")
        return
    if child_id in seen:
        yield RowError(CHILD, row, "LAchildID", child_id,
                       f"the same child as child {seen[child_id]} of the file; only the first "
                       "is read")
        return
    seen[child_id] = row
    reader = _Reader(row, as_of)
    facts = dict.fromkeys(CIN_FACTS)
    episode = _latest(children(element, "CINdetails"), "CINreferralDate")
    if episode is not None:
        _episode(episode, reader, facts)
    yield CaseEnrichment(child_id, SourceRef(CHILD, row), tuple(facts.items()))
    yield from reader.warnings


def _latest(elements: list[Element], column: str) -> Element | None:
    """The element whose ``column`` date is latest (the last in the file on a tie or none)."""
    best: tuple[dt.date, int] | None = None
    chosen = None
    for index, element in enumerate(elements):
        text = texts(element).get(column, "")
        try:
            day = iso_date(text) or dt.date.min
        except CellProblem:
            day = dt.date.min  # its own reader reports the bad date once
        if best is None or (day, index) >= best:
            best, chosen = (day, index), element
    return chosen


def _episode(episode: Element, reader: _Reader, facts: dict[str, object]) -> None:
    facts["referral_on"] = reader.date(texts(episode), "CINreferralDate")
    assessment = _latest(children(episode, "Assessments"), "AssessmentActualStartDate")
    if assessment is not None:
        values = texts(assessment)
        started = reader.date(values, "AssessmentActualStartDate")
        authorised = reader.date(values, "AssessmentAuthorisationDate")
        if started and authorised and authorised < started:
            reader.warn("AssessmentAuthorisationDate", values["AssessmentAuthorisationDate"],
                        f"authorised before the assessment started ({started:%d/%m/%Y})")
            authorised = None
        facts["assessment_started_on"] = started
        facts["assessment_authorised_on"] = authorised
        facts["assessment_factors"] = _factors(assessment, reader)
    enquiry = _latest(children(episode, "Section47"), "S47ActualStartDate")
    if enquiry is not None:
        facts["s47_started_on"] = reader.date(texts(enquiry), "S47ActualStartDate")
    plan = _latest(children(episode, "ChildProtectionPlans"), "CPPstartDate")
    if plan is not None:
        values = texts(plan)
        facts["cp_plan_started_on"] = reader.date(values, "CPPstartDate")
        facts["cp_category"] = _category(values, reader)
        facts["cin_previous_cp_plans"] = reader.count(values, "NumberOfPreviousCPP")


def _factors(assessment: Element, reader: _Reader) -> str | None:
    codes: list[str] = []
    for block in children(assessment, "FactorsIdentifiedAtAssessment"):
        for factor in block:
            if local(factor.tag) != "AssessmentFactors":
                continue
            code = (factor.text or "").strip().upper()
            if not code:
                continue
            if not _FACTOR.match(code):
                reader.warn("AssessmentFactors", code[:255], "not a factor code")
            elif code not in codes:
                codes.append(code)
    return ",".join(sorted(codes)) or None


def _category(values: dict[str, str], reader: _Reader) -> str | None:
    """The latest category of abuse, else the initial one."""
    for column in ("LatestCategoryOfAbuse", "InitialCategoryOfAbuse"):
        code = values.get(column, "").upper()
        if not code:
            continue
        if code in CATEGORIES_OF_ABUSE:
            return code
        reader.warn(column, values[column][:255],
                    f"not a category of abuse (one of {', '.join(CATEGORIES_OF_ABUSE)})")
    return None
