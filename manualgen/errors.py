"""The one family of user-facing errors.

Every problem a user can fix is a `Problem` (file, line, field, what, how to fix). A stage
collects all of a file's problems and raises them together as one `InputError`, so the
user fixes everything in one round instead of one error per run. The CLI catches
`ManualgenError` once and exits with its code; anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from enum import IntEnum, StrEnum
from pathlib import Path


class ExitCode(IntEnum):
    """How a command ended: what a script reads (the README lists them)."""

    OK = 0
    FINDINGS = 1          # done, with findings to read (a package check found gaps)
    BAD_INPUT = 2         # the user's files or options: the message says what to fix
    BUG = 3               # an internal error: a bug in manualgen, never a finding
    TOOL = 4              # a program manualgen drives (LibreOffice, qpdf) missing or failing


class Severity(StrEnum):
    """How bad a problem is: an error stops the job; a warning is said and the job goes
    on. Equal to its value ("error", "warning"), as JSON and the templates read it."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class RecordCell:
    """Where in a submission's records a problem is: the table (its file's stem, like
    activity-log) and the column, or None for the table as a whole; the row is the
    problem's line."""

    table: str
    column: str | None = None


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one place, said so that the user knows what to do."""

    path: str
    line: int | None = None
    field: str | None = None
    message: str = ""
    fix: str | None = None
    severity: Severity = Severity.ERROR      # "error" or "warning" given: made a Severity
    # The machine path of the field (("people", 0, "name")), for a form to place the message.
    key: tuple | None = _field(default=None, compare=False)
    # In a records table: which one, and which column (the web app's grid places it).
    cell: RecordCell | None = _field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))

    @property
    def is_error(self) -> bool:
        """An error, not a warning (for templates, which cannot name the enum)."""
        return self.severity is Severity.ERROR

    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        return where

    def __str__(self) -> str:
        text = self.location() + ": "
        if self.field:
            text += f"{self.field}: "
        if self.severity is Severity.WARNING:
            text += "warning: "
        text += self.message
        if self.fix:
            text += f" - {self.fix}"
        return text

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
        }


class ManualgenError(Exception):
    """Base of every error the CLI turns into a message and an exit code."""

    exit_code = ExitCode.BAD_INPUT


class InputError(ManualgenError):
    """One or more problems in the user's (or NSNY's) input files."""

    def __init__(self, problems: list[Problem] | Problem, *, title: str | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        self.title = title
        super().__init__(self.render())

    def render(self) -> str:
        lines = [self.title] if self.title else []
        lines += [str(p) for p in self.problems]
        return "\n".join(lines)


class ToolError(ManualgenError):
    """An outside program (LibreOffice) failed or is missing: not the user's input."""

    exit_code = ExitCode.TOOL

    def __init__(self, message: str, *, fix: str | None = None):
        self.fix = fix
        super().__init__(message + (f" - {fix}" if fix else ""))


class UsageError(ManualgenError):
    """Options that do not go together, or a request the tool cannot meet as asked."""

    def __init__(self, message: str, *, fix: str | None = None):
        self.fix = fix
        super().__init__(message + (f" - {fix}" if fix else ""))


def nearest(word: str, choices, *, cutoff: float = 0.5) -> list[str]:
    """The choices a mistyped word was probably meant to be, best first ("did you mean")."""
    import difflib

    return difflib.get_close_matches(word, list(choices), n=3, cutoff=cutoff)


def fail(path: str | Path, message: str, *, line: int | None = None, field: str | None = None,
         fix: str | None = None) -> InputError:
    """Build the error for a single problem (callers `raise fail(...)`)."""
    return InputError(Problem(str(path), line, field, message, fix))


class Collector:
    """Gathers problems across a stage and raises them all at the end."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str | Path, message: str, *, line: int | None = None,
            field: str | None = None, fix: str | None = None, severity: str = "error") -> None:
        self.problems.append(Problem(str(path), line, field, message, fix, severity))

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def raise_if_errors(self, title: str | None = None) -> None:
        if self.errors:
            raise InputError(self.errors, title=title)
