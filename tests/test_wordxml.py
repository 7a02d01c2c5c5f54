"""The Word XML helpers the jobs call instead of reading or writing raw XML themselves."""

from __future__ import annotations

import docx
from docx.shared import Inches

from manualgen.render import wordxml


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_clear_body_keeps_the_page_setup():
    document = docx.Document()
    document.add_paragraph("template text")
    document.add_table(1, 1)
    document.sections[0].left_margin = Inches(1.25)
    wordxml.clear_body(document)
    assert _texts(document) == [] and document.tables == []
    assert document.sections[0].left_margin == Inches(1.25)


def test_clear_header_footer_empties_it():
    document = docx.Document()
    footer = document.sections[0].footer
    footer.add_paragraph("template footer")
    wordxml.clear_header_footer(footer)
    assert footer.paragraphs == [] and footer.tables == []


def test_write_at_puts_what_is_written_where_the_mark_stands():
    document = docx.Document()
    document.add_paragraph("cover")
    mark = document.add_paragraph()
    document.add_paragraph("chapter")

    def contents() -> str:
        document.add_paragraph("contents 1")
        document.add_paragraph("contents 2")
        return "written"

    assert wordxml.write_at(document, mark, contents) == "written"
    assert _texts(document) == ["cover", "contents 1", "contents 2", "chapter"]


def test_drop_empty_last_paragraph_only_drops_an_empty_one():
    document = docx.Document()
    document.add_paragraph("kept")
    document.add_paragraph()
    wordxml.drop_empty_last_paragraph(document)
    assert _texts(document) == ["kept"]
    wordxml.drop_empty_last_paragraph(document)
    assert _texts(document) == ["kept"]


def test_row_cells_are_the_rows_cells():
    document = docx.Document()
    table = document.add_table(2, 3)
    cells = wordxml.row_cells(table.rows[1])
    for n, cell in enumerate(cells):
        cell.text = str(n)
    assert [c.text for c in table.rows[1].cells] == ["0", "1", "2"]
    assert [c.text for c in table.rows[0].cells] == ["", "", ""]


def test_bookmark_names():
    document = docx.Document()
    paragraph = document.add_paragraph("Heading")
    assert wordxml.bookmark_names(paragraph) == []
    wordxml.add_bookmark(paragraph, "policy-1", 7)
    assert wordxml.bookmark_names(paragraph) == ["policy-1"]


def test_name_picture_xml_names_the_picture_escaped():
    xml = ('<w:drawing><pic:nvPicPr><pic:cNvPr id="0" name="image.png"/></pic:nvPicPr>'
           '</w:drawing>')
    named = wordxml.name_picture_xml(xml, 'A & B "logo".png')
    assert 'name="A &amp; B &quot;logo&quot;.png"' in named
    assert wordxml.name_picture_xml("<w:r/>", "logo.png") == "<w:r/>"


def test_paragraph_runs_numbers_each_paragraphs_own_runs():
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("{{ company")
    paragraph.add_run(".name }}")
    document.add_paragraph("one run")
    xml = document.element.body.xml
    runs = list(wordxml.paragraph_runs(xml))
    assert runs == [[(0, "{{ company"), (1, ".name }}")], [(0, "one run")]]
