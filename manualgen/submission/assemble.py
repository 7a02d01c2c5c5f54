"""Merge the parts into one PDF: outline, links, page stamp, shared objects, properties.

pikepdf (qpdf) does the merge: it was the fastest measured and keeps /Rotate right. Every
page gets "company - year - page X of Y" in a strip along its displayed bottom edge; the
page's own content is shrunk a little towards the top so the stamp never covers it
(pages the packager drew itself already keep that strip free). Identical fonts and
images of different files are stored once. Dates and /ID come from the inputs, so the
same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from manualgen.errors import ToolError
from manualgen.render.pdfmeta import set_info

STAMP_STRIP = 22.0        # points kept free along the displayed bottom edge
STAMP_SIZE = 8.0          # font size of the stamp
STAMP_BASELINE = 8.0
STAMP_GREY = 0.35


@dataclass
class Part:
    """A run of pages in the output, from a file or bytes."""

    source: Path | bytes
    pages: int
    framed: bool = False              # bottom strip already free: stamp without shrinking
    links: list[tuple[int, tuple[float, float, float, float], str]] = field(
        default_factory=list)         # (page in part, rect, target key)


@dataclass
class OutlineNode:
    title: str
    target: str
    children: list[OutlineNode] = field(default_factory=list)


@dataclass
class Properties:
    title: str
    author: str
    subject: str
    keywords: str
    creator: str
    date: dt.date


# --- geometry ----------------------------------------------------------------------------

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def combine(first: Matrix, then: Matrix) -> Matrix:
    """The matrix applying `first`, then `then` (PDF row-vector convention)."""
    a, b, c, d, e, f = first
    A, B, C, D, E, F = then
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def invert(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def visible_box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    media = [float(v) for v in page.mediabox]
    box = media
    if "/CropBox" in page.obj:
        crop = [float(v) for v in page.obj.CropBox]
        box = [max(min(media[0], media[2]), min(crop[0], crop[2])),
               max(min(media[1], media[3]), min(crop[1], crop[3])),
               min(max(media[0], media[2]), max(crop[0], crop[2])),
               min(max(media[1], media[3]), max(crop[1], crop[3]))]
        if box[2] <= box[0] or box[3] <= box[1]:
            box = media
    x0, x1 = sorted((box[0], box[2]))
    y0, y1 = sorted((box[1], box[3]))
    return x0, y0, x1, y1


def display_matrix(box: tuple[float, float, float, float], rotate: int) -> tuple[
        Matrix, float, float]:
    """(display -> user space matrix, displayed width, displayed height) for /Rotate."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if rotate == 90:
        return (0, 1, -1, 0, x1, y0), h, w
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1), w, h
    if rotate == 270:
        return (0, -1, 1, 0, x0, y1), h, w
    return (1, 0, 0, 1, x0, y0), w, h


def page_rotation(page: pikepdf.Page) -> int:
    try:
        return int(page.obj.get("/Rotate", 0)) % 360 // 90 * 90
    except (TypeError, ValueError):
        return 0


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def cm(m: Matrix) -> bytes:
    return (" ".join(_num(v) for v in m) + " cm").encode()


# --- shared objects ----------------------------------------------------------------------

_REFERENCE = re.compile(rb"\d+ \d+ R")     # also inside a string: then merely the slow way


class Deduplicator:
    """Gives identical fonts and images (same dictionary, same bytes) one object."""

    def __init__(self) -> None:
        self.memo: dict[tuple[int, int], bytes] = {}
        self.canonical: dict[bytes, pikepdf.Object] = {}

    def digest(self, obj) -> bytes:
        if not isinstance(obj, pikepdf.Object):        # numbers, booleans, null
            return f"{type(obj).__name__}:{obj}".encode()
        if obj.is_indirect:
            key = obj.objgen
            if key in self.memo:
                return self.memo[key]
            self.memo[key] = b"cycle%d" % key[0]     # placeholder while walking
            value = self._digest(obj)
            self.memo[key] = value
            return value
        return self._digest(obj)

    # A damaged or hostile PDF may nest arrays and dictionaries hundreds deep: past this
    # depth an object gets a digest of its own, so it is never merged (nor a stack blown).
    MAX_NESTING = 64
    _nesting = 0
    _unmerged = 0

    def _digest(self, obj: pikepdf.Object) -> bytes:
        if self._nesting >= self.MAX_NESTING:
            self._unmerged += 1
            return b"unmerged%d" % self._unmerged
        self._nesting += 1
        try:
            return self._digest_of(obj)
        finally:
            self._nesting -= 1

    @staticmethod
    def _key(k: str) -> bytes:
        # Names that are not UTF-8 (a bit flip does it) come from pikepdf as surrogates;
        # surrogateescape gives the PDF's bytes back.
        try:
            return k.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return k.encode("utf-8", "surrogatepass")

    @staticmethod
    def _flat(obj: pikepdf.Object) -> bytes | None:
        """An array or dictionary (not a page) with nothing indirect inside - a font's
        /Widths, an image's /DecodeParms - as its text, which is its value: hashed at once
        rather than item by item in Python. None for anything else."""
        if isinstance(obj, Dictionary) and obj.get("/Type") == Name.Page:
            return None
        if not isinstance(obj, Array | Dictionary):
            return None
        flat = obj.unparse(resolved=True)
        return None if _REFERENCE.search(flat) else flat

    def _digest_of(self, obj: pikepdf.Object) -> bytes:
        h = hashlib.sha256()
        if isinstance(obj, pikepdf.Stream):
            h.update(b"S")
            for k in sorted(obj.keys()):
                if k not in ("/Length", "/Parent"):
                    h.update(self._key(k) + self.digest(obj[k]))
            h.update(obj.read_raw_bytes())
        elif (flat := self._flat(obj)) is not None:
            h.update(b"T" + flat)
        elif isinstance(obj, Dictionary):
            h.update(b"D")
            if obj.get("/Type") == Name.Page:
                h.update(b"page%d" % obj.objgen[0])   # never merge pages
            for k in sorted(obj.keys()):
                if k != "/Parent":
                    h.update(self._key(k) + self.digest(obj[k]))
        elif isinstance(obj, Array):
            h.update(b"A")
            for item in obj:
                h.update(self.digest(item))
        else:
            h.update(b"O" + obj.unparse())
        return h.digest()

    def share(self, resources: pikepdf.Object, depth: int = 0) -> None:
        """Point the entries of a /Resources dictionary at the first identical object."""
        if not isinstance(resources, Dictionary) or depth > 8:
            return
        for kind in ("/Font", "/XObject"):
            group = resources.get(kind)
            if not isinstance(group, Dictionary):
                continue
            for name in list(group.keys()):
                obj = group[name]
                if not obj.is_indirect:
                    continue
                if kind == "/XObject" and obj.get("/Subtype") == Name.Form:
                    self.share(obj.get("/Resources"), depth + 1)
                first = self.canonical.setdefault(self.digest(obj), obj)
                if first.objgen != obj.objgen:
                    group[name] = first


# --- the stamp ---------------------------------------------------------------------------

@dataclass
class Stamps:
    """Every page's stamp: its text in the stamp font's encoding, and its size.

    One page of reportlab draws every character the stamps have, so its font subsets hold
    them all; each stamp's text is encoded in those subsets (reportlab's own `splitString`,
    the way its canvas does) and drawn by operators of our own on the page itself: 5,000
    stamps cost 5,000 short streams, not a 5,000-page document read back and a form each.
    """

    font_pdf: bytes                                  # the page whose fonts the stamps use
    texts: list[list[tuple[str, bytes]]]             # per stamp: (font name there, codes)
    sizes: list[tuple[float, float]]


def make_stamps(texts: list[str]) -> Stamps:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas as rl_canvas

    from manualgen.submission.pages import fonts

    regular, _ = fonts()
    font = pdfmetrics.getFont(regular)
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, invariant=1, pageCompression=1)
    c.setFont(regular, STAMP_SIZE)
    c.drawString(0, 0, "".join(sorted(set("".join(texts)))))
    encoded, sizes = [], []
    for text in texts:
        if getattr(font, "_dynamicFont", False):     # TrueType: in the document's subsets
            encoded.append([(font.getSubsetInternalName(subset, c._doc), chunk)
                            for subset, chunk in font.splitString(text, c._doc)])
        else:                                        # a standard font: WinAnsi bytes
            encoded.append([(c._doc.getInternalFontName(regular),
                             text.encode("cp1252", "replace"))])
        sizes.append((stringWidth(text, regular, STAMP_SIZE) + 2, STAMP_SIZE * 1.4))
    c.showPage()
    c.save()
    return Stamps(buf.getvalue(), encoded, sizes)


def _stamp_fonts(out: pikepdf.Pdf, stamps: Stamps) -> dict[str, pikepdf.Object]:
    """The stamp's fonts copied into `out` once (by their names on reportlab's page)."""
    with pikepdf.open(io.BytesIO(stamps.font_pdf)) as carrier:
        fonts = {name: out.copy_foreign(font)
                 for name, font in carrier.pages[0].obj.Resources.Font.items()}
        _materialise_all(fonts.values(), set())     # the font programs: before closing
    return fonts


class _StampResources:
    """Each page's resources with the stamp fonts added under free names. Pages sharing
    one /Resources dictionary (LibreOffice's, reportlab's) share one copy of it too; the
    names are chosen, not random, so the same inputs give the same bytes."""

    def __init__(self, out: pikepdf.Pdf, fonts: dict[str, pikepdf.Object]) -> None:
        self.out = out
        self.fonts = fonts
        self.made: dict[tuple[int, int], tuple[pikepdf.Object, dict[str, str]]] = {}

    def add(self, page: pikepdf.Page) -> dict[str, str]:
        """Give the page its resources; the stamp fonts' names in them."""
        old = page.obj.get("/Resources")
        key = old.objgen if isinstance(old, Dictionary) and old.is_indirect else None
        if key in self.made:
            res, names = self.made[key]
        else:
            res = Dictionary({k: v for k, v in old.items()}) if isinstance(old, Dictionary) \
                else Dictionary()
            old_fonts = res.get("/Font")
            fonts = Dictionary({k: v for k, v in old_fonts.items()}) \
                if isinstance(old_fonts, Dictionary) else Dictionary()
            names = {}
            for i, (name, font) in enumerate(sorted(self.fonts.items())):
                n, free = 0, f"/MgStamp{i}"
                while free in fonts:
                    n += 1
                    free = f"/MgStamp{i}_{n}"
                fonts[free] = font
                names[name] = free
            res.Font = fonts
            if key is not None:
                res = self.out.make_indirect(res)
                self.made[key] = (res, names)
        page.obj.Resources = res
        return names


def _streams_of(obj: pikepdf.Object, seen: set | None = None):
    """Every stream reachable from `obj` (not through /Parent), each once."""
    seen = set() if seen is None else seen
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, Dictionary | pikepdf.Stream):
            if item.is_indirect:
                if item.objgen in seen:
                    continue
                seen.add(item.objgen)
            if isinstance(item, pikepdf.Stream):
                yield item
            stack.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, Array):
            stack.extend(item)


def _materialise_all(objects, seen: set) -> None:
    """Give every stream reachable from `objects` (copied from another PDF) its own, still
    encoded, bytes, so that PDF can be closed now rather than kept open, parsed, until
    the output is saved. `seen`: the objects done already."""
    for obj in objects:
        for stream in _streams_of(obj, seen):
            raw = stream.read_raw_bytes()
            stream.write(raw, filter=stream.get("/Filter"),
                         decode_parms=stream.get("/DecodeParms"))


def _stamp_page(page: pikepdf.Page, text: list[tuple[str, bytes]], size: tuple[float, float],
                shrink: bool, stream: Callable[[bytes], pikepdf.Object],
                resources: _StampResources) -> None:
    """Shrink the page's content (unless its strip is free already) and draw its stamp.

    The operators that shrink are the same on most pages (same page size), so `stream`
    gives one shared stream for each distinct text of them."""
    box = visible_box(page)
    to_user, width, height = display_matrix(box, page_rotation(page))
    fw, fh = size
    k = min(1.0, (width - 16) / fw) if width > 16 else 1.0
    place: Matrix = (k, 0, 0, k, (width - fw * k) / 2, STAMP_BASELINE - STAMP_SIZE * 0.3 * k)
    names = resources.add(page)
    shown = b"".join(b"%s %s Tf <%s> Tj " % (names[name].encode(), _num(STAMP_SIZE).encode(),
                                              codes.hex().encode()) for name, codes in text)
    draw = (b"q " + cm(combine(place, to_user)) + b" " + _num(STAMP_GREY).encode() +
            b" g BT 1 0 0 1 1 " + _num(STAMP_SIZE * 0.3).encode() + b" Tm " + shown +
            b"ET Q\n")
    if shrink:
        scale = max(0.5, (height - STAMP_STRIP) / height) if height > 2 * STAMP_STRIP else 1.0
        # In display space: scale about the top centre, freeing a strip at the bottom.
        squeeze: Matrix = (scale, 0, 0, scale, (1 - scale) * width / 2, (1 - scale) * height)
        user = combine(combine(invert(to_user), squeeze), to_user)
        page.contents_add(stream(b"q " + cm(user) + b"\n"), prepend=True)
        draw = b"\nQ\n" + draw
        _move_annotations(page, user)
    page.contents_add(draw)


def _move_annotations(page: pikepdf.Page, m: Matrix) -> None:
    annots = page.obj.get("/Annots")
    if not isinstance(annots, Array):
        return
    for annot in annots:
        if not isinstance(annot, Dictionary):
            continue
        rect = annot.get("/Rect")
        if isinstance(rect, Array) and len(rect) == 4:
            x0, y0, x1, y1 = (float(v) for v in rect)
            pts = [apply(m, x, y) for x in (x0, x1) for y in (y0, y1)]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            annot.Rect = Array([min(xs), min(ys), max(xs), max(ys)])
        quads = annot.get("/QuadPoints")
        if isinstance(quads, Array) and len(quads) % 2 == 0:
            vals = [float(v) for v in quads]
            out = []
            for i in range(0, len(vals), 2):
                out.extend(apply(m, vals[i], vals[i + 1]))
            annot.QuadPoints = Array(out)


# --- the whole document ------------------------------------------------------------------

def _link(pdf: pikepdf.Pdf, rect, page: pikepdf.Page) -> pikepdf.Object:
    return pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=Array([float(v) for v in rect]),
        Border=Array([0, 0, 0]),
        Dest=Array([page.obj, Name.XYZ, None, None, None])))


def assemble(parts: list[Part], outline: list[OutlineNode], targets: dict[str, int],
             stamp: Callable[[int, int], str], props: Properties, output: Path,
             progress: Callable[[int], None] | None = None) -> int:
    """Write the merged PDF to `output`; returns its page count.

    targets: link/outline key -> 0-based page index in the output.
    """
    tick = progress or (lambda n: None)
    out = pikepdf.new()
    framed: list[bool] = []
    links: list[tuple[int, tuple[float, float, float, float], str]] = []
    version = "1.4"
    dedupe = Deduplicator()
    copied_streams: set = set()
    try:
        # Linear in pages and light in memory: pikepdf's `pages[i]` costs O(n) and
        # `pages.extend` grows quadratically, so each part's page list is taken once, the
        # copied pages go straight into the page tree's /Kids, and the output's page list
        # is taken once. Each part's identical fonts and images are pointed at the first
        # copy, its streams given their own bytes and the part closed before the next is
        # opened: only the output's objects stay in memory.
        tree = out.Root.Pages
        kids = Array()
        for part in parts:
            with pikepdf.open(io.BytesIO(part.source) if isinstance(part.source, bytes)
                              else part.source, password="") as src:
                src_pages = list(src.pages)
                if len(src_pages) != part.pages:
                    raise ToolError(
                        f"{part.source if isinstance(part.source, Path) else 'a page'} has "
                        f"{len(src_pages)} pages, {part.pages} were planned")
                version = max(version, src.pdf_version)
                start = len(kids)
                copied = []
                for page in src_pages:      # copying a page brings its inherited attributes
                    obj = out.copy_foreign(page.obj)
                    obj.Parent = tree
                    kids.append(obj)
                    copied.append(obj)
                for obj in copied:
                    dedupe.share(obj.get("/Resources"))
                _materialise_all(copied, copied_streams)
            framed.extend([part.framed] * part.pages)
            links.extend((start + page_no, rect, target) for page_no, rect, target in part.links)
            tick(1)
        tree.Kids = kids
        tree.Count = len(kids)
        pages = list(out.pages)
        total = len(pages)
        if total != len(kids):
            raise AssertionError(f"merged {total} pages, copied {len(kids)}")
        for page_no, rect, target in links:
            if target not in targets:
                raise AssertionError(f"a link to an unknown target {target}")   # a bug
            page = pages[page_no]
            if "/Annots" not in page.obj:
                page.obj.Annots = Array()
            page.obj.Annots.append(_link(out, rect, pages[targets[target]]))
        stamps = make_stamps([stamp(i + 1, total) for i in range(total)])
        resources = _StampResources(out, _stamp_fonts(out, stamps))
        shared: dict[bytes, pikepdf.Object] = {}

        def stream(data: bytes) -> pikepdf.Object:
            if data not in shared:
                shared[data] = out.make_stream(data)
            return shared[data]

        for page, text, size, own_frame in zip(pages, stamps.texts, stamps.sizes, framed,
                                               strict=True):
            _stamp_page(page, text, size, shrink=not own_frame, stream=stream,
                        resources=resources)
        _outline(out, outline, targets)
        _properties(out, props)
        out.save(output, compress_streams=True, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, min_version=version,
                 fix_metadata_version=False)
        tick(1)
        return total
    finally:
        out.close()


def _outline(pdf: pikepdf.Pdf, nodes: list[OutlineNode], targets: dict[str, int]) -> None:
    def item(node: OutlineNode) -> pikepdf.OutlineItem:
        entry = pikepdf.OutlineItem(node.title, targets[node.target])
        entry.children.extend(item(child) for child in node.children)
        return entry

    with pdf.open_outline() as outline:
        outline.root.extend(item(n) for n in nodes)
    pdf.Root.PageMode = Name.UseOutlines


def _properties(pdf: pikepdf.Pdf, props: Properties) -> None:
    set_info(pdf, when=props.date, title=props.title, author=props.author,
             subject=props.subject, keywords=props.keywords, creator=props.creator)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    pdf.Root.Lang = pikepdf.String("en-CA")
