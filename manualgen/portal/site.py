"""What the running portal holds: the data root, the library, one LibreOffice, the jobs.

A `PortalSite` is the hosted mode's `Site`: the pages of the local app ask it for their
workspace, and it answers with the folder of the company the signed-in person chose (set
on the request by `middleware.PortalGate` from their membership), never from the address.

    DATA/
      portal.sqlite3      the database (SQLite; PostgreSQL by MANUALGEN_PORTAL_DATABASE)
      secret.key          Django's secret key (unless MANUALGEN_PORTAL_SECRET_KEY is set)
      companies/<folder>/ each company's workspace: the CLI's layout (company.yaml, ...)
      frozen/<folder>/    what each company sent to NSNY, one folder per round, read-only
      static/ cache/      the portal's static files and its throttling counters
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from pathlib import Path

from manualgen import api
from manualgen.web.site import Job, Jobs, Limits, Site

COMPANIES = "companies"
FROZEN = "frozen"


def folder_slug(name: str) -> str:
    """A folder name for a company, from its name: lower-case letters, digits, dashes."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-")
    return slug or "company"


class QueuedJobs(Jobs):
    """The site's builds, at most `slots` at a time for all companies together (they
    share the machine's cores and its LibreOffice); a build waiting for a slot says so on
    its progress page, and each wait is logged (`build queue wait ... s`)."""

    def __init__(self, log: Callable[[str], None], slots: int) -> None:
        super().__init__(log)
        self._slots = threading.BoundedSemaphore(max(1, slots))
        self.waits: deque[float] = deque(maxlen=10_000)

    def start(self, folder: Path, kind: str, title: str, done_url: str,
              work: Callable[[Job], str]) -> Job:
        def queued(job: Job) -> str:
            job.tick("Waiting for its turn: other companies are building")
            began = time.monotonic()
            with self._slots:
                waited = time.monotonic() - began
                self.waits.append(waited)
                self._log(f"build queue wait {kind.split(':')[0]} {waited:.2f} s")
                return work(job)

        return super().start(folder, kind, title, done_url, queued)


class PortalSite(Site):
    """The hosted portal: see the module docstring."""

    def __init__(self, data_root: Path | str, *, library: api.Library | None = None,
                 office: api.Office | None = None, limits: Limits | None = None,
                 today: Callable[[], dt.date] = dt.date.today,
                 log: Callable[[str], None] = lambda text: None, builds: int = 2) -> None:
        self.root = Path(data_root).expanduser().resolve()
        super().__init__(self.root / COMPANIES, library=library, office=office,
                         limits=limits, today=today, log=log)
        self.jobs = QueuedJobs(log, builds)
        self.status_cache: dict[tuple, object] = {}    # reports by their inputs: figures

    def company_folder(self, folder: str) -> Path:
        if folder != folder_slug(folder):
            raise api.UsageError(f"{folder!r} is not a company folder name")
        return self.root / COMPANIES / folder

    def frozen_folder(self, folder: str) -> Path:
        return self.root / FROZEN / folder_slug(folder)

    def workspace_for(self, request) -> api.Workspace | None:
        """The chosen company's workspace, or None on pages without a company (NSNY's)."""
        company = getattr(request, "company", None)
        if company is None:
            return None
        path = self.company_folder(company.folder)
        path.mkdir(parents=True, exist_ok=True)
        return api.open_workspace(path)
