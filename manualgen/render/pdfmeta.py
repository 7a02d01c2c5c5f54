"""Make a PDF's bytes depend only on its content: fixed dates, fixed /ID, set properties."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf


def pdf_date(day: dt.date) -> str:
    return f"D:{day:%Y%m%d}120000Z"


def normalise_pdf(data: bytes, *, when: dt.date, title: str, author: str,
                  subject: str = "", keywords: str = "") -> bytes:
    """Rewrite a PDF (LibreOffice's, say) with fixed metadata and a deterministic /ID."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/Metadata" in pdf.Root:
            del pdf.Root.Metadata  # XMP repeats the dates and a random document id
        info = pdf.docinfo
        for key in list(info.keys()):
            del info[key]
        info["/Title"] = title
        info["/Author"] = author
        info["/Subject"] = subject
        info["/Keywords"] = keywords
        info["/Creator"] = "manualgen"
        info["/Producer"] = "manualgen"
        info["/CreationDate"] = pdf_date(when)
        info["/ModDate"] = pdf_date(when)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()
