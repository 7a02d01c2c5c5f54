"""Shared test helpers: file trees from dicts, the example company, a minimal company."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from manualgen import resources

EXAMPLE = resources.examples_dir() / "company.yaml"

MINIMAL_PROFILE = {
    "company": {
        "legal_name": "Solo Snow Ltd.",
        "address": "1 Front Street, Dawson City, YT Y0B 1G0",
        "phone": "867-555-0100",
        "wscb_account": "7654321",
        "industry": "Snow removal",
        "scope_of_work": "Clearing driveways and small parking lots.",
        "peak_employees": 1,
    },
    "people": [{"name": "Sam Solo", "position": "Owner", "roles": ["owner"]}],
    "worksites": [{"name": "Client driveways", "kind": "mobile"}],
    "emergency": {
        "nearest_medical": "Dawson City Community Hospital",
        "emergency_number": "911",
        "muster_point": "Beside the truck",
    },
    "manual": {"revision": 0, "issued": "2026-11-26", "approved_by": "Sam Solo"},
}


def make_tree(root: Path, spec: dict) -> Path:
    """Lay out files from a dict: str -> text, bytes -> binary, dict -> folder."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in spec.items():
        path = root / name
        if isinstance(content, dict):
            make_tree(path, content)
        elif isinstance(content, bytes):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    return root


def needs_libreoffice():
    """Skip without LibreOffice on a developer's machine; never in CI, where it must run."""
    from manualgen.services.office import find_soffice

    missing = find_soffice() is None and os.environ.get("CI", "").lower() not in ("1", "true")
    return pytest.mark.skipif(missing, reason="LibreOffice not installed")


@pytest.fixture
def example_company(tmp_path: Path) -> Path:
    """A copy of the example company (profile and logo) in a scratch folder."""
    target = tmp_path / "company"
    target.mkdir()
    shutil.copy(EXAMPLE, target / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", target / "logo.png")
    return target / "company.yaml"


@pytest.fixture
def minimal_company(tmp_path: Path) -> Path:
    path = tmp_path / "minimal" / "company.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(MINIMAL_PROFILE, allow_unicode=True), encoding="utf-8")
    return path
