"""The company's forms: its personalised blank forms, and completed ones coming back.

A completed form from a phone is received into a journal (the acknowledgement), then
filed by a build as a dated PDF sample and records rows (`forms.intake`); a paper form's
scan or photo is filed by its QR code (`forms.paper`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from manualgen.api._common import load_profile, prepared
from manualgen.errors import UsageError
from manualgen.forms.build import FormsResult
from manualgen.forms.intake import FormState
from manualgen.forms.paper import PaperFiled

if TYPE_CHECKING:
    from manualgen.api._common import ProfileSource
    from manualgen.inputs.library.load import Library
    from manualgen.services.office import Office
    from manualgen.services.workspace import Workspace

__all__ = [
    "FormsOptions", "FormsResult", "FormState", "build", "PhoneFormRefused", "app_data", "receive",
    "states", "unfiled", "note_failure", "file_phone_form", "PaperFiled",
    "file_paper_form", "open_actions",
]


@dataclass(frozen=True)
class FormsOptions:
    """`pdf`: each form as PDF too (LibreOffice); `office`: the LibreOffice to use."""

    pdf: bool = False
    office: Office | None = None


def build(profile: ProfileSource, library: Library,
          options: FormsOptions | None = None) -> FormsResult:
    """The company's personalised blank forms, bytes per file (`zip_bytes()` for one zip)."""
    from manualgen.forms.build import build_forms

    o = options or FormsOptions()
    return build_forms(prepared(profile, library), pdf=o.pdf, office=o.office)


class PhoneFormRefused(UsageError):
    """A completed form that cannot be accepted; `field` names the field (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def app_data(workspace: Workspace, library: Library, *, on: dt.date) -> dict[str, Any]:
    """What the phone app caches (`GET /forms/app.json`): the company's forms with their
    choices from its data (`forms.phone`)."""
    from manualgen.api.submission import current
    from manualgen.forms.phone import app_data as _data

    profile = load_profile(workspace.profile_path, library)
    return _data(profile, library, on=on,
                 submission=current(workspace, library, on=on, make=False))


def receive(workspace: Workspace, library: Library, meta: Any,
            files: Mapping[str, bytes], *, now: dt.datetime):
    """Check a completed form and write it into the journal: the acknowledgement. A form
    sent again (the same id) writes nothing. Raises `PhoneFormRefused`."""
    from manualgen.forms import intake

    try:
        return intake.receive(workspace, library, meta, dict(files), now=now)
    except intake.Refused as exc:
        raise PhoneFormRefused(exc.message, exc.field) from None


def states(workspace: Workspace, ids: list[str]) -> dict[str, str]:
    """Each id's fate: received, filed, `failed: <why>` or unknown."""
    from manualgen.forms import intake

    return {i: intake.state(workspace, i.lower()) for i in ids}


def unfiled(workspace: Workspace) -> list[str]:
    """Forms received but not filed (their build was lost, or failed): file them again."""
    from manualgen.forms import intake

    return intake.unfiled(workspace)


def note_failure(workspace: Workspace, form_id: str, why: str) -> None:
    """Keep why a received form could not be filed, for the page that lists it."""
    from manualgen.forms import intake

    intake.note_failure(workspace, form_id, why)


def file_phone_form(workspace: Workspace, library: Library, form_id: str, *,
                    today: dt.date):
    """File a received form: its PDF in its category of the current submission (made
    when there is none), its records rows; idempotent (`forms.intake`)."""
    from manualgen.api.submission import current
    from manualgen.forms import intake
    from manualgen.forms.completed import render_completed

    profile = load_profile(workspace.profile_path, library)

    def render(info, definition, meta, files) -> bytes:
        return render_completed(info, definition, meta, files, profile,
                                day=intake.form_day(meta, definition))

    return intake.file_form(workspace, library, profile, form_id, render=render,
                            submission=lambda: current(workspace, library, on=today))


def file_paper_form(workspace: Workspace, library: Library, name: str, data: bytes, *,
                    on: dt.date) -> PaperFiled:
    """A scan or photo of a completed paper form filed by its QR code into its category of
    the current submission (made when there is none), dated by the photo (`forms.paper`)."""
    from manualgen.api.submission import current
    from manualgen.forms.paper import file_scan

    profile = load_profile(workspace.profile_path, library)
    return file_scan(workspace, library, profile, name, data,
                     submission=lambda: current(workspace, library, on=on))


def open_actions(workspace: Workspace, library: Library) -> list[dict[str, str]]:
    """The current submission's action-plan items not closed yet, soonest due first:
    what the overview lists until someone closes them in the records."""
    from manualgen.inputs.record_forms import open_actions as _open

    names = workspace.submissions()
    return _open(workspace.path(names[0]), library) if names else []
