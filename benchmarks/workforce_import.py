"""Workforce census import: rate against defusedxml's own parse of the same file.

Usage: python -m benchmarks.workforce_import [--quick]

A census of 20,000 workers (ten times the largest council's) is generated, and a database of
20,000 staff records holding their Social Work England numbers. The reference is
``defusedxml.ElementTree.iterparse`` over the file with no work per worker (the floor for any
reader of it); the figures are a first import through ``workforce_import.import_workforce``
(the path ``audit-service import-workforce`` takes), which changes every record, and a
re-import that finds every record unchanged, on SQLite and on a fresh PostgreSQL database.
Target: the import rate is at least half the parse rate (issue 15).
"""

from __future__ import annotations

import io
import random
import sys
import tempfile
from pathlib import Path

from benchmarks.demo_databases import DEFAULT_POSTGRES, drop_database, fresh_database
from benchmarks.report import Row, best_time, module_main, timed

WORKERS = 20_000
PG_NAME = "audit_bench_workforce"


def census(workers: int = WORKERS, seed: int = 15) -> bytes:
    """A census shaped like the DfE's: personal fields included, so the reader skips them."""
    rnd = random.Random(seed)
    parts = ["<Message><Header><CollectionDetails><Collection>CSWW</Collection>"
             "</CollectionDetails></Header>"]
    for i in range(workers):
        parts.append(
            f"<CSWWWorker><AgencyWorker>{rnd.randint(0, 1)}</AgencyWorker>"
            f"<SWENo>SW{100000 + i}</SWENo><FTE>0.{rnd.randint(1, 9)}</FTE>"
            f"<PersonBirthDate>19{rnd.randint(60, 99)}-01-01</PersonBirthDate>"
            f"<GenderCurrent>{rnd.randint(1, 2)}</GenderCurrent><Ethnicity>WBRI</Ethnicity>"
            f"<RoleStartDate>20{rnd.randint(10, 23)}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}"
            f"</RoleStartDate><Cases30>{rnd.randint(5, 30)}</Cases30></CSWWWorker>")
    parts.append("</Message>")
    return "".join(parts).encode()


def _best_rate(run, repeats: int) -> float:
    return WORKERS / best_time(run, repeats)



def parse_rate(data: bytes, repeats: int) -> float:
    from defusedxml import ElementTree

    def parse():
        for _event, element in ElementTree.iterparse(io.BytesIO(data)):
            if element.tag == "CSWWWorker":
                element.clear()

    return _best_rate(parse, repeats)


def import_rates(url: str, data: bytes) -> tuple[float, float]:
    """(first import, best re-import) in workers a second, into a fresh database at ``url``."""
    from audit_service.services.imports.workforce_import import import_workforce
    from audit_service.storage.database import bind, database
    from audit_service.storage.migrations import migrate
    from audit_service.storage.models import Staff

    db = bind(url)
    migrate(db)
    with database.connection_context():
        Staff.insert_many([{"name": f"Worker {i}", "name_key": f"worker {i}",
                            "swe_number": f"SW{100000 + i}"} for i in range(WORKERS)]).execute()

        def run(expect: str):
            report = import_workforce(io.BytesIO(data), "census.xml", actor_label="benchmark")
            if getattr(report, expect) != WORKERS:
                raise SystemExit(f"expected {WORKERS} {expect}, got {report}")

        first = WORKERS / timed(lambda: run("updated"))
        again = _best_rate(lambda: run("unchanged"), 2)
    db.close()
    return first, again



def rows(dbs=None, quick: bool = False, admin_url: str = DEFAULT_POSTGRES) -> list[Row]:
    data = census()
    reference = parse_rate(data, 2 if quick else 3)
    out = []
    for backend in ("SQLite", "PostgreSQL"):
        with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
            url = fresh_database(backend, Path(tmp), admin_url, PG_NAME)
            first, again = import_rates(url, data)
        if backend == "PostgreSQL":
            drop_database(admin_url, PG_NAME)
        for label, rate in (("first import", first), ("re-import, all unchanged", again)):
            out.append(Row(
                area=f"Workforce census import, {WORKERS:,} workers", measure=f"{label} rate",
                database=backend, figure=rate, unit="workers/s", reference=reference,
                reference_label="defusedxml iterparse of the same file",
                target=">= 0.5x reference", met=rate >= 0.5 * reference))
    return out


def main(argv: list[str] | None = None) -> int:
    return module_main(rows, __doc__, argv, "fewer repeats of the parse")


if __name__ == "__main__":
    sys.exit(main())
