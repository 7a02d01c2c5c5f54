"""Sample files for the packager's tests, made by the tests: PDFs from several producers,
encrypted and truncated PDFs, a phone photo with EXIF rotation, a PNG with transparency,
a Word file. Every page carries a marker text so a test can find it in the output.

Imported by the other tests/test_package*.py files; its own tests check the fixtures are
what they claim to be.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen import canvas

from manualgen import resources

EXAMPLE_RECORDS = resources.examples_dir() / "2026-submission" / "records"
SETTINGS = "anniversary: 2026-12-15\nprepared_by: Mary-Anne O'Brien\n"


def marker(name: str, page: int) -> str:
    """The text on page `page` (1-based) of fixture `name`."""
    return f"MARK {name} P{page}"


def reportlab_pdf(name: str, pages: int = 1, *, rotate: int = 0, size=letter,
                  edge_text: bool = True) -> bytes:
    """reportlab producer; content runs to the very bottom edge (EDGE) of each page."""
    buf = io.BytesIO()
    w, h = size
    c = canvas.Canvas(buf, pagesize=size, invariant=1)
    if rotate:
        c.setPageRotation(rotate)
    for i in range(1, pages + 1):
        c.setFont("Helvetica", 12)
        c.drawString(72, h - 100, marker(name, i))
        if edge_text:
            c.drawString(72, 2, "EDGE")
        c.rect(0, 0, w, h)
        c.showPage()
    c.save()
    return buf.getvalue()


def pikepdf_pdf(name: str, pages: int = 2) -> bytes:
    """A hand-made PDF (another producer): A4, MediaBox, Resources and /Rotate 90 inherited
    from the page tree, one shared font, a CropBox."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    root = pdf.Root.Pages
    root.MediaBox = [0, 0, A4[0], A4[1]]
    root.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    root.Rotate = 90
    for i in range(1, pages + 1):
        text = f"BT /F1 14 Tf 60 500 Td ({marker(name, i)}) Tj ET".encode()
        page = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, Parent=root, CropBox=[10, 10, A4[0] - 10, A4[1] - 10],
            Contents=pikepdf.Stream(pdf, text)))
        root.Kids.append(page)
    root.Count = pages
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True)
    return buf.getvalue()


def encrypted_pdf(name: str, user_password: str) -> bytes:
    src = pikepdf.open(io.BytesIO(reportlab_pdf(name, 2)))
    buf = io.BytesIO()
    src.save(buf, encryption=pikepdf.Encryption(owner="owner-secret", user=user_password,
                                                R=6))
    return buf.getvalue()


def truncated_pdf(name: str) -> bytes:
    """A PDF cut short after its pages (qpdf can rebuild it)."""
    data = reportlab_pdf(name, 3)
    return data[: int(len(data) * 0.9)]


def photo_jpeg(size=(600, 800), orientation: int = 6) -> bytes:
    """A 'phone photo' whose upright view has a red band at the top.

    Stored sideways with the EXIF orientation that turns it upright, as phones do.
    """
    upright = Image.new("RGB", size, (235, 235, 228))
    draw = ImageDraw.Draw(upright)
    draw.rectangle([0, 0, size[0], size[1] // 8], fill=(220, 0, 0))
    draw.rectangle([size[0] // 4, size[1] // 3, size[0] * 3 // 4, size[1] // 2], fill=(0, 0, 0))
    stored = {1: upright, 6: upright.transpose(Image.Transpose.ROTATE_90),
              8: upright.transpose(Image.Transpose.ROTATE_270),
              3: upright.transpose(Image.Transpose.ROTATE_180),
              5: upright.transpose(Image.Transpose.TRANSPOSE)}[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=85, exif=exif.tobytes())
    return buf.getvalue()


def png_with_alpha(size=(600, 400)) -> bytes:
    """A transparent PNG with a blue box in the middle: the rest must come out white."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle([size[0] // 3, size[1] // 3, size[0] * 2 // 3,
                                   size[1] * 2 // 3], fill=(0, 0, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def docx_bytes(name: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("Toolbox meeting", level=1)
    doc.add_paragraph(marker(name, 1))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def stub_summary(pages: int = 2):
    """A stand-in for the Year End Summary generator: `pages` pages with markers."""
    def generate(_sub) -> bytes:
        return reportlab_pdf("summary", pages)
    return generate


def make_folder(root: Path, company_yaml: Path, files: dict[str, bytes | str], *,
                settings: str = SETTINGS, records: bool = True) -> Path:
    """A submission folder `root/sub` with the company beside it (root/company.yaml)."""
    root.mkdir(parents=True, exist_ok=True)
    if company_yaml.parent != root:
        shutil.copy(company_yaml, root / "company.yaml")
        logo = company_yaml.parent / "logo.png"
        if logo.exists():
            shutil.copy(logo, root / "logo.png")
    folder = root / "sub"
    folder.mkdir()
    (folder / "submission.yaml").write_text(settings, encoding="utf-8")
    if records:
        shutil.copytree(EXAMPLE_RECORDS, folder / "records")
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry's kind, size, mtime and content hash: to prove nothing was touched."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() \
                if path.is_file() and not path.is_symlink() else None
            out[str(path.relative_to(folder))] = (st.st_mode, st.st_size, st.st_mtime_ns,
                                                  digest)
    return out


# --- the fixtures are what they claim ------------------------------------------------------

def test_fixtures_are_what_they_claim(tmp_path: Path) -> None:
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(encrypted_pdf("e", "secret")))
    with pikepdf.open(io.BytesIO(encrypted_pdf("e", ""))) as pdf:
        assert pdf.is_encrypted
    (tmp_path / "t.pdf").write_bytes(truncated_pdf("t"))
    with pikepdf.open(tmp_path / "t.pdf") as pdf:
        assert pdf.get_warnings(), "the truncated PDF should need repair"
    data = pikepdf_pdf("k")
    assert data.count(b"/Rotate") == 1 and b"/Rotate 90 /Type /Pages" in data  # inherited
    img = Image.open(io.BytesIO(photo_jpeg()))
    assert img.getexif()[0x0112] == 6 and img.size == (800, 600)   # stored sideways
    assert Image.open(io.BytesIO(png_with_alpha())).mode == "RGBA"
