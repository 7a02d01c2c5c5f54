"""The company's health and safety manual: built, compared with an earlier revision,
absorbed back from a copy the employer edited in Word, kept up with the library.

    result = api.manual.build(profile, library, api.manual.ManualOptions(pdf=True))
    api.save("manual.docx", result.docx)
    api.save(api.manual.record_file(folder, result).path, ...)   # its revision record
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from manualgen.api._common import load_profile, prepared
from manualgen.errors import InputError
from manualgen.manual.build import Layout, ManualResult
from manualgen.manual.revisions import policy_changes
from manualgen.manual.updates import LibraryUpdate
from manualgen.render.paginate import LayoutCache

if TYPE_CHECKING:
    from manualgen.api._common import ProfileSource
    from manualgen.inputs.library.load import Library
    from manualgen.manual.absorb import AbsorbResult
    from manualgen.manual.fleet import FleetConfig, FleetResult
    from manualgen.manual.news import LibraryNews, NewsKind, PolicyNews
    from manualgen.manual.own_policies import OwnReport
    from manualgen.manual.redline import RedlineResult
    from manualgen.services.office import Office
    from manualgen.services.workspace import Workspace

# The types of the verbs beside building, imported when first named: `manualgen manual`
# builds without loading absorb's Word reader, the fleet's processes or the redline
# (7.5 MiB less at its peak: bench/NOTES.md).
_LATER = {"AbsorbResult": "absorb", "FleetConfig": "fleet", "FleetResult": "fleet",
          "LibraryNews": "news", "NewsKind": "news", "PolicyNews": "news",
          "OwnReport": "own_policies", "RedlineResult": "redline"}


def __getattr__(name: str):
    if name in _LATER:
        import importlib

        value = getattr(importlib.import_module(f"manualgen.manual.{_LATER[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "ManualOptions", "RedlineOptions", "RecordFile", "build", "record_file", "redline",
    "absorb", "own_policies", "copy_policy", "accept_library_change", "library_news",
    "new_revision", "library_version", "policy_changes", "find_companies", "build_fleet",
    "Layout", "ManualResult", "LayoutCache", "LibraryUpdate", "LibraryNews", "PolicyNews",
    "NewsKind", "AbsorbResult", "OwnReport", "RedlineResult", "FleetConfig", "FleetResult",
]


@dataclass(frozen=True)
class ManualOptions:
    """How a manual is built. `layout`: who numbers the contents (LibreOffice now, or Word
    when the file is opened); `pdf`: a PDF too; `office`: the LibreOffice to use (found
    when None); `cache`: the company's chapter layouts (`LayoutCache(folder)`, or in memory
    only): only chapters it has not seen are laid out again."""

    layout: Layout | str = Layout.LIBREOFFICE
    pdf: bool = False
    office: Office | None = None
    cache: LayoutCache | None = None


def build(profile: ProfileSource, library: Library,
          options: ManualOptions | None = None) -> ManualResult:
    """The draft health and safety manual: `.docx` bytes, PDF bytes with `pdf`; its
    revision record (`record_file`) and the library changes under the company's own
    versions (`updates`, each with a readable diff: shown, never merged)."""
    from manualgen.manual.build import build_company_manual

    o = options or ManualOptions()
    return build_company_manual(profile, library, layout=o.layout, pdf=o.pdf, office=o.office,
                                cache=o.cache)


@dataclass
class RecordFile:
    """Where a build's revision record goes in the company folder, or why it does not."""

    path: Path | None
    data: bytes
    skipped: str | None = None


def record_file(folder: Path | str, result: ManualResult) -> RecordFile:
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


@dataclass(frozen=True)
class RedlineOptions:
    """`current`: this build (else the profile is rendered now); `pdf`: a PDF of it as
    LibreOffice shows tracked changes; `office`: the LibreOffice to use."""

    current: ManualResult | None = None
    pdf: bool = False
    office: Office | None = None


def redline(profile: ProfileSource, library: Library, since: int,
            options: RedlineOptions | None = None) -> RedlineResult:
    """The changes from revision `since` (its record in the company folder) to this build
    as a Word document with tracked changes (insertions underlined, deletions struck
    through)."""
    from manualgen.manual.redline import redline_since
    from manualgen.services.office import Office

    o = options or RedlineOptions()
    return redline_since(prepared(profile, library), since,
                         o.current.record if o.current is not None else None, pdf=o.pdf,
                         office=o.office or Office.find())


def absorb(profile: ProfileSource, library: Library, edited: bytes | Path | str, *,
           on: dt.date, name: str | None = None, replace: bool = False) -> AbsorbResult:
    """A manual the employer edited in Word (its bytes, or a path) compared with what was
    generated for its revision: each changed policy as a company policy file
    (`result.files`, paths relative to the company folder, to write with `save`), and
    what could not be kept. `on` dates the saved policies' review; `name` is the file's
    name in messages; `replace` lets an edit replace a company policy that changed since
    the manual was built."""
    from manualgen.manual.absorb import absorb as _absorb
    from manualgen.manual.absorb import read_manual_file

    if isinstance(edited, str | Path):
        name = name or str(edited)
        data = read_manual_file(Path(edited))
    else:
        data = edited
    return _absorb(prepared(profile, library), data, name=name or "edited manual", on=on,
                   replace=replace)


def own_policies(profile: ProfileSource, library: Library, *, diff: bool = False
                 ) -> OwnReport:
    """The company's own versions, additions and omissions, and the library changes
    waiting under its versions (with `diff`, each shown word by word)."""
    from manualgen.manual.own_policies import own_report

    return own_report(prepared(profile, library), diff=diff)


def copy_policy(profile: ProfileSource, library: Library, policy_id: str, *,
                on: dt.date) -> dict[str, bytes]:
    """The files (company-folder paths: bytes) that start the company's own version of a
    library policy from the library's text, variables kept."""
    from manualgen.manual.own_policies import copy_policy as _copy

    return _copy(prepared(profile, library), policy_id, on=on)


def accept_library_change(profile: ProfileSource, library: Library,
                          policy_id: str) -> dict[str, bytes]:
    """After review: the company's version is based on the library's current revision
    (its `based_on` and base copy move; its text does not)."""
    from manualgen.manual.own_policies import accept_update

    return accept_update(prepared(profile, library), policy_id)


def library_news(workspace: Workspace, library: Library) -> LibraryNews:
    """What the library now changes in the company's manual (its last recorded revision)
    and under its own versions; empty when there is no profile or it does not load."""
    from manualgen.inputs.revisions import load_records
    from manualgen.manual.news import LibraryNews
    from manualgen.manual.news import library_news as _news

    try:
        inputs = prepared(workspace.profile_path, library)
    except InputError:
        return LibraryNews(library.info.version, None, None)
    return _news(inputs, load_records(workspace.root).latest)


def new_revision(workspace: Workspace, library: Library, *, on: dt.date) -> int:
    """Raise the manual's revision (issued `on`) in company.yaml, before a build that
    takes a library version or other changes into a new revision. The new number."""
    from manualgen.api.workspace import save_profile

    loaded = load_profile(workspace.profile_path, library)
    p = loaded.profile
    manual = p.manual.model_copy(update={"revision": p.manual.revision + 1, "issued": on})
    raised = dataclasses.replace(loaded, profile=p.model_copy(update={"manual": manual}))
    save_profile(workspace, raised, library, on=on)
    return manual.revision


def library_version(folder: Path | str) -> str | None:
    """The library version of a company's last recorded manual revision (None: none)."""
    from manualgen.inputs.revisions import latest_library_version

    return latest_library_version(Path(folder))


def find_companies(root: Path) -> list[Path]:
    """Every company.yaml in a folder directly under `root`, in name order."""
    from manualgen.manual.fleet import find_companies as find

    return find(root)


def build_fleet(profiles: list[Path], config: FleetConfig, *,
                workers: int | None = None) -> Iterator[FleetResult]:
    """Many companies' manuals on worker processes (each with its warm LibreOffice);
    results as they finish, failures included."""
    from manualgen.manual.fleet import build_fleet as _build

    return _build(profiles, config, workers=workers)
