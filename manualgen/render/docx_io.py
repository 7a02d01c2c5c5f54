"""Saving Word documents so the same inputs give the same bytes.

python-docx stamps zip entries with the time of saving and core properties with "now";
here both are pinned to the document's own date, and the zip is rewritten in a fixed
order with fixed metadata.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx.document import Document

from manualgen.render.wordxml import prune_styles

CORE_PROPERTY_LIMIT = 255     # characters python-docx (and Word) allow in a core property


def _fits(text: str) -> str:
    """A property cut to the length Word allows. The inputs' models keep every name well
    inside it; a title built of a prefix and a long name may still reach it."""
    return text if len(text) <= CORE_PROPERTY_LIMIT else text[:CORE_PROPERTY_LIMIT - 1] + "…"


def set_properties(document: Document, *, title: str, author: str, when: dt.date,
                   subject: str = "", revision: int = 1, keywords: str = "") -> None:
    stamp = dt.datetime(when.year, when.month, when.day, 12, 0, 0)
    props = document.core_properties
    props.title = _fits(title)
    props.author = _fits(author)
    props.last_modified_by = _fits(author)
    props.subject = _fits(subject)
    props.keywords = _fits(keywords)
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = max(1, revision)
    props.comments = ""


ZIP_EPOCH = 1980       # the first year a zip timestamp can hold


def normalise_zip(data: bytes, when: dt.date) -> bytes:
    """Rewrite an OOXML zip with fixed timestamps and the same entry order every time."""
    src = zipfile.ZipFile(io.BytesIO(data))
    return zip_members({name: src.read(name) for name in src.namelist()}, when)


def zip_members(members: dict[str, bytes], when: dt.date, *, compress: bool = True) -> bytes:
    """An OOXML zip of `members` (name -> bytes), in a fixed order with fixed metadata;
    stored, not deflated, without `compress` (a draft read back at once)."""
    stamp = (max(when.year, ZIP_EPOCH), when.month, when.day, 0, 0, 0)
    # [Content_Types].xml first, as Office writes it; the rest in a stable order.
    names = sorted(members, key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            info.create_system = 0
            dst.writestr(info, members[name])
    return out.getvalue()


class _Members:
    """Stands in for python-docx's zip writer: keeps each member's bytes."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def write(self, pack_uri, blob: bytes) -> None:
        self.items[pack_uri.membername] = blob


def docx_bytes(document: Document, when: dt.date, *, compress: bool = True) -> bytes:
    """The document as deterministic .docx bytes: python-docx's own serialisation of each
    part (what `Document.save` does), zipped once, in our order, instead of zipped by
    python-docx and then again. A draft only measured needs no `compress` (deflating is
    a share of a cached build: bench/NOTES.md). Unused styles are dropped first
    (`prune_styles`)."""
    from docx.opc.pkgwriter import PackageWriter

    prune_styles(document)
    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    members = _Members()
    PackageWriter._write_content_types_stream(members, package.parts)
    PackageWriter._write_pkg_rels(members, package.rels)
    PackageWriter._write_parts(members, package.parts)
    return zip_members(members.items, when, compress=compress)
