"""Where the shipped data lives: the policy library, form templates, packages, examples.

They sit beside the package in the repository. `MANUALGEN_HOME` points elsewhere, so NSNY
can keep its library in its own folder or test a changed copy.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    env = os.environ.get("MANUALGEN_HOME")
    return Path(env) if env else Path(__file__).resolve().parent.parent


def library_dir() -> Path:
    return home() / "policy_library"


def templates_dir() -> Path:
    return home() / "form_templates"


def packages_dir() -> Path:
    return home() / "packages"


def examples_dir() -> Path:
    return home() / "examples"
