"""One row per measured figure, beside its same-run reference and target, and the table of them.

Every benchmark module returns ``Row`` objects so that ``make bench`` prints a single table
whatever was measured: a reviewer reads the figure, what it was compared with, the ratio and
whether the target holds, without knowing which script produced it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    area: str
    measure: str
    database: str
    figure: float
    unit: str
    reference: float | None
    reference_label: str
    target: str
    met: bool

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference == 0:
            return None
        return self.figure / self.reference


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the value a reader can find in the sorted samples."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def p50_p95(samples: Sequence[float]) -> tuple[float, float]:
    return statistics.median(samples), percentile(samples, 0.95)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("ms", "s", "x") or abs(value) < 100:
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,.0f}"


def render_table(rows: Iterable[Row]) -> str:
    rows = list(rows)
    header = ("area", "measure", "database", "figure", "reference", "ratio", "target", "met",
              "reference is")
    body = [
        (
            r.area,
            r.measure,
            r.database,
            f"{_number(r.figure, r.unit)} {r.unit}",
            "-" if r.reference is None else f"{_number(r.reference, r.unit)} {r.unit}",
            "-" if r.ratio is None else f"{r.ratio:.2f}",
            r.target,
            "yes" if r.met else "NO",
            r.reference_label or "-",
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    right = {3, 4, 5}

    def fmt(line: Sequence[str]) -> str:
        cells = [str(c).rjust(w) if i in right else str(c).ljust(w)
                 for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        return "  ".join(cells).rstrip()

    lines = [fmt(header), fmt(["-" * w for w in widths])]
    lines += [fmt(line) for line in body]
    missed = sum(1 for r in rows if not r.met)
    lines.append("")
    lines.append(f"{len(rows)} figures, {len(rows) - missed} targets met, {missed} missed")
    return "\n".join(lines)


def print_table(rows: Iterable[Row]) -> None:
    print(render_table(rows), flush=True)


def timed(run: Callable[[], object]) -> float:
    """Seconds ``run`` took, once."""
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def best_time(run: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs: the figure least disturbed by the machine."""
    return min(timed(run) for _ in range(repeats))


def module_main(rows: Callable[..., list[Row]], doc: str, argv: list[str] | None,
                quick_help: str = "fewer repeats") -> int:
    """``python -m benchmarks.<module> [--quick]``: its rows as a table; 1 when a target is
    missed."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    table = rows(quick=parser.parse_args(argv).quick)
    print_table(table)
    return 0 if all(r.met for r in table) else 1
