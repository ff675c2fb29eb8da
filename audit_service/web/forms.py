"""WTForms pieces shared by the service's forms."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from wtforms import Field
from wtforms.utils import unset_value


class DateInputField(Field):
    """A GOV.UK date input: three boxes named ``<name>-day``, ``-month`` and ``-year``.

    Empty boxes give ``None`` (the field is optional unless a validator says
    otherwise); partly filled or impossible dates are errors that say which.
    """

    PARTS = ("day", "month", "year")

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parts = SimpleNamespace(day="", month="", year="")

    @property
    def first_input_id(self) -> str:
        return f"{self.id}-day"

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors = []
        self.data = None if data is unset_value else data
        if isinstance(self.data, dt.date):
            self.parts = SimpleNamespace(
                day=str(self.data.day), month=str(self.data.month), year=str(self.data.year)
            )
        if formdata is None:
            return
        values = {p: (formdata.get(f"{self.name}-{p}") or "").strip() for p in self.PARTS}
        self.parts = SimpleNamespace(**values)
        self.raw_data = [values[p] for p in self.PARTS]
        self.data = None
        if not any(values.values()):
            return
        missing = [p for p in self.PARTS if not values[p]]
        if missing:
            self.process_errors.append(
                f"{self.label.text} must include a {' and a '.join(missing)}"
            )
            return
        try:
            day, month, year = (int(values[p]) for p in self.PARTS)
            if year < 1900:
                raise ValueError
            self.data = dt.date(year, month, day)
        except (ValueError, OverflowError):  # a year past 2**31 overflows, not ValueError
            self.process_errors.append(f"{self.label.text} must be a real date")
