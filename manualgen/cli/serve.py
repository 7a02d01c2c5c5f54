"""The local web app (`serve`), the shared warm LibreOffice (`office start|stop|status`) and
the `demo` on the bundled example."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from manualgen.cli.base import (
    OUT_DIR,
    SOFFICE_ENV,
    UNO_PYTHON_ENV,
    find_office,
    library_at,
    library_option,
    main,
    office_socket,
    reports_errors,
    warm_office,
)
from manualgen.errors import ExitCode, UsageError


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".",
                required=False)
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The port to listen on (0: a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Anything but this computer's own address "
                   "lets other machines reach the app.")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@library_option
@reports_errors
def serve(folder: Path, port: int, host: str, no_browser: bool,
          library_dir: Path | None) -> None:
    """The web app on one company folder: profile, manual, status, submission."""
    import webbrowser

    from manualgen.web.server import serve as run
    from manualgen.web.site import Site

    folder.mkdir(parents=True, exist_ok=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.secho(f"warning: listening on {host}: other machines on the network can reach "
                    "the app (they still need the token)", err=True, fg="yellow")
    hosts = ("127.0.0.1", "localhost", "[::1]") + ((host,) if host not in
                                                   ("127.0.0.1", "localhost", "::1") else ())
    # Warm LibreOffices for the server's life where this manualgen has the UNO bridge,
    # else cold runs; stopped with the server.
    site = Site(folder, library=library_at(library_dir), office=warm_office(), hosts=hosts,
                log=lambda text: click.echo(text, err=True))

    def ready(address: str) -> None:
        click.echo(f"manualgen serve: {site.folder} - open this address (Ctrl+C stops it):",
                   err=True)
        click.echo(address)
        sys.stdout.flush()
        if not no_browser:
            webbrowser.open(address)

    try:
        run(site, host, port, ready=ready)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                         fix="choose another --port") from None


# --------------------------------------------------------------------------- office


@main.group()
def office() -> None:
    """A warm LibreOffice for this machine: commands use it while it runs (faster)."""


@office.command("start")
@click.option("--max-docs", type=click.IntRange(1), default=200, show_default=True,
              help="Renew LibreOffice after this many documents.")
@reports_errors
def office_start(max_docs: int) -> None:
    """Start the warm LibreOffice (it runs until `manualgen office stop`)."""
    from manualgen.api.office import find_soffice, find_uno_python, start_shared
    from manualgen.errors import ToolError

    soffice = find_soffice(os.environ.get(SOFFICE_ENV))
    python = find_uno_python(os.environ.get(UNO_PYTHON_ENV))
    if soffice is None or python is None:
        raise ToolError("a warm LibreOffice needs LibreOffice and its Python bridge",
                        fix="apt-get install libreoffice-writer-nogui python3-uno")
    state = start_shared(soffice, python, office_socket(), max_docs=max_docs)
    click.echo(f"warm LibreOffice running (process {state['pid']}) at {office_socket()}")


@office.command("stop")
@reports_errors
def office_stop() -> None:
    """Stop the warm LibreOffice."""
    from manualgen.api.office import stop_shared

    stopped = stop_shared(office_socket())
    click.echo("warm LibreOffice stopped" if stopped else "no warm LibreOffice was running")


@office.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the state as JSON.")
@reports_errors
def office_status(as_json: bool) -> None:
    """Say whether the warm LibreOffice runs: exit 0 when it does, 1 when not."""
    from manualgen.api.office import shared_status

    state = shared_status(office_socket())
    if as_json:
        click.echo(json.dumps({"socket": str(office_socket()), "running": state is not None,
                               **(state or {})}, indent=2))
    elif state is None:
        click.echo(f"no warm LibreOffice at {office_socket()}")
    else:
        click.echo(f"warm LibreOffice running (process {state['pid']}, up {state['uptime']} s, "
                   f"{state['docs']} documents since its last start, "
                   f"{state['starts']} starts) at {office_socket()}")
    if state is None:
        sys.exit(ExitCode.FINDINGS)


# --------------------------------------------------------------------------- demo


@main.command()
@click.option("-o", "--output", type=OUT_DIR, default=Path("demo-output"), show_default=True,
              help="The folder to write everything into.")
@library_option
@reports_errors
def demo(output: Path, library_dir: Path | None) -> None:
    """Run every job on the bundled example company."""
    from manualgen.cli.demo import run_demo

    with find_office(warm=True, side_by_side=True) as office:   # a manual, 14 forms, Word samples
        files = run_demo(output, library_at(library_dir), office, say=click.echo)
    click.echo(f"done: {len(files)} files in {output}/")
