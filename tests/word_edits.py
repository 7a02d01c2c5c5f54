"""Editing a built manual the way a user does in Word, with python-docx.

A sentence retyped inside its run, a step added by pressing Enter after a numbered item
(the new paragraph copies the item's style and numbering), a paragraph deleted, a
table cell overwritten. Nothing here knows how manualgen finds policies.
"""

from __future__ import annotations

import copy

import docx
from docx.document import Document
from docx.text.paragraph import Paragraph

from manualgen.render.wordxml import style_name

HEADINGS = ("Heading 1", "Heading 2")


def style(paragraph: Paragraph) -> str:
    """The paragraph's style name (python-docx's own lookup scans every style: slow)."""
    return style_name(paragraph)


def section(document: Document, title: str) -> list[Paragraph]:
    """The paragraphs under a Heading 2 (or 1) up to the next one."""
    paras = document.paragraphs
    start = next(i for i, p in enumerate(paras)
                 if p.text == title and style(p) in HEADINGS)
    end = next((j for j in range(start + 1, len(paras)) if style(paras[j]) in HEADINGS),
               len(paras))
    return paras[start:end]


def section_text(document: Document, title: str) -> str:
    return "\n".join(p.text for p in section(document, title))


def retype(document: Document, title: str, old: str, new: str) -> None:
    """Change words inside one paragraph of a policy, as typing over them does."""
    for para in section(document, title):
        for run in para.runs:
            if old in run.text:
                run.text = run.text.replace(old, new)
                return
    raise AssertionError(f"{old!r} not found under {title!r}")


def add_step_after(document: Document, title: str, contains: str, text: str) -> None:
    """Enter at the end of a list item, then type: a new item of the same list."""
    item = next(p for p in section(document, title)
                if contains in p.text and style(p).startswith("List"))
    new = copy.deepcopy(item._p)
    item._p.addnext(new)
    paragraph = Paragraph(new, item._parent)
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    paragraph.runs[0].text = text
    paragraph.runs[0].bold = None


def delete_paragraph(document: Document, title: str, starts: str) -> str:
    """Select a whole paragraph and delete it; returns its text."""
    para = next(p for p in section(document, title) if p.text.startswith(starts))
    para._p.getparent().remove(para._p)
    return para.text


def open_docx(path) -> Document:
    return docx.Document(str(path))


def section_elements(document: Document, title: str) -> list:
    """Every body element (paragraphs and tables) from a heading up to the next one."""
    out, inside = [], False
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph) and style(item) in HEADINGS:
            if inside:
                break
            inside = item.text == title
        if inside:
            out.append(item)
    return out


def delete_section(document: Document, title: str) -> None:
    """Select from a heading to the next one and delete."""
    for item in section_elements(document, title):
        element = item._element
        element.getparent().remove(element)


def table_under(document: Document, title: str):
    """The first table under a heading."""
    from docx.table import Table

    return next(x for x in section_elements(document, title) if isinstance(x, Table))
