"""The company's own policies: versions, additions, omissions, their check, library updates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from manualgen import api
from manualgen.cli import main
from manualgen.inputs.library.select import select_policies
from manualgen.inputs.pipeline import prepare
from manualgen.manual.updates import library_updates

from conftest import EXAMPLE, LIBRARY, MINIMAL_PROFILE, make_tree
from word_edits import open_docx, section_text

WORD = "word-updates-on-open"      # no LibreOffice needed: these tests read the text
LIBRARY_WA = LIBRARY.policies / "policies" / "working-alone.md"

ADDED = """---
id: roof-snow-load
title: Roof Snow Load Checks
element: 3
order: 95
applies: always
forms: []
legislation:
  - Workplace Health and Safety Regulations, Part 1 (General)
revision: 1
reviewed: 2026-11-20
reason: Winter roof work is half of our business
---

## Purpose

How {{ company.name }} checks the snow on a roof before anyone steps on it.

## Scope

Every roof we work on between November and April.

## Responsibilities

- **{{ owner.name }}** makes sure the check is done and recorded.

## Procedure

1. Measure the snow depth at three points from the ladder.
2. Stop and call the owner when the depth is over 60 cm.

## Records

The crew lead notes the depths in the daily log.
"""


def company_version(text: str = LIBRARY_WA.read_text(encoding="utf-8"), *,
                    based_on: str | None = '{library: "2026.2", revision: 3}') -> str:
    """The library's Working Alone as a company would make its own version of it."""
    text = text.replace("A worker who is hurt or falls ill while alone may not be able to "
                        "call for help.", "A roofer alone on a roof may not be able to call "
                        "for help: our crews check in every hour.")
    extra = f"based_on: {based_on}\n" if based_on else ""
    return text.replace("revision: 3\n", "revision: 1\n" + extra +
                        "reason: Our crews check in every hour\n", 1)


def company_folder(root: Path, *, policies: dict[str, str] | None = None,
                   leave_out: list[dict] | None = None, profile: dict | None = None) -> Path:
    """A copy of the example company with its own policies and omissions."""
    data = profile or yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    if leave_out is not None:
        data["manual"]["leave_out"] = leave_out
    make_tree(root, {"company.yaml": yaml.safe_dump(data, allow_unicode=True,
                                                    sort_keys=False),
                     "policies": policies or {}})
    if (EXAMPLE.parent / "logo.png").is_file() and profile is None:
        shutil.copy(EXAMPLE.parent / "logo.png", root / "logo.png")
    return root / "company.yaml"


@pytest.fixture(scope="module")
def library() -> api.Library:
    return api.load_library()


@pytest.fixture(scope="module")
def own_manual(tmp_path_factory, library):
    """The example company with a version of Working Alone, a policy of its own and
    Cold Weather left out: built once."""
    folder = tmp_path_factory.mktemp("own")
    profile = company_folder(folder, policies={"working-alone.md": company_version(),
                                               "roof-snow-load.md": ADDED},
                             leave_out=[{"id": "cold-weather",
                                         "reason": "Covered by our own winter procedure"}])
    result = api.manual.build(profile, library, api.manual.ManualOptions(layout=WORD))
    path = folder / "manual.docx"
    api.save(path, result.docx)
    return result, open_docx(path)


# --------------------------------------------------------------------------- no change


# The manual's bytes before company policies existed (word-updates-on-open layout, which
# needs no LibreOffice), taken at the start of that work for the inputs fingerprinted in
# INPUTS: the library's files, the master template and the example company. When those
# inputs change on purpose the check is skipped; the test after it still proves that a
# company without policies gets what the library alone gives.
def test_company_without_policies_builds_the_library_manual(tmp_path, library):
    """Empty policies/, a record of the revision itself: the same bytes as no folder at
    all, and as the library's own selection composed without the company stage."""
    plain = api.manual.build(EXAMPLE, library, api.manual.ManualOptions(layout=WORD))
    folder = tmp_path / "co"
    profile = company_folder(folder)
    (folder / "policies" / ".base").mkdir(parents=True)
    record = api.manual.record_file(folder, plain)
    api.save(record.path, record.data)
    again = api.manual.build(profile, library, api.manual.ManualOptions(layout=WORD))
    assert again.docx == plain.docx
    loaded = api.load_profile(profile, library)
    assert prepare(loaded, library).policies == select_policies(
        library.policies, loaded.profile, library.rules)


# --------------------------------------------------------------------------- the three


def test_company_version_replaces_the_library_policy(own_manual):
    result, document = own_manual
    text = section_text(document, "Working Alone")
    assert "A roofer alone on a roof may not be able to call for help" in text
    assert "A worker who is hurt or falls ill while alone" not in text
    assert result.policies.count("Working Alone") == 1


def test_new_policy_is_added_in_its_element_by_order(own_manual):
    result, document = own_manual
    titles = result.policies
    assert "Roof Snow Load Checks" in titles
    element3 = [p.title for p in api.load_library().policies if p.header.element == 3]
    before = titles[titles.index("Roof Snow Load Checks") - 1]
    assert before in element3
    assert "Measure the snow depth at three points" in section_text(document,
                                                                     "Roof Snow Load Checks")


def test_left_out_policy_is_gone_and_its_reason_shown(own_manual):
    result, document = own_manual
    assert "Cold Weather and Winter Work" not in result.policies
    rows = _own_table(document)
    assert rows == [
        ["Working Alone", "Company version", "The company's own text, made from the "
         "library's revision 3 (library 2026.2). Our crews check in every hour."],
        ["Roof Snow Load Checks", "Added by the company", "A policy of the company's own, "
         "in Element 3. Winter roof work is half of our business."],
        ["Cold Weather and Winter Work", "Left out", "Covered by our own winter procedure"],
    ]


def _own_table(document) -> list[list[str]]:
    for table in document.tables:
        if [c.text for c in table.rows[0].cells] == ["Policy", "Change", "Details"]:
            return [[c.text for c in row.cells] for row in table.rows[1:]]
    raise AssertionError("no table of the company's own policies")


def test_cover_says_the_manual_has_company_policies(own_manual):
    _, document = own_manual
    cover = "\n".join(p.text for p in document.paragraphs[:12])
    assert "with the company's own policies listed under Document Control" in cover


def test_policy_that_does_not_apply_is_said(tmp_path, library):
    profile = company_folder(tmp_path, policies={"confined-spaces.md": (
        LIBRARY.policies / "policies" / "confined-spaces.md").read_text(encoding="utf-8")
        .replace("revision: ", 'based_on: {library: "2026.2", revision: 1}\nrevision: ', 1)})
    check = api.check_profile(profile, library)
    assert check.ok
    assert any("does not apply to this company" in p.message and p.severity == "warning"
               for p in check.problems)
    assert "Confined Spaces" not in check.policies


# --------------------------------------------------------------------------- check


BROKEN = """---
id: roof-snow-load
title: Roof Snow Load Checks
element: 3
forms: [snow-log]
revision: 1
reviewed: 2026-11-20
---

## Purpose

How {{ company.nmae }} checks the snow.

## Procedure

Measure it.
"""


def test_check_lints_company_policies_with_every_problem_at_its_line(tmp_path):
    version = company_version(based_on=None)
    profile = company_folder(tmp_path, policies={"roof-snow-load.md": BROKEN,
                                                 "working-alone.md": version,
                                                 "misnamed.md": ADDED})
    result = CliRunner().invoke(main, ["check", str(profile)])
    assert result.exit_code == 2, result.output
    out = result.output
    folder = str(tmp_path / "policies")
    assert f"{folder}/roof-snow-load.md:5: forms.0: there is no form 'snow-log'" in out
    assert f"{folder}/roof-snow-load.md:12: unknown variable 'company.nmae' - did you mean " \
           "company.name?" in out
    assert f"{folder}/roof-snow-load.md" in out and "section 'Scope' is missing" in out
    assert f"{folder}/misnamed.md:2: id: id 'roof-snow-load' does not match the file " \
           "name misnamed.md" in out
    assert f"{folder}/working-alone.md:2: id: replaces the library policy 'Working Alone' " \
           "but does not say which library revision it was based on - add the line  " \
           'based_on: {library: "2026.2", revision: 3}' in out


def test_leave_out_names_the_profile_line_and_the_nearest_id(tmp_path, library):
    profile = company_folder(tmp_path, leave_out=[
        {"id": "working-alon", "reason": "We never work alone"},
        {"id": "confined-spaces", "reason": "No confined spaces"}])
    check = api.check_profile(profile, library)
    text = "\n".join(str(p) for p in check.problems)
    line = next(n for n, t in enumerate(profile.read_text().splitlines(), 1)
                if "working-alon" in t)
    assert f"company.yaml:{line}: manual, left-out policy 1 (working-alon), id: there is no " \
           "library policy 'working-alon' - did you mean working-alone or working-with-animals " \
           "or working-at-heights?" in text
    assert "'Confined Spaces' does not apply to this company anyway" in text
    assert not check.ok
    with pytest.raises(api.InputError, match="The company's own policies have problems"):
        api.manual.build(profile, library, api.manual.ManualOptions(layout=WORD))


# --------------------------------------------------------------------------- updates


@pytest.fixture()
def newer_library(tmp_path) -> Path:
    """A copy of the library where NSNY changed Working Alone (revision 4)."""
    home = tmp_path / "newer"
    shutil.copytree(LIBRARY.policies, home / "policy_library")
    path = home / "policy_library" / "policies" / "working-alone.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("revision: 3\n", "revision: 4\n").replace(
        "2. The worker tells the check-in contact where they will be,",
        "2. The worker tells the check-in contact, in writing, where they will be,")
    path.write_text(text, encoding="utf-8")
    return home


def test_library_change_under_a_company_version_is_shown_not_merged(tmp_path, library,
                                                                    newer_library):
    folder = tmp_path / "co"
    profile = company_folder(folder, policies={"working-alone.md": company_version(),
                                               ".base": {"working-alone.md":
                                                         LIBRARY_WA.read_text("utf-8")}})
    assert library_updates(prepare(api.load_profile(profile, library), library)) == []
    newer = api.load_library(newer_library)
    (update,) = library_updates(prepare(api.load_profile(profile, newer), newer))
    assert update.from_base and update.revision == 4 and update.based_on.revision == 3
    assert "~ 2. The worker tells the check-in [-contact-] {+contact, in writing,+} where " \
           "they will be, what they ..." in update.diff
    assert update.diff[0] == "In Before working alone:"
    result = CliRunner().invoke(main, ["manual", str(profile), "-o", str(tmp_path / "m.docx"),
                                       "--layout", WORD, "--library", str(newer_library)])
    assert result.exit_code == 0, result.output
    assert "warning: Working Alone: the library's policy changed since your company version " \
           "was made from it (revision 3 of library 2026.2; now revision 4 in 2026.2); your " \
           "version is used unchanged" in result.output
    assert "{+contact, in writing,+}" in result.output and "Nothing was merged" in \
        result.output
    text = section_text(open_docx(tmp_path / "m.docx"), "Working Alone")
    assert "in writing" not in text and "A roofer alone on a roof" in text


def test_library_change_without_a_base_copy_compares_with_the_company_text(
        tmp_path, newer_library):
    profile = company_folder(tmp_path, policies={"working-alone.md": company_version()})
    newer = api.load_library(newer_library)
    (update,) = library_updates(prepare(api.load_profile(profile, newer), newer))
    assert not update.from_base
    assert any("A [-roofer-] {+worker who is hurt" in line for line in update.diff)
    check = api.check_profile(profile, newer)
    assert any(p.severity == "warning" and "changed since your company version" in p.message
               for p in check.problems)


# --------------------------------------------------------------------------- library diff


def test_library_diff_lists_changes_and_the_companies_they_reach(tmp_path, newer_library):
    policies = newer_library / "policy_library" / "policies"
    (policies / "company-rules.md").unlink()
    (policies / "roof-snow-load.md").write_text(ADDED.replace("reason: Winter roof work is "
                                                              "half of our business\n", ""),
                                                encoding="utf-8")
    companies = tmp_path / "companies"
    company_folder(companies / "kluane", policies={"working-alone.md": company_version()})
    make_tree(companies / "solo", {"company.yaml": yaml.safe_dump(MINIMAL_PROFILE)})
    result = CliRunner().invoke(main, ["library", "diff", str(LIBRARY.home),
                                       str(newer_library), "--companies", str(companies)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Library NSNY SECOR Sample Policy Library 2026.2 -> NSNY SECOR Sample Policy " \
           "Library 2026.2" in out
    assert "Added (1):\n  roof-snow-load: Roof Snow Load Checks (element 3)" in out
    assert "Removed (1):\n  company-rules: Company Rules and Discipline (element 5)" in out
    assert "  working-alone: Working Alone (element 3) - revision 3 -> 4; sections " \
           "Procedure" in out
    assert "{+contact, in writing,+}" in out
    assert "kluane/company.yaml (Kluane Ridge Roofing): 3 of its policies" in out
    assert "Working Alone - changed; the company keeps its own version (based on revision " \
           "3): to review" in out
    assert "Company Rules and Discipline - removed: no longer in the manual" in out
    assert "Roof Snow Load Checks - added: now in the manual" in out
    assert "solo/company.yaml (Solo Snow Ltd.): 2 of its policies" in out


def test_policy_copy_then_a_library_change_listed_then_accepted(tmp_path, newer_library):
    profile = company_folder(tmp_path / "co")
    runner = CliRunner()
    out = runner.invoke(main, ["policy", "copy", str(profile), "working-alone", "--on",
                               "2026-12-02"])
    assert out.exit_code == 0, out.output
    mine = profile.parent / "policies" / "working-alone.md"
    text = mine.read_text(encoding="utf-8")
    assert 'based_on: {library: "2026.2", revision: 3}\nreviewed: 2026-12-02\n' in text
    assert "{{ company.name }}" in text            # it still follows the profile
    newer = ["--library", str(newer_library)]
    listed = runner.invoke(main, ["policy", "list", str(profile), "--diff", *newer])
    assert listed.exit_code == 1, listed.output
    assert "  Working Alone (working-alone): company version - based on revision 3 of " \
           "library 2026.2; policies/working-alone.md\n    the library changed it since: " \
           "revision 4 in 2026.2" in listed.output
    assert "{+contact, in writing,+}" in listed.output
    accepted = runner.invoke(main, ["policy", "accept", str(profile), "working-alone", *newer])
    assert accepted.exit_code == 0, accepted.output
    after = mine.read_text(encoding="utf-8")
    assert after == text.replace("revision: 3}", "revision: 4}")
    assert (profile.parent / "policies" / ".base" / "working-alone.md").read_bytes() == \
        (newer_library / "policy_library" / "policies" / "working-alone.md").read_bytes()
    again = runner.invoke(main, ["policy", "list", str(profile), *newer])
    assert again.exit_code == 0 and "changed it since" not in again.output


def test_a_profile_written_again_keeps_its_left_out_policies(tmp_path, library):
    """The web app and init write company.yaml through one writer: it keeps leave_out."""
    profile = company_folder(tmp_path, leave_out=[{"id": "cold-weather",
                                                   "reason": "Covered: our own procedure"}])
    loaded = api.load_profile(profile, library)
    text = api.workspace.profile_text(loaded, library, on=loaded.profile.manual.issued)
    assert '  leave_out:                                      # library policies left out, ' \
           'and why\n    - {id: cold-weather, reason: "Covered: our own procedure"}' in text
    again = api.load_profile(make_tree(tmp_path / "again", {
        "company.yaml": text, "logo.png": (EXAMPLE.parent / "logo.png").read_bytes()}) /
        "company.yaml", library)
    assert again.profile.manual.leave_out == loaded.profile.manual.leave_out
