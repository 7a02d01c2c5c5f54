"""The annual submission's commands: `package init|check|build` and `summary`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from manualgen.cli.base import (
    DATE,
    EXISTING_DIR,
    EXISTING_FILE,
    OUT_DIR,
    OUT_FILE,
    emit,
    find_office,
    library_at,
    library_option,
    main,
    reports_errors,
)
from manualgen.cli.params import SizeParam
from manualgen.errors import ExitCode

_COMPANY = click.option(
    "--company", type=EXISTING_FILE, default=None,
    help="The company profile (default: company.yaml in the folder or the one above it).")


def _submission(folder: Path, company: Path | None, library, on=None, quiet=False):
    from manualgen import api

    path = api.submission.find_company(folder, company)
    if not quiet:
        click.echo(f"company profile: {path}", err=True)
    return api.submission.load(folder, library, company=path, on=on)


@main.command()
@click.argument("folder", type=EXISTING_DIR)
@click.option("-o", "--output", type=OUT_FILE, required=True, help="The PDF to write.")
@click.option("--docx", "docx_out", type=OUT_FILE, help="Also write the editable Word version.")
@click.option("--json", "json_out", type=OUT_FILE, help="Also write the figures as JSON.")
@_COMPANY
@click.option("--on", "on", type=DATE,
              help="Count the figures to this day (default: the last date in the records).")
@library_option
@reports_errors
def summary(folder: Path, output: Path, docx_out: Path | None, json_out: Path | None,
            company: Path | None, on, library_dir: Path | None) -> None:
    """The Year End Safety Activity Summary Report from a submission folder's records."""
    from manualgen import api

    result = api.summary.build(_submission(folder, company, library_at(library_dir), on), on=on)
    outputs: list[tuple[Path, bytes | str]] = [(output, result.pdf_bytes())]
    if docx_out is not None:
        outputs.append((docx_out, result.docx_bytes()))
    if json_out is not None:
        outputs.append((json_out, result.json_text()))
    for path, data in outputs:       # every form rendered before any is written
        api.save(path, data)
    click.echo(result.summary())
    for path, _ in outputs:
        click.echo(f"wrote {path}")


@main.group()
def package() -> None:
    """The Annual Documentation Review Submission: scaffold, check and build it."""


@package.command("init")
@click.argument("directory", type=OUT_DIR)
@_COMPANY
@library_option
@reports_errors
def package_init(directory: Path, company: Path | None, library_dir: Path | None) -> None:
    """Make an empty submission folder: category folders, record files and a README."""
    from manualgen import api
    from manualgen.errors import fail

    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise fail(directory, "already exists and is not empty",
                   fix="choose a new folder name; init never writes over your files")
    library = library_at(library_dir)
    if company is None:
        candidate = directory.absolute().parent / "company.yaml"
        company = candidate if candidate.is_file() else None
    files = api.submission.new_files(library, profile=company)
    api.save_tree(directory, files)
    if company is not None:
        click.echo(f"company profile: {company}", err=True)
    click.echo(f"{directory}: submission folder ready ({len(files)} files and folders). "
               f"Read {api.submission.README} in it first.")


@package.command("check")
@click.argument("directory", type=EXISTING_DIR)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Judge as of this day (default: today).")
@_COMPANY
@library_option
@reports_errors
def package_check(directory: Path, as_json: bool, on, company: Path | None,
                  library_dir: Path | None) -> None:
    """Say what is missing, late, out of period or unreadable; builds nothing."""
    from manualgen import api

    on = on or dt.date.today()
    sub = _submission(directory, company, library_at(library_dir), on, quiet=as_json)
    emit(api.submission.check(sub, on=on), as_json)


@package.command("build")
@click.argument("directory", type=EXISTING_DIR)
@click.option("-o", "--output", type=OUT_FILE, required=True,
              help="The PDF to write; its JSON index is written beside it.")
@click.option("--skip-unreadable", is_flag=True,
              help="Leave out files that cannot be read and list them on the checklist.")
@click.option("--keep-resolution", is_flag=True,
              help="Keep pictures at full resolution (default: at most 200 dpi).")
@click.option("--max-size", type=SizeParam(), default=None, metavar="SIZE",
              help="Store pictures smaller, step by step down to 150 dpi, until the PDF "
                   "fits in SIZE (like 20MB, for email); says so when it cannot.")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Only to choose the anniversary when submission.yaml gives none.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@_COMPANY
@library_option
@reports_errors
def package_build(directory: Path, output: Path, skip_unreadable: bool,
                  keep_resolution: bool, max_size: int | None, on, as_json: bool,
                  company: Path | None, library_dir: Path | None) -> None:
    """Build the submission PDF (cover, checklist, contents, samples, summary report)."""
    # Word samples need LibreOffice: started first, it comes up while the rest loads.
    from manualgen.api import office as offices

    with find_office(warm=offices.needed_for_submission(directory)) as office:
        from tqdm import tqdm

        from manualgen import api

        api.submission.refuse_output_inside(directory, output)
        sub = _submission(directory, company, library_at(library_dir), on, quiet=as_json)
        options = api.submission.BuildOptions(skip_unreadable=skip_unreadable,
                                              keep_resolution=keep_resolution, max_size=max_size,
                                              pdf_name=output.name)
        with tqdm(total=1, file=sys.stderr, unit="step", leave=False, disable=None) as bar:
            def progress(stage: str, done: int, total: int) -> None:
                if bar.total != total:
                    bar.total = total
                bar.set_description(stage, refresh=False)
                bar.update(done)

            result = api.submission.build(sub, options, office=office, progress=progress)
    result.write(output)
    if as_json:
        click.echo(json.dumps(result.report.as_dict(), indent=2, ensure_ascii=False,
                              default=str))
    else:
        click.echo(result.summary(str(output)))
    if result.report.has_findings:
        sys.exit(ExitCode.FINDINGS)
