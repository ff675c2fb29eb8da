"""The exporter plugin interface and the table every exporter is given.

Exporters receive a plain ``Table`` (column ids, labels and rows of plain
values), never a query, so a third-party format needs to know nothing of the
schema. Column ids are the stable names documented in ``docs/summaries.md``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, ClassVar

Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    id: str
    label: str


@dataclass(frozen=True)
class Table:
    """One summary table: ``name`` becomes the file or sheet name."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __post_init__(self) -> None:
        width = len(self.columns)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(
                    f"table {self.name!r} row {number} has {len(row)} cells, "
                    f"but the table has {width} columns"
                )

    @property
    def column_ids(self) -> list[str]:
        return [c.id for c in self.columns]

    def as_dicts(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.column_ids, row, strict=True)) for row in self.rows]


def table(name: str, title: str, columns: Sequence[tuple[str, str]],
          rows: Sequence[Sequence[Cell]]) -> Table:
    return Table(name, title, tuple(Column(i, label) for i, label in columns),
                 tuple(tuple(r) for r in rows))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters a worksheet cannot hold (openpyxl refuses them, a 500 on export);
# shown as U+FFFD, before the formula check, so removing one never uncovers a formula.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value: Cell) -> Cell:
    """Text a spreadsheet would run as a formula is prefixed with a quote; numbers pass."""
    if isinstance(value, str):
        value = _CONTROL.sub("\ufffd", value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


class Exporter(ABC):
    """A file format. Plugins register subclasses through ``register_exporters``."""

    id: ClassVar[str]
    label: ClassVar[str]
    media_type: ClassVar[str]
    extension: ClassVar[str]

    @abstractmethod
    def write(self, table: Table, stream: BinaryIO) -> None:
        """Write ``table`` to the binary ``stream``: a header row of column ids, then rows."""
