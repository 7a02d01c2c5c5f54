"""The pages the packager writes itself: cover, checklist, contents and category dividers.

Drawn with reportlab on Letter pages whose bottom margin stays free for the page stamp.
Each function returns the PDF bytes, its page count and the link rectangles it drew, so
the assembler can point them at pages that only exist after the merge. Page numbers are
known only once these pages are counted: `build` renders twice, the layout the same.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from manualgen.inputs.profile import Logo
from manualgen.render.jinja import long_date as render_long_date
from manualgen.submission.check import CategoryState

rl_config.useA85 = 0

PAGE_W, PAGE_H = letter
MARGIN_X = 54.0
MARGIN_TOP = 54.0
MARGIN_BOTTOM = 60.0            # the stamp sits below this
INK = HexColor("#1a1a1a")
ACCENT = HexColor("#1f3864")
MUTED = HexColor("#5a5a5a")
RULE = HexColor("#b8bfc9")
SHADE = HexColor("#e8ecf3")
STATUS_COLOURS = {"complete": HexColor("#1e6b34"), "generated": HexColor("#1e6b34"),
                  "not_applicable": MUTED, "too_few": HexColor("#9c5700"),
                  "missing": HexColor("#a01c1c")}

FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf",
     "/usr/share/fonts/truetype/crosextra/Carlito-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
]
_FONTS: tuple[str, str] | None = None


def fonts() -> tuple[str, str]:
    """(regular, bold): a TrueType family with accents and macrons (Tāgé), else Helvetica."""
    global _FONTS
    if _FONTS is None:
        _FONTS = ("Helvetica", "Helvetica-Bold")
        for regular, bold in FONT_CANDIDATES:
            if Path(regular).is_file() and Path(bold).is_file():
                pdfmetrics.registerFont(TTFont("MG-Regular", regular))
                pdfmetrics.registerFont(TTFont("MG-Bold", bold))
                _FONTS = ("MG-Regular", "MG-Bold")
                break
    return _FONTS


# --- what the pages show ----------------------------------------------------------------

@dataclass
class DocEntry:
    key: str                     # link/outline target, "doc:<source>"
    title: str
    date: dt.date | None
    source: str                  # path inside the submission folder, or GENERATED
    pages: int
    notes: list[str] = field(default_factory=list)
    first_page: int = 0          # 1-based, set by the layout


@dataclass
class CategoryEntry:
    number: int
    key: str
    title: str
    evidence: str
    element: str | None
    needed: int
    status: CategoryState
    status_text: str
    docs: list[DocEntry]
    refused: list[tuple[str, str]] = field(default_factory=list)   # (file, why)
    divider_page: int = 0
    divider_pages: int = 1

    @property
    def target(self) -> str:
        return f"cat:{self.key}"

    @property
    def status_label(self) -> str:
        """The short status for the checklist column."""
        return self.status_text if self.status is CategoryState.TOO_FEW else self.status.label

    @property
    def sample_pages(self) -> int:
        return sum(d.pages for d in self.docs)


@dataclass
class FrontInfo:
    package_title: str
    submitted_to: str
    year: int
    company: str                 # the name on stamps
    legal_name: str
    address: str
    wscb_account: str
    certificate: str | None
    period: tuple[dt.date, dt.date]
    anniversary: dt.date
    prepared_by: str
    position: str | None
    declaration: str
    logo: Logo | None
    notes: list[str]             # findings the reviewer should see
    generator: str
    not_included: list[tuple[str, str, str]] = field(default_factory=list)  # cat, file, why
    total_pages: int = 0
    draft: str | None = None     # why this is not ready to send (findings to fix), if so


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    links: list[tuple[int, tuple[float, float, float, float], str]]   # (page, rect, target)


GENERATED = "generated"


def doc_label(doc: DocEntry) -> str:
    """'2026-03-14   Roof inspection'; a generated report shows its title alone."""
    if doc.source == GENERATED:
        return doc.title
    return f"{doc.date.isoformat() if doc.date else 'undated'}   {doc.title}"


def long_date(day: dt.date | None) -> str:
    return render_long_date(day) if day else "undated"


def months(docs: list[DocEntry]) -> str:
    """The months the samples come from, in order ('Jan Apr May'): shows their spread."""
    seen = sorted({(d.date.year, d.date.month) for d in docs if d.date})
    return " ".join(dt.date(y, m, 1).strftime("%b") for y, m in seen)


def page_range(first: int, count: int) -> str:
    if count <= 0 or first <= 0:
        return "-"
    return str(first) if count == 1 else f"{first}-{first + count - 1}"


# --- a canvas with a cursor ------------------------------------------------------------

class Sheet:
    """A reportlab canvas with a cursor, page breaks and recorded link rectangles."""

    def __init__(self, heading: str):
        self.buf = io.BytesIO()
        self.c = rl_canvas.Canvas(self.buf, pagesize=letter, invariant=1, pageCompression=1)
        self.regular, self.bold = fonts()
        self.heading = heading
        self.page = 0
        self.links: list[tuple[int, tuple[float, float, float, float], str]] = []
        self.y = PAGE_H - MARGIN_TOP
        self.width = PAGE_W - 2 * MARGIN_X

    def start(self, title: str | None = None, size: float = 20) -> None:
        self.y = PAGE_H - MARGIN_TOP
        if title:
            self.text(title, size=size, bold=True, colour=ACCENT)
            self.y -= 6
            self.rule(ACCENT, 1.2)
            self.y -= 14

    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1
        self.y = PAGE_H - MARGIN_TOP
        self.text(f"{self.heading} (continued)", size=11, bold=True, colour=MUTED)
        self.y -= 10

    def need(self, height: float) -> bool:
        """Break the page when `height` does not fit; True when it broke."""
        if self.y - height < MARGIN_BOTTOM:
            self.new_page()
            return True
        return False

    def text(self, value: str, *, size: float = 10.5, bold: bool = False, colour=INK,
             x: float = MARGIN_X, width: float | None = None, leading: float | None = None,
             link: str | None = None) -> float:
        """Wrapped text at the cursor; returns the height used."""
        font = self.bold if bold else self.regular
        width = width or (PAGE_W - MARGIN_X - x)
        leading = leading or size * 1.25
        lines = simpleSplit(value, font, size, width) or [""]
        self.c.setFont(font, size)
        self.c.setFillColor(colour)
        top = self.y
        for line in lines:
            self.need(leading)
            self.y -= size
            self.c.drawString(x, self.y, line)
            self.y -= leading - size
        if link:
            self.link((x, self.y, x + width, top), link)
        return top - self.y

    def rule(self, colour=RULE, width: float = 0.6) -> None:
        self.c.setStrokeColor(colour)
        self.c.setLineWidth(width)
        self.c.line(MARGIN_X, self.y, PAGE_W - MARGIN_X, self.y)

    def link(self, rect: tuple[float, float, float, float], target: str) -> None:
        self.links.append((self.page, rect, target))

    def table(self, columns: Sequence[tuple[str, float, str]], rows: Sequence[Sequence[str]],
              *, targets: Sequence[str | None] | None = None, size: float = 9.5,
              bold_rows: Sequence[bool] | None = None,
              colours: Sequence[object | None] | None = None) -> None:
        """Rows of wrapped cells; the header repeats after a page break.

        columns: (header, width share, align "l"/"r").
        """
        total = sum(c[1] for c in columns)
        widths = [self.width * c[1] / total for c in columns]
        pad, leading = 4.0, size * 1.25

        def header() -> None:
            h = leading + 2 * pad
            self.c.setFillColor(SHADE)
            self.c.rect(MARGIN_X, self.y - h, self.width, h, stroke=0, fill=1)
            self._cells([c[0] for c in columns], widths, columns, size, True, INK, pad,
                        leading)

        self.need(2 * (leading + 2 * pad))
        header()
        for i, row in enumerate(rows):
            bold = bool(bold_rows and bold_rows[i])
            font = self.bold if bold else self.regular
            wrapped = [simpleSplit(str(v), font, size, w - 2 * pad) or [""]
                       for v, w in zip(row, widths, strict=True)]
            height = max(len(w) for w in wrapped) * leading + 2 * pad
            if self.need(height):
                header()
            top = self.y
            colour = colours[i] if colours and colours[i] is not None else INK
            self._cells(row, widths, columns, size, bold, colour, pad, leading, wrapped)
            self.c.setStrokeColor(RULE)
            self.c.setLineWidth(0.4)
            self.c.line(MARGIN_X, self.y, PAGE_W - MARGIN_X, self.y)
            if targets and targets[i]:
                self.link((MARGIN_X, self.y, PAGE_W - MARGIN_X, top), targets[i])

    def _cells(self, row, widths, columns, size, bold, colour, pad, leading,
               wrapped=None) -> None:
        font = self.bold if bold else self.regular
        wrapped = wrapped or [simpleSplit(str(v), font, size, w - 2 * pad) or [""]
                              for v, w in zip(row, widths, strict=True)]
        x = MARGIN_X
        self.c.setFont(font, size)
        self.c.setFillColor(colour)
        for lines, w, col in zip(wrapped, widths, columns, strict=True):
            y = self.y - pad
            for line in lines:
                y -= size
                if col[2] == "r":
                    self.c.drawRightString(x + w - pad, y, line)
                else:
                    self.c.drawString(x + pad, y, line)
                y -= leading - size
            x += w
        self.y -= max(len(lines) for lines in wrapped) * leading + 2 * pad

    def finish(self) -> Rendered:
        self.c.showPage()
        self.c.save()
        return Rendered(self.buf.getvalue(), self.page + 1, self.links)


# --- the pages ---------------------------------------------------------------------------

def cover(info: FrontInfo, categories: list[CategoryEntry]) -> Rendered:
    s = Sheet("Cover")
    c = s.c
    c.setTitle(info.package_title)
    top = PAGE_H - MARGIN_TOP
    if info.logo:
        try:
            img = ImageReader(info.logo.stream())
            iw, ih = img.getSize()
            scale = min(160 / iw, 90 / ih)
            c.drawImage(img, MARGIN_X, top - ih * scale, iw * scale, ih * scale,
                        mask="auto")
        except OSError:
            pass
    s.y = top - 130
    if info.draft:
        s.text(f"DRAFT - {info.draft}", size=14, bold=True,
               colour=STATUS_COLOURS["missing"])
    s.text(f"SECOR {info.year}", size=14, bold=True, colour=MUTED)
    s.y -= 4
    s.text(info.package_title, size=28, bold=True, colour=ACCENT, leading=33)
    s.y -= 10
    c.setFillColor(ACCENT)
    c.rect(MARGIN_X, s.y, 90, 4, stroke=0, fill=1)
    s.y -= 30
    s.text(info.legal_name, size=18, bold=True)
    if info.company != info.legal_name:
        s.text(f"operating as {info.company}", size=12, colour=MUTED)
    s.text(info.address, size=11, colour=MUTED)
    s.y -= 24
    rows = [
        ("Review period", f"{long_date(info.period[0])} to {long_date(info.period[1])}"),
        ("Anniversary date", f"{long_date(info.anniversary)} (the submission is due "
                             "before this date)"),
        ("SECOR certificate", info.certificate or "not yet certified"),
        ("WSCB account", info.wscb_account),
        ("Prepared by", info.prepared_by + (f", {info.position}" if info.position else "")),
        ("Submitted to", info.submitted_to),
    ]
    for label, value in rows:
        y0 = s.y
        s.text(label, size=11, bold=True, colour=MUTED, width=140)
        s.y = y0
        s.text(value, size=11, x=MARGIN_X + 150)
        s.y -= 6
    s.y -= 20
    docs = sum(len(cat.docs) for cat in categories)
    s.text(f"This submission holds {len(categories)} categories and {docs} documents on "
           f"{info.total_pages} pages. The checklist on the next page shows what each "
           "category holds; the contents and the bookmarks lead to every document.",
           size=10.5, colour=INK)
    c.setFont(s.regular, 8.5)
    c.setFillColor(MUTED)
    c.drawString(MARGIN_X, MARGIN_BOTTOM + 4, info.generator)
    return s.finish()


def checklist(info: FrontInfo, categories: list[CategoryEntry]) -> Rendered:
    s = Sheet("Submission checklist")
    s.start("Submission checklist")
    s.text(f"{info.legal_name} - review period {long_date(info.period[0])} to "
           f"{long_date(info.period[1])}", size=10.5, colour=MUTED)
    s.y -= 10
    columns = [("#", 0.4, "r"), ("Category", 3.6, "l"), ("Samples", 1.0, "r"),
               ("Needed", 0.9, "r"), ("Months", 2.0, "l"), ("Pages", 0.9, "r"),
               ("Status", 1.8, "l")]
    rows, targets, colours = [], [], []
    for cat in categories:
        rows.append([str(cat.number), cat.title, str(len(cat.docs)), str(cat.needed),
                     months(cat.docs),
                     page_range(cat.divider_page, cat.divider_pages + cat.sample_pages),
                     cat.status_label])
        targets.append(cat.target)
        colours.append(STATUS_COLOURS.get(cat.status))
    s.table(columns, rows, targets=targets, colours=colours)
    if info.not_included:
        s.y -= 16
        s.need(40)
        s.text("Files not included", size=13, bold=True, colour=STATUS_COLOURS["missing"])
        s.y -= 4
        s.table([("Category", 2.2, "l"), ("File", 3.3, "l"), ("Why", 4.5, "l")],
                [list(row) for row in info.not_included])
    if info.notes:
        s.y -= 16
        s.need(40)
        s.text("Notes for the reviewer", size=13, bold=True, colour=ACCENT)
        s.y -= 2
        for note in info.notes:
            s.text("- " + note, size=9.5, x=MARGIN_X + 6)
            s.y -= 1
    s.y -= 18
    body = simpleSplit(info.declaration, s.regular, 10.5, s.width)
    s.need(30 + len(body) * 10.5 * 1.25 + 26 + 4 * 30)     # keep the declaration whole
    s.text("Declaration", size=13, bold=True, colour=ACCENT)
    s.y -= 4
    s.text(info.declaration, size=10.5)
    s.y -= 26
    for label, value in (("Name", info.prepared_by), ("Position", info.position or "")):
        _signature_line(s, label, value)
    _signature_line(s, "Signature", "")
    _signature_line(s, "Date", "")
    return s.finish()


def _signature_line(s: Sheet, label: str, value: str) -> None:
    s.need(30)
    s.c.setFont(s.bold, 10.5)
    s.c.setFillColor(MUTED)
    s.c.drawString(MARGIN_X, s.y - 12, label)
    s.c.setFont(s.regular, 11)
    s.c.setFillColor(INK)
    s.c.drawString(MARGIN_X + 80, s.y - 10, value)
    s.c.setStrokeColor(INK)
    s.c.setLineWidth(0.5)
    s.c.line(MARGIN_X + 76, s.y - 14, MARGIN_X + 330, s.y - 14)
    s.y -= 30


def contents(info: FrontInfo, categories: list[CategoryEntry],
             front: list[tuple[str, int, str]]) -> Rendered:
    """front: (title, page, target) of the pages before the categories."""
    s = Sheet("Contents")
    s.start("Contents")
    for title, page, target in front:
        _entry(s, title, str(page), target, size=11, bold=False)
    s.y -= 6
    for cat in categories:
        s.y -= 8
        s.need(40)
        _entry(s, f"{cat.number}   {cat.title}", str(cat.divider_page), cat.target,
               size=11.5, bold=True)
        if not cat.docs:
            _entry(s, cat.status_text, "", None, size=9.5, indent=22, colour=MUTED)
        for doc in cat.docs:
            _entry(s, doc_label(doc), page_range(doc.first_page, doc.pages), doc.key,
                   size=10, indent=22)
    return s.finish()


def _entry(s: Sheet, title: str, page: str, target: str | None, *, size: float,
           bold: bool = False, indent: float = 0, colour=INK) -> None:
    """One contents line: title, dot leader, page number; the whole line a link."""
    font = s.bold if bold else s.regular
    x = MARGIN_X + indent
    right = PAGE_W - MARGIN_X
    num_w = 50
    lines = simpleSplit(title, font, size, right - num_w - x - 8) or [""]
    leading = size * 1.3
    s.need(leading * len(lines) + 2)
    top = s.y
    s.c.setFont(font, size)
    s.c.setFillColor(colour)
    for i, line in enumerate(lines):
        s.y -= size
        s.c.drawString(x, s.y, line)
        if i == len(lines) - 1 and page:
            end = x + pdfmetrics.stringWidth(line, font, size) + 4
            dots_w = pdfmetrics.stringWidth(".", s.regular, size)
            start = right - pdfmetrics.stringWidth(page, font, size) - 6
            if start > end:
                s.c.setFillColor(MUTED)
                s.c.setFont(s.regular, size)
                s.c.drawString(end, s.y, "." * int((start - end) / dots_w))
                s.c.setFont(font, size)
                s.c.setFillColor(colour)
            s.c.drawRightString(right, s.y, page)
        s.y -= leading - size
    if target:
        s.link((x, s.y, right, top), target)


def divider(info: FrontInfo, cat: CategoryEntry) -> Rendered:
    s = Sheet(f"{cat.number}. {cat.title}")
    c = s.c
    c.setFillColor(ACCENT)
    c.rect(0, PAGE_H - 190, PAGE_W, 190, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont(s.bold, 60)
    c.drawString(MARGIN_X, PAGE_H - 120, str(cat.number))
    s.y = PAGE_H - 70
    s.text(cat.title, size=24, bold=True, colour=white, x=MARGIN_X + 80, leading=28)
    s.y = PAGE_H - 220
    if cat.element:
        s.text(cat.element, size=11, bold=True, colour=MUTED)
        s.y -= 4
    s.text(cat.evidence, size=11)
    s.y -= 10
    s.text(cat.status_text, size=12, bold=True,
           colour=STATUS_COLOURS.get(cat.status, INK))
    s.y -= 14
    if cat.docs:
        rows = [[d.date.isoformat() if d.date else
                 ("-" if d.source == GENERATED else "undated"), d.title,
                 d.source, page_range(d.first_page, d.pages)] for d in cat.docs]
        s.table([("Date", 1.3, "l"), ("Document", 4.0, "l"), ("Source file", 3.3, "l"),
                 ("Pages", 1.0, "r")], rows, targets=[d.key for d in cat.docs])
    if cat.refused:
        s.y -= 16
        s.need(40)
        s.text("Not included", size=12, bold=True, colour=STATUS_COLOURS["missing"])
        s.y -= 4
        s.table([("File", 4.0, "l"), ("Why", 6.0, "l")], [list(r) for r in cat.refused])
    notes = [(d.source, n) for d in cat.docs for n in d.notes]
    if notes:
        s.y -= 16
        s.need(40)
        s.text("Notes", size=12, bold=True, colour=ACCENT)
        for source, note in notes:
            s.text(f"- {source}: {note}", size=9.5, x=MARGIN_X + 6)
    return s.finish()
