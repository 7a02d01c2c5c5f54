"""A company's folder as the front ends edit it: the questions of company.yaml, the
profile written back with comments, the logo, the pictures of a built manual.

The web app and the portal keep each company in a `Workspace` (every replaced file kept
in its history); `manualgen init` writes a new folder's company.yaml through the same
questions and the same writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from manualgen.inputs.profile import PROFILE_NAME, field_words
from manualgen.inputs.questions import AnswerCheck, Group, Question
from manualgen.services.workspace import (
    NoSuchFolder,
    OutsideFolder,
    Workspace,
    refuse_unsafe,
    safe_name,
)

if TYPE_CHECKING:
    from manualgen.inputs.library.load import Library
    from manualgen.inputs.profile import CompanyProfile, Logo

__all__ = [
    "Workspace", "NoSuchFolder", "OutsideFolder", "Group", "Question", "AnswerCheck",
    "PROFILE_NAME", "open_folder", "safe_name", "refuse_unsafe", "field_words", "questions",
    "check_answers", "suggested_hazards", "profile_data", "profile_text", "profile_yaml",
    "save_profile", "write_new_profile", "example_profile", "check_logo", "page_pictures",
]


def open_folder(folder: Path | str) -> Workspace:
    """The company folder `folder` as a workspace (it need not hold a profile yet)."""
    return Workspace(folder)


def questions(library: Library, *, on: dt.date | None = None) -> list[Group]:
    """Every question of company.yaml, in sections, with the library's hazards, trades,
    facilities and courses."""
    from manualgen.inputs.questions import library_groups

    return library_groups(library, on)


def check_answers(group: Group, answers: Mapping[str, Any], library: Library, *,
                  siblings: list[Mapping[str, Any]] = (), first: bool = False
                  ) -> AnswerCheck:
    """What has been answered in one section (or one item of a list) judged by the
    profile's own rules, as the terminal interview asks it; fields not answered yet are
    not judged."""
    from manualgen.inputs.pipeline import vocabulary
    from manualgen.inputs.questions import check_answers as _check

    return _check(group, answers, vocabulary(library), siblings=siblings, first=first)


def suggested_hazards(library: Library, text: str, have: list[str]) -> list[str]:
    """Hazards whose words `text` (a scope of work) uses and `have` does not hold yet."""
    from manualgen.inputs.facts import suggest_hazards
    from manualgen.inputs.pipeline import vocabulary

    return [s.key for s in suggest_hazards(text, vocabulary(library), have)]


def profile_data(profile: CompanyProfile) -> dict[str, Any]:
    """A valid profile as plain data (keys for choices, dates as dates, no empty values),
    as `profile_text` writes it."""
    return profile.profile.model_dump(mode="python", exclude_none=True, by_alias=True)


def profile_yaml(data: Mapping[str, Any], library: Library, *, on: dt.date,
                 writer: str = "manualgen init") -> str:
    """Profile data (a valid profile's, or an interview's answers) as the commented
    company.yaml, in the order and words of the example; `writer` names the front end."""
    from manualgen.inputs.profile_yaml import render_profile

    return render_profile(dict(data), library, on, writer=writer)


def profile_text(profile: CompanyProfile, library: Library, *, on: dt.date,
                 writer: str = "manualgen serve") -> str:
    """The commented company.yaml of a valid profile."""
    return profile_yaml(profile_data(profile), library, on=on, writer=writer)


def save_profile(workspace: Workspace, profile: CompanyProfile, library: Library, *,
                 on: dt.date, logo: Logo | None = None) -> Path:
    """Write a valid profile (and its logo, when given) into the workspace; the versions
    they replace are kept in its history."""
    text = profile_text(profile, library, on=on)
    name = profile.profile.company.logo
    if logo is not None and name:
        workspace.write(name, logo.data)
    return workspace.write(PROFILE_NAME, text)


def example_profile() -> tuple[str, bytes | None]:
    """The example company's company.yaml text and its logo's bytes."""
    from manualgen.resources import examples_dir

    example = examples_dir() / PROFILE_NAME
    logo = example.parent / "logo.png"
    return example.read_text(encoding="utf-8"), logo.read_bytes() if logo.is_file() else None


def write_new_profile(folder: Path, text: str, library: Library, *,
                      logo: bytes | None = None) -> list[Path]:
    """Check company.yaml's text as `manualgen check` does (InputError with every problem,
    nothing written), then write it into `folder` atomically, with its logo unless the
    folder has that file already. The paths written."""
    from manualgen.inputs.pipeline import vocabulary
    from manualgen.inputs.profile import validate_profile
    from manualgen.io import parse_yaml
    from manualgen.services.storage import atomic_write_bytes, atomic_write_text

    target = folder / PROFILE_NAME
    doc = parse_yaml(text, target)
    loaded = validate_profile(doc, vocabulary(library), folder=folder, logo=logo)
    written = []
    name = loaded.profile.company.logo
    if logo is not None and name and not (folder / name).exists():
        atomic_write_bytes(folder / name, logo)
        written.append(folder / name)
    atomic_write_text(target, text)
    return [*written, target]


def check_logo(data: bytes, name: str) -> str | None:
    """Why these bytes cannot be the logo, or None when they can."""
    from manualgen.inputs.profile import check_logo as _check

    return _check(data, name)


def page_pictures(pdf: bytes, *, pages: int = 3, width: int = 420) -> list[bytes]:
    """PNG pictures of a PDF's first pages (a built manual's, for its page)."""
    from manualgen.services.pictures import page_pictures as _pictures

    return _pictures(pdf, pages=pages, width=width)
