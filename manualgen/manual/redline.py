"""The changes between two revisions of a manual as a Word document with tracked changes.

A reviewer (the owner, an NSNY advisor) should not hunt for what changed: this document
holds each changed, added and removed policy and the changed company details, with every
insertion and deletion as a Word revision (`w:ins` / `w:del` with an author and the new
revision's date), so Word's Review pane steps through them and LibreOffice shows them.
Unchanged policies are only named. Texts come from the two revisions' records, so the
redline shows what the manuals said, word by word.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.text.paragraph import Paragraph

from manualgen.errors import UsageError, fail
from manualgen.inputs.pipeline import Inputs
from manualgen.inputs.revisions import (
    REVISIONS_DIR,
    Facts,
    RecordPolicy,
    RevisionRecord,
    record_name,
)
from manualgen.manual.compose import DOCUMENT_TITLE, fill_tokens, open_master
from manualgen.manual.revisions import compare_records, same_policy
from manualgen.render import wordxml
from manualgen.render.docx_io import docx_bytes, set_properties
from manualgen.render.jinja import long_date
from manualgen.render.markdown_docx import TABLE_STYLE, parse
from manualgen.render.pdfmeta import normalise_pdf
from manualgen.services.office import Office
from manualgen.services.storage import scratch_dir

AUTHOR = "manualgen"
PAIR_SIMILARITY = 0.45

Run = tuple[str, bool, bool]          # text, bold, italic


# --------------------------------------------------------------------------- blocks


@dataclass
class Block:
    """A paragraph-level piece of a policy's Markdown, as the manual lays it out."""

    kind: str                          # heading, para, item, table
    style: str
    runs: list[Run] = field(default_factory=list)
    rows: list[list[list[Run]]] = field(default_factory=list)
    ordered: bool = False
    depth: int = 0
    starts_list: bool = False

    @property
    def text(self) -> str:
        if self.kind == "table":
            return "\n".join(" | ".join(_plain(c) for c in row) for row in self.rows)
        return _plain(self.runs)

    def key(self) -> tuple:
        return self.kind, self.style, self.text


def _plain(runs: list[Run]) -> str:
    return "".join(t for t, _, _ in runs)


def _inline(token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    for child in token.children or []:
        kind = child.type
        if kind in ("strong_open", "strong_close"):
            bold = kind == "strong_open"
        elif kind in ("em_open", "em_close"):
            italic = kind == "em_open"
        elif kind in ("text", "code_inline", "html_inline", "image"):
            runs.append((child.content, bold, italic))
        elif kind in ("softbreak", "hardbreak"):
            runs.append((" ", bold, italic))
    return runs


def _list_style(ordered: bool, depth: int) -> str:
    base = "List Number" if ordered else "List Bullet"
    return base if depth <= 1 else f"{base} {min(depth, 3)}"


def blocks(markdown: str, *, heading_offset: int = 2) -> list[Block]:
    """Markdown as the blocks `render.markdown_docx` would lay out (same styles)."""
    tokens = parse(markdown)
    out: list[Block] = []
    lists: list[list[bool]] = []       # [ordered, first item still to come]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        kind = tok.type
        if kind == "heading_open":
            level = min(int(tok.tag[1]) + heading_offset - 1, 9)
            out.append(Block("heading", f"Heading {level}", _inline(tokens[i + 1])))
            i += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", True])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "paragraph_open":
            runs = _inline(tokens[i + 1])
            if lists:
                ordered, first = lists[-1]
                lists[-1][1] = False
                out.append(Block("item", _list_style(ordered, len(lists)), runs,
                                 ordered=ordered, depth=len(lists), starts_list=first))
            else:
                out.append(Block("para", "Normal", runs))
            i += 3
            continue
        elif kind == "table_open":
            rows: list[list[list[Run]]] = []
            i += 1
            while tokens[i].type != "table_close":
                if tokens[i].type == "tr_open":
                    rows.append([])
                elif tokens[i].type == "inline":
                    rows[-1].append(_inline(tokens[i]))
                i += 1
            out.append(Block("table", TABLE_STYLE, rows=rows))
        elif kind in ("fence", "code_block"):
            out += [Block("para", "Normal", [(line, False, False)])
                    for line in tok.content.rstrip("\n").splitlines()]
        i += 1
    return out


# --------------------------------------------------------------------------- tracked XML


_WORD = re.compile(r"\S+\s*|\s+")


def _tokens(runs: list[Run]) -> list[Run]:
    return [(w, b, i) for text, b, i in runs for w in _WORD.findall(text)]


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for text, b, i in runs:
        if out and out[-1][1:] == (b, i):
            out[-1] = (out[-1][0] + text, b, i)
        else:
            out.append((text, b, i))
    return out


def diff_runs(old: list[Run], new: list[Run]) -> list[tuple[str | None, list[Run]]]:
    """Word-level changes: [(None | 'del' | 'ins', runs)] in reading order."""
    a, b = _tokens(old), _tokens(new)
    out: list[tuple[str | None, list[Run]]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append((None, _merge(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(("del", _merge(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", _merge(b[j1:j2])))
    return out


# --------------------------------------------------------------------------- the writer


class Writer:
    """Lays blocks into the document, plain or tracked."""

    def __init__(self, document: Document, marks: wordxml.TrackedChanges) -> None:
        self.document = document
        self.marks = marks
        self.base_num = wordxml.list_number_num_id(document)
        self.num_id: int | None = None

    def _paragraph(self, block: Block) -> Paragraph:
        para = wordxml.add_paragraph(self.document, style=block.style)
        if block.kind == "item" and block.ordered and block.depth == 1 and \
                self.base_num is not None:
            if block.starts_list or self.num_id is None:
                self.num_id = wordxml.restart_numbering(
                    para, self.document.part.numbering_part, self.base_num)
            else:
                wordxml.set_num(para, self.num_id, 0)
        return para

    def block(self, block: Block, kind: str | None = None) -> None:
        """A block as it is (kind None), or wholly inserted or deleted."""
        if block.kind == "table":
            self._table(block.rows, [kind] * len(block.rows), None)
            return
        para = self._paragraph(block)
        self.marks.runs(para, block.runs, kind)
        if kind is not None:
            self.marks.paragraph_mark(para, kind)

    def changed(self, old: Block, new: Block) -> None:
        if new.kind == "table":
            self._changed_table(old, new)
            return
        para = self._paragraph(new)
        for kind, runs in diff_runs(old.runs, new.runs):
            self.marks.runs(para, runs, kind)

    def _table(self, rows: list[list[list[Run]]], kinds: list[str | None],
               pairs: list[tuple[list[list[Run]], list[list[Run]]] | None] | None) -> None:
        width = max(len(r) for r in rows)
        table = self.document.add_table(rows=len(rows), cols=width)
        wordxml.set_table_style(self.document, table, TABLE_STYLE)
        for r, (row, cells) in enumerate(zip(table.rows, rows, strict=True)):
            kind = kinds[r]
            pair = pairs[r] if pairs else None
            for c, cell in enumerate(row.cells):
                p = cell.paragraphs[0]
                if pair is not None:
                    old_cells, new_cells = pair
                    for k, runs in diff_runs(old_cells[c] if c < len(old_cells) else [],
                                             new_cells[c] if c < len(new_cells) else []):
                        self.marks.runs(p, runs, k)
                elif c < len(cells):
                    self.marks.runs(p, cells[c], kind)
            if kind is not None:
                self.marks.row_mark(row, kind)
        if rows:
            wordxml.repeat_header_row(table.rows[0])
        wordxml.add_paragraph(self.document, style="Small Print")

    def _changed_table(self, old: Block, new: Block) -> None:
        width = {len(r) for r in old.rows + new.rows}
        if len(width) != 1:
            self.block(old, "del")
            self.block(new, "ins")
            return
        a = [tuple(_plain(c) for c in row) for row in old.rows]
        b = [tuple(_plain(c) for c in row) for row in new.rows]
        rows: list[list[list[Run]]] = []
        kinds: list[str | None] = []
        pairs: list = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b,
                                                          autojunk=False).get_opcodes():
            if op == "equal":
                rows += new.rows[j1:j2]
                kinds += [None] * (j2 - j1)
                pairs += [None] * (j2 - j1)
                continue
            olds, news = old.rows[i1:i2], new.rows[j1:j2]
            for k in range(max(len(olds), len(news))):
                if k < len(olds) and k < len(news):
                    rows.append(news[k])
                    kinds.append(None)
                    pairs.append((olds[k], news[k]))
                elif k < len(olds):
                    rows.append(olds[k])
                    kinds.append("del")
                    pairs.append(None)
                else:
                    rows.append(news[k])
                    kinds.append("ins")
                    pairs.append(None)
        self._table(rows, kinds, pairs)


def _similar(a: Block, b: Block) -> bool:
    return a.kind == b.kind and difflib.SequenceMatcher(
        None, a.text, b.text, autojunk=False).ratio() >= PAIR_SIMILARITY


def write_diff(writer: Writer, old: list[Block], new: list[Block]) -> None:
    """Blocks of two texts, aligned; unchanged ones plain, the rest tracked."""
    matcher = difflib.SequenceMatcher(None, [b.key() for b in old], [b.key() for b in new],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for block in new[j1:j2]:
                writer.block(block)
            continue
        olds, news = list(old[i1:i2]), list(new[j1:j2])
        while olds or news:
            if olds and news and _similar(olds[0], news[0]):
                writer.changed(olds.pop(0), news.pop(0))
            elif olds and (not news or not any(_similar(olds[0], n) for n in news)):
                writer.block(olds.pop(0), "del")
            else:
                writer.block(news.pop(0), "ins")


# --------------------------------------------------------------------------- the document


def _title(policy: RecordPolicy | None) -> list[Block]:
    return [] if policy is None else [Block("heading", "Heading 2",
                                            [(policy.title, False, False)])]


def _policy_blocks(policy: RecordPolicy | None) -> list[Block]:
    if policy is None:
        return []
    out = []
    if policy.legislation:
        out.append(Block("para", "Small Print",
                         [("Legislation: " + "; ".join(policy.legislation), False, False)]))
    return out + blocks(policy.text)


def _fact_lines(facts: Facts) -> dict[str, list[str]]:
    return {
        "Hazards": [h.label for h in facts.hazards],
        "Equipment": [f"{u.id}: {u.description} (serviced every {u.interval})"
                      for u in facts.equipment],
        "People": [f"{x.name}, {x.position} ({', '.join(x.roles)})" for x in facts.people],
        "Worksites": [f"{s.name} ({s.kind}" + (f", {s.address})" if s.address else ")")
                      for s in facts.worksites],
    }


@dataclass
class RedlineResult:
    docx: bytes
    since: int
    to: int
    insertions: int
    deletions: int
    summary: str
    policies: list[str]            # titles of the policies shown with their changes
    pdf: bytes | None = None       # as LibreOffice shows the changes (marked)

    def describe(self) -> str:
        return (f"changes since revision {self.since}: {len(self.policies)} policies, "
                f"{self.insertions} insertions and {self.deletions} deletions")


def build_redline(old: RevisionRecord, new: RevisionRecord, master: Path) -> RedlineResult:
    """The tracked-changes document from revision `old` to `new` (both records)."""
    document = open_master(master)
    fill_tokens(document, {"company_name": new.company,
                           "document_title": f"Changes since revision {old.revision}",
                           "revision": str(new.revision)})
    when = new.issued
    marks = wordxml.TrackedChanges(f"{when.isoformat()}T00:00:00Z", AUTHOR)
    writer = Writer(document, marks)
    changes = compare_records(old, new)
    title = wordxml.add_paragraph(document, f"Changes to the {DOCUMENT_TITLE}",
                                  style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = wordxml.add_paragraph(document, new.company, style="Subtitle")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    wordxml.add_paragraph(document,
        f"From revision {old.revision} (issued {long_date(old.issued)}) to revision "
        f"{new.revision} (issued {long_date(new.issued)}). Every insertion and deletion "
        "below is a tracked change: in Word, the Review tab steps through them; in "
        "LibreOffice, Edit > Track Changes > Manage. Policies that did not change are only "
        "named at the end.")
    wordxml.add_paragraph(document, "Summary", style="Heading 2")
    wordxml.add_paragraph(document, changes.summary())

    before, after = _fact_lines(old.facts), _fact_lines(new.facts)
    if any(before[k] != after[k] for k in after):
        wordxml.add_paragraph(document, "Company details", style="Heading 2")
        for name in after:
            if before[name] == after[name]:
                continue
            wordxml.add_paragraph(document, name, style="Heading 3")
            write_diff(writer, [Block("item", "List Bullet", [(x, False, False)])
                                for x in before[name]],
                       [Block("item", "List Bullet", [(x, False, False)])
                        for x in after[name]])

    old_by_id = {p.id: p for p in old.policies}
    new_ids = {p.id for p in new.policies}
    order: list[tuple[RecordPolicy | None, RecordPolicy | None]] = []
    pending_removed = [p for p in old.policies if p.id not in new_ids]
    for p in new.policies:
        while pending_removed and (pending_removed[0].element, 0) < (p.element, 1):
            order.append((pending_removed.pop(0), None))
        order.append((old_by_id.get(p.id), p))
    order += [(p, None) for p in pending_removed]
    shown: list[str] = []
    unchanged: list[str] = []
    reasons = {x.id: x.reason for x in new.left_out}
    wordxml.add_paragraph(document, "Policies", style="Heading 1")
    for was, now in order:
        if was is not None and now is not None and same_policy(was, old.issued, now,
                                                              new.issued):
            unchanged.append(now.title)
            continue
        policy = now or was
        assert policy is not None
        shown.append(policy.title)
        write_diff(writer, _title(was), _title(now))
        if now is None:
            why = f"Left out: {reasons[policy.id]}" if policy.id in reasons else \
                "No longer in the manual."
            wordxml.add_paragraph(document, f"Element {policy.element}. {why}",
                                  style="Small Print")
        elif was is None:
            wordxml.add_paragraph(document, f"Element {policy.element}. New in this "
                                  "revision.", style="Small Print")
        else:
            wordxml.add_paragraph(document, f"Element {policy.element}. Changed.",
                                  style="Small Print")
        write_diff(writer, _policy_blocks(was), _policy_blocks(now))
    if not shown:
        wordxml.add_paragraph(document, "No policy changed.")
    if unchanged:
        wordxml.add_paragraph(document, "Unchanged", style="Heading 2")
        wordxml.add_paragraph(document, f"{len(unchanged)} policies did not change: "
                              + ", ".join(unchanged) + ".", style="Small Print")
    set_properties(document, title=f"Changes to the {DOCUMENT_TITLE} - {new.company}",
                   author=AUTHOR, when=when, subject=f"Revision {old.revision} to "
                   f"{new.revision}", revision=new.revision)
    return RedlineResult(docx_bytes(document, when), old.revision, new.revision, marks.insertions,
                   marks.deletions, changes.summary(), shown)


def redline_since(inputs: Inputs, since: int, current: RevisionRecord | None, *,
                  pdf: bool = False, office: Office | None = None) -> RedlineResult:
    """The redline from the recorded revision `since` to `current` (this build's record,
    or the manual's policies rendered now)."""
    from manualgen.manual.build import MASTER_TEMPLATE, render_policies
    from manualgen.manual.revisions import make_record

    old = inputs.records.get(since)
    if old is None:
        kept = ", ".join(str(r.revision) for r in inputs.records.records) or "none yet"
        where = inputs.records.folder or Path(REVISIONS_DIR)
        raise fail(where / Path(record_name(since)).name, f"there is no record of revision "
                   f"{since} (recorded: {kept})", fix="a record is kept by `manualgen "
                   "manual` for each revision it builds; give a revision that has one")
    if current is None:
        current = make_record(inputs, render_policies(inputs))
    if since >= current.revision:
        raise UsageError(f"revision {since} is not earlier than this one "
                         f"({current.revision})", fix="give an earlier revision, or raise "
                         "manual.revision in company.yaml for the new revision")
    result = build_redline(old, current, inputs.library.forms_dir / MASTER_TEMPLATE)
    if pdf:
        office = office or Office.find()
        with scratch_dir("manualgen-redline-") as tmp:
            src = Path(tmp) / "redline.docx"
            src.write_bytes(result.docx)
            made = office.convert_one(src, Path(tmp) / "out")
            result.pdf = normalise_pdf(made.read_bytes(), when=current.issued,
                                       title=f"Changes to the {DOCUMENT_TITLE} - "
                                             f"{current.company}", author=AUTHOR)
    return result
