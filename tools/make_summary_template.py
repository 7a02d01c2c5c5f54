"""Regenerate form_templates/summary-report.docx, the Word template of the summary report.

Started from master.docx so the report carries NSNY's styles (headings, fonts, the
"Manual Table" table style, header and footer). NSNY staff may restyle the result in Word;
this script is how the first version was made, kept so the tags are reviewable. The
variables are those of `manualgen.summary.view.report_view` plus company_name,
document_title and footer_note for the header and footer.

Tags are written by code, each in a single run with straight quotes, so Word's curly
quotes and split runs cannot break them. docxtpl tags used: `{%tr %}` (table rows),
`{%tc %}` (table columns: the months), `{%p %}` (whole paragraphs).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from manualgen.render.docx_io import docx_bytes, set_properties  # noqa: E402
from manualgen.render.wordxml import add_field  # noqa: E402

TABLE_STYLE = "Manual Table"
CELL_PT = 8
MONTH_PT = 7
GREY = RGBColor(0x55, 0x55, 0x55)


def para(document, text: str = "", style: str | None = None, size: float | None = None,
         bold: bool = False, italic: bool = False, color: RGBColor | None = None):
    p = document.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        if size:
            run.font.size = Pt(size)
        run.bold = bold or None
        run.italic = italic or None
        if color is not None:
            run.font.color.rgb = color
    return p


def tag(document, text: str):
    """A paragraph holding one docxtpl paragraph tag ({%p ... %}); it vanishes on render."""
    return document.add_paragraph(text)


def _cell_text(cell, text: str, size: float, bold: bool = False, right: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = p.add_run(text)
    run.font.size = Pt(size)
    if bold:
        run.bold = True


def _header_row(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def loop_table(document, headers: list[str], cells: list[str], loop: str,
               widths: list[float], size: float = CELL_PT, right_from: int | None = None,
               after: list[list[str]] | None = None):
    """A table: a header row, then one row per item of `loop` ('r in rows'), then fixed rows."""
    table = document.add_table(rows=0, cols=len(headers))
    table.style = document.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    head = table.add_row()
    _header_row(head)
    for i, text in enumerate(headers):
        _cell_text(head.cells[i], text, size, right=right_from is not None and i >= right_from)
    table.add_row().cells[0].paragraphs[0].add_run("{%tr for " + loop + " %}")
    row = table.add_row()
    for i, text in enumerate(cells):
        _cell_text(row.cells[i], text, size, right=right_from is not None and i >= right_from)
    table.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for extra in after or []:
        row = table.add_row()
        for i, text in enumerate(extra):
            _cell_text(row.cells[i], text, size, bold=True,
                       right=right_from is not None and i >= right_from)
    _widths(table, widths)
    return table


def month_table(document, first: str, label: str, values: str, total: str,
                loop: str | None, extra_rows: list[tuple[str, str, str, bool]] = ()):
    """Months across: label | {%tc for %} | value | {%tc endfor %} | total.

    docxtpl replaces each `{%tc %}` cell by its tag, so the month cell repeats once a month;
    manualgen sets the column widths after rendering (docxtpl spreads them evenly).
    """
    table = document.add_table(rows=0, cols=5)
    table.style = document.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT

    def fill(row, a: str, value: str, z: str, bold: bool = False) -> None:
        _cell_text(row.cells[0], a, MONTH_PT, bold=bold)
        row.cells[1].paragraphs[0].add_run("{%tc for " + value.split("|")[0] + " %}")
        _cell_text(row.cells[2], value.split("|")[1], MONTH_PT, bold=bold, right=True)
        row.cells[3].paragraphs[0].add_run("{%tc endfor %}")
        _cell_text(row.cells[4], z, MONTH_PT, bold=bold, right=True)

    head = table.add_row()
    _header_row(head)
    fill(head, first, "m in months|{{ m }}", "Total")
    if loop:
        table.add_row().cells[0].paragraphs[0].add_run("{%tr for " + loop + " %}")
    fill(table.add_row(), label, values, total)
    if loop:
        table.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for a, value, z, bold in extra_rows:
        fill(table.add_row(), a, value, z, bold=bold)
    return table


def _widths(table, inches: list[float]) -> None:
    """Column widths in the grid (what LibreOffice reads) and in every cell (what Word does)."""
    for col, w in zip(table._tbl.tblGrid.gridCol_lst, inches, strict=False):
        col.w = Inches(w)
    for row in table.rows:
        for cell, w in zip(row.cells, inches, strict=False):
            cell.width = Inches(w)


def _no_header(table) -> None:
    """A key-value table: drop the header row and its navy first-row look."""
    table._tbl.remove(table.rows[0]._tr)
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.set(qn("w:firstRow"), "0")
        look.set(qn("w:val"), "0080")
    for run in table.rows[1].cells[0].paragraphs[0].runs:     # the looped row's label
        run.bold = True


def build(master: Path) -> bytes:
    d = docx.Document(str(master))
    section = d.sections[0]
    section.different_first_page_header_footer = False
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Inches(0.9))
    header = section.header.paragraphs[0]
    header.paragraph_format.tab_stops.add_tab_stop(Inches(6.7), alignment=2)
    header.text = "{{ company_name }}\t\t{{ document_title }}"
    footer = section.footer.paragraphs[0]
    for run in list(footer.runs):
        run._r.getparent().remove(run._r)
    for child in list(footer._p):
        if child.tag != qn("w:pPr"):
            footer._p.remove(child)
    footer.paragraph_format.tab_stops.add_tab_stop(Inches(6.7), alignment=2)
    footer.add_run("{{ footer_note }}\t\tPage ")
    add_field(footer, "PAGE")
    footer.add_run(" of ")
    add_field(footer, "NUMPAGES")

    para(d, "{{ title }}", "Title").runs[0].font.size = Pt(24)
    para(d, "{{ company }} - {{ period }}", "Subtitle")
    _no_header(loop_table(d, ["", ""], ["{{ r[0] }}", "{{ r[1] }}"], "r in header_rows",
                          [1.7, 5.0]))
    para(d, "The year at a glance", "Heading 3")
    _no_header(loop_table(d, ["", ""], ["{{ r[0] }}", "{{ r[1] }}"], "r in glance", [2.6, 4.1]))

    para(d, "{{ numbers.workforce }}. Workforce and hours worked", "Heading 2")
    para(d, "Peak employees: {{ peak_employees }}. Average employees (monthly headcount): "
            "{{ average_employees }}. Hours worked in the period: {{ hours_total }}"
            "{% if hours_estimated %} (ESTIMATE){% endif %}.")
    month_table(d, "Month", "Hours worked", "h in hours_rows|{{ h.hours }}", "{{ hours_total }}",
                None, [("Employees", "h in hours_rows|{{ h.employees }}", "", False)])
    para(d, "{{ hours_note }}", "Small Print", italic=True)

    para(d, "{{ numbers.activities }}. Safety activities", "Heading 2")
    para(d, "Each activity recorded in the activity log, by month. The targets are the "
            "frequencies the company's own policies set (or submission.yaml), counted up to "
            "{{ as_of }}.")
    month_table(d, "Activity", "{{ r.label }}", "v in r.months|{{ v }}", "{{ r.total }}",
                "r in activity_rows",
                [("{{ activity_total.label }}", "v in activity_total.months|{{ v }}",
                  "{{ activity_total.total }}", True)])
    para(d, "{{ activity_note }}", "Small Print", italic=True)
    tag(d, "{%p if targets %}")
    para(d, "Against the targets", "Heading 3")
    loop_table(d, ["Activity", "Target", "Set by", "Target for the period",
                   "Target to {{ as_of }}", "Done", "Result", "Months below target"],
               ["{{ t.label }}", "{{ t.frequency }}", "{{ t.source }}", "{{ t.period_target }}",
                "{{ t.to_date }}", "{{ t.done }}",
                "{{ t.status }}{% if t.percent %} ({{ t.percent }}){% endif %}", "{{ t.below }}"],
               "t in targets", [1.1, 0.55, 1.1, 0.6, 0.8, 0.45, 0.9, 1.2])
    tag(d, "{%p endif %}")
    tag(d, "{%p if activity_charts %}")
    para(d, "Monthly activity against target", "Heading 3")
    tag(d, "{%p for chart in activity_charts %}")
    para(d, "{{ chart }}")
    tag(d, "{%p endfor %}")
    tag(d, "{%p endif %}")

    para(d, "{{ numbers.incidents }}. Incidents", "Heading 2")
    loop_table(d, ["Class", "Incidents", "Days lost", "Days on modified work", "Investigated",
                   "Reported to WSCB"],
               ["{{ r.label }}", "{{ r.count }}", "{{ r.days_lost }}", "{{ r.modified_days }}",
                "{{ r.investigated }}", "{{ r.reported }}"], "r in incidents",
               [2.0, 0.8, 0.8, 1.2, 0.9, 1.0], right_from=1,
               after=[["{{ incidents_total.label }}", "{{ incidents_total.count }}",
                       "{{ incidents_total.days_lost }}", "{{ incidents_total.modified_days }}",
                       "{{ incidents_total.investigated }}", "{{ incidents_total.reported }}"]])
    para(d, "{{ incidents_chart }}")
    tag(d, "{%p if incident_list %}")
    para(d, "Each incident", "Heading 3")
    loop_table(d, ["Date", "Class", "What happened", "Days lost", "Modified days",
                   "Investigated", "Reported to WSCB"],
               ["{{ i.date }}", "{{ i.class }}", "{{ i.description }}", "{{ i.days_lost }}",
                "{{ i.modified_days }}", "{{ i.investigated }}", "{{ i.reported }}"],
               "i in incident_list", [0.8, 0.9, 2.5, 0.5, 0.6, 0.7, 0.7], right_from=3)
    tag(d, "{%p endif %}")

    para(d, "{{ numbers.rates }}. Injury rates", "Heading 2")
    para(d, "Per {{ rate_base }} hours worked (100 workers for a year). The counts above come "
            "first; the rates let a year be compared with others.")
    loop_table(d, ["Rate", "Value", "How it is calculated"],
               ["{{ r.label }}", "{{ r.value }}", "{{ r.formula }}"], "r in rate_rows",
               [1.8, 0.7, 4.2])
    tag(d, "{%p if rates_caution %}")
    para(d, "{{ rates_caution }}", bold=True, color=RGBColor(0x9B, 0x2C, 0x2C))
    tag(d, "{%p endif %}")

    para(d, "{{ numbers.training }}. Training", "Heading 2")
    para(d, "Status on {{ training_as_of }}.")
    loop_table(d, ["Course", "Title", "Held by", "Status", "Met"],
               ["{{ c.course }}", "{{ c.title }}", "{{ c.holder }}", "{{ c.status }}",
                "{{ c.met }}"], "c in courses", [0.7, 2.8, 1.3, 1.3, 0.6])
    para(d, "{{ ratio_text }}")
    para(d, "By person", "Heading 3")
    loop_table(d, ["Person", "Position", "Supervisor", "Program courses expected",
                   "Other training"],
               ["{{ r.name }}", "{{ r.position }}", "{{ r.supervisor }}", "{{ r.required }}",
                "{{ r.other }}"], "r in people", [1.2, 1.2, 0.7, 1.8, 1.8])

    para(d, "{{ numbers.action_plan }}. Audit action plan", "Heading 2")
    para(d, "Items: {{ action_total }}. Closed: {{ action_closed }}. Open: {{ action_open }}, "
            "of them overdue: {{ action_overdue }}.")
    tag(d, "{%p if action_rows %}")
    loop_table(d, ["#", "Element", "Finding", "Action", "Responsible", "Due", "Status"],
               ["{{ a.item }}", "{{ a.element }}", "{{ a.finding }}", "{{ a.action }}",
                "{{ a.responsible }}", "{{ a.due }}", "{{ a.status }}"], "a in action_rows",
               [0.3, 0.55, 1.6, 1.7, 1.0, 0.75, 0.8])
    tag(d, "{%p endif %}")

    para(d, "{{ numbers.goals }}. Goals", "Heading 2")
    para(d, "Last year's goals", "Heading 3")
    tag(d, "{%p if goals_last %}")
    loop_table(d, ["Goal", "Outcome", "Result"],
               ["{{ g.goal }}", "{{ g.outcome }}", "{{ g.result }}"], "g in goals_last",
               [2.3, 3.4, 1.0])
    tag(d, "{%p else %}")
    para(d, "No goals were recorded for last year (records/goals.yaml).", italic=True)
    tag(d, "{%p endif %}")
    para(d, "Next year's goals", "Heading 3")
    tag(d, "{%p if goals_next %}")
    loop_table(d, ["Goal", "How we will know", "Responsible", "By"],
               ["{{ g.goal }}", "{{ g.measure }}", "{{ g.responsible }}", "{{ g.due }}"],
               "g in goals_next", [2.2, 2.6, 1.2, 0.7])
    tag(d, "{%p else %}")
    para(d, "No goals are recorded for next year (records/goals.yaml).", italic=True)
    tag(d, "{%p endif %}")

    tag(d, "{%p if comparison %}")
    para(d, "{{ numbers.comparison }}. Comparison with the previous year", "Heading 2")
    para(d, "Last year: {{ comparison.previous_period }}. This year counts the records up to "
            "{{ as_of }}.")
    loop_table(d, ["", "", "Last year", "This year", "Change"],
               ["{{ r.group_label }}", "{{ r.label }}", "{{ r.previous }}", "{{ r.current }}",
                "{{ r.change }}"], "r in comparison.rows", [1.0, 2.6, 1.0, 1.0, 0.9],
               right_from=2)
    tag(d, "{%p endif %}")

    para(d, "{{ numbers.sign_off }}. Sign-off", "Heading 2")
    para(d, "I have reviewed this report and the records it summarises. To the best of my "
            "knowledge it is complete and accurate.")
    sign = d.add_table(rows=4, cols=3)
    sign.alignment = WD_TABLE_ALIGNMENT.LEFT
    texts = [["Owner or senior manager", "Signature", "Date"],
             ["{{ signer }}, {{ signer_position }}", "_" * 30, "_" * 16],
             ["Prepared by", "", ""],
             ["{{ prepared_by }}", "_" * 30, "_" * 16]]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            _cell_text(sign.rows[r].cells[c], text, 9, bold=r in (0, 2))
            if r in (1, 3):
                sign.rows[r].cells[c].paragraphs[0].paragraph_format.space_before = Pt(18)
    _widths(sign, [3.0, 2.4, 1.3])
    para(d, "Built by manualgen from {{ sources }}.", "Small Print", italic=True, color=GREY)

    when = dt.date(2026, 11, 26)
    set_properties(d, title="Year End Safety Activity Summary Report (template)", author="NSNY",
                   when=when)
    buf = io.BytesIO()
    d.save(buf)
    return docx_bytes(docx.Document(io.BytesIO(buf.getvalue())), when)


def main(out: Path) -> None:
    out.write_bytes(build(ROOT / "form_templates" / "master.docx"))
    print(f"wrote {out}")


if __name__ == "__main__":
    default = ROOT / "form_templates" / "summary-report.docx"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
