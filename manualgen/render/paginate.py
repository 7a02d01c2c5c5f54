"""Where each heading falls, from a LibreOffice rendering of the document.

A Word TOC field shows nothing until somebody updates it; we fill its cached result with
real page numbers instead. LibreOffice lays the document out once and exports its
headings as PDF bookmarks; matching them in order to the contents entries gives each
entry's page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pypdf import PdfReader

from manualgen.errors import ToolError
from manualgen.render.libreoffice import convert_one


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((item.title.strip(), reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    return found


def heading_pages(pdf: Path, entries: list[tuple[str, str]]) -> dict[str, int]:
    """Map each (bookmark, text) entry to its page, matching the PDF outline in order."""
    outline = _outline(PdfReader(pdf))
    pages: dict[str, int] = {}
    pos = 0
    for bookmark, text in entries:
        want = " ".join(text.split())
        while pos < len(outline) and " ".join(outline[pos][0].split()) != want:
            pos += 1
        if pos == len(outline):
            raise ToolError(f"the heading {text!r} was not found in LibreOffice's layout",
                            fix="check that the master template's Heading styles have an "
                                "outline level")
        pages[bookmark] = outline[pos][1]
        pos += 1
    return pages


def paginate(docx_data: bytes, entries: list[tuple[str, str]], name: str = "manual"
             ) -> tuple[dict[str, int], bytes]:
    """Lay out the document with LibreOffice; return heading pages and the PDF bytes."""
    with tempfile.TemporaryDirectory(prefix="manualgen-pages-") as tmp:
        src = Path(tmp) / f"{name}.docx"
        src.write_bytes(docx_data)
        pdf = convert_one(src, Path(tmp) / "out")
        return heading_pages(pdf, entries), pdf.read_bytes()
