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


class SizeParam(click.ParamType):
    """A file size: 20MB, 1.5GB, 500kB, 20MiB or plain bytes (MB = 1,000,000 bytes)."""

    name = "size"
    UNITS = {"": 1, "b": 1, "kb": 10**3, "k": 10**3, "mb": 10**6, "m": 10**6, "gb": 10**9,
             "g": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().replace(" ", "")
        number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = text[len(number):]
        try:
            size = float(number) * self.UNITS[unit]
        except (ValueError, KeyError):
            self.fail(f"{value!r} is not a size: write it like 20MB or 1.5GB", param, ctx)
        if size < 100_000:
            self.fail(f"{value!r} is too small for a submission PDF", param, ctx)
        return int(size)
