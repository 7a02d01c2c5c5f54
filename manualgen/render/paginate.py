"""Where each heading falls, from a LibreOffice rendering of the document.

A Word TOC field shows nothing until somebody updates it; we fill its cached result with
real page numbers instead. LibreOffice lays the document out once and exports every Word
bookmark as a PDF named destination; each contents entry's bookmark (written on its
heading when the manual is composed) then names its page. Headings are found by their
position in the document, never by their text: a policy's sub-heading may read the same as
a chapter's table ("Equipment inventory").
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from pypdf import PdfReader

from manualgen.errors import ToolError
from manualgen.services.office import Office

# LibreOffice's PDF export option that turns Word bookmarks into named destinations.
BOOKMARK_DESTINATIONS = {"ExportBookmarksToPDFDestination": True}

# A name's '_' may come back escaped as '#5F' (read by pypdf as '5F').
_ESCAPED_UNDERSCORE = re.compile(r"^/?(?:#5F|5F)")


def _destination_name(key: str) -> str:
    return _ESCAPED_UNDERSCORE.sub("_", key).lstrip("/")


def destination_pages(reader: PdfReader) -> dict[str, int]:
    """Every named destination of the PDF and its 1-based page."""
    return {_destination_name(name): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


def heading_pages(pdf: Path, bookmarks: list[str]) -> dict[str, int]:
    """Map each contents entry's bookmark to the page LibreOffice put it on."""
    pages = destination_pages(PdfReader(pdf))
    missing = [b for b in bookmarks if b not in pages]
    if missing:
        raise ToolError(f"{len(missing)} headings were not found in LibreOffice's layout "
                        f"(first: {missing[0]})",
                        fix="check that LibreOffice is version 7.4 or later")
    return {b: pages[b] for b in bookmarks}


def paginate(docx_data: bytes, bookmarks: list[str], office: Office, name: str = "manual"
             ) -> tuple[dict[str, int], bytes]:
    """Lay out the document with LibreOffice; return heading pages and the PDF bytes."""
    with tempfile.TemporaryDirectory(prefix="manualgen-pages-") as tmp:
        src = Path(tmp) / f"{name}.docx"
        src.write_bytes(docx_data)
        pdf = office.convert_one(src, Path(tmp) / "out", options=BOOKMARK_DESTINATIONS)
        return heading_pages(pdf, bookmarks), pdf.read_bytes()
