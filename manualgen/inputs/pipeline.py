"""The shared first stage of every company job: load and validate once, then select.

Manual, forms and status all start from `Inputs`, so a profile is judged the same way
everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manualgen.inputs.context import build_context
from manualgen.inputs.library.load import Library, load_library
from manualgen.inputs.library.model import Policy
from manualgen.inputs.library.select import select_policies
from manualgen.inputs.profile import CompanyProfile, Vocabulary, load_profile


@dataclass
class Inputs:
    library: Library
    profile: CompanyProfile
    policies: list[Policy]       # the policies that apply to this company, in manual order
    context: dict[str, Any]      # the template variables


def vocabulary(library: Library) -> Vocabulary:
    """What the library decides about a profile (the employee limit, the hazard keys)."""
    matrix = library.rules.risk_matrix
    scale = {"severity": matrix.severity, "likelihood": matrix.likelihood} if matrix else None
    return Vocabulary(library.rules.employee_limit, tuple(library.hazard_keys),
                      library.first_aid, scale)


def prepare(profile: CompanyProfile, library: Library) -> Inputs:
    """A validated profile with the library: its applicable policies and template context."""
    policies = select_policies(library.policies, profile.profile, library.rules)
    return Inputs(library, profile, policies, build_context(profile.profile, library))


def load_inputs(source: Path | str | Mapping[str, Any] | CompanyProfile,
                library: Library | None = None, **profile_options: Any) -> Inputs:
    """Load (or take) a profile and prepare it against `library` (the bundled one if None)."""
    library = library or load_library()
    if not isinstance(source, CompanyProfile):
        source = load_profile(source, vocabulary(library), **profile_options)
    return prepare(source, library)
