"""The company's personalised forms: made from their definitions or NSNY's Word
layouts, prefilled, escaped; broken templates refused."""

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


def _definition_words(form_id: str) -> list[str]:
    """The words a blank form made from its definition must print: sections, labels,
    fixed rows and headings."""
    data = load_yaml(LIBRARY.forms / "fields" / f"{form_id}.yaml").data
    words = []
    for section in data["sections"]:
        words.append(section["title"])
        for f in section["fields"]:
            words.append(f["label"])
            for sub in f.get("fields") or []:
                words.append(sub["label"])
            for row in f.get("rows") or []:
                words.append(row["heading"] if isinstance(row, dict) else row)
    return words


DEFINED = [f["id"] for f in load_yaml(LIBRARY.forms / "forms.yaml").data
           if not f.get("template")]


@pytest.mark.parametrize("form_id", DEFINED)
def test_a_form_without_a_template_is_made_from_its_definition(example_forms, form_id):
    text = _all_text(example_forms / f"{form_id}.docx")
    missing = [w for w in _definition_words(form_id) if w not in text]
    assert missing == []


def test_most_forms_are_made_from_their_definitions():
    assert len(DEFINED) >= len(FORM_IDS) - 1


def test_blank_forms_offer_the_company_s_own_values(example_forms):
    def text(form_id):
        return _all_text(example_forms / f"{form_id}.docx")
    inspection = text("site-inspection")
    for site in ("Shop and office", "Client job sites"):           # site: ticked
        assert f"\u2610\u00a0{site}" in inspection
    for name in ("Priya Raman", "Mary-Anne O'Brien", "Daniel Tāgé Smith"):   # people
        assert f"\u2610\u00a0{name}" in inspection
    # rows_from: hazards: one checklist row per hazard of the company
    assert "Working alone or in isolation" in inspection
    assert "Wildlife encounters (bears, moose)" in text("orientation-checklist")
    assert "Wildlife encounters (bears, moose)" in text("field-level-hazard-assessment")
    # supervisors only where the definition says so
    flha = text("field-level-hazard-assessment")
    assert "\u2610\u00a0Éloïse Tremblay" in flha
    assert "Photos taken: \u2610" in flha and "Name (print)" in flha
    # a library list as words, not keys
    assert "Near miss" in text("incident-investigation") or \
        "near_miss" not in text("incident-investigation")
    assert "Jesse <JJ> Lindqvist" in text("training-record")


def test_a_form_with_a_template_uses_it(example_company, tmp_path):
    """forms.yaml's `template:` wins over the definition: NSNY's own Word layout."""
    home = _forms_home(tmp_path)
    forms = home / "form_templates"
    shutil.copy(forms / "emergency-response-plan.docx", forms / "toolbox-layout.docx")
    index = forms / "forms.yaml"
    index.write_text(index.read_text().replace(
        "- id: toolbox-meeting\n", "- id: toolbox-meeting\n  template: toolbox-layout.docx\n"))
    result = build_forms(example_company, tmp_path / "out", library=home)
    toolbox = _all_text(tmp_path / "out" / "toolbox-meeting.docx")
    assert "Front gate of the shop yard" in toolbox        # the layout, filled in
    assert "Toolbox Meeting Record" in toolbox             # {{ form.title }}
    assert "Concern or suggestion" not in toolbox          # not the definition
    assert len(result.docx) == len(FORM_IDS)


def test_two_builds_give_the_same_bytes(example_company, tmp_path):
    one = build_forms(example_company, tmp_path / "one").result.files
    two = build_forms(example_company, tmp_path / "two").result.files
    assert one == two


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
    path = _break(home, "emergency-response-plan", "{{ form.title }}",
                  "{{ company.tagline }}")
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
    _break(home, "emergency-response-plan", "{{ form.title }}", "{{ form.title ")
    monkeypatch.setenv("MANUALGEN_LIBRARY", str(home))
    result = CliRunner().invoke(main, ["forms", str(minimal_company), "-o",
                                       str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "emergency-response-plan.docx: {{ form.title: tag is not closed" in \
        result.output
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
