"""Portable field types: the same column on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from peewee import TextField


class JSONTextField(TextField):
    """JSON stored as text, so both databases hold it identically and diffs are exact."""

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, sort_keys=True, default=str)

    def python_value(self, value: str | None) -> Any:
        if value is None:
            return None
        return json.loads(value)
