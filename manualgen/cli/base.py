"""What every command shares: the `main` group, errors turned into messages and exit codes,
`--library`, LibreOffice found or started, writing and printing.

Everything the environment decides is read here, once: the library (`--library`, then
`MANUALGEN_LIBRARY`, then the bundled one), LibreOffice (`MANUALGEN_SOFFICE`, then PATH),
the Python with its UNO bridge (`MANUALGEN_UNO_PYTHON`, "" for none: cold runs only) and
the socket of the shared warm LibreOffice (`MANUALGEN_OFFICE_SOCKET`, else one per user in
`XDG_RUNTIME_DIR` or the temporary folder). Errors are caught once, by their base class:
a `ManualgenError` becomes its message and its exit code (2 bad input); anything else is a
bug in manualgen: one plain line, the traceback in a log file (or on screen with --debug),
exit code 3.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

import click

from manualgen import __version__
from manualgen.cli.params import DateParam
from manualgen.errors import ExitCode, ManualgenError, Problem

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
OUT_FILE = click.Path(dir_okay=False, path_type=Path)
OUT_DIR = click.Path(file_okay=False, path_type=Path)
DATE = DateParam()
LIBRARY_ENV = "MANUALGEN_LIBRARY"
SOFFICE_ENV = "MANUALGEN_SOFFICE"
UNO_PYTHON_ENV = "MANUALGEN_UNO_PYTHON"
OFFICE_SOCKET_ENV = "MANUALGEN_OFFICE_SOCKET"
LAYOUT_CACHE = Path(".manualgen") / "layout"     # in the company's folder


# --------------------------------------------------------------------------- the edge


def _crash_log(exc: BaseException) -> Path | None:
    """Write the traceback of a bug where the user can send it to us."""
    text = "".join(traceback.format_exception(exc))
    try:
        fd, name = tempfile.mkstemp(prefix="manualgen-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"manualgen {__version__}: {' '.join(sys.argv)}\n\n{text}")
        return Path(name)
    except OSError:
        return None


def reports_errors(func):
    """Turn user-facing errors into a message and an exit code, once for every command."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ManualgenError as exc:
            text = str(exc)
            click.secho(text if "\n" in text else f"error: {text}", err=True, fg="red")
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException,
                KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug: said plainly, never a bare traceback
            ctx = click.get_current_context(silent=True)
            debug = bool(ctx and ctx.find_root().params.get("debug"))
            if debug:
                traceback.print_exception(exc, file=sys.stderr)
            else:
                log = _crash_log(exc)
                where = f"the details are in {log}" if log else "run again with --debug"
                click.secho(f"manualgen failed with an internal error "
                            f"({type(exc).__name__}); this is a bug in manualgen, not in "
                            f"your files - {where}", err=True, fg="red")
            sys.exit(ExitCode.BUG)

    return wrapper


def library_option(func):
    """`--library DIR` on every command that reads the library."""
    return click.option(
        "--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
        envvar=LIBRARY_ENV, show_envvar=True, default=None,
        help="The policy library to use (a folder holding policy_library/, or a policy "
             "library folder). Default: the library that came with manualgen.")(func)


def library_at(library_dir: Path | None):
    from manualgen import api

    return api.load_library(library_dir, compiled=user_cache() / "templates")


def user_cache() -> Path:
    """This user's cache folder for manualgen (XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base and Path(base).is_absolute()
            else Path.home() / ".cache") / "manualgen"


def office_socket() -> Path:
    """Where the shared warm LibreOffice (`manualgen office start`) listens."""
    explicit = os.environ.get(OFFICE_SOCKET_ENV)
    if explicit:
        return Path(explicit)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(runtime) if runtime and Path(runtime).is_dir() else \
        Path(tempfile.gettempdir()) / f"manualgen-{os.getuid()}"
    return folder / "manualgen-office.sock"


def find_office(*, warm: bool = False, side_by_side: bool = False):
    """The shared warm LibreOffice when one runs; else, with `warm`, one of this command's
    own, started now so it comes up while the document is composed (with `side_by_side`,
    one a core, laying out parts of a manual at once); else cold runs."""
    from manualgen.api.office import Office

    office = Office.find(os.environ.get(SOFFICE_ENV), socket=office_socket())
    if warm and not office.is_warm:
        office = warm_office(side_by_side=side_by_side).start()
    return office


def warm_office(*, side_by_side: bool = True):
    """Warm LibreOffices of this process's own: one a core with `side_by_side` (a manual
    laid out in parts at once), else one (the command's own work fills the other cores, and
    a second starting LibreOffice slows it: bench/NOTES.md)."""
    from manualgen.api.office import Office, lanes_for_machine

    return Office.warm(os.environ.get(SOFFICE_ENV), python=os.environ.get(UNO_PYTHON_ENV),
                       instances=lanes_for_machine() if side_by_side else 1,
                       profiles=user_cache() / "office")


def write_file(path: Path, data: bytes | str) -> None:
    from manualgen import api

    api.save(path, data)
    click.echo(f"wrote {path}")


def emit(report, as_json: bool) -> None:
    """Print a findings report as text or JSON and exit 1 when it has findings."""
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(report.as_text())
    if report.has_findings:
        sys.exit(ExitCode.FINDINGS)


def warn(lines) -> None:
    for line in lines:
        if isinstance(line, Problem):       # says "warning:" itself, after its place
            click.secho(str(line), err=True, fg="yellow")
        else:
            click.secho(f"warning: {line}", err=True, fg="yellow")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="manualgen")
@click.option("--debug", is_flag=True, help="Show the full traceback of an internal error.")
def main(debug: bool) -> None:
    """Yukon SECOR health and safety manuals, forms and annual submissions."""


