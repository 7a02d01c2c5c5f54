"""What one running web app holds: the library, the LibreOffice, the token, the jobs.

A `Site` is made once by `manualgen serve` and handed to Django's settings; each request
asks it for its workspace (`workspace_for`), so the views never hold a company folder in
module state. The local site serves one folder; a hosted mode would map the signed-in
account to a folder here instead.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from manualgen import api

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much one upload request may carry."""

    file_bytes: int = 25 * MB
    request_bytes: int = 60 * MB
    files: int = 20

    @property
    def server_bytes(self) -> int:
        """What the HTTP server itself takes before refusing with its own bare page: far
        above `request_bytes`, so that anything a person sends by mistake reaches the
        app, which answers with its own page (`UploadGate`)."""
        return max(1024 * MB, 4 * self.request_bytes)


@dataclass
class Job:
    """A build running on a thread of the local app: its stage for the progress bar,
    then its outcome (a plain message either way)."""

    id: str
    kind: str
    title: str
    folder: Path
    done_url: str
    stage: str = "Starting"
    done: int = 0
    total: int = 1
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    error: str | None = None
    result: str | None = None

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def tick(self, stage: str, done: int = 0, total: int | None = None) -> None:
        self.stage = stage
        if total is not None:
            self.total = max(total, 1)
        self.done = min(self.done + done, self.total)


class Jobs:
    """The local app's builds, each on a thread of this one process (one person, one
    folder); one of each key at a time. The portal's `portal.jobs.QueuedBuilds` has the
    same three methods over a task queue and the database."""

    KEEP = 50                  # finished jobs remembered, for a late look at their page

    def __init__(self, site: Site) -> None:
        self._site = site
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, request, job_id: str) -> Job | None:
        found = self._jobs.get(job_id)
        return found if found is not None and found.folder == request.workspace.root \
            else None

    def running(self, request, key: str) -> Job | None:
        return self._running(request.workspace.root, key)

    def _running(self, folder: Path, key: str) -> Job | None:
        return next((j for j in self._jobs.values()
                     if j.folder == folder and j.kind == key and j.running), None)

    def start(self, request, spec: api.builds.BuildSpec, done_url: str) -> Job:
        return self._start(request.workspace, spec, done_url)

    def refile(self) -> int:
        """Start filing the phone forms the folder received but never filed (the app was
        stopped while filing them): nothing acknowledged is lost. How many."""
        ws = api.workspace.open_folder(self._site.folder)
        found = api.forms.unfiled(ws) if ws.has_profile else []
        for form_id in found:
            self._start(ws, api.builds.BuildSpec(api.builds.BuildKind.PHONE_FORM, form_id),
                        "/forms/")
        return len(found)

    def _start(self, ws: api.workspace.Workspace, spec: api.builds.BuildSpec, done_url: str) -> Job:
        with self._lock:
            job = self._running(ws.root, spec.key)
            if job is not None:
                return job
            finished = [j for j in self._jobs.values() if not j.running]
            for old in finished[:max(0, len(finished) - self.KEEP)]:
                del self._jobs[old.id]
            job = Job(uuid.uuid4().hex, spec.key, spec.title, ws.root, done_url)
            self._jobs[job.id] = job
        site = self._site

        def run() -> None:
            try:
                job.result = api.builds.run_build(spec, ws, site.library, site.office,
                                                  today=site.today(), progress=job.tick)
            except api.ManualgenError as exc:
                job.error = str(exc)
            except Exception as exc:  # noqa: BLE001 - a bug: said plainly, logged in full
                site.log("".join(traceback.format_exception(exc)))
                job.error = api.builds.bug_message("The details are in the app's terminal.")
            finally:
                job.finished = time.monotonic()

        threading.Thread(target=run, name=f"manualgen-{spec.kind}", daemon=True).start()
        return job




class Site:
    """One running app: see the module docstring."""

    def __init__(self, folder: Path | str, *, library: api.Library | None = None,
                 office: api.office.Office | None = None, token: str | None = None,
                 hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]"),
                 port: int = 0, limits: Limits | None = None,
                 today: Callable[[], dt.date] = dt.date.today,
                 log: Callable[[str], None] = lambda text: None) -> None:
        self.folder = Path(folder).expanduser().resolve()
        self._library = library or api.load_library()
        self._library_lock = threading.Lock()
        self._library_checked = time.monotonic()
        self.office = office or api.office.Office.find()
        self.token = token or secrets.token_urlsafe(24)
        self.secret = secrets.token_urlsafe(48)
        self.hosts = hosts
        self.port = port
        self.limits = limits or Limits()
        self.today = today
        self.log = log
        self.jobs = Jobs(self)

    LIBRARY_CHECK = 1.0       # seconds between looks at the library's files on disk

    @property
    def library(self) -> api.Library:
        """The library, reloaded when NSNY's files changed on disk: looked at once a
        second at most (a look stats every file of it; a page asks several times)."""
        with self._library_lock:
            now = time.monotonic()
            if now - self._library_checked >= self.LIBRARY_CHECK:
                self._library = self._library.reload_if_changed()
                self._library_checked = now
            return self._library

    def reload_library(self) -> None:
        """Look at the library's files now (after this process published a version)."""
        with self._library_lock:
            self._library = self._library.reload_if_changed()
            self._library_checked = time.monotonic()

    def workspace_for(self, request) -> api.workspace.Workspace:
        """The company folder a request works on (the one folder this site serves)."""
        return api.workspace.open_folder(self.folder)

    def address(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/?token={self.token}"
