"""Write an Ofsted Annex A workbook (Lists 6 to 9) from a generated demo council.

Usage: python benchmarks/annex_a_workbook.py [--rows 20000] [--seed 2024] [--as-of YYYY-MM-DD] OUT

The workbook carries the real Annex A header rows (copied from the sample in
shared/data) and one row per case, so it measures the importer on the shape of
file a large council would upload. The caseload comes from
``audit_service.services.demo.council``; the columns the service does not read (gender,
ethnicity, placement type...) are filled with plausible codes from a seeded
generator, so the same arguments always write the same cells.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import sys
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

from audit_service.domain.vocabulary import CaseType
from audit_service.services.demo.council import SIZES, DemoCase, DemoCouncil, generate_council

HEADERS: dict[str, tuple[str, ...]] = {
    "List 6": (
        "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age",
        "Does the Child have a Disability", "CIN Start Date", "Primary Need Code",
        "Date Child Was Last Seen", "CIN Closure Date", "Reason for Closure", "Case Status",
        "Allocated Team", "Allocated Worker",
    ),
    "List 7": (
        "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age",
        "Does the Child have a Disability", "Child Protection Plan Start Date",
        "Initial Category of Abuse", "Latest Category of Abuse",
        "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
        "Date of latest review conference", "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
        "Months (Y/N)",
        "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker",
    ),
    "List 8": (
        "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age",
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
        "Does the Child have a Disability", "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last "
        "12 months (Y/N)",
        "Start date of current legal status", "Child's Legal Status",
        "Date of Latest Statutory Review", "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment",
        "Date of Last Dental Check", "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement", "Placement Type", "Placement Provider",
        "Placement postcode", "URN of Placement", "Placement Location", "LA of Placement",
        "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the "
        "last 12 months",
        "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the "
        "last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        "Allocated Team", "Allocated Worker",
    ),
    "List 9": (
        "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age",
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        "Does the Child have a Disability", "Allocated Team", "Allocated Worker",
        "Allocated Personal Advisor", "Eligibility Category", "Latest Pathway Plan Review Date",
        "LA in Touch", "Latest Date of Contact", "Type of Accommodation",
        "Suitability of Accommodation", "Activity Status",
    ),
}

SHEET_FOR_TYPE = {
    CaseType.CHILD_IN_NEED: "List 6",
    CaseType.OPEN_ASSESSMENT: "List 6",
    CaseType.CHILD_PROTECTION: "List 7",
    CaseType.LOOKED_AFTER: "List 8",
    CaseType.CARE_LEAVER: "List 9",
}

GENDERS = ("a) Male", "b) Female")
ETHNICITIES = ("a) WBRI", "a) WBRI", "a) WBRI", "b) WIRI", "c) WOTH", "d) WIRT", "g) MWBC",
               "k) APKN", "l) ABAN", "n) BCRB", "o) BAFR", "r) OOTH", "s) NOBT")
YES_NO = ("a) Yes", "b) No")
NEEDS = ("N1 - Abuse or Neglect", "N1 - Abuse or Neglect", "N2 - Child's disability",
         "N3 - Parental illness/disability", "N4 - Family in acute stress",
         "N5 - Family dysfunction", "N8 - Absent parenting")
ABUSE = ("Neglect", "Neglect", "Emotional abuse", "Physical abuse", "Sexual abuse",
         "Multiple/not recommended")
LEGAL_STATUS = ("C2: FCO", "C2: FCO", "V2: Single period of accommodation under section 20",
                "E1: Placement order", "C1: ICO")
PLACEMENTS = ("d) U4: Foster placement - long term", "e) U5: Foster placement - short term",
              "a) U1: Foster placement - relatives - long term", "h) K2: Children's home")
PROVIDERS = ("b) PR1 - Own provision", "e) PR4 - Private provision",
             "f) PR5 - Voluntary/third sector")
ACCOMMODATION = ("U: Independent living", "Y: Other accommodation", "S: Semi-independent",
                 "X: Supported lodgings")
ACTIVITY = ("F1: Full time in higher education", "F2: Full time in education other than higher",
            "F4: Full time employment", "G5: Not in education, employment or training - other")
CASE_STATUS = {
    CaseType.CHILD_IN_NEED: "c) Child in need plan",
    CaseType.OPEN_ASSESSMENT: "d) Open assessment",
}


def council_for_rows(rows: int, seed: int, as_of: dt.date) -> DemoCouncil:
    """The large demo council's staff with exactly ``rows`` cases (about 1 in 21 closed)."""
    if rows < 1:
        raise ValueError(f"--rows must be at least 1, not {rows}")
    closed = rows // 21
    size = dataclasses.replace(SIZES["large"], open_cases=rows - closed, closed_cases=closed)
    return generate_council(size, seed, as_of)


def _recent(rng: random.Random, since: dt.date, until: dt.date, days: int) -> dt.date:
    start = max(since, until - dt.timedelta(days=days))
    return start + dt.timedelta(days=rng.randint(0, max((until - start).days, 0)))


def _common(rng: random.Random, case: DemoCase, as_of: dt.date) -> dict[str, object]:
    return {
        "Child Unique ID": int(case.record.child_id),
        "Gender": rng.choice(GENDERS),
        "Ethnicity": rng.choice(ETHNICITIES),
        "Date of Birth": case.born_on,
        "Age": round((as_of - case.born_on).days / 365.25, 6),
        "Does the Child have a Disability": "a) Yes" if rng.random() < 0.08 else "b) No",
        "Allocated Team": case.record.team_name,
        "Allocated Worker": case.record.worker_name,
    }


def _list_6(rng: random.Random, case: DemoCase, as_of: dt.date) -> dict[str, object]:
    r = case.record
    return {
        "CIN Start Date": r.opened_on,
        "Primary Need Code": rng.choice(NEEDS),
        "Date Child Was Last Seen": r.last_seen_on,
        "CIN Closure Date": r.closed_on,
        "Reason for Closure": r.closure_reason,
        "Case Status": "e) Closed episode" if r.closed_on else CASE_STATUS[r.case_type],
    }


def _list_7(rng: random.Random, case: DemoCase, as_of: dt.date) -> dict[str, object]:
    r = case.record
    abuse = rng.choice(ABUSE)
    end = r.closed_on or as_of
    return {
        "Child Protection Plan Start Date": r.opened_on,
        "Initial Category of Abuse": abuse,
        "Latest Category of Abuse": abuse if rng.random() < 0.85 else rng.choice(ABUSE),
        "Date of the Last Statutory Visit": r.last_seen_on,
        "Was the Child Seen Alone?": None if r.seen_alone is None else YES_NO[not r.seen_alone],
        "Date of latest review conference": _recent(rng, r.opened_on, end, 180),
        "Child Protection Plan End Date": r.closed_on,
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
        "Months (Y/N)": "a) Yes" if rng.random() < 0.03 else "b) No",
        "Number of Previous Child Protection Plans": r.previous_cp_plans,
    }


def _list_8(rng: random.Random, case: DemoCase, as_of: dt.date) -> dict[str, object]:
    r = case.record
    end = r.closed_on or as_of
    return {
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))":
            "a) Yes" if rng.random() < 0.06 else "b) No",
        "Date Started to be Looked After": r.opened_on,
        "Child's Category of Need": rng.choice(NEEDS),
        "Is this a second or subsequent period of being a Looked After Child within the last "
        "12 months (Y/N)": "a) Yes" if rng.random() < 0.05 else "b) No",
        "Start date of current legal status": _recent(rng, r.opened_on, end, 900),
        "Child's Legal Status": rng.choice(LEGAL_STATUS),
        "Date of Latest Statutory Review": _recent(rng, r.opened_on, end, 180),
        "Date of Last Social Work Visit": r.last_seen_on,
        "Date of Last IRO Visit / Contact to the Child": _recent(rng, r.opened_on, end, 180),
        "Date of Last Health Assessment": _recent(rng, r.opened_on, end, 365),
        "Date of Last Dental Check": _recent(rng, r.opened_on, end, 365),
        "Number of Placements in the Last 12 months": r.placements_12m,
        "Date Ceased to be Looked After": r.closed_on,
        "Reason Ceased to be Looked After": r.closure_reason,
        "Start Date of Most Recent Placement": _recent(rng, r.opened_on, end, 700),
        "Placement Type": rng.choice(PLACEMENTS),
        "Placement Provider": rng.choice(PROVIDERS),
        "LA of Placement": "Home Town" if rng.random() < 0.7 else "Other Town 1",
        "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the "
        "last 12 months": 0 if rng.random() < 0.9 else rng.randint(1, 6),
        "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the "
        "last 12 months": 0,
    }


def _list_9(rng: random.Random, case: DemoCase, as_of: dt.date) -> dict[str, object]:
    r = case.record
    adult = (as_of - case.born_on).days >= 18 * 365.25
    return {
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)":
            "a) Yes" if rng.random() < 0.1 else "b) No",
        "Allocated Personal Advisor": r.worker_name,
        "Eligibility Category": "b) Former relevant child" if adult else "a) Relevant child",
        "Latest Pathway Plan Review Date": _recent(rng, r.opened_on, as_of, 180),
        "LA in Touch": "a) Yes" if rng.random() < 0.93 else "b) No",
        "Latest Date of Contact": r.last_seen_on,
        "Type of Accommodation": rng.choice(ACCOMMODATION),
        "Suitability of Accommodation": "a) Suitable" if rng.random() < 0.88 else "b) Unsuitable",
        "Activity Status": rng.choice(ACTIVITY),
    }


ROW_BUILDERS: dict[str, Callable[[random.Random, DemoCase, dt.date], dict[str, object]]] = {
    "List 6": _list_6, "List 7": _list_7, "List 8": _list_8, "List 9": _list_9,
}


def write_workbook(council: DemoCouncil, path: Path) -> dict[str, int]:
    """Write every case of ``council`` to ``path``; return the data rows per sheet."""
    rng = random.Random(council.seed + 1)
    by_sheet: dict[str, list[DemoCase]] = {sheet: [] for sheet in HEADERS}
    for case in council.cases:
        by_sheet[SHEET_FOR_TYPE[case.record.case_type]].append(case)
    workbook = Workbook(write_only=True)
    for sheet, headers in HEADERS.items():
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(headers)
        build = ROW_BUILDERS[sheet]
        for case in by_sheet[sheet]:
            values = _common(rng, case, council.today) | build(rng, case, council.today)
            worksheet.append([values.get(h) for h in headers])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    workbook.save(partial)
    partial.replace(path)  # never leave a half-written workbook where a cache would find it
    return {sheet: len(cases) for sheet, cases in by_sheet.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the .xlsx file to write")
    parser.add_argument("--rows", type=int, default=20_000, help="data rows (default 20000)")
    parser.add_argument("--seed", type=int, default=2024, help="demo council seed (default 2024)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(),
                        help="the date the export is taken (default today)")
    args = parser.parse_args(argv)
    council = council_for_rows(args.rows, args.seed, args.as_of)
    counts = write_workbook(council, args.out)
    summary = ", ".join(f"{sheet}: {n}" for sheet, n in counts.items())
    print(f"wrote {sum(counts.values())} rows to {args.out} ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
