"""Generate the example company's completed samples in examples/2026-submission/.

The files look like what a small employer really has: PDFs filled in on a computer
(reportlab), a PDF made from Word by LibreOffice, Word files kept as .docx, phone photos
of paper forms (JPEG with the phone's EXIF rotation) and a PNG screenshot. Their content
matches the example records (records/activity-log.csv, incidents.csv, action-plan.csv).

    python tools/make_example_samples.py            # writes the samples (overwrites them)

The renderers are also used by bench/bench_package.py to make large submissions:
`form_pdf`, `form_image`, `form_docx`, `phone_photo`.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMPANY = "Kluane Ridge Roofing & Sons Ltd."
ADDRESS = "12 Alsek Road, Haines Junction, YT Y0B 1L0  -  867-555-0142  -  WSCB 1234567"
TARGET = ROOT / "examples" / "2026-submission"
FONT_DIR = Path("/usr/share/fonts/truetype")
SANS = FONT_DIR / "crosextra" / "Carlito-Regular.ttf"
SANS_BOLD = FONT_DIR / "crosextra" / "Carlito-Bold.ttf"
HAND = FONT_DIR / "dejavu" / "DejaVuSans-Oblique.ttf"
NAVY = (28, 63, 110)
INK_BLUE = (22, 48, 140)


# --- what a form holds -------------------------------------------------------------------

@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass
class Checklist:
    heading: str
    items: list[tuple[str, str]]        # (item, Yes/No/N/A or a rank)


@dataclass
class Text:
    heading: str
    body: str


@dataclass
class Form:
    title: str
    form_id: str
    fields: list[tuple[str, str]]
    blocks: list[Table | Checklist | Text]
    signatures: list[tuple[str, str, str]] = field(default_factory=list)  # role, name, date
    when: dt.date = dt.date(2026, 1, 1)


# --- reportlab ---------------------------------------------------------------------------

def form_pdf(form: Form, path: Path | io.BytesIO, *, seed: int = 0,
             sideways: bool = False) -> None:
    """A form filled in on a computer: typed values, signatures drawn as scribbles.

    `sideways`: a landscape form stored as a portrait page turned by /Rotate 90, the way
    many scanners and "print to PDF" drivers save landscape pages.
    """
    from reportlab.lib.colors import Color, HexColor
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "Ex-Regular" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Ex-Regular", str(SANS)))
        pdfmetrics.registerFont(TTFont("Ex-Bold", str(SANS_BOLD)))
    rnd = random.Random(seed)
    w, h = (letter[1], letter[0]) if sideways else letter
    # reportlab swaps the page size it is given when the page is rotated by 90 degrees
    c = canvas.Canvas(path if isinstance(path, io.BytesIO) else str(path),
                      pagesize=(w, h), invariant=1)
    if sideways:
        c.setPageRotation(90)
    c.setTitle(form.title)
    c.setAuthor(COMPANY)
    navy = HexColor("#1c3f6e")
    ink = Color(0.08, 0.19, 0.55)
    page = [1]

    def header() -> float:
        if sideways:
            c.transform(0, 1, -1, 0, letter[0], 0)     # landscape drawing, turned by /Rotate
        c.setFillColor(navy)
        c.rect(0, h - 60, w, 60, stroke=0, fill=1)
        c.setFillColor(Color(1, 1, 1))
        c.setFont("Ex-Bold", 15)
        c.drawString(40, h - 32, COMPANY)
        c.setFont("Ex-Regular", 8.5)
        c.drawString(40, h - 47, ADDRESS)
        c.setFillColor(navy)
        c.setFont("Ex-Bold", 17)
        c.drawString(40, h - 88, form.title)
        c.setFont("Ex-Regular", 8)
        c.setFillColor(Color(0.35, 0.35, 0.35))
        c.drawRightString(w - 40, h - 88, f"{form.form_id}  rev. 3")
        c.drawString(40, 30, f"{form.title} - {form.form_id}")
        c.drawRightString(w - 40, 30, f"Page {page[0]}")
        return h - 108

    y = header()

    def need(height: float) -> None:
        nonlocal y
        if y - height < 60:
            c.showPage()
            page[0] += 1
            y = header()

    # fields, two columns
    col = (w - 80) / 2
    for i in range(0, len(form.fields), 2):
        need(24)
        for j, (label, value) in enumerate(form.fields[i:i + 2]):
            x = 40 + j * col
            c.setFont("Ex-Bold", 8.5)
            c.setFillColor(Color(0.3, 0.3, 0.3))
            c.drawString(x, y - 10, label)
            c.setFont("Ex-Regular", 10.5)
            c.setFillColor(ink)
            c.drawString(x + 95, y - 10, value[:60])
            c.setStrokeColor(Color(0.6, 0.6, 0.6))
            c.setLineWidth(0.4)
            c.line(x + 92, y - 13, x + col - 10, y - 13)
        y -= 22
    y -= 8
    for block in form.blocks:
        if isinstance(block, Text):
            need(40)
            c.setFont("Ex-Bold", 11)
            c.setFillColor(navy)
            c.drawString(40, y - 12, block.heading)
            y -= 18
            lines = simpleSplit(block.body, "Ex-Regular", 10, w - 90)
            c.setFont("Ex-Regular", 10)
            c.setFillColor(ink)
            for line in lines:
                need(14)
                c.setFont("Ex-Regular", 10)
                c.setFillColor(ink)
                c.drawString(44, y - 11, line)
                y -= 13
            y -= 8
        elif isinstance(block, Checklist):
            need(40)
            c.setFont("Ex-Bold", 11)
            c.setFillColor(navy)
            c.drawString(40, y - 12, block.heading)
            y -= 20
            for item, answer in block.items:
                need(16)
                c.setFont("Ex-Regular", 9.5)
                c.setFillColor(Color(0.1, 0.1, 0.1))
                c.drawString(44, y - 10, item)
                for k, option in enumerate(("Yes", "No", "N/A")):
                    bx = w - 170 + k * 45
                    c.setStrokeColor(Color(0.3, 0.3, 0.3))
                    c.rect(bx, y - 12, 9, 9, stroke=1, fill=0)
                    c.setFont("Ex-Regular", 8)
                    c.drawString(bx + 12, y - 10, option)
                    if option == answer:
                        c.setStrokeColor(ink)
                        c.setLineWidth(1.4)
                        c.line(bx + 1, y - 7, bx + 4, y - 11)
                        c.line(bx + 4, y - 11, bx + 10, y - 1)
                        c.setLineWidth(0.4)
                c.setStrokeColor(Color(0.85, 0.85, 0.85))
                c.line(40, y - 15, w - 40, y - 15)
                y -= 16
            y -= 8
        else:
            widths = block.widths or [1] * len(block.headers)
            total = sum(widths)
            xs = [40.0]
            for wd in widths:
                xs.append(xs[-1] + (w - 80) * wd / total)
            need(40)
            c.setFillColor(HexColor("#e4eaf3"))
            c.rect(40, y - 16, w - 80, 16, stroke=0, fill=1)
            c.setFillColor(Color(0.1, 0.1, 0.1))
            c.setFont("Ex-Bold", 8.5)
            for x, head in zip(xs, block.headers, strict=False):
                c.drawString(x + 3, y - 11, head)
            y -= 16
            for row in block.rows:
                cells = [simpleSplit(v, "Ex-Regular", 9, xs[k + 1] - xs[k] - 6) or [""]
                         for k, v in enumerate(row)]
                rh = max(len(cl) for cl in cells) * 11 + 6
                need(rh)
                c.setFont("Ex-Regular", 9)
                c.setFillColor(ink)
                for k, cl in enumerate(cells):
                    for n, line in enumerate(cl):
                        c.drawString(xs[k] + 3, y - 11 - n * 11, line)
                c.setStrokeColor(Color(0.7, 0.7, 0.7))
                c.setLineWidth(0.4)
                c.line(40, y - rh, w - 40, y - rh)
                for x in xs:
                    c.line(x, y, x, y - rh)
                y -= rh
            y -= 12
    for role, name, date in form.signatures:
        need(44)
        c.setFont("Ex-Bold", 8.5)
        c.setFillColor(Color(0.3, 0.3, 0.3))
        c.drawString(40, y - 30, role)
        c.setFont("Ex-Regular", 10)
        c.setFillColor(ink)
        c.drawString(150, y - 30, name)
        _scribble(c, 330, y - 32, rnd, ink)
        c.drawString(w - 110, y - 30, date)
        c.setStrokeColor(Color(0.5, 0.5, 0.5))
        c.setLineWidth(0.4)
        c.line(148, y - 34, 300, y - 34)
        c.line(325, y - 34, w - 120, y - 34)
        c.line(w - 112, y - 34, w - 40, y - 34)
        y -= 40
    c.showPage()
    c.save()


def _scribble(c, x: float, y: float, rnd: random.Random, ink) -> None:
    """A signature: a few loops of a bezier path."""
    c.setStrokeColor(ink)
    c.setLineWidth(1.1)
    p = c.beginPath()
    p.moveTo(x, y + rnd.uniform(2, 8))
    px = x
    for _ in range(rnd.randint(4, 7)):
        nx = px + rnd.uniform(12, 22)
        p.curveTo(px + 4, y + rnd.uniform(10, 20), nx - 4, y - rnd.uniform(0, 6), nx,
                  y + rnd.uniform(2, 12))
        px = nx
    c.drawPath(p, stroke=1, fill=0)
    c.setLineWidth(0.4)


# --- Pillow (paper forms for photos and screenshots) -------------------------------------

def form_image(form: Form, width: int = 1275, *, hand: bool = True, seed: int = 0) -> Image.Image:
    """The form printed on Letter paper and filled in by hand (blue pen)."""
    rnd = random.Random(seed)
    scale = width / 612
    height = int(792 * scale)
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)

    def font(path: Path, size: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(path), max(6, int(size * scale)))

    def pt(v: float) -> int:
        return int(v * scale)

    d.rectangle([0, 0, width, pt(60)], fill=NAVY)
    d.text((pt(40), pt(14)), COMPANY, font=font(SANS_BOLD, 15), fill="white")
    d.text((pt(40), pt(38)), ADDRESS, font=font(SANS, 8.5), fill="white")
    d.text((pt(40), pt(72)), form.title, font=font(SANS_BOLD, 17), fill=NAVY)
    y = 108.0
    value_font = font(HAND if hand else SANS, 10)
    value_ink = INK_BLUE if hand else (20, 20, 20)
    col = (612 - 80) / 2
    for i in range(0, len(form.fields), 2):
        for j, (label, value) in enumerate(form.fields[i:i + 2]):
            x = 40 + j * col
            d.text((pt(x), pt(y)), label, font=font(SANS_BOLD, 8.5), fill=(70, 70, 70))
            d.line([pt(x + 92), pt(y + 12), pt(x + col - 10), pt(y + 12)], fill=(150, 150, 150))
            d.text((pt(x + 95 + rnd.uniform(-2, 2)), pt(y - 2 + rnd.uniform(-1, 1))),
                   value[:44], font=value_font, fill=value_ink)
        y += 22
    y += 6
    for block in form.blocks:
        if y > 730:
            break
        if isinstance(block, Checklist):
            d.text((pt(40), pt(y)), block.heading, font=font(SANS_BOLD, 11), fill=NAVY)
            y += 18
            for item, answer in block.items:
                if y > 740:
                    break
                d.text((pt(44), pt(y)), item, font=font(SANS, 9.5), fill=(30, 30, 30))
                for k, option in enumerate(("Yes", "No", "N/A")):
                    bx = 612 - 170 + k * 45
                    d.rectangle([pt(bx), pt(y + 1), pt(bx + 9), pt(y + 10)], outline=(60, 60, 60))
                    d.text((pt(bx + 12), pt(y + 1)), option, font=font(SANS, 8), fill=(60, 60, 60))
                    if option == answer:
                        d.line([pt(bx - 1), pt(y + 5), pt(bx + 4), pt(y + 11), pt(bx + 12),
                                pt(y - 3)], fill=INK_BLUE, width=max(2, pt(1.5)))
                d.line([pt(40), pt(y + 14), pt(572), pt(y + 14)], fill=(215, 215, 215))
                y += 16
            y += 8
        elif isinstance(block, Table):
            widths = block.widths or [1] * len(block.headers)
            total = sum(widths)
            xs = [40.0]
            for wd in widths:
                xs.append(xs[-1] + 532 * wd / total)
            d.rectangle([pt(40), pt(y), pt(572), pt(y + 16)], fill=(228, 234, 243))
            for x, head in zip(xs, block.headers, strict=False):
                d.text((pt(x + 3), pt(y + 3)), head, font=font(SANS_BOLD, 8.5), fill=(20, 20, 20))
            y += 16
            for row in block.rows:
                if y > 740:
                    break
                for k, v in enumerate(row):
                    limit = int((xs[k + 1] - xs[k]) / 4.6)
                    d.text((pt(xs[k] + 3), pt(y + 3)), v[:limit], font=value_font,
                           fill=value_ink)
                d.line([pt(40), pt(y + 18), pt(572), pt(y + 18)], fill=(170, 170, 170))
                y += 18
            y += 12
        else:
            d.text((pt(40), pt(y)), block.heading, font=font(SANS_BOLD, 11), fill=NAVY)
            y += 18
            words, line = block.body.split(), ""
            for word in words:
                if len(line) + len(word) > 88:
                    d.text((pt(44), pt(y)), line, font=value_font, fill=value_ink)
                    y += 13
                    line = ""
                line += word + " "
            d.text((pt(44), pt(y)), line, font=value_font, fill=value_ink)
            y += 20
    for role, name, date in form.signatures:
        if y > 750:
            break
        d.text((pt(40), pt(y + 10)), role, font=font(SANS_BOLD, 8.5), fill=(70, 70, 70))
        d.text((pt(150), pt(y + 8)), name, font=value_font, fill=value_ink)
        d.text((pt(500), pt(y + 8)), date, font=value_font, fill=value_ink)
        pts = []
        x = 330.0
        for _ in range(rnd.randint(8, 12)):
            pts += [pt(x), pt(y + 14 + rnd.uniform(-7, 5))]
            x += rnd.uniform(6, 11)
        d.line(pts, fill=INK_BLUE, width=max(2, pt(1.1)), joint="curve")
        d.line([pt(148), pt(y + 22), pt(300), pt(y + 22)], fill=(130, 130, 130))
        y += 34
    return img


def phone_photo(paper: Image.Image, size: tuple[int, int], *, seed: int = 0,
                noise: float = 4.0) -> Image.Image:
    """The paper on a desk, photographed upright: a slight tilt, uneven light, sensor noise.

    `size` is the upright (display) size of the photo.
    """
    rnd = random.Random(seed)
    width, height = size
    desk = Image.new("RGB", size, (118, 92, 64))
    grain = Image.effect_noise((max(1, width // 8), max(1, height // 8)), 40).resize(size)
    desk = Image.blend(desk, Image.merge("RGB", [grain] * 3), 0.12)
    fit = min(width * 0.88 / paper.width, height * 0.9 / paper.height)
    sheet = paper.resize((int(paper.width * fit), int(paper.height * fit)),
                         Image.Resampling.BILINEAR)
    sheet = sheet.convert("RGBA").rotate(rnd.uniform(-2.5, 2.5), expand=True,
                                         resample=Image.Resampling.BICUBIC)
    x = (width - sheet.width) // 2 + rnd.randint(-width // 40, width // 40)
    y = (height - sheet.height) // 2 + rnd.randint(-height // 60, height // 60)
    shadow = Image.new("RGBA", sheet.size, (0, 0, 0, 0))
    shadow.paste((0, 0, 0, 90), mask=sheet.getchannel("A"))
    desk.paste(shadow.filter(ImageFilter.GaussianBlur(width / 200)), (x + width // 120,
                                                                      y + width // 120), shadow)
    desk.paste(sheet, (x, y), sheet)
    # light falling from one side
    ramp = Image.linear_gradient("L").rotate(rnd.choice((90, -90, 30)), expand=False)
    ramp = ramp.resize(size).point(lambda v: 205 + v * 50 // 255)
    lit = Image.merge("RGB", [Image.composite(ch, Image.new("L", size, 0), ramp)
                              for ch in desk.split()])
    lit = Image.blend(desk, lit, 0.5)
    if noise:
        grain = Image.effect_noise(size, noise * 8)
        lit = Image.blend(lit, Image.merge("RGB", [grain] * 3), noise / 100)
    return lit.filter(ImageFilter.GaussianBlur(0.6))


def save_phone_jpeg(photo: Image.Image, path: Path | io.BytesIO, *, quality: int = 82,
                    orientation: int = 6) -> None:
    """Save as a phone does: pixels stored sideways, an EXIF tag saying how to turn them."""
    stored = {1: photo, 6: photo.transpose(Image.Transpose.ROTATE_90),
              8: photo.transpose(Image.Transpose.ROTATE_270),
              3: photo.transpose(Image.Transpose.ROTATE_180)}[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Google"
    exif[0x0110] = "Pixel 7a"
    stored.save(path, "JPEG", quality=quality, exif=exif.tobytes())


# --- python-docx -------------------------------------------------------------------------

def form_docx(form: Form) -> bytes:
    """The form as a Word document someone typed into."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    from manualgen.render.docx_io import docx_bytes, set_properties

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10.5)
    head = doc.add_paragraph()
    run = head.add_run(COMPANY)
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(*NAVY)
    doc.add_paragraph(ADDRESS).runs[0].font.size = Pt(8.5)
    doc.add_heading(form.title, level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in form.fields:
        cells = table.add_row().cells
        cells[0].text = label
        cells[0].paragraphs[0].runs[0].bold = True
        cells[1].text = value
    for block in form.blocks:
        if isinstance(block, Text):
            doc.add_heading(block.heading, level=2)
            doc.add_paragraph(block.body)
        elif isinstance(block, Checklist):
            doc.add_heading(block.heading, level=2)
            t = doc.add_table(rows=1, cols=2)
            t.style = "Table Grid"
            t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Item", "Answer"
            for item, answer in block.items:
                cells = t.add_row().cells
                cells[0].text, cells[1].text = item, answer
        else:
            doc.add_paragraph()
            t = doc.add_table(rows=1, cols=len(block.headers))
            t.style = "Table Grid"
            for cell, text in zip(t.rows[0].cells, block.headers, strict=True):
                cell.text = text
                cell.paragraphs[0].runs[0].bold = True
            for row in block.rows:
                for cell, text in zip(t.add_row().cells, row, strict=True):
                    cell.text = text
    doc.add_heading("Signatures", level=2)
    t = doc.add_table(rows=0, cols=3)
    t.style = "Table Grid"
    for role, name, date in form.signatures:
        cells = t.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = role, name + "  (signed)", date
    set_properties(doc, title=form.title, author="Mary-Anne O'Brien", when=form.when)
    return docx_bytes(doc, form.when)


# --- the example company's samples -------------------------------------------------------

CREW = "Daniel Tāgé Smith (crew lead); Priya Raman; Owen Kuster; Jesse Lindqvist"


def _forms() -> dict[str, tuple[str, Form]]:
    """file name -> (how it is made, form)."""
    d = dt.date
    yes = "Yes"
    return {
        "hazard-assessments/2026-01-14 hazard assessment roof snow and ice removal.pdf": (
            "reportlab", Form(
                "Hazard Assessment (formal)", "F-HA-01",
                [("Date", "2026-01-14"), ("Site", "Shop and office, 12 Alsek Road"),
                 ("Task", "Roof snow and ice removal"), ("Assessed by", "Éloïse Tremblay"),
                 ("Workers consulted", "Daniel Tāgé Smith, Priya Raman"),
                 ("Review date", "2026-10-15")],
                [Table(["Step", "Hazard", "S x L", "Controls (hierarchy)", "Residual",
                        "Who / by when"],
                       [["Access the roof", "Fall from ladder", "4x3=12",
                         "Ladder tied off, 1 m above eave; 3-point contact", "Low",
                         "Crew lead, each job"],
                        ["Work near the edge", "Fall from roof", "5x3=15",
                         "Anchor installed first; full-body harness and 1.8 m lanyard; "
                         "no one within 2 m of edge untied", "Medium", "All, each job"],
                        ["Clear the snow", "Snow slide onto people below", "4x3=12",
                         "Cone off 3 m drop zone; spotter on the ground; radio contact",
                         "Low", "Spotter"],
                        ["Clear the ice", "Hand injury from chipping tools", "2x3=6",
                         "Plastic shovels only; gloves", "Low", "All"],
                        ["Cold exposure", "Frostbite, hypothermia", "3x3=9",
                         "Warm-up breaks every 45 min below -20 C; truck running",
                         "Low", "Crew lead"],
                        ["Hidden skylights", "Fall through opening", "5x2=10",
                         "Walk-around with client first; mark openings; covers", "Low",
                         "Crew lead"]],
                       [1.2, 1.4, 0.7, 2.6, 0.8, 1.3]),
                 Text("Notes", "New task added to the hazard assessment after the first "
                      "storm of the season. Reviewed at the January 19 toolbox meeting. "
                      "The near miss of February 11 (snow slab) led to the drop zone being "
                      "widened from 2 m to 3 m: change initialled by the owner.")],
                [("Assessed by", "Éloïse Tremblay", "2026-01-14"),
                 ("Worker representative", "Priya Raman", "2026-01-14")],
                d(2026, 1, 14))),
        "hazard-assessments/2026-04-08 shop and yard hazard assessment review.docx": (
            "docx", Form(
                "Hazard Assessment annual review - shop and yard", "F-HA-01",
                [("Date", "2026-04-08"), ("Site", "Shop and office, 12 Alsek Road"),
                 ("Reviewed by", "Éloïse Tremblay, Mary-Anne O'Brien"),
                 ("Worker representative", "Priya Raman")],
                [Table(["Hazard", "Rating", "Controls in place", "Change"],
                       [["Compressor and air lines", "6", "Guarded, drained weekly",
                         "none"],
                        ["Material storage racks", "8", "Racks bolted to wall",
                         "add load signs"],
                        ["Forklift-free loading", "6", "Two-person lift for bundles",
                         "none"],
                        ["Propane torches", "10", "Cage outside; extinguisher at door",
                         "second extinguisher"],
                        ["Slips in winter yard", "9", "Sand bin, daily clearing",
                         "none"]]),
                 Text("Outcome", "Hazard assessment still valid; two controls added. "
                      "Reviewed with all workers at the April 13 toolbox meeting.")],
                [("Owner", "Éloïse Tremblay", "2026-04-08")], d(2026, 4, 8))),
        "hazard-assessments/2026-05-14 FLHA Duncan residence tear-off.jpg": (
            "photo", Form(
                "Field-Level Hazard Assessment", "F-FLHA-02",
                [("Date", "2026-05-14"), ("Location", "41 Bates Crescent, HJ"),
                 ("Job scope", "Tear-off and re-roof"), ("Supervisor", "D. Tāgé Smith")],
                [Checklist("Hazards today", [
                    ("Work at heights over 3 m", yes), ("Overhead power lines", "No"),
                    ("Weather: wind, rain, ice", yes), ("Public or client nearby", yes),
                    ("Debris drop zone set up", yes), ("Ladders secured", yes),
                    ("Nail guns: sequential trigger", yes), ("Heat stress", "N/A")]),
                 Table(["Hazard", "Control", "PPE"],
                       [["Falls", "Anchors + harness", "Harness"],
                        ["Falling debris", "Chute, drop zone", "Hard hat"],
                        ["Wind gusts", "Stop above 40 km/h", "-"]]),
                 ],
                [("Crew", "Priya Raman", "05-14"), ("Crew", "Owen Kuster", "05-14"),
                 ("Crew", "Jesse Lindqvist", "05-14"), ("Supervisor", "D. Tāgé Smith",
                                                          "05-14")],
                d(2026, 5, 14))),
        "site-inspections/2026-03-03 monthly shop and yard inspection.pdf": (
            "reportlab", Form(
                "Site Inspection Checklist", "F-INS-01",
                [("Date", "2026-03-03"), ("Site", "Shop and yard, 12 Alsek Road"),
                 ("Inspector", "Mary-Anne O'Brien"), ("With", "Daniel Tāgé Smith")],
                [Checklist("Shop and yard", [
                    ("Exits clear and marked", yes), ("Fire extinguishers tagged (monthly)",
                                                      yes),
                    ("First aid kit complete (Part 18)", "No"),
                    ("Eyewash bottle in date", yes), ("Compressor guard in place", yes),
                    ("Propane cage locked", yes), ("Yard sanded, walkways clear", yes),
                    ("Ladders tagged and stored", yes), ("WHMIS labels and SDS binder",
                                                         yes)]),
                 Table(["#", "Deficiency", "Rank", "Corrective action", "Who", "Target",
                        "Done"],
                       [["1", "First aid kit missing burn dressings", "B",
                         "Restock from supplier", "M-A O'Brien", "03-06", "03-05"],
                        ["2", "Light out over side door", "C", "Replace bulb", "D. Smith",
                         "03-10", "03-04"]],
                       [0.3, 2.2, 0.5, 2.0, 1.1, 0.7, 0.7])],
                [("Inspector", "Mary-Anne O'Brien", "2026-03-03"),
                 ("Manager review", "Éloïse Tremblay", "2026-03-06")],
                d(2026, 3, 3))),
        "site-inspections/2026-06-17 job site inspection Destruction Bay.pdf": (
            "libreoffice", Form(
                "Site Inspection Checklist - job site", "F-INS-02",
                [("Date", "2026-06-17"), ("Site", "Destruction Bay motel"),
                 ("Inspector", "Daniel Tāgé Smith"), ("Crew on site", CREW)],
                [Checklist("Roof and access", [
                    ("Anchors installed before work", yes), ("Harnesses inspected today", yes),
                    ("Ladder tied off and extends 1 m", yes), ("Roof openings covered", yes),
                    ("Debris chute and drop zone", yes), ("Material loads within limits",
                                                          yes)]),
                 Table(["#", "Deficiency", "Rank", "Action", "Who", "Done"],
                       [["1", "Extension cord across walkway", "B",
                         "Re-routed along wall, taped", "P. Raman", "2026-06-17"]])],
                [("Inspector", "Daniel Tāgé Smith", "2026-06-17"),
                 ("Manager review", "Éloïse Tremblay", "2026-06-19")],
                d(2026, 6, 17))),
        "site-inspections/scan0042.pdf": (
            "scan", Form(
                "Site Inspection Checklist - job site", "F-INS-02",
                [("Date", "2026-08-12"), ("Site", "Mendenhall cabin km 1522"),
                 ("Inspector", "D. Tāgé Smith"), ("Crew", "Raman, Kuster")],
                [Checklist("Roof and access", [
                    ("Anchors installed before work", yes), ("Harnesses inspected", yes),
                    ("Ladder tied off", yes), ("Openings covered", "N/A"),
                    ("Drop zone", yes), ("Bear spray in truck", yes)]),
                 Table(["Deficiency", "Rank", "Action", "Done"],
                       [["Generator refuelled hot", "A", "Stopped; cool-down rule",
                         "08-12"]])],
                [("Inspector", "D. Tāgé Smith", "08-12")], d(2026, 8, 12))),
        "toolbox-meetings/2026-03-02 toolbox nail gun safety.pdf": (
            "reportlab", Form(
                "Toolbox / Tailgate Meeting Record", "F-TBM-01",
                [("Date", "2026-03-02"), ("Site", "Shop and office"),
                 ("Presenter", "Daniel Tāgé Smith"), ("Time", "07:30 - 07:50")],
                [Text("Topics", "Nail gun safety: sequential triggers only, never carry "
                      "with a finger on the trigger, disconnect air before clearing jams. "
                      "Review of the WorkSafe nail gun bulletin."),
                 Text("Hazards today", "Icy shop yard; loading bundles onto TRK-02."),
                 Text("Incidents since last meeting", "None."),
                 Text("Concerns and actions", "Priya: one nailer double-fires. Action: "
                      "tag it out and send for service (D. Smith, by March 6)."),
                 Table(["Attendee", "Signature"],
                       [["Éloïse Tremblay", "signed"], ["Daniel Tāgé Smith", "signed"],
                        ["Priya Raman", "signed"], ["Mary-Anne O'Brien", "signed"]])],
                [("Presenter", "Daniel Tāgé Smith", "2026-03-02")], d(2026, 3, 2))),
        "toolbox-meetings/2026-06-08 toolbox lessons from the ladder near miss.jpg": (
            "photo", Form(
                "Toolbox / Tailgate Meeting Record", "F-TBM-01",
                [("Date", "2026-06-08"), ("Site", "Destruction Bay"),
                 ("Presenter", "D. Tāgé Smith"), ("Time", "07:15")],
                [Text("Topics", "Lessons from the ladder near miss on June 18 last year "
                      "and this spring: ladder feet on wet boards, tie-off at the top, "
                      "someone foots the ladder until it is tied."),
                 Table(["Attendee", "Signature"],
                       [["Priya Raman", "P. Raman"], ["Owen Kuster", "O. Kuster"],
                        ["Jesse Lindqvist", "J. Lindqvist"]])],
                [("Presenter", "D. Tāgé Smith", "06-08")], d(2026, 6, 8))),
        "toolbox-meetings/2026-09-14 toolbox bear awareness.docx": (
            "docx", Form(
                "Toolbox / Tailgate Meeting Record", "F-TBM-01",
                [("Date", "2026-09-14"), ("Site", "Mendenhall cabin, km 1522"),
                 ("Presenter", "Priya Raman"), ("Time", "08:00 - 08:20")],
                [Text("Topics", "Wildlife at remote sites: bear awareness in the fall. "
                      "Food and garbage in the locked truck box, bear spray on the belt "
                      "not in the cab, make noise walking to the outhouse, check-in by "
                      "Inreach at 10:00 and 14:00."),
                 Text("Concerns and actions", "Owen asked for a second can of bear spray "
                      "for TRK-02. Action: Mary-Anne to order by September 18."),
                 Table(["Attendee", "Signature"],
                       [["Daniel Tāgé Smith", "signed"], ["Owen Kuster", "signed"],
                        ["Jesse Lindqvist", "signed"]])],
                [("Presenter", "Priya Raman", "2026-09-14")], d(2026, 9, 14))),
        "preventative-maintenance/2026-07-10 TRK-01 3-month service.pdf": (
            "reportlab", Form(
                "Preventative Maintenance Record", "F-PM-01",
                [("Unit", "TRK-01 2019 Ford F-350"), ("Date", "2026-07-10"),
                 ("Odometer", "84,312 km"), ("Interval", "3 months"),
                 ("Serviced by", "Haines Junction Auto (invoice 4471)"),
                 ("Next due", "2026-10-10")],
                [Table(["Work done", "By", "Result"],
                       [["Oil and filter change (5W-30)", "HJ Auto", "done"],
                        ["Brake inspection: rear pads at 3 mm", "HJ Auto", "pads replaced"],
                        ["Tires, lights, horn, wipers", "D. Tāgé Smith", "OK"],
                        ["First aid kit and extinguisher in cab", "D. Tāgé Smith", "OK"],
                        ["Inreach charged and paired", "D. Tāgé Smith", "OK"]]),
                 Text("Out of service", "Not tagged out; rear brake pads replaced the same "
                      "day.")],
                [("Checked by", "Daniel Tāgé Smith", "2026-07-10")], d(2026, 7, 10))),
        "preventative-maintenance/2026-05-07 ladder and harness monthly inspection.png": (
            "screenshot", Form(
                "Ladder and Fall Protection Inspection Log", "F-PM-03",
                [("Month", "May 2026"), ("Inspector", "Daniel Tāgé Smith")],
                [Table(["Unit", "Item", "Date", "Condition", "Action"],
                       [["LAD-01a", "32 ft extension ladder", "05-07", "OK", "-"],
                        ["LAD-01b", "32 ft extension ladder", "05-07", "Foot worn",
                         "Tagged out, new foot"],
                        ["FP-01 1", "Harness + lanyard", "05-07", "OK", "-"],
                        ["FP-01 2", "Harness + lanyard", "05-07", "OK", "-"],
                        ["FP-01 3", "Harness + lanyard", "05-07", "OK", "-"],
                        ["FP-01 4", "Harness + lanyard", "05-07", "Webbing cut",
                         "Destroyed, replaced"],
                        ["FP-01 5", "Harness + lanyard", "05-07", "OK", "-"],
                        ["FP-01 6", "Harness + lanyard", "05-07", "OK", "-"]])],
                [("Inspector", "Daniel Tāgé Smith", "2026-05-07")], d(2026, 5, 7))),
        "investigations/2026-06-19 near miss ladder slipped at gutter line.pdf": (
            "reportlab", Form(
                "Incident Investigation Report", "F-INV-01",
                [("Employer", COMPANY), ("WSCB account", "1234567"),
                 ("Date of incident", "2026-06-18, 10:40"), ("Class", "Near miss"),
                 ("Where", "Client residence, Haines Junction"),
                 ("Reported to WSCB", "Not required (no injury)"),
                 ("Worker", "Worker A (name removed)"), ("Witness", "Worker B (removed)")],
                [Text("What happened", "The base of a 32 ft extension ladder slid on wet "
                      "deck boards as Worker A stepped from the ladder onto the roof at the "
                      "gutter line. Worker A held the gutter, the ladder stopped against the "
                      "railing, and Worker A climbed down unhurt. The ladder was not tied "
                      "off at the top and nobody was footing it."),
                 Text("Immediate causes", "Ladder not secured at the top; base on wet, "
                      "smooth boards without a non-slip mat; no one footing the ladder "
                      "during the first climb."),
                 Text("Root causes", "The tie-off step was in the safe work practice but "
                      "not on the field-level hazard assessment form, so it was skipped on "
                      "short jobs. Ladder feet on LAD-01b were worn (found at the May "
                      "inspection, replacement on order)."),
                 Table(["Corrective action", "Who", "By when", "Done"],
                       [["Add 'ladder tied off at top' to the FLHA form", "D. Tāgé Smith",
                         "2026-06-30", "2026-06-24"],
                        ["Buy two non-slip ladder mats for the trucks", "M-A O'Brien",
                         "2026-06-30", "2026-06-22"],
                        ["Toolbox talk: ladder set-up and footing", "D. Tāgé Smith",
                         "2026-06-08*", "2026-06-22"],
                        ["Replace ladder feet on LAD-01b", "D. Tāgé Smith", "2026-06-26",
                         "2026-06-25"]],
                       [3, 1.4, 1, 1]),
                 Text("Note", "Personal details removed for this submission; the full "
                      "report is kept in the office.")],
                [("Investigator", "Éloïse Tremblay", "2026-06-19"),
                 ("Investigator (worker rep.)", "Priya Raman", "2026-06-19")],
                d(2026, 6, 19))),
        "audit-action-plan/2026-10-30 audit action plan progress.pdf": (
            "landscape", Form(
                "Audit Action Plan - progress", "F-AAP-01",
                [("Audit", "Certifying audit, 2024-11"), ("Updated", "2026-10-30")],
                [Table(["#", "El.", "Finding", "Action", "Responsible", "Due", "Status",
                        "Completed"],
                       [["1", "2", "FLHAs not signed by every crew member",
                         "Crew signature block on the form; toolbox review", "D. Tāgé Smith",
                         "2026-03-31", "Closed", "2026-03-12"],
                        ["2", "7", "No pre-use inspection record for ladders",
                         "Tag ladders; monthly log", "D. Tāgé Smith", "2026-04-30",
                         "Closed", "2026-04-22"],
                        ["3", "9", "Monthly inspections skipped in winter",
                         "Calendar entry with named inspector", "M-A O'Brien",
                         "2026-02-28", "Closed", "2026-02-20"],
                        ["4", "11", "No drill record for the shop", "Fire drill, recorded",
                         "É. Tremblay", "2026-06-30", "Closed", "2026-06-11"],
                        ["5", "8", "Orientation missing V&H policy",
                         "Add policy; re-orient workers", "M-A O'Brien", "2026-05-15",
                         "Closed", "2026-05-01"],
                        ["6", "14", "Subcontractor pre-qualification not documented",
                         "Pre-qualification form before work starts", "É. Tremblay",
                         "2026-09-30", "In progress", ""],
                        ["7", "12", "Statistics not summarised for the year",
                         "Year End Safety Activity Summary Report", "M-A O'Brien",
                         "2026-12-15", "Open", ""]],
                       [0.3, 0.35, 2.2, 2.2, 1.2, 0.9, 0.8, 0.9])],
                [("Owner", "Éloïse Tremblay", "2026-10-30")], d(2026, 10, 30))),
        "emergency-response/2026-04-01 emergency response plan.pdf": (
            "reportlab", Form(
                "Emergency Response Plan", "F-ERP-01",
                [("Sites", "Shop and office; client job sites"), ("Revised", "2026-04-01"),
                 ("Emergency number", "911"), ("Muster point", "Front gate of shop yard"),
                 ("Nearest medical", "Haines Junction Health Centre, 867-634-4444"),
                 ("First aid attendants", "Tremblay, O'Brien, Tāgé Smith")],
                [Table(["Emergency", "What to do"],
                       [["Fall or injury at height",
                         "Call 911; first aider to the worker; rescue from height kit in "
                         "TRK-01 (suspended worker: rescue within 15 minutes)"],
                        ["Fire in the shop", "Pull alarm, leave by nearest exit, muster at "
                         "the front gate, head count by the office manager"],
                        ["Fire on a roof (torch work)", "Extinguisher within 3 m; fire watch "
                         "60 minutes after torch work"],
                        ["Vehicle incident on the highway", "Secure scene, call 911, "
                         "satellite message to office"],
                        ["Bear encounter", "Group up, bear spray, retreat to the truck"],
                        ["Remote site, no cell service", "Inreach SOS; check-ins at 10:00, "
                         "14:00 and end of day; missed check-in: office calls after 30 min"]],
                       [1.4, 4]),
                 Table(["Kit / equipment", "Where", "Checked"],
                       [["First aid kit (Z1220-17, type 2)", "Shop, TRK-01, TRK-02",
                         "monthly"],
                        ["Fire extinguishers 5 lb ABC", "Shop door, each truck", "monthly"],
                        ["Rescue-from-height kit", "TRK-01", "monthly"]])],
                [("Approved", "Éloïse Tremblay", "2026-04-01")], d(2026, 4, 1))),
        "emergency-response/2026-06-11 fire evacuation drill record.pdf": (
            "reportlab", Form(
                "Emergency Drill Record", "F-ERP-02",
                [("Date", "2026-06-11"), ("Site", "Shop and office"),
                 ("Scenario", "Fire in the shop"), ("Time to muster", "2 min 10 s"),
                 ("People", "6 of 6 counted"), ("Led by", "Éloïse Tremblay")],
                [Text("What went well", "Everyone left by the nearest exit; head count done "
                      "at the gate in under a minute."),
                 Text("Issues", "Side door was blocked by a shingle pallet; one worker "
                      "went back for a phone."),
                 Table(["Action", "Who", "Done"],
                       [["Keep 1 m clear at the side door; floor marking", "D. Tāgé Smith",
                         "2026-06-12"],
                        ["Never go back in: added to orientation", "M-A O'Brien",
                         "2026-06-15"]])],
                [("Drill lead", "Éloïse Tremblay", "2026-06-11")], d(2026, 6, 11))),
        "orientations/2026-04-20 orientation Owen Kuster.pdf": (
            "reportlab", Form(
                "New Worker Orientation Checklist", "F-OR-01",
                [("Worker", "Owen Kuster"), ("Position", "Roofer (seasonal)"),
                 ("Start date", "2026-04-20"), ("Oriented by", "Mary-Anne O'Brien")],
                [Checklist("Covered with the worker (initialled)", [
                    ("Rights: know, participate, refuse", yes),
                    ("Company rules and discipline", yes),
                    ("Hazards of roofing; FLHA each job", yes),
                    ("PPE issued: harness, hard hat, glasses", yes),
                    ("Emergency procedures and muster point", yes),
                    ("Reporting incidents and hazards", yes), ("WHMIS", yes),
                    ("Working alone check-ins", yes),
                    ("Violence & harassment prevention policy", yes),
                    ("Fall protection certificate seen", yes)])],
                [("Worker", "Owen Kuster", "2026-04-20"),
                 ("Supervisor", "Daniel Tāgé Smith", "2026-04-20")], d(2026, 4, 20))),
        "orientations/2026-05-11 orientation Jesse Lindqvist.jpg": (
            "photo", Form(
                "New Worker Orientation Checklist", "F-OR-01",
                [("Worker", "Jesse Lindqvist"), ("Position", "Labourer"),
                 ("Start date", "2026-05-11"), ("Oriented by", "M-A O'Brien")],
                [Checklist("Covered with the worker", [
                    ("Rights: know, participate, refuse", yes),
                    ("Company rules and discipline", yes),
                    ("Hazards; FLHA each job", yes), ("PPE issued", yes),
                    ("Emergency procedures", yes), ("Reporting", yes), ("WHMIS", yes),
                    ("Working alone", yes), ("Violence & harassment policy", yes),
                    ("Fall protection training", "No")]),
                 Text("Note", "Fall protection course booked for May 26; ground work "
                      "only until then.")],
                [("Worker", "Jesse Lindqvist", "05-11"),
                 ("Supervisor", "D. Tāgé Smith", "05-11")], d(2026, 5, 11))),
    }


SAMPLES_BLOCK = """\
# Dates and titles for files whose names carry none (added by make_example_samples.py)
samples:
  site-inspections/scan0042.pdf: {date: 2026-08-12, title: Job site inspection Mendenhall cabin}
"""


def _scan_pdf(form: Form, path: Path) -> None:
    """A black-and-white office scan inside a PDF (what a scanner's 'scan to PDF' makes)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    page = form_image(form, 1275, hand=True, seed=3).convert("L").rotate(
        0.8, fillcolor=255, resample=Image.Resampling.BICUBIC)
    page = page.point(lambda v: 255 if v > 170 else (0 if v < 90 else v))
    buf = io.BytesIO()
    page.save(buf, "PNG", optimize=True)
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, *letter)
    c.showPage()
    c.save()


def make_samples(target: Path = TARGET) -> list[Path]:
    """Write every sample; returns the files written."""
    from reportlab import rl_config

    rl_config.useA85 = 0
    written = []
    libre: list[tuple[Path, bytes]] = []
    for index, (name, (how, form)) in enumerate(sorted(_forms().items())):
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if how == "reportlab":
            form_pdf(form, path, seed=index)
        elif how == "landscape":
            form_pdf(form, path, seed=index, sideways=True)
        elif how == "scan":
            _scan_pdf(form, path)
        elif how == "docx":
            path.write_bytes(form_docx(form))
        elif how == "libreoffice":
            libre.append((path, form_docx(form)))
            continue
        elif how == "photo":
            paper = form_image(form, 1100, seed=index)
            photo = phone_photo(paper, (1200, 1600), seed=index, noise=3)
            save_phone_jpeg(photo, path, quality=80, orientation=6)
        elif how == "screenshot":
            form_image(form, 900, hand=False, seed=index).quantize(
                16, dither=Image.Dither.NONE).save(path, optimize=True)
        written.append(path)
    if libre:
        from manualgen.services.office import convert_to_pdf

        with tempfile.TemporaryDirectory() as tmp:
            sources = []
            for i, (path, data) in enumerate(libre):
                src = Path(tmp) / f"lo{i}.docx"
                src.write_bytes(data)
                sources.append((src, path))
            for conv, (_, path) in zip(convert_to_pdf([s for s, _ in sources],
                                                      Path(tmp) / "out"), sources,
                                       strict=True):
                if conv.pdf is None:
                    raise SystemExit(f"LibreOffice failed on {path.name}: {conv.error}")
                shutil.copyfile(conv.pdf, path)
                written.append(path)
    settings = target / "submission.yaml"
    text = settings.read_text(encoding="utf-8") if settings.is_file() else ""
    if "\nsamples:" not in "\n" + text:
        settings.write_text(text.rstrip("\n") + "\n" + SAMPLES_BLOCK, encoding="utf-8")
    return written


def main() -> None:
    files = make_samples()
    total = sum(p.stat().st_size for p in files)
    for p in sorted(files):
        print(f"{p.stat().st_size:>9,}  {p.relative_to(ROOT)}")
    print(f"{total:>9,}  bytes in {len(files)} samples")


if __name__ == "__main__":
    main()


__all__ = ["Form", "Table", "Checklist", "Text", "form_pdf", "form_image", "form_docx",
           "phone_photo", "save_phone_jpeg"]
