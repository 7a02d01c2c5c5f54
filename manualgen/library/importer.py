"""`manualgen library import`: an existing Word policy into the library's Markdown.

NSNY's current sample policies are Word documents. This reads one with python-docx
(headings, paragraphs, bullet and numbered lists, tables, bold and italic) and writes a
policy file: a header skeleton for staff to complete, then the five sections. The
sections are found by their names at whatever heading level the document uses; text
before the policy's title (a cover, a logo line) is left out and said so.

A chapter of the proofreading book comes back as it went in: its placeholders
(⟦company name⟧) become variables again and its condition markers (⟦if: supervisors⟧ ...
⟦end if⟧) become the `{% if %}` tags they stand for.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph

from manualgen.errors import fail
from manualgen.inputs.library.load import Library
from manualgen.library.book import AS_DATE, BEGIN_KINDS, DETAILS_HEADER, MARKERS
from manualgen.library.lint import REQUIRED_SECTIONS
from manualgen.library.variables import (
    CLOSE,
    OPEN,
    ListOf,
    Schema,
    context_schema,
    loop_names,
    placeholder_names,
    resolve_path,
)
from manualgen.render import wordxml

_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[IVXivx]+[.)]|[A-Za-z][.)])\s+")
_PLACEHOLDER = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")
_MD_LINE_START = re.compile(r"^\s*[#>+=]")
_TYPED_ITEM = re.compile(r"^(?:(\d{1,2})[.)]|[\u2022\u00b7\u25aa\u25e6\u2023\u2013\u2014-])\s+")


# --------------------------------------------------------------------------- reading Word


@dataclass
class Block:
    kind: str                   # heading, para, item, table
    text: str = ""              # inline Markdown
    level: int = 0              # heading level (0 = Title) or list depth (1 = top)
    ordered: bool = False
    rows: list[list[str]] = field(default_factory=list)
    bold_only: bool = False     # every run bold: an unstyled heading in many Word files
    num_id: str | None = None
    # The list counter an item numbers on (its w:num's abstract numbering) and whether
    # its w:num restarts that counter: Word and LibreOffice continue one list across
    # several w:num of the same abstract numbering (LibreOffice writes one per item).
    counter: str | None = None
    restarts: bool = False


def _escape(text: str) -> str:
    """Text from Word as Markdown text that is neither emphasis nor template code."""
    out = []
    for i, piece in enumerate(_PLACEHOLDER.split(text)):
        if i % 2:
            out.append(f"{OPEN}{piece}{CLOSE}")
            continue
        piece = piece.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`")
        piece = re.sub(r"\{([{%#])", lambda m: "{{ '{" + m.group(1) + "' }}", piece)
        out.append(piece)
    return "".join(out)


def _emphasis(text: str, bold: bool, italic: bool) -> str:
    if not text.strip() or not (bold or italic):
        return text
    mark = "***" if bold and italic else "**" if bold else "*"
    lead = text[: len(text) - len(text.lstrip())]
    tail = text[len(text.rstrip()):]
    return f"{lead}{mark}{text.strip()}{mark}{tail}"


def _inline(paragraph: Paragraph) -> tuple[str, bool]:
    """The paragraph as inline Markdown, and whether all of its text is bold."""
    segments: list[tuple[str, bool, bool]] = []
    for item in paragraph.iter_inner_content():
        runs = item.runs if isinstance(item, Hyperlink) else [item]
        for run in runs:
            text = run.text.replace("\t", " ").replace("\n", " ")
            if not text:
                continue
            bold, italic = bool(run.bold), bool(run.italic)
            if segments and segments[-1][1:] == (bold, italic):
                segments[-1] = (segments[-1][0] + text, bold, italic)
            else:
                segments.append((text, bold, italic))
    text = "".join(_emphasis(_escape(t), b, i) for t, b, i in segments)
    bold_only = bool(segments) and all(b for t, b, _ in segments if t.strip())
    return " ".join(text.split()) if text.strip() else "", bold_only


def _cell_text(cell) -> str:
    parts = [_inline(p)[0] for p in cell.paragraphs]
    return " ".join(p for p in parts if p).replace("|", "\\|")


def item_block(item: Paragraph | Table) -> Block | None:
    """One paragraph or table of a Word body as a block (None: an empty paragraph)."""
    if isinstance(item, Table):
        rows = [[_cell_text(c) for c in row.cells] for row in item.rows]
        return Block("table", rows=rows) if rows else None
    text, bold_only = _inline(item)
    if not text:
        return None
    level = wordxml.heading_level(item)
    if level is not None:
        return Block("heading", re.sub(r"\*+", "", text).strip(), level)
    info = wordxml.list_info(item)
    if info is not None:
        ordered, depth, num_id = info
        counter, restarts = wordxml.list_counter(item, num_id, str(depth - 1))
        return Block("item", text, depth, ordered, num_id=num_id, counter=counter,
                     restarts=restarts)
    typed = _TYPED_ITEM.match(text)
    if typed:  # numbers or bullets typed by hand: a list all the same
        return Block("item", text[typed.end():], 1, bool(typed.group(1)), num_id="typed")
    return Block("para", text, bold_only=bold_only)


def read_blocks(path: Path) -> tuple[list[Block], list[str]]:
    """The document body as blocks, in order, plus notes on what was not imported."""
    import docx

    notes: list[str] = []
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise fail(path, f"cannot be read as a Word .docx file ({exc})",
                   fix="open it in Word and save it as .docx (Word Document)") from None
    except Exception as exc:  # python-docx raises several kinds for damaged files
        raise fail(path, f"cannot be read as a Word .docx file ({exc})",
                   fix="open it in Word and save it as .docx (Word Document)") from None
    blocks: list[Block] = []
    pictures = 0
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            pictures += wordxml.picture_count(item)
        block = item_block(item)
        if block is not None:
            blocks.append(block)
    if pictures:
        notes.append(f"{pictures} picture(s) left out: a policy holds text only")
    return blocks, notes


# --------------------------------------------------------------------------- structure


def _section_name(text: str) -> str | None:
    plain = _NUMBERED.sub("", re.sub(r"[*_]", "", text)).strip().rstrip(":").strip()
    return next((s for s in REQUIRED_SECTIONS if plain.lower() == s.lower()), None)


@dataclass
class Imported:
    title: str
    markdown: str                       # the body
    details: dict[str, str]             # from a proofreading book's details table
    element: int | None
    notes: list[str]
    sections: list[str]


def _lead_into_purpose(body: list[Block], level: int, notes: list[str]) -> list[Block]:
    """Text between the title and the first section (an introduction, a sentence that
    replaced the manual's "Legislation:" line) opens the Purpose section: a policy file
    has no text before its first section, and this is where such text belongs."""
    first = next((i for i, b in enumerate(body) if b.kind == "heading" and b.level == level
                  and _section_name(b.text)), None)
    if first is None:
        return body
    kept, lead = [], []
    for b in body[:first]:        # a proofreading book's details table stays where it is
        details = b.kind == "table" and tuple(b.rows[0][:2]) == DETAILS_HEADER
        (kept if details else lead).append(b)
    if not lead:
        return body
    rest = body[first:]
    purpose = next((i for i, b in enumerate(rest) if b.kind == "heading" and
                    b.level == level and _section_name(b.text) == "Purpose"), None)
    notes.append(f"{len(lead)} paragraph(s) before the first section put at the start of "
                 "Purpose")
    if purpose is None:
        return kept + [Block("heading", "Purpose", level), *lead, *rest]
    return kept + rest[:purpose + 1] + lead + rest[purpose + 1:]


def structure(blocks: list[Block], fallback_title: str) -> Imported:
    """Find the title and the sections; turn the blocks between into Markdown."""
    notes: list[str] = []
    # Unstyled documents: a bold paragraph that is exactly a section name is a heading.
    if not any(b.kind == "heading" and _section_name(b.text) for b in blocks):
        for b in blocks:
            if b.kind == "para" and b.bold_only and _section_name(b.text):
                b.kind, b.level, b.text = "heading", 9, re.sub(r"\*+", "", b.text).strip()
    section_levels = [b.level for b in blocks if b.kind == "heading" and _section_name(b.text)]
    first_section = next((i for i, b in enumerate(blocks)
                          if b.kind == "heading" and _section_name(b.text)), None)
    if section_levels:
        level = min(section_levels)
    else:
        levels = sorted({b.level for b in blocks if b.kind == "heading"})
        level = levels[1] if len(levels) > 1 else (levels[0] if levels else 1)
        notes.append("none of the sections " + ", ".join(REQUIRED_SECTIONS) + " was found "
                     "by name: rename the headings after import")
    stop = first_section if first_section is not None else len(blocks)
    title_at = next((i for i in range(stop - 1, -1, -1)
                     if blocks[i].kind == "heading" and blocks[i].level < level), None)
    title = blocks[title_at].text if title_at is not None else fallback_title
    element = None
    if title_at is not None:
        for b in blocks[:title_at]:
            match = re.match(r"^Element (\d+)\b", b.text) if b.kind == "heading" else None
            if match:
                element = int(match.group(1))
        skipped = sum(1 for b in blocks[:title_at] if b.kind != "heading" or
                      not re.match(r"^Element \d+\b", b.text))
        if skipped:
            notes.append(f"{skipped} paragraph(s) before the title {title!r} left out")
    start = title_at + 1 if title_at is not None else 0
    body_blocks = []
    for i in range(start, len(blocks)):
        b = blocks[i]
        if b.kind == "heading" and b.level < level and i > (first_section or 0):
            notes.append(f"stopped at {b.text!r}: only the first policy of the document "
                         "is imported")
            break
        body_blocks.append(b)
    if section_levels:
        body_blocks = _lead_into_purpose(body_blocks, level, notes)
    details: dict[str, str] = {}
    lines: list[str] = []
    sections: list[str] = []
    counters: dict[int, int] = {}
    previous: Block | None = None
    for b in body_blocks:
        if b.kind == "table" and tuple(b.rows[0][:2]) == DETAILS_HEADER:
            details = {r[0]: r[1] for r in b.rows[1:] if len(r) >= 2}
            continue
        if b.kind != "item" and previous is not None and previous.kind == "item":
            lines.append("")
        if b.kind == "heading":
            name = _section_name(b.text)
            if name and b.level == level:
                sections.append(name)
                lines += [f"## {name}", ""]
            else:
                depth = min(6, 2 + max(b.level - level, 1))
                lines += [f"{'#' * depth} {b.text}", ""]
        elif b.kind == "para":
            text = b.text
            if _MD_LINE_START.match(text):
                text = "\\" + text.lstrip()
            lines += [text, ""]
        elif b.kind == "item":
            new_list = previous is None or previous.kind != "item" or (
                b.level == 1 and previous.level == 1 and
                (previous.ordered != b.ordered or
                 (b.ordered and previous.num_id != b.num_id and
                  (previous.counter != b.counter or b.restarts))))
            if new_list and previous is not None and previous.kind == "item":
                lines.append("")
            if new_list:
                counters = {}
            for deeper in [d for d in counters if d > b.level]:
                del counters[deeper]
            counters[b.level] = counters.get(b.level, 0) + 1
            indent = "    " * (b.level - 1)
            bullet = f"{counters[b.level]}." if b.ordered else "-"
            lines.append(f"{indent}{bullet} {b.text}")
        elif b.kind == "table":
            width = max(len(r) for r in b.rows)
            rows = [r + [""] * (width - len(r)) for r in b.rows]
            lines.append("| " + " | ".join(rows[0]) + " |")
            lines.append("|" + " --- |" * width)
            lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
            lines.append("")
        previous = b
    missing = [s for s in REQUIRED_SECTIONS if s not in sections]
    if missing and section_levels:
        notes.append("sections missing: " + ", ".join(missing) + " (add them before "
                     "running `manualgen library check`)")
    markdown = "\n".join(lines).strip() + "\n"
    return Imported(title, markdown, details, element, notes, sections)


# --------------------------------------------------------------------------- book markers


_WORDS = {text.strip(): kind for kind, text in MARKERS.items()}


def _marker_kind(inner: str) -> tuple[str, str] | None:
    """(kind, argument) of a condition marker's text, or None for a placeholder."""
    for kind, word in MARKERS.items():
        if word.endswith(" ") and inner.startswith(word):
            return kind, inner[len(word):]
        if inner == word:
            return kind, ""
    return None


def _tag(kind: str, argument: str) -> str:
    if kind in ("else", "endif", "endfor"):
        return f"{{% {kind} %}}"
    return f"{{% {kind} {argument} %}}"


class Unmarker:
    """Turns the book's markers and placeholders back into Jinja, line by line."""

    def __init__(self, schema: dict[str, Schema]):
        self.schema = schema
        self.names = placeholder_names(schema)
        self.loops: list[tuple[str, dict[str, str], Schema]] = []
        self.unknown: set[str] = set()

    def _loop_item(self, seq: str) -> Schema:
        head, _, rest = seq.strip().partition(".")
        for var, _names, item in reversed(self.loops):
            if var == head:
                return resolve_path(item, rest) if rest else item
        return resolve_path(self.schema, seq)

    def _placeholder(self, inner: str) -> str:
        if inner.endswith(AS_DATE):
            found = self._placeholder(inner[: -len(AS_DATE)])
            if found.startswith("{{"):
                return found[:-3] + " | long_date }}"
            self.unknown.discard(inner[: -len(AS_DATE)])
            self.unknown.add(inner)
            return f"{OPEN}{inner}{CLOSE}"
        for _var, names, _item in reversed(self.loops):
            if inner in names:
                return "{{ " + names[inner] + " }}"
        if inner in self.names:
            return "{{ " + self.names[inner] + " }}"
        self.unknown.add(inner)
        return f"{OPEN}{inner}{CLOSE}"

    def _inline(self, text: str) -> str:
        out = []
        pos = 0
        for match in _PLACEHOLDER.finditer(text):
            out.append(text[pos:match.start()])
            pos = match.end()
            found = _marker_kind(match.group(1))
            if found:
                out.append(self._control(*found))
            else:
                out.append(self._placeholder(match.group(1)))
        out.append(text[pos:])
        return "".join(out)

    def _control(self, kind: str, argument: str) -> str:
        if kind == "for":
            var, _, seq = argument.partition(" in ")
            item = self._loop_item(re.split(r"\s+if\s+", seq, maxsplit=1)[0])
            item = item.item if isinstance(item, ListOf) else None
            self.loops.append((var.strip(), loop_names(item, var.strip()), item))
        elif kind == "endfor" and self.loops:
            self.loops.pop()
        return _tag(kind, argument)

    def line(self, line: str) -> list[str]:
        """One Markdown line -> lines: leading/trailing markers become tag lines."""
        prefix = ""
        match = re.match(r"^(\s*(?:[-*+]|\d+[.)])\s+|#{1,6}\s+)?(.*)$", line)
        if match and match.group(1):
            prefix, line = match.group(1), match.group(2)
        before: list[str] = []
        while (m := re.match(f"^{OPEN}([^{CLOSE}]*){CLOSE}(?: |$)", line)) and \
                (found := _marker_kind(m.group(1))) and \
                (found[0] in BEGIN_KINDS or not line[m.end():].strip() or
                 re.match(f"^{OPEN}", line[m.end():])):
            before.append(self._control(*found))
            line = line[m.end():]
        after_kinds: list[tuple[str, str]] = []
        while (m := re.search(f"(?:^| ){OPEN}([^{CLOSE}]*){CLOSE}$", line)) and \
                (found := _marker_kind(m.group(1))) and found[0] not in BEGIN_KINDS:
            after_kinds.insert(0, found)
            line = line[:m.start()]
        body = self._inline(line)
        after = [self._control(*k) for k in after_kinds]
        middle = [prefix + body] if (body.strip() or prefix) else []
        return before + middle + after


def unmark(markdown: str, schema: dict[str, Schema]) -> tuple[str, set[str]]:
    """Markdown with the book's markers turned back into Jinja; placeholders not known."""
    if OPEN not in markdown:
        return markdown, set()
    undo = Unmarker(schema)
    out: list[str] = []
    for line in markdown.split("\n"):
        out += undo.line(line) if OPEN in line else [line]
    return "\n".join(out), undo.unknown


# --------------------------------------------------------------------------- the file


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "imported-policy"


def _yaml_text(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z][\w .,()&/-]*", value) and ": " not in value \
        else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def header_skeleton(imported: Imported, source: Path, policy_id: str,
                    form_ids: list[str]) -> str:
    d = imported.details
    element = imported.element
    lines = [
        "---",
        f"# Imported from {source.name} by `manualgen library import`. Complete the fields",
        "# marked 'fill in', then run `manualgen library check`.",
        f"id: {policy_id}",
        f"title: {_yaml_text(imported.title)}",
        f"element: {element}" if element else
        "element: fill in           # the audit element (chapter) number, see elements.yaml",
        f"order: {d['Order']}" if d.get("Order", "").isdigit() else
        "order: 50                  # position inside the chapter",
    ]
    applies = d.get("Applies", "")
    if applies.startswith("Always"):
        lines.append("applies: always")
    else:
        lines.append("applies: always            # fill in: or {hazards: [key]}, see README.md"
                     + (f"; the book said: {applies}" if applies else ""))
    lines.append(f"forms: [{', '.join(form_ids)}]" + ("" if form_ids else
                 "                  # ids from form_templates/forms.yaml named in Records"))
    legislation = [x.strip() for x in d.get("Legislation", "").split(";")
                   if x.strip() and x.strip() != "none"]
    if legislation:
        lines.append("legislation:")
        lines += [f"  - {_yaml_text(x)}" for x in legislation]
    else:
        lines.append("legislation: []             # fill in: the Act and Regulations it rests on")
    revision = d.get("Revision", "")
    lines.append(f"revision: {revision}" if revision.isdigit() else "revision: 1")
    reviewed = d.get("Reviewed", "")
    lines.append(f"reviewed: {reviewed}" if re.fullmatch(r"\d{4}-\d\d-\d\d", reviewed)
                 else "reviewed: fill in YYYY-MM-DD   # the date of the last review")
    lines.append("---")
    return "\n".join(lines) + "\n"


@dataclass
class ImportResult:
    text: str
    policy_id: str
    notes: list[str]


def import_policy(source: Path, library: Library | None = None, *,
                  policy_id: str | None = None) -> ImportResult:
    """Read a Word policy and return the library Markdown (writing it is the caller's).

    `library` gives the variable names and form titles to recognise (None: import without
    them, as for a broken library); `policy_id` the id to give (default: from the text).
    """
    source = Path(source)
    if source.suffix.lower() != ".docx":
        raise fail(source, "only Word .docx files can be imported",
                   fix="open it in Word and save it as .docx (Word Document)")
    lib = library
    blocks, notes = read_blocks(source)
    imported = structure(blocks, source.stem.replace("-", " ").replace("_", " ").title())
    schema = context_schema(lib.rules if lib else None, lib.info if lib else None)
    body, unknown = unmark(imported.markdown, schema)
    if unknown:
        notes.append("placeholders left as they are (write the variable they stand for): "
                     + ", ".join(f"{OPEN}{u}{CLOSE}" for u in sorted(unknown)))
    wanted = policy_id or imported.details.get("Id") or slug(imported.title)
    policy_id = slug(wanted)
    plain = " ".join(re.sub(r"[*_`\\]", "", body).split()).lower()
    form_ids = [f.id for f in (lib.forms if lib else [])
                if " ".join(f.title.split()).lower() in plain]
    text = header_skeleton(imported, source, policy_id, form_ids) + "\n" + body
    notes = notes + imported.notes
    return ImportResult(text, policy_id, notes)
