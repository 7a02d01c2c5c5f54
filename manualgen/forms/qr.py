"""The QR code on every blank form: the company, the form and its revision, for the paper
form's way back in (a scan or a phone photo filed by its code).

The code says `SECOR:FORM:<form id>:<revision>:<company key>` (`FormCode`, defined with the
form definitions in `inputs.library.form_fields`, where an intake reads it back with
`read_form_code`). It is drawn by segno as a PNG and placed in each page footer, floating
in the bottom right-hand corner of the page, inside the margins: the footer's text and the
page's layout do not move, so a form keeps its page count. The same inputs give the same
bytes.
"""

from __future__ import annotations

import io

import segno
from docx.document import Document
from docx.section import Section
from docx.shared import Inches

from manualgen.inputs.library.form_fields import FormCode, company_key
from manualgen.render import wordxml

QR_SIZE_IN = 0.6           # the printed code, quiet zone included
QR_BORDER = 2              # modules of quiet zone drawn (the page margin adds more white)
QR_SCALE = 8               # pixels a module in the PNG
RIGHT_INSET_IN = 0.3       # from the page's right edge
BOTTOM_INSET_IN = 0.3      # from the page's bottom edge
# The drawing's id, unique in the document: python-docx numbers a footer's drawings from 1
# and docxtpl the logo's from 1000.
DOC_PR_ID = 9001


def form_code(form_id: str, revision: int, wscb_account: str) -> FormCode:
    return FormCode(form_id, revision, company_key(wscb_account))


def qr_png(text: str) -> bytes:
    """The code as a black-on-white PNG; deterministic."""
    qr = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()


def place_code(document: Document, code: FormCode) -> None:
    """The code in the footer of every section (each footer once), at the page's bottom
    right corner."""
    png = qr_png(code.text())
    done: set[int] = set()
    for section in document.sections:
        for footer in _footers(section):
            part = footer.part              # a footer shared by sections: once
            if id(part) in done:
                continue
            done.add(id(part))
            paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            run = paragraph.add_run()
            run.add_picture(io.BytesIO(png), width=Inches(QR_SIZE_IN))
            _float(run, section, code.text())


def _footers(section: Section):
    yield section.footer
    if section.different_first_page_header_footer:
        yield section.first_page_footer


def _float(run, section: Section, text: str) -> None:
    """The run's picture anchored to the page's bottom right corner, wrapped by nothing
    (the layout does not change)."""
    cx, cy = wordxml.picture_size(run)
    wordxml.anchor_picture(
        run, x=int(section.page_width) - int(Inches(RIGHT_INSET_IN)) - cx,
        y=int(section.page_height) - int(Inches(BOTTOM_INSET_IN)) - cy,
        doc_id=DOC_PR_ID, name="Form code", file_name="form-code.png",
        description=f"QR code: {text}")
