"""The portal's background tasks (Django's Tasks framework): each a thin entry point the
queue can name, running the job's code in the worker process's `PortalSite`."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from manualgen.portal.settings import QUEUE, SITE_KEY


@task(queue_name=QUEUE)
def run_build_task(build_id: str) -> str:
    """Build the manual, the forms or a submission PDF of one `Build` row."""
    from manualgen.portal.jobs import execute, worker_name

    site = getattr(settings, SITE_KEY)
    return execute(site, build_id, getattr(site, "worker", None) or worker_name())
