"""Library Markdown into Word, onto the master template's own styles.

markdown-it-py parses (CommonMark plus pipe tables); this module only maps its tokens to
python-docx paragraphs, runs and tables: headings to Heading N, lists to List Bullet /
List Number (every numbered list restarts at 1), tables to the template's table style,
bold and italic to run formatting. Text between ⟦ and ⟧ is highlighted (the review book's
placeholders).

A `FragmentCache` keeps the Word XML of each section (a `#` heading and what follows it) by
its text: a warm process (a fleet worker, the web app) building many companies' manuals
lays out again only the sections whose text differs, such as those naming the company.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import OrderedDict
from copy import deepcopy
from dataclasses import dataclass, field

from docx.document import Document
from docx.oxml.ns import qn
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


# A section starts at an ATX heading after a blank line. There every open block has ended
# (a blank line ends a paragraph or a table, and a line at the margin that is not a list
# marker ends a list), so a section's tokens are those it has in the whole text. Fenced
# code (which may hold `#` lines) and link reference definitions (which reach across
# sections) keep a text whole.
_SECTION = re.compile(r"(?<=\n)[ \t]*\n(?=#{1,6}[ \t])")
_UNSPLITTABLE = re.compile(r"```|~~~|^[ ]{0,3}\[[^\]]+\]:", re.M)
_NUM_ID = qn("w:numId")
_NUM = qn("w:num")
_SECT_PR = qn("w:sectPr")
_VAL = qn("w:val")


def sections(text: str) -> list[str]:
    """`text` cut before each heading that follows a blank line (the blank line goes with
    the section before); the pieces join back to `text`."""
    if _UNSPLITTABLE.search(text):
        return [text]
    cuts = [m.end() for m in _SECTION.finditer(text)]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)
            if a < b]


@dataclass(frozen=True)
class _Fragment:
    elements: tuple            # the body elements a section made (never attached anywhere)
    nums: tuple[int, ...]      # the numIds its numbered lists were given, in order


class FragmentCache:
    """Each section's Word XML by its text, the template's styles and the heading offset;
    the least recently used go first. Copies in and out: a cached element is never part
    of a document, so documents built from it may be changed freely. Threads may share it."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple, _Fragment] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> tuple[list, tuple[int, ...]] | None:
        with self._lock:
            fragment = self._items.get(key)
            if fragment is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return [deepcopy(e) for e in fragment.elements], fragment.nums

    def put(self, key: tuple, elements: list, nums: list[int]) -> None:
        with self._lock:
            self._items[key] = _Fragment(tuple(deepcopy(e) for e in elements), tuple(nums))
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _template_key(document: Document) -> str:
    """What a section's XML depends on besides its text: the template's style ids and its
    numbered list definition."""
    def make() -> str:
        ids = sorted((s.name or "", s.style_id or "") for s in document.styles)
        return hashlib.sha256(repr((wordxml.list_number_num_id(document), ids)).encode()
                              ).hexdigest()

    return wordxml.document_memo(document.part, "fragment-key", make)


def add_markdown(document: Document, text: str, *, heading_offset: int = 1,
                 cache: FragmentCache | None = None) -> None:
    """Append Markdown `text` to the document; `## x` becomes Heading 2+offset.

    With `cache`, each section's XML is reused when its text was laid out before; the
    document comes out the same as without."""
    if cache is None:
        _add_tokens(document, parse(text), heading_offset)
        return
    template = _template_key(document)
    body = document.element.body
    for section in sections(text):
        key = (template, heading_offset, section)
        found = cache.get(key)
        if found is not None:
            _append_fragment(document, *found)
            continue
        last = _last_content(body)
        numbering = document.part.numbering_part.element
        nums_before = len(numbering.findall(_NUM))
        _add_tokens(document, parse(section), heading_offset)
        made = []
        node = last.getnext() if last is not None else (body[0] if len(body) else None)
        while node is not None and node.tag != _SECT_PR:
            made.append(node)
            node = node.getnext()
        nums = [int(n.get(_NUM_ID)) for n in numbering.findall(_NUM)[nums_before:]]
        if not _refers_to_parts(made):          # a relationship id belongs to its document
            cache.put(key, made, nums)


_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _refers_to_parts(elements: list) -> bool:
    """Whether any element points at a part of its document (a picture, a link)."""
    return any(name.startswith(_RELATIONSHIP) for element in elements
               for node in element.iter() for name in node.attrib)


def _last_content(body):
    """The body's last child before its closing section properties (None: none)."""
    if not len(body):
        return None
    last = body[-1]
    return last.getprevious() if last.tag == _SECT_PR else last


def _append_fragment(document: Document, elements: list, nums: tuple[int, ...]) -> None:
    """Put a cached section at the end of the body, each of its lists given a fresh w:num
    as `restart_numbering` gives one (so in the same order as a build without cache)."""
    if nums:
        base = wordxml.list_number_num_id(document)
        numbering = document.part.numbering_part
        fresh = {str(old): str(wordxml.new_list_num(numbering, base)) for old in nums}
        for element in elements:
            for node in element.iter(_NUM_ID):
                node.set(_VAL, fresh.get(node.get(_VAL), node.get(_VAL)))
    for element in elements:
        wordxml.append_to_body(document, element)


def _add_tokens(document: Document, tokens: tuple[Token, ...], heading_offset: int) -> None:
    state = _State()
    base_num = wordxml.list_number_num_id(document)
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
    wordxml.set_table_style(document, table, TABLE_STYLE)
    for row, inlines in zip(table.rows, rows, strict=True):
        cells = row.cells
        for c, inline in enumerate(inlines):
            add_inline(cells[c].paragraphs[0], inline)
    for r in range(header_rows):
        wordxml.repeat_header_row(table.rows[r])
    wordxml.add_paragraph(document, style="Small Print")  # space after the table
    return i + 1
