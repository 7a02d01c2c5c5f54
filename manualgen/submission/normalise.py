"""Every sample to PDF pages: PDFs kept, Word/ODT through LibreOffice, pictures placed.

PDFs are kept as they are; damaged ones are repaired by qpdf (through pikepdf) and
encrypted ones opened with the empty password, each noted. Word and ODT files go through
one LibreOffice run for the whole batch, from copies, so LibreOffice's lock files never
touch the folder. Pictures get their EXIF rotation, lose transparency (onto white) and
are placed on a Letter page at no more than 200 dpi unless `keep_resolution`.
A file that cannot be read becomes an `Unreadable` naming it - never a silent gap.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from PIL import Image, ImageOps

from manualgen.errors import Problem
from manualgen.inputs.images import (
    DECODE_ERRORS,
    MAX_FRAMES,
    MAX_SAMPLE_PIXELS,
    TooLarge,
    count_frames,
    open_image,
)
from manualgen.submission.intake import Sample

LETTER = (612.0, 792.0)           # points
IMAGE_MARGIN = 36.0               # points around a placed picture (leaves room for the stamp)
MAX_DPI = 200
JPEG_QUALITY = 75             # re-encoded photos: text stays sharp at 200 dpi
MIN_DPI = 150                 # below this, handwriting on a photographed form blurs
DPI_SLACK = 1.05              # a picture this close to the cap is not resampled
_ORIENTATION_ROTATE = {1: 0, 3: 180, 6: 90, 8: 270}   # EXIF orientation -> PDF /Rotate
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_PDF_PAGES = 2000          # pages of one sample: a year's inspections scanned together


class Unreadable(Exception):
    """A sample that cannot go into the PDF: what is wrong and how to fix it."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass
class Normalised:
    """A sample as a PDF file ready to merge."""

    sample: Sample
    pdf: Path
    pages: int
    notes: list[Problem] = field(default_factory=list)   # warnings: repaired, decrypted
    framed: bool = False       # pages made here with a free bottom margin: no shrinking


@dataclass
class Failed:
    sample: Sample
    problem: Problem


def problem(sample: Sample, message: str, fix: str | None = None,
            severity: str = "error") -> Problem:
    return Problem(str(sample.path), None, None, message, fix, severity)


# --- PDF -------------------------------------------------------------------------------

def open_pdf(path: Path) -> tuple[pikepdf.Pdf, list[str]]:
    """Open with the empty password, repairing if needed; notes say what was done."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror})", "check its permissions") from exc
    if b"%PDF-" not in head:
        raise Unreadable("this is not a PDF file (it does not start like one)",
                         "open it and save it again as PDF, or give it its right extension")
    try:
        pdf = pikepdf.open(path, password="")
    except pikepdf.PasswordError as exc:
        raise Unreadable("the PDF is protected with a password",
                         "save a copy without the password (print to PDF) and "
                         "put that in the folder instead") from exc
    except pikepdf.PdfError as exc:
        raise Unreadable(f"the PDF is damaged and cannot be repaired ({_short(exc)})",
                         "copy it again from its source, or scan the paper original") from exc
    notes = []
    if pdf.is_encrypted:
        notes.append("the PDF is encrypted with an empty password; opened and included "
                     "without its restrictions")
    if pdf.get_warnings():
        notes.append("the PDF was damaged and has been repaired; check its pages against "
                     "the original")
    pages = len(pdf.pages)
    if pages == 0:
        pdf.close()
        raise Unreadable("the PDF has no pages", "copy it again from its source")
    if pages > MAX_PDF_PAGES:
        pdf.close()
        raise Unreadable(f"the PDF has {pages:,} pages; a sample may have at most "
                         f"{MAX_PDF_PAGES:,}", "a sample is one document: split the file, "
                         "or choose the pages the category asks for")
    return pdf, notes


def probe_pdf(path: Path) -> tuple[int, list[str]]:
    pdf, notes = open_pdf(path)
    with pdf:
        return len(pdf.pages), notes


def normalise_pdf(sample: Sample, work: Path) -> Normalised:
    pdf, notes = open_pdf(sample.path)
    with pdf:
        pages = len(pdf.pages)
        has_fields = "/AcroForm" in pdf.Root and len(pdf.Root.AcroForm.get("/Fields", [])) > 0
        if not notes and not has_fields:
            return Normalised(sample, sample.path, pages, _notes(sample, notes))
        if has_fields:
            # Filled-in form fields live outside the pages; merged, they would vanish.
            pdf.generate_appearance_streams()
            pdf.flatten_annotations("all")
            if "/AcroForm" in pdf.Root:
                del pdf.Root["/AcroForm"]
        target = work / f"{_slot(sample)}.pdf"
        try:
            pdf.save(target, encryption=False, deterministic_id=True)
        except pikepdf.PdfError as exc:
            raise Unreadable(f"the PDF is damaged and cannot be repaired ({_short(exc)})",
                             "copy it again from its source") from exc
    return Normalised(sample, target, pages, _notes(sample, notes))


def _notes(sample: Sample, notes: list[str]) -> list[Problem]:
    return [problem(sample, n, severity="warning") for n in notes]


def _short(exc: Exception) -> str:
    text = str(exc).split(": ", 1)[-1] if ": " in str(exc) else str(exc)
    return text.strip()[:160]


def _slot(sample: Sample) -> str:
    """A file name for the sample's work files, unique per sample and stable."""
    return sample.rel.replace("/", "__").replace(" ", "_")


# --- Word and ODT ----------------------------------------------------------------------

# What a Word or ODT sample may unzip to before LibreOffice sees it. A document of a few
# hundred pages with photos is well under both; a 300 MB run of text (a zip bomb of 300 KB)
# kept LibreOffice busy for four minutes.
MAX_WORD_EXPANDED = 200 * 1024 * 1024   # every part together
MAX_WORD_TEXT_PART = 25 * 1024 * 1024   # one XML part: the text, styles, ...
MAX_WORD_PARTS = 10_000


def _check_expansion(zf: zipfile.ZipFile) -> None:
    """Refuse a document that unzips to far more than any real one (a zip bomb). The sizes
    are the ones the zip declares; a part that unzips to more is caught by testzip()."""
    infos = zf.infolist()
    big = max(((i.file_size, i.filename) for i in infos if i.filename.endswith(".xml")),
              default=(0, ""))
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_WORD_PARTS or total > MAX_WORD_EXPANDED or \
            big[0] > MAX_WORD_TEXT_PART:
        what = f"its text ({big[1]}) unzips to {big[0] / 2**20:,.0f} MB" \
            if big[0] > MAX_WORD_TEXT_PART else \
            f"it unzips to {total / 2**20:,.0f} MB in {len(infos):,} parts"
        raise Unreadable(
            f"the document is far larger inside than a Word file should be: {what} (at most "
            f"{MAX_WORD_EXPANDED // 2**20} MB, text at most {MAX_WORD_TEXT_PART // 2**20} MB)",
            "open it in Word or LibreOffice, save it as PDF and put the PDF in the folder "
            "instead")


def sniff_word(path: Path) -> None:
    """Refuse what LibreOffice would silently turn into a page of garbage text, or be
    stuck on for minutes."""
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(8)
    if suffix in (".docx", ".odt"):
        if head.startswith(_OLE_MAGIC):
            raise Unreadable("the document is protected with a password",
                             "save a copy without the password and put that in the folder")
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                _check_expansion(zf)
                bad = zf.testzip()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
                NotImplementedError) as exc:
            raise Unreadable("the document is damaged (it is not a readable Word/ODT file)",
                             "open it in Word or LibreOffice and save it again") from exc
        needed = "word/document.xml" if suffix == ".docx" else "content.xml"
        if bad is not None or needed not in names:
            raise Unreadable("the document is damaged (parts of it are missing)",
                             "open it in Word or LibreOffice and save it again")
    elif suffix == ".doc" and not head.startswith(_OLE_MAGIC):
        raise Unreadable("this is not a Word .doc file", "open it and save it again as .docx")
    elif suffix == ".rtf" and not head.startswith(b"{\\rtf"):
        raise Unreadable("this is not an RTF file", "open it and save it again as .docx")


def normalise_word(samples: list[Sample], work: Path,
                   convert: Callable | None = None) -> list[Normalised | Failed]:
    """One LibreOffice run for every Word/ODT sample, from numbered copies."""
    if convert is None:
        from manualgen.services.office import Office

        convert = Office.find().convert
    results: dict[int, Normalised | Failed] = {}
    copies: list[Path] = []
    index: dict[str, int] = {}
    src_dir = work / "word-in"
    src_dir.mkdir(parents=True, exist_ok=True)
    for i, sample in enumerate(samples):
        try:
            sniff_word(sample.path)
        except Unreadable as exc:
            results[i] = Failed(sample, problem(sample, exc.message, exc.fix))
            continue
        copy = src_dir / f"w{i:04d}{sample.path.suffix.lower()}"
        shutil.copyfile(sample.path, copy)
        copies.append(copy)
        index[copy.stem] = i
    if copies:
        for conv in convert(copies, work / "word-out"):
            i = index[conv.source.stem]
            sample = samples[i]
            if conv.pdf is None:
                results[i] = Failed(sample, problem(
                    sample, f"the document could not be converted to PDF ({conv.error})",
                    "open it in Word or LibreOffice, save it as PDF and put the PDF in "
                    "the folder instead"))
                continue
            try:
                pages, _ = probe_pdf(conv.pdf)
            except Unreadable as exc:
                results[i] = Failed(sample, problem(sample, exc.message, exc.fix))
                continue
            results[i] = Normalised(sample, conv.pdf, pages)
    return [results[i] for i in range(len(samples))]


# --- pictures --------------------------------------------------------------------------

@dataclass(frozen=True)
class PictureQuality:
    """How pictures are stored: at most `max_dpi` at their printed size, photographs as
    JPEG of `jpeg_quality`; `reencode` also re-encodes JPEGs small enough to keep."""

    max_dpi: int = MAX_DPI
    jpeg_quality: int = JPEG_QUALITY
    reencode: bool = False

    def __str__(self) -> str:
        return f"{self.max_dpi} dpi, JPEG quality {self.jpeg_quality}"


DEFAULT_QUALITY = PictureQuality()
# The steps `package build --max-size` goes down, one at a time, until the PDF fits; the
# last keeps MIN_DPI and a quality at which printed text and handwriting stay readable.
SMALLER_STEPS = (PictureQuality(200, 60, True), PictureQuality(175, 55, True),
                 PictureQuality(150, 50, True), PictureQuality(MIN_DPI, 40, True))


@dataclass
class Placed:
    """One picture ready for a PDF page."""

    data: bytes
    width: int
    height: int
    colorspace: str            # /DeviceRGB or /DeviceGray
    filter: str                # /DCTDecode or /FlateDecode
    rotate: int = 0            # PDF /Rotate: the page turns the stored picture upright


def page_box(width: float, height: float) -> tuple[float, float]:
    """A Letter page turned to suit the picture."""
    return LETTER if height >= width else (LETTER[1], LETTER[0])


def fit(width: float, height: float) -> tuple[float, float, float, float, float, float]:
    """(page w, page h, x, y, w, h) in points: the picture as large as fits in the margins."""
    pw, ph = page_box(width, height)
    scale = min((pw - 2 * IMAGE_MARGIN) / width, (ph - 2 * IMAGE_MARGIN) / height)
    w, h = width * scale, height * scale
    return pw, ph, (pw - w) / 2, (ph - h) / 2, w, h


def target_pixels(width: int, height: int, max_dpi: int = MAX_DPI) -> tuple[int, int]:
    """The size at which the placed picture is at most `max_dpi`."""
    _, _, _, _, w, h = fit(width, height)
    tw = max(1, math.ceil(w / 72 * max_dpi))
    th = max(1, math.ceil(h / 72 * max_dpi))
    return (tw, th) if tw < width else (width, height)


def _flatten(img: Image.Image) -> Image.Image:
    """RGB or L, with transparency laid onto white (img2pdf and most viewers refuse alpha)."""
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or \
            (img.mode in ("P", "L", "RGB") and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if img.mode in ("RGB", "L"):
        return img
    if img.mode == "1":
        return img.convert("L")
    if img.mode.startswith("I;16") or img.mode in ("I", "F"):
        return img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return img.convert("RGB")


def _few_colours(img: Image.Image) -> bool:
    """Drawings and screenshots (few colours) stay lossless; photographs become JPEG."""
    thumb = img.copy()
    thumb.thumbnail((256, 256))
    return thumb.getcolors(256) is not None


def _encode(img: Image.Image, photo_source: bool,
            quality: PictureQuality = DEFAULT_QUALITY) -> Placed:
    gray = img.mode == "L"
    space = "/DeviceGray" if gray else "/DeviceRGB"
    if photo_source or not _few_colours(img):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality.jpeg_quality, optimize=True)
        return Placed(buf.getvalue(), img.width, img.height, space, "/DCTDecode")
    return Placed(zlib.compress(img.tobytes(), 6), img.width, img.height, space,
                  "/FlateDecode")


TOO_LARGE_FIX = "scan or photograph it again at 300 dpi, or save it as a PDF"


def _open_picture(path: Path) -> Image.Image:
    """The picture, opened without decoding, refused when too large or not a picture."""
    try:
        return open_image(path, limit=MAX_SAMPLE_PIXELS)
    except TooLarge as exc:
        raise Unreadable(exc.words(), TOO_LARGE_FIX) from None
    except DECODE_ERRORS as exc:
        raise Unreadable("the picture cannot be read (damaged or not a picture)",
                         "copy it again from the camera or phone") from exc


def _frame_count(img: Image.Image) -> int:
    try:
        count = count_frames(img, limit=MAX_SAMPLE_PIXELS)
    except TooLarge as exc:
        raise Unreadable(f"a page of the picture is too large: {exc.words()}",
                         TOO_LARGE_FIX) from None
    if count > MAX_FRAMES:
        raise Unreadable(f"the picture has more than {MAX_FRAMES} pages",
                         "split it into several files, or save it as a PDF")
    return count


def place_frames(path: Path, keep_resolution: bool,
                 quality: PictureQuality = DEFAULT_QUALITY) -> Iterator[Placed]:
    """Each frame (page) of a picture file, sized for its page and shown upright."""
    img = _open_picture(path)
    with img:
        fmt = img.format
        try:
            count = _frame_count(img)
            for index in range(count):
                if index:
                    img.seek(index)
                yield _place(path, img, fmt, keep_resolution, quality)
        except DECODE_ERRORS as exc:
            raise Unreadable(f"the picture is damaged ({_short(exc)})",
                             "copy it again from the camera or phone") from exc


def _place(path: Path, frame: Image.Image, fmt: str | None, keep: bool,
           quality: PictureQuality = DEFAULT_QUALITY) -> Placed:
    orientation = frame.getexif().get(0x0112, 1) if fmt in ("JPEG", "TIFF", "PNG", "WEBP") \
        else 1
    sideways = orientation in (5, 6, 7, 8)
    upright = (frame.height, frame.width) if sideways else frame.size
    cap = upright if keep else target_pixels(*upright, quality.max_dpi)
    # Resampling a photo only just over the cap shows nothing and costs time (bench/NOTES.md);
    # it is still re-encoded, as any photo over the cap is, so the file stays the size it was.
    want = upright if cap[0] * DPI_SLACK >= upright[0] else cap
    stored_want = (want[1], want[0]) if sideways else want
    turn = _ORIENTATION_ROTATE.get(orientation)      # None: mirrored, only pixels undo it
    if (fmt == "JPEG" and frame.mode in ("RGB", "L") and turn is not None
            and cap == upright and not quality.reencode):
        # Already small enough: keep the camera's bytes and let the page turn it.
        frame.load()                      # but only when they decode: no broken pages
        stored = frame.size
        return Placed(path.read_bytes(), stored[0], stored[1],
                      "/DeviceGray" if frame.mode == "L" else "/DeviceRGB", "/DCTDecode",
                      turn)
    if fmt == "JPEG" and want != upright:
        frame.draft(frame.mode, stored_want)
    frame.load()
    if turn is None:
        img, size, turn = ImageOps.exif_transpose(frame), want, 0
    else:
        # Kept as stored and turned by the page, like the camera's bytes: turning the
        # pixels was a quarter of a photo's time, and the blocks then fit worse.
        img, size = frame, stored_want
    img = _flatten(img)
    if img.size != size:
        img = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    placed = _encode(img, photo_source=fmt == "JPEG", quality=quality)
    placed.rotate = turn
    return placed


def picture_pdf(frames: list[Placed]) -> pikepdf.Pdf:
    """Build the pages straight with pikepdf: one image XObject per page, nothing else."""
    pdf = pikepdf.new()
    for placed in frames:
        # Work in the stored orientation; /Rotate turns a passed-through JPEG upright.
        pw, ph, x, y, w, h = fit(placed.width, placed.height)
        image = pikepdf.Stream(pdf, placed.data)
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width = placed.width
        image.Height = placed.height
        image.ColorSpace = pikepdf.Name(placed.colorspace)
        image.BitsPerComponent = 8
        image.Filter = pikepdf.Name(placed.filter)
        content = f"q {w:.4f} 0 0 {h:.4f} {x:.4f} {y:.4f} cm /Im0 Do Q".encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, pw, ph],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
            Contents=pikepdf.Stream(pdf, content),
        )
        if placed.rotate:
            page.Rotate = placed.rotate
        pdf.pages.append(pikepdf.Page(page))
    return pdf


def normalise_image(sample: Sample, work: Path, keep_resolution: bool,
                    quality: PictureQuality = DEFAULT_QUALITY) -> Normalised:
    frames = list(place_frames(sample.path, keep_resolution, quality))
    target = work / f"{_slot(sample)}.pdf"
    with picture_pdf(frames) as pdf:
        pdf.save(target, deterministic_id=True)
    return Normalised(sample, target, len(frames), framed=True)


def probe_image(path: Path) -> int:
    """Frames in a picture, from its header (the pixels are read at build time)."""
    with _open_picture(path) as img:
        try:
            return _frame_count(img)
        except DECODE_ERRORS as exc:
            raise Unreadable("the picture cannot be read (damaged or not a picture)",
                             "copy it again from the camera or phone") from exc


# --- one entry point -------------------------------------------------------------------

def normalise_all(samples: list[Sample], work: Path, *, keep_resolution: bool = False,
                  convert: Callable | None = None, workers: int | None = None,
                  progress: Callable[[int], None] | None = None,
                  quality: PictureQuality = DEFAULT_QUALITY) -> list[Normalised | Failed]:
    """Every sample to PDF, results in the order given.

    Word files go to LibreOffice in one batch on a thread of their own (it waits on a
    process) while pictures are resized on a pool of threads (Pillow works outside the
    GIL); each result is its own file, so the order of work does not change the bytes.
    """
    work.mkdir(parents=True, exist_ok=True)
    tick = progress or (lambda n: None)
    results: dict[str, Normalised | Failed] = {}
    words = [s for s in samples if s.kind == "word"]
    pictures = [s for s in samples if s.kind == "image"]

    def one(sample: Sample) -> Normalised | Failed:
        try:
            if sample.kind == "pdf":
                return normalise_pdf(sample, work)
            return normalise_image(sample, work, keep_resolution, quality)
        except Unreadable as exc:
            return Failed(sample, problem(sample, exc.message, exc.fix))

    with ThreadPoolExecutor(max_workers=1) as office, \
            ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        word_job = office.submit(normalise_word, words, work, convert) if words else None
        picture_jobs = [pool.submit(one, s) for s in pictures]
        for sample in samples:
            if sample.kind == "pdf":
                results[sample.rel] = one(sample)
                tick(1)
        for job in as_completed(picture_jobs):
            result = job.result()
            results[result.sample.rel] = result
            tick(1)
        if word_job is not None:
            for result in word_job.result():
                results[result.sample.rel] = result
            tick(len(words))
    return [results[s.rel] for s in samples]
