"""Helpers of the portal's tests: the portal's settings switched on for one test, over a
database made once per session (SQLite, or PostgreSQL when MANUALGEN_TEST_POSTGRES names
one: postgresql://user:password@host:port/name, which is dropped and made anew).

One pytest process runs the local app's tests (`manualgen serve`, Django configured for
one company folder) and these; Django is configured once per process, so a portal test
lays the portal's settings over the local ones (Django's `override_settings`, which also
swaps the installed apps, URLs, templates and caches) and takes them off afterwards.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

import pytest

from manualgen import api
from manualgen.web.permissions import Role

from web_fixtures import TODAY

PASSWORD = "Spruce-Grouse-Tundra-42"
POSTGRES_ENV = "MANUALGEN_TEST_POSTGRES"
HOSTS = "testserver,127.0.0.1,localhost"
_state: dict = {}


def backend() -> str:
    return "postgresql" if os.environ.get(POSTGRES_ENV) else "sqlite"


def portal_environ(root: Path, **extra: str) -> dict[str, str]:
    env = {"MANUALGEN_PORTAL_DATA": str(root), "MANUALGEN_PORTAL_SECRET_KEY": "t" * 60,
           "MANUALGEN_PORTAL_HTTPS": "0", "MANUALGEN_PORTAL_HOSTS": HOSTS,
           "MANUALGEN_PORTAL_STAFF_MFA": "optional"}
    if os.environ.get(POSTGRES_ENV):
        env["MANUALGEN_PORTAL_DATABASE"] = os.environ[POSTGRES_ENV]
    env.update(extra)
    return env


def _reset_connections(databases: dict) -> None:
    from asgiref.local import Local
    from django.db import connections

    connections.close_all()
    connections._settings = connections.configure_settings(databases)
    connections.__dict__.pop("settings", None)
    connections._connections = Local(connections.thread_critical)


def _local_base(tmp: Path) -> None:
    """Django configured as `manualgen serve` configures it, when nothing did yet."""
    from django.conf import settings

    if not settings.configured:
        from web_fixtures import make_site

        folder = tmp / "local-base"
        folder.mkdir(parents=True, exist_ok=True)
        make_site(folder)


def _fresh_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    from manualgen.portal.settings import database

    db = database({"MANUALGEN_PORTAL_DATABASE": url}, Path("/"))
    with psycopg.connect(dbname="postgres", user=db["USER"], password=db["PASSWORD"],
                         host=db["HOST"] or None, port=db["PORT"] or None,
                         autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                     .format(sql.Identifier(db["NAME"])))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


class Portal:
    """The portal switched on for one test: its site, settings and helpers."""

    def __init__(self, root: Path, site, values: dict):
        self.root, self.site, self.values = root, site, values

    def client(self, user=None, **kwargs):
        from django.test import Client

        kwargs.setdefault("HTTP_HOST", "testserver")
        client = Client(**kwargs)
        if user is not None:
            client.force_login(user)
        return client

    def user(self, email: str, *, role: str = "", password: str = PASSWORD):
        from manualgen.portal import models as m

        user = m.User.objects.create_user(email, password, nsny_role=role,
                                          is_staff=role == Role.ADMIN,
                                          is_superuser=role == Role.ADMIN)
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        return user

    def company(self, name: str, *members, role: str = "owner", example: bool = False):
        from django_scopes import scopes_disabled

        from manualgen.portal import accounts
        from manualgen.portal import models as m

        company = accounts.company_named(name)
        with scopes_disabled():
            for person in members:
                m.Membership.objects.create(user=person, company=company, role=role)
        folder = self.site.company_folder(company.folder)
        if example:
            from web_fixtures import example_folder

            example_folder(folder)
        else:
            folder.mkdir(parents=True, exist_ok=True)
        return company

    def workspace(self, company) -> api.workspace.Workspace:
        return api.workspace.open_folder(self.site.company_folder(company.folder))


def switch_on(tmp: Path, root: Path, **extra: str) -> Portal:
    """Lay the portal's settings over Django's (a database ready, emptied)."""
    from django.core import mail
    from django.test.utils import override_settings

    from manualgen.portal.settings import portal_settings
    from manualgen.portal.site import PortalSite

    _local_base(tmp)
    environ = portal_environ(root, **extra)
    site = PortalSite(root, library=_state.setdefault("library", api.load_library()),
                      today=lambda: TODAY)
    site.logs = []
    site.log = site.logs.append
    values = portal_settings(environ, site=site)
    values["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    values["DATABASES"] = _state["databases"]
    values["STATIC_ROOT"] = _state["static"]          # collected once per session
    installed = values.pop("INSTALLED_APPS")
    # The settings first, then the apps: an app's ready() reads the settings it needs.
    overrides = [override_settings(**values), override_settings(INSTALLED_APPS=installed)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # "Overriding setting DATABASES ..."
        for override in overrides:
            override.enable()
    _reset_connections(values["DATABASES"])
    mail.outbox = []
    _state["overrides"] = overrides
    return Portal(root, site, values)


def switch_off() -> None:
    from django.conf import settings

    overrides = _state.pop("overrides", None)
    if overrides is None:
        return
    from django.db import connections

    connections.close_all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for override in reversed(overrides):
            override.disable()
    _reset_connections(settings.DATABASES)


def _prepare_database(tmp: Path) -> None:
    """Make and migrate the session's database once."""
    from django.core.management import call_command

    from manualgen.portal.settings import database

    if "databases" in _state:
        return
    if os.environ.get(POSTGRES_ENV):
        _fresh_postgres(os.environ[POSTGRES_ENV])
        db = database({"MANUALGEN_PORTAL_DATABASE": os.environ[POSTGRES_ENV]}, tmp)
    else:
        db = database({}, tmp)
    _state["databases"] = {"default": db}
    _state["static"] = str(tmp / "static")
    (tmp / "static").mkdir()
    switch_on(tmp, tmp / "migrate-root")
    try:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
    finally:
        switch_off()


def empty_tables() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    keep = {"django_migrations", "django_content_type", "auth_permission"}
    tables = [t for t in connection.introspection.django_table_names(
        only_existing=True, include_views=False) if t not in keep]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False,
                                          allow_cascade=True)
    connection.ops.execute_sql_flush(statements)


@pytest.fixture(scope="session")
def portal_database(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("portal-db")
    _prepare_database(tmp)
    yield tmp
    if os.environ.get(POSTGRES_ENV):
        from django.db import connections

        connections.close_all()


@pytest.fixture
def portal(portal_database, tmp_path):
    """The portal on a fresh data root over an emptied database."""
    root = tmp_path / "portal-data"
    root.mkdir()
    p = switch_on(portal_database, root)
    try:
        empty_tables()
        yield p
    finally:
        switch_off()


@contextlib.contextmanager
def worker_thread(site):
    """The portal's worker loop (the code `manualgen portal worker` runs) on a thread
    of the test's process, beside a server thread: builds queued by the pages run."""
    import threading

    from manualgen.portal import jobs

    site.worker = "test-worker-thread"
    loop = jobs.db_worker(site.worker, batch=False, interval=0.2)
    thread = threading.Thread(target=loop.run, name="portal-worker", daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.running = False
        thread.join(timeout=300)
