"""The Jinja environments, made in one place.

Policies render in a sandbox with undefined names as errors: company text is data, and a
misspelt variable must stop the build rather than leave a hole in a manual. Word forms get
their own autoescaping environment (docxtpl changes the environment it is handed, and an
`&` or `<` in company text would otherwise break the XML).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from manualgen.errors import Problem


def long_date(value: Any) -> str:
    """March 31, 2025: the style Yukon government documents use."""
    if isinstance(value, dt.date):
        return f"{value:%B} {value.day}, {value.year}"
    return str(value)


def join_names(items: Any, attribute: str = "name") -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [i[attribute] if isinstance(i, dict) else str(i) for i in items]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def tidy_periods(text: str, names: list[str]) -> str:
    """'Solo Snow Ltd..' -> 'Solo Snow Ltd.': a name ending in a period ends the sentence."""
    for name in {n for n in names if n and n.endswith(".")}:
        text = text.replace(name + ".", name)
    return text


FILTERS = {"long_date": long_date, "join_names": join_names}


def policy_environment(compiled: Path | None = None) -> SandboxedEnvironment:
    """`compiled`: a folder to keep compiled templates in between processes (Jinja's own
    bytecode cache: a cold command then skips compiling the library's policies)."""
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    if compiled is not None:
        env.bytecode_cache = CompiledTemplates(compiled)
    return env


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's bytecode cache in a folder made on first use; one that cannot be read or
    written is no cache, never an error."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged entry: compile afresh
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            super().dump_bytecode(bucket)


def _from_string(env: jinja2.Environment, source: str) -> jinja2.Template:
    """`env.from_string`, through the environment's bytecode cache when it has one (as a
    loader's templates are): the key covers the source and how the environment parses."""
    cache = env.bytecode_cache
    if cache is None:
        return env.from_string(source)
    how = repr((type(env).__name__, jinja2.__version__, env.trim_blocks, env.lstrip_blocks,
                env.keep_trailing_newline, env.autoescape, env.newline_sequence))
    key = hashlib.sha256((how + "\0" + source).encode()).hexdigest()
    bucket = cache.get_bucket(env, key, None, source)
    if bucket.code is None:
        bucket.code = env.compile(source)
        cache.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None), None)


def form_environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters.update(FILTERS)
    return env


def template_error(exc: Exception, path: Path | str, line_offset: int = 0) -> Problem:
    """A Jinja error as a Problem at the template's file line."""
    path = str(path)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        line = (exc.lineno or 1) + line_offset
        return Problem(path, line, None, f"template syntax error: {exc.message}",
                       "check the {{ }} and {% %} tags on this line")
    if isinstance(exc, jinja2.UndefinedError):
        line = _traceback_line(exc)
        return Problem(path, (line + line_offset) if line else None, None,
                       f"unknown variable: {exc.message}",
                       "use a variable the company profile provides "
                       "(see policy_library/README.md)")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return Problem(path, _traceback_line(exc), None, f"not allowed in a template: {exc}",
                       "templates may only read the company's values")
    return Problem(path, _traceback_line(exc), None, f"template error: {exc}")


def _traceback_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_text(env: jinja2.Environment, source: str, context: dict[str, Any], path: Path | str,
                line_offset: int = 0,
                compiled: dict[str, jinja2.Template] | None = None) -> str:
    """Render one template string, raising an InputError that points at the file line.
    `compiled`: templates already compiled in `env`, by source (filled as they are)."""
    from manualgen.errors import InputError

    try:
        template = compiled.get(source) if compiled is not None else None
        if template is None:
            template = _from_string(env, source)
            if compiled is not None:
                compiled[source] = template
        return template.render(context)
    except jinja2.TemplateError as exc:
        raise InputError(template_error(exc, path, line_offset)) from None
