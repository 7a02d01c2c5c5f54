"""Where the shipped data lives: the policy library, form templates, packages, examples.

In a wheel they are package data under `manualgen/_bundled/`; in a git checkout they sit
beside the package, where NSNY staff edit them. Which library a command uses is decided
once, at the edge (`--library DIR`, then `MANUALGEN_LIBRARY`, then this bundled one), and
handed down as a path: nothing below the front ends reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources as _res
from pathlib import Path

POLICY_DIR = "policy_library"
FORMS_DIR = "form_templates"
PACKAGES_DIR = "packages"
EXAMPLES_DIR = "examples"
LIBRARY_FILE = "library.yaml"


def bundled_home() -> Path:
    """The folder holding the shipped library: the wheel's package data, or the checkout."""
    packaged = Path(str(_res.files("manualgen"))) / "_bundled"
    if (packaged / POLICY_DIR / LIBRARY_FILE).is_file():
        return packaged
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LibraryPaths:
    """The three folders a library is made of."""

    policies: Path      # library.yaml, program.yaml, elements.yaml, hazards.yaml, policies/
    forms: Path         # forms.yaml, the form templates, master.docx
    packages: Path      # the submission package definitions

    @property
    def home(self) -> Path:
        return self.policies.parent


def library_paths(location: Path | str | None = None) -> LibraryPaths:
    """The library at `location`: a folder holding policy_library/ (with form_templates/ and
    packages/ beside it), or a policy library folder itself. Forms and packages a location
    lacks come from the bundled library. None: the bundled library."""
    bundled = bundled_home()
    if location is None:
        home = bundled
        policies = home / POLICY_DIR
    else:
        location = Path(location).expanduser()
        if (location / LIBRARY_FILE).is_file() and not (location / POLICY_DIR).is_dir():
            policies, home = location, location.parent
        else:
            policies, home = location / POLICY_DIR, location
    forms = home / FORMS_DIR if (home / FORMS_DIR).is_dir() else bundled / FORMS_DIR
    packages = home / PACKAGES_DIR if (home / PACKAGES_DIR).is_dir() else bundled / PACKAGES_DIR
    return LibraryPaths(policies, forms, packages)


def examples_dir() -> Path:
    """The bundled example company (profile, logo, a year's submission folder)."""
    return bundled_home() / EXAMPLES_DIR
