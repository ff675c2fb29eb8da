"""Writing thousands of rows at once, for imports.

peewee builds a query tree per value, which costs seconds for 20,000 cases; these write the
same SQL with the same driver values (``db_value``) directly, in chunks a statement can hold.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from peewee import Model

from audit_service.storage.database import database, is_sqlite

#: Rows per statement: well under SQLite's limit of bound values for the widest table.
CHUNK = 400


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _quoted(name: str) -> str:
    quote = database.obj.quote[0]
    return f"{quote}{name}{quote}"


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[tuple]) -> None:
    fields = [model._meta.fields[name] for name in names]
    columns = ", ".join(_quoted(f.column_name) for f in fields)
    one = "(" + ", ".join([database.obj.param] * len(fields)) + ")"
    table = _quoted(model._meta.table_name)
    for chunk in chunks(rows):
        sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(chunk))  # noqa: S608 - names come from the model, values are bound  # nosec B608
        params = [f.db_value(value) for row in chunk for f, value in zip(fields, row, strict=True)]
        database.execute_sql(sql, params)


def update_by_id(model: type[Model], names: Sequence[str], rows: Sequence[tuple]) -> None:
    """``rows`` hold the values of ``names`` followed by the row's id.

    SQLite runs one prepared UPDATE per row (cheap in-process). PostgreSQL updates a chunk of
    rows in one statement joined to a ``VALUES`` list, each value cast to its column's type:
    one round trip per chunk instead of one per row.
    """
    if not rows:
        return
    fields = [model._meta.fields[name] for name in names]
    table = _quoted(model._meta.table_name)
    params = [
        [*(f.db_value(v) for f, v in zip(fields, row[:-1], strict=True)), row[-1]] for row in rows
    ]
    param = database.obj.param
    if is_sqlite():
        assignments = ", ".join(f"{_quoted(f.column_name)} = {param}" for f in fields)
        sql = f"UPDATE {table} SET {assignments} WHERE {_quoted('id')} = {param}"  # noqa: S608 - names come from the model, values are bound  # nosec B608
        database.cursor().executemany(sql, params)
        return
    types = database.obj._field_types
    assignments = ", ".join(
        f"{_quoted(f.column_name)} = v.c{i}::{types.get(f.field_type, f.field_type)}"
        for i, f in enumerate(fields))
    width = len(fields) + 1
    aliases = ", ".join(f"c{i}" for i in range(width))
    one = "(" + ", ".join([param] * width) + ")"
    for chunk in chunks(params):
        sql = (f"UPDATE {table} AS t SET {assignments} "  # noqa: S608 - names come from the model, values are bound  # nosec B608
               f"FROM (VALUES {', '.join([one] * len(chunk))}) AS v({aliases}) "
               f"WHERE t.{_quoted('id')} = v.c{width - 1}::INTEGER")
        database.execute_sql(sql, [value for row in chunk for value in row])
