"""Statutory return imports: rates against the parser's own read of the same file.

Usage: python -m benchmarks.returns_import [--quick]

A CIN census of 20,000 children (each with a referral, an assessment with factors, a section 47
enquiry and a child protection plan, plus the identifiers and characteristics the reader skips)
and an SSDA903 episodes table of 20,000 children (three episodes each) are generated, and a
database holding a case for every child. The references are the floors for any reader of the
files: ``defusedxml.ElementTree.iterparse`` over the census, and ``csv.reader`` over the table,
each with no work per record. The figures are a first import through ``import_file`` (the path
``audit-service import-cases`` takes), which fills every case, and a re-import that finds every
case unchanged, on SQLite and on a fresh PostgreSQL database. Target: at least half the
reference rate (issue 15).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
import tempfile
from pathlib import Path

from benchmarks.demo_databases import DEFAULT_POSTGRES, drop_database, fresh_database
from benchmarks.report import Row, best_time, module_main, timed

CHILDREN = 20_000
AS_OF = dt.date(2025, 3, 31)
PG_NAME = "audit_bench_returns"


def _child_id(i: int) -> str:
    return f"R{100000 + i}"


def census(children: int = CHILDREN, seed: int = 15) -> bytes:
    rnd = random.Random(seed)
    parts = ["<Message><Header><CollectionDetails><Collection>CIN</Collection>"
             "<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails></Header><Children>"]
    for i in range(children):
        month = rnd.randint(1, 9)
        parts.append(
            f"<Child><ChildIdentifiers><LAchildID>{_child_id(i)}</LAchildID>"
            f"<UPN>A{rnd.randint(10**11, 10**12)}</UPN>"
            f"<PersonBirthDate>201{rnd.randint(0, 9)}-0{month}-1{month}</PersonBirthDate>"
            f"<Sex>{rnd.randint(1, 2)}</Sex></ChildIdentifiers><ChildCharacteristics>"
            "<Ethnicity>WBRI</Ethnicity></ChildCharacteristics><CINdetails>"
            f"<CINreferralDate>2024-0{month}-02</CINreferralDate><ReferralSource>1A"
            "</ReferralSource><PrimaryNeedCode>N4</PrimaryNeedCode><Assessments>"
            f"<AssessmentActualStartDate>2024-0{month}-03</AssessmentActualStartDate>"
            f"<AssessmentAuthorisationDate>2024-{month + 1:02d}-20</AssessmentAuthorisationDate>"
            "<FactorsIdentifiedAtAssessment><AssessmentFactors>3B</AssessmentFactors>"
            "<AssessmentFactors>4A</AssessmentFactors></FactorsIdentifiedAtAssessment>"
            f"</Assessments><Section47><S47ActualStartDate>2024-0{month}-05"
            "</S47ActualStartDate></Section47><ChildProtectionPlans>"
            f"<CPPstartDate>2024-{month + 1:02d}-25</CPPstartDate>"
            "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
            "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
            f"<NumberOfPreviousCPP>{rnd.randint(0, 2)}</NumberOfPreviousCPP>"
            "</ChildProtectionPlans></CINdetails></Child>")
    parts.append("</Children></Message>")
    return "".join(parts).encode()


def episodes(children: int = CHILDREN, seed: int = 15) -> bytes:
    rnd = random.Random(seed)
    lines = ["CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
             "HOME_POST,PL_POST,URN"]
    for i in range(children):
        day = rnd.randint(10, 28)
        lines += [
            f"{_child_id(i)},{day}/01/2023,S,V2,N1,U1,PR1,{day}/06/2024,X1,,AB1 2CD,EF3 4GH,1",
            f"{_child_id(i)},{day}/06/2024,P,C2,N1,U3,PR1,{day}/01/2025,X1,CARPL,AB1 2CD,"
            "EF3 4GH,2",
            f"{_child_id(i)},{day}/01/2025,L,C2,N1,U3,PR1,,,,AB1 2CD,EF3 4GH,2",
        ]
    return ("\r\n".join(lines) + "\r\n").encode()




def census_parse_rate(data: bytes, repeats: int) -> float:
    from defusedxml import ElementTree

    def parse():
        for _event, element in ElementTree.iterparse(io.BytesIO(data)):
            if element.tag == "Child":
                element.clear()

    return CHILDREN / best_time(parse, repeats)


def csv_parse_rate(data: bytes, repeats: int) -> float:
    def parse():
        for _row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
            pass

    return CHILDREN / best_time(parse, repeats)


def import_rates(url: str, files: dict[str, bytes]) -> dict[str, tuple[float, float]]:
    """Per file: (first import, best re-import) in children a second, into a fresh database."""
    from audit_service.plugins.installed import build_registries
    from audit_service.services.imports.case_import import import_file
    from audit_service.storage.database import bind, database
    from audit_service.storage.migrations import migrate
    from audit_service.storage.models import Case, new_public_id

    importers = build_registries().importers
    db = bind(url)
    migrate(db)
    found: dict[str, tuple[float, float]] = {}
    with database.connection_context():
        rows = [{"child_id": _child_id(i), "public_id": new_public_id(),
                 "case_type": "looked_after", "facts_hash": "-"} for i in range(CHILDREN)]
        for start in range(0, CHILDREN, 500):
            Case.insert_many(rows[start:start + 500]).execute()
        for name, data in files.items():
            def run(expect: str, name=name, data=data):
                batch = import_file(io.BytesIO(data), name, importers=importers, as_of=AS_OF,
                                    closure_limit=None, actor_label="benchmark")
                if getattr(batch, f"{expect}_count") != CHILDREN:
                    raise SystemExit(f"{name}: expected {CHILDREN} {expect}, got "
                                     f"{batch.updated_count} updated, "
                                     f"{batch.unchanged_count} unchanged ({batch.error})")

            first = CHILDREN / timed(lambda run=run: run("updated"))
            again = CHILDREN / best_time(lambda run=run: run("unchanged"), 2)
            found[name] = (first, again)
    db.close()
    return found



def rows(dbs=None, quick: bool = False, admin_url: str = DEFAULT_POSTGRES) -> list[Row]:
    files = {"cin_census.xml": census(), "903_episodes.csv": episodes()}
    repeats = 2 if quick else 3
    references = {
        "cin_census.xml": (census_parse_rate(files["cin_census.xml"], repeats),
                           "defusedxml iterparse of the same file", "CIN census import"),
        "903_episodes.csv": (csv_parse_rate(files["903_episodes.csv"], repeats),
                             "csv.reader of the same file", "SSDA903 episodes import"),
    }
    out = []
    for backend in ("SQLite", "PostgreSQL"):
        with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
            rates = import_rates(fresh_database(backend, Path(tmp), admin_url, PG_NAME), files)
        if backend == "PostgreSQL":
            drop_database(admin_url, PG_NAME)
        for name, (first, again) in rates.items():
            reference, reference_label, area = references[name]
            for label, rate in (("first import", first), ("re-import, all unchanged", again)):
                out.append(Row(
                    area=f"{area}, {CHILDREN:,} children", measure=f"{label} rate",
                    database=backend, figure=rate, unit="children/s", reference=reference,
                    reference_label=reference_label, target=">= 0.5x reference",
                    met=rate >= 0.5 * reference))
    return out


def main(argv: list[str] | None = None) -> int:
    return module_main(rows, __doc__, argv, "fewer repeats of the parse")


if __name__ == "__main__":
    sys.exit(main())
