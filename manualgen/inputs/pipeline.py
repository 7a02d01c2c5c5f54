"""The shared first stage of every company job: load and validate once, then select.

Manual, forms and status all start here, so a profile is judged the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manualgen.inputs.context import build_context
from manualgen.inputs.library.load import Library, load_library
from manualgen.inputs.library.model import Policy
from manualgen.inputs.library.select import select_policies
from manualgen.inputs.profile import LoadedProfile, load_profile


@dataclass
class Inputs:
    library: Library
    profile: LoadedProfile
    policies: list[Policy]       # the policies that apply to this company, in manual order
    context: dict[str, Any]      # the template variables


def load_inputs(profile_path: Path, library_dir: Path | None = None,
                forms_dir: Path | None = None) -> Inputs:
    library = load_library(library_dir, forms_dir)
    loaded = load_profile(Path(profile_path), library.rules, library.hazard_keys)
    policies = select_policies(library.policies, loaded.profile, library.rules)
    return Inputs(library, loaded, policies, build_context(loaded.profile, library))
