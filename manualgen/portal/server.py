"""Configuring Django for the portal, serving it with waitress, running its workers.

A web process answers pages on waitress's threads and never builds: it queues builds for
the worker processes (`run_worker`, `manualgen portal worker`), each of which keeps one
warm LibreOffice. Nothing a web process holds is needed by another, so NSNY runs as many
of each as it likes, on one data root (and one database) shared by all.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from manualgen.portal.settings import SITE_KEY, portal_settings
from manualgen.portal.site import LIBRARY, PortalSite
from manualgen.web.server import USE_POLL

THREADS = 8
OFFICE_FOLDER = "office"     # under the data root: the LibreOffice profile kept for restarts


def configure(environ: Mapping[str, str], site: PortalSite | None) -> dict[str, Any]:
    """Configure Django for the portal once per process; the settings it used."""
    import django
    from django.conf import settings

    values = portal_settings(environ, site=site)
    if not settings.configured:
        settings.configure(**values)
        django.setup()
    elif site is not None:
        setattr(settings, SITE_KEY, site)
    return values


def prepare() -> None:
    """Bring the database to the current schema and collect the static files (both
    under the data root); quiet, and quick when there is nothing to do. Processes
    started together take turns (a lock file in the data root)."""
    import fcntl

    from django.conf import settings
    from django.core.management import call_command

    lock = Path(settings.PORTAL_DATA_ROOT) / ".prepare.lock"
    with open(lock, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)


def wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def application_from_environment():
    """The WSGI app for `manualgen.portal.wsgi`: the site made from the environment."""
    from django.conf import settings

    from manualgen import api

    environ = os.environ
    library = library_location(settings.PORTAL_DATA_ROOT, environ.get("MANUALGEN_LIBRARY"))
    site = PortalSite(settings.PORTAL_DATA_ROOT, library=api.load_library(library),
                      office=office_for(environ.get("MANUALGEN_SOFFICE"), warm=False))
    setattr(settings, SITE_KEY, site)
    return wsgi_app()


def library_location(root: Path | str, given: Path | str | None) -> Path | str | None:
    """The library a portal process loads: the data root's own (`DATA/library`, made by
    `portal init`, where NSNY publishes) when it is there, else `given` (--library,
    MANUALGEN_LIBRARY) or, when that is None too, the bundled one."""
    home = Path(root).expanduser() / LIBRARY
    return home if (home / "policy_library" / "library.yaml").is_file() else (given or None)


def office_for(soffice: str | None, *, warm: bool, root: Path | None = None):
    """A worker's warm LibreOffice (one: a worker builds one thing at a time; run one
    worker a core), started from a profile kept in the data root's `office/` folder so a
    restart does not pay for LibreOffice's first-start setup again. A web process never
    lays out pages: it only asks whether LibreOffice is there, cold."""
    from manualgen.api.office import Office

    if not warm:
        return Office.find(soffice)
    return Office.warm(soffice, instances=1,
                       profiles=None if root is None else root / OFFICE_FOLDER)


def start_up(site: PortalSite, log: Callable[[str], None]) -> None:
    """Before serving or working: remove what a crash left half-written."""
    gone = site.sweep()
    if gone:
        log(f"removed {len(gone)} half-written file(s) left by a crash")


def make_server(site: PortalSite, host: str, port: int, *, threads: int = THREADS):
    from waitress.server import create_server

    return create_server(wsgi_app(), host=host, port=port, threads=threads,
                         max_request_body_size=site.limits.server_bytes,
                         trusted_proxy="127.0.0.1", trusted_proxy_headers={"x-forwarded-proto",
                                                                           "x-forwarded-for"},
                         clear_untrusted_proxy_headers=True, ident="manualgen-portal",
                         asyncore_use_poll=USE_POLL)


def serve(site: PortalSite, host: str, port: int, *,
          ready: Callable[[str], None], threads: int = THREADS) -> None:
    server = make_server(site, host, port, threads=threads)
    shown = f"[{host}]" if ":" in host else host
    ready(f"http://{shown}:{server.effective_port}/")
    try:
        server.run()
    finally:
        server.close()
        stop = getattr(site.office, "close", None)
        if callable(stop):
            stop()


def serve_in_thread(site: PortalSite, host: str = "127.0.0.1", port: int = 0):
    """Serve on a thread (tests): (address, server)."""
    server = make_server(site, host, port)
    threading.Thread(target=server.run, name="manualgen-portal", daemon=True).start()
    return f"http://{host}:{server.effective_port}/", server
