"""Revision records: the revision history says what changed; the redline shows it, tracked."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from docx.oxml.ns import qn
from pypdf import PdfReader

from manualgen import api
from manualgen.cli import main
from manualgen.inputs.revisions import load_records

from conftest import EXAMPLE, needs_libreoffice
from test_company_policies import company_version
from word_edits import open_docx, section

WORD = "word-updates-on-open"
TRUCK = {"id": "TRK-03", "description": "2024 Ram 3500 crew truck", "interval": "3 months"}
DATE = "2027-01-15T00:00:00Z"


def run(*args, code: int = 0) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


def next_revision(profile: Path) -> None:
    """What a year brings: a new truck, electrical work, a policy of its own, one left out."""
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    data["manual"].update(revision=4, issued="2027-01-15",
                          leave_out=[{"id": "cold-weather",
                                      "reason": "Covered by our own winter procedure"}])
    data["equipment"].append(TRUCK)
    data["hazards"].append("electrical")
    profile.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    (profile.parent / "policies").mkdir()
    (profile.parent / "policies" / "working-alone.md").write_text(company_version(),
                                                                  encoding="utf-8")


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """Revision 3 built (its record kept), then revision 4 built with a redline since 3."""
    root = tmp_path_factory.mktemp("revisions")
    folder = root / "company"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", folder / "logo.png")
    profile = folder / "company.yaml"
    run("manual", profile, "-o", root / "r3.docx", "--layout", WORD)
    record3 = (folder / "revisions" / "revision-3.json").read_bytes()
    next_revision(profile)
    out = run("manual", profile, "-o", root / "r4.docx", "--layout", WORD, "--redline", "3")
    return profile, root, out, record3


def history(path: Path) -> dict[str, list[str]]:
    document = docx.Document(str(path))
    table = next(t for t in document.tables
                 if [c.text for c in t.rows[0].cells] == ["Revision", "Date", "Changes"])
    return {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}


def test_revision_history_says_what_changed_by_itself(two):
    _, root, _, _ = two
    rows = history(root / "r4.docx")
    assert rows["3"] == ["November 26, 2026", "Annual review; new crew truck; updated first "
                                              "aid attendants"]
    date, text = rows["4"]
    assert date == "January 15, 2027"
    assert text.startswith("Added Electrical Safety; changed Hazard Assessment, ")
    assert text.endswith("; left out Cold Weather and Winter Work; new hazard: Electrical work "
                         "and work near energized equipment or overhead power lines; new in "
                         "the equipment inventory: TRK-03 (2024 Ram 3500 crew truck).")
    changed = text.split("; changed ", 1)[1].split("; left out", 1)[0]
    assert "Health and Safety Policy Statement" not in changed   # only its date moved
    assert "Preventative Maintenance" in changed                 # it lists the units
    assert "Working Alone" in changed                            # the company's version


def test_each_revision_keeps_a_record_and_a_later_one_is_never_rewritten(two, tmp_path):
    profile, root, _, record3 = two
    records = load_records(profile.parent)
    assert [r.revision for r in records.records] == [3, 4] and not records.problems
    r3, r4 = records.records
    assert r3.to_bytes() == record3
    assert r4.policy("working-alone").source == "company"
    assert r4.policy("working-alone").library_revision == 3
    assert [x.id for x in r4.left_out] == ["cold-weather"]
    assert TRUCK["id"] in [u.id for u in r4.facts.equipment]
    assert {e.key for e in r4.contents} >= {"document-control", "policy:working-alone",
                                            "data:equipment", "appendix:forms"}
    older = tmp_path / "older"
    shutil.copytree(profile.parent, older)
    data = yaml.safe_load((older / "company.yaml").read_text())
    data["manual"]["revision"] = 3
    (older / "company.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    out = run("manual", older / "company.yaml", "-o", tmp_path / "m.docx", "--layout", WORD)
    assert "warning: no revision record kept: revision 4 is already recorded" in out
    assert (older / "revisions" / "revision-3.json").read_bytes() == record3


def _tracked(path: Path) -> list[tuple[str, str, str, str]]:
    root = docx.Document(str(path)).element.body
    out = []
    for el in root.iter(qn("w:ins"), qn("w:del")):
        text = "".join(t.text or "" for t in el.iter(qn("w:t"), qn("w:delText")))
        out.append((el.tag.rsplit("}", 1)[1], el.get(qn("w:author")), el.get(qn("w:date")),
                    text))
    return out


def _views(paragraphs) -> tuple[list[str], list[str]]:
    """The paragraphs as Word shows them after Accept All and after Reject All."""
    accepted, rejected = [], []
    for para in paragraphs:
        p = para._p
        mark = p.find(f"{qn('w:pPr')}/{qn('w:rPr')}")
        kind = None if mark is None or not len(mark) else mark[0].tag.rsplit("}", 1)[1]
        keep = "".join(t.text or "" for t in p.iter(qn("w:t")))
        gone = "".join(t.text or "" for t in p.iter(qn("w:t"), qn("w:delText"))
                       if not any(a.tag == qn("w:ins") for a in t.iterancestors()))
        if kind != "del":
            accepted.append(keep)
        if kind != "ins":
            rejected.append(gone)
    return accepted, rejected


def test_redline_tracked_changes_are_the_real_ones(two):
    _, root, out, _ = two
    path = root / "r4-changes-since-3.docx"
    assert f"wrote {path} (changes since revision 3: " in out
    tracked = _tracked(path)
    assert tracked and {(a, d) for _, a, d, _ in tracked} == {("manualgen", DATE)}
    ids = [el.get(qn("w:id")) for el in docx.Document(str(path)).element.body.iter(
        qn("w:ins"), qn("w:del"))]
    assert len(ids) == len(set(ids))
    texts = {(kind, text) for kind, _, _, text in tracked}
    assert ("ins", "TRK-03: 2024 Ram 3500 crew truck (serviced every 3 months)") in texts
    assert ("ins", "Electrical Safety") in texts
    assert ("del", "Cold Weather and Winter Work") in texts
    assert ("del", "worker who is hurt or falls ill while ") in texts
    assert ("ins", "roofer ") in texts and ("ins", "on a roof ") in texts
    document = docx.Document(str(path))
    body = [p.text for p in document.paragraphs]
    assert "Element 3. Left out: Covered by our own winter procedure" in body
    # Accept All gives revision 4's Working Alone; Reject All gives revision 3's.
    redline = [p for p in section(document, "Working Alone")
               if not p.text.startswith("Element 3.")]
    accepted, rejected = _views(redline)
    for manual, view in (("r4.docx", accepted), ("r3.docx", rejected)):
        text = [p.text for p in section(open_docx(root / manual), "Working Alone")]
        assert [t for t in view if t] == [t for t in text if t], manual
    unchanged = body[body.index("Unchanged") + 1]
    assert unchanged.startswith("20 policies did not change: Health and Safety Policy "
                                "Statement, Health and Safety Responsibilities, ")


def test_redline_is_the_same_bytes_every_time(two):
    profile, root, _, _ = two
    again = api.manual.redline(profile, api.load_library(), 3)
    assert again.docx == (root / "r4-changes-since-3.docx").read_bytes()


def test_redline_needs_a_record(two):
    profile, root, _, _ = two
    out = run("manual", profile, "-o", root / "x.docx", "--layout", WORD, "--redline", "2",
              "--no-record", code=2)
    assert "revision-2.json: there is no record of revision 2 (recorded: 3, 4)" in out


@needs_libreoffice()
def test_redline_opens_in_libreoffice_with_the_changes_marked(two):
    profile, _, _, _ = two
    result = api.manual.redline(profile, api.load_library(), 3, api.manual.RedlineOptions(pdf=True))
    reader = PdfReader(io.BytesIO(result.pdf))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    text = " ".join(text.split())
    assert len(reader.pages) >= 5
    assert "TRK-03: 2024 Ram 3500 crew truck" in text        # inserted, underlined
    assert "A worker who is hurt or falls ill while" in text  # deleted, struck through
    with zipfile.ZipFile(io.BytesIO(result.docx)) as z:
        assert b"<w:ins " in z.read("word/document.xml")
