"""submission.yaml and the company it belongs to, shared by the packager and the summary."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from manualgen.errors import InputError
from manualgen.inputs.submission import load_submission

from conftest import EXAMPLE, make_tree


@pytest.fixture
def company_dir(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    return tmp_path


def test_company_found_in_the_folder_above_even_from_dot(company_dir, monkeypatch):
    make_tree(company_dir, {"2026": {"submission.yaml": "prepared_by: Priya Raman\n"}})
    monkeypatch.chdir(company_dir / "2026")
    sub = load_submission(Path("."), on=dt.date(2026, 11, 26))
    assert sub.company_name == "Kluane Ridge Roofing"
    assert sub.prepared_by == "Priya Raman"


def test_defaults_from_the_certificate(company_dir):
    make_tree(company_dir, {"2026": {}})
    sub = load_submission(company_dir / "2026", on=dt.date(2026, 11, 26))
    assert sub.anniversary == dt.date(2026, 12, 15)          # certificate 2024-12-15
    assert (sub.period.start, sub.period.end) == (dt.date(2025, 12, 16), dt.date(2026, 12, 15))
    assert sub.prepared_by == "Éloïse Tremblay"              # the owner


def test_bad_settings_reported_together_with_lines(company_dir):
    make_tree(company_dir, {"2026": {"submission.yaml": (
        "anniversary: 2026-02-30\n"
        "targets: {inspections: 2}\n"
        "period: {start: 2026-03-01, end: 2025-03-01}\n")}})
    with pytest.raises(InputError) as info:
        load_submission(company_dir / "2026")
    text = str(info.value)
    assert "submission.yaml:1: anniversary: '2026-02-30' is not a date" in text
    assert "submission.yaml:2: targets.inspections: unknown activity 'inspections'" in text
    assert "submission.yaml:3: period: the period ends before it starts" in text
    assert len(info.value.problems) == 3
