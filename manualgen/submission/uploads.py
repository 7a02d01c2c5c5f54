"""Files handed to a submission one at a time (the web app's uploads): judged by content.

A file's extension says what it claims to be; its first bytes say what it is. Anything the
packager could not read, or that is not what its name says, is refused here with a
sentence the employer can act on, before a byte is written. A photo's own date (EXIF)
names an undated picture, and a photo can be turned a quarter turn.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from PIL import Image, ImageOps, UnidentifiedImageError

from manualgen.errors import fail
from manualgen.submission.intake import date_from_name, kind_of

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".tif": "TIFF",
                 ".tiff": "TIFF", ".bmp": "BMP", ".gif": "GIF", ".webp": "WEBP"}
FIX_TYPES = "send a PDF, a Word or LibreOffice file (.docx, .odt) or a JPEG/PNG photo"
_EXIF_DATE_TAGS = (0x9003, 0x9004, 0x0132)      # DateTimeOriginal, DateTimeDigitized, DateTime


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def check_upload(name: str, data: bytes) -> str:
    """The sample kind (pdf, word, image) of an uploaded file, or an InputError saying
    why it cannot be a sample."""
    suffix = _suffix(name)
    if suffix in (".heic", ".heif"):
        raise fail(name, "HEIC photos cannot be read",
                   fix="export the photo as JPEG (on an iPhone: Settings > Camera > Formats "
                       "> Most Compatible)")
    kind = kind_of(name)
    if kind is None:
        raise fail(name, f"files of type {suffix or '(no extension)'!r} cannot go into a "
                         "submission", fix=FIX_TYPES)
    if not data:
        raise fail(name, "the file is empty", fix="choose the file again")
    head = data[:1024]
    if kind == "pdf":
        _check_pdf(name, head, data)
    if kind == "image":
        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format
                img.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
                Image.DecompressionBombError):
            raise fail(name, "this picture cannot be read (damaged or not a picture)",
                       fix="take the photo again or save it as JPEG") from None
        if fmt != IMAGE_FORMATS.get(suffix):
            raise fail(name, f"this file is called {suffix} but is a {fmt} picture",
                       fix="rename it with the right extension, or save it as JPEG")
    if kind == "word":
        _check_word(name, suffix, data)
    return kind


def _check_pdf(name: str, head: bytes, data: bytes) -> None:
    """A PDF must open as one (qpdf, through pikepdf) and have pages: a web page or a
    document with `%PDF-` somewhere near its start is not a PDF."""
    import pikepdf

    if not head.lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        raise fail(name, "this file is called .pdf but is not a PDF",
                   fix="save or export it again as PDF")
    try:
        with pikepdf.open(io.BytesIO(data)) as doc:
            pages = len(doc.pages)
    except pikepdf.PasswordError:
        raise fail(name, "the PDF is protected with a password",
                   fix="save a copy without the password and send that") from None
    except (pikepdf.PdfError, ValueError, RecursionError):
        raise fail(name, "this PDF is damaged and cannot be read",
                   fix="save or scan it again as PDF") from None
    if pages == 0:
        raise fail(name, "this PDF has no pages", fix="save or scan it again as PDF")


def _check_word(name: str, suffix: str, data: bytes) -> None:
    if suffix in (".docx", ".odt"):
        if data.startswith(_OLE_MAGIC):
            raise fail(name, "the document is protected with a password",
                       fix="save a copy without the password and send that")
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            raise fail(name, f"this file is called {suffix} but is not a Word/ODT document",
                       fix="open it in Word or LibreOffice and save it again") from None
        needed = "word/document.xml" if suffix == ".docx" else "content.xml"
        if needed not in names:
            raise fail(name, "the document is damaged (parts of it are missing)",
                       fix="open it in Word or LibreOffice and save it again")
    elif suffix == ".doc" and not data.startswith(_OLE_MAGIC):
        raise fail(name, "this is not a Word .doc file", fix="save it again as .docx")
    elif suffix == ".rtf" and not data.startswith(b"{\\rtf"):
        raise fail(name, "this is not an RTF file", fix="save it again as .docx")


def photo_date(data: bytes) -> dt.date | None:
    """The day a photo was taken, from its EXIF data; None when it carries none."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            values = [exif.get(tag) for tag in _EXIF_DATE_TAGS[2:]]
            sub = exif.get_ifd(0x8769)                 # the Exif IFD holds the originals
            values = [sub.get(t) for t in _EXIF_DATE_TAGS[:2]] + values
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    for value in values:
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.datetime.strptime(value[:10], "%Y:%m:%d").date()
            except ValueError:
                continue
    return None


def dated_name(name: str, day: dt.date | None) -> str:
    """`name` starting with `day` (YYYY-MM-DD), unless it carries a date already."""
    found, _rest, _error = date_from_name(name)
    if day is None or found is not None:
        return name
    return f"{day.isoformat()} {name}"


def rotate_photo(data: bytes, quarter_turns: int = 1) -> bytes:
    """The photo turned clockwise by quarter turns, upright as shown, its EXIF date kept."""
    with Image.open(io.BytesIO(data)) as img:
        fmt = img.format or "PNG"
        exif = img.getexif()
        upright = ImageOps.exif_transpose(img)
        turned = upright.rotate(-90 * (quarter_turns % 4), expand=True)
        exif[0x0112] = 1                              # orientation: as stored
        out = io.BytesIO()
        options = {"exif": exif.tobytes()} if fmt in ("JPEG", "PNG", "WEBP", "TIFF") else {}
        if fmt == "JPEG":
            options["quality"] = 92
            turned = turned.convert("RGB")
        turned.save(out, format=fmt, **options)
    return out.getvalue()
