"""What the API's job modules share: how a profile may be given, and the step every company
job starts with (the profile loaded, the library's policies chosen for it)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from manualgen.inputs.library.load import Library
    from manualgen.inputs.pipeline import Inputs
    from manualgen.inputs.profile import CompanyProfile

    # A company profile: loaded already, a company.yaml path, or its data (as a web form
    # gives it).
    ProfileSource: TypeAlias = CompanyProfile | Path | str | Mapping[str, Any]


def load_profile(source: ProfileSource, library: Library, *, logo: bytes | None = None,
                 folder: Path | None = None) -> CompanyProfile:
    """A company profile from a company.yaml path or from its data; raises InputError with
    every problem at once. `logo`: the logo's bytes when there is no folder to read
    `company.logo` from; `folder`: the company's folder."""
    from manualgen.inputs.pipeline import vocabulary
    from manualgen.inputs.profile import CompanyProfile
    from manualgen.inputs.profile import load_profile as _load

    if isinstance(source, CompanyProfile):
        return source
    return _load(source, vocabulary(library), logo=logo, folder=folder)


def prepared(profile: ProfileSource, library: Library) -> Inputs:
    """The company's inputs for a job: its profile, policies, records and template values."""
    from manualgen.inputs.pipeline import prepare

    return prepare(load_profile(profile, library), library)


def default_package(package: str | Path | None) -> str | Path:
    """The submission package a call names, or the program's own."""
    from manualgen.submission.spec import DEFAULT_PACKAGE

    return DEFAULT_PACKAGE if package is None else package
