"""The portal's builds: a `Build` row per build, a task on the queue, run by worker
processes (`manualgen portal worker`), never on a web process's thread.

- A web process makes the row and queues its task once the row is committed; every web
  process reads the progress from the row, so any of them shows the build's page.
- A worker claims the row (queued -> running), runs `api.builds.run_build` on the company's
  folder and writes its stage, then the outcome, into the row. While a build runs its
  worker beats (`heartbeat`) every few seconds.
- A build whose worker died (kill -9, a crash of the machine) stops beating: the next
  look at it (any worker, every few seconds; or its progress page) queues it again, once;
  a second loss marks it failed with a message its owner reads on the page.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from manualgen import api
from manualgen.portal import models as m

log = logging.getLogger("manualgen.portal.jobs")

HEARTBEAT = 5.0          # seconds between a running build's beats
STALE = 45.0             # a build not heard of for this long has lost its worker
ATTEMPTS = 2             # runs of one build before it is reported failed
UNQUEUED = 30.0          # a queued row without its task this long is queued again
LOST_TWICE = ("The build stopped twice because the server running it stopped. Nothing "
              "you saved was lost. Build again; if it stops again, tell NSNY.")


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


def gone(worker: str) -> bool:
    """A worker of this machine whose process no longer exists (killed, crashed): its
    build is lost now, without waiting for its beats to go stale."""
    host, _, pid = worker.rpartition("-")
    if host != socket.gethostname()[:64 - len(pid) - 1] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def enqueue(build_id: str) -> None:
    """Put the build's task on the queue; its id kept on the row."""
    from manualgen.portal.tasks import run_build_task

    result = run_build_task.enqueue(build_id)
    with scopes_disabled():
        m.Build.objects.filter(pk=build_id).update(task_id=str(result.id))


# --------------------------------------------------------------------------- the worker


@dataclass
class Beat:
    """What a worker writes into its build's row as the build goes."""

    build_id: str
    worker: str
    done: int = 0
    total: int = 1

    def __call__(self, stage: str, done: int = 0, total: int | None = None) -> None:
        if total is not None:
            self.total = max(total, 1)
        self.done = min(self.done + done, self.total)
        with scopes_disabled():
            m.Build.objects.filter(pk=self.build_id, worker=self.worker,
                                   state=m.RUNNING).update(
                stage=stage[:200], done=self.done, total=self.total,
                heartbeat=timezone.now())


def execute(site, build_id: str, worker: str) -> str:
    """Run one queued build (the task's body): a company's manual, forms or submission
    PDF, or a Letter of Good Standing; what it made, or why it failed."""
    from manualgen.portal.review import LETTER, make_letter

    now = timezone.now()
    with scopes_disabled():
        claimed = m.Build.objects.filter(pk=build_id, state=m.QUEUED).update(
            state=m.RUNNING, started=now, heartbeat=now, worker=worker,
            attempts=F("attempts") + 1, stage="Starting", done=0)
        if not claimed:
            return "not queued (already run, or taken by another worker)"
        build = m.Build.objects.select_related("company").get(pk=build_id)
    ws = api.workspace.open_folder(site.company_folder(build.company.folder))
    outcome: dict[str, object] = {"finished": timezone.now()}
    try:
        if build.kind == LETTER:
            text = make_letter(site, build.options, Beat(build_id, worker))
        else:
            spec = api.builds.BuildSpec.from_dict(build.options)
            text = api.builds.run_build(spec, ws, site.library, site.office, today=site.today(),
                                        progress=Beat(build_id, worker))
        outcome.update(state=m.DONE, result=text[:5000], stage="Done")
    except api.ManualgenError as exc:
        outcome.update(state=m.FAILED, error=str(exc)[:5000], stage="Stopped")
        log.warning("build %s (%s of %s) failed: %s", build_id, build.kind,
                    build.company.folder, exc)
    except Exception:
        outcome.update(state=m.FAILED, stage="Stopped", error=api.builds.bug_message(
            "NSNY has the details in the portal's log."))
        log.exception("build %s (%s of %s) failed with a bug", build_id, build.kind,
                      build.company.folder)
    outcome["finished"] = timezone.now()
    with scopes_disabled():
        m.Build.objects.filter(pk=build_id, worker=worker, state=m.RUNNING).update(**outcome)
    return str(outcome.get("result") or outcome.get("error"))


def recover(builds: list[m.Build] | None = None, *, now: dt.datetime | None = None) -> int:
    """Builds whose worker died: queued again (once), or reported failed; queued rows
    whose task never reached the queue: queued again. How many were touched."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=STALE)
    touched = 0
    with scopes_disabled():
        rows = builds if builds is not None else list(
            m.Build.objects.filter(state=m.RUNNING)) + list(
            m.Build.objects.filter(state=m.QUEUED, task_id="",
                                   created__lt=now - dt.timedelta(seconds=UNQUEUED)))
        for build in rows:
            lost = build.heartbeat is not None and (build.heartbeat < stale or
                                                    gone(build.worker))
            if build.state == m.RUNNING and lost:
                mine = m.Build.objects.filter(pk=build.pk, state=m.RUNNING,
                                              heartbeat=build.heartbeat)
                _fail_task(build.task_id, now)
                if build.attempts < ATTEMPTS:
                    if mine.update(state=m.QUEUED, worker="", task_id="",
                                   stage="Started again: the server running it stopped"):
                        log.warning("build %s lost its worker %s: queued again", build.pk,
                                    build.worker)
                        enqueue(build.pk)
                        touched += 1
                elif mine.update(state=m.FAILED, error=LOST_TWICE, stage="Stopped",
                                 finished=now):
                    log.error("build %s lost its worker twice: failed", build.pk)
                    touched += 1
            elif build.state == m.QUEUED and not build.task_id and \
                    build.created < now - dt.timedelta(seconds=UNQUEUED):
                enqueue(build.pk)
                touched += 1
    return touched


def refile(site) -> int:
    """Phone forms every company received but never filed (their build was lost with its
    worker twice, or failed): queued again, once each. Run when a worker starts, so nothing
    a phone was told "received" is left behind. How many were queued."""
    import uuid

    from django.db import IntegrityError, transaction

    queued = 0
    with scopes_disabled():
        for company in m.Company.objects.all():
            folder = site.company_folder(company.folder)
            if not folder.is_dir():
                continue
            ws = api.workspace.open_folder(folder)
            for form_id in api.forms.unfiled(ws) if ws.has_profile else []:
                spec = api.builds.BuildSpec(api.builds.BuildKind.PHONE_FORM, form_id)
                if m.Build.objects.filter(company=company, kind=str(spec.kind), name=form_id,
                                          state__in=(m.QUEUED, m.RUNNING)).exists():
                    continue
                try:
                    with transaction.atomic():
                        build = m.Build.objects.create(
                            id=uuid.uuid4().hex, company=company, kind=str(spec.kind),
                            name=form_id, title=spec.title, done_url="/forms/",
                            options=spec.to_dict())
                except IntegrityError:          # another worker queued it this instant
                    continue
                enqueue(build.pk)
                queued += 1
    if queued:
        log.warning("%d phone form(s) received but not filed: queued again", queued)
    return queued


def _fail_task(task_id: str, now: dt.datetime) -> None:
    """The database queue's row of a task whose worker died stays 'running' forever:
    mark it failed, so NSNY's task list tells the truth."""
    if not task_id:
        return
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:                      # pragma: no cover - the Redis queue
        return
    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED", finished_at=now)


class Heart:
    """A worker's companion thread: beats for the builds this worker runs, and looks
    for builds lost by other workers. It only touches rows; the builds themselves run on
    the worker's main thread."""

    def __init__(self, worker: str, every: float = HEARTBEAT) -> None:
        self.worker = worker
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="manualgen-heartbeat",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        from django.db import close_old_connections, connection

        while not self._stop.wait(self.every):
            try:
                with scopes_disabled():
                    m.Build.objects.filter(state=m.RUNNING, worker=self.worker).update(
                        heartbeat=timezone.now())
                recover()
            except Exception:                            # the database away for a moment
                log.exception("heartbeat of worker %s failed", self.worker)
                close_old_connections()
        connection.close()


def db_worker(worker: str, *, batch: bool, interval: float):
    """The database queue's worker loop (django-tasks-db's), on the builds' queue."""
    from django_tasks_db.management.commands.db_worker import Worker

    from manualgen.portal.settings import QUEUE

    return Worker(queue_names=[QUEUE], interval=interval, batch=batch,
                  backend_name="default", startup_delay=False, max_tasks=None,
                  worker_id=worker, excluded_queue_names=[])


def redis_worker(worker: str, *, batch: bool) -> None:
    """RQ's worker on the builds' queue in Redis. A SimpleWorker: it runs each build in
    this process (no fork), so the worker's warm LibreOffice serves every build."""
    import django_rq
    from django_tasks_rq import Job
    from rq.worker import SimpleWorker

    from manualgen.portal.settings import QUEUE

    queue = django_rq.get_queue(QUEUE, job_class=Job)
    SimpleWorker([queue], connection=queue.connection, job_class=Job,
                 name=worker).work(burst=batch, with_scheduler=False)


def run_worker(site, *, batch: bool = False, interval: float = 0.5) -> None:
    """Take builds from the queue until stopped (SIGTERM or Ctrl+C lets the running build
    finish first; a second one stops it); with `batch`, until the queue is empty."""
    worker = worker_name()
    site.worker = worker
    heart = Heart(worker)
    heart.start()
    log.info("worker %s taking builds", worker)
    started = time.monotonic()
    try:
        recover()
        refile(site)
        if getattr(settings, "RQ_QUEUES", None):
            redis_worker(worker, batch=batch)
        else:
            loop = db_worker(worker, batch=batch, interval=interval)
            if not batch:
                loop.configure_signals()
            loop.run()
    finally:
        heart.stop()
        log.info("worker %s stopped after %.0f s", worker, time.monotonic() - started)
