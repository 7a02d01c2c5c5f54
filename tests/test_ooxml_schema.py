"""Every Word file manualgen writes, and every template it writes them from, is valid
ECMA-376 transitional (the schemas in manualgen/render/xsd) and its parts' ids point somewhere.

The schemas find what LibreOffice forgives and Word or the Open XML SDK may not (issue
13: <w:zoom> without its required w:percent in every document); the reference checks find
what no schema can: a style, list, relationship or bookmark that is named but missing.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from manualgen import api

from conftest import EXAMPLE, TEMPLATES, needs_libreoffice
from ooxml import compatible, order_problems, reference_problems, schema_problems

EXAMPLE_SUBMISSION = EXAMPLE.parent / "2026-submission"
TEMPLATE_FILES = sorted(Path(TEMPLATES).glob("*.docx"))


@pytest.fixture(scope="module")
def library() -> api.Library:
    return api.load_library()


@pytest.fixture(scope="module")
def generated(library) -> dict[str, bytes]:
    """Every kind of Word file the tool writes, built from the example company."""
    docs = {"manual (contents for Word to fill)":
            api.manual.build(EXAMPLE, library,
                             api.manual.ManualOptions(layout="word-updates-on-open")).docx}
    forms = api.forms.build(EXAMPLE, library)
    docs.update({f"form {name}": data for name, data in forms.files.items()})
    sub = api.submission.load(EXAMPLE_SUBMISSION, library)
    docs["summary report"] = api.summary.build(sub).docx_bytes()
    docs["library book"] = api.library.book(library).docx
    docs["coverage table"] = api.library.coverage_document(api.library.coverage(library),
                                                           "coverage.docx")
    return docs


def test_every_kind_of_output_is_here(generated, library):
    assert sum(name.startswith("form ") for name in generated) == len(library.forms) == 14


def test_generated_documents_are_schema_valid(generated):
    problems = [p for name, data in generated.items() for p in schema_problems(data, name)]
    assert problems == []


def test_generated_documents_refer_only_to_what_exists(generated):
    problems = [p for name, data in generated.items() for p in reference_problems(data, name)]
    assert problems == []


def test_generated_documents_define_only_the_styles_they_use(generated):
    """python-docx's template defines some 160 styles (790 KB with Word 2010's copy) that
    LibreOffice parses for every layout; the outputs keep the ones they use."""
    for name, data in generated.items():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert "word/stylesWithEffects.xml" not in z.namelist(), name
            styles = z.read("word/styles.xml")
        ids = set(re.findall(rb'w:styleId="([^"]+)"', styles))
        assert len(styles) < 60_000 and b"LightShading-Accent1" not in ids, name
        assert b"Normal" in ids and b"TableNormal" in ids, name


def test_pruning_keeps_what_any_part_names_and_what_that_is_built_on():
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    from manualgen.render.wordxml import prune_styles

    document = docx.Document()
    document.add_paragraph("A warning in a box", style="Intense Quote")
    footnotes = (b'<x:footnotes xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/'
                 b'2006/main"><x:footnote x:id="1"><x:p><x:pPr><x:pStyle x:val="Caption"/>'
                 b'</x:pPr></x:p></x:footnote></x:footnotes>')    # any prefix
    part = Part(PackURI("/word/footnotes.xml"), "application/vnd.openxmlformats-"
                "officedocument.wordprocessingml.footnotes+xml", footnotes,
                document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)     # a part python-docx keeps as bytes
    assert prune_styles(document) > 100
    ids = {style.style_id for style in document.styles}
    assert {"IntenseQuote", "IntenseQuoteChar", "Caption", "Normal"} <= ids
    assert "Quote" not in ids and "LightShading-Accent1" not in ids
    assert prune_styles(document) == 0
    saved = io.BytesIO()
    document.save(saved)
    assert reference_problems(saved.getvalue(), "pruned") == []


@needs_libreoffice()
@pytest.mark.libreoffice
def test_manual_with_numbered_contents_is_valid(library):
    data = api.manual.build(EXAMPLE, library).docx      # the contents' numbers from the layout
    assert schema_problems(data, "manual") == []
    assert reference_problems(data, "manual") == []


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=lambda p: p.name)
def test_templates_are_schema_valid(template):
    assert schema_problems(template) == []
    assert reference_problems(template) == []
    assert order_problems(template) == []


def test_every_zoom_carries_its_percent(generated):
    for name, data in {**generated, **{p.name: p.read_bytes() for p in TEMPLATE_FILES}}.items():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            settings = z.read("word/settings.xml")
        assert re.search(rb"<w:zoom\b[^>]*\bw:percent=", settings), name


# --- the checks themselves find what they claim to --------------------------------------------

def with_part(data: bytes, name: str, change) -> bytes:
    """The document with one part's bytes changed by `change`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            dst.writestr(info.filename, change(part) if info.filename == name else part)
    return out.getvalue()


@pytest.fixture(scope="module")
def form(generated) -> bytes:
    return generated["form site-inspection.docx"]


def test_schema_check_finds_a_zoom_without_percent(form):
    broken = with_part(form, "word/settings.xml",
                       lambda x: re.sub(rb' w:percent="\d+"', b"", x))
    problems = schema_problems(broken, "f")
    assert len(problems) == 1 and "zoom" in problems[0] and "percent" in problems[0]


def test_schema_check_finds_an_element_out_of_place(form):
    broken = with_part(form, "word/document.xml",
                       lambda x: x.replace(b"<w:body>", b"<w:body><w:zoom/>", 1))
    assert any("word/document.xml" in p for p in schema_problems(broken, "f"))


@pytest.mark.parametrize(("part", "old", "new", "message"), [
    ("word/document.xml", rb'<w:pStyle w:val="[^"]+"/>', b'<w:pStyle w:val="NoSuchStyle"/>',
     "style id 'NoSuchStyle' is not in styles.xml"),
    ("word/document.xml", rb'r:id="rId\d+"', b'r:id="rId999"',
     "r:id='rId999' has no relationship"),
    ("word/_rels/document.xml.rels", rb'Target="styles.xml"', b'Target="gone.xml"',
     "points at word/gone.xml, which is not in the file"),
    ("word/numbering.xml", rb'<w:num w:numId="(\d+)"', b'<w:num w:numId="9\\1"',
     "is not in numbering.xml"),
])
def test_reference_check_finds_what_is_missing(form, part, old, new, message):
    broken = with_part(form, part, lambda x: re.sub(old, new, x, count=1))
    assert broken != form
    assert any(message in p for p in reference_problems(broken, "f")), \
        reference_problems(broken, "f")


def test_reference_check_finds_a_link_to_no_bookmark(generated):
    manual = generated["manual (contents for Word to fill)"]
    broken = with_part(manual, "word/document.xml",
                       lambda x: re.sub(rb'w:anchor="[^"]+"', b'w:anchor="_Nowhere"', x,
                                        count=1))
    assert any("bookmark '_Nowhere', which does not exist" in p
               for p in reference_problems(broken, "m"))


def test_compatibility_drops_what_is_ignorable_and_picks_a_choice():
    root = etree.fromstring(
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        b' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        b' xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
        b' mc:Ignorable="w14"><w:body><w:p w14:paraId="1A2B3C4D"><w14:extra/>'
        b'<mc:AlternateContent><mc:Choice Requires="w14"><w:r><w:t>new</w:t></w:r>'
        b'</mc:Choice><mc:Fallback><w:r><w:t>old</w:t></w:r></mc:Fallback>'
        b'</mc:AlternateContent></w:p></w:body></w:document>')
    out = etree.tostring(compatible(root))
    assert b"paraId" not in out and b"extra" not in out and b"Ignorable" not in out
    assert b"<w:t>old</w:t>" in out and b"new" not in out
