"""NSNY's library of policies, forms and program rules: checked, listed, proofread,
compared, imported from Word, edited in the portal and published as a version.

    report = api.library.check("my-library", on=datetime.date.today())
    print(report.as_text())
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from manualgen.api._common import prepared
from manualgen.errors import Problem, Severity, UsageError
from manualgen.inputs.library.model import Policy
from manualgen.library.book import BookResult
from manualgen.library.coverage import Coverage
from manualgen.library.diff import LibraryDiff, Mark, RedlineParagraph
from manualgen.library.editing import Finding, HeaderFields, PolicySource
from manualgen.library.importer import ImportResult
from manualgen.library.lint import LintReport
from manualgen.library.listing import Listing
from manualgen.library.publish import Release, make_release, next_version
from manualgen.resources import LibraryPaths
from manualgen.services.library_repo import LibraryRepo, VersionTag

if TYPE_CHECKING:
    from manualgen.api._common import ProfileSource
    from manualgen.inputs.library.load import Library

__all__ = [
    "Policy", "LintReport", "Listing", "Coverage", "BookResult", "ImportResult",
    "LibraryDiff", "Mark", "RedlineParagraph", "PolicySource", "HeaderFields", "Finding",
    "LibraryRepo", "VersionTag", "Release", "make_release", "next_version",
    "check", "listing", "coverage", "coverage_document", "book", "diff", "import_policy",
    "review_due", "check_draft", "preview_policy", "redline", "check_form_template",
    "publish",
]


def check(location: Path | str | LibraryPaths | None = None, *, on: dt.date) -> LintReport:
    """Every problem of the library at once (a library that will not load included)."""
    from manualgen.library.lint import check_library

    return check_library(location if isinstance(location, LibraryPaths | None)
                         else Path(location), on=on)


def listing(library: Library) -> Listing:
    """Every policy and form, with when each applies and what uses it."""
    from manualgen.library.listing import list_library

    return list_library(library)


def coverage(library: Library) -> Coverage:
    """Each audit element against the policies and forms that show what it must."""
    from manualgen.library.coverage import coverage as _coverage

    return _coverage(library)


def coverage_document(report: Coverage, name: Path | str) -> bytes:
    """The coverage table as .docx or .html bytes, by the suffix of `name`."""
    from manualgen.library.coverage import coverage_document as _doc

    return _doc(report, name)


def book(library: Library) -> BookResult:
    """The whole library as one Word document for proofreading."""
    from manualgen.library.book import build_book

    return build_book(library)


def diff(old: Library, new: Library, *, companies: Path | str | None = None) -> LibraryDiff:
    """Policies added, removed and changed from `old` to `new` (changed sections, word by
    word); with `companies` (a folder of company folders), whose manuals each reaches."""
    from manualgen.library.diff import diff_libraries

    return diff_libraries(old, new, companies=Path(companies) if companies else None)


def import_policy(source: Path | str, library: Library | None = None, *,
                  policy_id: str | None = None) -> ImportResult:
    """A Word policy as library Markdown with a header to complete."""
    from manualgen.library.importer import import_policy as _import

    return _import(Path(source), library, policy_id=policy_id)


# --------------------------------------------------------------------------- editing


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

    inputs = prepared(profile, library)
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


def publish(home: Path | str, changes: Mapping[str, bytes], notes: list[str], *,
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

    def make(repo: LibraryRepo) -> Release:
        if base is not None:
            moved = sorted(set(changes) & set(repo.changed_files(base)))
            if moved:
                raise UsageError(f"{', '.join(moved)} changed since version {base}",
                                 fix="edit the current text again and publish that")
        return make_release(repo.read, changes, notes, on)

    def whole(staged: Path) -> list[Problem]:
        from manualgen.library.lint import check_library

        return check_library(staged, on=on).problems

    return LibraryRepo(home).publish(make, author=author, email=email, check=check or whole)
