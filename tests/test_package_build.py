"""End-to-end: a folder of awkward samples -> the submission PDF, opened as a reviewer would.

One build (module fixture) of a folder with PDFs from two producers, an encrypted one
(empty password), a truncated one, a sideways page, a phone photo with EXIF rotation, a
PNG with transparency, a sample dated through submission.yaml and a missing category;
each test checks one promise about the output. The summary report is a stub here.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from manualgen import resources
from manualgen.errors import InputError, Problem
from manualgen.submission.build import BuildOptions

from conftest import needs_libreoffice
from conftest import package_build as build_package
from test_package_fixtures import (
    encrypted_pdf,
    make_folder,
    marker,
    photo_jpeg,
    pikepdf_pdf,
    png_with_alpha,
    reportlab_pdf,
    snapshot,
    stub_summary,
    truncated_pdf,
)

COMPANY = resources.examples_dir() / "company.yaml"
SETTINGS = """\
anniversary: 2026-12-15
prepared_by: Mary-Anne O'Brien
samples:
  preventative-maintenance/scan0001.pdf: {date: 2026-02-02, title: Ladder log}
"""
FILES = {
    "hazard-assessments/2026-01-10 flha one.pdf": reportlab_pdf("ha1", 2),
    "hazard-assessments/2026-02-11 flha two.pdf": pikepdf_pdf("ha2", 2),
    "site-inspections/2026-03-01 locked.pdf": encrypted_pdf("si1", ""),
    "site-inspections/2026-04-01 damaged.pdf": truncated_pdf("si2"),
    "site-inspections/2026-04-15 sideways.pdf": reportlab_pdf("si3", 1, rotate=90,
                                                              size=(792, 612)),
    "toolbox-meetings/2026-05-01 meeting photo.jpg": photo_jpeg(),
    "toolbox-meetings/2026-05-15 meeting sheet.png": png_with_alpha(),
    "preventative-maintenance/scan0001.pdf": reportlab_pdf("pm1", 1),
    "preventative-maintenance/2026-06-01 truck.pdf": reportlab_pdf("pm2", 3),
    "audit-action-plan/2026-07-01 plan.pdf": reportlab_pdf("aap", 1),
    "emergency-response/2026-08-01 erp.pdf": reportlab_pdf("erp", 2),
    "orientations/2026-04-20 orientation.pdf": reportlab_pdf("or1", 1),
    "orientations/2026-05-11 orientation.pdf": reportlab_pdf("or2", 1),
    ".DS_Store": b"\0\0\0\1Bud1",
}
SUMMARY_PAGES = 2


class Built:
    def __init__(self, root: Path):
        self.folder = make_folder(root, COMPANY, FILES, settings=SETTINGS)
        self.before = snapshot(self.folder)
        self.out = root / "out" / "submission.pdf"
        self.result = build_package(self.folder, self.out, BuildOptions(),
                                    generators={"year_end_summary":
                                                stub_summary(SUMMARY_PAGES)})
        self.index = json.loads(self.out.with_suffix(".json").read_text(encoding="utf-8"))
        text = subprocess.run(["pdftotext", "-layout", str(self.out), "-"], check=True,
                              capture_output=True, text=True).stdout
        self.pages = text.split("\f")[:-1]
        self.pdf = pikepdf.open(self.out)
        self.page_index = {p.obj.objgen: i for i, p in enumerate(self.pdf.pages)}

    def docs(self):
        return [d for c in self.index["categories"] for d in c["documents"]]

    def section(self, title: str) -> list[int]:
        span = next(s["pages"] for s in self.index["sections"] if s["title"] == title)
        return list(range(span[0], span[1] + 1))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    b = Built(tmp_path_factory.mktemp("package"))
    yield b
    b.pdf.close()


def source_pages(path: Path) -> int:
    if path.suffix.lower() in (".jpg", ".png"):
        return 1
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def test_page_count_is_inputs_plus_generated_pages(built: Built) -> None:
    inputs = sum(source_pages(built.folder / rel) for rel in FILES if rel != ".DS_Store")
    generated = sum(len(built.section(t)) for t in ("Cover", "Submission checklist",
                                                     "Contents"))
    generated += sum(c["divider"][1] - c["divider"][0] + 1 for c in built.index["categories"])
    assert len(built.pdf.pages) == inputs + SUMMARY_PAGES + generated == built.result.pages
    assert built.index["pages"] == len(built.pdf.pages)


def test_every_sample_is_in_the_pdf_where_the_index_says(built: Built) -> None:
    for doc in built.docs():
        first, last = doc["pages"]
        name = doc["source"]
        if name.endswith((".jpg", ".png")):
            assert last == first
            continue
        fixture = "summary" if name == "generated" else \
            re.search(r"MARK (\S+) P1", built.pages[first - 1]).group(1)
        for n, page in enumerate(range(first, last + 1), start=1):
            assert marker(fixture, n) in built.pages[page - 1], (name, page)


def test_nothing_is_dropped(built: Built) -> None:
    sources = {d["source"] for d in built.docs()}
    named = {f["file"] for c in built.index["categories"] for f in c["not_included"]}
    for rel in FILES:
        assert rel in sources or rel in named or rel in built.index["ignored"], rel
    assert ".DS_Store" in built.index["ignored"]


def test_outline_has_every_category_and_document_at_the_right_page(built: Built) -> None:
    items = []
    with built.pdf.open_outline() as outline:
        for top in outline.root:
            items.append((0, top))
            items += [(1, child) for child in top.children]
        resolved = {}
        for depth, item in items:
            dest = item.destination
            assert dest is not None and isinstance(dest, pikepdf.Array), item.title
            assert dest[0].objgen in built.page_index, f"{item.title} points nowhere"
            resolved[(depth, item.title)] = built.page_index[dest[0].objgen] + 1
    for cat in built.index["categories"]:
        title = next(t for (d, t) in resolved if d == 0 and t.startswith(f"{cat['number']}. "))
        assert cat["title"] in title
        assert resolved[(0, title)] == cat["divider"][0]
        for doc in cat["documents"]:
            child = next(t for (d, t) in resolved if d == 1 and t.endswith(doc["title"])
                         and resolved[(d, t)] == doc["pages"][0])
            assert child


def test_every_page_is_stamped(built: Built) -> None:
    total = len(built.pages)
    for number, text in enumerate(built.pages, start=1):
        assert f"DRAFT - Kluane Ridge Roofing - SECOR submission 2026 - page {number} of " \
               f"{total}" in " ".join(text.split()), number


def test_an_incomplete_submission_says_draft_on_its_cover(built: Built) -> None:
    """This folder has a category missing: the cover and every stamp say DRAFT (a complete
    one, like the example company's, says nothing of the kind: see test_demo)."""
    cover = " ".join(built.pages[0].split())
    assert "DRAFT - not complete:" in cover and "finding(s) to fix before sending" in cover


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], check=True, capture_output=True, text=True).stdout
    return [(m[5], float(m[1]), float(m[2]), float(m[3]), float(m[4])) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)',
        html) for m in [(None, *m.groups())]]


@pytest.mark.parametrize("source", ["hazard-assessments/2026-01-10 flha one.pdf",
                                    "hazard-assessments/2026-02-11 flha two.pdf",
                                    "site-inspections/2026-04-15 sideways.pdf"])
def test_stamp_lies_below_the_content_and_reads_upright(built: Built, source: str) -> None:
    """Content reaching the page's bottom edge (and /Rotate pages) keeps clear of the stamp."""
    doc = next(d for d in built.docs() if d["source"] == source)
    words = _words(built.out, doc["pages"][0])
    stamp = [w for w in words if w[0] == "Kluane"]
    content = [w for w in words if w[0] in ("MARK", "EDGE")]
    assert stamp and content
    s = stamp[-1]
    assert s[3] - s[1] > s[4] - s[2], "the stamp should read horizontally"
    for w in content:
        assert w[4] <= s[2] + 0.5, f"{w[0]} overlaps the stamp on {source}"


def test_contents_numbers_are_real_pages_and_links(built: Built) -> None:
    contents = "\n".join(built.pages[p - 1] for p in built.section("Contents"))
    for cat in built.index["categories"]:
        assert re.search(rf"{re.escape(cat['title'])}\s*\.+\s*{cat['divider'][0]}\b", contents)
        for doc in cat["documents"]:
            first, last = doc["pages"]
            number = str(first) if first == last else f"{first}-{last}"
            assert re.search(rf"{re.escape(doc['title'])}\s*\.+\s*{number}\b", contents), doc
    linked = set()
    for p in built.section("Contents"):
        for annot in built.pdf.pages[p - 1].obj.get("/Annots", []):
            if annot.get("/Subtype") == pikepdf.Name.Link:
                linked.add(built.page_index[annot.Dest[0].objgen] + 1)
    wanted = {d["pages"][0] for d in built.docs()} | \
        {c["divider"][0] for c in built.index["categories"]}
    assert wanted <= linked


def test_checklist_shows_the_missing_category(built: Built) -> None:
    checklist = " ".join(" ".join(built.pages[p - 1] for p in
                                  built.section("Submission checklist")).split())
    assert re.search(r"5 Completed Investigation 0 1 \d+ Missing", checklist)
    assert re.search(r"1 Hazard Assessments 2 2 Jan Feb [\d-]+ Complete", checklist)
    cat = next(c for c in built.index["categories"] if c["key"] == "investigations")
    assert cat["status"] == "missing" and cat["documents"] == []


def test_repaired_and_decrypted_files_are_noted(built: Built) -> None:
    docs = {d["source"]: d for d in built.docs()}
    assert any("repaired" in n for n in docs["site-inspections/2026-04-01 damaged.pdf"]["notes"])
    assert any("empty password" in n for n in docs["site-inspections/2026-03-01 locked.pdf"]
               ["notes"])
    assert docs["preventative-maintenance/scan0001.pdf"]["date"] == "2026-02-02"
    assert docs["preventative-maintenance/scan0001.pdf"]["title"] == "Ladder log"


def _render(pdf: Path, page: int, dpi: int = 30) -> Image.Image:
    png = subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l",
                          str(page), str(pdf)], check=True, capture_output=True).stdout
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_photo_is_upright_and_png_transparency_is_white(built: Built) -> None:
    docs = {d["source"]: d for d in built.docs()}
    photo = _render(built.out, docs["toolbox-meetings/2026-05-01 meeting photo.jpg"]
                    ["pages"][0])
    assert photo.height > photo.width             # upright view of a portrait photo

    def reds(box):
        data = photo.crop(box).tobytes()
        return sum(1 for i in range(0, len(data), 3)
                   if data[i] > 180 and data[i + 1] < 80 and data[i + 2] < 80)
    w, h = photo.size
    assert reds((0, 0, w, h // 4)) > 50 and reds((0, h * 3 // 4, w, h)) == 0
    sheet = _render(built.out, docs["toolbox-meetings/2026-05-15 meeting sheet.png"]
                    ["pages"][0])
    w, h = sheet.size
    assert sheet.getpixel((w // 2, h // 2))[2] > 200 > sheet.getpixel((w // 2, h // 2))[0]
    corner = sheet.getpixel((w // 4, h // 2 - h // 12))          # transparent area
    assert min(corner) > 240, corner


def test_pdf_passes_qpdf_check_and_has_properties(built: Built) -> None:
    check = subprocess.run(["qpdf", "--check", str(built.out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    info = built.pdf.docinfo
    assert str(info.Author) == "Mary-Anne O'Brien"
    assert "2026" in str(info.Title) and str(info.CreationDate).startswith("D:2026")


def test_folder_is_not_modified(built: Built) -> None:
    assert snapshot(built.folder) == built.before


def test_rebuild_is_byte_identical(built: Built, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    build_package(built.folder, again, BuildOptions(),
                  generators={"year_end_summary": stub_summary(SUMMARY_PAGES)})
    assert again.read_bytes() == built.out.read_bytes()
    index = json.loads(again.with_suffix(".json").read_text(encoding="utf-8"))
    assert index | {"pdf": None} == built.index | {"pdf": None}


# --- unreadable files and failures -----------------------------------------------------------

@pytest.fixture
def locked_folder(tmp_path: Path) -> Path:
    files = dict(FILES)
    files["site-inspections/2026-03-09 secret.pdf"] = encrypted_pdf("secret", "hunter2")
    files["stray.pdf"] = reportlab_pdf("stray")
    return make_folder(tmp_path, COMPANY, files, settings=SETTINGS)


def test_password_file_stops_the_build_naming_it(locked_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    with pytest.raises(InputError) as err:
        build_package(locked_folder, out, generators={"year_end_summary": stub_summary()})
    text = str(err.value)
    assert "2026-03-09 secret.pdf: the PDF is protected with a password" in text
    assert "stray.pdf: this file is not in a category folder" in text
    assert not out.exists() and not out.with_suffix(".json").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_skip_unreadable_lists_them_on_the_checklist(locked_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = build_package(locked_folder, out, BuildOptions(skip_unreadable=True),
                           generators={"year_end_summary": stub_summary()})
    index = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    not_included = {f["file"] for c in index["categories"] for f in c["not_included"]}
    assert "site-inspections/2026-03-09 secret.pdf" in not_included
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "3", str(out), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Files not included" in text and "secret.pdf" in text and "stray.pdf" in text
    assert result.report.has_findings


def test_failed_summary_leaves_the_old_output_alone(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, COMPANY, {"hazard-assessments/2026-01-10 a.pdf":
                                             reportlab_pdf("a")})
    out = tmp_path / "out.pdf"
    out.write_bytes(b"previous build")

    def broken(_sub):
        raise InputError(Problem("records/hours.csv", 3, "hours", "not a number"))
    with pytest.raises(InputError, match="records/hours.csv:3: hours: not a number"):
        build_package(folder, out, generators={"year_end_summary": broken})
    assert out.read_bytes() == b"previous build"


def test_output_inside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, COMPANY, {})
    with pytest.raises(InputError, match="inside the submission folder"):
        build_package(folder, folder / "submission.pdf",
                      generators={"year_end_summary": stub_summary()})
    assert not (folder / "submission.pdf").exists()


def test_word_file_goes_through_one_converter_call(tmp_path: Path) -> None:
    from test_package_fixtures import docx_bytes

    folder = make_folder(tmp_path, COMPANY, {
        "toolbox-meetings/2026-05-01 meeting.docx": docx_bytes("w1"),
        "toolbox-meetings/2026-05-02 meeting.odt": b"not a zip at all",
        "toolbox-meetings/2026-05-03 meeting.docx": docx_bytes("w2")})
    calls = []

    def fake_convert(sources, out_dir):
        from manualgen.services.office import Conversion

        calls.append([s.name for s in sources])
        out_dir.mkdir(parents=True, exist_ok=True)
        results = []
        for src in sources:
            pdf = out_dir / f"{src.stem}.pdf"
            pdf.write_bytes(reportlab_pdf(src.stem, 1))
            results.append(Conversion(src, pdf))
        return results
    out = tmp_path / "out.pdf"
    build_package(folder, out, BuildOptions(skip_unreadable=True),
                  generators={"year_end_summary": stub_summary()}, convert=fake_convert)
    assert len(calls) == 1 and len(calls[0]) == 2       # the damaged .odt never reaches it
    index = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    meetings = next(c for c in index["categories"] if c["key"] == "toolbox-meetings")
    assert len(meetings["documents"]) == 2
    assert meetings["not_included"][0]["file"].endswith("meeting.odt")
    assert not any(p.name.startswith(".~lock") for p in (folder / "toolbox-meetings").iterdir())


@needs_libreoffice()
def test_word_file_is_converted_by_libreoffice(tmp_path: Path) -> None:
    from test_package_fixtures import docx_bytes

    folder = make_folder(tmp_path, COMPANY, {
        "toolbox-meetings/2026-05-01 meeting.docx": docx_bytes("word1")})
    before = snapshot(folder)
    out = tmp_path / "out.pdf"
    build_package(folder, out, generators={"year_end_summary": stub_summary()})
    index = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    doc = next(d for c in index["categories"] for d in c["documents"]
               if d["source"].endswith(".docx"))
    text = subprocess.run(["pdftotext", "-f", str(doc["pages"][0]), "-l",
                           str(doc["pages"][0]), str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert marker("word1", 1) in text
    assert snapshot(folder) == before


def test_rebuild_after_copying_the_folder_elsewhere_is_identical(built: Built,
                                                                 tmp_path: Path) -> None:
    root = tmp_path / "moved"
    shutil.copytree(built.folder.parent, root, ignore=shutil.ignore_patterns("out"))
    again = tmp_path / "moved.pdf"
    build_package(root / "sub", again,
                  generators={"year_end_summary": stub_summary(SUMMARY_PAGES)})
    assert again.read_bytes() == built.out.read_bytes()


def test_stamps_in_any_script_and_shared_resources_stay_shared(tmp_path: Path) -> None:
    """The stamp's own operators and font (issue 14: no 5,000-page stamp document): a
    company name beyond Latin-1 reads back on every page, and pages that shared one
    /Resources dictionary share one copy with the stamp font in it."""
    import datetime as dt

    from manualgen.submission.assemble import Part, Properties, assemble

    shared = tmp_path / "shared.pdf"
    with pikepdf.new() as pdf:
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                    Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        res = pdf.make_indirect(pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
        for n in range(3):
            page = pdf.add_blank_page(page_size=(612, 792))
            page.obj.Resources = res
            page.obj.Contents = pdf.make_stream(b"BT /F1 24 Tf 72 700 Td (Sheet %d) Tj ET" % n)
        pdf.save(shared)
    other = pikepdf_pdf("other", 1)
    out = tmp_path / "out.pdf"
    total = assemble([Part(shared, 3), Part(other, 1)], [], {},
                     lambda x, y: f"Tāgé Ēdžo Builders - page {x} of {y}",
                     Properties("t", "a", "s", "k", "c", dt.date(2026, 12, 1)), out)
    assert total == 4
    for number in range(1, 5):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(out),
                               "-"], check=True, capture_output=True, text=True).stdout
        assert f"Tāgé Ēdžo Builders - page {number} of 4" in " ".join(text.split())
    with pikepdf.open(out) as merged:
        kept = [p.obj.Resources for p in merged.pages[:3]]
        assert len({r.objgen for r in kept}) == 1 and kept[0].is_indirect
        assert "/F1" in kept[0].Font and len(kept[0].Font) > 1     # its own font kept
    assert "No syntax or stream encoding errors" in subprocess.run(
        ["qpdf", "--check", str(out)], capture_output=True, text=True).stdout
