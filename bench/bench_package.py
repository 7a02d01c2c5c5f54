"""Benchmark: `package build` at about 1,000 and 5,000 pages against the qpdf command line.

In one run, in a scratch folder, for each size:
1. generates a submission - a few hundred PDFs (1-6 pages, a logo and an embedded font
   each, like forms printed to PDF), phone photos and a few Word files - plus the example
   company's records;
2. builds it with `manualgen package build` in a child process, timing each stage;
3. merges the same PDFs with `qpdf --empty --pages ...` and stamps every page with
   `qpdf --overlay stamp.pdf` (the stamp PDF made by reportlab), the baseline; ours and
   the baseline alternate `--runs` times, the ratio the median of the pairs;
then the growth from the small size to the big one, ours and qpdf's; and
4. a submission of 200 phone photos (4000x3000 JPEG): its size at the default quality, and
   with `--max-size 20MB`, the resolution the pages keep; one page rendered to PNG.
Wall time is the child process's, peak memory its ru_maxrss (LibreOffice, a grandchild,
is reported apart).
Usage: python bench/bench_package.py [--sizes 300,1500] [--runs 3] [--big-photos N] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

EXAMPLE = ROOT / "examples"
WORDS = ["ladder", "anchor", "harness", "shingle", "flashing", "eave", "ridge", "valley",
         "membrane", "torch", "nailer", "compressor", "trailer", "truck", "spotter",
         "drop-zone", "tarp", "sheathing", "gutter", "skylight", "snow", "ice", "wind",
         "bear", "spray", "inreach", "first-aid", "extinguisher", "muster", "helmet",
         "gloves", "glasses"]


# --- generating the submission -------------------------------------------------------------

def form_pages(path: Path, pages: int, seed: int) -> None:
    """A multi-page form 'printed to PDF': logo image, an embedded TrueType font, tables."""
    from make_example_samples import SANS
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "Bench" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Bench", str(SANS)))
    rnd = random.Random(seed)
    w, h = letter
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    for n in range(1, pages + 1):
        c.drawImage(str(EXAMPLE / "logo.png"), 40, h - 80, 90, 45, mask="auto")
        c.setFont("Bench", 16)
        c.drawString(150, h - 60, f"Field-Level Hazard Assessment {seed}-{n}")
        c.setFont("Helvetica", 9)
        y = h - 110
        for _ in range(34):
            c.drawString(44, y, " ".join(rnd.choice(WORDS) for _ in range(9)))
            c.drawString(330, y, f"{rnd.randint(1, 5)} x {rnd.randint(1, 5)}  "
                                 f"{rnd.choice(('Yes', 'No', 'N/A'))}")
            c.line(40, y - 4, w - 40, y - 4)
            y -= 18
        c.setFont("Bench", 8)
        c.drawString(40, 30, f"F-FLHA-02 rev. 3 - page {n} of {pages}")
        c.showPage()
    c.save()


def photo(path: Path, size: tuple[int, int], seed: int) -> None:
    """A phone photo of a paper form, stored sideways with EXIF orientation 6."""
    from make_example_samples import Form, Table, form_image, phone_photo, save_phone_jpeg

    form = Form("Toolbox / Tailgate Meeting Record", "F-TBM-01",
                [("Date", f"2026-05-{seed % 28 + 1:02d}"), ("Site", "Destruction Bay"),
                 ("Presenter", "D. Tāgé Smith"), ("Time", "07:15")],
                [Table(["Attendee", "Topic", "Signature"],
                       [[rnd_name, " ".join(random.Random(seed + i).sample(WORDS, 3)), "ok"]
                        for i, rnd_name in enumerate(("Priya Raman", "Owen Kuster",
                                                      "Jesse Lindqvist", "Mary-Anne O'Brien",
                                                      "Éloïse Tremblay"))])])
    upright = (min(size), max(size))
    paper = form_image(form, upright[0] * 7 // 8, seed=seed)
    save_phone_jpeg(phone_photo(paper, upright, seed=seed, noise=12), path, quality=92)


def make_submission(folder: Path, pdfs: int, photos: int, words: int,
                    photo_size: tuple[int, int] = (2016, 1512)) -> dict:
    from make_example_samples import Checklist, Form, form_docx

    folder.mkdir(parents=True)
    shutil.copy(EXAMPLE / "company.yaml", folder.parent / "company.yaml")
    shutil.copy(EXAMPLE / "logo.png", folder.parent / "logo.png")
    shutil.copytree(EXAMPLE / "2026-submission" / "records", folder / "records")
    (folder / "submission.yaml").write_text("anniversary: 2026-12-15\n", encoding="utf-8")
    cats = ["hazard-assessments", "site-inspections", "toolbox-meetings",
            "preventative-maintenance", "investigations", "audit-action-plan",
            "emergency-response", "orientations"]
    rnd = random.Random(1)
    pages = 0
    pdf_files = []
    for i in range(pdfs):
        n = rnd.choice((1, 2, 3, 3, 4, 6))
        day = f"2026-{i % 11 + 1:02d}-{i % 27 + 1:02d}"
        path = folder / cats[i % len(cats)] / f"{day} form {i:04d}.pdf"
        path.parent.mkdir(exist_ok=True)
        form_pages(path, n, i)
        pdf_files.append(path)
        pages += n
    jobs = []
    for i in range(photos):
        path = folder / cats[i % len(cats)] / f"2026-06-{i % 28 + 1:02d} photo {i:03d}.jpg"
        path.parent.mkdir(exist_ok=True)
        jobs.append((path, photo_size, i))
    if jobs:                        # a big photo takes seconds to draw: one a core
        with ProcessPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(photo, *zip(*jobs, strict=True)))
    for i in range(words):
        form = Form("Orientation checklist", "F-OR-01", [("Worker", f"Worker {i}")],
                    [Checklist("Covered", [(w, "Yes") for w in WORDS[:12]])])
        (folder / "orientations" / f"2026-04-{i + 10} orientation {i}.docx").write_bytes(
            form_docx(form))
    return {"pdf_files": pdf_files, "pdf_pages": pages}


# --- measuring in child processes -----------------------------------------------------------

def child_build(folder: str, out: str, keep: str, max_size: str = "") -> None:
    """Run in a child: build, timing stages through the progress callback. As `manualgen
    package build` does, a warm LibreOffice is started first when there are Word files
    (it comes up while the samples are read)."""
    start = time.perf_counter()
    from manualgen.api import office as offices
    from manualgen.cli import user_cache

    office = offices.Office.warm(profiles=user_cache() / "office").start() \
        if offices.needed_for_submission(Path(folder)) else offices.Office.find()
    from manualgen import api

    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter() - start)

    library = api.load_library()
    sub = api.submission.load(folder, library)
    options = api.submission.BuildOptions(skip_unreadable=True, keep_resolution=keep == "1",
                                          pdf_name=Path(out).name,
                                          max_size=int(max_size) if max_size else None)
    with office:
        api.submission.build(sub, options, progress=progress, office=office).write(out)
    wall = time.perf_counter() - start
    marks.setdefault("done", wall)
    names = list(marks)
    stages = {names[i]: marks[names[i + 1]] - marks[names[i]] for i in range(len(names) - 1)}
    print(json.dumps({"wall": wall, "stages": stages,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "children_rss_mb":
                          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def child_run(cmds: list[list[str]]) -> None:
    """Run commands one after another in a child; report wall time and peak memory."""
    start = time.perf_counter()
    for cmd in cmds:
        subprocess.run(cmd, check=True)
    print(json.dumps({"wall": time.perf_counter() - start,
                      "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def measured(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                          capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stamp_pdf(path: Path, total: int) -> float:
    """The qpdf baseline's stamp: one page per output page, made with reportlab."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    start = time.perf_counter()
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    for i in range(1, total + 1):
        c.setFont("Helvetica", 8)
        c.drawCentredString(letter[0] / 2, 8, f"Kluane Ridge Roofing - SECOR submission 2026 - "
                                             f"page {i} of {total}")
        c.showPage()
    c.save()
    return time.perf_counter() - start


def pages_of(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def mb(path: Path) -> float:
    return path.stat().st_size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="300,1500",
                        help="PDFs in each generated submission (300: about 1,000 pages)")
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--words", type=int, default=3)
    parser.add_argument("--big-photos", type=int, default=200,
                        help="phone photos for the --max-size part (0: leave it out)")
    parser.add_argument("--max-size", type=float, default=20, help="MB, for the photos")
    parser.add_argument("--runs", type=int, default=3, help="builds (and peer runs) a size")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            child_build(*rest)
        elif kind == "make":
            folder, pdfs, photos, words, w, h = rest
            made = make_submission(Path(folder), int(pdfs), int(photos), int(words),
                                   (int(w), int(h)))
            print(json.dumps({"pdf_files": [str(p) for p in made["pdf_files"]],
                              "pdf_pages": made["pdf_pages"]}))
        else:
            child_run(json.loads(Path(rest[0]).read_text(encoding="utf-8")))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-package-"))
    try:
        run(tmp, args)
    finally:
        if args.keep:
            print(f"scratch folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def one_size(tmp: Path, pdfs: int, photos: int, words: int, runs: int) -> dict:
    """Build a generated submission and the qpdf baseline of the same PDFs; the figures."""
    # Generated in a child: a parent grown big would inflate the children's ru_maxrss
    # (Linux carries the high-water mark across exec).
    t = time.perf_counter()
    made = measured(["make", str(tmp / "sub"), str(pdfs), str(photos), str(words),
                     "2016", "1512"])
    print(f"\ngenerated {pdfs} PDFs ({made['pdf_pages']} pages), {photos} photos, "
          f"{words} Word files in {time.perf_counter() - t:.1f} s")
    out = tmp / "out" / "submission.pdf"
    merged, stamped = tmp / "qpdf-merged.pdf", tmp / "qpdf-stamped.pdf"
    stamp = tmp / "stamp.pdf"
    commands = tmp / "qpdf-commands.json"           # too long for one argument
    merge = ["qpdf", "--empty", "--pages", *[str(p) for p in made["pdf_files"]], "--",
             str(merged)]
    overlay = ["qpdf", str(merged), "--overlay", str(stamp), "--", str(stamped)]
    # Ours and the peer alternate, `runs` times each: medians of wall time (the ratio
    # pair by pair), the highest peak memory.
    builds, peers, ratios = [], [], []
    for _ in range(runs):
        ours = measured(["build", str(tmp / "sub"), str(out), "0"])
        stamp_time = stamp_pdf(stamp, made["pdf_pages"])
        commands.write_text(json.dumps([merge, overlay]), encoding="utf-8")
        qpdf = measured(["run", str(commands)])
        builds.append(ours)
        peers.append((qpdf, stamp_time))
        ratios.append(ours["wall"] / (qpdf["wall"] + stamp_time))
    ours = sorted(builds, key=lambda r: r["wall"])[len(builds) // 2]
    ours["rss_mb"] = max(r["rss_mb"] for r in builds)
    qpdf, stamp_time = sorted(peers, key=lambda r: r[0]["wall"] + r[1])[len(peers) // 2]
    qpdf["rss_mb"] = max(q["rss_mb"] for q, _ in peers)
    total = pages_of(out)
    commands.write_text(json.dumps([merge]), encoding="utf-8")
    qpdf_merge = measured(["run", str(commands)])
    base = qpdf["wall"] + stamp_time
    ratio = statistics.median(ratios)
    # Like for like: the same submission without its Word files and photos (which the
    # peer does not convert), so only what qpdf does too is left, with our front pages.
    only_pdfs = tmp / "sub-pdfs"
    shutil.copytree(tmp / "sub", only_pdfs)
    for path in only_pdfs.rglob("*"):
        if path.suffix.lower() in (".docx", ".jpg", ".jpeg", ".png"):
            path.unlink()
    like = statistics.median(
        measured(["build", str(only_pdfs), str(tmp / "out-pdfs" / "submission.pdf"), "0"])
        ["wall"] for _ in range(runs))
    print(f"{'':34}{'wall s':>9}{'peak MB':>9}{'size MB':>9}{'pages':>7}")
    print(f"{'manualgen package build':34}{ours['wall']:9.2f}{ours['rss_mb']:9.0f}"
          f"{mb(out):9.1f}{total:7d}")
    for stage, secs in ours["stages"].items():
        print(f"{'  ' + stage:34}{secs:9.2f}")
    print(f"{'  (LibreOffice, a child)':34}{'':9}{ours['children_rss_mb']:9.0f}")
    print(f"{'qpdf merge + overlay stamp':34}{qpdf['wall']:9.2f}{qpdf['rss_mb']:9.0f}"
          f"{mb(stamped):9.1f}{pages_of(stamped):7d}")
    print(f"{'  qpdf merge only':34}{qpdf_merge['wall']:9.2f}{qpdf_merge['rss_mb']:9.0f}"
          f"{mb(merged):9.1f}")
    print(f"{'  stamp PDF by reportlab':34}{stamp_time:9.2f}")
    print(f"ratio whole build / (qpdf merge + overlay + stamp PDF), median of {runs} pairs: "
          f"{ratio:.2f}x (goal <= 1.0x; each: {', '.join(f'{r:.2f}' for r in ratios)}); "
          f"peak {ours['rss_mb']:.0f} MB vs qpdf {qpdf['rss_mb']:.0f} MB")
    print(f"like for like (the PDFs only: no Word files or photos to convert): {like:.2f} s, "
          f"{like / base:.2f}x the peer's median")
    return {"pages": total, "ours": ours["wall"], "rss": ours["rss_mb"], "peer": base,
            "assembling": ours["stages"].get("assembling", 0)}


def run(tmp: Path, args) -> None:
    sizes = [int(n) for n in args.sizes.split(",") if n]     # --sizes "": the photos only
    results = [one_size(tmp / f"size-{n}", n, args.photos, args.words, args.runs)
               for n in sizes]
    if len(results) >= 2:
        small, big = results[0], results[-1]
        scale = big["pages"] / small["pages"]
        print(f"\ngrowth {small['pages']} -> {big['pages']} pages ({scale:.1f}x the pages): "
              f"ours {big['ours'] / small['ours']:.2f}x (goal within 5.5x), assembling stage "
              f"{big['assembling'] / small['assembling']:.2f}x, "
              f"qpdf {big['peer'] / small['peer']:.2f}x; peak memory at {big['pages']} pages "
              f"{big['rss']:.0f} MB (goal < 300 MB)")
    if args.big_photos <= 0:
        return
    t = time.perf_counter()
    measured(["make", str(tmp / "photos" / "sub"), "0", str(args.big_photos), "0", "4000",
              "3000"])
    src = sum(p.stat().st_size for p in (tmp / "photos" / "sub").rglob("*.jpg")) / 1e6
    print(f"\ngenerated {args.big_photos} phone photos 4000x3000 ({src:.1f} MB of JPEG) in "
          f"{time.perf_counter() - t:.1f} s")
    plain = tmp / "photos-out" / "default.pdf"
    res = measured(["build", str(tmp / "photos" / "sub"), str(plain), "0"])
    print(f"photo submission, default quality: {mb(plain):.1f} MB for {pages_of(plain)} pages, "
          f"{res['wall']:.1f} s, peak {res['rss_mb']:.0f} MB, pictures at "
          f"{placed_dpi(plain):.0f} dpi")
    limit = int(args.max_size * 1e6)
    fitted = tmp / "photos-out" / "fitted.pdf"
    res = measured(["build", str(tmp / "photos" / "sub"), str(fitted), "0", str(limit)])
    print(f"photo submission, --max-size {args.max_size:g}MB: {mb(fitted):.1f} MB "
          f"({'fits' if fitted.stat().st_size <= limit else 'DOES NOT FIT'}), {res['wall']:.1f} s, "
          f"peak {res['rss_mb']:.0f} MB, pictures at {placed_dpi(fitted):.0f} dpi "
          f"(floor 150)")
    look = tmp / "photo-page.png"
    render_one_photo(fitted, look)
    if args.keep:
        print(f"one photo page of the fitted PDF rendered at 100 dpi: {look}")


def placed_dpi(pdf_path: Path) -> float:
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            xobjects = page.Resources.get("/XObject", {})
            if "/Im0" in xobjects:
                ops = pikepdf.parse_content_stream(page)
                width = next(float(o[0]) for o, op in ops if str(op) == "cm")
                return float(xobjects.Im0.Width) / (width / 72)
    return 0.0


def render_one_photo(pdf_path: Path, target: Path) -> None:
    import json as _json

    index = _json.loads(pdf_path.with_suffix(".json").read_text(encoding="utf-8"))
    page = next(d["pages"][0] for c in index["categories"] for d in c["documents"]
                if d["source"].endswith(".jpg"))
    png = subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", str(page), "-l", str(page),
                          str(pdf_path)], check=True, capture_output=True).stdout
    target.write_bytes(png)


if __name__ == "__main__":
    main()
