"""The hosted portal's commands: `portal init|invite|serve|worker|remind|backup|restore`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from manualgen.cli.base import (
    EXISTING_DIR,
    EXISTING_FILE,
    OUT_FILE,
    SOFFICE_ENV,
    library_at,
    library_option,
    main,
    reports_errors,
)
from manualgen.errors import UsageError

PORTAL_DATA = click.Path(file_okay=False, path_type=Path)


def _portal(data_dir: Path, *, site: bool = False, library_dir: Path | None = None,
            worker: bool = False):
    """Configure Django for the portal on `data_dir` (settings from the environment);
    with `site`, this process's PortalSite (a worker's with its warm LibreOffice)."""
    from manualgen.portal import ops
    from manualgen.portal.server import configure, library_location, office_for
    from manualgen.portal.site import PortalSite

    environ = ops.environ_for(os.environ, data_dir)
    portal_site = None
    if site:         # DATA/library (where NSNY publishes) when there, else --library
        portal_site = PortalSite(data_dir, library=library_at(library_location(data_dir,
                                                                             library_dir)),
                                 office=office_for(os.environ.get(SOFFICE_ENV), warm=worker,
                                                   root=data_dir))
    return configure(environ, portal_site), portal_site


@main.group()
def portal() -> None:
    """The NSNY portal: the web app hosted for many companies (docs/deploy/README.md)."""


@portal.command("init")
@click.argument("data_dir", type=PORTAL_DATA)
@click.option("--admin-email", required=True, help="The first NSNY admin's e-mail address.")
@library_option
@reports_errors
def portal_init(data_dir: Path, admin_email: str, library_dir: Path | None) -> None:
    """Make the data folder, its database, its library and the first NSNY admin.

    The admin's password comes from MANUALGEN_ADMIN_PASSWORD, or is asked for. The
    library (--library, else the one that came with manualgen) is copied into
    DATA/library, a git repository, unless the folder has one already."""
    from manualgen.portal import ops

    password = os.environ.get("MANUALGEN_ADMIN_PASSWORD") or click.prompt(
        f"Password for {admin_email}", hide_input=True, confirmation_prompt=True)
    root = ops.make_root(data_dir, os.environ)
    if ops.make_library(root, library_dir, email=admin_email) is not None:
        click.echo(f"library copied into {root / 'library'} (a git repository)")
    _portal(data_dir)
    ops.init(admin_email, password)
    click.echo(f"portal ready in {data_dir.resolve()}: start `manualgen portal serve "
               f"{data_dir}` (the pages) and `manualgen portal worker {data_dir}` (the "
               f"builds), then sign in as {admin_email}")


@portal.command("invite")
@click.argument("data_dir", type=EXISTING_DIR)
@click.option("--company", default=None, help="The company's name (made when new).")
@click.option("--email", required=True, help="Who is invited.")
@click.option("--role", type=click.Choice(["owner", "member", "consultant", "reviewer",
                                           "admin"]),
              default="owner", show_default=True)
@reports_errors
def portal_invite(data_dir: Path, company: str | None, email: str, role: str) -> None:
    """Invite a person into a company (or as NSNY staff); prints the invitation link."""
    from manualgen.portal import ops

    values, _site = _portal(data_dir)
    click.echo(ops.invite_link(values["PORTAL_ORIGIN"], company, email, role))


@portal.command("serve")
@click.argument("data_dir", type=EXISTING_DIR)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on: the reverse proxy's side of this machine.")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@library_option
@reports_errors
def portal_serve(data_dir: Path, port: int, host: str, threads: int,
                 library_dir: Path | None) -> None:
    """Serve the portal (behind an HTTPS reverse proxy; see docs/deploy/README.md)."""
    from manualgen.portal.server import prepare, start_up
    from manualgen.portal.server import serve as run

    values, portal_site = _portal(data_dir, site=True, library_dir=library_dir)
    prepare()
    start_up(portal_site, lambda text: click.echo(text, err=True))

    def ready(address: str) -> None:
        from manualgen.portal.ops import where_served

        click.echo(f"manualgen portal: {data_dir.resolve()} at "
                   f"{where_served(values, address)} (Ctrl+C stops it)", err=True)
        sys.stderr.flush()

    try:
        run(portal_site, host, port, ready=ready, threads=threads)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                         fix="choose another --port") from None


@portal.command("worker")
@click.argument("data_dir", type=EXISTING_DIR)
@click.option("--batch", is_flag=True,
              help="Run the builds waiting now, then stop (for tests and one-off runs).")
@library_option
@reports_errors
def portal_worker(data_dir: Path, batch: bool, library_dir: Path | None) -> None:
    """Run the portal's builds (manuals, forms, submission PDFs) as they are queued.

    Run one a core, beside the web processes (docs/deploy/README.md); SIGTERM lets the
    running build finish first. A build whose worker was killed is run again by another."""
    _values, portal_site = _portal(data_dir, site=True, library_dir=library_dir, worker=True)
    from manualgen.portal.jobs import run_worker  # noqa: I001 - once Django is configured
    from manualgen.portal.server import start_up

    start_up(portal_site, lambda text: click.echo(text, err=True))
    click.echo(f"manualgen portal worker: {data_dir.resolve()} (Ctrl+C stops it)", err=True)
    try:
        run_worker(portal_site, batch=batch)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        stop = getattr(portal_site.office, "close", None)
        if callable(stop):
            stop()


@portal.command("remind")
@click.argument("data_dir", type=EXISTING_DIR)
@library_option
@reports_errors
def portal_remind(data_dir: Path, library_dir: Path | None) -> None:
    """Send the reminders that are due (each once); for cron or a systemd timer."""
    from manualgen.portal.mail import send_reminders

    _values, portal_site = _portal(data_dir, site=True, library_dir=library_dir)
    sent = send_reminders(portal_site)
    click.echo(f"{len(sent)} reminder(s) sent")


@portal.command("backup")
@click.argument("data_dir", type=EXISTING_DIR)
@click.argument("out", type=OUT_FILE)
@reports_errors
def portal_backup(data_dir: Path, out: Path) -> None:
    """Copy the database and the files, consistently, into one .tar.gz."""
    from manualgen.portal import ops

    _portal(data_dir)
    counts = ops.backup(data_dir.resolve(), out)
    click.echo(f"wrote {out}: {counts['rows']} rows, {counts['files']} files")


@portal.command("restore")
@click.argument("backup", type=EXISTING_FILE)
@click.argument("data_dir", type=PORTAL_DATA)
@reports_errors
def portal_restore(backup: Path, data_dir: Path) -> None:
    """Make a new portal data folder (and database) from a backup."""
    from manualgen.portal import ops

    dump = ops.unpack(backup, data_dir)
    ops.make_root(data_dir, os.environ)       # a new secret key if the backup had none
    _portal(data_dir)
    rows = ops.load(dump, data_dir.resolve())
    click.echo(f"restored {rows} rows and the files into {data_dir}")
