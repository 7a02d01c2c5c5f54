"""The portal as NSNY runs it: `manualgen portal init / invite / serve / backup /
restore` as commands, a server killed in the middle of an upload and started again, and
a backup restored into a new data folder (and database)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from conftest import needs_libreoffice
from portal_fixtures import PASSWORD, POSTGRES_ENV, portal_environ
from portal_http import (
    Browser,
    free_port,
    half_upload,
    manualgen,
    start_server,
    start_worker,
    stop,
)
from test_web import pdf
from web_fixtures import example_folder

ADMIN_PASSWORD = "Raven-Over-Klondike-7"


def run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(manualgen() + args, env=env, capture_output=True, text=True,
                          timeout=300, **kwargs)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def cli_env(root: Path, database: str | None = None, **extra: str) -> dict[str, str]:
    env = {**os.environ, **portal_environ(root), "MANUALGEN_ADMIN_PASSWORD": ADMIN_PASSWORD,
           "MANUALGEN_PORTAL_HOSTS": "127.0.0.1"}
    env.pop("MANUALGEN_PORTAL_SECRET_KEY")                  # the one init writes
    env.pop("MANUALGEN_PORTAL_DATABASE", None)
    if database:
        env["MANUALGEN_PORTAL_DATABASE"] = database
    env.update(extra)
    return env


def fresh_postgres(suffix: str) -> str | None:
    """A new, empty PostgreSQL database beside the tests' one (when they use one)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        return None
    from portal_fixtures import _fresh_postgres

    target = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_" + suffix
    _fresh_postgres(target)
    return target


def sign_up(browser: Browser, link: str, email: str) -> None:
    status, url, _ = browser.get("/" + link.split("/", 3)[3])
    assert status == 200 and "/accounts/signup/" in url, (status, url)
    status, url, page = browser.post("/accounts/signup/", {
        "email": email, "password1": PASSWORD, "password2": PASSWORD})
    assert status == 200 and "/accounts/signup/" not in url, page.decode()[-2000:]


def kill_mid_upload(browser: Browser, port: int, server: subprocess.Popen) -> None:
    """Send half of a large upload to the server on `port`, then kill -9 it."""
    with half_upload(browser, port, "/submission/2026-submission/upload/",
                     {"category": "site-inspections"},
                     [("files", "2026-04-01 cut.pdf", pdf("cut") + b"\0" * 8_000_000)]):
        time.sleep(0.5)
        stop(server, kill=True)


def test_commands_serve_and_a_kill_mid_upload_loses_nothing(tmp_path):
    data = tmp_path / "data"
    env = cli_env(data, fresh_postgres("serve"))
    done = run(["portal", "init", str(data), "--admin-email", "admin@nsny.example"], env)
    assert "portal ready" in done.stdout
    assert (data / "secret.key").stat().st_mode & 0o777 == 0o600
    link = run(["portal", "invite", str(data), "--company", "Alpha Roofing", "--email",
                "owner@alpha.example"], env).stdout.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1/invite/[\w-]{40,}/", link), link
    port = free_port()
    log = tmp_path / "server.log"
    link = link.replace("http://127.0.0.1/", f"http://127.0.0.1:{port}/")
    server = start_server(data, env, port, log=log)
    try:
        owner = Browser(f"http://127.0.0.1:{port}")
        sign_up(owner, link, "owner@alpha.example")
        status, _url, page = owner.get("/overview/")
        assert status == 200 and b"Alpha Roofing" in page
        folder = data / "companies" / "alpha-roofing"
        example_folder(folder)              # the company's profile and its year so far
        kept = pdf("kept")
        status, _url, _page = owner.upload("/submission/2026-submission/upload/",
                                           {"category": "site-inspections"},
                                           [("files", "2026-03-01 kept.pdf", kept)])
        assert (folder / "2026-submission/site-inspections/2026-03-01 kept.pdf"
                ).read_bytes() == kept

        # A large upload, cut off halfway by killing the server.
        kill_mid_upload(owner, port, server)
    finally:
        stop(server, kill=True)

    server = start_server(data, env, port, log=log)
    try:
        names = sorted(p.name for p in (folder / "2026-submission/site-inspections").iterdir())
        assert "2026-03-01 kept.pdf" in names and not any("cut" in n for n in names), names
        assert (folder / "2026-submission/site-inspections/2026-03-01 kept.pdf"
                ).read_bytes() == kept
        again = Browser(f"http://127.0.0.1:{port}")
        again.get("/accounts/login/")
        status, url, _page = again.post("/accounts/login/", {"login": "owner@alpha.example",
                                                             "password": PASSWORD})
        assert status == 200 and url.endswith("/overview/"), url
        status, _url, page = again.get("/submission/2026-submission/")
        assert status == 200 and b"2026-03-01 kept.pdf" in page
    finally:
        stop(server)
    outside = [p for p in tmp_path.iterdir() if p.name not in ("data", "server.log")]
    assert outside == []


def build_page(browser: Browser, job: str) -> tuple[int, str, str]:
    status, url, page = browser.get(f"/jobs/{job}/")
    return status, url, page.decode("utf-8", "replace")


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {timeout} s")


@needs_libreoffice()
def test_two_web_processes_and_a_worker_a_kill_9_of_each_loses_nothing(tmp_path):
    """As NSNY runs it: two web processes and a worker on one data folder. A build asked
    for on one is seen on both; the worker killed mid-build, the build runs again on the
    next worker; a web process killed mid-upload, the other goes on serving, and no
    partial file is ever in the company's folder. The browser's build left its revision
    record, so `manualgen manual --redline` sees it."""
    data = tmp_path / "data"
    env = cli_env(data, fresh_postgres("procs"))
    run(["portal", "init", str(data), "--admin-email", "admin@nsny.example"], env)
    link = run(["portal", "invite", str(data), "--company", "Alpha Roofing", "--email",
                "owner@alpha.example"], env).stdout.strip()
    ports = [free_port(), free_port()]
    logs = tmp_path / "logs"
    logs.mkdir()
    webs = [start_server(data, env, port, log=logs / f"web{n}.log", threads=4)
            for n, port in enumerate(ports)]
    worker = start_worker(data, env, logs / "worker1.log")
    procs = [*webs, worker]
    try:
        one, two = (Browser(f"http://127.0.0.1:{port}") for port in ports)
        sign_up(one, link.replace("http://127.0.0.1/", f"http://127.0.0.1:{ports[0]}/"),
                "owner@alpha.example")
        folder = data / "companies" / "alpha-roofing"
        example_folder(folder)
        two.get("/accounts/login/")             # the same person on the other process
        status, url, _ = two.post("/accounts/login/", {"login": "owner@alpha.example",
                                                       "password": PASSWORD})
        assert status == 200 and url.endswith("/overview/"), url

        one.get("/manual/")
        status, url, _ = one.post("/manual/build/", {"what": "manual"})
        job = re.search(r"/jobs/(\w+)/", url).group(1)
        # both web processes show the same build's progress, read from the database
        for browser in (one, two):
            status, _url, page = build_page(browser, job)
            assert status == 200 and "Building the manual" in page, page[-2000:]
        wait_for(lambda: worker.poll() is None and "Laying out" in build_page(two, job)[2],
                 120, "the build started")
        os.killpg(worker.pid, 9)                     # the worker dies mid-build
        worker.wait(timeout=30)
        assert not (folder / "output" / "manual.docx").exists()
        worker = start_worker(data, env, logs / "worker2.log")
        procs.append(worker)
        done = wait_for(lambda: (lambda r: r[1].endswith("/manual/") and r)(
            build_page(one, job)), 240, "the build ran again and finished")
        assert done[0] == 200
        assert (folder / "output" / "manual.docx").read_bytes()[:2] == b"PK"
        log = (data / "logs" / "portal.log").read_text(encoding="utf-8")
        assert re.search(rf"build {job} lost its worker \S+: queued again", log), log
        status, _url, page = two.get("/manual/")
        assert status == 200 and b"The last build" in page
        records = sorted((folder / "revisions").glob("*"))
        assert records, "the browser's build kept no revision record"

        # A web process killed in the middle of an upload: the other one serves on.
        kill_mid_upload(one, ports[0], webs[0])
        kept = pdf("kept")
        two.get("/submission/2026-submission/")
        status, _url, page = two.upload("/submission/2026-submission/upload/",
                                        {"category": "site-inspections"},
                                        [("files", "2026-03-01 kept.pdf", kept)])
        assert status == 200 and b"Saved 1 file" in page
        names = sorted(p.name for p in (folder / "2026-submission/site-inspections").iterdir())
        assert "2026-03-01 kept.pdf" in names and not any("cut" in n or n.startswith(".")
                                                          for n in names), names
    finally:
        for proc in procs:
            stop(proc, kill=True)
    # the next revision, built by the CLI, redlined against the one built in the browser
    profile = folder / "company.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "  revision: 3\n", "  revision: 4\n"), encoding="utf-8")
    assert records[-1].name == "revision-3.json"
    changes = subprocess.run(manualgen() + [
        "manual", str(folder / "company.yaml"), "-o", str(tmp_path / "again.docx"),
        "--redline", records[-1].stem.removeprefix("revision-"), "--no-record"],
        env=env, capture_output=True, text=True, timeout=300)
    assert changes.returncode == 0, changes.stderr
    assert "changes-since-3" in changes.stdout, changes.stdout


@pytest.fixture
def redis_url(tmp_path):
    """A Redis server of the test's own (Debian's redis-server), stopped afterwards."""
    import shutil

    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            raise AssertionError("redis-server is not installed (scripts/setup.sh does it)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    def answers() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_for(answers, 30, "redis")
    yield f"redis://127.0.0.1:{port}/0"
    proc.kill()
    proc.wait()


def test_builds_can_wait_in_redis_for_workers_on_other_machines(tmp_path, redis_url):
    data = tmp_path / "data"
    env = cli_env(data, fresh_postgres("redis"), MANUALGEN_PORTAL_QUEUE=redis_url)
    run(["portal", "init", str(data), "--admin-email", "admin@nsny.example"], env)
    link = run(["portal", "invite", str(data), "--company", "Alpha Roofing", "--email",
                "owner@alpha.example"], env).stdout.strip()
    port = free_port()
    server = start_server(data, env, port, log=tmp_path / "server.log")
    try:
        owner = Browser(f"http://127.0.0.1:{port}")
        sign_up(owner, link.replace("http://127.0.0.1/", f"http://127.0.0.1:{port}/"),
                "owner@alpha.example")
        example_folder(data / "companies" / "alpha-roofing")
        owner.get("/manual/")
        _status, url, _page = owner.post("/manual/build/", {"what": "forms"})
        job = re.search(r"/jobs/(\w+)/", url).group(1)
        assert "Building the forms" in build_page(owner, job)[2]
        import redis

        with redis.Redis.from_url(redis_url) as queue:
            assert queue.llen("rq:queue:builds") == 1
        done = run(["portal", "worker", str(data), "--batch"], env)
        assert "taking builds" in done.stderr
        _status, url, _page = owner.get(f"/jobs/{job}/")
        assert url.endswith("/manual/")
        assert (data / "companies" / "alpha-roofing" / "output" / "forms.zip").is_file()
    finally:
        stop(server)


def test_a_backup_restores_into_a_new_data_folder(portal, tmp_path):
    from manualgen.portal import models as m
    from manualgen.portal import ops

    owner = portal.user("owner@alpha.example")
    company = portal.company("Alpha Roofing", owner, example=True)
    with scopes_disabled():
        review = m.Review.objects.create(company=company, kind="manual", title="Manual",
                                         state=m.SUBMITTED)
        frozen = portal.site.frozen_folder(company.folder) / str(review.pk) / "1"
        frozen.mkdir(parents=True)
        (frozen / "manual.docx").write_bytes(b"PK frozen manual")
        m.Round.objects.create(company=company, review=review, number=1,
                               folder=f"{company.folder}/{review.pk}/1",
                               files=[{"name": "manual.docx", "size": 16}])
        m.Transition.objects.create(company=company, review=review, source=m.DRAFT,
                                    target=m.SUBMITTED, by=owner)
    out = tmp_path / "backups" / "portal.tar.gz"
    counts = ops.backup(portal.root, out)
    assert counts["rows"] >= 6 and counts["files"] >= 5
    with pytest.raises(ops.UsageError, match="cannot go inside"):
        ops.backup(portal.root, portal.root / "b.tar.gz")

    restored = tmp_path / "restored"
    env = cli_env(restored, fresh_postgres("restore"),
                  MANUALGEN_PORTAL_SECRET_KEY="")
    done = run(["portal", "restore", str(out), str(restored)], env)
    assert "restored" in done.stdout
    assert (restored / "frozen" / company.folder / str(review.pk) / "1" / "manual.docx"
            ).read_bytes() == b"PK frozen manual"
    assert (restored / "companies" / company.folder / "company.yaml").read_bytes() == \
        portal.workspace(company).profile_path.read_bytes()
    probe = """
import json, os
from manualgen.portal.server import configure
configure(os.environ, None)
from django_scopes import scopes_disabled
from manualgen.portal import models as m
with scopes_disabled():
    print(json.dumps({
        "companies": [c.name for c in m.Company.objects.all()],
        "members": [(ms.user.email, ms.company.name, ms.role)
                    for ms in m.Membership.objects.all()],
        "reviews": [(r.title, r.state, r.rounds.count(), r.transitions.count())
                    for r in m.Review.objects.all()],
        "password_ok": m.User.objects.get(email="owner@alpha.example")
                       .check_password(os.environ["PW"]),
    }))
"""
    done = subprocess.run([sys.executable, "-c", probe], env={**env, "PW": PASSWORD},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"companies": ["Alpha Roofing"],
                     "members": [["owner@alpha.example", "Alpha Roofing", "owner"]],
                     "reviews": [["Manual", "submitted", 1, 1]], "password_ok": True}
    refused = subprocess.run(manualgen() + ["portal", "restore", str(out), str(restored)],
                             env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "is not empty" in refused.stderr


def test_the_deployment_examples_name_real_settings_and_commands():
    from manualgen.cli.portal import portal as portal_group
    from manualgen.portal import settings as ps

    folder = Path(__file__).resolve().parent.parent / "docs" / "deploy"
    source = Path(ps.__file__).read_text(encoding="utf-8")
    texts = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    assert {"README.md", "Caddyfile", "nginx.conf", "manualgen-portal@.service",
            "manualgen-portal-worker@.service",
            "manualgen-portal-remind.timer", "portal.env.example"} <= set(texts)
    for name, text in texts.items():
        for var in re.findall(r"MANUALGEN_PORTAL_([A-Z][A-Z_]*[A-Z])\b", text):
            assert f'PREFIX + "{var}"' in source, (name, var)
        for command in re.findall(r"manualgen portal (\w+)", text):
            assert command in portal_group.commands, (name, command)
    env = dict(line.split("=", 1) for line in texts["portal.env.example"].splitlines()
               if line and not line.startswith("#"))
    values = ps.portal_settings({**env, "MANUALGEN_PORTAL_SECRET_KEY": "s" * 60,
                                 "MANUALGEN_PORTAL_DATA": "/srv/secor"})
    assert values["ALLOWED_HOSTS"] == ["secor.nsny.example"]
    assert values["SESSION_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["EMAIL_BACKEND"].endswith("smtp.EmailBackend")


def test_the_portal_keeps_its_libreoffice_profile_in_its_data_folder(tmp_path):
    """A restarted portal starts LibreOffice from the profile it kept, inside the data
    folder (nothing is written outside it)."""
    from manualgen.portal.server import office_for

    office = office_for(None, warm=True, root=tmp_path)
    try:
        if not office.services:
            pytest.skip("LibreOffice with its UNO bridge is not installed")
        seeds = {service.profile_seed.parent for service in office.services}
        assert seeds == {tmp_path / "office"}
    finally:
        office.close()
