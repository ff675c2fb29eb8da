"""Annex A import: rate against openpyxl's own parse of the same file, and memory as files grow.

Usage: python -m benchmarks.import_throughput [--quick]

Workbooks are generated from the large demo council (20,000 rows, and 200,000 for the memory
check) and cached in ``benchmarks/.cache``. Every measurement runs in a fresh process, so its
peak RSS is its own: openpyxl's read-only parse of Lists 6 to 9 with no work per cell (the floor
for any xlsx importer), then on each database a first import into an empty, migrated database
through ``case_import.import_file`` (the path ``audit-service import-cases`` takes) and a
re-import that must find every case unchanged.
Targets: the import rate is at least half the parse rate; the 200,000-row import's peak RSS is no
more than 1.5 times the 20,000-row import's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.annex_a_workbook import HEADERS, council_for_rows, write_workbook
from benchmarks.demo_databases import CACHE, DEFAULT_POSTGRES, DemoDatabases, admin_sql, server_url
from benchmarks.report import Row, print_table

PG_NAME = "audit_bench_import"
# A fixed export date keeps the cached workbook and the age bands reproducible.
AS_OF = dt.date(2025, 1, 15)
SEED = 2024


@dataclass(frozen=True)
class Run:
    rows: int
    seconds: float
    peak_mb: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def workbook_path(rows: int, seed: int = SEED, log=print) -> Path:
    """The cached workbook for these arguments, written first if it is missing."""
    path = CACHE / f"annex_a_{rows}_rows_seed{seed}_{AS_OF.isoformat()}.xlsx"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        partial = path.with_suffix(".partial.xlsx")
        write_workbook(council_for_rows(rows, seed, AS_OF), partial)
        partial.rename(path)
        log(f"wrote {path.name} in {time.perf_counter() - started:.1f} s")
    return path


# ---- what each child process does -------------------------------------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_parse(path: Path) -> dict:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for sheet in HEADERS:
        for _row in workbook[sheet].iter_rows(min_row=2, values_only=True):
            rows += 1
    workbook.close()
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def child_import(url: str, path: Path) -> dict:
    from audit_service.plugins.installed import build_registries
    from audit_service.services.imports.case_import import import_file
    from audit_service.storage.database import bind, database
    from audit_service.storage.migrations import migrate

    db = bind(url)
    migrate(db)
    registry = build_registries().importers
    with database.connection_context():
        started = time.perf_counter()
        with path.open("rb") as stream:
            batch = import_file(stream, path.name, importers=registry, as_of=AS_OF,
                                actor_label="benchmark", closure_limit=None)
        seconds = time.perf_counter() - started
    db.close()
    note = (f"created {batch.created_count}, updated {batch.updated_count}, "
            f"unchanged {batch.unchanged_count}, rejected {batch.rejected_count}")
    return {"rows": batch.rows_read, "seconds": seconds, "peak_mb": _peak_mb(), "note": note}


def _child(*args: str) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_throughput", "--child", *args],
        capture_output=True, text=True, check=False, cwd=CACHE.parent.parent,
    )
    if done.returncode != 0:
        raise SystemExit(f"import child {args} failed:\n{done.stdout}{done.stderr}")
    return Run(**json.loads(done.stdout.strip().splitlines()[-1]))


# ---- the parent ----------------------------------------------------------------------------------

def _fresh_database(backend: str, tmp: Path, admin_url: str) -> str:
    if backend == "SQLite":
        path = tmp / "import.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    admin_sql(admin_url, f'CREATE DATABASE "{PG_NAME}"')
    return server_url(admin_url, PG_NAME)


def imports(backend: str, path: Path, admin_url: str, *, twice: bool) -> list[Run]:
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
        url = _fresh_database(backend, Path(tmp), admin_url)
        runs = [_child("import", url, str(path))]
        if twice:
            runs.append(_child("import", url, str(path)))
    if backend == "PostgreSQL":
        admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    return runs


def rows(dbs: DemoDatabases | None = None, quick: bool = False,
         admin_url: str = DEFAULT_POSTGRES) -> list[Row]:
    small = workbook_path(20_000)
    parse = min((_child("parse", str(small)) for _ in range(1 if quick else 2)),
                key=lambda r: r.seconds)
    out = []
    small_runs = {}
    for backend in ("SQLite", "PostgreSQL"):
        first, again = imports(backend, small, admin_url, twice=True)
        small_runs[backend] = first
        for label, run in (("first import", first), ("re-import, all unchanged", again)):
            out.append(Row(
                area="Annex A import, 20,000 rows", measure=f"{label} rate", database=backend,
                figure=run.rate, unit="rows/s", reference=parse.rate,
                reference_label="openpyxl read-only parse of the same file",
                target=">= 0.5x reference", met=run.rate >= 0.5 * parse.rate,
            ))
    if quick:
        return out
    large = workbook_path(200_000)
    for backend in ("SQLite", "PostgreSQL"):
        [big] = imports(backend, large, admin_url, twice=False)
        reference = small_runs[backend].peak_mb
        out.append(Row(
            area="Annex A import memory", measure="peak RSS, 200,000 rows", database=backend,
            figure=big.peak_mb, unit="MB", reference=reference,
            reference_label="peak RSS, 20,000 rows", target="<= 1.5x reference",
            met=big.peak_mb <= 1.5 * reference,
        ))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows only, no memory check")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        result = child_parse(Path(rest[0])) if kind == "parse" else child_import(
            rest[0], Path(rest[1]))
        print(json.dumps(result))
        return 0
    table = rows(quick=args.quick)
    print_table(table)
    return 0 if all(r.met for r in table) else 1


if __name__ == "__main__":
    sys.exit(main())
