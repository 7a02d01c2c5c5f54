"""Pydantic glue: strict models and validation errors in the user's language.

Each pydantic error becomes a `Problem` at the YAML line of its field, with the field
named in the user's words (a document may pass its own `words` function; the default is
the dotted path) and a sentence a non-programmer can act on. The machine path stays on
the problem as `key`, so a web form can put the message beside its field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

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


# Characters Word's XML cannot hold (and that no one types on purpose): C0 controls other
# than tab and line breaks, surrogates, and U+FFFE/U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        bad = _UNPRINTABLE.search(value)
        if bad:
            raise ValueError(f"contains an invisible control character (U+{ord(bad.group()):04X}) "
                             "- retype the text, or paste it as plain text")
    return value


Text = Annotated[str, BeforeValidator(_to_text), AfterValidator(_printable)]

# Text by length, for every model whose values reach a Word file or a PDF's properties
# (Word's document properties hold at most 255 characters; a title adds words to a name).
Name = Annotated[Text, Field(min_length=1, max_length=120)]
Line = Annotated[Text, Field(min_length=1, max_length=200)]
Paragraph = Annotated[Text, Field(min_length=1, max_length=2000)]


def parse_date(value: Any) -> dt.date | None:
    """A date from YAML (a date, or text written YYYY-MM-DD), or None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _to_date(value: Any) -> Any:
    if isinstance(value, str | dt.date):
        day = parse_date(value)
        if day is None:
            raise ValueError("not a date")
        return day
    return value


Date = Annotated[dt.date, BeforeValidator(_to_date)]


class Shown:
    """A value as a message quotes it: its repr, cut short (a pasted page of text or a
    5,000-digit number would otherwise become the message)."""

    LIMIT = 60

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        text = repr(self.value)
        if len(text) <= self.LIMIT:
            return text
        return text[: self.LIMIT - 12] + f"... ({len(str(self.value)):,} characters)"


def _explain(err: dict) -> tuple[str, str | None]:
    kind = err["type"]
    given = Shown(err.get("input"))
    if kind == "missing":
        return "this field is required", "add it"
    if kind == "extra_forbidden":
        return "unknown field", "check the spelling, or remove it"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing") or (
            kind == "value_error" and err.get("msg", "").endswith("not a date")):
        return f"{given!r} is not a date", "write dates as YYYY-MM-DD, for example 2026-03-14"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{given!r} is not a whole number", "write a number such as 7"
    if kind == "int_parsing_size":
        return f"{given!r} is far too large a number", "write a number such as 7"
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
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return f"is longer than {limit} characters", "shorten it"
    if kind == "too_short":                 # a length checked after a text validator
        limit = err.get("ctx", {}).get("min_length")
        if isinstance(given.value, str):
            return ("must not be empty", "fill it in") if limit == 1 else \
                (f"is shorter than {limit} characters", "write more")
        return f"has fewer than {limit} entries", "add more"
    if kind == "too_long":
        limit = err.get("ctx", {}).get("max_length")
        if isinstance(given.value, str):    # a length checked after a text validator
            return f"is longer than {limit} characters", "shorten it"
        return f"has more than {limit} entries", "list fewer"
    msg = err.get("msg", "invalid value")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    fix = None
    if " - " in msg:
        msg, fix = msg.rsplit(" - ", 1)
    return msg, fix


Words = Callable[[tuple, Any], str]


def _clean_loc(loc: tuple) -> tuple:
    # pydantic adds the names of validator wrappers to the path; the user never wrote them.
    return tuple(p for p in loc if not (isinstance(p, str) and
                                        p.startswith(("function-", "lax-"))))


def problems_from(exc: ValidationError, doc: YamlDoc, prefix: tuple = (), *,
                  words: Words | None = None) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = prefix + _clean_loc(tuple(err["loc"]))
        message, fix = _explain(err)
        label = (words(loc, doc.data) if words else dotted(loc)) or None
        out.append(Problem(doc.path, doc.line(loc), label, message, fix, key=loc))
    return out


def validate(model: type[M], doc: YamlDoc, data: Any = None, prefix: tuple = ()) -> M:
    """Validate YAML data into `model`, or raise every problem at once, with lines."""
    try:
        return model.model_validate(doc.data if data is None else data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, doc, prefix)) from None
