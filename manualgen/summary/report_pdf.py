"""The summary report as a PDF (reportlab): the page a reviewer and the owner read first.

Counts come before rates, every table is headed, the charts sit beside the numbers they
draw, and the last block is the owner's sign-off. The bottom margin is left clear for the
packager's page stamp. Output is deterministic: reportlab's invariant mode, and the
creation date is the day the records end, never the time of the run.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import reportlab.rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from manualgen.inputs.profile import Logo
from manualgen.render.pdffonts import register_fonts
from manualgen.summary import charts
from manualgen.summary.figures import Figures
from manualgen.summary.view import TITLE, MonthRow, ReportView

reportlab.rl_config.useA85 = 0      # binary streams: faster and smaller than ASCII85

NAVY = charts.NAVY
RULE = colors.HexColor("#B8C2CC")
SHADE = colors.HexColor("#EEF2F6")
ALERT = colors.HexColor("#9B2C2C")
ZERO = colors.HexColor("#A0A8B0")
PAGE_W, PAGE_H = LETTER
MARGIN_X = 0.75 * inch
TOP = 0.95 * inch
BOTTOM = 0.85 * inch                 # kept clear: the packager stamps every page here
FRAME_W = PAGE_W - 2 * MARGIN_X - 12   # the frame's own 6 pt padding on each side
LEFT, RIGHT = MARGIN_X + 6, PAGE_W - MARGIN_X - 6

class Styles:
    def __init__(self) -> None:
        self.font, self.bold, self.italic = register_fonts()
        base = dict(fontName=self.font, fontSize=9.5, leading=12.5, alignment=TA_LEFT)

        def style(name: str, **changes) -> ParagraphStyle:
            return ParagraphStyle(name, **{**base, **changes})

        self.body = style("body", spaceAfter=4)
        self.small = style("small", fontSize=8, leading=10)
        self.note = style("note", fontSize=8, leading=10, fontName=self.italic,
                          textColor=colors.HexColor("#555555"))
        self.cell = style("cell", fontSize=8, leading=9.8)
        self.cell_bold = style("cellb", fontSize=8, leading=9.8, fontName=self.bold)
        self.head = style("head", fontSize=8, leading=9.8, fontName=self.bold,
                          textColor=colors.white)
        self.title = style("title", fontSize=20, leading=24, fontName=self.bold,
                           textColor=NAVY, spaceAfter=2)
        self.subtitle = style("subtitle", fontSize=12, leading=15, textColor=NAVY,
                              spaceAfter=10)
        self.h1 = style("h1", fontSize=13, leading=16, fontName=self.bold, textColor=NAVY,
                        spaceBefore=12, spaceAfter=5, keepWithNext=1)
        self.h2 = style("h2", fontSize=10.5, leading=13, fontName=self.bold, textColor=NAVY,
                        spaceBefore=8, spaceAfter=4, keepWithNext=1)
        # Above a table of records: kept with it by a CondPageBreak instead (see long_table)
        self.h2_loose = style("h2loose", parent=self.h2, keepWithNext=0)
        self.caution = style("caution", textColor=ALERT, borderColor=ALERT, borderWidth=0.6,
                             borderPadding=5, leftIndent=5, rightIndent=5, spaceBefore=8,
                             spaceAfter=8)


def fit(*weights: float) -> list[float]:
    """Column widths in proportion to `weights`, filling the frame's width."""
    total = sum(weights)
    return [FRAME_W * w / total for w in weights]


def p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _cell_rows(rows: list[list], st: Styles, *, header: bool, total: bool,
               numeric_from: int | None, small: bool, shade_first_col: bool,
               dim_zero: bool) -> list[list[Flowable]]:
    """Every value of a table as a paragraph in its cell's style."""
    cell = st.cell
    if small:
        cell = ParagraphStyle("tiny", parent=st.cell, fontSize=7.2, leading=8.6)
    styles: dict[tuple[bool, bool, bool, bool], ParagraphStyle] = {}

    def style_of(head: bool, bold: bool, numeric: bool, dim: bool) -> ParagraphStyle:
        key = (head, bold, numeric, dim)
        if key not in styles:
            if head:
                style = ParagraphStyle("h", parent=st.head, fontSize=cell.fontSize,
                                       leading=cell.leading)
            elif bold:
                style = ParagraphStyle("b", parent=st.cell_bold, fontSize=cell.fontSize,
                                       leading=cell.leading)
            else:
                style = cell
            if numeric:
                style = ParagraphStyle("n", parent=style, alignment=2)
            if dim:
                style = ParagraphStyle("z", parent=style, textColor=ZERO)
            styles[key] = style
        return styles[key]

    out = []
    last = len(rows) - 1
    for r, row in enumerate(rows):
        line: list[Flowable] = []
        for c, value in enumerate(row):
            if isinstance(value, Flowable):
                line.append(value)
                continue
            head = header and r == 0
            bold = not head and (total and r == last or shade_first_col and c == 0)
            numeric = numeric_from is not None and c >= numeric_from
            dim = bool(dim_zero and r and value in ("0", "–") and not (total and r == last))
            line.append(Paragraph(escape(str(value)).replace("\n", "<br/>"),
                                  style_of(head, bold, numeric, dim)))
        out.append(line)
    return out


PAD_X, PAD_Y = 3, 2.5          # cell padding, points


def _styled(cells: list[list[Flowable]], widths: list[float], *, header: bool = True,
            total: bool = False, zebra: bool = True, shade_first_col: bool = False,
            zebra_from: int = 0, heights: list[float] | None = None) -> Table:
    """The cells as a report table: a navy header row, rules, every other row shaded.
    `zebra_from` is the index of the first body row in a longer table, so the shading
    runs on across its pages; `heights`, the rows' heights when they are measured."""
    t = Table(cells, colWidths=widths, rowHeights=heights, repeatRows=1 if header else 0,
              hAlign="LEFT")
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), NAVY), ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]
    if zebra:
        # One command for all rows: a command per row is walked again at every page break.
        shades = [SHADE, None] if zebra_from % 2 == 0 else [None, SHADE]
        commands.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), shades))
    if total:
        commands += [("LINEABOVE", (0, -1), (-1, -1), 0.9, NAVY),
                     ("BACKGROUND", (0, -1), (-1, -1), colors.white)]
    if shade_first_col:
        commands.append(("BACKGROUND", (0, 0), (0, -1), SHADE))
    t.setStyle(TableStyle(commands))
    return t


def table(rows: list[list], widths: list[float], st: Styles, *, header: bool = True,
          total: bool = False, numeric_from: int | None = None, small: bool = False,
          zebra: bool = True, shade_first_col: bool = False, dim_zero: bool = False) -> Table:
    """A report table: text wrapped in cells, a navy header row, numbers right-aligned."""
    cells = _cell_rows(rows, st, header=header, total=total, numeric_from=numeric_from,
                       small=small, shade_first_col=shade_first_col, dim_zero=dim_zero)
    return _styled(cells, widths, header=header, total=total, zebra=zebra,
                   shade_first_col=shade_first_col)


class _Measured:
    """The rows of a records table and their heights, measured once, shared by its parts."""

    def __init__(self, head: list[Flowable], rows: list[list[Flowable]],
                 widths: list[float]) -> None:
        self.head, self.rows, self.widths = head, rows, widths
        self.head_height = 0.0
        self.heights: list[float] = []
        self._below: list[float] | None = None     # _below[i]: the height of rows[i:]

    def _height(self, row: list[Flowable]) -> float:
        # As reportlab's Table sizes a row of single flowables (Table._listCellGeom).
        return max((cell.wrap(w - 2 * PAD_X, PAGE_H)[1]
                    for cell, w in zip(row, self.widths, strict=True)), default=0.0) \
            + 2 * PAD_Y

    def below(self) -> list[float]:
        if self._below is None:
            self.head_height = self._height(self.head)
            self.heights = [self._height(row) for row in self.rows]
            below = [0.0] * (len(self.rows) + 1)
            for i in range(len(self.rows) - 1, -1, -1):
                below[i] = below[i + 1] + self.heights[i]
            self._below = below
        return self._below


class RecordsTable(Flowable):
    """A table of records (a row per incident or action item), laid out in linear time.

    reportlab's Table measures every remaining row again at each page break, summing the
    heights above each row as it goes, so 100,000 incidents ran for many minutes. This
    one measures each row once and hands reportlab a page of rows at a time, each page a
    Table with the header row on top: on paper, one table. Never inside KeepTogether or
    after a keepWithNext heading (both ask for all of it at once): see `long_table`.
    """

    def __init__(self, measured: _Measured, start: int = 0) -> None:
        super().__init__()
        self.measured = measured
        self.start = start
        self._table: Table | None = None

    def _part(self, stop: int) -> Table:
        m = self.measured
        return _styled([m.head, *m.rows[self.start:stop]], m.widths, zebra_from=self.start,
                       heights=[m.head_height, *m.heights[self.start:stop]])

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        below = self.measured.below()
        height = self.measured.head_height + below[self.start]
        if height > availHeight:
            self._table = None
            return availWidth, height                   # the frame asks for a split
        self._table = self._part(len(self.measured.rows))
        return self._table.wrap(availWidth, availHeight)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        m = self.measured
        below = m.below()
        room = availHeight - m.head_height
        stop = self.start
        while stop < len(m.rows) and below[self.start] - below[stop + 1] <= room:
            stop += 1
        if stop == self.start:
            return []                                   # not one row fits: the next page
        if stop == len(m.rows):
            return [self._part(stop)]
        return [self._part(stop), RecordsTable(m, stop)]

    def draw(self) -> None:
        assert self._table is not None, "a records table is drawn only after it fitted"
        self._table.drawOn(self.canv, 0, 0)


def records_table(rows: list[list], widths: list[float], st: Styles, *,
                  numeric_from: int | None = None) -> RecordsTable:
    """`table(rows, ...)` for a table that may run to thousands of rows and pages."""
    cells = _cell_rows(rows, st, header=True, total=False, numeric_from=numeric_from,
                       small=False, shade_first_col=False, dim_zero=False)
    return RecordsTable(_Measured(cells[0], cells[1:], widths))


LONG_TABLE_START = 1.5 * inch      # room a heading wants below it, above a records table


def long_table(before: list[Flowable], records: RecordsTable) -> list[Flowable]:
    """A records table after its heading, the two kept together by a CondPageBreak."""
    return [CondPageBreak(LONG_TABLE_START), *before, records]


def _page_decor(company: str, logo: Logo | None, st: Styles):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        y = PAGE_H - 0.55 * inch
        canvas.setFont(st.bold, 8.5)
        canvas.setFillColor(NAVY)
        canvas.drawString(LEFT, y, company)
        canvas.setFont(st.font, 8.5)
        canvas.drawRightString(RIGHT, y, TITLE)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(LEFT, y - 5, RIGHT, y - 5)
        canvas.restoreState()
    return draw


class _NumberedCanvas:
    """Adds 'Summary report page X of Y' at the top once the page count is known."""

    @staticmethod
    def factory(font: str, creation: str):
        from reportlab.pdfgen.canvas import Canvas

        class NumberedCanvas(Canvas):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._pages: list[dict] = []
                self.setDateFormatter(lambda *_: creation)

            def showPage(self):
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                total = len(self._pages)
                for state in self._pages:
                    self.__dict__.update(state)
                    self.setFont(font, 7.5)
                    self.setFillColor(colors.HexColor("#555555"))
                    self.drawRightString(RIGHT, PAGE_H - 0.55 * inch - 15,
                                         f"Summary report page {self._pageNumber} of {total}")
                    Canvas.showPage(self)
                Canvas.save(self)

        return NumberedCanvas


def _title_block(view: ReportView, logo: Logo | None, st: Styles) -> list:
    title = [p(TITLE, st.title), p(f"{view.company} - {view.period}", st.subtitle)]
    if logo is None:
        return title
    img = Image(logo.stream())
    scale = min(0.9 * inch / img.imageHeight, 1.6 * inch / img.imageWidth)
    img.drawHeight, img.drawWidth = img.imageHeight * scale, img.imageWidth * scale
    t = Table([[title, img]], colWidths=[FRAME_W - 1.7 * inch, 1.7 * inch])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [t]


def _month_table(view: ReportView, rows: list[MonthRow], total: MonthRow | None, st: Styles,
                 first: str) -> Table:
    n = len(view.months)
    label_w = 1.55 * inch
    total_w = 0.45 * inch
    month_w = (FRAME_W - label_w - total_w) / n
    head = [first] + [m.replace(" ", "\n") for m in view.months] + ["Total"]
    data = [head] + [[r.label, *r.months, r.total] for r in rows]
    if total:
        data.append([total.label, *total.months, total.total])
    return table(data, [label_w] + [month_w] * n + [total_w], st, total=bool(total),
                 numeric_from=1, small=True, dim_zero=True)


def _workforce(view: ReportView, st: Styles) -> list:
    out = [p(f"{view.numbers['workforce']}. Workforce and hours worked", st.h1)]
    facts = [["Peak employees", view.peak_employees],
             ["Average employees (monthly headcount)", view.average_employees],
             ["Hours worked in the period" + (" (ESTIMATE)" if view.hours_estimated else ""),
              view.hours_total]]
    out.append(table(facts, [3.2 * inch, 1.4 * inch], st, header=False, numeric_from=1,
                     shade_first_col=True))
    out.append(Spacer(1, 6))
    n = len(view.months)
    label_w, total_w = 1.55 * inch, 0.45 * inch
    month_w = (FRAME_W - label_w - total_w) / n
    head = ["Month"] + [m.replace(" ", "\n") for m in view.months] + ["Total"]
    hours_row = ["Hours worked"] + [r.hours for r in view.hours_rows] + [view.hours_total]
    people_row = ["Employees"] + [r.employees for r in view.hours_rows] + [""]
    out.append(table([head, hours_row, people_row], [label_w] + [month_w] * n + [total_w], st,
                     numeric_from=1, small=True))
    style = st.caution if view.hours_estimated else st.note
    out.append(Spacer(1, 3))
    out.append(p(view.hours_note, style))
    return out


def _activities(fig: Figures, view: ReportView, st: Styles) -> list:
    out: list = [CondPageBreak(5 * inch), KeepTogether([
        p(f"{view.numbers['activities']}. Safety activities", st.h1),
        p("Each activity recorded in the activity log, by month. The targets are the "
          "frequencies the company's own policies set (or submission.yaml), counted up to "
          f"{view.as_of}.", st.body),
        _month_table(view, view.activity_rows, view.activity_total, st, "Activity"),
        Spacer(1, 2), p(view.activity_note, st.note)])]
    if view.targets:
        rows = [["Activity", "Target", "Set by", "Target for the period",
                 f"Target to {view.as_of}", "Done", "Result", "Months below target"]]
        rows += [[t.label, t.frequency, t.source, t.period_target, t.to_date,
                  t.done, f"{t.status} ({t.percent})" if t.percent else t.status,
                  t.below] for t in view.targets]
        widths = [1.25, 0.6, 1.25, 0.65, 0.75, 0.45, 0.85, 1.2]
        out += [p("Against the targets", st.h2),
                table(rows, fit(*widths), st)]
    half = (FRAME_W - 12) / 2
    drawings = charts.monthly_activity_charts(fig, half, 1.9 * inch, st.font, st.bold)
    if drawings:
        grid = [drawings[i:i + 2] for i in range(0, len(drawings), 2)]
        for row in grid:
            if len(row) == 1:
                row.append("")
        chart_table = Table(grid, colWidths=[half + 6, half + 6], hAlign="LEFT")
        chart_table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                         ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        out += [KeepTogether([p("Monthly activity against target", st.h2), chart_table])]
    return out


def _incidents(fig: Figures, view: ReportView, st: Styles) -> list:
    rows = [["Class", "Incidents", "Days lost", "Days on modified work", "Investigated",
             "Reported to WSCB"]]
    rows += [[r.label, r.count, r.days_lost, r.modified_days, r.investigated,
              r.reported] for r in view.incidents]
    t = view.incidents_total
    rows.append([t.label, t.count, t.days_lost, t.modified_days, t.investigated,
                 t.reported])
    out: list = [CondPageBreak(5 * inch), KeepTogether([
        p(f"{view.numbers['incidents']}. Incidents", st.h1),
        table(rows, fit(2.0, 0.8, 0.8, 1.2, 1.0, 1.1), st, total=True,
              numeric_from=1, dim_zero=True),
        Spacer(1, 8),
        charts.incidents_chart(fig, FRAME_W * 0.75, st.font, st.bold)])]
    if view.incident_list:
        rows = [["Date", "Class", "What happened", "Days lost", "Modified days",
                 "Investigated", "Reported to WSCB"]]
        rows += [[i.date, i.kind, i.description, i.days_lost, i.modified_days,
                  i.investigated, i.reported] for i in view.incident_list]
        out += long_table([p("Each incident", st.h2_loose)],
                          records_table(rows, fit(0.7, 0.85, 2.8, 0.5, 0.6, 0.8, 0.75),
                                        st, numeric_from=3))
    return out


def _rates(view: ReportView, st: Styles) -> list:
    rows = [["Rate", "Value", "How it is calculated"]]
    rows += [[r.label, r.value, r.formula] for r in view.rate_rows]
    out = [p(f"{view.numbers['rates']}. Injury rates", st.h1),
           p(f"Per {view.rate_base} hours worked (100 workers for a year). The counts above "
             "come first; the rates let a year be compared with others.", st.body),
           table(rows, [1.8 * inch, 0.7 * inch, FRAME_W - 2.5 * inch], st)]
    if view.rates_caution:
        out.append(p(view.rates_caution, st.caution))
    return [KeepTogether(out)]


def _training(view: ReportView, st: Styles) -> list:
    rows = [["Course", "Title", "Held by", "Status", "Met"]]
    rows += [[c.course, c.title, c.holder, c.status, c.met]
             for c in view.courses]
    people = [["Person", "Position", "Supervisor", "Program courses expected", "Other training"]]
    people += [[r.name, r.position, r.supervisor, r.required, r.other]
               for r in view.people]
    return [
        CondPageBreak(2.5 * inch), p(f"{view.numbers['training']}. Training", st.h1),
        p(f"Status on {view.training_as_of}.", st.body),
        table(rows, fit(0.6, 2.9, 1.3, 1.6, 0.6), st),
        Spacer(1, 5), p(view.ratio_text, st.body),
        p("By person", st.h2),
        table(people, fit(1.2, 1.2, 0.6, 2.0, 2.0), st),
    ]


def _action_plan(view: ReportView, st: Styles) -> list:
    facts = [["Items", "Closed", "Open", "Overdue"],
             [view.action_total, view.action_closed, view.action_open,
              view.action_overdue]]
    out: list = [p(f"{view.numbers['action_plan']}. Audit action plan", st.h1),
                 table(facts, [1.0 * inch] * 4, st, numeric_from=0, zebra=False)]
    if not view.action_rows:
        out.append(p("No audit action plan items are recorded (records/action-plan).", st.note))
        return [CondPageBreak(2.5 * inch), KeepTogether(out)]
    rows = [["#", "Element", "Finding", "Action", "Responsible", "Due", "Status"]]
    rows += [[a.item, a.element, a.finding, a.action, a.responsible,
              a.due, a.status] for a in view.action_rows]
    return [CondPageBreak(2.5 * inch), KeepTogether(out),
            *long_table([Spacer(1, 6)],
                        records_table(rows, fit(0.25, 0.5, 1.7, 1.9, 1.05, 0.7, 0.9), st))]


def _goals(view: ReportView, st: Styles) -> list:
    out = [CondPageBreak(2 * inch), p(f"{view.numbers['goals']}. Goals", st.h1),
           p("Last year's goals", st.h2)]
    if view.goals_last:
        rows = [["Goal", "Outcome", "Result"]]
        rows += [[g.goal, g.outcome, g.result] for g in view.goals_last]
        out.append(table(rows, fit(2.4, 3.6, 1.0), st))
    else:
        out.append(p("No goals were recorded for last year (records/goals.yaml).", st.note))
    out.append(p("Next year's goals", st.h2))
    if view.goals_next:
        rows = [["Goal", "How we will know", "Responsible", "By"]]
        rows += [[g.goal, g.measure, g.responsible, g.due]
                 for g in view.goals_next]
        out.append(table(rows, fit(2.2, 2.8, 1.3, 0.7), st))
    else:
        out.append(p("No goals are recorded for next year (records/goals.yaml).", st.note))
    return out


def _comparison(view: ReportView, st: Styles) -> list:
    comp = view.comparison
    if comp is None:
        return []
    groups: dict[str, list] = {}
    for r in comp.rows:
        groups.setdefault(r.group, []).append(r)
    half = (FRAME_W - 0.2 * inch) / 2
    widths = [half - 1.65 * inch, 0.6 * inch, 0.6 * inch, 0.45 * inch]

    def column(names: list[str]) -> Table | str:
        rows: list[list] = [["", "Last year", "This year", "Change"]]
        spans = []
        for name in names:
            if name not in groups:
                continue
            spans.append(len(rows))
            rows.append([name, "", "", ""])
            rows += [[r.label, r.previous, r.current, r.change]
                     for r in groups[name]]
        if len(rows) == 1:
            return ""
        t = table(rows, widths, st, numeric_from=1, zebra=False, small=True)
        t.setStyle(TableStyle([cmd for i in spans for cmd in (
            ("BACKGROUND", (0, i), (-1, i), SHADE), ("SPAN", (0, i), (-1, i)))]))
        return t

    left = column(["Workforce", "Activities"])
    right = column(["Incidents", "Rates"])
    both = Table([[left, right]], colWidths=[half + 0.1 * inch, half + 0.1 * inch],
                 hAlign="LEFT")
    both.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    number = view.numbers["comparison"]
    return [KeepTogether([p(f"{number}. Comparison with the previous year", st.h1),
                          p(f"Last year: {comp.previous_period}. This year counts the "
                            f"records up to {view.as_of}.", st.body), both])]


def _sign_off(view: ReportView, st: Styles) -> list:
    statement = ("I have reviewed this report and the records it summarises. To the best of my "
                 "knowledge it is complete and accurate.")
    line = "_" * 34
    short = "_" * 18
    rows = [
        [p("Owner or senior manager", st.cell_bold), p("Signature", st.cell_bold),
         p("Date", st.cell_bold)],
        [p(f"{view.signer}\n", st.cell), p(line, st.cell), p(short, st.cell)],
        [p(view.signer_position, st.small), "", ""],
        [p("Prepared by", st.cell_bold), "", ""],
        [p(view.prepared_by, st.cell), p(line, st.cell), p(short, st.cell)],
    ]
    t = Table(rows, colWidths=fit(2.6, 2.8, 1.6), hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("TOPPADDING", (0, 1), (-1, 1), 16),
                           ("TOPPADDING", (0, 4), (-1, 4), 16),
                           ("TOPPADDING", (0, 3), (-1, 3), 12)]))
    return [KeepTogether([p(f"{view.numbers['sign_off']}. Sign-off", st.h1),
                          p(statement, st.body), Spacer(1, 4), t]),
            Spacer(1, 14), p(f"Built by manualgen from {view.sources}.", st.note)]


def render_pdf(fig: Figures, view: ReportView, logo: Logo | None = None) -> bytes:
    st = Styles()
    buf = io.BytesIO()
    creation = f"D:{fig.header.as_of:%Y%m%d}120000+00'00'"
    doc = SimpleDocTemplate(
        buf, pagesize=LETTER, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=TOP,
        bottomMargin=BOTTOM, title=f"{TITLE} - {fig.header.company} - {view.period}",
        author=view.prepared_by, subject=f"SECOR annual submission {fig.header.year}",
        creator="manualgen", producer="manualgen (reportlab)", invariant=1,
        keywords=["SECOR", "year end summary", fig.header.company], lang="en-CA")
    story: list = _title_block(view, logo, st)
    story.append(table([list(r) for r in view.header_rows], [1.6 * inch, FRAME_W - 1.6 * inch],
                       st, header=False, shade_first_col=True))
    story += [p("The year at a glance", st.h2),
              table([list(r) for r in view.glance], [2.6 * inch, FRAME_W - 2.6 * inch], st,
                    header=False, shade_first_col=True)]
    story += _workforce(view, st)
    story += _activities(fig, view, st)
    story += _incidents(fig, view, st)
    story += _rates(view, st)
    story += _training(view, st)
    story += _action_plan(view, st)
    story += _goals(view, st)
    story += _comparison(view, st)
    story += _sign_off(view, st)
    decor = _page_decor(fig.header.company, logo, st)
    doc.build(story, onFirstPage=decor, onLaterPages=decor,
              canvasmaker=_NumberedCanvas.factory(st.font, creation))
    return buf.getvalue()
