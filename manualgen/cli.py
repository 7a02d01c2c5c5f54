"""The command line: click commands that parse, call one library function, and print.

Errors are caught once, here, by their base class: a `ManualgenError` becomes its message
on stderr and its exit code (2 bad input); anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from manualgen import __version__
from manualgen.errors import EXIT_FINDINGS, ManualgenError

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
OUT_FILE = click.Path(dir_okay=False, path_type=Path)
OUT_DIR = click.Path(file_okay=False, path_type=Path)


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
    from manualgen.pipeline import load_inputs

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
    from manualgen.manual import build_manual

    result = build_manual(profile, output, pdf=pdf)
    click.echo(result.summary())


# --- forms command (issue 3) ---

# --- status and init commands (issue 5) ---

# --- summary command (issue 6) ---

# --- package commands (issue 7) ---

# --- library commands (issue 4) ---

# --- demo command ---
