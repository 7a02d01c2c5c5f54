"""The long jobs a front end starts on a company folder: the manual, the forms, a
submission PDF. Each reads the folder through its `Workspace`, calls the job's API and
writes what it made into the folder (atomically), reporting its stage as it goes.

One code path for every front end: `manualgen serve` runs a build on a thread of its own
process, the portal's worker processes run the same function from the task queue
(`portal.jobs`), so a manual built in the browser leaves what the CLI leaves, its
revision record in `revisions/` included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from manualgen.errors import UsageError

if TYPE_CHECKING:
    from manualgen.inputs.library.load import Library
    from manualgen.services.office import Office
    from manualgen.services.workspace import Workspace

MANUAL_RECORD = "manual.json"       # in output/: what the Manual page shows of the last build
PICTURES = 3                        # first pages drawn for the Manual page


def bug_message(details: str) -> str:
    """What the owner reads when a build failed with a bug; `details`: where the
    traceback went (the app's terminal, the portal's log)."""
    return ("manualgen failed with an internal error; this is a bug in manualgen, not in "
            f"your files. {details}")


class BuildKind(StrEnum):
    MANUAL = "manual"
    FORMS = "forms"
    SUBMISSION = "submission"
    PHONE_FORM = "phone_form"       # a completed form from a phone: `name` is its id


TITLES = {BuildKind.MANUAL: "Building the manual", BuildKind.FORMS: "Building the forms",
          BuildKind.SUBMISSION: "Building the submission PDF",
          BuildKind.PHONE_FORM: "Filing a form sent from a phone"}


@dataclass(frozen=True)
class BuildSpec:
    """What to build; plain values, so a queue can carry it to another process."""

    kind: BuildKind
    name: str = ""                  # the submission folder; a phone form's id
    skip_unreadable: bool = False   # a submission: leave out files that cannot be read

    @property
    def key(self) -> str:
        """One build of each key runs per company folder at a time."""
        return f"{self.kind}:{self.name}" if self.name else str(self.kind)

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "name": self.name,
                "skip_unreadable": self.skip_unreadable}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuildSpec:
        try:
            kind = BuildKind(data.get("kind", ""))
        except ValueError:
            raise UsageError(f"there is no build called {data.get('kind')!r}") from None
        return cls(kind, str(data.get("name") or ""), bool(data.get("skip_unreadable")))


class Progress(Protocol):
    def __call__(self, stage: str, done: int = 0, total: int | None = None) -> None:
        """The build reached `stage`, `done` more steps of `total`."""


def run_build(spec: BuildSpec, ws: Workspace, library: Library, office: Office, *,
              today: dt.date, progress: Progress) -> str:
    """Run one build into the workspace; a sentence saying what was made."""
    if not ws.has_profile:
        raise UsageError("there is no company profile yet",
                         fix="fill in the Company pages first")
    if spec.kind is BuildKind.SUBMISSION:
        return _submission(spec, ws, library, office, today=today, progress=progress)
    if spec.kind is BuildKind.PHONE_FORM:
        return _phone_form(spec, ws, library, today=today, progress=progress)
    if spec.kind is BuildKind.FORMS:
        return _forms(ws, library, progress)
    return _manual(ws, library, office, today=today, progress=progress)


@dataclass(frozen=True)
class ManualRecord:
    """What the Manual page shows of the last build (output/manual.json)."""

    policies: list[str]
    pages: int
    company: str
    built: str                      # the day, ISO
    built_at: str                   # "2026-12-08 14:03"
    seconds: float
    changes: str                    # the policies added and dropped since the build before
    warnings: list[str] = field(default_factory=list)
    laid_out: int = 0               # chapters LibreOffice laid out again; the rest cached
    chapters: int = 0

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=1, ensure_ascii=False)


def read_manual_record(ws: Workspace) -> ManualRecord | None:
    """The last build's record, or None (none yet, or unreadable: built again)."""
    path = ws.output / MANUAL_RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        return ManualRecord(**data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError):
        return None


def _forms(ws: Workspace, library: Library, progress: Progress) -> str:
    from manualgen import api

    progress("Reading the company profile", total=4)
    profile = api.load_profile(ws.profile_path, library)
    progress("Filling in the forms", 1)
    forms = api.forms.build(profile, library)
    ws.write_output("forms.zip", forms.zip_bytes(profile.profile.manual.issued))
    progress("Done", 3)
    return f"{len(forms.docx)} forms in forms.zip"


def _manual(ws: Workspace, library: Library, office: Office, *, today: dt.date,
            progress: Progress) -> str:
    from manualgen import api

    started = time.monotonic()
    progress("Reading the company profile", total=4)
    profile = api.load_profile(ws.profile_path, library)
    before = read_manual_record(ws)
    progress("Laying out the pages and numbering the contents (a few seconds)", 1)
    # the chapters' page counts kept where `manualgen manual` keeps them, so a rebuild
    # lays out again only what changed
    layouts = api.manual.LayoutCache(ws.state / "layout")
    result = api.manual.build(profile, library, api.manual.ManualOptions(pdf=True, office=office,
                                                                         cache=layouts))
    progress("Saving and drawing the first pages", 1)
    ws.write_output("manual.docx", result.docx)
    if result.pdf is not None:
        ws.write_output("manual.pdf", result.pdf)
        for n, png in enumerate(api.workspace.page_pictures(result.pdf, pages=PICTURES), 1):
            ws.write_output(f"manual-page-{n}.png", png)
    kept = api.manual.record_file(ws.root, result)      # as `manualgen manual` keeps it
    if kept.path is not None:
        ws.write(ws.relative(kept.path), kept.data, keep=False)
    change = api.manual.policy_changes(before.policies if before else None, result.policies)
    ws.write_output(MANUAL_RECORD, ManualRecord(
        result.policies, result.pages, result.company, today.isoformat(),
        ws.now().strftime("%Y-%m-%d %H:%M"), round(time.monotonic() - started, 2), change,
        list(result.warnings), layouts.misses, layouts.hits + layouts.misses).to_json())
    progress("Done", 1)
    return f"{result.pages} pages, {len(result.policies)} policies. {change}"


def _submission(spec: BuildSpec, ws: Workspace, library: Library, office: Office, *,
                today: dt.date, progress: Progress) -> str:
    from manualgen import api

    profile = api.load_profile(ws.profile_path, library)
    sub = api.submission.load(ws.submission(spec.name), library, company=profile, on=today)

    def said(stage: str, done: int, total: int) -> None:
        progress(stage.capitalize(), done, total)

    options = api.submission.BuildOptions(skip_unreadable=spec.skip_unreadable,
                                          pdf_name=f"{spec.name}.pdf")
    result = api.submission.build(sub, options, office=office, progress=said)
    ws.write_output(f"{spec.name}.pdf", result.pdf_bytes())
    ws.write_output(f"{spec.name}.json", result.index_text())
    return result.summary(f"{spec.name}.pdf")



def _phone_form(spec: BuildSpec, ws: Workspace, library: Library, *, today: dt.date,
                progress: Progress) -> str:
    """File a completed phone form (`forms.intake`); a failure is noted in its journal
    entry, where the phone's outbox reads it, and the next start-up tries again."""
    from manualgen import api

    progress("Filing the form", total=2)
    try:
        filed = api.forms.file_phone_form(ws, library, spec.name, today=today)
    except api.ManualgenError as exc:
        api.forms.note_failure(ws, spec.name, str(exc))
        raise
    except Exception:
        api.forms.note_failure(ws, spec.name, "manualgen failed with an internal "
                               "error; the form is kept and filed again later")
        raise
    progress("Done", 2)
    return filed.summary()
