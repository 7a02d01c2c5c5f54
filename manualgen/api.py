"""manualgen's Python API: the one layer every front end (the CLI, the web app) calls.

Inputs are paths or data; results are bytes and typed reports; nothing here prints,
exits, reads the environment or the current folder, or writes a user's file. Writing is
the caller's last step, atomic, through `save` and `save_tree`.

    from manualgen import api

    library = api.load_library()                       # the bundled library, or a folder
    profile = api.load_profile("company.yaml", library) # or a dict from a web form
    manual = api.build_manual(profile, library, pdf=True)
    api.save("manual.docx", manual.docx)
    api.save("manual.pdf", manual.pdf)
    status = api.company_status(profile, library, on=datetime.date.today())
    print(status.as_text())
    submission = api.open_submission("2026-submission", library)
    print(api.check_submission(submission).as_text())
    api.build_submission(submission).write("submission.pdf")

Errors a user can fix are `InputError` (every problem of a file at once, each a
`Problem` with file, line, field and fix); a missing or failing LibreOffice is a
`ToolError`; options that do not go together are a `UsageError`. All three are
`ManualgenError`s; anything else is a bug.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from manualgen.errors import (
    InputError,
    ManualgenError,
    Problem,
    ToolError,
    UsageError,
)
from manualgen.forms.build import FormsResult
from manualgen.forms.build import build_forms as _build_forms
from manualgen.inputs.library.load import Library
from manualgen.inputs.pipeline import Inputs, prepare, vocabulary
from manualgen.inputs.profile import CompanyProfile, Logo, profile_problems
from manualgen.inputs.profile import load_profile as _load_profile
from manualgen.inputs.submission import Submission, find_company, load_submission
from manualgen.io import YamlDoc
from manualgen.library.book import BookResult
from manualgen.library.coverage import Coverage
from manualgen.library.importer import ImportResult
from manualgen.library.lint import LintReport
from manualgen.library.listing import Listing
from manualgen.manual.build import Layout, ManualResult
from manualgen.manual.build import build_manual as _build_manual
from manualgen.package.build import BuildOptions, BuildResult
from manualgen.package.check import Report as SubmissionReport
from manualgen.package.spec import DEFAULT_PACKAGE
from manualgen.resources import LibraryPaths, examples_dir, library_paths
from manualgen.services.office import Office
from manualgen.services.storage import atomic_write_bytes, write_new_tree
from manualgen.status.report import StatusReport
from manualgen.summary import SummaryResult

ProfileSource = CompanyProfile | Path | str | Mapping[str, Any]

__all__ = [
    "Library", "CompanyProfile", "Logo", "Inputs", "Layout", "ManualResult", "FormsResult",
    "StatusReport", "Submission", "SubmissionReport", "BuildOptions", "BuildResult",
    "SummaryResult", "LintReport", "Listing", "Coverage", "BookResult", "ImportResult",
    "ProfileCheck", "Office", "LibraryPaths", "Problem", "ManualgenError", "InputError",
    "ToolError", "UsageError",
    "load_library", "library_paths", "examples_dir", "load_profile", "check_profile",
    "build_manual", "build_forms", "company_status", "status_calendar", "open_submission",
    "find_company", "check_submission", "build_submission", "build_summary",
    "new_submission_files", "check_library", "library_book", "library_listing",
    "library_coverage", "coverage_document", "import_policy", "save", "save_tree",
]


# --------------------------------------------------------------------------- library


def load_library(location: Path | str | LibraryPaths | None = None) -> Library:
    """The library at `location` (a folder holding policy_library/, or a policy library
    folder itself), or the bundled one. Keep it; `reload_if_changed()` refreshes it."""
    return Library.load(location)


# --------------------------------------------------------------------------- profile


def load_profile(source: ProfileSource, library: Library, *, logo: bytes | None = None,
                 folder: Path | None = None) -> CompanyProfile:
    """A company profile from a company.yaml path or from its data (a dict, as a web form
    gives it); raises InputError with every problem at once. `logo`: the logo's bytes when
    there is no folder to read `company.logo` from; `folder`: the company's folder."""
    if isinstance(source, CompanyProfile):
        return source
    return _load_profile(source, vocabulary(library), logo=logo, folder=folder)


@dataclass
class ProfileCheck:
    """A profile judged without raising: for a form that shows problems beside fields."""

    profile: CompanyProfile | None
    problems: list[Problem] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)     # titles that apply, when valid

    @property
    def ok(self) -> bool:
        return self.profile is not None

    def for_field(self, key: tuple) -> list[Problem]:
        """The problems of one field (or inside it), by its path."""
        return [p for p in self.problems if p.key is not None and tuple(p.key[:len(key)]) == key]


def check_profile(source: Path | str | Mapping[str, Any], library: Library, *,
                  logo: bytes | None = None, folder: Path | None = None) -> ProfileCheck:
    """Every problem of a profile, as data; never raises for the profile's content."""
    if isinstance(source, str | Path):
        try:
            loaded = _load_profile(source, vocabulary(library), logo=logo, folder=folder)
        except InputError as exc:
            return ProfileCheck(None, exc.problems)
    else:
        loaded, problems = profile_problems(YamlDoc("company.yaml", dict(source)),
                                            vocabulary(library), folder=folder, logo=logo)
        if loaded is None:
            return ProfileCheck(None, problems)
        loaded.problems = problems
    inputs = prepare(loaded, library)
    return ProfileCheck(loaded, loaded.problems, [p.title for p in inputs.policies])


def _inputs(profile: ProfileSource, library: Library) -> Inputs:
    return prepare(load_profile(profile, library), library)


# --------------------------------------------------------------------------- company jobs


def build_manual(profile: ProfileSource, library: Library, *,
                 layout: Layout | str = Layout.LIBREOFFICE, pdf: bool = False,
                 office: Office | None = None) -> ManualResult:
    """The draft health and safety manual: `.docx` bytes, PDF bytes with `pdf`."""
    return _build_manual(_inputs(profile, library), layout=layout, pdf=pdf, office=office)


def build_forms(profile: ProfileSource, library: Library, *, pdf: bool = False,
                office: Office | None = None) -> FormsResult:
    """The company's personalised blank forms, bytes per file (`zip_bytes()` for one zip)."""
    return _build_forms(_inputs(profile, library), pdf=pdf, office=office)


def company_status(profile: ProfileSource, library: Library, *, on: dt.date) -> StatusReport:
    """Where the company stands in its SECOR cycle on `on`: due dates, training, ratio."""
    from manualgen.status.report import build_status

    return build_status(_inputs(profile, library), on)


def status_calendar(report: StatusReport) -> bytes:
    """The due dates and course expiries as an iCalendar (.ics) file."""
    from manualgen.status.calendar import calendar_bytes

    return calendar_bytes(report)


# --------------------------------------------------------------------------- submission


def open_submission(folder: Path | str | Mapping[str, bytes], library: Library, *,
                    company: ProfileSource | None = None,
                    on: dt.date | None = None) -> Submission:
    """A submission folder (or its files as {relative path: bytes}) with its company:
    `company` given, or company.yaml in the folder or the one above it."""
    if company is not None and not isinstance(company, str | Path):
        company = load_profile(company, library)
    source = folder if isinstance(folder, Mapping) else Path(folder)
    return load_submission(source, library=library,
                           company=Path(company) if isinstance(company, str) else company,
                           on=on)


def check_submission(sub: Submission, *, on: dt.date | None = None,
                     package: str | Path = DEFAULT_PACKAGE) -> SubmissionReport:
    """What is missing, late, out of period or unreadable; builds nothing."""
    from manualgen.package.check import check_package

    return check_package(sub, on=on, package=package)


def build_submission(sub: Submission, options: BuildOptions | None = None, *,
                     office: Office | None = None,
                     progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """The Annual Documentation Review Submission as one PDF, with its JSON index."""
    from manualgen.package.build import build_package

    return build_package(sub, options, office=office, progress=progress)


def build_summary(sub: Submission, *, on: dt.date | None = None) -> SummaryResult:
    """The Year End Safety Activity Summary Report: typed figures; PDF, Word, JSON."""
    from manualgen.summary import build_summary as _build_summary

    return _build_summary(sub, on=on)


def new_submission_files(library: Library, *, profile: ProfileSource | None = None,
                         on: dt.date | None = None,
                         package: str | Path = DEFAULT_PACKAGE) -> dict[str, bytes]:
    """The files of an empty submission folder ("x/" entries are folders)."""
    from manualgen.inputs.program import next_anniversary
    from manualgen.package.scaffold import scaffold_files

    anniversary = None
    if profile is not None:
        secor = load_profile(profile, library).profile.secor
        if secor is not None:
            anniversary = next_anniversary(secor.certificate_date, on or dt.date.today())
    return scaffold_files(library, anniversary=anniversary, package=package)


# --------------------------------------------------------------------------- NSNY's library


def check_library(location: Path | str | LibraryPaths | None = None, *,
                  on: dt.date) -> LintReport:
    """Every problem of the library at once (a library that will not load included)."""
    from manualgen.library.lint import check_library as _check

    return _check(location if isinstance(location, LibraryPaths | None) else Path(location),
                  on=on)


def library_book(library: Library) -> BookResult:
    """The whole library as one Word document for proofreading."""
    from manualgen.library.book import build_book

    return build_book(library)


def library_listing(library: Library) -> Listing:
    from manualgen.library.listing import list_library

    return list_library(library)


def library_coverage(library: Library) -> Coverage:
    from manualgen.library.coverage import coverage

    return coverage(library)


def coverage_document(report: Coverage, name: Path | str) -> bytes:
    """The coverage table as .docx or .html bytes, by the suffix of `name`."""
    from manualgen.library.coverage import coverage_document as _doc

    return _doc(report, name)


def import_policy(source: Path | str, library: Library | None = None, *,
                  policy_id: str | None = None) -> ImportResult:
    """A Word policy as library Markdown with a header to complete."""
    from manualgen.library.importer import import_policy as _import

    return _import(Path(source), library, policy_id=policy_id)


# --------------------------------------------------------------------------- writing


def save(path: Path | str, data: bytes | str) -> Path:
    """Write one output atomically: a reader never sees half a file."""
    path = Path(path)
    atomic_write_bytes(path, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def save_tree(folder: Path | str, files: Mapping[str, bytes]) -> list[str]:
    """Create a new folder holding `files` ({relative path: bytes}, "x/" for a folder)."""
    return write_new_tree(Path(folder), dict(files))
