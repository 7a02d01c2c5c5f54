"""`package build --max-size`: pictures stored smaller, step by step, until the PDF fits;
never below 150 dpi; and a plain word when it cannot fit, with what would."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from manualgen import resources
from manualgen.cli import main
from manualgen.cli.params import SizeParam
from manualgen.submission.normalise import MIN_DPI

from test_package_fixtures import make_folder, reportlab_pdf

COMPANY = resources.examples_dir() / "company.yaml"


def noisy_photo(seed: int, size=(1700, 2200)) -> bytes:
    """A phone photo that does not compress away: grain everywhere, like a real one."""
    rnd = random.Random(seed)
    grain = Image.effect_noise(size, 40 + rnd.randint(0, 10)).convert("RGB")
    buf = io.BytesIO()
    grain.save(buf, "JPEG", quality=92)
    return buf.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("size")
    files: dict[str, bytes | str] = {
        f"toolbox-meetings/2026-06-{i + 1:02d} toolbox photo {i}.jpg": noisy_photo(i)
        for i in range(6)}
    files["site-inspections/2026-03-03 inspection.pdf"] = reportlab_pdf("inspection", 2)
    return make_folder(root, COMPANY, files)


def build(folder: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["package", "build", str(folder), "-o", str(out),
                                     "--skip-unreadable", *extra])


def size_findings(output: str) -> list[str]:
    """The build's own words about the size (the folder's gaps are findings too)."""
    return [line for line in output.splitlines() if "MB" in line and "sub:" in line]


def photo_dpi(pdf_path: Path) -> list[float]:
    """The resolution each photo page keeps at its printed size."""
    out = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            xobjects = page.Resources.get("/XObject", {})
            for image in xobjects.values():
                if image.get("/Subtype") == "/Image" and image.get("/Filter") == "/DCTDecode":
                    ops = pikepdf.parse_content_stream(page)
                    width = next(abs(float(o[0])) for o, op in ops if str(op) == "cm"
                                 and abs(float(o[0])) > 100)
                    out.append(float(image.Width) / (width / 72))
    return out


@pytest.fixture(scope="module")
def default(folder, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("default") / "submission.pdf"
    result = build(folder, out)
    assert out.is_file() and not size_findings(result.output), result.output
    return out


def test_fits_by_storing_pictures_smaller(folder, default, tmp_path):
    full = default.stat().st_size
    limit = int(full * 0.55)
    out = tmp_path / "small.pdf"
    result = build(folder, out, "--max-size", str(limit))
    assert out.stat().st_size <= limit < full, result.output
    (said,) = size_findings(result.output)
    assert "warning: pictures stored at" in said and "so the PDF fits in" in said
    dpis = photo_dpi(out)
    assert len(dpis) == 6 and min(dpis) >= MIN_DPI - 1
    assert max(photo_dpi(default)) > max(dpis) or out.stat().st_size < full   # it did shrink
    with pikepdf.open(out) as small, pikepdf.open(default) as big:
        assert len(small.pages) == len(big.pages)                 # same pages, same plan
    small_index, big_index = (json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))
                              for p in (out, default))
    assert small_index["categories"] == big_index["categories"]   # same documents, pages
    assert any("pictures stored at" in f["message"] for f in small_index["findings"])


def test_says_when_it_cannot_fit_and_what_would(folder, tmp_path):
    out = tmp_path / "tiny.pdf"
    result = build(folder, out, "--max-size", "200kB")
    assert result.exit_code == 1, result.output
    (said,) = size_findings(result.output)
    assert "warning" not in said and "over the 0.2 MB asked for" in said
    assert "less would blur text" in said
    assert "the largest: toolbox-meetings/" in said and "--max-size" in said
    assert out.is_file()                                          # written all the same
    assert min(photo_dpi(out)) >= MIN_DPI - 1                     # never below the floor


def test_without_a_limit_nothing_changes(folder, default, tmp_path):
    again = tmp_path / "again.pdf"
    assert not size_findings(build(folder, again, "--max-size", "1GB").output)  # fits
    assert again.read_bytes() == default.read_bytes()
    assert min(photo_dpi(default)) > 195                         # today's 200 dpi


@pytest.mark.parametrize(("text", "size"), [("20MB", 20_000_000), ("1.5GB", 1_500_000_000),
                                            ("20MiB", 20 * 2**20), ("500kB", 500_000),
                                            ("300000", 300_000)])
def test_size_parameter(text, size):
    assert SizeParam().convert(text, None, None) == size


def test_keep_resolution_and_a_limit_do_not_go_together(folder, tmp_path):
    result = build(folder, tmp_path / "x.pdf", "--max-size", "20MB", "--keep-resolution")
    assert result.exit_code == 2 and "do not go together" in result.output
