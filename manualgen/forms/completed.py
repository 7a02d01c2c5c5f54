"""A completed form as a PDF sample: the company's form layout with the answers.

The page looks like the blank form the company prints (its name and logo at the top, the
form's title, its revision, and the same QR code, `forms.qr`), then each section with its
questions and answers; a group (a table of the Word form) is a table, signatures are the
pictures drawn on the phone with the signer's name, photos are placed as the phone sent
them (JPEG passes into the PDF as it is, never encoded again) scaled to fit the page.

Deterministic: reportlab's invariant mode, the document's dates are the day the form was
made, pictures in the order of the answers; the same answers give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

import reportlab.rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from manualgen.forms.qr import form_code, qr_png
from manualgen.inputs.library.form_fields import ROW, FormField, FormFields, Heading
from manualgen.inputs.library.model import FormInfo
from manualgen.inputs.profile import CompanyProfile
from manualgen.render.pdffonts import register_fonts

reportlab.rl_config.useA85 = 0

NAVY = colors.HexColor("#1F3A5F")
RULE = colors.HexColor("#B8C2CC")
SHADE = colors.HexColor("#EEF2F6")
PAGE_W, PAGE_H = LETTER
MARGIN = 0.7 * inch
FRAME_W = PAGE_W - 2 * MARGIN - 12
PHOTO_MAX_H = 3.6 * inch
SIGNATURE_H = 0.55 * inch

class _Styles:
    def __init__(self) -> None:
        self.font, self.bold, _italic = register_fonts()
        base = {"fontName": self.font, "fontSize": 9.5, "leading": 12}
        self.body = ParagraphStyle("body", **base)
        self.label = ParagraphStyle("label", **{**base, "fontName": self.bold})
        self.cell = ParagraphStyle("cell", **{**base, "fontSize": 8.5, "leading": 10.5})
        self.head = ParagraphStyle("head", **{**base, "fontSize": 8.5, "leading": 10.5,
                                              "fontName": self.bold})
        self.small = ParagraphStyle("small", **{**base, "fontSize": 8, "leading": 10,
                                                "textColor": colors.HexColor("#555555")})
        self.company = ParagraphStyle("company", **{**base, "fontSize": 11, "leading": 14,
                                                    "fontName": self.bold})
        self.title = ParagraphStyle("title", **{**base, "fontSize": 16, "leading": 20,
                                                "fontName": self.bold, "textColor": NAVY})
        self.h2 = ParagraphStyle("h2", **{**base, "fontSize": 11.5, "leading": 14,
                                          "fontName": self.bold, "textColor": NAVY,
                                          "spaceBefore": 10, "spaceAfter": 4,
                                          "keepWithNext": 1})


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _picture(data: bytes, max_w: float, max_h: float) -> Image:
    """A picture scaled to fit, its bytes as given (a JPEG is embedded as it is)."""
    w, h = ImageReader(io.BytesIO(data)).getSize()
    scale = min(max_w / w, max_h / h)
    return Image(io.BytesIO(data), width=w * scale, height=h * scale)


def _choice_label(f: FormField, value: str, choices: dict[str, dict[str, str]]) -> str:
    return choices.get(f.id, {}).get(value, value)


def _answer_text(f: FormField, value: Any, choices: dict[str, dict[str, str]]) -> str:
    if value is None or value == "" or value == []:
        return ""
    if f.kind == "yes_no":
        return {"yes": "Yes", "no": "No"}.get(value, value)
    if isinstance(value, list):
        return "; ".join(_choice_label(f, str(v), choices) for v in value)
    return _choice_label(f, str(value), choices)


def _choices(definition: FormFields) -> dict[str, dict[str, str]]:
    """Each field's choice labels by value (the words the crew picked)."""
    out: dict[str, dict[str, str]] = {}
    for f in definition.all_fields():
        if f.choices:
            out[f.id] = {getattr(c, "value", c): getattr(c, "label", c) for c in f.choices}
    return out


def render_completed(info: FormInfo, definition: FormFields, meta: dict[str, Any],
                     files: dict[str, bytes], profile: CompanyProfile, *,
                     day: dt.date) -> bytes:
    """The completed form's PDF bytes (see the module docstring)."""
    st = _Styles()
    company = profile.profile.company
    code = form_code(info.id, info.revision, company.wscb_account)
    made = dt.datetime.fromisoformat(meta["made"])
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=0.85 * inch, title=f"{info.title} - {company.name} - {day.isoformat()}",
        author=company.name, subject=f"Completed {info.title}", creator="manualgen",
        producer="manualgen (reportlab)", invariant=1, lang="en-CA")
    answers = meta["answers"]
    choices = _choices(definition)
    story: list = [_header(info, profile, code.text(), st)]
    story.append(_p(f"Completed on a phone {made:%Y-%m-%d %H:%M}; form id {meta['id']}; "
                    f"revision {meta.get('revision', info.revision)} of the form.", st.small))
    for section in definition.sections:
        shown = [f for f in section.fields if _has(answers.get(f.id))]
        if not shown and section.when is not None:
            continue
        story.append(_p(section.title, st.h2))
        plain: list[list] = []
        for f in section.fields:
            value = answers.get(f.id)
            if f.kind in ("group", "signature", "signatures", "photo", "photos"):
                if plain:
                    story.append(_plain_table(plain))
                    plain = []
                story += _special(f, value, files, choices, st)
            elif f.when is None or _has(value):
                plain.append([_p(f.label, st.label), _p(_answer_text(f, value, choices),
                                                        st.body)])
        if plain:
            story.append(_plain_table(plain))
    stamp = f"D:{day:%Y%m%d}120000+00'00'"

    def dated(canvas, _doc) -> None:
        canvas.setDateFormatter(lambda *_: stamp)
        canvas.saveState()
        canvas.setFont(st.font, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, 0.5 * inch, f"{info.title}, revision {info.revision} - "
                          f"{company.name}")
        canvas.drawRightString(PAGE_W - MARGIN, 0.5 * inch, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    doc.build(story, onFirstPage=dated, onLaterPages=dated)
    return buf.getvalue()


def _has(value: Any) -> bool:
    return value not in (None, "", [], {})


def _header(info: FormInfo, profile: CompanyProfile, code: str, st: _Styles) -> Table:
    company = profile.profile.company
    left: list = []
    if profile.logo is not None:
        left.append(_picture(profile.logo.data, 1.7 * inch, 0.6 * inch))
        left.append(Spacer(1, 4))
    left += [_p(company.name, st.company), _p(info.title, st.title),
             _p(f"Revision {info.revision}", st.small)]
    qr = Image(io.BytesIO(qr_png(code)), width=0.8 * inch, height=0.8 * inch)
    t = Table([[left, qr]], colWidths=[FRAME_W - 0.9 * inch, 0.9 * inch])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                           ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return t


def _plain_table(rows: list[list]) -> Table:
    t = Table(rows, colWidths=[FRAME_W * 0.36, FRAME_W * 0.64])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                           ("BACKGROUND", (0, 0), (0, -1), SHADE)]))
    return t


def _special(f: FormField, value: Any, files: dict[str, bytes],
             choices: dict[str, dict[str, str]], st: _Styles) -> list:
    """A group as a table, signatures and photos as pictures."""
    if f.kind == "group":
        return _group(f, value or [], files, choices, st)
    if f.kind == "signature":
        if not _has(value) or value not in files:
            return [_plain_table([[_p(f.label, st.label), _p("Not signed", st.small)]])]
        return [KeepTogether([_p(f.label, st.label),
                              _picture(files[value], 2.6 * inch, SIGNATURE_H)])]
    if f.kind == "signatures":
        rows = [[_p("Name", st.head), _p("Signature", st.head)]]
        for item in value or []:
            sig = files.get(item.get("signature", ""))
            rows.append([_p(item.get("name", ""), st.body),
                         _picture(sig, 2.6 * inch, SIGNATURE_H) if sig else ""])
        t = Table(rows, colWidths=[FRAME_W * 0.45, FRAME_W * 0.55], repeatRows=1)
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                               ("BACKGROUND", (0, 0), (-1, 0), SHADE)]))
        return [_p(f.label, st.label), Spacer(1, 2), t]
    names = value if isinstance(value, list) else [value] if _has(value) else []
    pictures = [_picture(files[n], FRAME_W, PHOTO_MAX_H) for n in names if n in files]
    if not pictures:
        return []
    return [_p(f.label, st.label), *[x for pic in pictures for x in (pic, Spacer(1, 4))]]


def _group(f: FormField, rows: list[dict[str, Any]], files: dict[str, bytes],
           choices: dict[str, dict[str, str]], st: _Styles) -> list:
    columns = [c for c in f.fields or [] if c.kind not in ("photo", "photos", "signature",
                                                             "signatures")]
    fixed = f.rows is not None or f.rows_from is not None
    head = ([_p("Item", st.head)] if fixed else []) + [_p(c.label, st.head) for c in columns]
    table_rows = [head]
    styles = [("GRID", (0, 0), (-1, -1), 0.4, RULE), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
              ("VALIGN", (0, 0), (-1, -1), "TOP")]
    by_label = {r.get(ROW): r for r in rows if ROW in r}
    ordered: list[tuple[str | None, dict[str, Any] | None]] = []
    if fixed:
        for r in f.rows or []:
            if isinstance(r, Heading):
                ordered.append((r.heading, None))
            else:
                ordered.append((None, by_label.pop(r, {ROW: r})))
        ordered += [(None, r) for r in by_label.values()]            # rows_from's
    else:
        ordered = [(None, r) for r in rows]
    span = len(head)
    for heading, row in ordered:
        if heading is not None:
            table_rows.append([_p(heading, st.head)] + [""] * (span - 1))
            n = len(table_rows) - 1
            styles += [("SPAN", (0, n), (-1, n)), ("BACKGROUND", (0, n), (-1, n), SHADE)]
            continue
        assert row is not None
        cells = [_p(row.get(ROW, ""), st.cell)] if fixed else []
        cells += [_p(_answer_text(c, row.get(c.id), choices), st.cell) for c in columns]
        table_rows.append(cells)
    if len(table_rows) == 1:
        return [_plain_table([[_p(f.label, st.label), _p("None", st.small)]])]
    weights = ([2.2] if fixed else []) + [2.0 if c.kind in ("long_text", "text") else 1.0
                                          for c in columns]
    total = sum(weights)
    t = Table(table_rows, colWidths=[FRAME_W * w / total for w in weights], repeatRows=1)
    t.setStyle(TableStyle(styles))
    out: list = [_p(f.label, st.label), Spacer(1, 2), t]
    for row in rows:                                   # the rows' photos, under the table
        for c in f.fields or []:
            if c.kind not in ("photo", "photos"):
                continue
            value = row.get(c.id)
            names = value if isinstance(value, list) else [value] if _has(value) else []
            for n in names:
                if n in files:
                    caption = f"{row.get(ROW) or f.label}: {c.label}"
                    out += [Spacer(1, 4), _p(caption, st.small),
                            _picture(files[n], FRAME_W, PHOTO_MAX_H)]
    return out
