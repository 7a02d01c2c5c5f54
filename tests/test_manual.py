"""The manual, opened as a user would: python-docx, LibreOffice's PDF, its text and pages."""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from manualgen.api import load_library
from manualgen.cli import main

from conftest import EXAMPLE, LIBRARY, MINIMAL_PROFILE, needs_libreoffice
from conftest import manual_files as build_manual
from ooxml import order_problems

pytestmark = needs_libreoffice()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example company's manual, built once with its PDF."""
    folder = tmp_path_factory.mktemp("manual")
    company = folder / "company.yaml"
    shutil.copy(EXAMPLE, company)
    shutil.copy(EXAMPLE.parent / "logo.png", folder / "logo.png")
    result = build_manual(company, folder / "manual.docx", pdf=True)
    return result


@functools.lru_cache(maxsize=8)
def _pdf_text(path: str, size: int, mtime: int) -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in PdfReader(path).pages)


def pdf_pages(path: Path) -> list[str]:
    """The text of every page, extracted once per file (several tests read the same PDF)."""
    st = Path(path).stat()
    return list(_pdf_text(str(path), st.st_size, st.st_mtime_ns))


def test_docx_reopens_with_company_name_in_header(built):
    document = docx.Document(str(built.output))
    header = document.sections[0].header.paragraphs[0].text
    assert "Kluane Ridge Roofing" in header and "{{" not in header
    footer = document.sections[0].footer.paragraphs[0].text
    assert "Revision 3" in footer and "Page" in footer
    styles = {p.style.name for p in document.paragraphs}
    assert {"Heading 1", "Heading 2", "Heading 3", "List Bullet", "List Number"} <= styles
    assert document.tables and all(t.style.name == "Manual Table" for t in document.tables)


def test_contents_lists_every_chapter_with_the_real_page(built):
    pages = pdf_pages(built.pdf)
    elements = load_library().elements
    contents = "\n".join(pages[1:4])
    for element in elements:
        title = f"Element {element.number}: {element.title}"
        match = re.search(re.escape(title) + r"\.{3,}\s*(\d+)", contents)
        assert match, f"{title} is not in the contents with a page number"
        page = int(match.group(1))
        body = " ".join(pages[page - 1].split())
        assert title in body, f"{title} listed on page {page} but not found there"
    footer = re.search(r"Page 5 of (\d+)", pages[4])
    assert footer and int(footer.group(1)) == len(pages)


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page) of every PDF bookmark, in document order."""
    out: list[tuple[int, str, int]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, " ".join(item.title.split()),
                            reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return out


def _contents_entries(path: Path) -> list[tuple[int, str, int]]:
    """(level, text, page) of every contents line the manual prints."""
    out = []
    for para in docx.Document(str(path)).paragraphs:
        if para.style.name in ("TOC 1", "TOC 2"):
            text, _, page = para.text.rpartition("\t")
            out.append((int(para.style.name[-1]), " ".join(text.split()), int(page)))
    return out


def assert_contents_match_layout(docx_path: Path, pdf_path: Path) -> int:
    """Every contents entry against the page its own heading is on in LibreOffice's layout.

    The PDF outline nests headings: a chapter at depth 0, a policy or company table at
    depth 1, a policy's sub-headings deeper. Each entry is matched in order to the next
    bookmark at its own depth with its text, so a sub-heading reading the same as a later
    entry ("Equipment inventory") cannot stand in for it.
    """
    outline = _outline(PdfReader(pdf_path))
    entries = _contents_entries(docx_path)
    assert entries
    pos = 0
    for level, text, page in entries:
        while pos < len(outline) and outline[pos][:2] != (level - 1, text):
            pos += 1
        assert pos < len(outline), f"contents entry {text!r} has no heading in the layout"
        assert page == outline[pos][2], \
            f"contents say {text!r} is on page {page}; its heading is on {outline[pos][2]}"
        pos += 1
    return len(entries)


def test_every_contents_entry_shows_its_headings_page(built):
    assert assert_contents_match_layout(built.output, built.pdf) > 40


@pytest.mark.parametrize("variant", ["minimal", "no-hazards"])
def test_every_contents_entry_right_for_other_companies(variant, minimal_company, tmp_path):
    if variant == "minimal":
        company = minimal_company
    else:
        data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
        data["hazards"] = []
        data["company"].pop("logo", None)
        company = tmp_path / "company.yaml"
        company.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = build_manual(company, tmp_path / "manual.docx", pdf=True)
    assert assert_contents_match_layout(result.output, result.pdf) > 20


def test_chapters_in_order_and_only_applicable_practices(built):
    paragraphs = docx.Document(str(built.output)).paragraphs
    chapters = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    numbers = [int(m.group(1)) for t in chapters if (m := re.match(r"Element (\d+): ", t))]
    assert numbers == list(range(1, 16))
    assert chapters[-1] == "Appendix A: Forms"
    titles = {p.text for p in paragraphs if p.style.name == "Heading 2"}
    hazards = set(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["hazards"])
    switched = [p for p in load_library().policies if p.header.applies != "always"
                and p.header.applies.hazards]
    left_out = [p.title for p in switched if not set(p.header.applies.hazards) & hazards]
    included = [p.title for p in switched if set(p.header.applies.hazards) & hazards]
    assert left_out, "the example should leave out at least one hazard's practice"
    assert not set(left_out) & titles
    assert set(included) <= titles


def test_no_template_syntax_or_placeholder_left(built):
    text = " ".join(pdf_pages(built.pdf))
    for bad in ("{{", "{%", "}}", "TODO", "lorem", "ipsum", "insert text here", "⟦"):
        assert bad not in text


def test_special_characters_survive(built):
    document = docx.Document(str(built.output))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    for name in ("Éloïse Tremblay", "Daniel Tāgé Smith", "Mary-Anne O'Brien",
                 "Jesse <JJ> Lindqvist", "Kluane Ridge Roofing & Sons Ltd."):
        assert name in text
    pdf_text = " ".join(" ".join(pdf_pages(built.pdf)).split())
    assert "Éloïse Tremblay" in pdf_text and "Jesse <JJ> Lindqvist" in pdf_text


def test_numbered_lists_restart(built):
    with zipfile.ZipFile(built.output) as z:
        numbering = z.read("word/numbering.xml").decode()
        body = z.read("word/document.xml").decode()
    restarts = re.findall(r'<w:num w:numId="(\d+)"><w:abstractNumId w:val="\d+"/>'
                          r'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/>', numbering)
    assert len(restarts) >= 5
    used = set(re.findall(r'<w:numId w:val="(\d+)"/>', body))
    assert set(restarts) <= used  # every restart belongs to a list in the text


def test_two_builds_are_byte_identical(built, tmp_path):
    again = build_manual(built.output.parent / "company.yaml", tmp_path / "again.docx")
    assert again.output.read_bytes() == built.output.read_bytes()


def test_word_xml_in_schema_order(built):
    assert order_problems(built.output) == []


def test_without_libreoffice_word_is_asked_to_number_the_contents(minimal_company, tmp_path):
    from manualgen.services.office import Office

    none = Office(None)
    with pytest.raises(Exception, match="LibreOffice is needed to number the contents"):
        build_manual(minimal_company, tmp_path / "x.docx", office=none)
    assert not (tmp_path / "x.docx").exists()       # never a silent downgrade
    result = build_manual(minimal_company, tmp_path / "m.docx", office=none,
                          layout="word-updates-on-open")
    assert result.warnings and "until Word updates them" in result.warnings[0]
    with zipfile.ZipFile(result.output) as z:
        settings = z.read("word/settings.xml").decode()
        body = z.read("word/document.xml").decode()
    assert '<w:updateFields w:val="true"/>' in settings
    assert "<w:t>00</w:t>" not in body
    assert order_problems(result.output) == []
    with pytest.raises(Exception, match="a PDF needs the LibreOffice layout"):
        build_manual(minimal_company, tmp_path / "n.docx", pdf=True, office=none,
                     layout="word-updates-on-open")
    assert not (tmp_path / "n.docx").exists()


def test_the_contents_links_are_in_reading_order(built):
    """Tab moves through a page's links in the order of its /Annots. LibreOffice's order
    depends on what it laid out before: a warm instance's ran bottom to top, a cold
    one's top to bottom, so the bytes differed too."""
    import pikepdf

    with pikepdf.open(built.pdf) as pdf:
        tops = [[float(a.Rect[3]) for a in page.obj.get("/Annots", [])] for page in pdf.pages]
    contents = [t for t in tops if len(t) > 10]
    assert contents, "no page with the contents' links"
    for page_tops in tops:
        assert page_tops == sorted(page_tops, reverse=True)


def test_pdf_passes_qpdf_check(built):
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf not installed")
    subprocess.run(["qpdf", "--check", str(built.pdf)], check=True, capture_output=True)


def test_conditions_follow_the_company(built, minimal_company, tmp_path):
    """Safety representative from 5 workers (program.yaml), contractors only if used."""
    library = load_library()
    rep = library.policy("safety-representative").title
    contractors = library.policy("contractor-management").title

    def headings(path):
        return {p.text for p in docx.Document(str(path)).paragraphs
                if p.style.name == "Heading 2"}

    example = headings(built.output)            # 7 workers, uses subcontractors
    assert rep in example and contractors in example
    result = build_manual(minimal_company, tmp_path / "m.docx")   # 1 worker, none
    minimal = headings(result.output)
    assert rep not in minimal and contractors not in minimal
    assert "Return to Work" in minimal           # always applies
    text = "\n".join(p.text for p in docx.Document(str(result.output)).paragraphs)
    assert "Solo Snow Ltd. " in text and "Ltd.." not in text   # a name ending a sentence


# --- bad input: a message naming the file, exit 2, and no output at all ---

def _copy_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    for name in ("policy_library", "form_templates"):
        shutil.copytree(LIBRARY.home / name, home / name)
    return home


def _profile(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL_PROFILE))
    for key, value in changes.items():
        data["company"][key] = value
    path = tmp_path / "company.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "message"), [
    ({"peak_employees": 14}, r"company\.yaml:\d+: company\.peak_employees: 14 - SECOR"),
    ({"logo": "logo.png"}, r"company\.logo: logo file 'logo.png' not found"),
])
def test_bad_profile_leaves_no_output(tmp_path, change, message):
    out = tmp_path / "out" / "manual.docx"
    result = CliRunner().invoke(main, ["manual", str(_profile(tmp_path, **change)),
                                       "-o", str(out)])
    assert result.exit_code == 2
    assert re.search(message, result.output)
    assert not out.exists() and not list(tmp_path.glob("out/*"))


def test_broken_policy_is_reported_with_its_line(tmp_path, monkeypatch):
    home = _copy_home(tmp_path)
    policy = home / "policy_library" / "policies" / "company-rules.md"
    text = policy.read_text(encoding="utf-8")
    lines = text.splitlines()
    target = next(i for i, t in enumerate(lines) if t.startswith("## Scope")) + 1
    lines.insert(target, "Applies to {{ company.legal_nme }} everywhere.")
    policy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("MANUALGEN_LIBRARY", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "manual.docx"
    out.write_bytes(b"previous manual")
    for _ in range(2):          # compiled afresh, then from the compiled templates kept
        result = CliRunner().invoke(main, ["manual", str(_profile(tmp_path)), "-o", str(out)])
        assert result.exit_code == 2
        assert f"company-rules.md:{target + 1}: unknown variable" in result.output
        assert "legal_nme" in result.output
        assert out.read_bytes() == b"previous manual"  # replaced only by a complete new one
    assert list((tmp_path / "cache" / "manualgen" / "templates").iterdir())


def test_compiled_templates_kept_serve_the_next_process(tmp_path, monkeypatch):
    """A one-off command keeps the policies' compiled templates in the user's cache: the
    next one compiles none of them, and gets the same manual; a damaged one is compiled
    afresh."""
    import jinja2

    from manualgen import api

    folder = tmp_path / "compiled"
    first = api.manual.build(EXAMPLE, api.load_library(compiled=folder),
                             api.manual.ManualOptions(layout="word-updates-on-open")).docx
    kept = sorted(folder.iterdir())
    assert len(kept) >= 25                                   # one a policy
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda env, *a, **k: compiled.append(1) or real(env, *a, **k))
    again = api.manual.build(EXAMPLE, api.load_library(compiled=folder),
                             api.manual.ManualOptions(layout="word-updates-on-open")).docx
    assert again == first and compiled == []
    kept[0].write_bytes(b"not a compiled template")
    kept[1].write_bytes(kept[1].read_bytes()[:40])
    damaged = api.manual.build(EXAMPLE, api.load_library(compiled=folder),
                               api.manual.ManualOptions(layout="word-updates-on-open")).docx
    assert damaged == first and len(compiled) == 2
    assert api.manual.build(EXAMPLE, api.load_library(),       # and none kept: the same
                            api.manual.ManualOptions(layout="word-updates-on-open")).docx == first


def test_cli_manual_with_pdf(tmp_path, minimal_company):
    out = tmp_path / "x" / "manual.docx"
    result = CliRunner().invoke(main, ["manual", str(minimal_company), "-o", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.with_suffix(".pdf").is_file()
    assert len(PdfReader(out.with_suffix(".pdf")).pages) > 20


def test_safety_rep_threshold_is_read_from_program_yaml(tmp_path, monkeypatch):
    home = _copy_home(tmp_path)
    program = home / "policy_library" / "program.yaml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text.replace("safety_rep_min_workers: 5", "safety_rep_min_workers: 8"),
                       encoding="utf-8")
    shutil.copy(EXAMPLE, tmp_path / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    result = build_manual(tmp_path / "company.yaml", tmp_path / "m.docx", library=home,
                          layout="word-updates-on-open")  # the layout is not tested here
    titles = {p.text for p in docx.Document(str(result.output)).paragraphs
              if p.style.name == "Heading 2"}
    assert "Worker Health and Safety Representative" not in titles
    assert "Subcontractor Management" in titles


def test_a_revision_0_manual_says_draft(minimal_company, tmp_path):
    result = build_manual(minimal_company, tmp_path / "m.docx", layout="word-updates-on-open")
    document = docx.Document(str(result.output))
    body = "\n".join(p.text for p in document.paragraphs[:12])
    assert "DRAFT - not yet approved" in body
    assert "Health and Safety Manual - DRAFT" in "".join(
        p.text for s in document.sections for p in s.header.paragraphs)


def test_the_manual_speaks_as_the_company_not_as_the_tool(built):
    """Issue 12, items 7, 8 and 10: no tool text in a document the owner signs, no live
    training status, and the WSCB serious-incident line beside the injury line."""
    text = " ".join(" ".join(pdf_pages(built.pdf)).split())
    for tool_words in ("This chapter shows", "manualgen", "Policy working-alone",
                       "reviewed November", "Training held"):
        assert tool_words not in text, tool_words
    assert "Training each role needs" in text
    for live in ("Not taken", "In grace period", "Expiring soon", "Booked"):
        assert live not in text, live
    assert "WSCB: serious injury or incident (at once) 867-667-5450" in text
    assert "WSCB: to report an injury 867-667-5645" in text


def test_first_aid_is_worked_out_for_each_worksite(built):
    """Issue 12, item 2: 'we have N workers, this rating, this travel time, so we need'."""
    text = " ".join(" ".join(pdf_pages(built.pdf)).split())
    assert "First aid needs by worksite" in text
    assert "Our work is rated high hazard because of working at heights" in text
    assert "7 workers per shift, high hazard, 90 minutes to medical aid: 1 attendant with " \
           "intermediate (standard) first aid" in text


def test_a_warm_library_builds_the_bytes_a_fresh_one_does(tmp_path, minimal_company):
    """Sections kept from the companies built before (a fleet worker, the web app) give
    the next company the manual a fresh process would."""
    from manualgen import api

    renamed = tmp_path / "renamed" / "company.yaml"
    renamed.parent.mkdir()
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["company"]["legal_name"] = "Teslin Roofing Ltd."
    data["company"]["operating_name"] = "Teslin Roofing"
    renamed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    shutil.copy(EXAMPLE.parent / "logo.png", renamed.parent / "logo.png")
    shutil.copy(EXAMPLE.parent / "logo.png", minimal_company.parent / "logo.png")
    warm = api.load_library(LIBRARY)
    for profile in (EXAMPLE, minimal_company):
        api.manual.build(profile, warm, api.manual.ManualOptions(layout="word-updates-on-open"))
    fragments = warm.memo["markdown-fragments"]
    hits, misses = fragments.hits, fragments.misses
    reused = api.manual.build(renamed, warm,
                              api.manual.ManualOptions(layout="word-updates-on-open"))
    # Most of its sections were reused; those naming the company were not.
    assert fragments.hits - hits > fragments.misses - misses > 0
    fresh = api.manual.build(renamed, api.load_library(LIBRARY),
                             api.manual.ManualOptions(layout="word-updates-on-open"))
    assert reused.docx == fresh.docx
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(reused.docx)).paragraphs)
    assert "Teslin Roofing" in text and "Kluane" not in text
