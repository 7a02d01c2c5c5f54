"""`package init DIR`: an empty submission folder the employer fills in.

One sub-folder per category of the package, the record files with their header rows,
a commented submission.yaml and a README in plain words. Written into a staging folder
and moved into place at the end; an existing non-empty folder is never touched.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

from manualgen.errors import fail
from manualgen.inputs.program import load_rules
from manualgen.inputs.submission import SUBMISSION_FILE, next_anniversary
from manualgen.package.spec import DEFAULT_PACKAGE, PackageSpec, load_package
from manualgen.services.storage import staging_dir

README = "README.txt"


@dataclass
class Scaffolded:
    folder: Path
    files: list[str]

    def summary(self) -> str:
        return (f"{self.folder}: submission folder ready ({len(self.files)} files and "
                f"folders). Read {README} in it first.")


def _submission_yaml(anniversary: dt.date | None) -> str:
    ann = f"anniversary: {anniversary.isoformat()}" if anniversary else \
        "# anniversary: 2026-12-15"
    return textwrap.dedent(f"""\
        # The settings of this submission. Every key is optional.
        #
        # The anniversary date of your SECOR certificate this submission is due BEFORE.
        # Without it, the next anniversary of the certificate date in company.yaml.
        {ann}
        #
        # The review period; without it, the 12 months before the anniversary.
        # period: {{start: 2025-12-16, end: 2026-12-15}}
        #
        # Who prepares and signs the submission (default: the owner).
        # prepared_by: Mary-Anne O'Brien
        #
        # How many of each activity you aim for in a month, when it differs from what your
        # policies say, e.g.
        # targets: {{inspection: 1, toolbox_meeting: 2}}
        #
        # Orientations are needed when someone was hired or came back; without this key
        # it is judged from records/activity-log.csv.
        # orientations_applicable: true
        #
        # Dates and titles for files whose names carry none (path inside this folder):
        # samples:
        #   site-inspections/scan0042.pdf: {{date: 2026-05-02, title: Base camp inspection}}
        """)


def _readme(spec: PackageSpec, rules) -> str:
    lines = [
        f"{spec.title}",
        "=" * len(spec.title),
        "",
        textwrap.fill(spec.description, 78),
        "",
        "How to fill this folder",
        "-----------------------",
        "",
        textwrap.fill("Put copies (never the originals) of your completed records into the "
                      "folders below: PDFs, Word or LibreOffice files, or photos of paper "
                      "forms (JPEG or PNG). Start every file name with the date the record "
                      "was made, then a few words that say what it is, for example:", 78),
        "",
        "    2026-03-14 roof inspection.pdf",
        "    2026-05-02 toolbox meeting ladders.jpg",
        "",
        textwrap.fill("If a file's name has no date (scan0042.pdf), give its date in "
                      f"{SUBMISSION_FILE} under 'samples:'. Samples must come from the "
                      "review period: the 12 months before your anniversary date.", 78),
        "",
        "The folders",
        "-----------",
        "",
    ]
    for number, cat in enumerate(spec.categories, start=1):
        need = cat.minimum(rules)
        where = f"{cat.folder}/" if cat.folder else "(made by manualgen)"
        how_many = f"At least {need} sample{'s' if need != 1 else ''}" + \
            (", if it applies." if cat.status == "if_applicable" else ".")
        if cat.generated:
            how_many = "Nothing to put here: manualgen makes it from records/."
        lines.append(f"{number}. {cat.title} - {where}")
        lines.append(textwrap.fill(f"{cat.evidence} {how_many}", 78,
                                   initial_indent="   ", subsequent_indent="   "))
        lines.append("")
    lines += [
        "records/",
        textwrap.fill("The year's records the Year End Safety Activity Summary Report is made "
                      "from. Keep one row per activity, incident, month or action item; the "
                      "first row of each file names the columns (Excel .xlsx with the same "
                      "columns works too).", 78, initial_indent="   ",
                      subsequent_indent="   "),
        "",
        "When you are done",
        "-----------------",
        "",
        "    manualgen package check THIS-FOLDER      says what is missing or late",
        "    manualgen package build THIS-FOLDER -o submission.pdf",
        "",
        textwrap.fill("The company profile (company.yaml) is read from this folder or the "
                      "one above it. manualgen never changes the files in this folder.", 78),
        "",
    ]
    return "\n".join(lines)


def scaffold(folder: Path, *, company: Path | None = None,
             package: str | Path = DEFAULT_PACKAGE, on: dt.date | None = None) -> Scaffolded:
    """Write the empty submission folder; refuse a folder that already holds files."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise fail(folder, "already exists and is not empty",
                   fix="choose a new folder name; init never writes over your files")
    rules = load_rules()
    spec = load_package(package, rules)
    anniversary = None
    if company is not None:
        from manualgen.inputs.pipeline import load_inputs

        secor = load_inputs(company).profile.profile.secor
        if secor is not None:
            anniversary = next_anniversary(secor.certificate_date, on or dt.date.today())
    from manualgen.inputs.records import RECORDS_DIR, TABLES

    files: list[str] = []
    with staging_dir(folder) as staged:
        for cat in spec.categories:
            if cat.folder:
                (staged / cat.folder).mkdir()
                files.append(cat.folder + "/")
        records = staged / RECORDS_DIR
        records.mkdir()
        for stem, (columns, _required, _reader) in TABLES.items():
            (records / f"{stem}.csv").write_text(",".join(columns) + "\n", encoding="utf-8")
            files.append(f"{RECORDS_DIR}/{stem}.csv")
        (staged / SUBMISSION_FILE).write_text(_submission_yaml(anniversary), encoding="utf-8")
        (staged / README).write_text(_readme(spec, rules), encoding="utf-8")
        files += [SUBMISSION_FILE, README]
        umask = os.umask(0)
        os.umask(umask)
        staged.chmod(0o777 & ~umask)
        if folder.exists():
            folder.rmdir()
        os.replace(staged, folder)
        staged.mkdir()                  # staging_dir removes it again
    return Scaffolded(folder, sorted(files))
