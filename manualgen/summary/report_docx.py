"""The summary report as an editable Word file, from the docxtpl template in form_templates/.

The template carries NSNY's styles (it was started from master.docx) and only docxtpl tags;
the values are the strings of `view.report_view`, the same the PDF prints. Rendered in the
project's autoescaping sandbox, so an `&` or `<` in a company's text stays text.
"""

from __future__ import annotations

import io
from pathlib import Path

import jinja2
from docx.shared import Inches
from docxtpl import DocxTemplate, InlineImage, Listing

from manualgen.errors import InputError
from manualgen.render.docx_io import normalise_zip, set_properties
from manualgen.render.jinja import form_environment, template_error
from manualgen.render.wordxml import prune_styles
from manualgen.summary.figures import Figures
from manualgen.summary.view import TITLE, ReportView

TEMPLATE = "summary-report.docx"
LABEL_W, TOTAL_W, TEXT_W = 1.45, 0.5, 6.7      # inches: the month tables' fixed columns


def _month_widths(document, months: int) -> None:
    """docxtpl spreads a column loop's cells evenly; give the label its room back."""
    month_w = (TEXT_W - LABEL_W - TOTAL_W) / months
    widths = [LABEL_W] + [month_w] * months + [TOTAL_W]
    for table in document.tables:
        first = table.rows[0].cells
        if len(first) != months + 2 or first[-1].text.strip() != "Total":
            continue
        for column, w in zip(table.columns, widths, strict=False):
            column.width = Inches(w)
        for row in table.rows:
            for cell, w in zip(row.cells, widths, strict=False):
                cell.width = Inches(w)


CHART_W = 3.25 * 72          # points: two activity charts side by side on a page


def _charts(tpl: DocxTemplate, fig: Figures) -> dict:
    """The PDF's charts as pictures: the same drawings, rasterised."""
    from manualgen.render.pdffonts import register_fonts
    from manualgen.summary import charts

    font, bold, _italic = register_fonts()

    def picture(drawing, width_in: float) -> InlineImage:
        return InlineImage(tpl, io.BytesIO(charts.png(drawing)), width=Inches(width_in))

    activity = charts.monthly_activity_charts(fig, CHART_W, 1.9 * 72, font, bold)
    incidents = charts.incidents_chart(fig, 5.0 * 72, font, bold)
    return {"activity_charts": [picture(d, 3.25) for d in activity],
            "incidents_chart": picture(incidents, 5.0)}


def render_docx(fig: Figures, view: ReportView, template: Path) -> bytes:
    path = template
    if not path.is_file():
        raise InputError(template_error(FileNotFoundError(path), path)) from None
    tpl = DocxTemplate(str(path))
    context = dict(view.context(), company_name=fig.header.company, document_title=TITLE,
                   footer_note=f"Reporting period {view.period}", **_charts(tpl, fig),
                   # "Dec 25" on two lines, so every month column heads alike.
                   months=[Listing(m.replace(" ", "\n")) for m in view.months])
    try:
        tpl.render(context, jinja_env=form_environment(), autoescape=True)
    except jinja2.TemplateError as exc:
        raise InputError(template_error(exc, path)) from None
    document = tpl.docx
    _month_widths(document, len(view.months))
    set_properties(document, title=f"{TITLE} - {fig.header.company}",
                   author=fig.header.prepared_by, when=fig.header.as_of,
                   subject=f"SECOR annual submission {fig.header.year}",
                   keywords="SECOR; year end summary")
    prune_styles(document)
    buf = io.BytesIO()
    document.save(buf)
    return normalise_zip(buf.getvalue(), fig.header.as_of)
