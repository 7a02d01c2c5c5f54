"""Markdown onto the master template's styles, checked in Word XML and in LibreOffice's PDF."""

from __future__ import annotations

import docx
from pypdf import PdfReader

from manualgen import resources
from manualgen.render.markdown_docx import add_markdown
from manualgen.services.office import Office

from conftest import needs_libreoffice

SAMPLE = """## Purpose
Some **bold** and *italic* text, & <angle> brackets, Éloïse.

1. first step
2. second step
   - a nested bullet
3. third step

A paragraph between the lists.

1. again the first
2. again the second

| Rank | Meaning |
|---|---|
| A | Act **now** |
| B | Act soon |

### Details
- one
- two
"""


def build(tmp_path):
    document = docx.Document(str(resources.library_paths().forms / "master.docx"))
    add_markdown(document, SAMPLE, heading_offset=2)
    path = tmp_path / "sample.docx"
    document.save(str(path))
    return docx.Document(str(path)), path


def test_styles_and_runs(tmp_path):
    document, _ = build(tmp_path)
    styles = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert styles[0] == ("Heading 3", "Purpose")
    assert ("Heading 4", "Details") in styles
    assert ("List Number", "first step") in styles
    assert ("List Bullet 2", "a nested bullet") in styles
    assert ("List Bullet", "two") in styles
    runs = document.paragraphs[1].runs
    assert any(r.bold and r.text == "bold" for r in runs)
    assert any(r.italic and r.text == "italic" for r in runs)
    assert "& <angle> brackets, Éloïse." in document.paragraphs[1].text
    table = document.tables[0]
    assert table.style.name == "Manual Table"
    assert [c.text for c in table.rows[1].cells] == ["A", "Act now"]


def test_each_numbered_list_has_its_own_restart(tmp_path):
    document, _ = build(tmp_path)
    def num_id(text):
        p = next(p for p in document.paragraphs if p.text == text)
        return p._p.pPr.numPr.numId.val
    assert num_id("first step") == num_id("third step")
    assert num_id("again the first") != num_id("first step")


@needs_libreoffice()
def test_second_list_restarts_at_one_in_the_pdf(tmp_path):
    _, path = build(tmp_path)
    pdf = Office.find().convert_one(path, tmp_path / "pdf")
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "1. first step" in text and "3. third step" in text
    assert "1. again the first" in text and "2. again the second" in text


def test_placeholders_are_highlighted(tmp_path):
    document = docx.Document(str(resources.library_paths().forms / "master.docx"))
    add_markdown(document, "Signed by ⟦owner name⟧ today.")
    run = next(r for r in document.paragraphs[0].runs if r.text == "⟦owner name⟧")
    assert run.font.highlight_color is not None
