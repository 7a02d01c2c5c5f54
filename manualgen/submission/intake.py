"""Find and classify the files of a submission folder, without changing or converting any.

Every file placed in the folder ends up as a `Sample`, a `Refused` entry (with the finding
that names it), or in `ignored` (operating-system litter such as .DS_Store, listed too):
nothing is dropped silently. Links that leave the folder and files that are not regular
files are refused; the folder is only read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from manualgen.errors import Problem
from manualgen.inputs.submission import COMPANY_FILE, SUBMISSION_FILE, Submission
from manualgen.io import inside
from manualgen.submission.spec import PackageSpec

RECORDS_DIR = "records"
README_NAMES = ("README.txt", "README.md")
OS_LITTER = {".ds_store", "thumbs.db", "desktop.ini", ".localized"}

PDF_SUFFIXES = {".pdf"}
WORD_SUFFIXES = {".docx", ".doc", ".odt", ".rtf"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
KIND_LABEL = {"pdf": "PDF", "word": "Word/ODT", "image": "image"}
# The largest sample file of each kind: a 300-page scan at 300 dpi is some 150 MB; a
# phone photo 5-15 MB; a Word file with photos rarely passes 20 MB.
MAX_BYTES = {"pdf": 500 * 2**20, "word": 50 * 2**20, "image": 100 * 2**20}

_LEADING_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?![0-9])[\s_.-]*(.*)$")
NAMING_FIX = "start the file name with its date, like '2026-03-14 roof inspection.pdf', " \
             f"or give its date under samples: in {SUBMISSION_FILE}"


@dataclass(frozen=True)
class Sample:
    """One file of a category, classified; its content is not opened here."""

    category: str            # category key
    rel: str                 # path inside the submission folder, with '/'
    path: Path
    kind: str                # pdf, word or image
    date: dt.date | None
    title: str
    size: int
    date_from: str | None = None   # "name", "submission.yaml" or "photo" (its EXIF date)

    @property
    def sort_key(self) -> tuple:
        return (self.date is None, self.date or dt.date.min, self.title.lower(), self.rel)


@dataclass(frozen=True)
class Refused:
    """A file that cannot go into the PDF, with the finding that says why."""

    rel: str
    category: str | None
    problem: Problem


@dataclass
class Intake:
    samples: list[Sample] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)   # findings about included files

    def by_category(self, key: str) -> list[Sample]:
        return sorted((s for s in self.samples if s.category == key), key=lambda s: s.sort_key)


def has_word_files(folder: Path) -> bool:
    """Whether a submission folder holds files LibreOffice will convert (a hint for
    starting one early: the intake decides what is a sample)."""
    return any(p.suffix.lower() in WORD_SUFFIXES for p in folder.rglob("*"))


def kind_of(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    for kind, suffixes in (("pdf", PDF_SUFFIXES), ("word", WORD_SUFFIXES),
                           ("image", IMAGE_SUFFIXES)):
        if suffix in suffixes:
            return kind
    return None


def title_from_name(stem: str) -> str:
    """'roof_inspection-north' -> 'Roof inspection north' (for names without a title)."""
    words = re.sub(r"[_]+", " ", stem).strip(" -.")
    words = " ".join(words.split())
    return words[:1].upper() + words[1:] if words else ""


def date_from_name(name: str) -> tuple[dt.date | None, str, str | None]:
    """(date, rest of the name, error) from a leading YYYY-MM-DD."""
    stem = Path(name).stem
    match = _LEADING_DATE.match(stem)
    if not match:
        return None, stem, None
    y, m, d, rest = match.groups()
    try:
        return dt.date(int(y), int(m), int(d)), rest, None
    except ValueError:
        return None, rest, f"{y}-{m}-{d} at the start of the name is not a real date"


_EXIF_TAKEN = 36867        # DateTimeOriginal, in the Exif sub-IFD
_EXIF_IFD = 0x8769
_EXIF_CHANGED = 306        # DateTime, in the main IFD


def photo_date(path: Path) -> dt.date | None:
    """The day a phone or camera took the picture (EXIF), or None; reads only the header."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            exif = img.getexif()
            text = exif.get_ifd(_EXIF_IFD).get(_EXIF_TAKEN) or exif.get(_EXIF_CHANGED)
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError,
            Image.DecompressionBombError):
        return None
    match = re.match(r"^(\d{4}):(\d{2}):(\d{2})", str(text or ""))
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def is_litter(name: str) -> bool:
    low = name.lower()
    return low in OS_LITTER or low.startswith(("._", "~$", ".~lock")) or low.startswith(".")


def scan(sub: Submission, spec: PackageSpec) -> Intake:
    """Walk the folder once and sort every entry into samples, refused and ignored."""
    root = sub.folder
    out = Intake()
    meta = {k.replace("\\", "/"): v for k, v in sub.settings.samples.items()}
    expected_top = {SUBMISSION_FILE, COMPANY_FILE, *README_NAMES}
    company = sub.inputs.profile
    logo = company.folder / company.profile.company.logo \
        if company.folder and company.profile.company.logo else None
    if logo is not None:
        with contextlib.suppress(ValueError):          # a logo outside is not our concern
            expected_top.add(logo.resolve().relative_to(root.resolve()).as_posix())
    folders = set(spec.folders)
    seen: set[str] = set()
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        rel = entry.name
        if is_litter(entry.name):
            out.ignored.append(rel)
        elif entry.name in folders and entry.is_dir(follow_symlinks=False):
            _walk_category(root, Path(entry.path), entry.name, meta, out, seen)
        elif entry.name == RECORDS_DIR and entry.is_dir(follow_symlinks=False):
            continue        # the summary report reads and checks the records
        elif rel in expected_top and entry.is_file(follow_symlinks=False):
            continue
        else:
            refusal = _odd_entry(root, entry)
            if refusal is None:
                what = "folder" if entry.is_dir(follow_symlinks=False) else "file"
                refusal = f"this {what} is not in a category folder, so it is not part " \
                          "of the submission"
                fix = "move it into one of: " + ", ".join(spec.folders)
            else:
                refusal, fix = refusal
            out.refused.append(Refused(rel, None, Problem(str(root / rel), None, None,
                                                          refusal, fix)))
    for name, _info in meta.items():
        if name not in seen:
            out.problems.append(sub.doc.problem(
                ("samples", name), f"no sample file {name} in the category folders",
                "check the path (relative to the submission folder, like "
                "site-inspections/scan0042.pdf) or remove the entry", severity="warning"))
    return out


def _odd_entry(root: Path, entry: os.DirEntry) -> tuple[str, str] | None:
    """Links and special files get their own refusal; None for ordinary entries."""
    path = Path(entry.path)
    if entry.is_symlink():
        target = os.path.realpath(path)
        if not inside(root, Path(target)):
            return ("a link to something outside the submission folder; links leaving "
                    "the folder are refused", "copy the file itself into the folder")
        if not os.path.exists(target):
            return "a link to a file that does not exist", "remove the link"
        if os.path.isdir(target):
            return "a link to a folder; folders cannot be links", \
                "move or copy the files into the category folder"
        if not stat.S_ISREG(os.stat(target).st_mode):
            return "a link to something that is not a regular file", "remove the link"
        return None
    mode = entry.stat(follow_symlinks=False).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "not a regular file (a device, pipe or socket)", "remove it from the folder"
    return None


def _walk_category(root: Path, folder: Path, category: str, meta: dict, out: Intake,
                   seen: set[str]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        out.refused.append(Refused(folder.relative_to(root).as_posix(), category, Problem(
            str(folder), None, None, f"the folder cannot be read ({exc.strerror})",
            "check its permissions")))
        return
    for entry in entries:
        path = Path(entry.path)
        rel = path.relative_to(root).as_posix()
        if is_litter(entry.name):
            out.ignored.append(rel)
            continue
        odd = _odd_entry(root, entry)
        if odd is not None:
            out.refused.append(Refused(rel, category, Problem(str(path), None, None, *odd)))
            continue
        if entry.is_dir(follow_symlinks=False):
            _walk_category(root, path, category, meta, out, seen)
            continue
        seen.add(rel)
        _classify(path, rel, category, meta.get(rel), out)


def _classify(path: Path, rel: str, category: str, info, out: Intake) -> None:
    size = path.stat().st_size
    kind = kind_of(path.name)
    where = str(path)
    if path.suffix.lower() in (".heic", ".heif"):
        out.refused.append(Refused(rel, category, Problem(
            where, None, None, "HEIC photos cannot be read",
            "export the photo as JPEG (on an iPhone: Settings > Camera > Formats > "
            "Most Compatible)")))
        return
    if kind is None:
        out.refused.append(Refused(rel, category, Problem(
            where, None, None, f"unknown file type {path.suffix or '(no extension)'!r}",
            "save it as PDF, Word (.docx, .odt) or a JPEG/PNG picture")))
        return
    if size == 0:
        out.refused.append(Refused(rel, category, Problem(
            where, None, None, "the file is empty", "copy the file again from its source")))
        return
    if size > MAX_BYTES[kind]:
        out.refused.append(Refused(rel, category, Problem(
            where, None, None, f"the file is {size / 2**20:,.0f} MB; a {KIND_LABEL[kind]} "
            f"sample may be at most {MAX_BYTES[kind] // 2**20} MB",
            "save a smaller copy (scan at 300 dpi, or split it into several files)")))
        return
    day, rest, error = date_from_name(path.name)
    date_from = "name" if day else None
    title = title_from_name(rest) or title_from_name(path.stem)
    if info is not None:
        if info.date is not None:
            day, date_from, error = info.date, SUBMISSION_FILE, None
        if info.title:
            title = info.title
    if day is None and not error and kind == "image":
        day = photo_date(path)
        date_from = "photo" if day else None
    if error:
        out.problems.append(Problem(where, None, None, error, NAMING_FIX))
    elif day is None:
        out.problems.append(Problem(where, None, None, "the sample has no date", NAMING_FIX))
    out.samples.append(Sample(category, rel, path, kind, day, title, size, date_from))


def suggested_activities(sub: Submission, spec: PackageSpec,
                         rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Activity-log rows the samples already record (a dated inspection in
    site-inspections/, inside the review period) that `rows` do not hold yet."""
    kinds = {c.key: c.activity for c in spec.categories if c.activity}
    have = {(r.get("date", ""), r.get("activity", "")) for r in rows}
    out = []
    for sample in scan(sub, spec).samples:
        activity = kinds.get(sample.category)
        if activity is None or sample.date is None or \
                not sub.period.start <= sample.date <= sub.period.end:
            continue
        key = (sample.date.isoformat(), activity)
        if key in have:
            continue
        have.add(key)
        out.append({"date": key[0], "activity": activity, "site": "",
                    "description": sample.title, "people": ""})
    return sorted(out, key=lambda r: (r["date"], r["activity"]))
