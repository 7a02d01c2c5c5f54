"""Samples to PDF pages: pictures sized and turned, PDFs kept or repaired, the CLI build."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from manualgen import resources
from manualgen.cli import main
from manualgen.submission.intake import Sample
from manualgen.submission.normalise import (
    MAX_DPI,
    Normalised,
    Unreadable,
    normalise_image,
    normalise_pdf,
    normalise_word,
)

from conftest import needs_libreoffice
from test_package_fixtures import make_folder, photo_jpeg, reportlab_pdf

COMPANY = resources.examples_dir() / "company.yaml"


def sample(path: Path, kind: str) -> Sample:
    return Sample("x", path.name, path, kind, None, path.stem, path.stat().st_size)


def placed(result: Normalised) -> list[tuple[dict, float, float, int, bytes]]:
    """(image dictionary, placed width and height in inches, /Rotate, raw bytes) per page."""
    out = []
    with pikepdf.open(result.pdf) as pdf:
        for page in pdf.pages:
            image = page.Resources.XObject.Im0
            ops = pikepdf.parse_content_stream(page)
            matrix = next(operands for operands, op in ops if str(op) == "cm")
            out.append((dict(image.items()), float(matrix[0]) / 72, float(matrix[3]) / 72,
                        int(page.obj.get("/Rotate", 0)), image.read_raw_bytes()))
    return out


def shown_upright(pdf: Path) -> bool:
    """Rendered as a reader sees it: a portrait page with the photo's red band on top."""
    png = subprocess.run(["pdftoppm", "-r", "20", "-png", "-singlefile", str(pdf)],
                         check=True, capture_output=True).stdout
    page = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = page.size

    def reds(box) -> int:
        data = page.crop(box).tobytes()
        return sum(1 for i in range(0, len(data), 3)
                   if data[i] > 180 and data[i + 1] < 80 and data[i + 2] < 80)
    return h > w and reds((0, 0, w, h // 4)) > 20 and reds((0, h // 2, w, h)) == 0


def test_big_photo_is_shown_upright_and_capped_at_200_dpi(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(photo_jpeg(size=(3000, 4000)))              # portrait, 12 MP, sideways
    result = normalise_image(sample(path, "image"), tmp_path, keep_resolution=False)
    ((image, w_in, h_in, rotate, _),) = placed(result)
    # Stored as the camera stored it, the page turning it: the pixels are not turned.
    assert rotate == 90 and image["/Filter"] == "/DCTDecode"
    assert image["/Width"] > image["/Height"]
    wide, high = image["/Height"], image["/Width"]              # as shown
    assert wide / h_in <= MAX_DPI + 1 and high / w_in <= MAX_DPI + 1
    assert high / w_in > MAX_DPI - 2
    assert result.framed and result.pages == 1
    assert shown_upright(result.pdf)


@pytest.mark.parametrize("orientation", [1, 3, 8, 5])
def test_every_orientation_is_shown_upright(tmp_path: Path, orientation: int) -> None:
    # 1, 3, 8: turned by the page; 5 (mirrored) only its pixels can undo.
    path = tmp_path / "photo.jpg"
    path.write_bytes(photo_jpeg(size=(1650, 2200), orientation=orientation))
    result = normalise_image(sample(path, "image"), tmp_path, keep_resolution=False)
    ((_, _, _, rotate, _),) = placed(result)
    assert rotate == {1: 0, 3: 180, 8: 270, 5: 0}[orientation]
    assert shown_upright(result.pdf)


def test_keep_resolution_keeps_the_camera_bytes(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    data = photo_jpeg(size=(1500, 2000))
    path.write_bytes(data)
    result = normalise_image(sample(path, "image"), tmp_path, keep_resolution=True)
    ((image, _, _, rotate, raw),) = placed(result)
    assert raw == data and rotate == 90                          # EXIF 6 -> /Rotate 90
    assert (image["/Width"], image["/Height"]) == (2000, 1500)   # stored sideways

@pytest.mark.parametrize(("size", "kept"), [((1512, 2016), True), ((1650, 2200), False)])
def test_a_photo_just_over_200_dpi_keeps_its_pixels(tmp_path: Path, size, kept) -> None:
    # 2016 pixels on 10 inches is 202 dpi: resampling it to 2000 shows nothing and took
    # 0.1 s a photo; 2200 (220 dpi) is resized as before. Both are re-encoded, as photos
    # over the cap always were, so the camera's large bytes do not swell the PDF.
    path = tmp_path / "photo.jpg"
    data = photo_jpeg(size=size)
    path.write_bytes(data)
    result = normalise_image(sample(path, "image"), tmp_path, keep_resolution=False)
    ((image, _, _, rotate, raw),) = placed(result)
    assert raw != data and rotate == 90 and image["/Filter"] == "/DCTDecode"
    shown = (image["/Height"], image["/Width"])
    assert shown == (size if kept else (1500, 2000))            # 7.5 x 10 in at 200 dpi
    assert shown_upright(result.pdf)


@pytest.mark.parametrize(("mode", "fmt", "filter_"), [
    ("RGBA", "PNG", "/FlateDecode"), ("I;16", "PNG", "/FlateDecode"),
    ("CMYK", "JPEG", "/DCTDecode"), ("P", "GIF", "/FlateDecode"), ("1", "TIFF", "/FlateDecode"),
])
def test_picture_modes(tmp_path: Path, mode: str, fmt: str, filter_: str) -> None:
    img = Image.new(mode, (400, 300))
    path = tmp_path / f"pic.{fmt.lower()}"
    img.save(path, fmt)
    ((image, _, _, _, _),) = placed(normalise_image(sample(path, "image"), tmp_path, False))
    assert image["/Filter"] == filter_
    assert image["/ColorSpace"] in ("/DeviceRGB", "/DeviceGray")
    assert "/SMask" not in image


def test_multipage_tiff_gives_a_page_per_frame(tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    frames = [Image.new("L", (850, 1100), v) for v in (255, 200, 150)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    result = normalise_image(sample(path, "image"), tmp_path, False)
    assert result.pages == 3 and len(placed(result)) == 3


def test_truncated_picture_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "cut.jpg"
    path.write_bytes(photo_jpeg()[:2000])
    with pytest.raises(Unreadable, match="damaged"):
        normalise_image(sample(path, "image"), tmp_path, False)


def test_filled_form_fields_are_kept_visible(tmp_path: Path) -> None:
    """A filled-in fillable PDF: merged as-is its field values would vanish."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.acroForm.textfield(name="inspector", value="Priya Raman", x=100, y=600, width=200,
                         height=20)
    c.showPage()
    c.save()
    path = tmp_path / "form.pdf"
    path.write_bytes(buf.getvalue())
    result = normalise_pdf(sample(path, "pdf"), tmp_path)
    assert result.pdf != path
    with pikepdf.open(result.pdf) as pdf:
        assert "/AcroForm" not in pdf.Root
        assert "/Annots" not in pdf.pages[0].obj or not [
            a for a in pdf.pages[0].Annots if a.get("/Subtype") == pikepdf.Name.Widget]


def test_untouched_pdf_is_used_as_is(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(reportlab_pdf("plain", 2))
    result = normalise_pdf(sample(path, "pdf"), tmp_path)
    assert result.pdf == path and result.pages == 2 and not result.notes


def test_cli_build_with_the_real_summary(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, COMPANY, {
        "hazard-assessments/2026-01-10 flha.pdf": reportlab_pdf("ha", 1),
        "hazard-assessments/2026-02-10 flha.pdf": reportlab_pdf("hb", 1)})
    out = tmp_path / "build" / "submission.pdf"
    result = CliRunner().invoke(main, ["package", "build", str(folder), "-o", str(out)])
    assert result.exit_code == 1, result.output        # built, with findings to see
    assert "submission.pdf:" in result.output and "Site Inspections: no samples" in \
        result.output
    index = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    summary = index["categories"][-1]
    assert summary["status"] == "generated"
    assert summary["documents"][0]["page_count"] >= 2
    assert index["pages"] == len(pikepdf.open(out).pages)


def _logo_pdf(name: str, logo: Path) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawImage(str(logo), 50, 700, 120, 60)
    c.drawString(50, 650, name)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_identical_images_of_different_files_are_stored_once(tmp_path: Path) -> None:
    from conftest import package_build as build_package
    from test_package_fixtures import stub_summary

    logo = resources.examples_dir() / "logo.png"
    other = tmp_path / "other.png"
    Image.new("RGB", (64, 64), (10, 200, 30)).save(other)
    folder = make_folder(tmp_path, COMPANY, {
        f"hazard-assessments/2026-01-{d:02d} form.pdf": _logo_pdf(f"f{d}", logo)
        for d in range(10, 16)} | {"hazard-assessments/2026-02-01 other.pdf":
                                   _logo_pdf("o", other)})
    out = tmp_path / "out.pdf"
    build_package(folder, out, generators={"year_end_summary": stub_summary()})
    with pikepdf.open(out) as pdf:
        images = {obj.objgen for page in pdf.pages
                  for obj in page.Resources.get("/XObject", {}).values()
                  if obj.get("/Subtype") == pikepdf.Name.Image}
    # the company logo of the six forms once (plus its soft mask inside it), the other once
    assert len(images) == 2


@needs_libreoffice()
@pytest.mark.libreoffice
def test_a_word_sample_converts_with_the_office_found_when_none_is_given(tmp_path):
    """normalise_word's own default once imported a function that does not exist."""
    import docx

    path = tmp_path / "toolbox talk.docx"
    document = docx.Document()
    document.add_paragraph("Toolbox talk: ladders, 2026-05-04")
    document.save(path)
    (result,) = normalise_word([sample(path, "word")], tmp_path / "work")
    assert isinstance(result, Normalised)
    with pikepdf.open(result.pdf) as pdf:
        assert len(pdf.pages) == 1
