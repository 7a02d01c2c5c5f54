"""Pydantic glue: strict models and validation errors in the user's language.

Each pydantic error becomes a `Problem` at the YAML line of its field, with the dotted
field path (`people.2.training.0.completed`) and a sentence a non-programmer can act on.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from manualgen.errors import InputError, Problem
from manualgen.io import YamlDoc, dotted

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base of every input model: unknown keys are errors, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _to_text(value: Any) -> Any:
    # YAML turns 1234567 into a number and 1.10 into 1.1; ids and account numbers are text.
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_to_text)]


def _to_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not a date") from None
    return value


Date = Annotated[dt.date, BeforeValidator(_to_date)]


def _explain(err: dict) -> tuple[str, str | None]:
    kind = err["type"]
    given = err.get("input")
    if kind == "missing":
        return "this field is required", "add it"
    if kind == "extra_forbidden":
        return "unknown field", "check the spelling, or remove it"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "value_error") and \
            "date" in err.get("msg", ""):
        return f"{given!r} is not a date", "write dates as YYYY-MM-DD, for example 2026-03-14"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{given!r} is not a whole number", "write a number such as 7"
    if kind in ("bool_type", "bool_parsing"):
        return f"{given!r} is not yes or no", "write true or false"
    if kind in ("string_type",):
        return f"{given!r} is not text", "write text, in quotes if it looks like a number or date"
    if kind == "literal_error":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"{given!r} is not allowed", f"use one of {allowed}"
    if kind == "enum":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"{given!r} is not allowed", f"use one of {allowed}"
    if kind in ("list_type",):
        return "a list is expected here", "write the items as '- item' lines or [a, b]"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "a group of fields is expected here", "indent the fields under this key"
    if kind == "string_too_short":
        return "must not be empty", "fill it in"
    if kind in ("greater_than_equal", "greater_than", "less_than", "less_than_equal"):
        return err["msg"].lower(), None
    msg = err.get("msg", "invalid value")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    fix = None
    if " - " in msg:
        msg, fix = msg.split(" - ", 1)
    return msg, fix


def problems_from(exc: ValidationError, doc: YamlDoc, prefix: tuple = ()) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(p for p in err["loc"] if not (isinstance(p, str) and
                                                         p.startswith(("function-", "lax-"))))
        message, fix = _explain(err)
        out.append(Problem(doc.path, doc.line(loc), dotted(loc) or None, message, fix))
    return out


def validate(model: type[M], doc: YamlDoc, data: Any = None, prefix: tuple = ()) -> M:
    """Validate YAML data into `model`, or raise every problem at once, with lines."""
    try:
        return model.model_validate(doc.data if data is None else data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, doc, prefix)) from None
