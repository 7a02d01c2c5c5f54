"""Click parameter types shared by the commands and the `init` interview."""

from __future__ import annotations

import datetime as dt

import click


class DateParam(click.ParamType):
    """A YYYY-MM-DD date; with `optional`, an empty answer is None."""

    name = "date"

    def __init__(self, optional: bool = False, not_before: dt.date | None = None):
        self.optional = optional
        self.not_before = not_before

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if not text and self.optional:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date: write it as YYYY-MM-DD, for example 2026-03-14",
                      param, ctx)
        if self.not_before and day < self.not_before:
            self.fail(f"{day} is before {self.not_before}", param, ctx)
        return day
