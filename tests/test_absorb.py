"""absorb: a manual edited in Word comes back as exactly the company policies it changed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from manualgen.cli import main
from manualgen.io import split_front_matter
from manualgen.services.office import find_soffice

from conftest import EXAMPLE, needs_libreoffice
from word_edits import (
    add_step_after,
    delete_paragraph,
    delete_section,
    open_docx,
    retype,
    section,
    section_text,
    table_under,
)

WORD = "word-updates-on-open"
ON = "2026-12-05"
SENTENCE = ("may not be able to call for help", "may be unable to call anyone for help")
STEP = "Before leaving, the worker shows the check-in contact the route on a map."
DELETED = "These rules set the minimum standard"
THREE = ("3 policies changed: Working Alone, Company Rules and Discipline, Personal "
         "Protective Equipment, saved in policies/")


def run(*args: str | Path, code: int = 0) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


def build(profile: Path, out: Path) -> Path:
    run("manual", profile, "-o", out, "--layout", WORD)
    return out


def user_edits(manual: Path, out: Path) -> str:
    """What the issue names: a sentence changed, a step added, a paragraph deleted."""
    document = open_docx(manual)
    retype(document, "Working Alone", *SENTENCE)
    add_step_after(document, "Personal Protective Equipment", "Every worker inspects", STEP)
    deleted = delete_paragraph(document, "Company Rules and Discipline", DELETED)
    document.save(str(out))
    return deleted


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """The example company, its manual as built (its record kept) and a copy edited."""
    root = tmp_path_factory.mktemp("absorb")
    folder = root / "company"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", folder / "logo.png")
    manual = build(folder / "company.yaml", root / "manual.docx")
    deleted = user_edits(manual, root / "edited.docx")
    return folder, manual, root / "edited.docx", deleted


@pytest.fixture()
def company(original, tmp_path) -> Path:
    """A fresh copy of the company folder (with its revision record) for one test."""
    folder = tmp_path / "company"
    shutil.copytree(original[0], folder)
    return folder / "company.yaml"


@pytest.fixture(scope="module")
def after(original, tmp_path_factory):
    """The company folder once the edited manual was absorbed, what absorb said, and the
    manual rebuilt from it (its record kept): built once for the tests that read them."""
    root = tmp_path_factory.mktemp("after")
    shutil.copytree(original[0], root / "company")
    company = root / "company" / "company.yaml"
    out = run("absorb", company, original[2], "--on", ON)
    return company, out, build(company, root / "rebuilt.docx")


@pytest.fixture()
def absorbed(after, tmp_path):
    """A copy of `after` for a test that changes the folder."""
    shutil.copytree(after[0].parent, tmp_path / "company")
    return tmp_path / "company" / "company.yaml", after[1], after[2]


def test_edits_come_back_as_exactly_the_changed_policies(after):
    company, out, _ = after
    assert out.splitlines()[0] == THREE
    assert "30 other policies unchanged; compared with the record of revision 3." in out
    policies = company.parent / "policies"
    assert sorted(p.name for p in policies.glob("*.md")) == [
        "company-rules.md", "personal-protective-equipment.md", "working-alone.md"]
    assert sorted(p.name for p in (policies / ".base").iterdir()) == [
        "company-rules.md", "personal-protective-equipment.md", "working-alone.md"]
    assert "Not kept" not in out


def test_saved_policy_is_library_markdown_that_says_what_it_was_based_on(after):
    company, _, _ = after
    path = company.parent / "policies" / "working-alone.md"
    fm = split_front_matter(path.read_text(encoding="utf-8"), path)
    header = fm.header.data
    assert header["based_on"] == {"library": "2026.2", "revision": 3}
    assert (header["id"], header["revision"], header["reviewed"]) == ("working-alone", 1, ON)
    assert header["applies"] == {"hazards": ["working_alone"]}
    assert [line for line in fm.body.splitlines() if line.startswith("## ")] == [
        "## Purpose", "## Scope", "## Responsibilities", "## Procedure", "## Records"]
    assert "A worker who is hurt or falls ill while alone may be unable to call anyone for " \
           "help." in fm.body
    ppe = (company.parent / "policies" / "personal-protective-equipment.md").read_text()
    assert f"- {STEP}" in ppe
    run("check", company)


def test_rebuilt_manual_keeps_the_edits(after, original):
    before, rebuilt = open_docx(original[1]), open_docx(after[2])
    assert "may be unable to call anyone for help" in section_text(rebuilt, "Working Alone")
    step = next(p for p in section(rebuilt, "Personal Protective Equipment") if p.text == STEP)
    assert step.style.name == "List Bullet"
    assert original[3] not in section_text(rebuilt, "Company Rules and Discipline")
    for title in ("Hazard Assessment", "Workplace Inspections", "First Aid"):
        assert section_text(rebuilt, title) == section_text(before, title), title


def test_absorbing_the_rebuilt_manual_finds_nothing_new(after):
    company, _, rebuilt = after
    out = run("absorb", company, rebuilt, "--on", ON)
    assert out.startswith("No policy changed in ")


def test_a_second_edit_of_a_company_version_is_its_next_revision(absorbed, tmp_path):
    company, _, rebuilt = absorbed
    document = open_docx(rebuilt)
    retype(document, "Working Alone", "anyone for help", "anyone at all for help")
    document.save(str(tmp_path / "again.docx"))
    out = run("absorb", company, tmp_path / "again.docx", "--on", ON)
    assert out.splitlines()[0] == "1 policy changed: Working Alone, saved in policies/"
    assert "revision 2 of the company's version; revision 1 kept in " \
           "policies/.history/working-alone.r1.md" in out
    policies = company.parent / "policies"
    assert "anyone at all for help" in (policies / "working-alone.md").read_text()
    assert "anyone at all" not in (policies / ".history" / "working-alone.r1.md").read_text()


def test_a_company_policy_changed_since_the_build_is_not_overwritten(absorbed, tmp_path):
    company, _, rebuilt = absorbed
    mine = company.parent / "policies" / "working-alone.md"
    mine.write_text(mine.read_text().replace("at our premises", "at our shop"))
    document = open_docx(rebuilt)
    retype(document, "Working Alone", "anyone for help", "anyone at all for help")
    document.save(str(tmp_path / "again.docx"))
    hand = mine.read_bytes()
    out = run("absorb", company, tmp_path / "again.docx", "--on", ON, code=1)
    assert "Working Alone: policies/working-alone.md has changed since this manual was " \
           "built, so the Word edits were not saved over it - run absorb again with " \
           "--replace" in out
    assert mine.read_bytes() == hand
    out = run("absorb", company, tmp_path / "again.docx", "--on", ON, "--replace")
    assert "anyone at all for help" in mine.read_text()
    assert (company.parent / "policies" / ".history" / "working-alone.r1.md").read_bytes() \
        == hand


def test_edits_outside_policies_name_the_profile_field(company, original, tmp_path):
    document = open_docx(original[1])
    for para in document.paragraphs[:10]:
        if para.text == "Kluane Ridge Roofing & Sons Ltd.":
            para.runs[0].text = "Kluane Ridge Roofing and Sons Limited"
    table_under(document, "Equipment inventory").rows[1].cells[1].text = \
        "2019 Ford F-350 crew truck (white)"
    delete_paragraph(document, "Working Alone", "A worker is working alone when")
    delete_section(document, "Cold Weather and Winter Work")
    document.save(str(tmp_path / "edited.docx"))
    out = run("absorb", company, tmp_path / "edited.docx", "--on", ON, code=1)
    assert out.splitlines()[0] == "1 policy changed: Working Alone, saved in policies/"
    assert "  Equipment inventory: was edited, but this text is built from the profile, so " \
           "the edit is not kept - change equipment in company.yaml" in out
    assert "  The cover: was edited, but this text is built from the profile, so the edit " \
           "is not kept - change company.legal_name, company.operating_name" in out
    assert "  Cold Weather and Winter Work: was deleted from the manual; a rebuild puts it " \
           "back - to leave it out, add to company.yaml under manual: leave_out: - {id: " \
           "cold-weather, reason: ...}" in out


def test_a_policy_written_in_word_with_the_five_sections_is_added(company, original,
                                                                  tmp_path):
    document = open_docx(original[1])
    anchor = section(document, "Working Alone")[0]
    texts = [("Heading 2", "Roof Snow Load Checks")]
    for name, text in (("Purpose", "Know the snow load before anyone steps on a roof."),
                       ("Scope", "Every roof from November to April."),
                       ("Responsibilities", "The crew lead measures and records."),
                       ("Procedure", "Measure the depth at three points; stop over 60 cm."),
                       ("Records", "The depths go in the daily log.")):
        texts += [("Heading 3", name), ("Normal", text)]
    for style, text in texts:
        anchor.insert_paragraph_before(text, style=style)
    document.save(str(tmp_path / "edited.docx"))
    out = run("absorb", company, tmp_path / "edited.docx", "--on", ON)
    assert out.splitlines()[0] == "1 policy changed: Roof Snow Load Checks, saved in " \
                                  "policies/"
    path = company.parent / "policies" / "roof-snow-load-checks.md"
    header = yaml.safe_load(path.read_text().split("---")[1])
    assert (header["element"], header["applies"]) == (3, "always")
    run("check", company)
    run("manual", company, "-o", tmp_path / "m.docx", "--layout", WORD, "--no-record")
    assert "Measure the depth at three points" in section_text(
        open_docx(tmp_path / "m.docx"), "Roof Snow Load Checks")


def test_another_companys_manual_is_refused(company, tmp_path):
    from conftest import MINIMAL_PROFILE

    other = tmp_path / "other"
    other.mkdir()
    (other / "company.yaml").write_text(yaml.safe_dump(MINIMAL_PROFILE))
    built = build(other / "company.yaml", tmp_path / "other.docx")
    data = yaml.safe_load(company.read_text())
    data["manual"]["revision"] = 0
    company.write_text(yaml.safe_dump(data, allow_unicode=True))
    out = run("absorb", company, built, code=2)
    assert f"error: {built}: this is not a manual of Kluane Ridge Roofing: neither its cover " \
           "nor its page header names the company" in out


@needs_libreoffice()
def test_a_manual_saved_again_by_libreoffice_absorbs_the_same(company, original, tmp_path):
    """LibreOffice keeps the heading bookmarks when it saves a .docx."""
    soffice = find_soffice()
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir",
                    str(out), str(original[2])], check=True, capture_output=True,
                   timeout=180)
    text = run("absorb", company, out / "edited.docx", "--on", ON)
    assert text.splitlines()[0] == THREE


def test_a_sentence_in_place_of_the_legislation_line_goes_into_purpose(company, original,
                                                                       tmp_path):
    """The manual's "Legislation:" line under a policy's title replaced by the user's own
    sentence: absorb keeps it at the start of Purpose, so `check` accepts the file."""
    own = "We never send anyone onto a roof alone after dark."
    document = open_docx(original[1])
    line = next(p for p in section(document, "Working Alone")
                if p.text.startswith("Legislation:"))
    for run_ in line.runs[1:]:
        run_.text = ""
    line.runs[0].text = own
    document.save(str(tmp_path / "edited.docx"))
    out = run("absorb", company, tmp_path / "edited.docx", "--on", ON)
    assert out.splitlines()[0] == "1 policy changed: Working Alone, saved in policies/"
    path = company.parent / "policies" / "working-alone.md"
    body = split_front_matter(path.read_text(encoding="utf-8"), path).body
    assert body.lstrip().startswith(f"## Purpose\n\n{own}\n\n"), body[:300]
    run("check", company)
