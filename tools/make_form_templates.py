"""Generate the first version of the template forms in form_templates/ from master.docx.

Most forms are now made from their definitions (form_templates/fields/, manualgen/forms/
blank.py) and have no Word layout; this script still writes a form's first Word layout,
for example to give a form one of its own again (add `template: <id>.docx` to its entry in
forms.yaml, as the emergency response plan has).

After this first version NSNY staff edit the forms in Word; this script is kept so the
starting point is reviewable, and so a form can be regenerated on purpose
(`python tools/make_form_templates.py [FORM_ID ...]`). Running it overwrites the named
forms (all of them without arguments), so do not run it over forms edited in Word.

Each form starts from master.docx (styles, page size, margins). The page header carries
the company name, address, WSCB account and logo; the footer the form's title, id,
revision and "Page X of Y". Tags are docxtpl/Jinja: `{{ company.name }}`, and row loops
`{%tr for e in equipment %}` ... `{%tr endfor %}` in rows of their own. The names a form
may use are `manualgen.forms.check.form_variables()`.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor, Twips

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from manualgen.forms.blank import form_page  # noqa: E402
from manualgen.io import load_yaml  # noqa: E402
from manualgen.render.docx_io import docx_bytes, set_properties  # noqa: E402
from manualgen.render.wordxml import add_field, repeat_header_row, shade_cell  # noqa: E402
from manualgen.services.storage import atomic_write_bytes  # noqa: E402

TEMPLATES = ROOT / "form_templates"
NAVY = RGBColor(0x1C, 0x3F, 0x6E)
LABEL_FILL = "E4EAF3"      # label cells and sub-heading rows
BOX = "\u2610"             # ballot box, for tick options
WHEN = dt.date(2026, 11, 1)  # the template files' own date (document properties)

RISK_FILL = {"Low": "C6EFCE", "Moderate": "FFEB9C", "High": "F8CBAD", "Critical": "F4A6A6"}
RANK_FILL = {"A": "F4A6A6", "B": "FFEB9C", "C": "DDEBF7"}


# --------------------------------------------------------------------------- the page


class Form:
    """One form being built: the master's styles, a form header and footer, a body."""

    def __init__(self, landscape: bool = False):
        self.doc: DocumentObject = form_page(TEMPLATES / "master.docx", landscape=landscape)
        self._add_styles()
        section = self.doc.sections[0]
        self.width = (section.page_width - section.left_margin - section.right_margin) / 914400
        self._header()
        self._footer()

    def _add_styles(self) -> None:
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
        section = styles.add_style("Form Section", WD_STYLE_TYPE.PARAGRAPH)
        section.base_style = styles["Heading 3"]
        section.paragraph_format.space_before = Pt(10)
        section.paragraph_format.space_after = Pt(3)
        section.font.size = Pt(11)

    # header and footer -----------------------------------------------------------

    def _header(self) -> None:
        header = self.doc.sections[0].header
        header.is_linked_to_previous = False
        for child in list(header._element):
            header._element.remove(child)
        logo_w = 1.9
        table = header.add_table(1, 2, Inches(self.width))
        set_widths(table, [self.width - logo_w, logo_w])
        borders(table, bottom=("single", 12, "1C3F6E"), inside=False, outer=False)
        left, right = table.rows[0].cells
        left.vertical_alignment = right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        p = left.paragraphs[0]
        p.style = self.doc.styles["Header"]
        run = p.add_run("{{ company.name }}")
        run.bold = True
        run.font.size = Pt(13)
        run.font.color.rgb = NAVY
        p = left.add_paragraph("{{ company.address }}  \u00b7  {{ company.phone }}",
                               style="Header")
        p = left.add_paragraph(
            "WSCB account {{ company.wscb_account }}"
            "{% if secor %}  \u00b7  SECOR certificate {{ secor.certificate_number }}{% endif %}",
            style="Header")
        p.paragraph_format.space_after = Pt(3)
        p = right.paragraphs[0]
        p.style = self.doc.styles["Header"]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(3)
        p.add_run("{{ logo }}")
        tail = header.add_paragraph(style="Header")
        tiny(tail)

    def _footer(self) -> None:
        footer = self.doc.sections[0].footer
        footer.is_linked_to_previous = False
        for child in list(footer._element):
            footer._element.remove(child)
        p = footer.add_paragraph(style="Footer")
        stops = p.paragraph_format.tab_stops
        stops.add_tab_stop(Twips(4680), WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(Twips(9360), WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(Inches(self.width), WD_TAB_ALIGNMENT.RIGHT)
        p.add_run("{{ form.title }}  \u00b7  Form {{ form.id }}, revision {{ form.revision }}")
        p.add_run("\tPage ")
        add_field(p, "PAGE")
        p.add_run(" of ")
        add_field(p, "NUMPAGES")

    # body ----------------------------------------------------------------------------

    def title(self, intro: str) -> None:
        p = self.doc.add_paragraph("{{ form.title }}", style="Heading 1")
        p.paragraph_format.page_break_before = False
        p.paragraph_format.space_after = Pt(2)
        p = self.doc.add_paragraph(intro, style="Small Print")
        p.paragraph_format.space_after = Pt(4)

    def section(self, text: str, *, new_page: bool = False) -> None:
        if new_page:
            self._drop_trailing_spacer()
        p = self.doc.add_paragraph(text, style="Form Section")
        p.paragraph_format.page_break_before = new_page

    def _drop_trailing_spacer(self) -> None:
        """A spacer that no longer fits would make a blank page before a page break."""
        body = self.doc.element.body
        last = body[-2] if len(body) > 1 else None  # body[-1] is the w:sectPr
        if last is not None and last.tag == qn("w:p") and not "".join(last.itertext()):
            body.remove(last)

    def note(self, text: str) -> None:
        p = self.doc.add_paragraph(text, style="Small Print")
        p.paragraph_format.space_before = Pt(2)
        p.paragraph_format.space_after = Pt(2)
        p.paragraph_format.keep_with_next = True

    def options(self, label: str, choices: Sequence[str]) -> None:
        """A line of tick boxes: 'Class: [] Near miss  [] First aid ...'."""
        p = self.doc.add_paragraph(style="Form Text")
        p.paragraph_format.space_before = Pt(4)
        p.paragraph_format.space_after = Pt(2)
        if label:
            p.add_run(label + "  ").bold = True
        p.add_run("    ".join(f"{BOX} {c}" for c in choices))

    def spacer(self) -> None:
        tiny(self.doc.add_paragraph(style="Form Text"), 4)

    def fields(self, rows: Sequence[Sequence[tuple[str, str]]], *, label_w: float = 1.25,
               height: float = 0.3) -> None:
        """Label/value pairs, two to a row; a row with one pair spans the full width."""
        value_w = (self.width - 2 * label_w) / 2
        table = self.doc.add_table(len(rows), 4, style="Manual Table")
        no_header_look(table)
        set_widths(table, [label_w, value_w, label_w, value_w])
        for row, pairs in zip(table.rows, rows, strict=True):
            row_height(row, height)
            cells = row.cells
            if len(pairs) == 1:
                merged = cells[1].merge(cells[3])
                targets = [(cells[0], merged)]
            else:
                targets = [(cells[0], cells[1]), (cells[2], cells[3])]
            for (label_cell, value_cell), (label, value) in zip(targets, pairs, strict=True):
                put(label_cell, label, "Form Label")
                shade_cell(label_cell, LABEL_FILL)
                put(value_cell, value)
        self.spacer()

    def grid(self, headers: Sequence[str], widths: Sequence[float], *, blank: int = 0,
             loop: tuple[str, Sequence[str]] | None = None, height: float = 0.3,
             rows: Sequence[Sequence[str]] = (), centre: Sequence[int] = (),
             groups: Sequence[tuple[str, Sequence[Sequence[str]]]] = (),
             loop_title: str | None = None, after: Sequence[Sequence[str]] = (),
             numbered: bool = False, together: bool = False) -> None:
        """A table with a header row, then in order: fixed rows, grouped rows (each under a
        shaded sub-heading row), a docxtpl loop (optionally under its own sub-heading),
        rows after the loop, and blank rows (numbered 1, 2, ... in the first column)."""
        widths = scale(widths, self.width)
        table = self.doc.add_table(1, len(headers), style="Manual Table")
        set_widths(table, widths)
        head = table.rows[0]
        repeat_header_row(head)
        for i, (cell, text) in enumerate(zip(head.cells, headers, strict=True)):
            put(cell, text, "Form Label")
            keep_next(cell)
            if i in centre:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for values in rows:
            self._row(table, values, height, centre)
        for title, group_rows in groups:
            sub_heading(table, title)
            for values in group_rows:
                self._row(table, values, height, centre)
        if loop is not None:
            if loop_title:
                sub_heading(table, loop_title)
            expr, cells = loop
            control_row(table, f"{{%tr for {expr} %}}")
            self._row(table, cells, height, centre)
            control_row(table, "{%tr endfor %}")
        for values in after:
            self._row(table, values, height, centre)
        for i in range(1, blank + 1):
            first = [str(i)] if numbered else [""]
            self._row(table, first + [""] * (len(headers) - 1), height, centre)
        if together:  # a short table (sign-off) is never split over two pages
            for row in table.rows[:-1]:
                for cell in row.cells:
                    keep_next(cell)
        self.spacer()

    def _row(self, table, values: Sequence[str], height: float, centre: Sequence[int]) -> None:
        row = table.add_row()
        row_height(row, height)
        cant_split(row)
        for i, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            put(cell, text)
            if i in centre:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def box(self, label: str, height: float, prefill: str = "") -> None:
        """A labelled writing box (one cell), e.g. 'What happened'."""
        table = self.doc.add_table(2, 1, style="Manual Table")
        no_header_look(table)
        set_widths(table, [self.width])
        put(table.rows[0].cells[0], label, "Form Label")
        shade_cell(table.rows[0].cells[0], LABEL_FILL)
        keep_next(table.rows[0].cells[0])
        row_height(table.rows[1], height)
        cant_split(table.rows[1])
        put(table.rows[1].cells[0], prefill)
        self.spacer()

    def signatures(self, roles: Sequence[tuple[str, str]], height: float = 0.38) -> None:
        """Sign-off rows: who signs, name (prefilled where known), signature, date."""
        self.grid(["Sign-off", "Name (print)", "Signature", "Date"], [1.9, 2.0, 2.0, 1.0],
                  rows=[[role, name, "", ""] for role, name in roles], height=height,
                  together=True)

    def risk_matrix(self, brief: bool = False) -> None:
        """The 4 x 4 matrix of the Hazard Assessment policy, coloured by risk level."""
        severities = ["1 Minor\nfirst aid only", "2 Serious\nmedical aid, modified work",
                      "3 Major\nlost time, serious illness", "4 Critical\ndisability or death"]
        likelihoods = ["4 Almost certain", "3 Likely", "2 Unlikely", "1 Rare"]
        widths = scale([1.6, 1.3, 1.3, 1.3, 1.3], min(self.width, 6.5))
        table = self.doc.add_table(1, 5, style="Manual Table")
        set_widths(table, widths)
        put(table.rows[0].cells[0], "Likelihood \u2193  Severity \u2192", "Form Label")
        for cell, text in zip(table.rows[0].cells[1:], severities, strict=True):
            put(cell, text, "Form Label")
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for likelihood in likelihoods:
            row = table.add_row()
            cant_split(row)
            put(row.cells[0], likelihood, "Form Label")
            shade_cell(row.cells[0], LABEL_FILL)
            lik = int(likelihood[0])
            for sev, cell in enumerate(row.cells[1:], start=1):
                score = sev * lik
                level = risk_level(score)
                put(cell, f"{score} {level}")
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                shade_cell(cell, RISK_FILL[level])
        if brief:
            self.note("Risk = severity \u00d7 likelihood, with the controls in place now. "
                      "Critical or High: stop or control the work before it goes on, and "
                      "tell the owner the same day.")
            return
        self.note("Risk = severity \u00d7 likelihood, rated with the controls in place at the "
                  "time. Critical (12-16): do not start or stop the work; the owner signs "
                  "before work goes ahead. High (8-9): controls checked by the supervisor "
                  "before work starts; a safe job procedure is required. Moderate (4-6): "
                  "controls in place and reviewed at each field-level hazard assessment. "
                  "Low (1-3): company rules, training and normal supervision.")

    def rank_legend(self) -> None:
        """The A/B/C ranking of deficiencies (Inspections policy)."""
        legend = [
            ("A", "Act now: could cause death, a serious injury or a major loss.",
             "Stop the work or tag the equipment out immediately; work resumes only when "
             "it is fixed and checked by the supervisor. Tell the owner the same day."),
            ("B", "Act soon: could cause an injury or illness needing medical aid.",
             "Correct within 7 days, with a temporary control in place meanwhile."),
            ("C", "Minor: could cause a minor injury, or a poor practice.",
             "Correct within 30 days."),
        ]
        table = self.doc.add_table(1, 3, style="Manual Table")
        set_widths(table, scale([0.6, 2.9, 3.0], self.width))
        for cell, text in zip(table.rows[0].cells, ["Rank", "Meaning", "Corrective action"],
                              strict=True):
            put(cell, text, "Form Label")
        for rank, meaning, action in legend:
            row = table.add_row()
            cant_split(row)
            put(row.cells[0], rank, "Form Label")
            row.cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            shade_cell(row.cells[0], RANK_FILL[rank])
            put(row.cells[1], meaning)
            put(row.cells[2], action)
        self.spacer()

    def finish(self, info: dict, path: Path) -> None:
        # Word needs a paragraph after the last table; keep it 1 pt high, so that a full
        # last page does not spill an empty page.
        self._drop_trailing_spacer()
        end = self.doc.add_paragraph(style="Form Text")
        tiny(end, 1)
        end.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        end.paragraph_format.line_spacing = Pt(1)
        set_properties(self.doc, title=info["title"], author="Northern Safety Network Yukon",
                       when=WHEN, subject=info["description"],
                       keywords=f"SECOR form {info['id']}")
        atomic_write_bytes(path, docx_bytes(self.doc, WHEN))


# --------------------------------------------------------------------------- XML helpers


def risk_level(score: int) -> str:
    if score >= 12:
        return "Critical"
    if score >= 8:
        return "High"
    if score >= 4:
        return "Moderate"
    return "Low"


def scale(widths: Sequence[float], total: float) -> list[float]:
    factor = total / sum(widths)
    return [w * factor for w in widths]


def put(cell, text: str, style: str = "Form Text") -> None:
    """Write text into a cell's first paragraph; '\\n' starts a new paragraph."""
    lines = text.split("\n")
    p = cell.paragraphs[0]
    p.style = style
    if lines[0]:
        p.add_run(lines[0])
    for line in lines[1:]:
        cell.add_paragraph(line, style=p.style)


def tiny(paragraph, size: int = 2) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    rpr = paragraph._p.get_or_add_pPr()
    mark = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(size * 2))
    mark.append(sz)
    rpr.append(mark)


def keep_next(cell) -> None:
    for p in cell.paragraphs:
        p.paragraph_format.keep_with_next = True


# The order Word requires for the children of w:tblPr (ECMA-376 CT_TblPr).
TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
               "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
               "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"]


def tblpr_set(table, element) -> None:
    """Put a w:tblPr child in its schema position, replacing one of the same name."""
    tblpr = table._tbl.tblPr
    name = element.tag.split("}")[1]
    old = tblpr.find(qn(f"w:{name}"))
    if old is not None:
        tblpr.remove(old)
    later = TBLPR_ORDER[TBLPR_ORDER.index(name) + 1:]
    for child in tblpr:
        if child.tag.split("}")[1] in later:
            child.addprevious(element)
            return
    tblpr.append(element)


def set_widths(table, widths: Sequence[float]) -> None:
    """Fixed column widths (Word and LibreOffice both honour tblGrid + tcW + fixed layout)."""
    table.autofit = False  # python-docx writes w:tblLayout type="fixed"
    tbl = table._tbl
    tblw = OxmlElement("w:tblW")
    tblpr_set(table, tblw)
    tblw.set(qn("w:w"), str(int(sum(widths) * 1440)))
    tblw.set(qn("w:type"), "dxa")
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(w * 1440)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Inches(w)


def no_header_look(table) -> None:
    """Field tables have no header row: switch off the style's dark first row."""
    look = OxmlElement("w:tblLook")
    tblpr_set(table, look)
    look.set(qn("w:val"), "0400")
    for attr, val in (("firstRow", "0"), ("lastRow", "0"), ("firstColumn", "0"),
                      ("lastColumn", "0"), ("noHBand", "1"), ("noVBand", "1")):
        look.set(qn(f"w:{attr}"), val)


def borders(table, *, bottom: tuple[str, int, str], inside: bool, outer: bool) -> None:
    el = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        if side == "bottom":
            kind, size, colour = bottom
            b.set(qn("w:val"), kind)
            b.set(qn("w:sz"), str(size))
            b.set(qn("w:color"), colour)
        else:
            b.set(qn("w:val"), "single" if (inside if side.startswith("inside") else outer)
                  else "nil")
        el.append(b)
    tblpr_set(table, el)


def row_height(row, inches: float) -> None:
    row.height = Inches(inches)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    trpr.insert(0, el)


def sub_heading(table, title: str) -> None:
    """A shaded row across the whole table that heads a group of rows."""
    row = table.add_row()
    cant_split(row)
    merged = row.cells[0].merge(row.cells[-1])
    put(merged, title, "Form Label")
    shade_cell(merged, LABEL_FILL)
    keep_next(merged)


def control_row(table, tag: str) -> None:
    """A row holding only a docxtpl row tag ({%tr for %}, {%tr endfor %}, {%tr if %})."""
    row = table.add_row()
    first = row.cells[0]
    put(first, tag, "Form Text")
    for cell in row.cells[1:]:
        put(cell, "")


# --------------------------------------------------------------------------- the forms

SIGN_ASSESS = [("Supervisor (assessed by)", ""), ("Worker consulted", ""),
               ("Worker consulted", ""), ("Owner approval", "{{ owner.name }}")]


def hazard_assessment(f: Form) -> None:
    f.title("A formal assessment of one task or site, done by the supervisor with the workers "
            "who do the work. Break the task into steps, list each step's hazards, rate the "
            "risk with the matrix, choose controls from the top of the hierarchy down, and "
            "rate the risk that remains. Reviewed every year and whenever the task changes.")
    f.fields([
        [("Task or job", ""), ("Assessment no.", "")],
        [("Site / location", ""), ("Date", "")],
        [("Assessed by", ""), ("Next review date", "")],
        [("Workers consulted", "")],
    ])
    f.section("Steps, hazards and controls")
    f.note("Rate severity (Sev.) and likelihood (Lik.) with the risk matrix on the next page. "
           "Controls by the hierarchy: E elimination, S substitution, Eng engineering, "
           "Adm administrative (procedures, training, schedules), PPE personal protective "
           "equipment; write the type before each control, e.g. 'Eng: guardrail on the edge'.")
    f.grid(["#", "Job step", "Hazard", "Sev.", "Lik.", "Risk", "Controls (type: control)",
            "Residual risk", "Who", "By when"],
           [0.3, 1.5, 1.5, 0.4, 0.4, 0.5, 2.6, 0.7, 0.8, 0.8], blank=8, height=0.4,
           centre=(0, 3, 4, 5, 7), numbered=True)
    f.section("Risk rating", new_page=True)
    f.risk_matrix()
    f.options("Safe job procedure needed (any step High or Critical before controls)?",
              ["Yes: title ______________________________", "No"])
    f.section("Sign-off")
    f.signatures(SIGN_ASSESS)
    f.note("The owner signs every assessment with a step rated Critical before any work "
           "goes ahead. Review the results with the crew at the next toolbox meeting.")


def field_level(f: Form) -> None:
    f.title("Done by the crew at the start of every job and every shift, and again whenever "
            "conditions change (weather, task, crew, other trades, equipment trouble). "
            "Walk the site first; work starts only when every hazard has a control.")
    f.fields([
        [("Date", ""), ("Start time", "")],
        [("Location / site", ""), ("Client / job no.", "")],
        [("Supervisor", ""), ("Weather", "")],
        [("Job scope (today's work)", "")],
    ])
    f.section("Hazards and controls")
    f.note("Tick each hazard present today and write how it is controlled. Our usual hazards "
           "are listed first; add any other hazard of this site on the blank rows.")
    f.grid(["Present?", "Hazard", "Controls in place today"], [0.7, 2.5, 3.3],
           loop=("h in hazard_labels", [BOX, "{{ h }}", ""]),
           after=[[BOX, "Other trades, public or traffic near the work", ""],
                 [BOX, "Overhead power lines or buried services", ""],
                 [BOX, "Slippery, uneven or icy surfaces", ""]],
           blank=3, height=0.28, centre=(0,))
    f.section("PPE required today")
    f.options("", ["Hard hat", "Safety glasses", "Hearing protection", "Gloves",
                   "High-visibility vest", "Safety boots"])
    f.options("", ["Fall arrest harness", "Respirator / dust mask", "Face shield",
                   "Cold weather gear", "Other: ______________"])
    f.section("Crew")
    f.note("By signing you confirm that you took part in this assessment and understand "
           "the hazards and controls. Initial again at the end of the shift.")
    f.grid(["Name (print)", "Signature", "Time in", "End of shift (initials)"],
           [2.2, 2.3, 0.8, 1.2], blank=7, height=0.32)
    f.section("Supervisor review and end-of-shift check")
    f.fields([
        [("Reviewed by (supervisor)", ""), ("Signature / time", "")],
        [("Incidents or near misses today?", f"{BOX} No    {BOX} Yes: reported on"),
         ("Site left safe?", f"{BOX} Yes    {BOX} No: action")],
        [("Hazards left for the next shift", "")],
    ], label_w=1.45, height=0.34)


def site_inspection(f: Form) -> None:
    f.title("A planned inspection of a shop, yard or job site. Mark each item Yes, No or N/A; "
            "every 'No' becomes a deficiency below, ranked A, B or C. Fix on the spot what "
            "can be fixed safely. Give the signed checklist to the owner for review within "
            "7 days; carry open items onto the next checklist for this site.")
    f.fields([
        [("Site", ""), ("Date", "")],
        [("Inspector(s)", ""), ("Time", "")],
        [("Worker / safety rep. taking part", ""), ("Type", f"{BOX} Monthly  {BOX} Weekly  "
                                                            f"{BOX} Other")],
    ], label_w=1.35)
    f.section("Ranking deficiencies")
    f.rank_legend()
    f.section("Checklist")
    yes_no = ["", "", "", "", ""]
    areas = [
        ("Housekeeping and access", [
            "Walkways, stairs and exits clear and lit",
            "Materials stored and stacked safely",
            "Waste and scrap removed; no tripping hazards",
            "Snow and ice cleared or sanded at access points"]),
        ("Working at heights, ladders and scaffolds", [
            "Ladders in good repair, secured, extend 1 m above the landing",
            "Guardrails or fall protection at open edges and openings",
            "Harnesses and lanyards inspected and tagged",
            "Scaffolds complete, level, planked and tagged"]),
        ("Tools, equipment and vehicles", [
            "Tools and cords in good condition, guards in place",
            "Pre-use checks done and recorded for vehicles and equipment",
            "Defective equipment tagged out of service",
            "Loads secured; vehicles parked and chocked safely"]),
        ("Hazardous products (WHMIS) and fire", [
            "Containers labelled; safety data sheets available",
            "Flammables stored away from heat; no smoking observed",
            "Fire extinguishers charged, inspected, accessible"]),
        ("Emergency and first aid", [
            "First aid kit stocked; attendant on site and known",
            "Emergency numbers and muster point posted",
            "Communication works (phone signal or satellite device)"]),
        ("People and practices", [
            "Required PPE worn correctly",
            "Field-level hazard assessment done and signed today",
            "Workers follow safe work practices and procedures",
            "Lone workers on a check-in schedule"]),
    ]
    groups = [(title, [[item, *yes_no] for item in items]) for title, items in areas]
    widths = [3.4, 0.45, 0.45, 0.45, 0.5, 1.25]
    f.grid(["Item", "Yes", "No", "N/A", "Rank", "Comment"], widths, groups=groups,
           loop_title="Our own hazards: controls in place and working",
           loop=("h in hazard_labels", ["{{ h }}", "", "", "", "", ""]), blank=1,
           height=0.22, centre=(1, 2, 3, 4))
    f.section("Deficiencies and corrective actions")
    f.grid(["#", "Deficiency found", "Rank", "Corrective action", "Responsible",
            "Target date", "Date done"],
           [0.3, 1.8, 0.45, 1.8, 0.95, 0.75, 0.75], blank=5, height=0.36, centre=(0, 2),
           numbered=True)
    f.section("Sign-off")
    f.signatures([("Inspector", ""), ("Manager review", "{{ owner.name }}")])


def toolbox_meeting(f: Form) -> None:
    f.title("A short safety meeting with the crew, at least as often as our Safe Work "
            "Practices and Training policies say. Record the topics, today's hazards, "
            "anything that happened since the last meeting, and every concern raised with "
            "the action that will be taken. Everyone present signs.")
    f.fields([
        [("Date", ""), ("Time / length", "")],
        [("Site", ""), ("Presenter", "")],
    ])
    f.box("Topics discussed (safe work practice, procedure, policy, lessons from an incident)",
          0.85)
    f.box("Hazards of today's and this week's work, and their controls", 0.65)
    f.box("Incidents, near misses and hazard reports since the last meeting", 0.5)
    f.section("Concerns raised and actions")
    f.grid(["Concern or suggestion", "Action to be taken", "Responsible", "By when"],
           [2.4, 2.4, 1.0, 0.7], blank=3, height=0.3)
    f.section("Attendance")
    f.grid(["Name (print)", "Signature", "Name (print)", "Signature"],
           [1.6, 1.65, 1.6, 1.65], blank=5, height=0.32)
    f.fields([[("Presenter's signature", ""), ("Supervisor's signature", "")]],
             label_w=1.45, height=0.38)


def incident_investigation(f: Form) -> None:
    f.title("Complete for every incident and near miss that is investigated. Start within "
            "24 hours; leave the scene of a serious incident undisturbed until WSCB allows. "
            "Contains personal information: keep the original confidential, and remove names "
            "and health details from any copy that is shared.")
    f.section("Employer")
    f.fields([
        [("Employer", "{{ company.legal_name }}"), ("WSCB account", "{{ company.wscb_account }}")],
        [("Address", "{{ company.address }}")],
    ])
    f.section("The incident")
    f.fields([
        [("Date", ""), ("Time", "")],
        [("Site / exact location", ""), ("Reported to supervisor (date, time)", "")],
        [("Reported by", ""), ("Task being done", "")],
    ], label_w=1.4)
    f.options("Class:", ["Near miss", "First aid", "Medical aid", "Modified work",
                         "Lost time", "Fatality", "Property / vehicle damage"])
    f.section("People involved and witnesses")
    f.grid(["Name", "Position / employer", "Role (injured, involved, witness)",
            "Injury or damage, treatment given"], [1.5, 1.4, 1.4, 2.2], blank=4, height=0.32)
    f.box("What happened: the sequence of events, the conditions, and what the people "
          "involved were doing (attach photos and a sketch)", 1.4)
    f.section("Causes")
    f.box("Immediate causes: the unsafe conditions and unsafe actions", 0.75)
    f.note("Root causes: ask 'why?' until you reach something the company controls "
           "(training, procedures, supervision, equipment, planning, hazard assessment).")
    f.grid(["Why?", "Answer"], [0.6, 5.9], rows=[[f"{i}.", ""] for i in range(1, 6)],
           height=0.3, centre=(0,))
    f.box("Root causes found", 0.5)
    f.section("Corrective actions")
    f.note("Choose controls from the top of the hierarchy: elimination, substitution, "
           "engineering, administrative, PPE.")
    f.grid(["Corrective action", "Control type", "Responsible", "Target date",
            "Date completed"], [2.7, 1.0, 1.1, 0.85, 0.85], blank=4, height=0.36)
    f.section("Reporting to WSCB")
    f.note("Injuries are reported to WSCB within {{ rules.wscb_report_working_days }} "
           "working days; a serious incident is reported immediately by phone.")
    f.fields([
        [("Reportable to WSCB?", f"{BOX} No    {BOX} Yes"), ("Date reported to WSCB", "")],
        [("Reported by", ""), ("WSCB claim / file no.", "")],
    ], label_w=1.4)
    f.section("Sign-off")
    f.signatures([("Investigator", ""), ("Investigator / worker rep.", ""),
                  ("Owner review", "{{ owner.name }}")])


def maintenance_record(f: Form) -> None:
    f.title("The company's preventative maintenance record: the inventory of equipment and "
            "vehicles with their service intervals, the service log, the weekly pre-use "
            "checklist and the log of equipment tagged out of service. Keep it with the "
            "equipment files; receipts and work orders can be stapled to the service log.")
    f.section("1. Equipment inventory")
    f.grid(["Unit ID", "Description", "Make / model / serial no.", "Service interval",
            "Location / assigned to", "Last service", "Next due"],
           [0.9, 2.3, 1.8, 1.1, 1.3, 0.8, 0.8],
           loop=("e in equipment",
                 ["{{ e.id }}", "{{ e.description }}", "", "{{ e.interval }}", "", "", ""]),
           blank=4, height=0.3)
    f.section("2. Service log", new_page=True)
    f.grid(["Date", "Unit ID", "Meter (km / hours)", "Work done", "Done by", "Next due"],
           [0.85, 0.85, 1.0, 4.0, 1.4, 0.9], blank=13, height=0.34)
    f.section("3. Pre-use checklist", new_page=True)
    f.fields([[("Unit ID", ""), ("Week of", "")], [("Operator(s)", ""), ("Meter at start", "")]])
    f.note("Check before the first use each day. \u2713 = OK, X = defect (write it below "
           "and tell the supervisor; a unit with a defect that affects safety is tagged out "
           "of service and not used).")
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    items = ["Tires or tracks, wheels, nuts", "Lights, signals, horn, backup alarm",
             "Brakes and parking brake", "Fluid levels; no leaks",
             "Mirrors, windows, wipers clean and working",
             "Guards, shields and safety devices in place",
             "Cords, hoses, fittings and belts undamaged",
             "Controls and emergency stop work",
             "Hitch, safety chains and load secured",
             "Fire extinguisher, first aid kit, spill kit on board",
             "Body, frame or structure: no new damage"]
    f.grid(["Item", *days], [3.2] + [0.82] * 7,
           rows=[[item] + [""] * 7 for item in items] + [["Operator initials"] + [""] * 7],
           height=0.27, centre=tuple(range(1, 8)))
    f.box("Defects found and action taken", 0.6)
    f.section("4. Out-of-service tag log", new_page=True)
    f.note("A unit tagged out of service is not used until it is repaired and the "
           "supervisor removes the tag.")
    f.grid(["Tag no.", "Unit ID", "Date tagged", "Defect", "Tagged by", "Date repaired",
            "Repaired by", "Returned to service by"],
           [0.7, 0.8, 0.9, 2.6, 1.1, 0.9, 1.1, 1.4], blank=10, height=0.36)


EMERGENCY_PROCEDURES = [
    (None, "Serious injury or illness",
     "Make the area safe. Call {{ emergency.emergency_number }}. A first aid attendant gives "
     "first aid. Send someone to meet the ambulance. Do not move the injured person unless "
     "they are in danger. Tell the supervisor and owner; leave the scene undisturbed and "
     "report to WSCB immediately by phone if the injury is serious."),
    (None, "Fire",
     "Raise the alarm and get everyone out. Call {{ emergency.emergency_number }}. Fight a "
     "small fire with an extinguisher only if you are trained and have a way out. Go to the "
     "muster point; the supervisor counts heads. Nobody goes back in."),
    ("'vehicles' in hazards", "Vehicle collision or rollover",
     "Stop, turn on hazard lights, set up warning triangles. Check for injuries and call "
     "{{ emergency.emergency_number }} if anyone is hurt or the road is blocked. Do not "
     "move the vehicles unless they are a danger. Call the office and take photos."),
    ("'working_at_heights' in hazards", "Fall or worker suspended in a harness",
     "Call {{ emergency.emergency_number }}. Start the rescue plan for the site at once: a "
     "worker hanging in a harness must be reached within minutes. Never go onto an unsafe "
     "roof or edge without your own fall protection."),
    ("'working_alone' in hazards", "Missed check-in or missing worker",
     "Follow the escalation steps of the Working Alone Check-In Log: try to reach the "
     "worker, tell the supervisor, send someone to the last known location, then call "
     "{{ emergency.emergency_number }} or the RCMP with the location, task and vehicle."),
    ("'wildlife' in hazards", "Wildlife encounter",
     "Stay calm, keep the group together and back away slowly; never run from a bear. Get "
     "into a vehicle or building if you can. Use bear spray on a charging bear. Report "
     "aggressive wildlife to a conservation officer."),
    ("'cold_weather' in hazards", "Extreme cold or severe weather",
     "Stop outdoor work at the limits of our cold weather practice. Move everyone to a "
     "warm shelter or running vehicle. Treat frostbite and hypothermia as first aid "
     "emergencies; call {{ emergency.emergency_number }} for confusion or drowsiness."),
    ("'hazardous_products' in hazards", "Spill or exposure to a hazardous product",
     "Move people away and upwind. Check the safety data sheet. Give first aid (eye wash, "
     "remove contaminated clothing). Contain a small spill with the spill kit; call "
     "{{ emergency.emergency_number }} for a large spill, fire or serious exposure."),
]


def emergency_response_plan(f: Form) -> None:
    f.title("Our plan for emergencies at each of our sites. Post a copy at every fixed site "
            "and keep one in every vehicle. Review it every year, after every drill and "
            "whenever a site, phone number or first aid attendant changes.")
    f.section("Emergency numbers")
    f.fields([
        [("Emergency (fire, police, ambulance)", "{{ emergency.emergency_number }}"),
         ("Company office", "{{ company.phone }}")],
        [("Nearest medical facility", "{{ emergency.nearest_medical }}")],
        [("Owner", "{{ owner.name }}"), ("Owner's phone", "")],
        [("WSCB (serious incidents, immediately)", ""), ("RCMP detachment", "")],
        [("Poison and drug information", ""), ("Other", "")],
    ], label_w=1.6, height=0.3)
    f.section("Our sites")
    f.note("For a job site, write its address and directions on the copy kept in the "
           "vehicle before work starts.")
    f.grid(["Site", "Address or location", "Directions for emergency responders"],
           [1.7, 2.2, 2.6],
           loop=("s in worksites",
                 ["{{ s.name }}",
                  "{% if s.address %}{{ s.address }}{% elif s.kind == 'mobile' %}"
                  "Changes with each job{% endif %}", ""]),
           blank=2, height=0.34)
    f.section("Alarm, muster point and head count")
    f.fields([
        [("Muster point", "{{ emergency.muster_point }}")],
        [("How the alarm is raised", ""), ("Head count by", "The supervisor on site")],
        [("Communication at remote sites",
          "{% if emergency.remote_communication %}{{ emergency.remote_communication }}"
          "{% endif %}")],
    ], label_w=1.6, height=0.32)
    f.section("First aid")
    f.grid(["First aid attendant", "Position", "Certificate", "Expires"], [2.0, 2.0, 1.5, 1.0],
           loop=("a in first_aid_attendants",
                 ["{{ a.name }}", "{{ a.position }}", "{{ a.certificate }}",
                  "{{ a.expires }}"]),
           blank=1, height=0.3)
    f.grid(["First aid kits and fire extinguishers: where", "Kit type / extinguisher rating",
            "Checked monthly by"], [3.0, 2.0, 1.5], blank=3, height=0.3, together=True)
    f.section("What to do in an emergency")
    widths = scale([1.5, 5.0], f.width)
    table = f.doc.add_table(1, 2, style="Manual Table")
    set_widths(table, widths)
    repeat_header_row(table.rows[0])
    put(table.rows[0].cells[0], "Emergency", "Form Label")
    put(table.rows[0].cells[1], "What to do", "Form Label")
    for cond, kind, text in EMERGENCY_PROCEDURES:
        if cond:
            control_row(table, f"{{%tr if {cond} %}}")
        row = table.add_row()
        cant_split(row)
        put(row.cells[0], kind, "Form Label")
        shade_cell(row.cells[0], LABEL_FILL)
        put(row.cells[1], text)
        if cond:
            control_row(table, "{%tr endif %}")
    f.spacer()
    f.section("Drill record", new_page=True)
    f.note("Hold at least one drill a year at each fixed site, and practise the job site "
           "plan with each crew. Record every drill, what went wrong and what will change.")
    f.grid(["Date", "Site", "Scenario", "Time to muster / head count", "Issues found",
            "Actions, who, by when", "Led by"],
           [0.75, 0.9, 1.2, 0.9, 1.2, 1.2, 0.85], blank=8, height=0.5)
    f.section("Plan review")
    f.signatures([("Plan reviewed and approved", "{{ owner.name }}")])
    f.fields([[("Next review due", ""), ("Copies posted at", "")]])


def orientation_checklist(f: Form) -> None:
    f.title("Every new or returning worker is shown each item before starting work. The "
            "supervisor explains it, the worker asks questions, and both initial it. Keep the "
            "signed checklist in the worker's file.")
    f.fields([
        [("Worker", ""), ("Position", "")],
        [("Start date", ""), ("Worker is", f"{BOX} New    {BOX} Returning")],
        [("Orientation given by", ""), ("Date(s)", "")],
    ])
    f.section("Items shown and explained")
    widths = [4.7, 0.9, 0.9]
    heads = ["Item", "Worker initials", "Supervisor initials"]
    blank3 = ["", ""]
    groups = [
        ("Our program", [
            ["Health and safety policy statement, and where the manual is kept", *blank3],
            ["Responsibilities of the owner, supervisors, workers and subcontractors",
             *blank3],
            ["Workers' rights: to know, to participate, to refuse unsafe work, and protection "
             "from discriminatory action; how to refuse unsafe work", *blank3],
            ["Company rules and progressive discipline", *blank3],
            ["{% if safety_reps %}Worker health and safety representative: "
             "{{ safety_reps | join_names }}{% else %}How workers raise safety concerns "
             "and take part in hazard assessments and inspections{% endif %}", *blank3],
        ]),
        ("Emergencies, first aid and reporting", [
            ["Emergency response plan: emergency number {{ emergency.emergency_number }}, "
             "muster point: {{ emergency.muster_point }}", *blank3],
            ["Nearest medical facility: {{ emergency.nearest_medical }}", *blank3],
            ["First aid attendants{% if first_aiders %} ({{ first_aiders | join_names }})"
             "{% endif %}, first aid kits and fire extinguishers", *blank3],
            ["Reporting injuries, incidents, near misses and hazards, right away", *blank3],
            ["Return to work after an injury", *blank3],
        ]),
    ]
    groups += [
        ("Work practices", [
            ["Field-level hazard assessment at the start of every job and shift", *blank3],
            ["Personal protective equipment: what is required, fitting, care and "
             "replacement", *blank3],
            ["WHMIS: labels, safety data sheets and the products used on our jobs", *blank3],
            ["{% if 'working_alone' in hazards %}Working alone: check-in schedule and what "
             "happens after a missed check-in{% else %}Working alone: when it is allowed, and "
             "how to stay in contact{% endif %}", *blank3],
            ["Violence and harassment prevention policy: how to report, and that reports "
             "are taken seriously and kept confidential", *blank3],
            ["Equipment the worker will use: pre-use checks and out-of-service tags",
             *blank3],
            ["Tour of the shop, vehicles and a job site", *blank3],
        ]),
    ]
    f.grid(heads, widths, groups=groups, height=0.28, centre=(1, 2))
    f.section("The hazards of our work")
    f.note("Each hazard, and the safe work practices and procedures in our manual that "
           "control it.")
    f.grid(["Hazard", "Practices and procedures", "Worker initials", "Supervisor initials"],
           [2.1, 2.6, 0.9, 0.9],
           loop=("h in hazard_items",
                 ["{{ h.label }}", "{{ h.policies | join(', ') }}", "", ""]),
           blank=1, height=0.28, centre=(2, 3))
    f.section("Further training needed")
    f.grid(["Course or task training", "Date booked", "Date completed"], [3.9, 1.3, 1.3],
           blank=2, height=0.3)
    f.section("Sign-off")
    f.note("Worker: I was shown and understand every item above, and I know I can ask "
           "about any of it at any time.")
    f.signatures([("Worker", ""), ("Supervisor", "")])


def audit_action_plan(f: Form) -> None:
    f.title("The findings of the last SECOR audit, with what we will do about each one, who "
            "does it and by when. Update the status as items close; NSNY asks for this plan, "
            "with its progress, in every Annual Documentation Review Submission.")
    f.fields([
        [("Audit", f"{BOX} Certifying   {BOX} Re-certifying   {BOX} Internal"),
         ("Audit date", "")],
        [("Auditor", ""), ("Overall score", "")],
        [("SECOR certificate",
          "{% if secor %}{{ secor.certificate_number }}, issued "
          "{{ secor.certificate_date | long_date }}{% endif %}"),
         ("Plan prepared by", "")],
    ], label_w=1.3)
    f.note("Status: Open, In progress or Closed. Evidence: the record that shows the action "
           "was done (for example a revised policy, a training record or an inspection).")
    f.grid(["#", "Element", "Audit question", "Finding", "Action", "Responsible",
            "Target date", "Status", "Date completed", "Evidence"],
           [0.3, 0.6, 1.2, 1.6, 1.7, 0.95, 0.75, 0.7, 0.8, 1.0], blank=16, height=0.42,
           centre=(0, 1), numbered=True)
    f.signatures([("Plan approved", "{{ owner.name }}"), ("Progress reviewed", "")])


def training_record(f: Form) -> None:
    f.title("The courses and certificates each person holds, with expiry dates. Keep a copy "
            "of every certificate on file. The SECOR courses (PHSM, LSE, RTW) are listed with "
            "the others; `manualgen status` shows which are valid or expiring.")
    f.section("Courses and certificates")
    f.grid(["Name", "Position", "Course / certificate", "Completed", "Expires",
            "Provider / trainer", "Copy on file"],
           [1.3, 1.2, 1.4, 0.75, 0.75, 0.9, 0.5],
           loop=("t in training_rows",
                 ["{{ t.name }}", "{{ t.position }}", "{{ t.course }}", "{{ t.completed }}",
                  "{{ t.expires }}", "", ""]),
           blank=6, height=0.28, centre=(6,))
    f.section("Training session record", new_page=True)
    f.note("For in-house training (a safe job procedure, equipment, WHMIS): what was taught, "
           "by whom, and who attended.")
    f.fields([
        [("Course / topic", ""), ("Date", "")],
        [("Trainer", ""), ("Length", "")],
        [("How competency was checked", "")],
    ], label_w=1.35)
    f.grid(["Name (print)", "Signature", "Name (print)", "Signature"],
           [1.6, 1.65, 1.6, 1.65], blank=4, height=0.34)
    f.signatures([("Trainer", "")])


def first_aid_record(f: Form) -> None:
    f.title("Every first aid treatment given, however minor, as Part 18 of the Workplace "
            "Health and Safety Regulations requires. Confidential: keep in the office for at "
            "least 3 years. An injury needing medical aid is also reported to WSCB and "
            "investigated.")
    f.grid(["Date", "Time", "Name of worker", "Injury or illness (nature, body part)",
            "Where and how it happened", "First aid given", "Given by (attendant)",
            "Referred to medical aid?", "Witness"],
           [0.7, 0.5, 1.1, 1.45, 1.45, 1.3, 1.0, 0.75, 0.75], blank=10, height=0.45)
    f.note("Referred to medical aid: write where (for example {{ emergency.nearest_medical }}) "
           "and tell the supervisor the same day.")


def hazard_report(f: Form) -> None:
    f.title("Any worker can report a hazard. Make it safe if you can do so without risk, "
            "warn others, tell your supervisor right away and fill in this form. The "
            "supervisor rates the risk, acts, and tells you what was done.")
    f.section("Report (worker)")
    f.fields([
        [("Reported by", ""), ("Date and time", "")],
        [("Site / location", ""), ("Supervisor told", "")],
    ])
    f.box("The hazard: what it is, where, and who could be hurt", 0.7)
    f.box("What I did straight away (made safe, warned others, tagged out), and my "
          "suggestion to fix it", 0.55)
    f.section("Risk rating (supervisor)")
    f.risk_matrix(brief=True)
    f.fields([
        [("Rating", "Severity ____ \u00d7 likelihood ____ = score ____       "
                    f"{BOX} Low   {BOX} Moderate   {BOX} High   {BOX} Critical")],
    ], label_w=1.3)
    f.section("Action taken (supervisor)")
    f.grid(["Corrective action", "Responsible", "Target date", "Date completed"],
           [3.4, 1.2, 0.95, 0.95], blank=2, height=0.34)
    f.fields([
        [("Worker told the outcome on", ""),
         ("Hazard assessment updated?", f"{BOX} Yes    {BOX} Not needed")],
    ], label_w=1.6)
    f.signatures([("Supervisor", ""), ("Owner review", "{{ owner.name }}")], height=0.32)


def working_alone_log(f: Form) -> None:
    f.title("For every period of work alone where help is not readily available. Before "
            "leaving, the worker tells the check-in contact where they will be, what they "
            "will do and when they expect to finish. A check-in is a two-way contact. The "
            "final check-in is never skipped.")
    f.fields([
        [("Check-in contact", ""), ("Contact's phone", "")],
        [("Backup contact", ""), ("Check-in interval", "")],
        [("Communication devices",
          "{% if emergency.remote_communication %}{{ emergency.remote_communication }}"
          "{% endif %}")],
    ], label_w=1.5)
    f.grid(["Date", "Worker", "Location and task", "Vehicle", "Start", "Check-ins (time, "
            "OK, contact initials)", "Final check-in", "Missed? Steps taken"],
           [0.75, 1.2, 2.0, 0.75, 0.6, 2.1, 0.8, 1.3], blank=10, height=0.42)
    f.section("When a check-in is missed", new_page=True)
    f.grid(["Time after the missed check-in", "What the check-in contact does"], [2.0, 7.0],
           rows=[["At once", "Tries to reach the worker by every means (phone, text, "
                             "satellite message)."],
                 ["15 minutes", "Tells the supervisor or owner; tries other crew members "
                                "nearby, the client, the site phone."],
                 ["30 minutes", "The supervisor sends a person to the worker's last known "
                                "location, with a first aid kit and a means of "
                                "communication."],
                 ["60 minutes, or sooner", "Calls {{ emergency.emergency_number }} or the "
                                           "RCMP with the worker's last known location, "
                                           "task, vehicle and last contact time."]],
           height=0.26)
    f.note("A missed check-in that needed escalation is reported and investigated as a "
           "near miss.")
    f.section("More check-ins")
    f.grid(["Date", "Worker", "Location and task", "Vehicle", "Start", "Check-ins (time, "
            "OK, contact initials)", "Final check-in", "Missed? Steps taken"],
           [0.75, 1.2, 2.0, 0.75, 0.6, 2.1, 0.8, 1.3], blank=5, height=0.42)


def subcontractor_prequalification(f: Form) -> None:
    f.title("Filled in by the subcontractor and reviewed by {{ company.name }} before the "
            "subcontractor starts work. Attach the documents asked for. A subcontractor "
            "without a WSCB clearance letter does not start work.")
    f.section("The subcontractor")
    f.fields([
        [("Business name", ""), ("Contact person", "")],
        [("Address", "")],
        [("Phone", ""), ("Email", "")],
        [("WSCB account no.", ""), ("Clearance letter date", "")],
        [("COR / SECOR certificate", ""), ("Certificate expires", "")],
        [("Liability insurance ($)", ""), ("Insurance expires", "")],
        [("Work to be done", "")],
        [("Site(s)", ""), ("Dates", "")],
    ], label_w=1.45, height=0.25)
    f.section("Safety program")
    blank = ["", "", ""]
    f.grid(["Question", "Yes", "No", "Attached"], [4.95, 0.45, 0.45, 0.65],
           rows=[["Do you have a written health and safety program or manual?", *blank],
                 ["Have you done a hazard assessment for the work you will do for us?",
                  *blank],
                 ["Are your workers trained and certified for this work (fall protection, "
                  "WHMIS, first aid, tickets)?", *blank],
                 ["Do you inspect and maintain your tools, equipment and vehicles, with "
                  "records?", *blank],
                 ["Will you provide safety data sheets for the products you bring to site?",
                  *blank],
                 ["Do you have an emergency response plan for your crews?", *blank],
                 ["Will your workers attend our orientation and field-level hazard "
                  "assessments, and follow our rules?", *blank],
                 ["Will you report every incident, near miss and hazard to us the same day?",
                  *blank]],
           height=0.26, centre=(1, 2, 3))
    f.fields([
        [("Lost-time injuries, last 3 years", ""), ("WSCB orders or fines, last 3 years", "")],
    ], label_w=1.6, height=0.34)
    f.box(f"Our decision:  {BOX} Approved    {BOX} Approved with conditions    {BOX} Not approved"
          "      Conditions, and how we will monitor the work:", 0.5)
    f.signatures([("Subcontractor: the answers above are true", ""),
                  ("Reviewed by", "{{ owner.name }}")])


BUILDERS: dict[str, tuple[Callable[[Form], None], bool]] = {
    "hazard-assessment": (hazard_assessment, True),
    "field-level-hazard-assessment": (field_level, False),
    "site-inspection": (site_inspection, False),
    "toolbox-meeting": (toolbox_meeting, False),
    "incident-investigation": (incident_investigation, False),
    "maintenance-record": (maintenance_record, True),
    "emergency-response-plan": (emergency_response_plan, False),
    "orientation-checklist": (orientation_checklist, False),
    "audit-action-plan": (audit_action_plan, True),
    "training-record": (training_record, False),
    "first-aid-record": (first_aid_record, True),
    "hazard-report": (hazard_report, False),
    "working-alone-log": (working_alone_log, True),
    "subcontractor-prequalification": (subcontractor_prequalification, False),
}


def main(ids: list[str]) -> None:
    index = {f["id"]: f for f in load_yaml(TEMPLATES / "forms.yaml").data}
    unknown = [i for i in ids if i not in BUILDERS]
    if unknown:
        raise SystemExit(f"unknown form id(s): {', '.join(unknown)}")
    missing = sorted(set(index) - set(BUILDERS))
    if missing:
        raise SystemExit(f"forms.yaml lists forms this script cannot build: {missing}")
    for form_id in ids or list(BUILDERS):
        build, landscape = BUILDERS[form_id]
        form = Form(landscape=landscape)
        build(form)
        target = TEMPLATES / (index[form_id].get("template") or f"{form_id}.docx")
        form.finish(index[form_id], target)
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
