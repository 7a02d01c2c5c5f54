"""NSNY's commands for the policy library: `library check|list|coverage|book|diff|import`."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import click

from manualgen.cli.base import (
    DATE,
    EXISTING_DIR,
    EXISTING_FILE,
    OUT_FILE,
    emit,
    library_at,
    library_option,
    main,
    reports_errors,
)


@main.group()
def library() -> None:
    """For NSNY staff: check, list, review and import the policy library."""


@library.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--on", "on", type=DATE, default=None,
              metavar="YYYY-MM-DD", help="The day reviews are judged against (default: today).")
@library_option
@reports_errors
def library_check(as_json: bool, on, library_dir: Path | None) -> None:
    """Find every problem in the library at once: exit 0 clean, 1 with findings."""
    from manualgen import api

    emit(api.library.check(library_dir, on=on or dt.date.today()), as_json)


@library.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@library_option
@reports_errors
def library_list(as_json: bool, library_dir: Path | None) -> None:
    """Policies, forms and hazard keys, with the library's version."""
    from manualgen import api

    listing = api.library.listing(library_at(library_dir))
    click.echo(json.dumps(listing.as_dict(), indent=2, ensure_ascii=False) if as_json
               else listing.as_text())


@library.command("coverage")
@click.option("-o", "--output", type=OUT_FILE, default=None,
              help="Also write the table as a Word (.docx) or HTML (.html) page.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@library_option
@reports_errors
def library_coverage(output: Path | None, as_json: bool, library_dir: Path | None) -> None:
    """Which policies and forms cover each audit element, and the gaps."""
    from manualgen import api

    report = api.library.coverage(library_at(library_dir))
    click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) if as_json
               else report.as_text())
    if output is not None:
        api.save(output, api.library.coverage_document(report, output))
        click.echo(f"wrote {output}", err=as_json)


@library.command("book")
@click.option("-o", "--output", type=OUT_FILE, required=True, help="The .docx to write.")
@library_option
@reports_errors
def library_book(output: Path, library_dir: Path | None) -> None:
    """The whole library in one Word document for proofreading."""
    from manualgen import api

    result = api.library.book(library_at(library_dir))
    api.save(output, result.docx)
    click.echo(result.summary(str(output)))


@library.command("diff")
@click.argument("old", type=EXISTING_DIR)
@click.argument("new", type=EXISTING_DIR)
@click.option("--companies", type=EXISTING_DIR, default=None,
              help="A folder of company folders (each with company.yaml): say which "
                   "manuals each change reaches.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@reports_errors
def library_diff(old: Path, new: Path, companies: Path | None, as_json: bool) -> None:
    """What changed from library OLD to library NEW: policies added, removed, changed.

    OLD and NEW are library folders (holding policy_library/, or policy library folders),
    for example two checkouts of NSNY's library repository.
    """
    from manualgen import api

    emit(api.library.diff(api.load_library(old), api.load_library(new),
                          companies=companies), as_json)


@library.command("import")
@click.argument("policy", type=EXISTING_FILE)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="The .md file to write, or a folder to write <id>.md into "
                   "(default: print it).")
@library_option
@reports_errors
def library_import(policy: Path, output: Path | None, library_dir: Path | None) -> None:
    """Turn a Word policy (.docx) into a library Markdown file with a header to complete."""
    import contextlib

    from manualgen import api
    from manualgen.errors import fail

    library = None
    with contextlib.suppress(api.InputError):  # a broken library: import without its names
        library = library_at(library_dir)
    into_folder = output is not None and (output.is_dir() or str(output).endswith(os.sep))
    wanted = output.stem if output is not None and not into_folder else None
    result = api.library.import_policy(policy, library, policy_id=wanted)
    if into_folder:
        output = output / f"{result.policy_id}.md"
    if output is not None and output.exists():
        raise fail(output, "already exists; import does not overwrite a file",
                   fix="choose another name with -o, or delete the file first")
    if output is None:
        click.echo(result.text, nl=False)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if output is not None:
        api.save(output, result.text)
        click.echo(f"wrote {output} - complete its header, then run: manualgen library check")
