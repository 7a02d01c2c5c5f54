"""Markdown onto the master template's styles, checked in Word XML and in LibreOffice's PDF."""

from __future__ import annotations

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


# --- the section cache (issue 14: a warm process reuses each section's Word XML) ----------

_WORDS = st.sampled_from(["hazard", "Kluane", "**bold**", "*lean*", "⟦name⟧", "&", "<b>",
                          "ice", "1.", "#tag", "  spaced  ", "`code`"])
_LINE = st.lists(_WORDS, min_size=1, max_size=6).map(" ".join)
_BLOCK = st.one_of(
    _LINE,                                                           # a paragraph
    st.tuples(st.integers(1, 4), _LINE).map(lambda t: "#" * t[0] + " " + t[1]),
    st.lists(_LINE, min_size=1, max_size=4).map(
        lambda items: "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))),
    st.lists(st.tuples(st.booleans(), _LINE), min_size=1, max_size=4).map(
        lambda items: "\n".join(("   - " if nested else "- ") + item
                                for nested, item in items)),
    st.lists(st.tuples(_LINE, _LINE), min_size=1, max_size=3).map(
        lambda rows: "| A | B |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)),
)
# Blocks joined by one or two newlines: a heading right after a list, a table or a
# paragraph without a blank line between must come out as in the whole text.
_MARKDOWN = st.lists(st.tuples(_BLOCK, st.sampled_from(["\n", "\n\n", "\n\n\n", "\n \n"])),
                     min_size=1, max_size=8).map(lambda b: "".join(x + sep for x, sep in b))


def _xml(document) -> tuple[bytes, bytes]:
    from lxml import etree

    return (etree.tostring(document.element.body),
            etree.tostring(document.part.numbering_part.element))


def _master():
    return docx.Document(str(resources.library_paths().forms / "master.docx"))


@given(texts=st.lists(_MARKDOWN, min_size=1, max_size=3))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_cached_sections_make_the_same_word_xml(texts):
    from manualgen.render.markdown_docx import FragmentCache, sections

    cache = FragmentCache()
    for text in texts:
        assert "".join(sections(text)) == text
    plain, cached, again = _master(), _master(), _master()
    for text in texts:
        add_markdown(plain, text, heading_offset=2)
        add_markdown(cached, text, heading_offset=2, cache=cache)   # fills the cache
    for text in texts:
        add_markdown(plain, text, heading_offset=2)
        add_markdown(cached, text, heading_offset=2, cache=cache)   # every section a hit
    for text in [*texts, *texts]:
        add_markdown(again, text, heading_offset=2, cache=cache)
    assert _xml(cached) == _xml(plain)
    assert _xml(again) == _xml(plain)
    assert cache.hits >= len(texts)


def test_a_cached_section_is_a_copy():
    from manualgen.render.markdown_docx import FragmentCache

    cache = FragmentCache()
    first, second = _master(), _master()
    add_markdown(first, "## Purpose\n\nKeep warm.\n", cache=cache)
    first.paragraphs[-1].runs[0].text = "Changed in the first document"
    add_markdown(second, "## Purpose\n\nKeep warm.\n", cache=cache)
    assert second.paragraphs[-1].text == "Keep warm."
    assert cache.hits == 1


def test_fenced_code_and_reference_links_keep_a_text_whole():
    from manualgen.render.markdown_docx import sections

    assert len(sections("Intro\n\n## A\n\ntext\n\n## B\n\nmore\n")) == 3
    assert sections("```\n\n# not a heading\n```\n") == ["```\n\n# not a heading\n```\n"]
    linked = "See [the Act][act].\n\n## More\n\n[act]: https://laws.yukon.ca\n"
    assert sections(linked) == [linked]


def test_a_section_pointing_at_a_part_is_not_kept(monkeypatch):
    """A relationship id names a part of one document (a picture, a link): a section
    holding one is built each time, never copied into another document."""
    from manualgen.render import markdown_docx

    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    build = markdown_docx._add_tokens

    def with_a_link(document, tokens, offset):
        build(document, tokens, offset)
        if any("Linked" in (t.content or "") for t in tokens):
            document.element.body[-2].set(rel, "rId99")     # as a hyperlink would

    monkeypatch.setattr(markdown_docx, "_add_tokens", with_a_link)
    cache = markdown_docx.FragmentCache()
    document = _master()
    add_markdown(document, "## Plain\n\nNo pictures.\n\n## Linked\n\nA link.\n", cache=cache)
    assert [key[2] for key in cache._items] == ["## Plain\n\nNo pictures.\n\n"]
