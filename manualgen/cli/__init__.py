"""The command line: click commands that parse, call one library function, and print.

Errors are caught once, here, by their base class: a `ManualgenError` becomes its message
on stderr and its exit code (2 bad input); anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path

import click

from manualgen import __version__
from manualgen.cli.params import DateParam
from manualgen.errors import EXIT_FINDINGS, ManualgenError

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
OUT_FILE = click.Path(dir_okay=False, path_type=Path)
OUT_DIR = click.Path(file_okay=False, path_type=Path)


DATE = DateParam()


def reports_errors(func):
    """Turn user-facing errors into a message and an exit code, once for every command."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ManualgenError as exc:
            click.echo(f"error: {exc}" if "\n" not in str(exc) else str(exc), err=True)
            sys.exit(exc.exit_code)

    return wrapper


def emit(report, as_json: bool) -> None:
    """Print a findings report as text or JSON and exit 1 when it has findings."""
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(report.as_text())
    if report.has_findings:
        sys.exit(EXIT_FINDINGS)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="manualgen")
def main() -> None:
    """Yukon SECOR health and safety manuals, forms and annual submissions."""


@main.command()
@click.argument("profile", type=EXISTING_FILE)
@reports_errors
def check(profile: Path) -> None:
    """Validate a company profile: every problem at once, with file, line and field."""
    from manualgen.inputs.pipeline import load_inputs

    loaded = load_inputs(profile)
    p = loaded.profile.profile
    click.echo(f"{profile}: OK - {p.company.name}, {len(p.people)} people, "
               f"{len(p.worksites)} worksites, {len(p.hazards)} hazards, "
               f"{len(loaded.policies)} policies apply.")


@main.command()
@click.argument("profile", type=EXISTING_FILE)
@click.option("-o", "--output", type=OUT_FILE, required=True, help="The .docx to write.")
@click.option("--pdf", is_flag=True, help="Also write a PDF beside it (needs LibreOffice).")
@reports_errors
def manual(profile: Path, output: Path, pdf: bool) -> None:
    """Build the draft health and safety manual in Word."""
    from manualgen.manual.build import build_manual

    result = build_manual(profile, output, pdf=pdf)
    click.echo(result.summary())


# --- forms command (issue 3) ---
@main.command()
@click.argument("profile", type=EXISTING_FILE)
@click.option("-o", "--output", type=OUT_DIR, required=True,
              help="The folder to write the forms into (created if missing).")
@click.option("--pdf", is_flag=True, help="Also write a PDF of each form (needs LibreOffice).")
@reports_errors
def forms(profile: Path, output: Path, pdf: bool) -> None:
    """Build the company's personalised blank forms, one Word file each."""
    from manualgen.forms.build import build_forms

    result = build_forms(profile, output, pdf=pdf)
    click.echo(result.summary())


# --- status and init commands (issue 5) ---

@main.command()
@click.argument("profile", type=EXISTING_FILE)
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="The day to judge (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--ics", type=OUT_FILE, default=None,
              help="Also write the due dates and course expiries as a calendar (.ics).")
@reports_errors
def status(profile: Path, on, as_json: bool, ics: Path | None) -> None:
    """Where the company stands in its SECOR cycle: what is due, training, LSE ratio."""
    from manualgen.status.report import build_status

    report = build_status(profile, on or dt.date.today())
    if ics is not None:
        from manualgen.status.calendar import write_ics

        count = write_ics(report, ics)
        click.echo(f"wrote {ics} ({count} calendar events)", err=as_json)
    emit(report, as_json)


@main.command()
@click.argument("directory", type=OUT_DIR, default=".", required=False)
@click.option("--defaults", is_flag=True,
              help="Write the example company's profile without asking questions.")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="The date offered as the manual's issue date (default: today).")
@reports_errors
def init(directory: Path, defaults: bool, on) -> None:
    """Write a commented company.yaml by asking the questions in plain words."""
    from manualgen.cli.interview import run_init

    path = run_init(directory, defaults=defaults, on=on or dt.date.today())
    if path is not None:
        click.echo(f"wrote {path} - check it with: manualgen check {path}")


# --- summary command (issue 6) ---


@main.command()
@click.argument("folder", type=EXISTING_DIR)
@click.option("-o", "--output", type=OUT_FILE, required=True, help="The PDF to write.")
@click.option("--docx", "docx_out", type=OUT_FILE, help="Also write the editable Word version.")
@click.option("--json", "json_out", type=OUT_FILE, help="Also write the figures as JSON.")
@click.option("--company", type=EXISTING_FILE,
              help="The company profile (default: company.yaml in or above the folder).")
@click.option("--on", "on", type=DATE,
              help="Count the figures to this day (default: the last date in the records).")
@reports_errors
def summary(folder: Path, output: Path, docx_out: Path | None, json_out: Path | None,
            company: Path | None, on) -> None:
    """The Year End Safety Activity Summary Report from a submission folder's records."""
    from manualgen.summary import write_summary

    result = write_summary(folder, output, docx_out, json_out, company=company,
                           on=on)
    click.echo(result.summary())
    for path in (output, docx_out, json_out):
        if path is not None:
            click.echo(f"wrote {path}")

# --- package commands (issue 7) ---

_PACKAGE_COMPANY = click.option(
    "--company", type=EXISTING_FILE, default=None,
    help="The company profile (default: company.yaml in the folder or the one above it).")


@main.group()
def package() -> None:
    """The Annual Documentation Review Submission: scaffold, check and build it."""


@package.command("init")
@click.argument("directory", type=OUT_DIR)
@_PACKAGE_COMPANY
@reports_errors
def package_init(directory: Path, company: Path | None) -> None:
    """Make an empty submission folder: category folders, record files and a README."""
    from manualgen.package.scaffold import scaffold

    click.echo(scaffold(directory, company=company).summary())


@package.command("check")
@click.argument("directory", type=EXISTING_DIR)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Judge as of this day (default: today).")
@_PACKAGE_COMPANY
@reports_errors
def package_check(directory: Path, as_json: bool, on, company: Path | None) -> None:
    """Say what is missing, late, out of period or unreadable; builds nothing."""
    from manualgen.package.check import check_package

    emit(check_package(directory, company=company, on=on), as_json)


@package.command("build")
@click.argument("directory", type=EXISTING_DIR)
@click.option("-o", "--output", type=OUT_FILE, required=True,
              help="The PDF to write; its JSON index is written beside it.")
@click.option("--skip-unreadable", is_flag=True,
              help="Leave out files that cannot be read and list them on the checklist.")
@click.option("--keep-resolution", is_flag=True,
              help="Keep pictures at full resolution (default: at most 200 dpi).")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Only to choose the anniversary when submission.yaml gives none.")
@_PACKAGE_COMPANY
@reports_errors
def package_build(directory: Path, output: Path, skip_unreadable: bool,
                  keep_resolution: bool, on, company: Path | None) -> None:
    """Build the submission PDF (cover, checklist, contents, samples, summary report)."""
    from tqdm import tqdm

    from manualgen.package.build import BuildOptions, build_package

    options = BuildOptions(skip_unreadable=skip_unreadable, keep_resolution=keep_resolution,
                           company=company, on=on)
    with tqdm(total=1, file=sys.stderr, unit="step", leave=False, disable=None) as bar:
        def progress(stage: str, done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.set_description(stage, refresh=False)
            bar.update(done)

        result = build_package(directory, output, options, progress=progress)
    click.echo(result.summary())
    if result.report.has_findings:
        sys.exit(EXIT_FINDINGS)

# --- library commands (issue 4) ---


@main.group()
def library() -> None:
    """For NSNY staff: check, list, review and import the policy library."""


@library.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--on", "on", type=DATE, default=None,
              metavar="YYYY-MM-DD", help="The day reviews are judged against (default: today).")
@reports_errors
def library_check(as_json: bool, on) -> None:
    """Find every problem in the library at once: exit 0 clean, 1 with findings."""
    from manualgen.library.lint import check_library

    emit(check_library(on=on or dt.date.today()), as_json)


@library.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@reports_errors
def library_list(as_json: bool) -> None:
    """Policies, forms and hazard keys, with the library's version."""
    from manualgen.inputs.library.load import load_library
    from manualgen.library.listing import list_library

    listing = list_library(load_library())
    click.echo(json.dumps(listing.as_dict(), indent=2, ensure_ascii=False) if as_json
               else listing.as_text())


@library.command("coverage")
@click.option("-o", "--output", type=OUT_FILE, default=None,
              help="Also write the table as a Word (.docx) or HTML (.html) page.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@reports_errors
def library_coverage(output: Path | None, as_json: bool) -> None:
    """Which policies and forms cover each audit element, and the gaps."""
    from manualgen.inputs.library.load import load_library
    from manualgen.library.coverage import coverage, write_coverage

    report = coverage(load_library())
    click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) if as_json
               else report.as_text())
    if output is not None:
        click.echo(f"wrote {write_coverage(report, output)}", err=as_json)


@library.command("book")
@click.option("-o", "--output", type=OUT_FILE, required=True, help="The .docx to write.")
@reports_errors
def library_book(output: Path) -> None:
    """The whole library in one Word document for proofreading."""
    from manualgen.library.book import build_book

    click.echo(build_book(output).summary())


@library.command("import")
@click.argument("policy", type=EXISTING_FILE)
@click.option("-o", "--output", type=OUT_FILE, default=None,
              help="The .md file to write (default: print it).")
@reports_errors
def library_import(policy: Path, output: Path | None) -> None:
    """Turn a Word policy (.docx) into a library Markdown file with a header to complete."""
    from manualgen.library.importer import import_policy

    result = import_policy(policy, output)
    if output is None:
        click.echo(result.text, nl=False)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if output is not None:
        click.echo(f"wrote {output} - complete its header, then run: manualgen library check")

# --- demo command ---


@main.command()
@click.option("-o", "--output", type=OUT_DIR, default=Path("demo-output"), show_default=True,
              help="The folder to write everything into.")
@reports_errors
def demo(output: Path) -> None:
    """Run every job on the bundled example company."""
    from manualgen.demo import run_demo

    files = run_demo(output, say=click.echo)
    click.echo(f"done: {len(files)} files in {output}/")
