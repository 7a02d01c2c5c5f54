"""Library Markdown into Word, onto the master template's own styles.

markdown-it-py parses (CommonMark plus pipe tables); this module only maps its tokens to
python-docx paragraphs, runs and tables: headings to Heading N, lists to List Bullet /
List Number (every numbered list restarts at 1), tables to the template's table style,
bold and italic to run formatting. Text between ⟦ and ⟧ is highlighted (the review book's
placeholders).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from docx.document import Document
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt
from markdown_it.token import Token

from manualgen.render import wordxml

TABLE_STYLE = "Manual Table"
PLACEHOLDER = re.compile(r"(⟦[^⟧]*⟧)")

_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


@functools.lru_cache(maxsize=64)
def parse(text: str) -> tuple[Token, ...]:
    """The Markdown's tokens, kept for the texts seen last: a warm process rebuilding a
    manual parses only the policies whose text changed (a third of composing). Callers
    read the tokens and never change them."""
    return tuple(_md.parse(text))


@dataclass
class _List:
    ordered: bool
    num_id: int | None = None   # the w:num of this numbered list, once its first item exists


@dataclass
class _State:
    lists: list[_List] = field(default_factory=list)
    pending_restart: bool = False


def _list_style(state: _State) -> str:
    depth = len(state.lists)
    base = "List Number" if state.lists[-1].ordered else "List Bullet"
    return base if depth <= 1 else f"{base} {min(depth, 3)}"


def add_inline(paragraph: Paragraph, token: Token) -> None:
    """The runs of one inline token: text with bold, italic, code and placeholders."""
    bold = italic = False
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind in ("text", "code_inline", "html_inline"):
            _add_text(paragraph, child.content, bold, italic)
        elif kind == "softbreak":
            _add_text(paragraph, " ", bold, italic)
        elif kind == "hardbreak":
            paragraph.add_run().add_break()
        elif kind == "link_close":
            href = next((c.attrGet("href") for c in token.children or []
                         if c.type == "link_open"), None)
            if href and href.startswith(("http://", "https://")):
                _add_text(paragraph, f" ({href})", bold, italic)
        elif kind == "image":
            _add_text(paragraph, child.content, bold, italic)


def _add_text(paragraph: Paragraph, text: str, bold: bool, italic: bool) -> None:
    for piece in PLACEHOLDER.split(text):
        if not piece:
            continue
        wordxml.append_run(paragraph, piece, bold=bold, italic=italic,
                           highlight=bool(PLACEHOLDER.fullmatch(piece)))


def add_markdown(document: Document, text: str, *, heading_offset: int = 1) -> None:
    """Append Markdown `text` to the document; `## x` becomes Heading 2+offset."""
    tokens = parse(text)
    state = _State()
    base_num = wordxml.style_num_id(document.styles["List Number"])
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        kind = tok.type
        if kind == "heading_open":
            level = min(int(tok.tag[1]) + heading_offset - 1, 9)
            para = wordxml.add_paragraph(document, style=f"Heading {level}")
            add_inline(para, tokens[i + 1])
            i += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            state.lists.append(_List(ordered=kind == "ordered_list_open"))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            state.lists.pop()
        elif kind == "paragraph_open":
            inline = tokens[i + 1]
            if state.lists:
                para = wordxml.add_paragraph(document, style=_list_style(state))
                current = state.lists[-1]
                if current.ordered and base_num is not None:
                    if current.num_id is None:
                        current.num_id = wordxml.restart_numbering(
                            para, document.part.numbering_part, base_num)
                        _set_level(para, current.num_id, len(state.lists))
                    else:
                        _set_level(para, current.num_id, len(state.lists))
            else:
                para = wordxml.add_paragraph(document)
            add_inline(para, inline)
            i += 3
            continue
        elif kind == "table_open":
            i = _add_table(document, tokens, i)
            continue
        elif kind in ("fence", "code_block"):
            for line in tok.content.rstrip("\n").splitlines():
                wordxml.add_paragraph(document, line)
        i += 1


def _set_level(para: Paragraph, num_id: int, depth: int) -> None:
    # Nested numbered lists keep their style's level; only the top level needs the num.
    if depth == 1:
        wordxml.set_num(para, num_id, 0)


def _add_table(document: Document, tokens: list[Token], start: int) -> int:
    """Collect rows of cells (inline tokens) until table_close, then build the table."""
    rows: list[list[Token]] = []
    header_rows = 0
    in_head = False
    i = start + 1
    while tokens[i].type != "table_close":
        kind = tokens[i].type
        if kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            rows.append([])
            if in_head:
                header_rows += 1
        elif kind == "inline":
            rows[-1].append(tokens[i])
        i += 1
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table._tbl.tblStyle_val = wordxml.style_id(document, TABLE_STYLE)
    for row, inlines in zip(table.rows, rows, strict=True):
        cells = row.cells
        for c, inline in enumerate(inlines):
            add_inline(cells[c].paragraphs[0], inline)
    for r in range(header_rows):
        wordxml.repeat_header_row(table.rows[r])
    wordxml.add_paragraph(document, style="Small Print")  # space after the table
    return i + 1
