"""Where each heading falls, from a LibreOffice rendering of the document.

A Word TOC field shows nothing until somebody updates it; we fill its cached result with
real page numbers instead. LibreOffice lays the document out once and exports every Word
bookmark as a PDF named destination; each contents entry's bookmark (written on its
heading when the manual is composed) then names its page. Headings are found by their
position in the document, never by their text: a policy's sub-heading may read the same as
a chapter's table ("Equipment inventory").
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import posixpath
import re
import tempfile
import zipfile
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from manualgen.errors import ToolError
from manualgen.services.office import Office
from manualgen.services.storage import scratch_dir

if TYPE_CHECKING:
    from pypdf import PdfReader

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
    from pypdf import PdfReader  # here: a warm layout reads no PDF, and pypdf is slow to load

    pages = destination_pages(PdfReader(pdf))
    _require(pages, bookmarks)
    return {b: pages[b] for b in bookmarks}


def _require(pages: dict[str, int], bookmarks: list[str]) -> None:
    """Every heading's bookmark must be in the layout (LibreOffice before 7.4 drops them)."""
    missing = [b for b in bookmarks if b not in pages]
    if missing:
        raise ToolError(f"{len(missing)} headings were not found in LibreOffice's layout "
                        f"(first: {missing[0]})",
                        fix="check that LibreOffice is version 7.4 or later")


def paginate(docx_data: bytes, bookmarks: list[str], office: Office, name: str = "manual"
             ) -> tuple[dict[str, int], bytes]:
    """Lay out the document with LibreOffice; return heading pages and the PDF bytes."""
    with scratch_dir("manualgen-pages-") as tmp:
        src = Path(tmp) / f"{name}.docx"
        src.write_bytes(docx_data)
        pdf = office.convert_one(src, Path(tmp) / "out", options=BOOKMARK_DESTINATIONS)
        return heading_pages(pdf, bookmarks), pdf.read_bytes()


# --- incremental layout -------------------------------------------------------------------
#
# Every level-1 heading starts a page (its style has "page break before"), so the pages of
# a chapter depend on its own content only: each chapter's page count, and the page of
# each contents entry within it, are kept by a hash of the chapter's content, and only the
# chapters not seen before are laid out (in a small document, or one for each warm
# LibreOffice, side by side: any chapters may share a document, since each is measured
# from its own first heading). The front matter (cover and contents, before the first
# level-1 heading) is one more segment.

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
LAYOUT_VERSION = "3"      # bump when what a segment's hash covers changes
# Package parts whose content shapes every page (styles, compatibility settings, fonts).
CONTEXT_PARTS = ("word/styles.xml", "word/settings.xml", "word/fontTable.xml",
                 "word/theme/theme1.xml")


_RUNNING = re.compile(r"word/(header|footer)\d*\.xml$")
_TEXT = re.compile(rb"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)")
_DIGIT = re.compile(rb"[0-9]")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class SegmentLayout:
    """How one segment lays out: its pages, and each contents entry's page within it."""

    pages: int
    offsets: tuple[int, ...]     # 0-based page within the segment, entries in order


@dataclass
class Segment:
    key: str                     # hash of everything its layout depends on
    first: int                   # index of its first body element
    stop: int                    # one past its last
    bookmarks: list[str]         # its contents entries, in order
    front: bool                  # the front matter (first page, no heading of its own)
    size: int = 0                # bytes of its XML: about how long it takes to lay out


class LayoutCache:
    """Segment layouts by content hash: in memory, and in `folder` when one is given (the
    company's folder, chosen by the caller). Entries are small JSON files written
    atomically, so builds in several processes may share a folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.memory: dict[str, SegmentLayout] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> SegmentLayout | None:
        found = self.memory.get(key)
        if found is None and self.folder is not None:
            try:
                data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
                found = SegmentLayout(int(data["pages"]), tuple(int(o) for o in data["offsets"]))
                self.memory[key] = found
            except (OSError, ValueError, KeyError, TypeError):
                found = None
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: str, layout: SegmentLayout) -> None:
        self.memory[key] = layout
        if self.folder is not None:
            text = json.dumps({"pages": layout.pages, "offsets": list(layout.offsets)})
            with contextlib.suppress(OSError):     # a cache that cannot be written is no cache
                self.folder.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{key}.", suffix=".part")
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, self.folder / f"{key}.json")


class _Package:
    """The parts of a .docx that segment hashes refer to."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zip.namelist())
        self.rels = self._rels("word/_rels/document.xml.rels")
        self._digests: dict[str, str] = {}
        self._nums = self._numbering()

    def _rels(self, name: str) -> dict[str, tuple[str, bool]]:
        if name not in self.names:
            return {}
        root = etree.fromstring(self.zip.read(name))
        return {r.get("Id"): (r.get("Target"), r.get("TargetMode") == "External")
                for r in root.iter(f"{{{RELS}}}Relationship")}

    def part_digest(self, name: str) -> str:
        """A part's bytes and, one level down, what its relationships point at. In a
        header or footer each digit of its text counts as 0: "Revision 4" takes the room
        "Revision 3" took (the fonts' figures are all one width), so raising the revision
        does not lay out again every chapter whose pages carry it."""
        if name not in self._digests:
            data = self.zip.read(name) if name in self.names else b"-"
            if _RUNNING.match(name):
                data = _TEXT.sub(lambda m: m.group(1) + _DIGIT.sub(b"0", m.group(2)) +
                                 m.group(3), data)
            h = hashlib.sha256(data)
            folder, base = posixpath.split(name)
            for rid, (target, external) in sorted(
                    self._rels(posixpath.join(folder, "_rels", base + ".rels")).items()):
                inner = target if external else posixpath.normpath(
                    posixpath.join(folder, target))
                blob = inner.encode() if external or inner not in self.names \
                    else self.zip.read(inner)
                h.update(rid.encode() + hashlib.sha256(blob).digest())
            self._digests[name] = h.hexdigest()
        return self._digests[name]

    def rel_digest(self, rid: str) -> str:
        target, external = self.rels.get(rid, ("", True))
        if external:
            return "url:" + target
        return self.part_digest(posixpath.normpath(posixpath.join("word", target)))

    def _numbering(self) -> dict[str, str]:
        """numId -> hash of its definition (the abstract list and the start overrides)."""
        if "word/numbering.xml" not in self.names:
            return {}
        root = etree.fromstring(self.zip.read("word/numbering.xml"))
        abstract = {}
        for a in root.iter(_w("abstractNum")):
            copy = deepcopy(a)
            copy.attrib.pop(_w("abstractNumId"), None)
            abstract[a.get(_w("abstractNumId"))] = etree.tostring(copy, method="c14n")
        out = {}
        for num in root.iter(_w("num")):
            copy = deepcopy(num)
            copy.attrib.pop(_w("numId"), None)
            ref = num.find(_w("abstractNumId"))
            inner = abstract.get(ref.get(_w("val")) if ref is not None else None, b"")
            out[num.get(_w("numId"))] = hashlib.sha256(
                etree.tostring(copy, method="c14n") + inner).hexdigest()
        return out

    def num_digest(self, num_id: str) -> str:
        return self._nums.get(num_id, "none:" + num_id)


def _canonical(element, package: _Package) -> bytes:
    """An element as it matters for layout: bookmark names and ids, link anchors, picture
    ids gone; relationship ids and list ids replaced by what they point at. The way of
    the tree, for a document whose prefixes `_canonical_text` cannot rely on."""
    el = deepcopy(element)
    for mark in [*el.iter(_w("bookmarkStart"), _w("bookmarkEnd"))]:
        mark.getparent().remove(mark)
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag == _w("hyperlink"):
            node.attrib.pop(_w("anchor"), None)
        elif node.tag in (f"{{{WP}}}docPr", f"{{{PIC}}}cNvPr"):
            node.attrib.pop("id", None)
            node.attrib.pop("name", None)
        elif node.tag == _w("numId"):
            node.set(_w("val"), package.num_digest(node.get(_w("val"), "")))
        for attr in (f"{{{R}}}embed", f"{{{R}}}id", f"{{{R}}}link"):
            if attr in node.attrib:
                node.set(attr, package.rel_digest(node.get(attr)))
    return etree.tostring(el, method="c14n")


# The same changes made in the XML's text, as lxml writes it under the usual prefixes:
# a manual's 1,500 body elements are serialised once, not each with the root's namespace
# declarations (four fifths of what was hashed) and a copy for those with list ids.
_BOOKMARK = re.compile(rb"<w:bookmark(?:Start|End) [^>]*/>")
_ANCHOR = re.compile(rb'(<w:hyperlink\b[^>]*?) w:anchor="[^"]*"')
_PICTURE = re.compile(rb"<(?:wp:docPr|pic:cNvPr) [^>]*>")
_ID_OR_NAME = re.compile(rb' (?:id|name)="[^"]*"')
_NUM_ID = re.compile(rb'<w:numId w:val="([^"]*)"/>')
_REL = re.compile(rb' r:(embed|id|link)="([^"]*)"')
_PREFIXES = {"w": W, "r": R}
_SPLIT = " manualgen: a segment starts "


def _canonical_text(text: bytes, package: _Package) -> bytes:
    text = _ANCHOR.sub(rb"\1", _BOOKMARK.sub(b"", text))
    text = _PICTURE.sub(lambda m: _ID_OR_NAME.sub(b"", m.group()), text)
    text = _NUM_ID.sub(lambda m: b'<w:numId w:val="%s"/>' % package.num_digest(
        m.group(1).decode()).encode(), text)
    return _REL.sub(lambda m: b' r:%s="%s"' % (m.group(1), package.rel_digest(
        m.group(2).decode()).encode()), text)


def _segment_texts(root, body, children: list, spans: list[tuple[int, int]], sect,
                   package: _Package) -> list[bytes]:
    """Each segment's canonical XML: the front matter, then one a chapter (`spans`: the
    body elements of each, first and one past the last)."""
    starts = [first for first, _ in spans[1:]]
    if any(root.nsmap.get(k) != v for k, v in _PREFIXES.items()):
        return [b"".join(_canonical(c, package) for c in children[a:b]) for a, b in spans]
    markers = [etree.Comment(_SPLIT) for _ in starts]
    for i, marker in zip(starts, markers, strict=True):
        children[i].addprevious(marker)
    if sect is not None:
        body.remove(sect)
    try:
        text = etree.tostring(body)
    finally:
        for marker in markers:
            body.remove(marker)
        if sect is not None:
            body.append(sect)
    inner = text[text.index(b">") + 1:text.rindex(b"</")] if children else b""
    return [_canonical_text(part, package)
            for part in inner.split(b"<!--" + _SPLIT.encode() + b"-->")]


def segments(docx_data: bytes, toc: list[tuple[int, str]], identity: str = ""
             ) -> tuple[list[Segment], etree._Element]:
    """Split the body at each level-1 contents entry; hash each part with its context.

    `toc`: (level, bookmark) of every contents entry; `identity`: what else the layout
    depends on (the LibreOffice and fonts that lay it out). Returns the segments and the
    parsed document (its body's children are what the indexes count).
    """
    package = _Package(docx_data)
    root = etree.fromstring(package.zip.read("word/document.xml"))
    body = root.find(_w("body"))
    children = [c for c in body if c.tag != _w("sectPr")]
    sect = body.find(_w("sectPr"))
    chapters = {b for level, b in toc if level == 1}
    wanted = {b for _, b in toc}
    context = hashlib.sha256(LAYOUT_VERSION.encode() + identity.encode())
    for name in CONTEXT_PARTS:
        context.update(package.part_digest(name).encode())
    if sect is not None:
        context.update(_canonical(sect, package))
    # Each contents entry's bookmark, by the body element it is in, in document order.
    index = {child: i for i, child in enumerate(children)}
    marks: dict[int, list[str]] = {}
    for mark in body.iter(_w("bookmarkStart")):
        top = mark
        while top.getparent() is not body:
            top = top.getparent()
        if top in index:
            marks.setdefault(index[top], []).append(mark.get(_w("name")))
    starts = [i for i in sorted(marks) if any(m in chapters for m in marks[i])]
    spans = list(zip([0, *starts], [*starts, len(children)], strict=True))
    texts = _segment_texts(root, body, children, spans, sect, package)
    found = []
    for n, (first, stop) in enumerate(spans):
        key = hashlib.sha256(context.digest() + (b"chapter" if n else b"front") + texts[n])
        found.append(Segment(key.hexdigest(), first, stop,
                             [m for i in range(first, stop) for m in marks.get(i, [])
                              if m in wanted], n == 0, len(texts[n])))
    return found, root


def _only(docx_data: bytes, root, keep: list[Segment]) -> bytes:
    """The document with only the `keep` segments (the rest of the package as it is)."""
    root = deepcopy(root)
    body = root.find(_w("body"))
    children = [c for c in body if c.tag != _w("sectPr")]
    kept = {i for seg in keep for i in range(seg.first, seg.stop)}
    for i, child in enumerate(children):
        if i not in kept:
            body.remove(child)
    if not any(seg.front for seg in keep):
        # A page of its own before the first chapter kept, standing in for the cover: a
        # heading that opens a document lays out otherwise than one after a page break
        # (LibreOffice drops its space before), which moved a later heading of the chapter
        # by a page. The lead page keeps the cover's first-page header, and the segments'
        # pages are measured from their own first headings, so it is counted nowhere.
        body.insert(0, etree.Element(_w("p")))
    src = zipfile.ZipFile(io.BytesIO(docx_data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                  standalone=True) if info.filename == "word/document.xml" \
                else src.read(info.filename)
            dst.writestr(info, data)
    return out.getvalue()


def _layouts(laid_out: list[Segment], pages: dict[str, int], total: int
             ) -> dict[str, SegmentLayout]:
    _require(pages, [b for seg in laid_out for b in seg.bookmarks])
    starts = [1 if seg.front else pages[seg.bookmarks[0]] for seg in laid_out]
    ends = [*starts[1:], total + 1]
    return {seg.key: SegmentLayout(end - start,
                                   tuple(pages[b] - start for b in seg.bookmarks))
            for seg, start, end in zip(laid_out, starts, ends, strict=True)}


@dataclass
class Pagination:
    pages: dict[str, int]        # bookmark -> 1-based page
    total: int                   # pages in the document
    pdf: bytes | None            # the whole document's rendering, when it was laid out
    laid_out: int                # segments LibreOffice laid out now
    segments: int


def paginate_incremental(docx_data: bytes, toc: list[tuple[int, str]], office: Office,
                         cache: LayoutCache, name: str = "manual") -> Pagination:
    """Heading pages from the cached layouts of unchanged segments, laying out the rest.

    The segments not known are laid out in documents of their own (the whole document
    when none is known), as many at once as the office has warm instances, each read
    back without writing a PDF; with a cold office, in one PDF (returned when it is the
    whole document). None new: LibreOffice is not needed at all.
    """
    found, root = segments(docx_data, toc, office.identity)
    known = {seg.key: cache.get(seg.key) for seg in found}
    todo = [seg for seg in found if known[seg.key] is None]
    pdf_data = None
    if todo:
        measured, pdf_data = _lay_out(docx_data, root, found, todo, office, name)
        for key, layout in measured.items():
            if len(layout.offsets) != len(next(s for s in todo if s.key == key).bookmarks):
                raise AssertionError("a segment's entries changed while it was measured")
            cache.put(key, layout)
            known[key] = layout
    pages: dict[str, int] = {}
    start = 1
    for seg in found:
        layout = known[seg.key]
        assert layout is not None
        if len(layout.offsets) != len(seg.bookmarks):
            raise ToolError("the layout cache does not match the document",
                            fix="delete the layout cache folder and build again")
        for bookmark, offset in zip(seg.bookmarks, layout.offsets, strict=True):
            pages[bookmark] = start + offset
        start += layout.pages
    return Pagination(pages, start - 1, pdf_data, len(todo), len(found))


def groups(todo: list[Segment], lanes: int) -> list[list[Segment]]:
    """The segments in at most `lanes` groups of about equal size (the largest first,
    each into the lightest group), each group in document order."""
    bins: list[list[Segment]] = [[] for _ in range(min(lanes, len(todo)))]
    weights = [0] * len(bins)
    for seg in sorted(todo, key=lambda s: -s.size):
        lightest = weights.index(min(weights))
        bins[lightest].append(seg)
        weights[lightest] += seg.size
    return [sorted(group, key=lambda s: s.first) for group in bins]


def _lay_out(docx_data: bytes, root, found: list[Segment], todo: list[Segment],
             office: Office, name: str) -> tuple[dict[str, SegmentLayout], bytes | None]:
    """The layouts of the `todo` segments, and the whole document's PDF when a cold
    office laid out the whole document."""
    whole = len(todo) == len(found)
    parts = groups(todo, office.lanes)
    with scratch_dir("manualgen-pages-") as tmp:
        def source(part: list[Segment], stem: str) -> Path:
            src = Path(tmp) / f"{stem}.docx"
            src.write_bytes(docx_data if len(part) == len(found) else _only(docx_data, root, part))
            return src

        sources = [source(part, name if len(parts) == 1 else f"{name}-{i + 1}")
                   for i, part in enumerate(parts)]
        read = office.bookmark_pages([(src, [b for seg in part for b in seg.bookmarks])
                                      for src, part in zip(sources, parts, strict=True)])
        if read is not None:
            measured: dict[str, SegmentLayout] = {}
            for part, (pages, total) in zip(parts, read, strict=True):
                measured.update(_layouts(part, pages, total))
            return measured, None
        # Cold, or a warm layout failed (then the PDF's conversion says why): one document.
        src = sources[0] if len(parts) == 1 else source(todo, name)
        from pypdf import PdfReader

        pdf = office.convert_one(src, Path(tmp) / "out", options=BOOKMARK_DESTINATIONS)
        reader = PdfReader(pdf)
        return (_layouts(todo, destination_pages(reader), len(reader.pages)),
                pdf.read_bytes() if whole else None)
