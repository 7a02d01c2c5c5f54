"""What a running portal process holds: the data root, the library, its LibreOffice (a
worker's), and the way to the builds (`portal.jobs`); nothing another process needs.

A `PortalSite` is the hosted mode's `Site`: the pages of the local app ask it for their
workspace, and it answers with the folder of the company the signed-in person chose (set
on the request by `middleware.PortalGate` from their membership), never from the address.

    DATA/
      portal.sqlite3      the database (SQLite; PostgreSQL by MANUALGEN_PORTAL_DATABASE)
      secret.key          Django's secret key (unless MANUALGEN_PORTAL_SECRET_KEY is set)
      library/            NSNY's library: the files the CLI reads, a git repository in
                          which each published version is a tag (services.library_repo)
      companies/<folder>/ each company's workspace: the CLI's layout (company.yaml, ...)
      frozen/<folder>/    what each company sent to NSNY, one folder per round, read-only
      static/ cache/      the portal's static files and its throttling counters
      logs/portal.log     request errors, failed builds, security warnings
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path

from manualgen import api
from manualgen.web.site import Limits, Site

COMPANIES = "companies"
LIBRARY = "library"
LIBRARY_DRAFTS = "library-drafts"   # form templates NSNY uploaded, until published
FROZEN = "frozen"


def folder_slug(name: str) -> str:
    """A folder name for a company, from its name: lower-case letters, digits, dashes."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-")
    return slug or "company"


class QueuedBuilds:
    """The portal's `site.jobs`: the same three methods as the local app's `Jobs`, over
    the database and the task queue (`portal.jobs`: the `Build` rows, the task, the
    workers). Queries run in the request's company scope, so an id of another company's
    build finds nothing (404)."""

    def __init__(self, site) -> None:
        self.site = site

    def get(self, request, job_id: str):
        from manualgen.portal import models as m
        from manualgen.portal.jobs import recover

        found = m.Build.objects.filter(pk=job_id).first()
        if found is not None and found.running:
            recover([found])
            found.refresh_from_db()
        return found

    def running(self, request, key: str):
        from manualgen.portal import models as m

        kind, _, name = key.partition(":")
        return m.Build.objects.filter(kind=kind, name=name,
                                      state__in=(m.QUEUED, m.RUNNING)).first()

    def start(self, request, spec: api.builds.BuildSpec, done_url: str):
        from django.db import IntegrityError, transaction

        from manualgen.portal import models as m
        from manualgen.portal.jobs import enqueue

        existing = self.running(request, spec.key)
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                build = m.Build.objects.create(
                    id=uuid.uuid4().hex, company=request.company, kind=str(spec.kind),
                    name=spec.name, title=spec.title, done_url=done_url,
                    options=spec.to_dict(), requested_by=request.user
                    if request.user.is_authenticated else None)   # None: a crew phone
                transaction.on_commit(lambda: enqueue(build.pk))
        except IntegrityError:                 # the same build asked for twice at once
            existing = self.running(request, spec.key)
            if existing is None:
                raise
            return existing
        return build


class PortalSite(Site):
    """The hosted portal: see the module docstring."""

    def __init__(self, data_root: Path | str, *, library: api.Library | None = None,
                 office: api.office.Office | None = None, limits: Limits | None = None,
                 today: Callable[[], dt.date] = dt.date.today,
                 log: Callable[[str], None] | None = None) -> None:
        self.root = Path(data_root).expanduser().resolve()
        log = log or logging.getLogger("manualgen.portal").error   # stderr and logs/
        super().__init__(self.root / COMPANIES, library=library, office=office,
                         limits=limits, today=today, log=log)
        self.jobs = QueuedBuilds(self)
        self.worker: str | None = None        # set in a worker process
        # reports by their inputs (figures): a cache only, each process its own
        self.status_cache: dict[tuple, object] = {}

    def sweep(self) -> list[Path]:
        """What a crash left half-written, removed at start-up: uploads and outputs being
        written in the companies' folders, rounds being frozen."""
        gone: list[Path] = []
        companies = self.root / COMPANIES
        for folder in sorted(companies.iterdir()) if companies.is_dir() else []:
            if folder.is_dir() and not folder.is_symlink():
                gone += api.workspace.open_folder(folder).sweep()
        cutoff = time.time() - 600
        for scratch in (self.root / FROZEN).glob("*/*/.round-*"):
            if scratch.is_dir() and scratch.stat().st_mtime < cutoff:
                shutil.rmtree(scratch, ignore_errors=True)
                gone.append(scratch)
        return gone

    @property
    def library_home(self) -> Path | None:
        """DATA/library, the library's git repository where NSNY publishes (made by
        `portal init`); None in a portal set up before it existed."""
        home = self.root / LIBRARY
        return home if (home / ".git").exists() else None

    def company_folder(self, folder: str) -> Path:
        if folder != folder_slug(folder):
            raise api.UsageError(f"{folder!r} is not a company folder name")
        return self.root / COMPANIES / folder

    def frozen_folder(self, folder: str) -> Path:
        return self.root / FROZEN / folder_slug(folder)

    def workspace_for(self, request) -> api.workspace.Workspace | None:
        """The chosen company's workspace, or None on pages without a company (NSNY's)."""
        company = getattr(request, "company", None)
        if company is None:
            return None
        path = self.company_folder(company.folder)
        path.mkdir(parents=True, exist_ok=True)
        return api.workspace.open_folder(path)
