"""The Annex A lists we read and the columns we take from each.

Lists 6 to 9 are the caseload (children in need, child protection, children
in care, care leavers). List 4 adds assessments still open; List 3 only adds
the number of referrals to children already on Lists 6 to 9. Everything else
in the workbook (ethnicity, postcodes, adopters) is personal data we do not
need, so it is never read.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from audit_service.domain.imports.annex_a.headers import Field, Need, header_key
from audit_service.domain.imports.annex_a.values import (
    CASE_STATUS,
    parse_allocation,
    parse_child_id,
    parse_coded_text,
    parse_count,
    parse_date,
    parse_seen_alone,
)
from audit_service.domain.vocabulary import CaseType

# Pre-birth plans and assessments are real (an unborn child can be on a CP plan),
# but nothing starts more than a full pregnancy before the child is born.
PRE_BIRTH_LIMIT = dt.timedelta(weeks=42)

CHILD_ID = Field(
    "child_id",
    "Child Unique ID",
    parse_child_id,
    ("Child ID", "Child Unique Identifier", "Unique Child ID", "Child Unique Reference",
     "Child Reference", "Child Unique Ref", "CHILD_ID", "ChildID", "LA Child ID"),
    Need.REQUIRED,
    pattern=r"\bchild\b.*\b(id|identifier)\b|\b(id|identifier)\b.*\bchild\b",
)
DATE_OF_BIRTH = Field("date_of_birth", "Date of Birth", parse_date, ("DOB", "Birth Date"),
                      pattern=r"\bdate\b.*\bbirth\b")
TEAM = Field(
    "team_name", "Allocated Team", parse_allocation,
    ("Team", "Allocated Team Name", "Team Allocated")
)
WORKER = Field(
    "worker_name",
    "Allocated Worker",
    parse_allocation,
    ("Allocated Social Worker", "Social Worker", "Worker", "Allocated Worker Name",
     "Worker Allocated", "Allocated Case Worker"),
)
COMMON = (CHILD_ID, DATE_OF_BIRTH, TEAM, WORKER)


@dataclass(frozen=True)
class ListSpec:
    number: int
    title: str
    case_type: CaseType
    fields: tuple[Field, ...]
    #: Key of the date an involvement began (checked against the date of birth).
    start_field: str | None = None
    #: How long before birth that date may fall (None: no check).
    pre_birth_limit: dt.timedelta | None = None
    #: False for List 3: its rows only add facts to children on other lists.
    creates_cases: bool = True

    @property
    def sheet_name(self) -> str:
        return f"List {self.number}"

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)


LIST_3 = ListSpec(
    3,
    "Contacts and referrals",
    CaseType.CHILD_IN_NEED,
    (
        *COMMON,
        Field(
            "referrals_12m",
            "Number of Referrals in Last 12 Months",
            parse_count,
            ("Number of Referrals in the Last 12 Months", "No. of Referrals in Last 12 Months",
             "Number of Referrals in Last 12 Mths", "Referrals in Last 12 Months"),
        ),
    ),
    creates_cases=False,
)

LIST_4 = ListSpec(
    4,
    "Assessments",
    CaseType.OPEN_ASSESSMENT,
    (
        *COMMON,
        Field(
            "opened_on",
            "Continuous Assessment Start Date",
            parse_date,
            ("Assessment Start Date", "Date Assessment Started"),
        ),
        Field(
            "authorised_on",
            "Continuous Assessment Date of Authorisation",
            parse_date,
            ("Assessment Date of Authorisation", "Date of Authorisation",
             "Assessment Authorisation Date", "Assessment Completion Date"),
        ),
    ),
    start_field="opened_on",
    pre_birth_limit=PRE_BIRTH_LIMIT,
)

LIST_6 = ListSpec(
    6,
    "Children in need",
    CaseType.CHILD_IN_NEED,
    (
        *COMMON,
        Field("opened_on", "CIN Start Date", parse_date, ("Child in Need Start Date",)),
        Field(
            "last_seen_on",
            "Date Child Was Last Seen",
            parse_date,
            ("Date Child Last Seen", "Date the Child Was Last Seen", "Date Last Seen"),
        ),
        Field(
            "closed_on",
            "CIN Closure Date",
            parse_date,
            ("CIN Close Date", "Child in Need Closure Date", "Date of Closure", "Closure Date"),
        ),
        Field("closure_reason", "Reason for Closure", parse_coded_text, ("Closure Reason",)),
        Field("case_status", "Case Status", CASE_STATUS.parse, ("Status",)),
    ),
    start_field="opened_on",
    pre_birth_limit=PRE_BIRTH_LIMIT,
)

LIST_7 = ListSpec(
    7,
    "Child protection",
    CaseType.CHILD_PROTECTION,
    (
        *COMMON,
        Field(
            "opened_on",
            "Child Protection Plan Start Date",
            parse_date,
            ("CP Plan Start Date", "CPP Start Date"),
        ),
        Field(
            "last_seen_on",
            "Date of the Last Statutory Visit",
            parse_date,
            ("Date of Last Statutory Visit", "Last Statutory Visit Date",
             "Date of the Latest Statutory Visit"),
        ),
        Field(
            "seen_alone",
            "Was the Child Seen Alone?",
            parse_seen_alone,
            ("Child Seen Alone", "Was the Child Seen Alone at the Last Visit?", "Seen Alone"),
        ),
        Field(
            "closed_on",
            "Child Protection Plan End Date",
            parse_date,
            ("CP Plan End Date", "CPP End Date"),
        ),
        Field(
            "previous_cp_plans",
            "Number of Previous Child Protection Plans",
            parse_count,
            ("Number of Previous CP Plans", "No. of Previous Child Protection Plans",
             "Previous Child Protection Plans"),
            pattern=r"\bprevious (child protection|cp) plans\b",
        ),
    ),
    start_field="opened_on",
    pre_birth_limit=PRE_BIRTH_LIMIT,
)

LIST_8 = ListSpec(
    8,
    "Children in care",
    CaseType.LOOKED_AFTER,
    (
        *COMMON,
        Field(
            "opened_on",
            "Date Started to be Looked After",
            parse_date,
            ("Date Started to Be Looked After", "Date Child Started to be Looked After",
             "Date Became Looked After", "Date Started Looked After"),
        ),
        Field(
            "last_seen_on",
            "Date of Last Social Work Visit",
            parse_date,
            ("Date of the Last Social Work Visit", "Last Social Work Visit Date",
             "Date of Latest Social Work Visit"),
        ),
        Field(
            "placements_12m",
            "Number of Placements in the Last 12 months",
            parse_count,
            ("Number of Placements in Last 12 Months", "No. of Placements in the Last 12 Months",
             "Placements in the Last 12 Months"),
        ),
        Field(
            "closed_on",
            "Date Ceased to be Looked After",
            parse_date,
            ("Date Ceased to Be Looked After", "Date Ceased Looked After", "Date Ceased LAC"),
        ),
        Field(
            "closure_reason",
            "Reason Ceased to be Looked After",
            parse_coded_text,
            ("Reason Ceased Looked After", "Reason Ceased"),
        ),
    ),
    start_field="opened_on",
    pre_birth_limit=dt.timedelta(0),
)

LIST_9 = ListSpec(
    9,
    "Care leavers",
    CaseType.CARE_LEAVER,
    (
        *COMMON,
        Field(
            "personal_adviser",
            "Allocated Personal Advisor",
            parse_allocation,
            ("Allocated Personal Adviser", "Personal Advisor", "Personal Adviser"),
            Need.OPTIONAL,
        ),
        Field(
            "last_seen_on",
            "Latest Date of Contact",
            parse_date,
            ("Date of Latest Contact", "Latest Contact Date", "Date of Last Contact"),
        ),
    ),
)

LISTS: dict[int, ListSpec] = {s.number: s for s in (LIST_3, LIST_4, LIST_6, LIST_7, LIST_8, LIST_9)}
#: Lists that on their own describe the open caseload; a file needs at least one.
CASELOAD_LISTS = (6, 7, 8, 9)

_LIST_NAME = re.compile(r"\blist\s*[_-]?\s*(\d{1,2})\b")
#: ``L6``, ``6. Children in need``, ``6 - CIN``: a list's number at the start of the name.
_NUMBERED = re.compile(r"^(?:l\s*)?(\d{1,2})(?:\s*[.:)\-]\s*|\s+)\D|^l\s*(\d{1,2})$")
#: Names councils give a sheet instead of its number (ILACS Annex A titles and their
#: abbreviations), checked after the number forms.
_LIST_WORDS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(pattern), number) for pattern, number in (
        (r"\bcontacts?\b", 1),
        (r"\bearly help\b", 2),
        (r"\breferrals?\b", 3),
        (r"\bassessments?\b", 4),
        (r"\bsection 47\b|\bs47\b", 5),
        (r"\bcin\b|\bchildren in need\b|\bchild in need\b", 6),
        (r"\bcpp?\b|\bchild protection\b", 7),
        (r"\bcla\b|\blac\b|\bchildren in care\b|\blooked after\b", 8),
        (r"\bcare leavers?\b|\bleaving care\b", 9),
        (r"\badoptions?\b", 10),
        (r"\badopters?\b", 11),
    )
)


@functools.lru_cache(maxsize=256)
def list_number(name: str) -> int | None:
    """The Annex A list a sheet (or file, or ``List`` cell) names: ``'List 6 - CIN'`` -> 6.

    A bare number (``'7'``) counts too, for a CSV's list column.
    """
    text = re.sub(r"\s+", " ", str(name).replace("\xa0", " ")).strip().casefold()
    if re.fullmatch(r"\d{1,2}(\.0)?", text):
        return int(float(text))
    text = text.replace("_", " ")
    found = _LIST_NAME.findall(text)
    if found:
        return int(found[0])
    numbered = _NUMBERED.match(text)
    if numbered:
        return int(numbered.group(1) or numbered.group(2))
    return next((number for words, number in _LIST_WORDS if words.search(text)), None)


def list_from_headings(header: Sequence[object]) -> int | None:
    """The list whose own columns (beyond id, birth date, team, worker) a header row has
    most of, for a sheet or file whose name does not say; None when it has none of any."""
    keys = {header_key(h) for h in header if h is not None}
    common = {f.key for f in COMMON}
    scores = {
        number: sum(1 for f in spec.fields if f.key not in common and f.keys & keys)
        for number, spec in LISTS.items()
    }
    best = max(scores, key=lambda n: (scores[n], n in CASELOAD_LISTS, -n))
    return best if scores[best] else None
