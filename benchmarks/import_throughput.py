"""Measure Annex A import throughput on SQLite and PostgreSQL against openpyxl's own parse.

Usage: python benchmarks/import_throughput.py [--rows 20000] [--seed 2024] [--repeat 1]
       [--postgres URL] [--skip-postgres]

Generates (or reuses, from benchmarks/.cache/) an Annex A workbook built from
the large demo council, then for each database: migrates a fresh database,
imports the workbook through ``case_import.import_file`` (the same path as
``audit-service import-cases``), and imports it again, which must find every
case unchanged. The reference is openpyxl's read-only parse of the same file
with no work per cell: the importer cannot beat it, so the ratio shows how
much our reading, checking and writing add. PostgreSQL gets a throw-away
database ``audit_bench`` created from the admin URL and dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))

from annex_a_workbook import HEADERS, council_for_rows, write_workbook

from audit_service.importers.registry import ImporterRegistry
from audit_service.plugins.manager import build_plugin_manager
from audit_service.services.case_import import import_file
from audit_service.storage.database import bind, database
from audit_service.storage.migrations import migrate

CACHE = Path(__file__).resolve().parent / ".cache"
BENCH_DB = "audit_bench"
# A fixed export date keeps the cached workbook and the age bands reproducible.
AS_OF = dt.date(2025, 1, 15)


@dataclass
class Timing:
    label: str
    rows: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def workbook_path(rows: int, seed: int) -> Path:
    """The cached workbook for these arguments, written first if it is missing."""
    path = CACHE / f"annex_a_{rows}_rows_seed{seed}_{AS_OF.isoformat()}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        write_workbook(council_for_rows(rows, seed, AS_OF), path)
        print(f"wrote {path.name} in {time.perf_counter() - started:.1f}s")
    else:
        print(f"reusing {path}")
    return path


def openpyxl_parse(path: Path) -> Timing:
    """Read every cell of Lists 6 to 9 with openpyxl alone: the floor for any xlsx importer."""
    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for sheet in HEADERS:
        for _row in workbook[sheet].iter_rows(min_row=2, values_only=True):
            rows += 1
    workbook.close()
    return Timing("openpyxl read-only parse", rows, time.perf_counter() - started)


def import_twice(url: str, backend: str, path: Path, registry: ImporterRegistry) -> list[Timing]:
    db = bind(url)
    migrate(db)
    timings = []
    with database.connection_context():
        for run in ("first import", "re-import"):
            started = time.perf_counter()
            with path.open("rb") as stream:
                batch = import_file(stream, path.name, registry=registry, as_of=AS_OF,
                                    actor_label="benchmark")
            seconds = time.perf_counter() - started
            note = (f"status {batch.status}: created {batch.created_count}, "
                    f"updated {batch.updated_count}, unchanged {batch.unchanged_count}, "
                    f"closed {batch.closed_count}, rejected {batch.rejected_count}")
            timings.append(Timing(f"{backend} {run}", batch.rows_read, seconds, note))
    db.close()
    return timings


def _admin(url: str):
    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def postgres_timings(admin_url: str, path: Path, registry: ImporterRegistry) -> list[Timing]:
    admin = _admin(admin_url)
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{BENCH_DB}"')
    try:
        base, _, _ = admin_url.rpartition("/")
        return import_twice(f"{base}/{BENCH_DB}", "PostgreSQL", path, registry)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        admin.close()


def print_table(timings: list[Timing], reference: Timing) -> None:
    print()
    print(f"{'run':<26} {'rows':>7} {'seconds':>8} {'rows/s':>8} {'x parse':>8}  result")
    for t in [reference, *timings]:
        ratio = t.seconds / reference.seconds if reference.seconds else float("nan")
        print(f"{t.label:<26} {t.rows:>7} {t.seconds:>8.2f} {t.rate:>8.0f} {ratio:>8.2f}  {t.note}")


def fastest(runs: list[list[Timing]]) -> list[Timing]:
    """Per measurement, the fastest of the repeats: the least disturbed by other load."""
    return [min(group, key=lambda t: t.seconds) for group in zip(*runs, strict=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run everything this many times (fresh databases) and keep the "
                             "fastest of each measurement")
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test",
                        help="admin URL used to create and drop the audit_bench database")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)

    path = workbook_path(args.rows, args.seed)
    registry = ImporterRegistry.from_plugins(build_plugin_manager())
    runs: list[list[Timing]] = []
    for _ in range(max(args.repeat, 1)):
        run = [openpyxl_parse(path)]
        with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
            run += import_twice(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", path, registry)
        if not args.skip_postgres:
            run += postgres_timings(args.postgres, path, registry)
        runs.append(run)
    reference, *timings = fastest(runs)
    print_table(timings, reference)
    return 0


if __name__ == "__main__":
    sys.exit(main())
