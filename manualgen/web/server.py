"""Running the app: Django configured for one `Site`, served by waitress.

waitress is a pure-Python production server with threads (no fork, nothing to compile),
so a build on one request does not hold the others; `runserver` is for development only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from manualgen.web.settings import configure
from manualgen.web.site import Site

THREADS = 6
# poll(), not select(): a connection closed while the main loop gathers its sockets makes
# select() fail with EBADF and stop the server (waitress issue #374; seen once in CI), where
# poll() reports that socket alone as gone. Nor has poll() select()'s limit of 1,024 sockets.
USE_POLL = True


def wsgi_app(site: Site):
    """The WSGI application serving `site`."""
    configure(site)
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def make_server(site: Site, host: str, port: int):
    """A waitress server bound to host:port (port 0: a free one), not yet running; the
    site learns its port before Django is configured, so its cookie names carry it."""
    from waitress.server import create_server

    server = create_server(lambda environ, start: [], host=host, port=port, threads=THREADS,
                           max_request_body_size=site.limits.server_bytes,
                           ident="manualgen", asyncore_use_poll=USE_POLL)
    site.port = server.effective_port
    server.application = wsgi_app(site)
    site.jobs.refile()              # phone forms received before a stop, not yet filed
    return server


def serve(site: Site, host: str, port: int, *, ready: Callable[[str], None]) -> None:
    """Serve until interrupted; `ready` gets the address with its token."""
    server = make_server(site, host, port)
    shown = f"[{host}]" if ":" in host else host
    ready(site.address(shown if host not in ("0.0.0.0", "::") else "127.0.0.1"))
    try:
        server.run()
    finally:
        server.close()
        stop = getattr(site.office, "close", None)     # a warm LibreOffice stops with us
        if callable(stop):
            stop()


def serve_in_thread(site: Site, host: str = "127.0.0.1", port: int = 0):
    """Start serving on a thread (tests, benchmarks); returns (address, server)."""
    server = make_server(site, host, port)
    thread = threading.Thread(target=server.run, name="manualgen-serve", daemon=True)
    thread.start()
    return site.address(host), server
