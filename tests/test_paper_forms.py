"""Paper forms find their way in (issue 26): a photo or a scan of a completed blank form is
filed by the QR code printed on it, into its category, dated by the photo when it can
be, else left for the submission page's date question; another company's form is refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import img2pdf
import pytest
from PIL import Image, ImageFilter

from manualgen import api

from web_fixtures import TODAY, client_for, example_folder, make_site

SUB = "2026-submission"


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def blank_form_code(folder: Path, form_id: str) -> Image.Image:
    """The QR code of the company's printed blank form, as the forms job drew it."""
    from manualgen.forms.paper import _codes_in

    library = api.load_library()
    forms = api.forms.build(api.load_profile(folder / "company.yaml", library), library)
    name = next(n for n in forms.docx if n.startswith(form_id))
    with zipfile.ZipFile(io.BytesIO(forms.files[name])) as z:
        for media in z.namelist():
            if media.startswith("word/media/") and media.endswith(".png"):
                img = Image.open(io.BytesIO(z.read(media))).convert("RGB")
                if any(f"FORM:{form_id.upper()}" in t for t in _codes_in(img)):
                    return img
    raise AssertionError(f"no form code in {name}")


def photo_of_page(code: Image.Image, *, exif_date: str | None = None) -> bytes:
    """A phone photo of a filled-in page: grey paper, handwriting-like marks, the code in
    the bottom right corner at print size, a slight tilt and blur, JPEG."""
    page = Image.new("RGB", (1700, 2200), (228, 226, 220))
    for y in range(200, 1900, 60):
        for x in range(150, 1500, 7):
            if (x * 7 + y) % 13 < 6:
                page.putpixel((x, y + (x % 5)), (40, 40, 60))
    small = code.resize((150, 150), Image.NEAREST)
    page.paste(small, (1700 - 150 - 60, 2200 - 150 - 60))
    photo = page.rotate(2.5, expand=True, fillcolor=(90, 80, 70)).filter(
        ImageFilter.GaussianBlur(0.8))
    out = io.BytesIO()
    exif = Image.Exif()
    if exif_date:
        exif.get_ifd(0x8769)[0x9003] = exif_date
    photo.save(out, format="JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture(scope="module")
def inspection_code(tmp_path_factory) -> Image.Image:
    folder = example_folder(tmp_path_factory.mktemp("blank"), submission=False)
    return blank_form_code(folder, "site-inspection")


@pytest.fixture
def local(tmp_path: Path):
    folder = example_folder(tmp_path / "kluane")
    site = make_site(folder)
    return site, client_for(site), folder


def test_a_photo_of_a_paper_form_is_filed_in_its_category_dated(local, inspection_code):
    _site, client, folder = local
    photo = photo_of_page(inspection_code, exif_date="2026:07:21 14:05:00")
    response = client.post("/forms/paper/", {"file": upload("IMG_2041.jpg", photo)})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer == {"category": "site-inspections", "needs_date": False,
                      "file": f"{SUB}/site-inspections/2026-07-21 Site Inspection "
                              "Checklist.jpg"}
    assert (folder / answer["file"]).read_bytes() == photo


def test_a_scan_without_a_date_waits_for_its_date(local, inspection_code):
    site, client, folder = local
    scan = img2pdf.convert(photo_of_page(inspection_code))
    response = client.post("/forms/paper/", {"file": upload("scan0043.pdf", scan),
                                             "back": SUB})
    assert response.status_code == 302 and "notice=" in response["Location"]
    filed = folder / SUB / "site-inspections" / "Site Inspection Checklist.pdf"
    assert filed.read_bytes() == scan
    page = client.get(response["Location"]).content.decode()
    assert "give it its date" in page and "No date yet" in page
    sub = api.submission.load(folder / SUB, site.library, on=TODAY)
    undated = [s for c in api.submission.check(sub).categories for s in c.samples
               if s.date is None and s.path.name == filed.name]
    assert undated                                  # the page's date question asks for it


def test_another_company_s_form_or_no_code_is_refused_in_words(local, inspection_code,
                                                               tmp_path):
    _site, client, folder = local
    other = example_folder(tmp_path / "other", submission=False)
    profile = (other / "company.yaml").read_text(encoding="utf-8")
    (other / "company.yaml").write_text(profile.replace('"1234567"', '"7654321"'),
                                        encoding="utf-8")
    foreign = photo_of_page(blank_form_code(other, "toolbox-meeting"))
    response = client.post("/forms/paper/", {"file": upload("x.jpg", foreign)})
    assert response.status_code == 400
    assert "printed for another company" in response.json()["error"]
    blank = io.BytesIO()
    Image.new("RGB", (800, 1000), "white").save(blank, format="JPEG")
    response = client.post("/forms/paper/", {"file": upload("y.jpg", blank.getvalue())})
    assert response.status_code == 400 and "no form code" in response.json()["error"]
    assert not list((folder / SUB / "toolbox-meetings").glob("Toolbox*"))
