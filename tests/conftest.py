"""Shared test helpers: file trees from dicts, the example company, a minimal company."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from manualgen import resources

from portal_fixtures import portal, portal_database  # noqa: F401  (the portal's fixtures)

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
    """Mark a test (or a module, as `pytestmark`) as needing LibreOffice: selectable with
    `-m libreoffice` / `-m "not libreoffice"`, skipped on a developer's machine without
    it, never in CI, where it must run."""
    return pytest.mark.libreoffice


def pytest_configure(config) -> None:
    """Commands under test keep their caches (compiled templates, a LibreOffice profile to
    start from) in a folder of this run's, not in the user's home."""
    config.manualgen_cache = tempfile.mkdtemp(prefix="manualgen-test-cache-")
    os.environ["XDG_CACHE_HOME"] = config.manualgen_cache


def pytest_unconfigure(config) -> None:
    shutil.rmtree(getattr(config, "manualgen_cache", ""), ignore_errors=True)


def pytest_collection_modifyitems(config, items) -> None:
    from manualgen.services.office import find_soffice

    missing = find_soffice(os.environ.get("MANUALGEN_SOFFICE")) is None and \
        os.environ.get("CI", "").lower() not in ("1", "true")
    if not missing:
        return
    skip = pytest.mark.skip(reason="LibreOffice not installed")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)


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


# --- the jobs through the API, written where a test looks for them -------------------

LIBRARY = resources.library_paths()
TEMPLATES = LIBRARY.forms


class Built(SimpleNamespace):
    """What a test of a written output needs: the paths, and the API's result."""


def manual_files(profile: Path, output: Path, *, pdf: bool = False, library=None,
                 layout: str = "libreoffice", office=None) -> Built:
    from manualgen import api

    lib = library if isinstance(library, api.Library) else api.load_library(library)
    result = api.manual.build(profile, lib, api.manual.ManualOptions(pdf=pdf, layout=layout,
                                                                     office=office))
    api.save(output, result.docx)
    pdf_path = None
    if result.pdf is not None:
        pdf_path = api.save(Path(output).with_suffix(".pdf"), result.pdf)
    return Built(output=Path(output), pdf=pdf_path, pages=result.pages,
                 policies=len(result.policies), warnings=result.warnings, result=result)


def forms_files(profile: Path, out_dir: Path, *, pdf: bool = False, library=None) -> Built:
    from manualgen import api

    lib = library if isinstance(library, api.Library) else api.load_library(library)
    result = api.forms.build(profile, lib, api.forms.FormsOptions(pdf=pdf))
    paths = [api.save(Path(out_dir) / name, data) for name, data in result.files.items()]
    return Built(out_dir=Path(out_dir), company=result.company, result=result,
                 docx=[p for p in paths if p.suffix == ".docx"],
                 pdfs=[p for p in paths if p.suffix == ".pdf"])


def status_of(profile: Path, on, library=None):
    from manualgen import api

    return api.status.report(profile, api.load_library(library), on=on)


def submission_of(folder: Path, *, company=None, on=None, library=None):
    from manualgen import api

    return api.submission.load(folder, api.load_library(library), company=company, on=on)


def package_check(folder: Path, *, company=None, on=None, library=None):
    from manualgen import api

    sub = submission_of(folder, company=company, on=on, library=library)
    return api.submission.check(sub, on=on)


def package_build(folder: Path, output: Path, options=None, *, company=None, on=None,
                  library=None, **kwargs) -> Built:
    """build the submission and write it (PDF and index), as `package build` does."""
    from manualgen.submission.build import BuildOptions, build_package, refuse_output_inside

    refuse_output_inside(Path(folder), Path(output))
    options = options or BuildOptions()
    options.pdf_name = Path(output).name
    sub = submission_of(folder, company=company, on=on, library=library)
    result = build_package(sub, options, **kwargs)
    pdf, index = result.write(output)
    return Built(output=pdf, index=index, pages=result.pages, report=result.report,
                 categories=result.categories, result=result, summary=result.summary)


def wait_for(predicate, timeout: float = 30) -> bool:
    """Poll `predicate` until it holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
