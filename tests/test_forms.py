"""The company's personalised forms: render, prefill, escape, refuse broken templates."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from pypdf import PdfReader

from manualgen import resources
from manualgen.cli import main
from manualgen.errors import InputError
from manualgen.io import load_yaml

from conftest import LIBRARY, MINIMAL_PROFILE, needs_libreoffice
from conftest import forms_files as build_forms

FORM_IDS = [f["id"] for f in load_yaml(LIBRARY.forms / "forms.yaml").data]
TAG = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")


def _all_text(path: Path) -> str:
    """Every word of a .docx, body, tables, headers and footers (tags would show here)."""
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist()
                 if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
        xml = "".join(z.read(n).decode("utf-8") for n in parts)
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)).replace("&amp;", "&") \
        .replace("&lt;", "<").replace("&gt;", ">")


@pytest.fixture(scope="module")
def example_forms(tmp_path_factory) -> Path:
    """The example company's forms, built once for the module."""
    root = tmp_path_factory.mktemp("example")
    src = resources.examples_dir()
    shutil.copy(src / "company.yaml", root / "company.yaml")
    shutil.copy(src / "logo.png", root / "logo.png")
    build_forms(root / "company.yaml", root / "forms")
    return root / "forms"


@pytest.fixture(scope="module")
def minimal_forms(tmp_path_factory) -> Path:
    """The minimal company's forms (no logo, no SECOR, no hazards, no equipment)."""
    root = tmp_path_factory.mktemp("minimal")
    profile = _write_profile(root / "company.yaml")
    build_forms(profile, root / "forms")
    return root / "forms"


def _forms_home(tmp_path: Path) -> Path:
    """A library home with the real policies and a copy of the form templates to break."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "policy_library").symlink_to(LIBRARY.policies)
    shutil.copytree(LIBRARY.forms, home / "form_templates")
    return home


def _write_profile(path: Path, **company) -> Path:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL_PROFILE))
    data["company"].update(company)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- rendering


def test_every_form_renders_for_the_example_company(example_forms):
    names = sorted(p.name for p in example_forms.iterdir())
    assert names == sorted(f"{i}.docx" for i in FORM_IDS)
    for path in example_forms.iterdir():
        Document(str(path))  # reopens
        text = _all_text(path)
        assert not TAG.search(text), f"{path.name}: tag left: {TAG.search(text).group()}"
        assert "Kluane Ridge Roofing" in text and "WSCB account 1234567" in text
        assert "SECOR certificate S-0423" in text
        form_id = path.stem
        assert f"Form {form_id}, revision 1" in text


def test_every_form_renders_for_a_minimal_profile(minimal_forms):
    paths = sorted(minimal_forms.iterdir())
    assert len(paths) == len(FORM_IDS)
    for path in paths:
        Document(str(path))
        text = _all_text(path)
        assert not TAG.search(text), path.name
        assert "Solo Snow Ltd." in text and "SECOR certificate S-" not in text
        with zipfile.ZipFile(path) as z:  # no logo in the profile: only the form's code
            media = [n for n in z.namelist() if n.startswith("word/media/")]
            assert len(media) == 1, path.name
            assert "media/" in z.read("word/_rels/footer1.xml.rels").decode()


def test_logo_is_in_every_page_header(example_forms):
    for path in example_forms.iterdir():
        doc = Document(str(path))
        header = doc.sections[0].header
        blips = header._element.xpath(".//a:blip")
        assert len(blips) == 1, path.name
        assert header.part.related_parts[blips[0].get(
            "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")]


def test_emergency_plan_is_prefilled(example_forms):
    text = _all_text(example_forms / "emergency-response-plan.docx")
    for expected in ("911", "Shop and office", "12 Alsek Road, Haines Junction",
                     "Client job sites", "Haines Junction Health Centre",
                     "Front gate of the shop yard", "Inreach satellite messenger",
                     "Mary-Anne O'Brien", "Daniel Tāgé Smith", "2027-06-20"):
        assert expected in text, expected
    # Procedures follow the company's hazards: wildlife yes, lockout never listed.
    assert "Wildlife encounter" in text


def test_emergency_procedures_follow_the_hazards(minimal_forms):
    text = _all_text(minimal_forms / "emergency-response-plan.docx")
    assert "Fire" in text and "Wildlife encounter" not in text
    assert "Dawson City Community Hospital" in text and "Beside the truck" in text


def test_maintenance_inventory_lists_the_equipment(example_forms):
    doc = Document(str(example_forms / "maintenance-record.docx"))
    inventory = doc.tables[0]
    ids = [row.cells[0].text for row in inventory.rows[1:] if row.cells[0].text]
    assert ids == ["TRK-01", "TRK-02", "TRL-01", "LAD-01", "FP-01", "GEN-01", "NG-01"]
    first = inventory.rows[1]
    assert [c.text for c in first.cells[:4]] == ["TRK-01", "2019 Ford F-350 crew truck", "",
                                                 "3 months"]
    assert len(inventory.rows) - 1 - len(ids) >= 4  # blank rows to add units by hand


def test_orientation_lists_hazards_and_their_policies(example_forms):
    text = _all_text(example_forms / "orientation-checklist.docx")
    assert "Working alone or in isolation" in text
    assert "Working Alone" in text  # the policy switched on by that hazard
    assert "Wildlife encounters (bears, moose)" in text
    assert "Priya Raman" in text  # safety representative


def test_training_record_lists_people_and_courses(example_forms):
    doc = Document(str(example_forms / "training-record.docx"))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows[1:]]
    assert ["Éloïse Tremblay", "Owner and General Manager", "LSE", "2024-03-05", "", "",
            ""] in rows
    assert ["Mary-Anne O'Brien", "Office Manager and Safety Coordinator", "First Aid Level 1",
            "2024-06-20", "2027-06-20", "", ""] in rows
    # a person with no training still has a row to fill in
    assert any(r[0] == "Jesse <JJ> Lindqvist" and r[2] == "" for r in rows)


def test_values_are_escaped(tmp_path):
    profile = _write_profile(tmp_path / "co" / "company.yaml",
                             legal_name="Smith & Sons <North>",
                             address='1 "Main" St & <Annex>, Dawson City')
    result = build_forms(profile, tmp_path / "out")
    for path in result.docx:
        Document(str(path))  # valid XML
        text = _all_text(path)
        assert "Smith & Sons <North>" in text
        assert '1 "Main" St & <Annex>, Dawson City' in text


def test_rebuild_gives_the_same_bytes_in_place(example_forms):
    """Same inputs, same bytes (logo included); other files in the folder are left alone."""
    before = {p.name: p.read_bytes() for p in example_forms.iterdir()}
    (example_forms / "notes.txt").write_text("mine")
    try:
        build_forms(example_forms.parent / "company.yaml", example_forms)
        after = {p.name: p.read_bytes() for p in example_forms.iterdir()
                 if p.name != "notes.txt"}
        assert (example_forms / "notes.txt").read_text() == "mine"
    finally:
        (example_forms / "notes.txt").unlink()
    assert after == before
    assert not [p for p in example_forms.parent.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------- bad templates


def _break(home: Path, form: str, old: str, new: str) -> Path:
    """Replace text in one template's document.xml (as Word would store the edit)."""
    path = home / "form_templates" / f"{form}.docx"
    data = path.read_bytes()
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "word/document.xml":
                text = content.decode("utf-8")
                assert old in text, f"{old!r} not in {form}"
                content = text.replace(old, new, 1).encode("utf-8")
            dst.writestr(item, content)
    tmp.replace(path)
    assert path.read_bytes() != data
    return path


@pytest.mark.parametrize("old, new, message", [
    ("{{ emergency.muster_point }}", "{{ emergency.muster_point }",
     r"\{\{ emergency\.muster_point \}: tag is not closed"),
    ("{{ emergency.muster_point }}",
     "{{ emergency.</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>muster_point }}",
     r"\{\{ emergency\.muster_point \}\}: tag is split across Word runs"),
    ("{{ emergency.muster_point }}", "{{ emergency.muster_point or \u201cnone\u201d }}",
     r"curly quotes"),
    ("{{ emergency.muster_point }}", "{{ muster_point }}",
     r"\{\{ muster_point \}\}: asks for 'muster_point'"),
    ("{%tr endfor %}", "{%tr endfr %}", r"template syntax error in the body"),
])
def test_broken_template_is_reported_by_name_and_nothing_written(
        minimal_company, tmp_path, monkeypatch, old, new, message):
    home = _forms_home(tmp_path)
    path = _break(home, "emergency-response-plan", old, new)
    out = tmp_path / "out"
    with pytest.raises(InputError) as err:
        build_forms(minimal_company, out, library=home)
    problems = [str(p) for p in err.value.problems]
    assert any(p.startswith(f"{path}: ") and re.search(message, p) for p in problems), problems
    assert not out.exists()


def test_unknown_attribute_fails_before_anything_is_written(minimal_company, tmp_path,
                                                            monkeypatch):
    home = _forms_home(tmp_path)
    path = _break(home, "toolbox-meeting", "{{ form.title }}", "{{ company.tagline }}")
    out = tmp_path / "out"
    with pytest.raises(InputError, match=re.escape(str(path)) + r".*'tagline'"):
        build_forms(minimal_company, out, library=home)
    assert not out.exists()


def test_cli_forms(minimal_company, tmp_path):
    result = CliRunner().invoke(main, ["forms", str(minimal_company), "-o",
                                       str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {len(FORM_IDS)} forms for Solo Snow Ltd.")


def test_cli_reports_a_broken_template_with_exit_2(minimal_company, tmp_path, monkeypatch):
    home = _forms_home(tmp_path)
    _break(home, "hazard-report", "{{ form.title }}", "{{ form.title ")
    monkeypatch.setenv("MANUALGEN_LIBRARY", str(home))
    result = CliRunner().invoke(main, ["forms", str(minimal_company), "-o",
                                       str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "hazard-report.docx: {{ form.title: tag is not closed" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- PDF


@needs_libreoffice()
def test_pdf_of_every_form(example_company, tmp_path):
    result = build_forms(example_company, tmp_path / "out", pdf=True)
    assert sorted(p.stem for p in result.pdfs) == sorted(FORM_IDS)
    for pdf in result.pdfs:
        reader = PdfReader(pdf)
        assert 1 <= len(reader.pages) <= 4, pdf.name
        first = reader.pages[0].extract_text()
        assert "Kluane Ridge Roofing" in first and "Page 1 of" in first, pdf.name
        assert not TAG.search("".join(p.extract_text() for p in reader.pages)), pdf.name


def test_word_xml_in_schema_order(example_forms):
    from ooxml import order_problems

    problems = [p for path in sorted(example_forms.glob("*.docx")) for p in order_problems(path)]
    assert problems == []
