"""Compose the manual as a Word document on the master template.

Input: the loaded inputs and each applicable policy's rendered Markdown. Output: a
`Composed` manual whose contents entries carry page numbers set afterwards
(`set_pages`), from a layout pass, so this module never needs to know how pages fall.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Inches, Pt
from docx.text.run import Run

from manualgen.errors import fail
from manualgen.inputs.company_policies import KIND_LABELS, Kind
from manualgen.inputs.library.model import Element, Policy
from manualgen.inputs.pipeline import Inputs
from manualgen.manual.company_tables import BLOCKS, Block
from manualgen.render import wordxml
from manualgen.render.jinja import long_date, tidy_periods
from manualgen.render.markdown_docx import TABLE_STYLE, FragmentCache, add_markdown

REQUIRED_STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3",
                   "Heading 4", "List Bullet", "List Bullet 2", "List Number", "TOC 1",
                   "TOC 2", "TOC Heading", "Header", "Footer", "Small Print", TABLE_STYLE)
DOCUMENT_TITLE = "Health and Safety Manual"
TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\z \\u'


@dataclass(frozen=True)
class TocEntry:
    level: int          # 1 chapter, 2 policy
    text: str
    bookmark: str
    # What the heading opens: "policy:<id>", "data:<table>", "element:<n>",
    # "document-control", "appendix:forms" (to find each part again in an edited copy).
    key: str = ""


@dataclass
class RenderedPolicy:
    policy: Policy
    markdown: str


def open_master(path: Path) -> Document:
    """The master template, checked for every style the manual uses."""
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds
        raise fail(path, f"the master template cannot be opened as a Word file ({exc})",
                   fix="restore form_templates/master.docx from the library release") from None
    names = {s.name for s in document.styles}
    missing = [s for s in REQUIRED_STYLES if s not in names]
    if missing:
        raise fail(path, "the master template lacks the styles " + ", ".join(missing),
                   fix="add them in Word (Styles pane) or restore master.docx")
    return document


def fill_tokens(document: Document, values: dict[str, str]) -> None:
    """Replace {{ name }} tokens in the template's headers and footers (data, not code)."""
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header,
                     section.first_page_footer):
            for para in part.paragraphs:
                for run in para.runs:
                    text = run.text
                    for key, value in values.items():
                        text = text.replace("{{ " + key + " }}", value)
                    if text != run.text:
                        run.text = text


def _page_break(document: Document) -> None:
    wordxml.add_paragraph(document).add_run().add_break(WD_BREAK.PAGE)


def _table(document: Document, header: list[str], rows: list[list[str]],
           widths: list[float] | None = None) -> None:
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    wordxml.set_table_style(document, table, TABLE_STYLE)
    if widths:      # LibreOffice lays columns out from the grid, Word from the cells
        for column, w in zip(table.columns, widths, strict=True):
            column.width = Inches(w)
    for row, values in zip(table.rows, [header, *rows], strict=True):
        cells = wordxml.row_cells(row)                      # a new grid: nothing merged
        for c, text in enumerate(values):
            wordxml.set_cell_text(cells[c], text)
            if widths:
                cells[c].width = Inches(widths[c])
    wordxml.repeat_header_row(table.rows[0])
    wordxml.add_paragraph(document, style="Small Print")


def _cover(document: Document, inputs: Inputs) -> None:
    p = inputs.profile.profile
    logo = inputs.profile.logo
    para = wordxml.add_paragraph(document)
    para.paragraph_format.space_before = Pt(72)
    if logo:
        wordxml.add_picture(para.add_run(), logo.data, logo.name, width=Inches(2.5))
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = wordxml.add_paragraph(document, DOCUMENT_TITLE, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (p.company.legal_name,
                 p.company.operating_name if p.company.operating_name else None,
                 p.company.address):
        if text:
            sub = wordxml.add_paragraph(document, text, style="Subtitle")
            sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    info = wordxml.add_paragraph(document)
    info.alignment = WD_ALIGN_PARAGRAPH.CENTER
    info.paragraph_format.space_before = Pt(48)
    info.add_run(f"Revision {p.manual.revision} - issued {long_date(p.manual.issued)}").bold = True
    if p.manual.revision == 0:
        draft = wordxml.add_paragraph(document, style="Subtitle")
        draft.alignment = WD_ALIGN_PARAGRAPH.CENTER
        draft.add_run("DRAFT - not yet approved: revision 1 is the first approved issue").bold \
            = True
    lib = inputs.library
    own = "" if inputs.own.empty else \
        ", with the company's own policies listed under Document Control"
    note = wordxml.add_paragraph(document,
        f"Prepared for the {lib.rules.program} program. Built from the "
        f"{lib.info.name}, version {lib.info.version}{own}.", style="Small Print")
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _history_rows(inputs: Inputs, rendered: list[RenderedPolicy]) -> list[list[str]]:
    """The revision history: the company's own lines, and for each revision a record
    speaks for, what changed, found by comparing the records."""
    p = inputs.profile.profile
    said: dict[int, str] = {}
    dates: dict[int, str] = {}
    if inputs.records.records:
        from manualgen.manual.revisions import history_changes, make_record

        said = history_changes(inputs, make_record(inputs, rendered))
        dates = {r.revision: long_date(r.issued) for r in inputs.records.records}
    history = {h.revision: h for h in p.manual.history}
    rows = []
    for rev in sorted(set(history) | {r for r in said if r != p.manual.revision}):
        entry = history.get(rev)
        found = said.get(rev)
        if entry is None:
            rows.append([str(rev), dates.get(rev, ""), found or ""])
            continue
        text = entry.changes
        if found:
            text += f"\nFound by comparing with the previous revision: {found}"
        rows.append([str(rev), long_date(entry.date), text])
    if p.manual.revision not in history:
        rows.append([str(p.manual.revision), long_date(p.manual.issued),
                     said.get(p.manual.revision, "This revision")])
    return rows


def _own_policies(document: Document, inputs: Inputs) -> None:
    """The company's versions, additions and omissions, with their reasons."""
    own = inputs.own
    place = {p.id: i for i, p in enumerate(inputs.policies)}
    rows = []
    for o in sorted((o for o in own.own if o.id in place), key=lambda o: place[o.id]):
        element = f"Element {o.policy.header.element}"
        reason = o.header.reason
        if o.library_policy is not None:
            based = o.header.based_on
            detail = (f"The company's own text, made from the library's revision "
                      f"{based.revision} (library {based.library})" if based else
                      "The company's own text")
        else:
            detail = f"A policy of the company's own, in {element}"
        if reason:
            detail += ". " + reason.rstrip(".") + "."
        rows.append([o.title, KIND_LABELS[o.kind], detail])
    for x in own.left_out:
        rows.append([x.title, KIND_LABELS[Kind.LEAVES_OUT], x.reason])
    if not rows:
        return
    name = inputs.profile.profile.company.name
    wordxml.add_paragraph(document, "The company's own policies", style="Heading 3")
    wordxml.add_paragraph(document, tidy_periods(
        f"Where this manual differs from the {inputs.library.info.name} (version "
        f"{inputs.library.info.version}): the policies {name} has written or changed "
        "itself, and the library policies it leaves out, with the reasons.", [name]))
    _table(document, ["Policy", "Change", "Details"], rows, [2.0, 1.5, 3.0])


def _document_control(document: Document, inputs: Inputs, toc: list[TocEntry],
                      rendered: list[RenderedPolicy]) -> None:
    p = inputs.profile.profile
    _heading(document, "Document Control", toc, level=1, key="document-control")
    _table(document, ["Item", "Detail"], [
        ["Document", f"{DOCUMENT_TITLE} of {p.company.legal_name}"],
        ["Revision", str(p.manual.revision)],
        ["Issued", long_date(p.manual.issued)],
        ["Approved by", p.manual.approved_by],
        ["Policy library", f"{inputs.library.info.name}, version {inputs.library.info.version}"],
        ["Next review", "Before the SECOR anniversary date, and after any serious incident "
                        "or change in the work"],
    ], [1.8, 4.7])
    wordxml.add_paragraph(document, "Revision history", style="Heading 3")
    _table(document, ["Revision", "Date", "Changes"], _history_rows(inputs, rendered),
           [0.9, 1.6, 4.0])
    _own_policies(document, inputs)
    wordxml.add_paragraph(document, "Approval", style="Heading 3")
    wordxml.add_paragraph(document, tidy_periods(
        f"This manual is approved for use at {p.company.name}. Every worker and supervisor "
        f"is expected to know and follow it.", [p.company.name]))
    sig = document.add_table(rows=2, cols=3)
    wordxml.set_table_style(document, sig, TABLE_STYLE)
    for c, text in enumerate(("Name and position", "Signature", "Date")):
        sig.cell(0, c).text = text
    approver = p.manual.approved_by
    position = p.owner.position if p.owner.name == approver else ""
    sig.cell(1, 0).text = f"{approver}\n{position}".strip()
    sig.rows[1].height = Inches(0.6)
    wordxml.add_paragraph(document, style="Small Print")
    wordxml.add_paragraph(document, "Distribution", style="Heading 3")
    distribution = list(p.manual.distribution) or [
        "Master copy in the company office",
        "A copy available to every worker at each worksite",
    ]
    for item in distribution:
        wordxml.add_paragraph(document, item, style="List Bullet")


def _heading(document: Document, text: str, toc: list[TocEntry], level: int,
             key: str = ""):
    para = wordxml.add_paragraph(document, text, style=f"Heading {level}")
    bookmark = f"_Toc{len(toc) + 1:08d}"
    wordxml.add_bookmark(para, bookmark, len(toc) + 1)
    toc.append(TocEntry(level, text, bookmark, key))
    return para


def _contents(document: Document, entries: list[TocEntry]) -> dict[str, Run]:
    """The contents as a TOC field whose result is filled in now; returns the page runs."""
    wordxml.add_paragraph(document, "Contents", style="TOC Heading")
    first = True
    numbers: dict[str, Run] = {}
    for entry in entries:
        para = wordxml.add_paragraph(document, style=f"TOC {entry.level}")
        if first:
            wordxml.begin_field(para, TOC_INSTRUCTION)
            first = False
        wordxml.add_internal_link(para, entry.bookmark, entry.text)
        run = para.add_run()
        wordxml.add_tab(run)
        numbers[entry.bookmark] = para.add_run("00")  # same width as most real numbers
    wordxml.end_field(wordxml.add_paragraph(document))
    return numbers


def _policy(document: Document, rendered: RenderedPolicy, toc: list[TocEntry],
            hazards: list[str], fragments: FragmentCache) -> None:
    h = rendered.policy.header
    _heading(document, h.title, toc, level=2, key=f"policy:{h.id}")
    laws = h.legislation_for(hazards)
    if laws:
        wordxml.keep_with_next(wordxml.add_paragraph(document,
            "Legislation: " + "; ".join(laws), style="Small Print"))
    add_markdown(document, rendered.markdown, heading_offset=2, cache=fragments)


def _block(document: Document, block: Block, toc: list[TocEntry], key: str = "") -> None:
    _heading(document, block.heading, toc, level=2, key=f"data:{key}")
    wordxml.add_paragraph(document, block.intro)
    if block.rows:
        _table(document, block.header, block.rows, block.widths)
    else:
        wordxml.add_paragraph(document, block.empty)


def _chapter(document: Document, element: Element, policies: list[RenderedPolicy],
             inputs: Inputs, toc: list[TocEntry]) -> None:
    # Sections kept while the library is loaded: the next company's manual reuses every
    # section whose text is the same (most of those that do not name the company).
    fragments = inputs.library.memo.setdefault("markdown-fragments", FragmentCache())
    _heading(document, f"Element {element.number}: {element.title}", toc, level=1,
             key=f"element:{element.number}")
    for rendered in policies:
        _policy(document, rendered, toc, list(inputs.hazards),
                fragments)
    for key in element.company_data:
        _block(document, BLOCKS[key](inputs), toc, key)


def _appendix(document: Document, inputs: Inputs, policies: list[RenderedPolicy],
              toc: list[TocEntry]) -> None:
    _heading(document, "Appendix A: Forms", toc, level=1, key="appendix:forms")
    wordxml.add_paragraph(document,
        "The forms the policies in this manual rely on. Blank copies are kept in the office "
        "and in every vehicle; completed forms are kept as each policy's Records section "
        "says.")
    used: dict[str, list[str]] = {}
    for rendered in policies:
        for form_id in rendered.policy.header.forms:
            used.setdefault(form_id, []).append(rendered.policy.title)
    rows = []
    for form in inputs.library.forms:
        if form.id in used:
            rows.append([form.title, form.description, ", ".join(used[form.id])])
    _table(document, ["Form", "What it is for", "Used by"], rows, [1.8, 2.6, 2.1])


@dataclass
class Composed:
    document: Document
    toc: list[TocEntry]
    page_runs: dict[str, Run]

    def set_pages(self, pages: dict[str, int]) -> None:
        """Write the measured page of every contents entry into the TOC field's result."""
        for bookmark, run in self.page_runs.items():
            wordxml.set_run_text(run, str(pages[bookmark]))

    def clear_pages(self) -> None:
        """No layout available: leave the numbers for Word to fill in on update."""
        for run in self.page_runs.values():
            run.text = ""


def compose(master: Path, inputs: Inputs, rendered: list[RenderedPolicy]) -> Composed:
    """The whole manual, with placeholder page numbers in the contents."""
    document = open_master(master)
    p = inputs.profile.profile
    title = DOCUMENT_TITLE + (" - DRAFT" if p.manual.revision == 0 else "")
    fill_tokens(document, {"company_name": p.company.name, "document_title": title,
                            "revision": str(p.manual.revision)})
    toc: list[TocEntry] = []
    _cover(document, inputs)
    _page_break(document)
    # The contents go before the chapters but are only known after them: mark the spot,
    # write the chapters, then move the contents to the mark.
    mark = wordxml.add_paragraph(document)
    _document_control(document, inputs, toc, rendered)
    by_element: dict[int, list[RenderedPolicy]] = {}
    for r in rendered:
        by_element.setdefault(r.policy.header.element, []).append(r)
    for element in inputs.library.elements:
        _chapter(document, element, by_element.get(element.number, []), inputs, toc)
    _appendix(document, inputs, rendered, toc)
    runs = wordxml.write_at(document, mark, lambda: _contents(document, toc))
    return Composed(document, toc, runs)
