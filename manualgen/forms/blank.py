"""A company's personalised blank Word form, made from the form's definition.

The definition (`form_templates/fields/<id>.yaml`) is what the phone form asks; the paper
form is drawn from the same file, so NSNY edits one file and both follow. The page is
styled from `master.docx` as the forms have always been: the company's name, address,
WSCB account and logo in the page header; the form's title, id, revision, page number and
QR code (`forms.qr`) in the footer. Then each section is a heading with its help text and
its fields by kind:

- text, number, date, time: a label and an empty cell, two to a row;
- long_text: a taller empty cell across the page;
- choice, multi_choice, yes_no, rating: the choices with tick boxes;
- person, people, site, equipment, hazard, task: the company's own values with tick boxes
  when there are a few (resolved as the phone form resolves them, `forms.phone`), else an
  empty cell to write in;
- signature: a sign-off table (name, signature, date), consecutive ones together;
- signatures: a table of names and signatures with room for everyone present;
- photo, photos: "Photos taken: [] (attach or note their number)";
- group: a table whose columns are its fields and whose rows are its fixed rows (headings
  shaded), the company's hazards or sites (`rows_from`), or empty rows to fill in.

A form is laid out landscape when forms.yaml says `orientation: landscape`, or, without
it, when a table has more than five columns. The same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.shared import Inches, Pt, RGBColor, Twips
from PIL import Image

from manualgen.forms.phone import group_rows, source_choices
from manualgen.forms.qr import form_code, place_code
from manualgen.inputs.library.form_fields import Choice, FormField, FormFields
from manualgen.inputs.library.model import FormInfo
from manualgen.inputs.pipeline import Inputs
from manualgen.render.docx_io import docx_bytes, set_properties
from manualgen.render.wordxml import (
    add_field,
    add_picture,
    cant_split,
    clear_body,
    clear_header_footer,
    drop_empty_last_paragraph,
    paragraph_mark_size,
    prune_styles,
    repeat_header_row,
    set_column_widths,
    shade_cell,
    table_look,
    table_rule_below,
)

MASTER = "master.docx"
NAVY = RGBColor(0x1C, 0x3F, 0x6E)
LABEL_FILL = "E4EAF3"       # label cells and the headings between a table's rows
BOX = "\u2610"              # a tick box
LOGO_COLUMN_IN = 1.9        # the header's right-hand cell, where the logo sits
LOGO_MAX_HEIGHT_IN = 0.6
LOGO_MAX_WIDTH_IN = 1.7
MAX_BOXES = 10              # a company list longer than this is written in, not ticked
MAX_BOX_TEXT = 260          # ... and so is one whose words would not fit a few lines
SIGNATURE_ROWS = 6          # rows of a signatures table, two people a row: 12 people
EMPTY_ROWS = 6              # empty rows of a group without fixed rows
LANDSCAPE_COLUMNS = 5       # a table with more columns turns the page
ROW_IN = 0.3                # an empty row to write in
TALL_IN = 0.65              # a long answer's cell
# The width a column of each kind wants, relative to the others.
KIND_WEIGHT = {"long_text": 2.6, "text": 1.7, "person": 1.3, "people": 1.5, "site": 1.3,
               "equipment": 1.2, "hazard": 1.5, "task": 1.5, "date": 0.85, "time": 0.65,
               "number": 0.7, "photo": 0.6, "photos": 0.6, "signature": 1.3,
               "signatures": 1.5, "rating": 1.0, "yes_no": 0.95}
ITEM_WEIGHT = 4.2           # the first column of a group with fixed rows
WRITE_KINDS = ("text", "number", "date", "time")
COMPANY_KINDS = ("person", "people", "site", "equipment", "hazard", "task")
BOX_KINDS = ("choice", "multi_choice", "yes_no", "rating")


# --------------------------------------------------------------------------- choices


def field_choices(f: FormField, inputs: Inputs) -> list[str] | None:
    """The words printed beside tick boxes for a field, or None to write the answer in:
    the field's choices, or the company's (or library's) values when there are a few."""
    if f.kind == "yes_no":
        return ["Yes", "No"]
    if f.kind == "rating":
        return ["A", "B", "C"]
    if f.choices is not None:
        return [c.label if isinstance(c, Choice) else c for c in f.choices]
    source = f.data_source
    if source is None:
        return None
    found = source_choices(source, inputs.profile, inputs.library, on=_day(inputs))
    labels = [_short(source, c) for c in found]
    if not labels or len(labels) > MAX_BOXES or sum(len(x) + 6 for x in labels) > MAX_BOX_TEXT:
        return None
    return labels


def _short(source: str, choice: dict[str, str]) -> str:
    """A value as ticked on paper: a person's or site's name, a task, else the words shown
    on the phone (a unit's id and what it is, a hazard's or an incident class's words)."""
    if source in ("people", "supervisors", "first_aiders", "safety_reps", "worksites",
                  "tasks"):
        return choice["value"]
    return choice["label"]


def _day(inputs: Inputs) -> dt.date:
    return inputs.profile.profile.manual.issued


def boxes(labels: Iterable[str]) -> str:
    return "    ".join(f"{BOX}\u00a0{label}" for label in labels)


# --------------------------------------------------------------------------- the document



def form_page(master: Path, *, landscape: bool = False) -> DocumentObject:
    """master.docx emptied for a form: its styles and page size without its text or its
    preview picture of itself, one header for every page, the forms' top margin."""
    doc = Document(str(master))
    clear_body(doc)
    rels = doc.part.package.rels
    for key, rel in list(rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            rels.pop(key)
    section = doc.sections[0]
    section.different_first_page_header_footer = False
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.header_distance = Inches(0.4)
    section.footer_distance = Inches(0.4)
    section.top_margin = Inches(1.0)
    return doc


class BlankForm:
    """One blank form being written: master.docx's styles, the form's header and footer."""

    def __init__(self, inputs: Inputs, form: FormInfo, *, landscape: bool) -> None:
        self.inputs, self.form = inputs, form
        self.doc = form_page(inputs.library.forms_dir / MASTER, landscape=landscape)
        self._styles()
        section = self.doc.sections[0]
        section.bottom_margin = Inches(0.75)
        self.width = (section.page_width - section.left_margin - section.right_margin) / 914400
        self._header()
        self._footer()

    def _styles(self) -> None:
        styles = self.doc.styles
        text = styles.add_style("Form Text", WD_STYLE_TYPE.PARAGRAPH)
        text.base_style = styles["Normal"]
        text.font.size = Pt(9)
        fmt = text.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = 1.0
        label = styles.add_style("Form Label", WD_STYLE_TYPE.PARAGRAPH)
        label.base_style = text
        label.font.bold = True
        hint = styles.add_style("Form Hint", WD_STYLE_TYPE.PARAGRAPH)
        hint.base_style = text
        hint.font.size = Pt(7.5)
        hint.font.italic = True
        section = styles.add_style("Form Section", WD_STYLE_TYPE.PARAGRAPH)
        section.base_style = styles["Heading 3"]
        section.paragraph_format.space_before = Pt(10)
        section.paragraph_format.space_after = Pt(3)
        section.paragraph_format.keep_with_next = True
        section.font.size = Pt(11)

    # header and footer -------------------------------------------------------------

    def _header(self) -> None:
        company = self.inputs.profile.profile.company
        secor = self.inputs.profile.profile.secor
        header = self.doc.sections[0].header
        header.is_linked_to_previous = False
        clear_header_footer(header)
        table = header.add_table(1, 2, Inches(self.width))
        set_column_widths(table, [self.width - LOGO_COLUMN_IN, LOGO_COLUMN_IN])
        table_rule_below(table, 12, "1C3F6E")
        left, right = table.rows[0].cells
        left.vertical_alignment = right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        p = left.paragraphs[0]
        p.style = self.doc.styles["Header"]
        run = p.add_run(company.name)
        run.bold = True
        run.font.size = Pt(13)
        run.font.color.rgb = NAVY
        left.add_paragraph(f"{company.address}  \u00b7  {company.phone}", style="Header")
        account = f"WSCB account {company.wscb_account}"
        if secor is not None:
            account += f"  \u00b7  SECOR certificate {secor.certificate_number}"
        p = left.add_paragraph(account, style="Header")
        p.paragraph_format.space_after = Pt(3)
        p = right.paragraphs[0]
        p.style = self.doc.styles["Header"]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(3)
        logo = self.inputs.profile.logo
        if logo is not None:
            with Image.open(io.BytesIO(logo.data)) as img:
                w, h = img.size
            height = min(LOGO_MAX_HEIGHT_IN, LOGO_MAX_WIDTH_IN * h / w)
            add_picture(p.add_run(), logo.data, logo.name, height=Inches(height))
        tail = header.add_paragraph(style="Header")
        _tiny(tail, 2)

    def _footer(self) -> None:
        form = self.form
        footer = self.doc.sections[0].footer
        footer.is_linked_to_previous = False
        clear_header_footer(footer)
        p = footer.add_paragraph(style="Footer")
        stops = p.paragraph_format.tab_stops
        stops.add_tab_stop(Twips(4680), WD_TAB_ALIGNMENT.CLEAR)     # the style's own stops
        stops.add_tab_stop(Twips(9360), WD_TAB_ALIGNMENT.CLEAR)
        # the page number ends left of the QR code in the bottom right-hand corner
        stops.add_tab_stop(Inches(self.width - 0.75), WD_TAB_ALIGNMENT.RIGHT)
        p.add_run(f"{form.title}  \u00b7  Form {form.id}, revision {form.revision}")
        p.add_run("\tPage ")
        add_field(p, "PAGE")
        p.add_run(" of ")
        add_field(p, "NUMPAGES")

    # body ----------------------------------------------------------------------------

    def para(self, text: str = "", style: str = "Form Text"):
        return self.doc.add_paragraph(text, style=style)

    def title(self) -> None:
        p = self.para(self.form.title, "Heading 1")
        p.paragraph_format.page_break_before = False
        p.paragraph_format.space_before = Pt(0)
        p.paragraph_format.space_after = Pt(2)
        p = self.para(self.form.description, "Small Print")
        p.paragraph_format.space_after = Pt(4)

    def heading(self, text: str, help_text: str | None) -> None:
        self.para(text, "Form Section")
        if help_text:
            self.hint(help_text)

    def hint(self, text: str) -> None:
        p = self.para(text, "Small Print")
        p.paragraph_format.space_before = Pt(0)
        p.paragraph_format.space_after = Pt(3)
        p.paragraph_format.keep_with_next = True

    def label(self, text: str, help_text: str | None = None) -> None:
        p = self.para(text, "Form Label")
        p.paragraph_format.space_before = Pt(4)
        p.paragraph_format.space_after = Pt(2)
        p.paragraph_format.keep_with_next = True
        if help_text:
            p = self.para(help_text, "Form Hint")
            p.paragraph_format.space_after = Pt(2)
            p.paragraph_format.keep_with_next = True

    def spacer(self) -> None:
        _tiny(self.para(), 4)

    def table(self, rows: int, widths: Sequence[float], *, header: bool):
        table = self.doc.add_table(rows, len(widths), style="Manual Table")
        table_look(table, header_row=header)
        set_column_widths(table, widths)
        return table

    def finish(self) -> bytes:
        # Word needs a paragraph after a last table; 1 pt high, so that a full last page
        # does not spill onto an empty one.
        drop_empty_last_paragraph(self.doc)
        end = self.para()
        _tiny(end, 1)
        end.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        end.paragraph_format.line_spacing = Pt(1)
        profile = self.inputs.profile.profile
        place_code(self.doc, form_code(self.form.id, self.form.revision,
                                       profile.company.wscb_account))
        set_properties(self.doc, title=self.form.title, author=profile.company.legal_name,
                       when=profile.manual.issued, subject=self.form.description,
                       revision=self.form.revision, keywords=f"SECOR form {self.form.id}")
        prune_styles(self.doc)
        return docx_bytes(self.doc, profile.manual.issued)


def _tiny(paragraph, size: float) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    paragraph_mark_size(paragraph, size)


def _put(cell, text: str, style: str = "Form Text") -> None:
    p = cell.paragraphs[0]
    p.style = style
    if text:
        p.add_run(text)


def _hint_in(cell, text: str | None) -> None:
    if text:
        cell.add_paragraph(text, style="Form Hint")


def _height(row, inches: float) -> None:
    row.height = Inches(inches)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


# --------------------------------------------------------------------------- by kind


def render_blank(inputs: Inputs, form: FormInfo, definition: FormFields) -> bytes:
    """The form's blank .docx bytes for this company (see the module docstring)."""
    page = BlankForm(inputs, form, landscape=is_landscape(form, definition))
    page.title()
    for section in definition.sections:
        page.heading(section.title, section.help)
        if section.when is not None:
            page.hint(_when_words(section.when, definition))
        _fields(page, section.fields, definition)
    return page.finish()


def is_landscape(form: FormInfo, definition: FormFields) -> bool:
    if form.orientation is not None:
        return form.orientation == "landscape"
    return any(len(_columns(f)) + (1 if _fixed(f) else 0) > LANDSCAPE_COLUMNS
               for f in definition.all_fields() if f.kind == "group")


def _when_words(when, definition: FormFields) -> str:
    f = definition.field(when.field)
    name = f.label if f else when.field
    if when.equals is None:
        return f"Fill in only when the answer to \u201c{name}\u201d is yes."
    shown = when.equals
    for c in (f.choices or []) if f else []:
        if isinstance(c, Choice) and c.value == when.equals:
            shown = c.label
    return f"Fill in only when \u201c{name}\u201d is \u201c{shown}\u201d."


def _fields(page: BlankForm, fields: Sequence[FormField], definition: FormFields) -> None:
    """A section's fields in order: runs of simple fields in one label/answer table, the
    groups and the signatures of everyone present as tables of their own, and the
    section's signatures together in one sign-off table at its end."""
    simple: list[tuple[FormField, list[str] | None]] = []
    for f in fields:
        if f.kind == "signature":
            continue
        if f.kind in ("group", "signatures"):
            if simple:
                _answer_table(page, simple)
                simple = []
            (_group if f.kind == "group" else _signatures)(page, f)
            continue
        choices = field_choices(f, page.inputs) if f.kind not in WRITE_KINDS else None
        simple.append((f, choices))
    if simple:
        _answer_table(page, simple)
    signs = [f for f in fields if f.kind == "signature"]
    if signs:
        _sign_off(page, signs)


def _answer_table(page: BlankForm, items: list[tuple[FormField, list[str] | None]]) -> None:
    """Label and answer cells: two short answers a row, a long one across the page."""
    label_w = 1.45 if page.width < 8 else 1.7
    value_w = (page.width - 2 * label_w) / 2
    rows: list[list[tuple[FormField, list[str] | None]]] = []
    open_half = False              # the last row holds one short answer: room for another
    for f, choices in items:
        half = f.kind in WRITE_KINDS or (f.kind in COMPANY_KINDS and choices is None)
        if half and open_half:
            rows[-1].append((f, choices))
            open_half = False
        else:
            rows.append([(f, choices)])
            open_half = half
    table = page.table(len(rows), [label_w, value_w, label_w, value_w], header=False)
    for row, pairs in zip(table.rows, rows, strict=True):
        cant_split(row)
        cells = row.cells
        if len(pairs) == 1:
            targets = [(cells[0], cells[1].merge(cells[3]))]
        else:
            targets = [(cells[0], cells[1]), (cells[2], cells[3])]
        tallest = ROW_IN
        for (label_cell, value_cell), (f, choices) in zip(targets, pairs, strict=True):
            _put(label_cell, f.label, "Form Label")
            _hint_in(label_cell, f.help)
            shade_cell(label_cell, LABEL_FILL)
            tallest = max(tallest, _answer(value_cell, f, choices))
        _height(row, tallest)
    page.spacer()


def _answer(cell, f: FormField, choices: list[str] | None) -> float:
    """The answer cell of one field; its height."""
    if f.kind in ("photo", "photos"):
        _put(cell, f"Photos taken: {BOX} (attach or note their number)")
        return ROW_IN
    if f.kind == "long_text":
        return TALL_IN
    if choices is not None:
        text = boxes(choices)
        if f.kind in COMPANY_KINDS:
            text += f"    {BOX}\u00a0Other: ____________"
        if f.kind in ("multi_choice", "people"):
            text += "   (tick all that apply)"
        _put(cell, text)
        return ROW_IN
    return ROW_IN


def _sign_off(page: BlankForm, signs: list[FormField]) -> None:
    """Who signs, their name printed, the signature and the date: one row each."""
    widths = _scale([2.1, 2.0, 2.0, 1.0], page.width)
    table = page.table(1 + len(signs), widths, header=True)
    repeat_header_row(table.rows[0])
    for cell, text in zip(table.rows[0].cells, ["Sign-off", "Name (print)", "Signature",
                                                "Date"], strict=True):
        _put(cell, text, "Form Label")
    for row, f in zip(table.rows[1:], signs, strict=True):
        cant_split(row)
        _height(row, 0.38)
        _put(row.cells[0], f.label, "Form Label")
        _hint_in(row.cells[0], f.help)
    _keep_together(table)
    page.spacer()


def _signatures(page: BlankForm, f: FormField) -> None:
    """Everyone present prints their name and signs: two people a row."""
    page.label(f.label, f.help)
    widths = _scale([1.6, 1.65, 1.6, 1.65], page.width)
    table = page.table(1 + SIGNATURE_ROWS, widths, header=True)
    repeat_header_row(table.rows[0])
    for cell, text in zip(table.rows[0].cells, ["Name (print)", "Signature"] * 2,
                          strict=True):
        _put(cell, text, "Form Label")
    for row in table.rows[1:]:
        cant_split(row)
        _height(row, 0.34)
    _keep_together(table)
    page.spacer()


# --------------------------------------------------------------------------- groups


def _fixed(f: FormField) -> bool:
    return f.rows is not None or f.rows_from is not None


def _columns(f: FormField) -> list[FormField]:
    return list(f.fields or [])


def _cell_choices(f: FormField, inputs: Inputs) -> list[str] | None:
    """Tick boxes in a table's cell only when they are short; else the cell is empty and
    the choices are printed under the table."""
    if f.kind not in BOX_KINDS:
        return None
    choices = field_choices(f, inputs)
    if choices is None or sum(len(c) + 3 for c in choices) > 22:
        return None
    return choices


def _group(page: BlankForm, f: FormField) -> None:
    inputs = page.inputs
    columns = _columns(f)
    fixed = _fixed(f)
    cell_choices = {c.id: _cell_choices(c, inputs) for c in columns}
    widths = _group_widths(columns, cell_choices, fixed, page.width)
    heads = (["Item"] if fixed else []) + [c.label for c in columns]
    rows = group_rows(f, inputs.profile, inputs.library, on=_day(inputs))
    page.label(f.label, f.help)
    table = page.table(1, widths, header=True)
    head = table.rows[0]
    repeat_header_row(head)
    cant_split(head)
    for cell, text in zip(head.cells, heads, strict=True):
        _put(cell, text, "Form Label")
    tall = any(c.kind == "long_text" for c in columns)
    filled = [None] * EMPTY_ROWS if rows is None else rows
    for item in filled:
        row = table.add_row()
        cant_split(row)
        cells = row.cells
        if item is not None and "heading" in item:
            merged = cells[0].merge(cells[-1])
            _put(merged, item["heading"], "Form Label")
            shade_cell(merged, LABEL_FILL)
            merged.paragraphs[0].paragraph_format.keep_with_next = True
            continue
        _height(row, 0.42 if tall and not fixed else ROW_IN)
        start = 0
        if fixed:
            _put(cells[0], item["row"] if item else "")
            start = 1
        for cell, c in zip(cells[start:], columns, strict=True):
            choices = cell_choices[c.id]
            if c.kind in ("photo", "photos"):
                _put(cell, BOX)
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif choices is not None:
                _put(cell, "  ".join(f"{BOX}\u00a0{x}" for x in choices))
    notes = []
    for c in columns:
        if c.kind in BOX_KINDS and cell_choices[c.id] is None:
            choices = field_choices(c, inputs)
            if choices:
                notes.append(f"{c.label}: " + "; ".join(choices) + ".")
    page.spacer()
    if notes:
        p = page.para("  ".join(notes), "Form Hint")
        p.paragraph_format.space_after = Pt(4)


# Columns as wide as their content needs (inches): tick boxes, dates, times, photos.
FIXED_WIDTH = {"date": 0.8, "time": 0.6, "number": 0.7, "photo": 0.5, "photos": 0.5}
MAX_COLUMN_IN = 4.0
BOX_CHAR_IN = 0.058         # a character of a tick box line at 9 pt, about


def _group_widths(columns: Sequence[FormField], cell_choices: dict[str, list[str] | None],
                  fixed: bool, total: float) -> list[float]:
    """Columns of tick boxes, dates and photos as wide as they need; the others share the
    rest by the kind of answer they take (a long answer gets more room)."""
    wanted: list[float | None] = [None] if fixed else []
    weights: list[float] = [ITEM_WEIGHT] if fixed else []
    for c in columns:
        choices = cell_choices[c.id]
        if choices is not None:
            text = "  ".join(f"{BOX} {x}" for x in choices)
            wanted.append(BOX_CHAR_IN * len(text) + 0.2)
            weights.append(0)
        elif c.kind in FIXED_WIDTH:
            wanted.append(FIXED_WIDTH[c.kind])
            weights.append(0)
        else:
            wanted.append(None)
            weights.append(0.9 if c.kind in ("choice", "multi_choice")
                           else KIND_WEIGHT.get(c.kind, 1.0))
    rest = total - sum(w for w in wanted if w is not None)
    if rest < 0.25 * total or not any(weights):        # too narrow a page: share it all
        return _scale([w if w is not None else 1.0 for w in wanted], total)
    share = sum(weights)
    # a table of few columns is not stretched: a written answer needs no more than this
    return [w if w is not None else min(MAX_COLUMN_IN, rest * weights[i] / share)
            for i, w in enumerate(wanted)]


def _scale(widths: Sequence[float], total: float) -> list[float]:
    factor = total / sum(widths)
    return [w * factor for w in widths]


def _keep_together(table) -> None:
    """A short table (a sign-off) is not split over two pages."""
    for row in table.rows[:-1]:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
