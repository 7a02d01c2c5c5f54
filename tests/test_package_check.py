"""`package check`, intake and the package definition: findings without building anything."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from manualgen import resources
from manualgen.cli import main
from manualgen.errors import InputError
from manualgen.inputs.library.load import load_library
from manualgen.submission.intake import date_from_name, title_from_name
from manualgen.submission.spec import DEFAULT_PACKAGE, load_package

from conftest import package_check as check_package
from test_package_fixtures import (
    encrypted_pdf,
    make_folder,
    png_with_alpha,
    reportlab_pdf,
    snapshot,
    truncated_pdf,
)

COMPANY = resources.examples_dir() / "company.yaml"
ON = dt.date(2026, 11, 20)
ACTIVITY_HEADER = "date,activity,site,description,people\n"


def messages(report) -> list[str]:
    return [f"{Path(p.path).name}: {p.message}" for p in report.findings]


def test_the_example_submission_is_complete() -> None:
    folder = resources.examples_dir() / "2026-submission"
    before = snapshot(folder)
    report = check_package(folder, on=ON)
    assert not report.findings, messages(report)
    assert [c.status for c in report.categories][-1] == "generated"
    assert report.deadline_text() == "25 days left: the submission must reach NSNY before " \
                                     "2026-12-15"
    assert snapshot(folder) == before


@pytest.mark.parametrize(("name", "date", "title"), [
    ("2026-03-14 roof inspection.pdf", dt.date(2026, 3, 14), "Roof inspection"),
    ("2026-03-14_roof_inspection.pdf", dt.date(2026, 3, 14), "Roof inspection"),
    ("2026-3-4-toolbox.pdf", dt.date(2026, 3, 4), "Toolbox"),
    ("scan0042.pdf", None, "Scan0042"),
    ("20260314 roof.pdf", None, "20260314 roof"),
])
def test_dates_and_titles_from_file_names(name: str, date, title: str) -> None:
    day, rest, error = date_from_name(name)
    assert day == date and error is None
    assert (title_from_name(rest) or title_from_name(Path(name).stem)) == title


def test_dating_findings(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, COMPANY, {
        "hazard-assessments/2026-02-30 impossible.pdf": reportlab_pdf("a"),
        "hazard-assessments/undated.pdf": reportlab_pdf("b"),
        "hazard-assessments/2025-11-01 last year.pdf": reportlab_pdf("c"),
        "hazard-assessments/2026-12-01 future.pdf": reportlab_pdf("d"),
        "hazard-assessments/scan7.pdf": reportlab_pdf("e"),
    }, settings="anniversary: 2026-12-15\nsamples:\n"
                "  hazard-assessments/scan7.pdf: {date: 2026-01-05}\n"
                "  hazard-assessments/gone.pdf: {date: 2026-01-06}\n")
    report = check_package(folder, on=ON)
    found = messages(report)
    assert "2026-02-30 impossible.pdf: 2026-02-30 at the start of the name is not a real date" \
        in found
    assert "undated.pdf: the sample has no date" in found
    assert "2025-11-01 last year.pdf: dated 2025-11-01, outside the review period 2025-12-16 " \
           "to 2026-12-15" in found
    assert "2026-12-01 future.pdf: dated 2026-12-01, after today (2026-11-20)" in found
    assert not any(m.startswith("scan7.pdf") for m in found)
    gone = next(p for p in report.findings if "gone.pdf" in p.message)
    assert gone.path.endswith("submission.yaml") and gone.line == 4
    hazard = report.categories[0]
    assert hazard.counted == 2 and hazard.status == "complete"     # scan7 + future


def test_files_that_cannot_go_in_are_named(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(reportlab_pdf("x"))
    folder = make_folder(tmp_path, COMPANY, {
        "site-inspections/2026-01-05 locked.pdf": encrypted_pdf("l", "pw"),
        "site-inspections/2026-01-06 open.pdf": encrypted_pdf("o", ""),
        "site-inspections/2026-01-07 damaged.pdf": truncated_pdf("t"),
        "site-inspections/2026-01-08 empty.pdf": b"",
        "site-inspections/2026-01-09 notes.txt": "hello",
        "site-inspections/2026-01-10 photo.heic": b"\0\0\0\x18ftypheic",
        "site-inspections/2026-01-11 fake.pdf": b"PK\3\4 a zip pretending",
        "site-inspections/2026-01-12 shot.png": png_with_alpha(),
        "site-inspections/2026-01-13 cut.jpg": b"\xff\xd8\xff\xe0 broken",
        "hazard-assessments/Thumbs.db": b"x",
        "loose.pdf": reportlab_pdf("loose"),
        "old-stuff/2026-01-01 a.pdf": reportlab_pdf("old"),
    })
    os.symlink(outside, folder / "site-inspections" / "2026-01-14 link.pdf")
    os.symlink(folder / "site-inspections" / "2026-01-06 open.pdf",
               folder / "site-inspections" / "2026-01-15 inside link.pdf")
    os.mkfifo(folder / "site-inspections" / "2026-01-16 pipe.pdf")
    before = snapshot(folder)
    report = check_package(folder, on=ON)
    found = messages(report)
    expect = [
        "2026-01-05 locked.pdf: the PDF is protected with a password",
        "2026-01-06 open.pdf: the PDF is encrypted with an empty password; opened and "
        "included without its restrictions",
        "2026-01-07 damaged.pdf: the PDF was damaged and has been repaired; check its pages "
        "against the original",
        "2026-01-08 empty.pdf: the file is empty",
        "2026-01-09 notes.txt: unknown file type '.txt'",
        "2026-01-10 photo.heic: HEIC photos cannot be read",
        "2026-01-11 fake.pdf: this is not a PDF file (it does not start like one)",
        "2026-01-13 cut.jpg: the picture cannot be read (damaged or not a picture)",
        "2026-01-14 link.pdf: a link to something outside the submission folder; links "
        "leaving the folder are refused",
        "2026-01-16 pipe.pdf: not a regular file (a device, pipe or socket)",
        "loose.pdf: this file is not in a category folder, so it is not part of the "
        "submission",
        "old-stuff: this folder is not in a category folder, so it is not part of the "
        "submission",
    ]
    for message in expect:
        assert message in found, message
    refused = {r.rel for r in report.refused}
    assert "site-inspections/2026-01-15 inside link.pdf" not in refused
    assert "site-inspections/2026-01-12 shot.png" not in refused
    assert report.ignored == ["hazard-assessments/Thumbs.db"]
    assert snapshot(folder) == before


def write_activity(folder: Path, rows: str) -> None:
    (folder / "records" / "activity-log.csv").write_text(ACTIVITY_HEADER + rows,
                                                          encoding="utf-8")


@pytest.mark.parametrize(("settings", "rows", "status", "why"), [
    ("", "", "not_applicable", "the activity log has no orientations in the period"),
    ("", "2026-04-20,orientation,Shop,New worker,Mary-Anne O'Brien\n", "missing",
     "the activity log has 1 orientations in the period"),
    ("orientations_applicable: false\n", "2026-04-20,orientation,Shop,New,M\n",
     "not_applicable", "orientations_applicable: false in submission.yaml"),
    ("orientations_applicable: true\n", "", "missing",
     "orientations_applicable: true in submission.yaml"),
])
def test_orientations_are_judged_from_the_records(tmp_path: Path, settings: str, rows: str,
                                                  status: str, why: str) -> None:
    folder = make_folder(tmp_path, COMPANY, {},
                         settings="anniversary: 2026-12-15\n" + settings)
    write_activity(folder, rows)
    report = check_package(folder, on=ON)
    orientations = next(c for c in report.categories if c.category.key == "orientations")
    assert orientations.status == status
    assert orientations.applicable_reason == why
    assert any("Completed Orientations" in m for m in messages(report)) == (status == "missing")


def test_bad_records_are_findings(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, COMPANY, {})
    write_activity(folder, "2026-13-01,inspection,Shop,x,y\n")
    report = check_package(folder, on=ON)
    assert any(p.path.endswith("activity-log.csv") for p in report.errors)
    assert report.categories[-1].status == "missing"


def test_late_submission(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, COMPANY, {})
    report = check_package(folder, on=dt.date(2026, 12, 20))
    late = [p for p in report.errors if "late" in p.message]
    assert late and late[0].path.endswith("submission.yaml") and late[0].line == 1
    assert report.deadline_text() == "the submission is late: it was due before 2026-12-15"


def test_cli_check_json_and_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    example = resources.examples_dir() / "2026-submission"
    ok = runner.invoke(main, ["package", "check", str(example), "--on", "2026-11-20"])
    assert ok.exit_code == 0, ok.output
    assert "no findings: ready to build" in ok.output
    folder = make_folder(tmp_path, COMPANY, {"loose.pdf": reportlab_pdf("l")})
    bad = runner.invoke(main, ["package", "check", str(folder), "--json", "--on",
                               "2026-11-20"])
    assert bad.exit_code == 1
    data = json.loads(bad.output)
    assert data["days_left"] == 25
    assert data["not_included"] == ["loose.pdf"]
    assert {c["status"] for c in data["categories"][:7]} == {"missing"}
    lonely = tmp_path / "a" / "b"
    lonely.mkdir(parents=True)
    broken = runner.invoke(main, ["package", "check", str(lonely)])
    assert broken.exit_code == 2        # no company profile in the folder or above it
    assert "company.yaml" in broken.output


# --- the package definition ------------------------------------------------------------------

def test_package_definition_reads_from_yaml() -> None:
    library = load_library()
    rules = library.rules
    spec = load_package(DEFAULT_PACKAGE, library)
    assert [c.key for c in spec.categories] == [
        "hazard-assessments", "site-inspections", "toolbox-meetings",
        "preventative-maintenance", "investigations", "audit-action-plan",
        "emergency-response", "orientations", "year_end_summary"]
    orientations = spec.categories[7]
    assert orientations.min_samples is None
    assert orientations.minimum(rules) == rules.default_samples_per_category
    assert orientations.status == "if_applicable"
    assert spec.categories[-1].generated == "year_end_summary"


@pytest.mark.parametrize(("category", "message"), [
    ("{folder: x-y, title: T, evidence: E, generated: year_end_summary}",
     "a generated category has no folder"),
    ("{title: T, evidence: E}", "a category needs a folder unless it is generated"),
    ("{folder: Site Inspections, title: T, evidence: E}", "must be lower case letters"),
    ("{folder: a, title: T, evidence: E, status: maybe}", "'maybe' is not allowed"),
    ("{folder: a, title: T, evidence: E, applicable_when: {activity: dancing}}",
     "unknown activity 'dancing'"),
])
def test_bad_package_definitions(tmp_path: Path, category: str, message: str) -> None:
    path = tmp_path / "pkg.yaml"
    path.write_text("id: p\ntitle: P\nshort_title: P\nsubmitted_to: NSNY\ndescription: D\n"
                    f"declaration: D\ncategories:\n  - {category}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        load_package(path, load_library())
    assert err.value.problems[0].line == 8


# --- package init ------------------------------------------------------------------------------

def test_init_scaffolds_a_folder_check_can_read(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "company" / "2027-submission"
    result = runner.invoke(main, ["package", "init", str(target), "--company", str(COMPANY)])
    assert result.exit_code == 0, result.output
    spec = load_package(DEFAULT_PACKAGE, load_library())
    for folder in spec.folders:
        assert (target / folder).is_dir()
    header = (target / "records" / "activity-log.csv").read_text(encoding="utf-8")
    assert header.startswith(ACTIVITY_HEADER)
    assert "# example" in header and "toolbox_meeting" in header   # the allowed values
    assert (target / "records" / "goals.yaml").is_file()
    readme = (target / "README.txt").read_text(encoding="utf-8")
    assert "2026-03-14 roof inspection.pdf" in readme and "site-inspections/" in readme
    assert "anniversary: 20" in (target / "submission.yaml").read_text(encoding="utf-8")
    (tmp_path / "company" / "company.yaml").write_text(COMPANY.read_text(encoding="utf-8"),
                                                       encoding="utf-8")
    (tmp_path / "company" / "logo.png").write_bytes((COMPANY.parent / "logo.png").read_bytes())
    report = check_package(target, on=ON)
    assert [c.status for c in report.categories][:7] == ["missing"] * 7
    assert report.categories[7].status == "not_applicable"        # empty activity log
    again = runner.invoke(main, ["package", "init", str(target)])
    assert again.exit_code == 2 and "not empty" in again.output


def test_warns_when_the_cycle_asks_for_an_audit_instead(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, COMPANY, {}, settings="anniversary: 2027-12-15\n")
    report = check_package(folder, on=dt.date(2027, 11, 1))
    warning = next(p for p in report.findings if "program asks for" in p.message)
    assert warning.severity == "warning" and warning.line == 1
    assert "year 4 of the certificate" in warning.message
    assert "Re-certifying external audit" in warning.message


def _photo_taken(day: str) -> bytes:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = f"{day.replace('-', ':')} 09:41:00"
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 200)).save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def test_an_undated_photo_takes_the_cameras_date_and_says_so(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, COMPANY, {
        "toolbox-meetings/IMG_2041.jpg": _photo_taken("2026-05-14"),
        "toolbox-meetings/IMG_2042.jpg": _photo_taken("1999-13-40"),   # a broken camera clock
    }, settings="anniversary: 2026-12-15\n")
    report = check_package(folder, on=ON)
    meetings = next(c for c in report.categories if c.category.key == "toolbox-meetings")
    dated = {s.rel: (s.date, s.date_from) for s in meetings.samples}
    assert dated["toolbox-meetings/IMG_2041.jpg"] == (dt.date(2026, 5, 14), "photo")
    assert dated["toolbox-meetings/IMG_2042.jpg"] == (None, None)
    assert "IMG_2042.jpg: the sample has no date" in messages(report)
    assert "toolbox-meetings/IMG_2041.jpg: 2026-05-14" in report.as_text()
    assert "dated from the photo itself" in report.as_text()


def test_a_submission_beside_its_company_finds_the_profile_above_and_says_so(tmp_path):
    company = tmp_path / "my-company"
    company.mkdir()
    (company / "company.yaml").write_text(COMPANY.read_text(encoding="utf-8"), encoding="utf-8")
    (company / "logo.png").write_bytes((COMPANY.parent / "logo.png").read_bytes())
    runner = CliRunner()
    made = runner.invoke(main, ["package", "init", str(company / "2026-submission")])
    assert made.exit_code == 0, made.output
    assert f"company profile: {company / 'company.yaml'}" in made.output
    checked = runner.invoke(main, ["package", "check", str(company / "2026-submission")])
    assert checked.exit_code == 1, checked.output          # an empty folder has gaps
    assert f"company profile: {company / 'company.yaml'}" in checked.output
    assert "no company profile found" not in checked.output
