"""The Python API, used as a web app or a script would: data in, bytes and typed reports out.

Everything here runs with the profile given as data, the logo and the samples as bytes,
and the current folder an empty one that must stay empty: the API writes nothing of its
own (only LibreOffice's private scratch files under the system's temporary folder).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import zipfile

import docx
import pikepdf
import pytest
import yaml
from pypdf import PdfReader

from manualgen import api
from manualgen.inputs.program import CourseState
from manualgen.submission.check import CategoryState

from conftest import EXAMPLE, MINIMAL_PROFILE, needs_libreoffice
from test_package_fixtures import EXAMPLE_RECORDS, photo_jpeg, reportlab_pdf

ON = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def library() -> api.Library:
    return api.load_library()


@pytest.fixture
def empty_cwd(tmp_path, monkeypatch):
    """Run in an empty folder and check afterwards that nothing was written there."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder
    assert list(folder.iterdir()) == []


def example_data() -> tuple[dict, bytes]:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data, (EXAMPLE.parent / "logo.png").read_bytes()


def test_profile_from_data_and_problems_by_field(library):
    data = copy.deepcopy(MINIMAL_PROFILE)
    assert api.check_profile(data, library).ok
    data["company"]["phone"] = "867-66S-1234"
    data["people"][0]["training"] = [{"course": "PHSM", "completed": "2024-02-31"}]
    check = api.check_profile(data, library)
    assert not check.ok
    phone = check.for_field(("company", "phone"))
    assert phone and "is not a phone number" in phone[0].message
    course = check.for_field(("people", 0, "training", 0, "completed"))
    assert course and course[0].field == "Sam Solo, course 1 (PHSM), completed"


def test_plain_words_for_choices_are_accepted(library):
    data = copy.deepcopy(MINIMAL_PROFILE)
    data["people"][0].update(roles=["Owner", "first aid", "safety rep"], employment="full time")
    profile = api.load_profile(data, library).profile
    assert profile.people[0].roles == ["owner", "first_aid", "safety_rep"]
    assert profile.people[0].employment == "full_time"


def test_status_in_memory_has_typed_states(library, empty_cwd):
    data, logo = example_data()
    report = api.status.report(api.load_profile(data, library, logo=logo), library, on=ON)
    states = {c.status for p in report.people for c in p.courses}
    assert states <= set(CourseState) and CourseState.IN_GRACE in states
    calendar = api.status.calendar(report)
    assert calendar.startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VEVENT" in calendar


@needs_libreoffice()
def test_manual_forms_summary_and_submission_entirely_in_memory(library, empty_cwd):
    data, logo = example_data()
    profile = api.load_profile(data, library, logo=logo)

    manual = api.manual.build(profile, library, api.manual.ManualOptions(pdf=True))
    document = docx.Document(io.BytesIO(manual.docx))
    assert "Kluane Ridge Roofing" in document.sections[0].header.paragraphs[0].text
    assert manual.pages == len(PdfReader(io.BytesIO(manual.pdf)).pages) > 40
    assert "Working at Heights" in " ".join(manual.policies)

    forms = api.forms.build(profile, library)
    assert len(forms.docx) == len(library.forms)
    with zipfile.ZipFile(io.BytesIO(forms.zip_bytes(ON))) as z:
        assert sorted(z.namelist()) == sorted(forms.files)

    records = {f"records/{p.name}": p.read_bytes() for p in EXAMPLE_RECORDS.iterdir()}
    files = {
        **records,
        "submission.yaml": b"anniversary: 2026-12-15\nprepared_by: Mary-Anne O'Brien\n",
        "site-inspections/2026-03-03 shop inspection.pdf": reportlab_pdf("si", 2),
        "toolbox-meetings/2026-05-01 toolbox photo.jpg": photo_jpeg(),
    }
    submission = api.submission.load(files, library, company=profile)
    report = api.submission.check(submission, on=ON)
    inspections = next(c for c in report.categories if c.category.key == "site-inspections")
    assert inspections.status is CategoryState.TOO_FEW and inspections.counted == 1

    summary = api.summary.build(submission)
    assert summary.figures.header.company == "Kluane Ridge Roofing"
    assert PdfReader(io.BytesIO(summary.pdf_bytes())).pages
    assert json.loads(summary.json_text())["header"]["company"] == "Kluane Ridge Roofing"

    built = api.submission.build(submission, api.submission.BuildOptions(skip_unreadable=True))
    with pikepdf.open(io.BytesIO(built.pdf_bytes())) as pdf:
        assert len(pdf.pages) == built.pages
        titles = [item.title for item in pdf.open_outline().root]
    assert any("Site Inspections" in t for t in titles)
    assert built.index["pages"] == built.pages
    assert not os.listdir(empty_cwd)


def test_a_problems_severity_is_an_enum_that_reads_as_its_word():
    import json

    from manualgen.errors import Problem, Severity

    warning = Problem("company.yaml", 3, "people", "no first aid attendant", None, "warning")
    assert warning.severity is Severity.WARNING and warning.severity == "warning"
    assert Problem("company.yaml").severity is Severity.ERROR
    assert json.loads(json.dumps(warning.as_dict()))["severity"] == "warning"
    assert "warning: no first aid attendant" in str(warning)


def test_the_api_is_a_module_per_job_each_naming_only_what_it_has():
    """Every job module imports and holds every name it lists; the package itself names
    the jobs and the few verbs every job shares."""
    import importlib

    for job in api.JOBS:
        module = importlib.import_module(f"manualgen.api.{job}")
        assert getattr(api, job) is module
        missing = [n for n in getattr(module, "__all__", ()) if not hasattr(module, n)]
        assert missing == [], f"api.{job} lists {missing}"
    assert [n for n in api.__all__ if not hasattr(api, n)] == []
    with pytest.raises(AttributeError):
        api.build_manual                      # noqa: B018 - the old flat name is gone


def loaded(steps: str, modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` a fresh interpreter holds after running `steps`."""
    import subprocess
    import sys

    code = f"import sys\n{steps}\nprint(*[m for m in {modules!r} if m in sys.modules])"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split()


def test_importing_the_api_loads_no_job():
    """A command that starts LibreOffice first imports `manualgen.api` before its job:
    the package alone must not pull in Word, PDF or the library's loader."""
    assert loaded("import manualgen.api, manualgen.api.office",
                  ("docx", "pikepdf", "reportlab", "manualgen.manual",
                   "manualgen.inputs.library.load", "manualgen.submission.build")) == []


def test_building_a_manual_does_not_load_the_other_manual_verbs():
    """`api.manual` names absorb's, the fleet's and the redline's types when first asked
    (bench/NOTES.md: 7.5 MiB of a one-off `manualgen manual`)."""
    others = ("manualgen.manual.absorb", "manualgen.manual.fleet", "manualgen.manual.redline",
              "manualgen.library.importer")
    assert loaded("from manualgen import api; api.manual.build", others) == []
    assert loaded("from manualgen import api; api.manual.FleetConfig",
                  others) == ["manualgen.manual.fleet"]
