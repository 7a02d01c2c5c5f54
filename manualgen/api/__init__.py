"""manualgen's Python API: the one layer every front end (the CLI, the web app, the portal,
the benchmarks) calls, a module per job.

Inputs are paths or data; results are bytes and typed reports; nothing here prints,
exits, reads the environment or the current folder, or writes a user's file. Writing is
the caller's last step, atomic, through `save` and `save_tree`.

    from manualgen import api

    library = api.load_library()                        # the bundled library, or a folder
    profile = api.load_profile("company.yaml", library) # or a dict from a web form
    manual = api.manual.build(profile, library, api.manual.ManualOptions(pdf=True))
    api.save("manual.docx", manual.docx)
    status = api.status.report(profile, library, on=datetime.date.today())
    print(status.as_text())
    sub = api.submission.load("2026-submission", library)
    print(api.submission.check(sub).as_text())
    api.save("submission.pdf", api.submission.build(sub).pdf_bytes())

The jobs, each a module imported when first used (a command pays only for its own job):

- `api.manual`: the company's manual: build, redline, absorb an edited copy, its own
  policies, what a library version changes in it, many companies at once;
- `api.forms`: personalised blank forms; completed forms from a phone or on paper;
- `api.status`: where a company stands in its SECOR year; its calendar;
- `api.submission`: the Annual Documentation Review Submission: folder, records, check, PDF;
- `api.summary`: the Year End Safety Activity Summary Report;
- `api.library`: NSNY's library: check, list, coverage, book, diff, import, edit, publish;
- `api.workspace`: a company folder as the front ends edit it: questions, profile, logo;
- `api.uploads`: a sample file sent from a browser: its kind, date, name, rotation;
- `api.letters`: NSNY's Letter of Good Standing;
- `api.builds`: the long jobs a web front end starts on a company folder;
- `api.office`: LibreOffice: found, started warm, shared.

Errors a user can fix are `InputError` (every problem of a file at once, each a `Problem`
with file, line, field and fix); a missing or failing tool (LibreOffice, qpdf) is a
`ToolError`; options that do not go together are a `UsageError`. All three are
`ManualgenError`s with their own `ExitCode`; anything else is a bug.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from manualgen.api._common import load_profile
from manualgen.errors import (
    ExitCode,
    InputError,
    ManualgenError,
    Problem,
    Severity,
    ToolError,
    UsageError,
)
from manualgen.resources import LibraryPaths, examples_dir, library_paths

if TYPE_CHECKING:
    from manualgen.api import (  # noqa: F401 - the job modules, imported when first named
        builds,
        forms,
        letters,
        library,
        manual,
        office,
        status,
        submission,
        summary,
        uploads,
        workspace,
    )
    from manualgen.inputs.library.load import Library
    from manualgen.inputs.profile import CompanyProfile, Logo

JOBS = ("manual", "forms", "status", "submission", "summary", "library", "workspace",
        "uploads", "letters", "builds", "office")

# The types every job takes, imported when first named (the library's loader is a third
# of a second a short command need not pay before it knows it needs it).
_TYPES = {
    "Library": ("manualgen.inputs.library.load", "Library"),
    "CompanyProfile": ("manualgen.inputs.profile", "CompanyProfile"),
    "Logo": ("manualgen.inputs.profile", "Logo"),
}

__all__ = [
    *JOBS, "Library", "CompanyProfile", "Logo", "LibraryPaths", "ProfileCheck",
    "Problem", "ManualgenError", "InputError", "ToolError", "UsageError", "Severity",
    "ExitCode", "load_library", "library_paths", "examples_dir", "load_profile",
    "check_profile", "save", "save_tree",
]


def __getattr__(name: str) -> Any:
    if name in JOBS:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _TYPES:
        module, attr = _TYPES[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_library(location: Path | str | LibraryPaths | None = None, *,
                 compiled: Path | str | None = None) -> Library:
    """The library at `location` (a folder holding policy_library/, or a policy library
    folder itself), or the bundled one. Keep it; `reload_if_changed()` refreshes it.
    `compiled`: a folder of this user's own to keep the policies' compiled templates in,
    so the next process need not compile them (bench/NOTES.md)."""
    from manualgen.inputs.library.load import load_library as _load

    return _load(location, compiled=Path(compiled) if compiled is not None else None)


@dataclasses.dataclass
class ProfileCheck:
    """A profile judged without raising: for a form that shows problems beside fields."""

    profile: CompanyProfile | None
    problems: list[Problem] = dataclasses.field(default_factory=list)
    policies: list[str] = dataclasses.field(default_factory=list)  # titles, when valid

    @property
    def ok(self) -> bool:
        """A valid profile whose own policies (if any) have no errors either."""
        return self.profile is not None and not any(p.severity is Severity.ERROR
                                                    for p in self.problems)

    def for_field(self, key: tuple) -> list[Problem]:
        """The problems of one field (or inside it), by its path."""
        return [p for p in self.problems if p.key is not None and tuple(p.key[:len(key)]) == key]


def check_profile(source: Path | str | Mapping[str, Any], library: Library, *,
                  logo: bytes | None = None, folder: Path | None = None,
                  on: dt.date | None = None) -> ProfileCheck:
    """Every problem of a profile and of the company's own policies (`policies/`, checked
    by the library's rules; reviews judged on `on`, default the manual's issue date), as
    data; never raises for their content."""
    from manualgen.inputs.company_policies import load_company_policies
    from manualgen.inputs.pipeline import prepare, vocabulary
    from manualgen.inputs.profile import load_profile as _load
    from manualgen.inputs.profile import profile_problems
    from manualgen.io import YamlDoc

    if isinstance(source, str | Path):
        try:
            loaded = _load(source, vocabulary(library), logo=logo, folder=folder)
        except InputError as exc:
            return ProfileCheck(None, exc.problems)
    else:
        loaded, problems = profile_problems(YamlDoc("company.yaml", dict(source)),
                                            vocabulary(library), folder=folder, logo=logo)
        if loaded is None:
            return ProfileCheck(None, problems)
        loaded.problems = problems
    own = load_company_policies(loaded, library)
    found = list(own.problems)
    inputs = None
    if not own.errors:
        inputs = prepare(loaded, library, own=own)
        from manualgen.manual.updates import library_updates

        found += inputs.records.problems + [u.problem() for u in library_updates(inputs)]
    if own.own:
        from manualgen.library.lint import check_policy_files

        found += check_policy_files([o.policy.path for o in own.own], library,
                                    on=on or loaded.profile.manual.issued,
                                    context=inputs.context if inputs else None)
    found = sorted(set(found), key=lambda p: (p.path, p.line or 0, p.message))
    titles = [p.title for p in inputs.policies] if inputs is not None else []
    return ProfileCheck(loaded, list(loaded.problems) + found, titles)


def save(path: Path | str, data: bytes | str) -> Path:
    """Write one output atomically: a reader never sees half a file."""
    from manualgen.services.storage import atomic_write_bytes

    path = Path(path)
    atomic_write_bytes(path, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def save_tree(folder: Path | str, files: Mapping[str, bytes]) -> list[str]:
    """Create a new folder holding `files` ({relative path: bytes}, "x/" for a folder)."""
    from manualgen.services.storage import write_new_tree

    return write_new_tree(Path(folder), dict(files))
