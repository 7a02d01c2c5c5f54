"""A completed paper form finds its way in by the QR code printed on it (`forms.qr`).

A scan (PDF) or a phone photo of the paper form is read with zxing-cpp (wheels carry the
library; no system package needed): a photo as it is, turned upright by its EXIF
orientation, and again at a smaller size (a phone's 12-megapixel picture of a page holds a
code of a few hundred pixels, which the reader finds faster and as surely at half size);
a PDF page by page (the first few), drawn by PDFium at 200 dpi. The code names the form,
its revision and the company (`FormCode`); a code of another company is refused, so a
form printed for one company is never filed in another's submission.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageOps, UnidentifiedImageError

from manualgen.errors import UsageError
from manualgen.inputs.library.form_fields import FormCode, company_key, read_form_code

if TYPE_CHECKING:
    from manualgen.inputs.profile import CompanyProfile
    from manualgen.services.workspace import Workspace

PDF_PAGES = 3                 # pages of a scan looked at for the code
PDF_DPI = 200
MAX_PIXELS = 80_000_000       # as the submission's pictures (README, Limits)


@dataclass(frozen=True)
class PaperForm:
    code: FormCode
    form_title: str
    category: str | None


def _codes_in(image: Image.Image) -> list[str]:
    import zxingcpp

    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in found if r.text]


def _read_image(image: Image.Image) -> FormCode | None:
    image = ImageOps.exif_transpose(image).convert("L")
    tries = [image]
    if max(image.size) > 1600:
        small = image.copy()
        small.thumbnail((1600, 1600))
        tries.insert(0, small)
    for candidate in tries:
        for text in _codes_in(candidate):
            code = read_form_code(text)
            if code is not None:
                return code
    return None


def read_code(name: str, data: bytes) -> FormCode | None:
    """The form code printed on a scan or photo, or None when none can be read."""
    if data[:5] == b"%PDF-":
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            raise UsageError(f"{name} cannot be opened as a PDF",
                             fix="scan the form again, or take a photo of it") from None
        try:
            for index in range(min(len(pdf), PDF_PAGES)):
                page = pdf[index]
                image = page.render(scale=PDF_DPI / 72).to_pil()
                code = _read_image(image)
                if code is not None:
                    return code
        finally:
            pdf.close()
        return None
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return _read_image(image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise UsageError(f"{name} is not a scan or a photo manualgen can read",
                         fix="send a PDF scan or a JPEG or PNG photo of the form") from None


def identify(name: str, data: bytes, library, wscb_account: str) -> PaperForm:
    """The library's form a paper copy was printed from, checked against the company;
    a `UsageError` in plain words when the code cannot be read or is not this company's."""
    code = read_code(name, data)
    if code is None:
        raise UsageError(f"no form code could be read on {name}",
                         fix="take the photo again with the whole page in view, flat and "
                             "in good light, or add it to its category on the submission "
                             "page yourself")
    if code.company_key != company_key(wscb_account):
        raise UsageError(f"{name} is a form printed for another company (its code names "
                         f"WSCB account {code.company_key})",
                         fix="use your own company's forms: print them from the Manual "
                             "and forms page")
    info = library.form(code.form_id)
    if info is None:
        raise UsageError(f"{name} is a form ({code.form_id}) the library no longer has",
                         fix="add it to its category on the submission page yourself")
    return PaperForm(code, info.title, info.category)


@dataclass(frozen=True)
class PaperFiled:
    category: str | None          # the submission category, None: completed-forms/
    file: str                     # relative to the company folder
    needs_date: bool              # no date could be read: the submission page asks for it


def file_scan(workspace: Workspace, library, profile: CompanyProfile, name: str,
              data: bytes, *, submission: Callable[[], str | None]) -> PaperFiled:
    """A scan or photo of a completed paper form filed by its QR code: into its category
    of the current submission (`submission()`, made when there is none), dated by the
    photo's own date when it has one (else the submission page asks for the date, as for
    any undated sample); a form without a category under completed-forms/<form>/."""
    from manualgen.forms.intake import COMPLETED
    from manualgen.services.workspace import safe_name
    from manualgen.submission.uploads import check_upload, dated_name, photo_date

    kind = check_upload(name, data)
    if kind not in ("pdf", "image"):
        raise UsageError(f"{name} is not a scan or a photo",
                         fix="send a PDF scan or a photo of the completed paper form")
    found = identify(name, data, library, profile.profile.company.wscb_account)
    suffix = Path(safe_name(name)).suffix.lower() or (".pdf" if kind == "pdf" else ".jpg")
    day = photo_date(data) if kind == "image" else None
    base = safe_name(f"{found.form_title}{suffix}")
    clean = dated_name(base, day) if day else base
    if found.category:
        folder = f"{submission()}/{found.category}"
    else:
        folder = f"{COMPLETED}/{found.code.form_id}"
    target = workspace.free_name(folder, clean)
    workspace.write(f"{folder}/{target}", data)
    return PaperFiled(found.category, f"{folder}/{target}", day is None)
