"""`package init DIR`: an empty submission folder the employer fills in.

One sub-folder per category of the package, the record files with their header rows, an
example row and the allowed values (as `#` lines, which the records reader skips), a
goals.yaml to fill in, a commented submission.yaml and a README in plain words. Returned
as files; the caller writes them into a new folder (`storage.write_new_tree`).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from manualgen.inputs.library.load import Library
from manualgen.inputs.records import GOALS_FILE, RECORDS_DIR, TABLES
from manualgen.inputs.submission import SUBMISSION_FILE
from manualgen.submission.spec import DEFAULT_PACKAGE, PackageSpec, load_package

README = "README.txt"
Tree = dict[str, bytes]       # relative path -> content; a path ending in "/" is a folder


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


def _examples(library: Library) -> dict[str, tuple[str, list[str]]]:
    """Each record table's example row and its notes on allowed values."""
    rules = library.rules
    return {
        "activity-log": ("2026-03-14,inspection,Shop and yard,Monthly shop inspection,"
                         "Pat Lee; Sam Roy",
                         ["activity is one of: " + ", ".join(rules.activities),
                          "people: names separated by ;"]),
        "incidents": ("2026-05-27,first_aid,Cut to the hand on flashing; cleaned and "
                      "bandaged,0,0,yes,no",
                      ["class is one of: " + ", ".join(rules.incident_classes),
                       "days_lost and modified_days are whole days; investigated and "
                       "reported_to_wscb are yes or no"]),
        "hours": ("2026-03,640,4", ["month as YYYY-MM; hours worked by everyone that month; "
                                     "employees is optional"]),
        "action-plan": ("1,9,Ladder not tied off at the gutter line,Tie-off points added and "
                        "crew retrained,Pat Lee,2026-04-30,closed,2026-04-22",
                        ["element: the audit element number; status is open, in_progress "
                         "or closed; due and completed as YYYY-MM-DD"]),
    }


GOALS_TEMPLATE = """\
# Goals: last year's goals with what came of them, and next year's goals.
# The Year End Safety Activity Summary Report prints them; every key is optional.
last_year: []
#  - goal: Hold a toolbox meeting every week from May to October
#    outcome: Met - a meeting every Monday (26 meetings)
#    met: yes            # yes, no or partly
next_year: []
#  - goal: An inspection every month, winter included
#    measure: 12 of 12 monthly inspections recorded
#    responsible: Pat Lee
#    due: 2027-03-31
"""


def scaffold_files(library: Library, *, anniversary: dt.date | None = None,
                   package: str | Path = DEFAULT_PACKAGE) -> Tree:
    """Every file and folder of an empty submission folder."""
    spec = load_package(package, library)
    tree: Tree = {}
    for cat in spec.categories:
        if cat.folder:
            tree[cat.folder + "/"] = b""
    tree[RECORDS_DIR + "/"] = b""
    examples = _examples(library)
    for stem, (columns, _required, _reader) in TABLES.items():
        lines = [",".join(columns)]
        example, notes = examples.get(stem, ("", []))
        if example:
            lines.append("# example (lines starting with # are skipped): " + example)
        lines += [f"# {n}" for n in notes]
        tree[f"{RECORDS_DIR}/{stem}.csv"] = ("\n".join(lines) + "\n").encode("utf-8")
    tree[f"{RECORDS_DIR}/{GOALS_FILE}"] = GOALS_TEMPLATE.encode("utf-8")
    tree[SUBMISSION_FILE] = _submission_yaml(anniversary).encode("utf-8")
    tree[README] = _readme(spec, library.rules).encode("utf-8")
    return tree
