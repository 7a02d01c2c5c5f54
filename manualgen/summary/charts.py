"""The report's two charts as reportlab drawings: activity by month against target, incidents.

Drawings are vector graphics placed straight into the PDF; the Word version gets the same
drawings as pictures (`png`, through reportlab's own PDF output and PDFium), so both
documents show one chart, defined once.
"""

from __future__ import annotations

import io
import math

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from manualgen.summary.figures import ActivityFigures, Figures, Month

NAVY = colors.HexColor("#1C3F6E")
ORANGE = colors.HexColor("#D9822B")
GREY = colors.HexColor("#9AA5B1")
LIGHT = colors.HexColor("#DDE3EA")
TEXT = colors.HexColor("#222222")



def _value_axis(axis, top: float, step: float, font: str) -> None:
    """The count axis both charts share: from zero, light grid, small labels."""
    axis.valueMin = 0
    axis.valueMax = top
    axis.valueStep = step
    axis.labels.fontName = font
    axis.labels.fontSize = 7
    axis.visibleGrid = True
    axis.gridStrokeColor = LIGHT
    axis.strokeColor = GREY

def _axis_max(value: float) -> tuple[int, int]:
    """A round top for the value axis and a whole-number step."""
    top = max(1, math.ceil(value))
    step = 1 if top <= 6 else 2 if top <= 12 else 5 if top <= 30 else 10
    return int(math.ceil(top / step) * step), step


def _legend(drawing: Drawing, x: float, y: float, font: str, items: list) -> None:
    for kind, color, label in items:
        if kind == "bar":
            drawing.add(Rect(x, y - 1, 9, 7, fillColor=color, strokeColor=None))
        else:
            drawing.add(Line(x, y + 2.5, x + 11, y + 2.5, strokeColor=color, strokeWidth=2,
                             strokeDashArray=[3, 1.5]))
        drawing.add(String(x + 14, y, label, fontName=font, fontSize=7, fillColor=TEXT))
        x += 18 + 3.9 * len(label)


def activity_chart(activity: ActivityFigures, months: tuple[Month, ...], month_labels: list[str],
                   after: list[bool], width: float, height: float, font: str,
                   bold: str) -> Drawing:
    """Monthly counts as bars, the monthly target as a dashed mark over each month."""
    drawing = Drawing(width, height)
    targets = [activity.monthly_target(m) or 0.0 for m in months]
    top, step = _axis_max(max(list(activity.by_month) + targets) * 1.1)
    chart = VerticalBarChart()
    chart.x, chart.y = 26, 34
    chart.width, chart.height = width - 34, height - 62
    chart.data = [[None if late else n for n, late in zip(activity.by_month, after,
                                                           strict=True)]]
    chart.bars[0].fillColor = NAVY
    chart.bars[0].strokeColor = None
    chart.barSpacing = 0
    chart.groupSpacing = 3
    _value_axis(chart.valueAxis, top, step, font)
    chart.categoryAxis.categoryNames = month_labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 0
    chart.categoryAxis.labels.dy = -2
    chart.categoryAxis.strokeColor = GREY
    drawing.add(chart)
    slot = chart.width / len(months)
    for i, value in enumerate(targets):
        if not value:
            continue
        y = chart.y + chart.height * value / top
        x0 = chart.x + i * slot + 1.5
        drawing.add(Line(x0, y, x0 + slot - 3, y, strokeColor=ORANGE, strokeWidth=2,
                         strokeDashArray=[3, 1.5]))
    title = activity.label
    if activity.target:
        title += f" - target {activity.target.text}"
    drawing.add(String(0, height - 11, title, fontName=bold, fontSize=8.5, fillColor=NAVY))
    _legend(drawing, 26, 2, font, [("bar", NAVY, "held"),
                                   ("line", ORANGE, "target for the month")])
    return drawing


def incidents_chart(figures: Figures, width: float, font: str, bold: str) -> Drawing:
    """Incidents by class; last year's counts beside them when they are given."""
    classes = list(figures.incidents)
    previous = None
    if figures.comparison is not None:
        prev = {r.label: r.previous for r in figures.comparison.rows if r.group == "Incidents"}
        previous = [prev.get(c.label) or 0 for c in classes]
    rows = len(classes) * (2 if previous else 1)
    height = 44 + rows * 9 + len(classes) * 4
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 130, 26
    chart.width, chart.height = width - 150, height - 44
    current = [c.count for c in classes]
    # reportlab draws the first category, and the first series of each, at the bottom:
    # reverse both so the page reads top-down, this year above last year.
    chart.data = ([list(reversed(previous))] if previous else []) + [list(reversed(current))]
    top, step = _axis_max(max(current + (previous or []) + [1]) * 1.1)
    _value_axis(chart.valueAxis, top, step, font)
    chart.categoryAxis.categoryNames = list(reversed([c.label for c in classes]))
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = GREY
    for i, color in enumerate([GREY, NAVY] if previous else [NAVY]):
        chart.bars[i].fillColor = color
        chart.bars[i].strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 4
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    legend = [("bar", NAVY, "this year")]
    if previous:
        legend.append(("bar", GREY, "last year"))
    _legend(drawing, chart.x, 4, font, legend)
    return drawing


def monthly_activity_charts(figures: Figures, width: float, height: float, font: str,
                            bold: str) -> list[Drawing]:
    """One chart per activity with a monthly target, in the report's order."""
    monthly = [a for a in figures.activities if a.target and a.target.per_month >= 1]
    as_of = f"{figures.header.as_of:%Y-%m}"
    after = [m.key > as_of for m in figures.months]
    # The year under the first month and every January, so two Decembers read apart.
    labels = [m.label[:3] + (f"\n{m.label[-4:]}" if i == 0 or m.key.endswith("-01") else "")
              for i, m in enumerate(figures.months)]
    return [activity_chart(a, figures.months, labels, after, width, height, font, bold)
            for a in monthly]


def png(drawing: Drawing, dpi: int = 200) -> bytes:
    """The drawing as PNG bytes: drawn to PDF by reportlab, rasterised by PDFium."""
    import pypdfium2
    from PIL import Image
    from reportlab.graphics import renderPDF

    data = renderPDF.drawToString(drawing)
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG", optimize=True)
    Image.open(io.BytesIO(out.getvalue())).verify()
    return out.getvalue()
