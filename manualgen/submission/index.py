"""The JSON index written beside the submission PDF: every document, where it came from,
and which pages it fills - so NSNY (or a script) can find a document without the PDF."""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

from manualgen.submission.check import Report
from manualgen.submission.pages import CategoryEntry, FrontInfo


def _span(first: int, count: int) -> list[int] | None:
    return [first, first + count - 1] if count > 0 and first > 0 else None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def index_data(pdf_name: str, info: FrontInfo, sections: list[tuple[str, int, int]],
               categories: list[CategoryEntry], report: Report,
               hashes: dict[str, str]) -> dict:
    """sections: (title, first page, page count) of the pages before the categories."""
    return {
        "pdf": pdf_name,
        "package": info.package_title,
        "company": info.legal_name,
        "year": info.year,
        "period": {"start": info.period[0].isoformat(), "end": info.period[1].isoformat()},
        "anniversary": info.anniversary.isoformat(),
        "prepared_by": info.prepared_by,
        "pages": info.total_pages,
        "sections": [{"title": t, "pages": _span(first, n)} for t, first, n in sections],
        "categories": [{
            "number": cat.number,
            "key": cat.key,
            "title": cat.title,
            "status": cat.status,
            "status_text": cat.status_text,
            "needed": cat.needed,
            "divider": _span(cat.divider_page, cat.divider_pages),
            "documents": [{
                "title": doc.title,
                "date": doc.date.isoformat() if doc.date else None,
                "source": doc.source,
                "sha256": hashes.get(doc.source),
                "pages": _span(doc.first_page, doc.pages),
                "page_count": doc.pages,
                "notes": doc.notes,
            } for doc in cat.docs],
            "not_included": [{"file": f, "reason": why} for f, why in cat.refused],
        } for cat in categories],
        "findings": [_relative(p.as_dict(), report.folder) for p in report.findings],
        "ignored": report.ignored,
    }


def _relative(finding: dict, folder: Path) -> dict:
    """Paths inside the submission folder as written there, wherever the build ran from."""
    with contextlib.suppress(ValueError):
        finding["path"] = Path(finding["path"]).relative_to(folder).as_posix()
    return finding


def index_text(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
