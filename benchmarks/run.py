"""``make bench``: every issue-9 target measured in one run, printed as one table.

Usage: python -m benchmarks.run [--quick] [--only summaries,web_load,...]

The large demo council is built once on SQLite and PostgreSQL (``demo_databases``) and reused;
each module then measures its figures beside a reference taken in the same run. The exit code
is 1 when any target is missed, so a regression shows in a script as well as in the table.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from benchmarks.demo_databases import CACHE, DemoDatabases
from benchmarks.report import Row, render_table

# In the order the table reads: what users feel first, the batch jobs after.
MODULES = ("web_load", "summaries", "open_rounds", "import_throughput", "workforce_import",
           "returns_import")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and the large scale only (minutes, not tens of them)")
    parser.add_argument("--only", default=",".join(MODULES),
                        help=f"comma-separated modules to run (default: {','.join(MODULES)})")
    args = parser.parse_args(argv)
    wanted = [m for m in args.only.split(",") if m]
    unknown = sorted(set(wanted) - set(MODULES))
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)}; choose from {', '.join(MODULES)}")

    dbs = DemoDatabases.ensure()
    table: list[Row] = []
    for name in wanted:
        started = time.perf_counter()
        print(f"running {name}...", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        table += module.rows(dbs, quick=args.quick)
        print(f"  {name} took {time.perf_counter() - started:.0f} s", flush=True)
    rendered = render_table(table)
    print()
    print(rendered)
    (CACHE / "last-table.txt").write_text(rendered + "\n")
    return 0 if all(row.met for row in table) else 1


if __name__ == "__main__":
    sys.exit(main())
