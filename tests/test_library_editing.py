"""Editing a policy in parts (issue 27): a policy opened and saved unchanged is the same
file; edits change only what was edited; the library's checks are placed beside the part
they are about; a company is told what a new library version changes in its manual."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from manualgen import api
from manualgen.library.editing import HEADER, HeaderFields, PolicySource
from manualgen.manual.news import NewsKind
from manualgen.resources import library_paths

from conftest import EXAMPLE

POLICIES = sorted(library_paths().policies.glob("policies/*.md"))
TODAY = dt.date(2026, 12, 8)


@pytest.fixture(scope="module")
def library() -> api.Library:
    return api.load_library()


def working_alone() -> PolicySource:
    path = library_paths().policies / "policies" / "working-alone.md"
    return PolicySource.parse(path.read_text(encoding="utf-8"),
                              "policy_library/policies/working-alone.md")


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_every_policy_comes_back_byte_for_byte_when_saved_unchanged(path):
    text = path.read_text(encoding="utf-8")
    source = PolicySource.parse(text, str(path))
    assert source.text() == text
    same = source.with_header(source.header_fields()).with_sections(
        {s.name: s.shown + "\r\n" for s in source.sections},
        preamble=source.preamble.replace("\n", "\r\n"))
    assert same.text() == text


def test_a_section_edit_changes_that_section_only():
    source = working_alone()
    purpose = source.section("Purpose").shown
    edited = source.with_sections({"Purpose": purpose + "\n\nA missed check-in is never "
                                   "ignored."})
    before, after = source.text().splitlines(), edited.text().splitlines()
    assert [line for line in after if line not in before] == \
        ["A missed check-in is never ignored."]
    assert edited.section("Scope") == source.section("Scope")


def test_header_fields_write_yaml_the_library_reads():
    source = working_alone()
    fields = source.header_fields()
    assert fields.hazards == ("working_alone",) and not fields.always
    changed = source.with_header(HeaderFields(
        title="Working Alone or in Isolation", hazards=("working_alone", "remote_travel"),
        min_employees=2, forms=fields.forms,
        legislation=fields.legislation + "\nOccupational Health Regulations [only with: "
                                         "mining; not with: child_care]"))
    header = changed.header
    assert header["title"] == "Working Alone or in Isolation"
    assert header["applies"] == {"hazards": ["working_alone", "remote_travel"],
                                 "min_employees": 2}
    assert header["legislation"][-1] == {"text": "Occupational Health Regulations",
                                         "hazards": ["mining"], "unless": ["child_care"]}
    assert header["revision"] == 3 and header["id"] == "working-alone"   # kept as they were
    assert changed.with_header(HeaderFields(
        title="Working Alone", forms=fields.forms,
        legislation=fields.legislation)).header["applies"] == "always"


def test_a_misspelt_variable_is_named_beside_its_section_and_line(library):
    source = working_alone()
    purpose = source.section("Purpose").shown
    draft = source.with_sections({"Purpose": purpose + "\n\nCall {{ company.nmae }}."})
    findings = api.library.check_draft(draft, library, on=TODAY)
    errors = [f for f in findings if f.error]
    assert len(errors) == 1
    found = errors[0]
    assert (found.part, found.line) == ("Purpose", 3)
    assert "company.nmae" in found.problem.message
    assert "did you mean company.name" in found.problem.fix
    assert found.problem.path == "policy_library/policies/working-alone.md"
    assert not [f for f in api.library.check_draft(source, library, on=TODAY) if f.error]


def test_a_header_problem_is_placed_on_the_header(library):
    source = working_alone()
    fields = source.header_fields()
    draft = source.with_header(HeaderFields(title=fields.title, hazards=("wroking_alone",),
                                            forms=fields.forms,
                                            legislation=fields.legislation))
    errors = [f for f in api.library.check_draft(draft, library, on=TODAY) if f.error]
    assert errors and all(f.part == HEADER for f in errors)
    assert any("wroking_alone" in f.problem.message for f in errors)


def test_a_redline_marks_words_and_leaves_out_what_did_not_change():
    old = "## Purpose\n\nOne two three four.\n\nKept as it was.\n\n## Scope\n\nAll of us.\n"
    new = "## Purpose\n\nOne two 3 four five.\n\nKept as it was.\n\n## Scope\n\nAll of us.\n"
    lines = api.library.redline(old, new, context=0)
    shown = [(p.heading, [(str(x.mark), x.text) for x in p.pieces]) if p else None
             for p in lines]
    assert shown == [(True, [("same", "Purpose")]),
                     (False, [("same", "One two"), ("removed", "three four."),
                              ("added", "3 four five.")]),
                     None]                       # the rest left out, unchanged
    assert len(api.library.redline(old, new, context=None)) == 5


# --------------------------------------------------------------------------- the news


@pytest.fixture
def company(tmp_path, library) -> tuple[Path, Path]:
    """The example company with a recorded revision 3, and a copy of the library."""
    folder = tmp_path / "company"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", folder / "logo.png")
    built = api.manual.build(folder / "company.yaml", library,
                             api.manual.ManualOptions(layout="word-updates-on-open"))
    kept = api.manual.record_file(folder, built)
    api.save(kept.path, kept.data)
    home = tmp_path / "library"
    paths = library_paths()
    for part in (paths.policies, paths.forms, paths.packages):
        shutil.copytree(part, home / part.name,
                        ignore=shutil.ignore_patterns("test-companies"))
    return folder, home


def revise(home: Path, policy: str, old: str, new: str, version: str = "2026.3") -> None:
    path = home / "policy_library" / "policies" / f"{policy}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    revision = PolicySource.parse(text).header["revision"]
    text = text.replace(old, new).replace(f"revision: {revision}\n",
                                          f"revision: {revision + 1}\n")
    path.write_text(text, encoding="utf-8")
    info = home / "policy_library" / "library.yaml"
    info.write_text(info.read_text().replace('"2026.2"', f'"{version}"'))


def test_a_company_is_told_what_a_version_changes_in_its_manual_and_taking_it_says_so(
        company):
    folder, home = company
    revise(home, "working-alone", "exactly what happens when a check-in is missed.",
           "exactly what happens when a check-in is missed. A missed check-in is never "
           "ignored.")
    # a revision that says nothing new to this company is not news to it
    revise(home, "hot-work", "## Purpose\n", "## Purpose\n\n{% if 'mining' in hazards "
           "%}Only for miners.{% endif %}\n")
    new = api.load_library(home)
    ws = api.workspace.open_folder(folder)
    news = api.manual.library_news(ws, new)
    assert (news.version, news.manual_version, news.revision) == ("2026.3", "2026.2", 3)
    assert [(n.kind, n.id, n.was, n.now) for n in news.items] == \
        [(NewsKind.REVISED, "working-alone", 3, 4)]
    added = [p for para in news.items[0].lines if para for p in para.pieces
             if str(p.mark) == "added"]
    assert [p.text for p in added] == ["A missed check-in is never ignored."]
    assert news.headline() == "Library 2026.3: Working Alone revised"

    assert api.manual.new_revision(ws, new, on=TODAY) == 4
    rebuilt = api.manual.build(folder / "company.yaml", new,
                               api.manual.ManualOptions(layout="word-updates-on-open"))
    kept = api.manual.record_file(folder, rebuilt)
    api.save(kept.path, kept.data)
    from manualgen.inputs.revisions import load_records
    from manualgen.manual.revisions import compare_records

    records = load_records(folder)
    summary = compare_records(records.get(3), records.get(4)).summary()
    assert summary.startswith("Library 2026.3: Working Alone revised")
    assert api.manual.library_news(ws, new).items == []
    assert api.manual.library_version(folder) == "2026.3"


def test_a_company_with_its_own_version_gets_the_three_way_notice(company, library):
    folder, home = company
    for rel, data in api.manual.copy_policy(folder / "company.yaml", library, "working-alone",
                                            on=TODAY).items():
        api.save(folder / rel, data)
    revise(home, "working-alone", "exactly what happens when a check-in is missed.",
           "exactly what happens when a check-in is missed. A missed check-in is never "
           "ignored.")
    news = api.manual.library_news(api.workspace.open_folder(folder), api.load_library(home))
    assert [(n.kind, n.id) for n in news.items] == [(NewsKind.OWN, "working-alone")]
    assert news.rebuild == [] and news.own[0].update.from_base
    assert any("never ignored" in line for line in news.own[0].update.diff)
