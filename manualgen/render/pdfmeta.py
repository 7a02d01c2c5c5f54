"""Make a PDF's bytes depend only on its content: fixed dates, fixed /ID, set properties."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf


def pdf_date(day: dt.date) -> str:
    return f"D:{day:%Y%m%d}120000Z"


def set_info(pdf: pikepdf.Pdf, *, when: dt.date, title: str, author: str, subject: str = "",
             keywords: str = "", creator: str = "manualgen") -> None:
    """Document properties with fixed dates; the XMP copy, with dates and an id of its
    own, is dropped so the bytes depend only on the content."""
    if "/Metadata" in pdf.Root:
        del pdf.Root.Metadata
    stamp = pdf_date(when)
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(
        Title=title, Author=author, Subject=subject, Keywords=keywords, Creator=creator,
        Producer=creator, CreationDate=stamp, ModDate=stamp))


def _reading_position(annotation) -> tuple[float, float]:
    try:
        left, bottom, right, top = (float(v) for v in annotation.Rect)
    except (AttributeError, TypeError, ValueError):
        return (0.0, 0.0)
    return (-max(top, bottom), min(left, right))


def _annotations_in_reading_order(page) -> None:
    """A page's links top to bottom, then left to right: LibreOffice lists them in an
    order that depends on what it laid out before (a warm instance's differs from a cold
    one's), and the order is also the order Tab moves through them."""
    annots = page.obj.get("/Annots")
    if isinstance(annots, pikepdf.Array) and len(annots) > 1:
        page.obj.Annots = pikepdf.Array(sorted(annots, key=_reading_position))


def normalise_pdf(data: bytes, *, when: dt.date, title: str, author: str,
                  subject: str = "", keywords: str = "") -> bytes:
    """Rewrite a PDF (LibreOffice's, say) with fixed metadata and a deterministic /ID."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        set_info(pdf, when=when, title=title, author=author, subject=subject,
                 keywords=keywords)
        # LibreOffice's checksum and /ID are taken with the clock in them; qpdf keeps a
        # first /ID it finds, so both go and the /ID is made from the content alone.
        for key in ("/DocChecksum", "/ID"):
            if key in pdf.trailer:
                del pdf.trailer[key]
        for page in pdf.pages:
            _annotations_in_reading_order(page)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()
