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

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from manualgen.builds import PICTURES as MANUAL_PICTURES
from manualgen.builds import (
    BuildKind,
    BuildSpec,
    Progress,
    bug_message,
    read_manual_record,
    run_build,
)
from manualgen.errors import (
    ExitCode,
    InputError,
    ManualgenError,
    Problem,
    Severity,
    ToolError,
    UsageError,
)
from manualgen.inputs.library.load import Library
from manualgen.inputs.pipeline import Inputs, prepare, vocabulary
from manualgen.inputs.profile import CompanyProfile, Logo, field_words, profile_problems
from manualgen.inputs.profile import load_profile as _load_profile
from manualgen.inputs.program import CourseState
from manualgen.inputs.questions import Group, Question
from manualgen.inputs.record_forms import RecordTable
from manualgen.inputs.submission import Submission, find_company, load_submission
from manualgen.io import YamlDoc
from manualgen.resources import LibraryPaths, examples_dir, library_paths
from manualgen.services.office import Office
from manualgen.services.storage import atomic_write_bytes, write_new_tree
from manualgen.services.workspace import (
    NoSuchFolder,
    OutsideFolder,
    Workspace,
    refuse_unsafe,
    safe_name,
)

if TYPE_CHECKING:
    from manualgen.forms.build import FormsResult
    from manualgen.inputs.library.model import Policy
    from manualgen.letter import LetterCertificate, LetterCompany, LetterSubmission, LetterValues
    from manualgen.library.book import BookResult
    from manualgen.library.coverage import Coverage
    from manualgen.library.diff import LibraryDiff, RedlineParagraph
    from manualgen.library.editing import Finding, PolicySource
    from manualgen.library.importer import ImportResult
    from manualgen.library.lint import LintReport
    from manualgen.library.listing import Listing
    from manualgen.library.publish import Release, make_release, next_version
    from manualgen.manual.absorb import AbsorbResult
    from manualgen.manual.build import Layout, ManualResult
    from manualgen.manual.fleet import FleetConfig, FleetResult
    from manualgen.manual.news import LibraryNews
    from manualgen.manual.own_policies import OwnReport
    from manualgen.manual.redline import RedlineResult
    from manualgen.manual.updates import LibraryUpdate
    from manualgen.render.paginate import LayoutCache
    from manualgen.services.library_repo import LibraryRepo, VersionTag
    from manualgen.status.report import StatusReport
    from manualgen.submission.build import BuildOptions, BuildResult
    from manualgen.submission.check import Report as SubmissionReport
    from manualgen.submission.readiness import Readiness
    from manualgen.summary import SummaryResult

# The jobs' types, imported when first used: a command pays only for its own job's
# imports (the manual's whole process is timed against pandoc; a submission build never
# loads the manual's Word machinery: python-docx, Markdown, the layout).
_LAZY = {
    "Layout": ("manualgen.manual.build", "Layout"),
    "ManualResult": ("manualgen.manual.build", "ManualResult"),
    "LayoutCache": ("manualgen.render.paginate", "LayoutCache"),
    "LibraryUpdate": ("manualgen.manual.updates", "LibraryUpdate"),
    "LibraryNews": ("manualgen.manual.news", "LibraryNews"),
    "PolicyNews": ("manualgen.manual.news", "PolicyNews"),
    "NewsKind": ("manualgen.manual.news", "NewsKind"),
    "Mark": ("manualgen.library.diff", "Mark"),
    "PolicySource": ("manualgen.library.editing", "PolicySource"),
    "Finding": ("manualgen.library.editing", "Finding"),
    "Policy": ("manualgen.inputs.library.model", "Policy"),
    "RedlineParagraph": ("manualgen.library.diff", "RedlineParagraph"),
    "HeaderFields": ("manualgen.library.editing", "HeaderFields"),
    "FormsResult": ("manualgen.forms.build", "FormsResult"),
    "BookResult": ("manualgen.library.book", "BookResult"),
    "Coverage": ("manualgen.library.coverage", "Coverage"),
    "ImportResult": ("manualgen.library.importer", "ImportResult"),
    "LintReport": ("manualgen.library.lint", "LintReport"),
    "Listing": ("manualgen.library.listing", "Listing"),
    "BuildOptions": ("manualgen.submission.build", "BuildOptions"),
    "BuildResult": ("manualgen.submission.build", "BuildResult"),
    "SubmissionReport": ("manualgen.submission.check", "Report"),
    "StatusReport": ("manualgen.status.report", "StatusReport"),
    "SummaryResult": ("manualgen.summary", "SummaryResult"),
    "DEFAULT_PACKAGE": ("manualgen.submission.spec", "DEFAULT_PACKAGE"),
    "LibraryDiff": ("manualgen.library.diff", "LibraryDiff"),
    "AbsorbResult": ("manualgen.manual.absorb", "AbsorbResult"),
    "OwnReport": ("manualgen.manual.own_policies", "OwnReport"),
    "RedlineResult": ("manualgen.manual.redline", "RedlineResult"),
    "LetterValues": ("manualgen.letter", "LetterValues"),
    "LetterCompany": ("manualgen.letter", "LetterCompany"),
    "LetterCertificate": ("manualgen.letter", "LetterCertificate"),
    "LetterSubmission": ("manualgen.letter", "LetterSubmission"),
    "FleetConfig": ("manualgen.manual.fleet", "FleetConfig"),
    "FleetResult": ("manualgen.manual.fleet", "FleetResult"),
    "Readiness": ("manualgen.submission.readiness", "Readiness"),
    "LibraryRepo": ("manualgen.services.library_repo", "LibraryRepo"),
    "VersionTag": ("manualgen.services.library_repo", "VersionTag"),
    "Release": ("manualgen.library.publish", "Release"),
    "make_release": ("manualgen.library.publish", "make_release"),
    "next_version": ("manualgen.library.publish", "next_version"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _default_package(package: str | Path | None) -> str | Path:
    from manualgen.submission.spec import DEFAULT_PACKAGE

    return DEFAULT_PACKAGE if package is None else package


ProfileSource = CompanyProfile | Path | str | Mapping[str, Any]

__all__ = [
    "Library", "CompanyProfile", "Logo", "Inputs", "Layout", "ManualResult", "FormsResult",
    "StatusReport", "Submission", "SubmissionReport", "BuildOptions", "BuildResult",
    "SummaryResult", "LintReport", "Listing", "Coverage", "BookResult", "ImportResult",
    "ProfileCheck", "Office", "LayoutCache", "LibraryPaths", "Problem", "ManualgenError",
    "InputError", "ToolError", "UsageError", "Severity", "ExitCode",
    "load_library", "library_paths", "examples_dir", "load_profile", "check_profile",
    "build_manual", "build_forms", "company_status", "status_calendar", "open_submission",
    "find_company", "check_submission", "build_submission", "build_summary",
    "new_submission_files", "check_library", "library_book", "library_listing",
    "library_coverage", "coverage_document", "import_policy", "save", "save_tree",
    "Workspace", "Group", "Question", "RecordTable", "open_workspace", "profile_questions",
    "hazard_choices", "profile_data", "profile_text", "save_profile", "policy_changes",
    "page_pictures", "record_tables", "record_table", "read_records", "records_file",
    "import_records", "check_upload", "sample_kind", "photo_date", "dated_name", "rotate_photo",
    "suggested_activities", "submission_folder_name", "field_words", "check_logo",
    "course_labels", "category_labels", "safe_name", "refuse_unsafe",
    "submission_categories", "LetterValues", "LetterCompany", "LetterCertificate",
    "LetterSubmission", "Readiness", "default_letter_template",
    "letter_text", "letter_pdf", "submission_readiness", "NoSuchFolder", "OutsideFolder",
    # the company's own policies and revisions (issue 15)
    "AbsorbResult", "RedlineResult", "LibraryUpdate", "LibraryDiff", "OwnReport", "RecordFile",
    "absorb_manual", "build_redline", "revision_record_file", "library_diff",
    "company_policies", "copy_policy", "accept_library_change",
    # the long jobs run on a company folder (the web app's threads, the portal's workers)
    "BuildKind", "BuildSpec", "Progress", "run_build", "read_manual_record", "bug_message",
    "MANUAL_PICTURES",
    # many companies' manuals at once (`manualgen batch`), and a course's state
    "FleetConfig", "FleetResult", "find_companies", "build_fleet", "CourseState",
    # NSNY's hosted library: a git repository, a published version a tag (issue 27)
    "LibraryRepo", "VersionTag", "Release", "make_release", "next_version", "publish_library",
]


# --------------------------------------------------------------------------- library


def load_library(location: Path | str | LibraryPaths | None = None, *,
                 compiled: Path | str | None = None) -> Library:
    """The library at `location` (a folder holding policy_library/, or a policy library
    folder itself), or the bundled one. Keep it; `reload_if_changed()` refreshes it.
    `compiled`: a folder of this user's own to keep the policies' compiled templates in,
    so the next process need not compile them (bench/NOTES.md)."""
    from manualgen.inputs.library.load import load_library as _load

    return _load(location, compiled=Path(compiled) if compiled is not None else None)


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
    from manualgen.inputs.company_policies import load_company_policies

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


def _inputs(profile: ProfileSource, library: Library) -> Inputs:
    return prepare(load_profile(profile, library), library)


# --------------------------------------------------------------------------- company jobs


def build_manual(profile: ProfileSource, library: Library, *,
                 layout: Layout | str = "libreoffice", pdf: bool = False,
                 office: Office | None = None,
                 cache: LayoutCache | None = None) -> ManualResult:
    """The draft health and safety manual: `.docx` bytes, PDF bytes with `pdf`; its
    revision record (`revision_record_file`) and the library changes under the company's
    own versions (`updates`, each with a readable diff: shown, never merged).

    `cache`: the company's chapter layouts (`LayoutCache(folder)`, a folder the caller
    chooses, or in memory only): only chapters it has not seen are laid out again."""
    from manualgen.manual.build import build_company_manual

    return build_company_manual(profile, library, layout=layout, pdf=pdf, office=office,
                                cache=cache)


def find_companies(root: Path) -> list[Path]:
    """Every company.yaml in a folder directly under `root`, in name order."""
    from manualgen.manual.fleet import find_companies as find

    return find(root)


def build_fleet(profiles: list[Path], config: FleetConfig, *,
                workers: int | None = None) -> Iterator[FleetResult]:
    """Many companies' manuals on worker processes (each with its warm LibreOffice);
    results as they finish, failures included."""
    from manualgen.manual.fleet import build_fleet as build

    return build(profiles, config, workers=workers)


def absorb_manual(profile: ProfileSource, library: Library, edited: bytes | Path | str, *,
                  on: dt.date, name: str | None = None, replace: bool = False) -> AbsorbResult:
    """A manual the employer edited in Word (its bytes, or a path) compared with what was
    generated for its revision: each changed policy as a company policy file
    (`result.files`, paths relative to the company folder, to write with `save`), and
    what could not be kept. `on` dates the saved policies' review; `replace` lets an edit
    replace a company policy that changed since the manual was built."""
    from manualgen.manual.absorb import absorb, read_manual_file

    if isinstance(edited, str | Path):
        name = name or str(edited)
        data = read_manual_file(Path(edited))
    else:
        data = edited
    return absorb(_inputs(profile, library), data, name=name or "edited manual", on=on,
                  replace=replace)


@dataclass
class RecordFile:
    """Where a build's revision record goes in the company folder, or why it does not."""

    path: Path | None
    data: bytes
    skipped: str | None = None


def revision_record_file(folder: Path | str, result: ManualResult) -> RecordFile:
    """The record of a build, to keep in the company folder's revisions/ (`save` it).

    The current revision's record follows its latest build; a revision older than one
    already recorded is never rewritten (history stays as it was issued)."""
    from manualgen.inputs.revisions import load_records, record_name

    record = result.record
    if record is None:
        return RecordFile(None, b"", "this build made no record")
    latest = load_records(Path(folder)).latest
    if latest is not None and latest.revision > record.revision:
        return RecordFile(None, b"", f"revision {latest.revision} is already recorded, so "
                          f"this build of revision {record.revision} is not kept")
    return RecordFile(Path(folder) / record_name(record.revision), record.to_bytes())


def build_redline(profile: ProfileSource, library: Library, since: int, *,
                  current: ManualResult | None = None, pdf: bool = False,
                  office: Office | None = None) -> RedlineResult:
    """The changes from revision `since` (its record in the company folder) to this
    build (`current`, or the profile built now) as a Word document with tracked changes,
    and with `pdf` a PDF of it as LibreOffice shows them (insertions underlined,
    deletions struck through)."""
    from manualgen.manual.redline import redline_since

    return redline_since(_inputs(profile, library), since,
                         current.record if current is not None else None, pdf=pdf,
                         office=office or Office.find())


def company_policies(profile: ProfileSource, library: Library, *,
                     diff: bool = False) -> OwnReport:
    """The company's own versions, additions and omissions, and the library changes
    waiting under its versions (with `diff`, each shown word by word)."""
    from manualgen.manual.own_policies import own_report

    return own_report(_inputs(profile, library), diff=diff)


def copy_policy(profile: ProfileSource, library: Library, policy_id: str, *,
                on: dt.date) -> dict[str, bytes]:
    """The files (company-folder paths: bytes) that start the company's own version of a
    library policy from the library's text, variables kept."""
    from manualgen.manual.own_policies import copy_policy as _copy

    return _copy(_inputs(profile, library), policy_id, on=on)


def accept_library_change(profile: ProfileSource, library: Library,
                          policy_id: str) -> dict[str, bytes]:
    """After review: the company's version is based on the library's current revision
    (its `based_on` and base copy move; its text does not)."""
    from manualgen.manual.own_policies import accept_update

    return accept_update(_inputs(profile, library), policy_id)


def library_news(workspace: Workspace, library: Library) -> LibraryNews:
    """What the library now changes in the company's manual (its last recorded revision)
    and under its own versions; empty when there is no profile or it does not load."""
    from manualgen.inputs.revisions import load_records
    from manualgen.manual.news import LibraryNews
    from manualgen.manual.news import library_news as _news

    try:
        inputs = _inputs(workspace.profile_path, library)
    except InputError:
        return LibraryNews(library.info.version, None, None)
    return _news(inputs, load_records(workspace.root).latest)


def new_revision(workspace: Workspace, library: Library, *, on: dt.date) -> int:
    """Raise the manual's revision (issued `on`) in company.yaml, before a build that
    takes a library version or other changes into a new revision. The new number."""
    loaded = load_profile(workspace.profile_path, library)
    p = loaded.profile
    manual = p.manual.model_copy(update={"revision": p.manual.revision + 1, "issued": on})
    raised = dataclasses.replace(loaded, profile=p.model_copy(update={"manual": manual}))
    save_profile(workspace, raised, library, on=on)
    return manual.revision


def build_forms(profile: ProfileSource, library: Library, *, pdf: bool = False,
                office: Office | None = None) -> FormsResult:
    """The company's personalised blank forms, bytes per file (`zip_bytes()` for one zip)."""

    from manualgen.forms.build import build_forms as _build_forms

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
                     package: str | Path | None = None) -> SubmissionReport:
    """What is missing, late, out of period or unreadable; builds nothing."""
    from manualgen.submission.check import check_package

    return check_package(sub, on=on, package=_default_package(package))


def build_submission(sub: Submission, options: BuildOptions | None = None, *,
                     office: Office | None = None,
                     progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """The Annual Documentation Review Submission as one PDF, with its JSON index."""
    from manualgen.submission.build import build_package

    return build_package(sub, options, office=office, progress=progress)


def build_summary(sub: Submission, *, on: dt.date | None = None) -> SummaryResult:
    """The Year End Safety Activity Summary Report: typed figures; PDF, Word, JSON."""
    from manualgen.summary import build_summary as _build_summary

    return _build_summary(sub, on=on)


def new_submission_files(library: Library, *, profile: ProfileSource | None = None,
                         on: dt.date | None = None,
                         package: str | Path | None = None) -> dict[str, bytes]:
    """The files of an empty submission folder ("x/" entries are folders)."""
    from manualgen.inputs.program import next_anniversary
    from manualgen.submission.scaffold import scaffold_files

    anniversary = None
    if profile is not None:
        secor = load_profile(profile, library).profile.secor
        if secor is not None:
            anniversary = next_anniversary(secor.certificate_date, on or dt.date.today())
    return scaffold_files(library, anniversary=anniversary, package=_default_package(package))


# --------------------------------------------------------------------------- NSNY's library


def check_library(location: Path | str | LibraryPaths | None = None, *,
                  on: dt.date) -> LintReport:
    """Every problem of the library at once (a library that will not load included)."""
    from manualgen.library.lint import check_library as _check

    return _check(location if isinstance(location, LibraryPaths | None) else Path(location),
                  on=on)


def review_due(library: Library, policy: Policy) -> dt.date:
    """When NSNY reviews a policy next: its last review plus program.yaml's interval."""
    from manualgen.inputs.program import add_months

    months = library.rules.policy_review_months if library.rules else 12
    return add_months(policy.header.reviewed, months)


def check_draft(source: PolicySource, library: Library, *, on: dt.date) -> list[Finding]:
    """The library's checks on a draft of one policy, each finding placed beside the
    part of the editor it is about (its header, a section)."""
    from manualgen.library.editing import check_draft as _check

    return _check(source, library, on=on)


def preview_policy(source: PolicySource, profile: ProfileSource, library: Library) -> str:
    """A draft policy's text as it reads in this company's manual (Markdown): its
    legislation for the company, then the body with the company's values filled in."""
    from manualgen.render.jinja import policy_environment, render_text

    inputs = _inputs(profile, library)
    text = render_text(policy_environment(), source.body, inputs.context, source.path,
                       source.body_line - 1)
    laws = [law.text for law in source.laws() if law.applies(list(inputs.hazards))]
    head = f"*Legislation: {'; '.join(laws)}*\n\n" if laws else ""
    return head + text


def redline(old: str, new: str, *, context: int | None = 1
            ) -> list[RedlineParagraph | None]:
    """Two texts as one, paragraph by paragraph, changed words marked (a page shows
    removed words struck through and added ones underlined); with `context`, only the
    changes, that many paragraphs around each and their headings (None: a gap)."""
    from manualgen.library.diff import focused
    from manualgen.library.diff import redline as _redline

    paras = _redline(old, new)
    return paras if context is None else focused(paras, context)


def check_form_template(data: bytes, name: str) -> list[Problem]:
    """Every problem of a form template NSNY uploads: it must open as Word, use only the
    fields a company profile provides, and be valid ECMA-376 (as Word reads it)."""
    import tempfile

    from manualgen.forms.check import check_template, form_variables
    from manualgen.render.ooxml import reference_problems, schema_problems

    with tempfile.TemporaryDirectory(prefix="manualgen-form-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        problems = [dataclasses.replace(p, path=name) for p in
                    check_template(path, form_variables())]
    if any(p.severity is Severity.ERROR for p in problems):
        return problems
    try:
        invalid = schema_problems(data, name) + reference_problems(data, name)
    except Exception as exc:  # noqa: BLE001 - any part that is not XML
        invalid = [f"{name}: a part is not readable XML ({exc})"]
    for line in invalid[:20]:
        problems.append(Problem(name, message=f"not valid Word (ECMA-376): "
                                f"{line.split(': ', 1)[-1]}",
                                fix="open it in Word, save it again as .docx (Word "
                                    "Document), and upload that"))
    return problems


def manual_library_version(folder: Path | str) -> str | None:
    """The library version of a company's last recorded manual revision (None: none)."""
    from manualgen.inputs.revisions import latest_library_version

    return latest_library_version(Path(folder))


def publish_library(home: Path | str, changes: Mapping[str, bytes], notes: list[str], *,
                    on: dt.date, author: str, email: str,
                    check: Callable[[Path], list[Problem]] | None = None,
                    base: str | None = None) -> VersionTag:
    """Publish the next version of the library repository at `home` (`LibraryRepo`):
    `changes` (new bytes by path, "policy_library/policies/working-alone.md") with their
    `notes`, each changed policy's revision raised and reviewed date set, committed and
    tagged. The release is made under the publish lock, so two staff publishing at once
    get one version each. `check` (default: the whole library check, some seconds) runs
    on a staged copy; its errors refuse the release (InputError) with nothing written.
    `base`: the version the changes were written against; a file changed since then is
    refused, not overwritten."""
    from manualgen.library.publish import make_release as _make_release
    from manualgen.services.library_repo import LibraryRepo as _Repo

    def make(repo: LibraryRepo) -> Release:
        if base is not None:
            moved = sorted(set(changes) & set(repo.changed_files(base)))
            if moved:
                raise UsageError(f"{', '.join(moved)} changed since version {base}",
                                 fix="edit the current text again and publish that")
        return _make_release(repo.read, changes, notes, on)

    def whole(staged: Path) -> list[Problem]:
        return check_library(staged, on=on).problems

    return _Repo(home).publish(make, author=author, email=email, check=check or whole)


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


def library_diff(old: Library, new: Library, *,
                 companies: Path | str | None = None) -> LibraryDiff:
    """Policies added, removed and changed from `old` to `new` (changed sections, word by
    word); with `companies` (a folder of company folders), whose manuals each reaches."""
    from manualgen.library.diff import diff_libraries

    return diff_libraries(old, new, companies=Path(companies) if companies else None)


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


# --------------------------------------------------------------------------- workspaces
# What a front end that edits a company's folder (the web app) needs beyond the jobs:
# the questions, the profile written back as company.yaml, record tables, uploads.


def open_workspace(folder: Path | str) -> Workspace:
    """The company folder `folder` as a workspace (it need not hold a profile yet)."""
    return Workspace(folder)


def profile_questions(library: Library, *, on: dt.date | None = None) -> list[Group]:
    """Every question of company.yaml, in sections, with the library's hazards, trades,
    facilities and courses."""
    from manualgen.inputs.questions import library_groups

    return library_groups(library, on)


def usual_hazards(library: Library, trades: list[str]) -> dict[str, str]:
    """Hazard key -> the label of the first of these trades that usually has it: what the
    manual covers unless the company dismisses it with a reason."""
    out: dict[str, str] = {}
    for key in trades:
        trade = library.trade(key)
        for hazard in trade.hazards if trade else ():
            out.setdefault(hazard, trade.label)
    return out


def hazard_choices(library: Library) -> list[tuple[str, str, list[str]]]:
    """Each hazard as (key, label, titles of the policies it switches on)."""
    out = []
    for term in library.hazards:
        titles = [p.title for p in library.policies
                  if p.header.applies != "always" and term.key in p.header.applies.hazards]
        out.append((term.key, term.label, titles))
    return out


def profile_data(profile: CompanyProfile) -> dict[str, Any]:
    """A valid profile as plain data (keys for choices, dates as dates, no empty values),
    as `profile_text` writes it."""
    return profile.profile.model_dump(mode="python", exclude_none=True, by_alias=True)


def profile_text(profile: CompanyProfile, library: Library, *, on: dt.date,
                 writer: str = "manualgen serve") -> str:
    """The commented company.yaml `manualgen init` writes, for a valid profile."""
    from manualgen.inputs.profile_yaml import render_profile

    return render_profile(profile_data(profile), library, on, writer=writer)


def save_profile(workspace: Workspace, profile: CompanyProfile, library: Library, *,
                 on: dt.date, logo: Logo | None = None) -> Path:
    """Write a valid profile (and its logo, when given) into the workspace; the versions
    they replace are kept in its history."""
    text = profile_text(profile, library, on=on)
    name = profile.profile.company.logo
    if logo is not None and name:
        workspace.write(name, logo.data)
    return workspace.write("company.yaml", text)


def check_logo(data: bytes, name: str) -> str | None:
    """Why these bytes cannot be the logo, or None when they can."""
    from manualgen.inputs.profile import check_logo as _check

    return _check(data, name)


def course_labels() -> dict[str, str]:
    """The one wording of each course state (valid, expiring, ...)."""
    from manualgen.inputs.program import COURSE_LABELS

    return {str(k): v for k, v in COURSE_LABELS.items()}


def category_labels() -> dict[str, str]:
    """The one wording of each submission category state (complete, missing, ...)."""
    from manualgen.submission.check import CATEGORY_LABELS

    return {str(k): v for k, v in CATEGORY_LABELS.items()}


def policy_changes(before: list[str] | None, after: list[str]) -> str:
    """What changed between two builds' policies, in one line."""
    if before is None:
        return f"First build: {len(after)} policies."
    added = [t for t in after if t not in before]
    dropped = [t for t in before if t not in after]
    if not added and not dropped:
        return f"The same {len(after)} policies as the last build."
    parts = []
    if added:
        parts.append("added " + ", ".join(added))
    if dropped:
        parts.append("dropped " + ", ".join(dropped))
    return "Since the last build: " + "; ".join(parts) + "."


def page_pictures(pdf: bytes, *, pages: int = 3, width: int = 420) -> list[bytes]:
    """PNG pictures of a PDF's first pages."""
    from manualgen.services.pictures import page_pictures as _pictures

    return _pictures(pdf, pages=pages, width=width)


def record_tables(library: Library) -> list[RecordTable]:
    """The record tables of a submission (columns, labels, allowed values)."""
    from manualgen.inputs.record_forms import record_tables as _tables

    return _tables(library)


def record_table(library: Library, stem: str) -> RecordTable:
    from manualgen.inputs.record_forms import record_table as _table

    return _table(library, stem)


def read_records(folder: Path, table: RecordTable) -> tuple[list[dict[str, str]],
                                                           Path | None]:
    """One record table's rows as text cells, and the file they came from."""
    from manualgen.inputs.record_forms import read_rows

    return read_rows(Path(folder), table)


def records_file(table: RecordTable, rows: list[dict[str, str]], *,
                 existing: bytes | None = None) -> tuple[str, bytes]:
    """(path inside the submission folder, bytes) of a record table holding `rows`."""
    from manualgen.inputs.record_forms import goals_yaml, rows_csv

    if table.file.endswith(".yaml"):
        return f"records/{table.file}", goals_yaml(existing, table, rows)
    return f"records/{table.file}", rows_csv(table, rows, existing)


def import_records(table: RecordTable, name: str, data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded CSV or Excel sheet with the table's columns."""
    from manualgen.inputs.record_forms import import_rows

    return import_rows(table, name, data)


def check_upload(name: str, data: bytes) -> str:
    """The kind of an uploaded sample (pdf, word, image), judged by its content."""
    from manualgen.submission.uploads import check_upload as _check

    return _check(name, data)


def sample_kind(name: str) -> str | None:
    """The sample kind a file name claims (pdf, word, image), or None: not a sample."""
    from manualgen.submission.intake import kind_of

    return kind_of(name)


def photo_date(data: bytes) -> dt.date | None:
    from manualgen.submission.uploads import photo_date as _date

    return _date(data)


def dated_name(name: str, day: dt.date | None) -> str:
    from manualgen.submission.uploads import dated_name as _dated

    return _dated(name, day)


def rotate_photo(data: bytes, quarter_turns: int = 1) -> bytes:
    from manualgen.submission.uploads import rotate_photo as _rotate

    return _rotate(data, quarter_turns)


def suggested_activities(sub: Submission, rows: list[dict[str, str]], *,
                         package: str | Path | None = None) -> list[dict[str, str]]:
    """Activity-log rows the samples already record (a dated inspection in
    site-inspections/) that `rows` do not hold yet."""
    from manualgen.submission import intake
    from manualgen.submission.spec import load_package

    spec = load_package(_default_package(package), sub.library)
    kinds = {c.key: c.activity for c in spec.categories if c.activity}
    have = {(r.get("date", ""), r.get("activity", "")) for r in rows}
    out = []
    for sample in intake.scan(sub, spec).samples:
        activity = kinds.get(sample.category)
        if activity is None or sample.date is None or \
                not sub.period.start <= sample.date <= sub.period.end:
            continue
        key = (sample.date.isoformat(), activity)
        if key in have:
            continue
        have.add(key)
        out.append({"date": key[0], "activity": activity, "site": "",
                    "description": sample.title, "people": ""})
    return sorted(out, key=lambda r: (r["date"], r["activity"]))


def submission_categories(library: Library, *, package: str | Path | None = None) -> list:
    """The categories of a package, in the reviewer's order."""
    from manualgen.submission.spec import load_package

    return list(load_package(_default_package(package), library).categories)


def submission_folder_name(profile: ProfileSource, library: Library, *,
                           on: dt.date) -> str:
    """The name of the year's submission folder: `<year of the anniversary>-submission`."""
    from manualgen.inputs.program import next_anniversary

    secor = load_profile(profile, library).profile.secor
    year = next_anniversary(secor.certificate_date, on).year if secor else on.year
    return f"{year}-submission"


def submission_readiness(report: SubmissionReport) -> list[Readiness]:
    """Each category's state and the date of its latest sample, for a readiness view."""
    from manualgen.submission.readiness import readiness

    return readiness(report)


# --------------------------------------------------------------------------- phone and paper forms
# A completed form from a phone is received into a journal (acknowledged), then filed by a
# build as a dated PDF sample and records rows (`forms.intake`); a paper form's scan or
# photo is filed by its QR code (`forms.paper`).


class PhoneFormRefused(UsageError):
    """A completed form that cannot be accepted; `field` names the field (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def current_submission(workspace: Workspace, library: Library, *, on: dt.date,
                       make: bool = True) -> str | None:
    """The submission folder new samples go into: the newest; with `make`, a new one made
    as the Submission page's "Start" makes it when the company has none yet."""
    names = workspace.submissions()
    if names or not make:
        return names[0] if names else None
    profile = load_profile(workspace.profile_path, library)
    name = submission_folder_name(profile, library, on=on)
    workspace.new_tree(name, new_submission_files(library, profile=profile, on=on))
    return name


def phone_app_data(workspace: Workspace, library: Library, *, on: dt.date) -> dict[str, Any]:
    """What the phone app caches (`GET /forms/app.json`): the company's forms with their
    choices from its data (`forms.phone`)."""
    from manualgen.forms.phone import app_data

    profile = load_profile(workspace.profile_path, library)
    return app_data(profile, library, on=on,
                    submission=current_submission(workspace, library, on=on, make=False))


def receive_phone_form(workspace: Workspace, library: Library, meta: Any,
                       files: Mapping[str, bytes], *, now: dt.datetime):
    """Check a completed form and write it into the journal: the acknowledgement. A form
    sent again (the same id) writes nothing. Raises `PhoneFormRefused`."""
    from manualgen.forms import intake

    try:
        return intake.receive(workspace, library, meta, dict(files), now=now)
    except intake.Refused as exc:
        raise PhoneFormRefused(exc.message, exc.field) from None


def phone_form_states(workspace: Workspace, ids: list[str]) -> dict[str, str]:
    """Each id's fate: received, filed, `failed: <why>` or unknown."""
    from manualgen.forms import intake

    return {i: intake.state(workspace, i.lower()) for i in ids}


def unfiled_phone_forms(workspace: Workspace) -> list[str]:
    """Forms received but not filed (their build was lost, or failed): file them again."""
    from manualgen.forms import intake

    return intake.unfiled(workspace)


def phone_forms_received(workspace: Workspace) -> list[dict[str, Any]]:
    from manualgen.forms import intake

    return intake.entries(workspace)


def note_phone_form_failure(workspace: Workspace, form_id: str, why: str) -> None:
    from manualgen.forms import intake

    intake.note_failure(workspace, form_id, why)


def file_phone_form(workspace: Workspace, library: Library, form_id: str, *,
                    today: dt.date):
    """File a received form: its PDF in its category of the current submission (made
    when there is none), its records rows; idempotent (`forms.intake`)."""
    from manualgen.forms import intake
    from manualgen.forms.completed import render_completed

    profile = load_profile(workspace.profile_path, library)

    def render(info, definition, meta, files) -> bytes:
        return render_completed(info, definition, meta, files, profile,
                                day=intake.form_day(meta, definition))

    return intake.file_form(workspace, library, profile, form_id, render=render,
                            submission=lambda: current_submission(workspace, library,
                                                                  on=today))


@dataclass(frozen=True)
class PaperFiled:
    category: str | None          # the submission category, None: completed-forms/
    file: str                     # relative to the company folder
    needs_date: bool              # no date could be read: the submission page asks for it


def file_paper_form(workspace: Workspace, library: Library, name: str, data: bytes, *,
                    on: dt.date) -> PaperFiled:
    """A scan or photo of a completed paper form filed by its QR code: into its category
    of the current submission, dated by the photo's own date when it has one (else the
    submission page asks for the date, as for any undated sample)."""
    from manualgen.forms.intake import COMPLETED
    from manualgen.forms.paper import identify

    kind = check_upload(name, data)
    if kind not in ("pdf", "image"):
        raise UsageError(f"{name} is not a scan or a photo",
                         fix="send a PDF scan or a photo of the completed paper form")
    profile = load_profile(workspace.profile_path, library)
    found = identify(name, data, library, profile.profile.company.wscb_account)
    suffix = Path(safe_name(name)).suffix.lower() or (".pdf" if kind == "pdf" else ".jpg")
    day = photo_date(data) if kind == "image" else None
    base = safe_name(f"{found.form_title}{suffix}")
    clean = dated_name(base, day) if day else base
    if found.category:
        folder = f"{current_submission(workspace, library, on=on)}/{found.category}"
    else:
        folder = f"{COMPLETED}/{found.code.form_id}"
    target = free_name(workspace, folder, clean)
    workspace.write(f"{folder}/{target}", data)
    return PaperFiled(found.category, f"{folder}/{target}", day is None)


def free_name(workspace: Workspace, folder: str, name: str) -> str:
    """`name`, or `name (2)` when the folder holds one already."""
    stem, dot, suffix = name.rpartition(".")
    candidate, n = name, 2
    while workspace.path(f"{folder}/{candidate}").exists():
        candidate = f"{stem} ({n}){dot}{suffix}" if dot else f"{name} ({n})"
        n += 1
    return candidate


def open_actions(workspace: Workspace, library: Library) -> list[dict[str, str]]:
    """The current submission's action-plan items not closed yet, soonest due first:
    what the overview lists until someone closes them in the records."""
    names = workspace.submissions()
    if not names:
        return []
    name = names[0]
    table = record_table(library, "action-plan")
    try:
        rows, _source = read_records(workspace.path(name), table)
    except InputError:
        return []
    open_rows = [r for r in rows if r.get("status", "") != "closed" and
                 not r.get("completed")]
    return sorted(open_rows, key=lambda r: (r.get("due") or "9999", r.get("finding", "")))


# --------------------------------------------------------------------------- NSNY's letters


def default_letter_template() -> str:
    """The Letter of Good Standing's shipped wording, for NSNY to edit."""
    from manualgen.letter import default_template

    return default_template()


def letter_text(template: str, values: LetterValues) -> str:
    """A letter's text from NSNY's template; InputError naming the line when it is wrong."""
    from manualgen.letter import letter_text as _text

    return _text(template, values)


def letter_pdf(template: str, values: LetterValues) -> bytes:
    """A Letter of Good Standing as PDF bytes."""
    from manualgen.letter import letter_pdf as _pdf

    return _pdf(template, values)
