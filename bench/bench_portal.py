"""Load and crash bench of the portal as NSNY runs it (loopback only, bounded).

    .venv/bin/python bench/bench_portal.py [--users 50] [--seconds 120] [--builders 10]
                                           [--webs 2] [--workers 1] [--kill] [--quick]

Makes a scratch data folder with one company per user (each a copy of the example
company), starts `--webs` web processes (`manualgen portal serve`) and `--workers` workers
(`manualgen portal worker`) on it, each in its own process group, and spreads the users
round-robin over the web processes (as a proxy would). Each user signs in, then browses
(the overview, status, company pages, the submission and its records, the manual page)
with a pause of 1-4 s between pages, and uploads a sample every fifth page.

1. The peer: after a warm-up (10 s, not counted: each process's caches filled, the
   users out of step), a short phase with no builds (`--peer-seconds`, default a quarter
   of `--seconds`): the pages' times with the worker idle.
2. The load: `--seconds` more of the same, while `--builders` of the users build their
   manual (POST /manual/build/, then poll the build's page every second, as the page
   itself does, until it sends them to /manual/). The ratio of the two phases' p95 shows
   whether builds slow the pages (they should not: they run in the worker).
3. With `--kill`: a build is started and the worker killed (kill -9) while it lays out
   the pages, and another started; one web process is killed in the middle of an upload
   while the others serve on; then the checks below, each printed PASS or FAIL.

Errors are answers of 400 or more, or none at all. Every upload the portal acknowledged
("Saved 1 file(s) ... : NAME") is compared with the file on disk, byte for byte, at the
end. Prints a table of the figures and a final JSON line; exits 1 when a figure misses
its target (page p95 under 500 ms, 0 errors, every upload on disk, every build made) or
a check fails. Everything it writes is in the scratch folder, removed at the end; every
process it started is killed at the end, on Ctrl+C too.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from portal_http import (  # noqa: E402
    Browser,
    free_port,
    half_upload,
    start_server,
    start_worker,
    stop,
)
from web_fixtures import pdf  # noqa: E402

PASSWORD = "Spruce-Grouse-Tundra-42"
SUBMISSION = "2026-submission"
CATEGORY = "toolbox-meetings"
PAGES = ("/overview/", "/status/", "/company/company/", "/company/people/",
         f"/submission/{SUBMISSION}/", f"/submission/{SUBMISSION}/records/activity-log/",
         "/manual/")
P95_TARGET = 0.5                      # seconds: the "page p95 under 500 ms"
JOB = re.compile(r"/jobs/(\w+)/")
SAVED = re.compile(r"Saved 1 file\(s\) in ([\w-]+): (.+)$")


# --------------------------------------------------------------------------- set-up


def environment(data: Path) -> dict[str, str]:
    """As `tests/test_portal_deploy.cli_env`: the portal's settings for plain HTTP on
    loopback, the database queue (or the PostgreSQL database the caller names)."""
    env = {**os.environ, "MANUALGEN_PORTAL_DATA": str(data), "MANUALGEN_PORTAL_HTTPS": "0",
           "MANUALGEN_PORTAL_HOSTS": "127.0.0.1", "MANUALGEN_ADMIN_PASSWORD": PASSWORD,
           "MANUALGEN_PORTAL_LOGINS_PER_MINUTE": "1000",
           "MANUALGEN_PORTAL_STAFF_MFA": "optional"}
    for name in ("MANUALGEN_PORTAL_SECRET_KEY", "MANUALGEN_PORTAL_QUEUE"):
        env.pop(name, None)
    return env


def prepare(data: Path, users: int, env: dict[str, str]) -> list[str]:
    """The data folder, its admin, and one company with its owner per user; the
    companies' folders, in the users' order."""
    subprocess.run([sys.executable, "-m", "manualgen", "portal", "init", str(data),
                    "--admin-email", "admin@nsny.example"], env=env, check=True,
                   capture_output=True)
    script = f"""
import json, os, shutil
from pathlib import Path
from manualgen.portal.server import configure
configure(os.environ, None)
from django_scopes import scopes_disabled
from manualgen import resources
from manualgen.portal import accounts, models as m
example = resources.examples_dir()
folders = []
with scopes_disabled():
    for n in range({users}):
        user = m.User.objects.create_user(f"owner{{n}}@load.example", {PASSWORD!r})
        company = accounts.company_named(f"Load Test Company {{n}}")
        m.Membership.objects.create(user=user, company=company, role="owner")
        folder = Path({str(data)!r}) / "companies" / company.folder
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(example / "company.yaml", folder / "company.yaml")
        shutil.copy(example / "logo.png", folder / "logo.png")
        shutil.copytree(example / "{SUBMISSION}", folder / "{SUBMISSION}")
        folders.append(company.folder)
print(json.dumps(folders))
"""
    done = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


BUILDS = """
import json, os
from manualgen.portal.server import configure
configure(os.environ, None)
from django_scopes import scopes_disabled
from manualgen.portal import models as m
def iso(t):
    return t.isoformat() if t else None
with scopes_disabled():
    print(json.dumps([{"id": b.id, "company": b.company.folder, "state": b.state,
                       "attempts": b.attempts, "stage": b.stage, "error": b.error,
                       "created": iso(b.created), "started": iso(b.started),
                       "finished": iso(b.finished)} for b in m.Build.objects.all()]))
"""


def builds(env: dict[str, str]) -> dict[str, dict]:
    """The `Build` rows, read from the database by id (as any process would)."""
    done = subprocess.run([sys.executable, "-c", BUILDS], env=env, capture_output=True,
                          text=True, timeout=120)
    if done.returncode:
        raise RuntimeError("reading the builds failed: " + done.stderr[-2000:])
    return {b["id"]: b for b in json.loads(done.stdout.strip().splitlines()[-1])}


class Cluster:
    """The web processes and workers, each in its own process group; all of them killed
    by `close`, whatever happened."""

    def __init__(self, scratch: Path, data: Path, env: dict[str, str], threads: int):
        self.scratch, self.data, self.env, self.threads = scratch, data, env, threads
        self.logs = scratch / "logs"
        self.logs.mkdir(exist_ok=True)
        self.started: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.webs: list[subprocess.Popen | None] = []
        self.workers: list[subprocess.Popen] = []
        self.worker_logs: list[Path] = []

    def base(self, n: int) -> str:
        return f"http://127.0.0.1:{self.ports[n]}"

    def start_web(self, n: int | None = None) -> int:
        """A web process (again, on its own port, when `n` names a killed one)."""
        if n is None:
            n = len(self.ports)
            self.ports.append(free_port())
            self.webs.append(None)
        proc = start_server(self.data, self.env, self.ports[n],
                            log=self.logs / f"web{n}.log", threads=self.threads)
        self.started.append(proc)
        self.webs[n] = proc
        return n

    def start_worker(self, wait: float = 180) -> subprocess.Popen:
        log = self.logs / f"worker{len(self.workers)}.log"
        proc = start_worker(self.data, self.env, log)
        self.started.append(proc)
        self.workers.append(proc)
        self.worker_logs.append(log)
        deadline = time.monotonic() + wait
        while "taking builds" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start: " +
                                   log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """kill -9 of the process's whole group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)

    def close(self) -> None:
        """Every process group started, killed; then what they started in sessions of
        their own (a worker's LibreOffice, which should die with it anyway), by id."""
        children = {pid: _command(pid) for pid in descendants(
            {p.pid for p in self.started if p.poll() is None})
            - {p.pid for p in self.started} - {os.getpid()}}
        for proc in self.started:
            with contextlib.suppress(Exception):
                stop(proc, kill=True)
        time.sleep(0.5)
        for pid, command in children.items():
            if command and _command(pid) == command:        # still that process
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- the users


@dataclass
class Sample:
    phase: str
    what: str
    seconds: float
    status: int


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # every upload the portal acknowledged: (company folder, path in it, the bytes sent)
    uploads: list[tuple[str, str, bytes]] = field(default_factory=list)
    upload_refused: list[str] = field(default_factory=list)
    builds: list[dict] = field(default_factory=list)

    def add(self, phase: str, what: str, seconds: float, status: int, detail: str = ""):
        with self.lock:
            self.samples.append(Sample(phase, what, seconds, status))
            if status >= 400 or status == 0:
                self.errors.append(f"{phase} {what}: {status} {detail}".strip())

    def times(self, *phases: str, what: tuple[str, ...] | None = None) -> list[float]:
        with self.lock:
            return [s.seconds for s in self.samples if s.phase in phases and
                    (what is None or s.what in what)]

    def errors_in(self, *phases: str) -> list[str]:
        with self.lock:
            return [e for e in self.errors if e.split(" ", 1)[0] in phases]


class User:
    """One simulated person: a company's owner, on one web process (the proxy's pick)."""

    def __init__(self, n: int, folder: str, base: str, out: Results):
        self.n, self.folder, self.out = n, folder, out
        self.rng = random.Random(n)
        self.browser = Browser(base)
        self.count = 0

    def timed(self, phase: str, what: str, call, *args):
        began = time.monotonic()
        try:
            status, url, page = call(*args)
        except Exception as exc:  # noqa: BLE001 - a failed request is counted, not raised
            self.out.add(phase, what, time.monotonic() - began, 0, repr(exc)[:200])
            return 0, "", b""
        self.out.add(phase, what, time.monotonic() - began, status, url)
        return status, url, page

    def sign_in(self, phase: str = "sign-in") -> bool:
        self.timed(phase, "sign-in page", self.browser.get, "/accounts/login/")
        _status, url, _page = self.timed(phase, "sign in", self.browser.post,
                                         "/accounts/login/",
                                         {"login": f"owner{self.n}@load.example",
                                          "password": PASSWORD})
        if not url.endswith("/overview/"):
            self.out.add(phase, "sign in", 0, 0, f"user {self.n} landed on {url!r}")
            return False
        return True

    def step(self, phase: str) -> None:
        """One page, and every fifth an upload; then the pause."""
        self.count += 1
        path = self.rng.choice(PAGES)
        self.timed(phase, path, self.browser.get, path)
        if self.count % 5 == 0:
            self.upload(phase)

    def upload(self, phase: str) -> None:
        self.timed(phase, f"/submission/{SUBMISSION}/", self.browser.get,
                   f"/submission/{SUBMISSION}/")
        name = (f"2026-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)} load "
                f"{self.n}-{self.count}.pdf")
        data = pdf(f"user {self.n} upload {self.count} {phase} {time.time()}")
        status, url, _page = self.timed(
            phase, "upload", self.browser.upload, f"/submission/{SUBMISSION}/upload/",
            {"category": CATEGORY}, [("files", name, data)])
        notice = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("notice", [""])
        found = SAVED.search(notice[0])
        with self.out.lock:
            if status == 200 and found:
                self.out.uploads.append((self.folder, f"{SUBMISSION}/{found.group(1)}/"
                                                      f"{found.group(2)}", data))
            elif status:
                self.out.upload_refused.append(f"{name}: {status} {url[-200:]}")

    def build(self, phase_of, timeout: float = 900) -> dict:
        """Ask for the manual, then watch its page as the browser does (every second)
        until it sends the owner on; the turnaround from the request to that."""
        self.timed(phase_of(), "/manual/", self.browser.get, "/manual/")
        began = time.monotonic()
        status, url, _page = self.timed(phase_of(), "build", self.browser.post,
                                        "/manual/build/", {"what": "manual"})
        found = JOB.search(url)
        record = {"user": self.n, "company": self.folder, "job": found and found.group(1),
                  "turnaround_s": None, "outcome": f"no build page ({status} {url})"}
        if found:
            while time.monotonic() - began < timeout:
                time.sleep(1)
                status, url, page = self.timed(phase_of(), "/jobs/<id>/", self.browser.get,
                                               found.group(0))
                if status == 200 and not JOB.search(url):
                    record.update(turnaround_s=time.monotonic() - began, outcome="done",
                                  landed=urllib.parse.urlsplit(url).path)
                    break
                if b"It did not work" in page:
                    record.update(turnaround_s=time.monotonic() - began, outcome="failed",
                                  message=_message(page))
                    break
            else:
                record["outcome"] = f"not done within {timeout:.0f} s"
        with self.out.lock:
            self.out.builds.append(record)
        return record


def _message(page: bytes) -> str:
    found = re.search(rb'<pre class="message">(.*?)</pre>', page, re.S)
    return found.group(1).decode("utf-8", "replace").strip() if found else ""


def run_user(user: User, clock: dict[str, float], builder: bool, stop_all: threading.Event):
    """Sign in (in the first 5 s), wait for the others, browse through a warm-up (the
    processes' caches filled, the users out of step), the peer phase, then the load phase
    (building once when a builder) until it ends. `clock`: the monotonic times browsing
    starts ("start"), the warm-up, the peer and the load phase end ("warm", "peer",
    "load")."""
    rng = user.rng
    time.sleep(rng.uniform(0, clock["arrive"]))            # not all at once
    if not user.sign_in():
        return
    begin = clock["start"] + rng.uniform(0, 2.5)          # everyone in; then out of step
    while time.monotonic() < begin and not stop_all.is_set():
        time.sleep(0.1)
    build_at = clock["peer"] + rng.uniform(0, 10)

    def phase() -> str:
        now = time.monotonic()
        return next((name for name in ("warm", "peer", "load") if now < clock[name]),
                    "drain")

    while time.monotonic() < clock["load"] and not stop_all.is_set():
        if builder and time.monotonic() >= build_at:
            builder = False
            user.build(phase)
            continue
        user.step(phase())
        time.sleep(rng.uniform(1, 4))


# --------------------------------------------------------------------------- checks


class Checks:
    def __init__(self) -> None:
        self.results: list[tuple[str, bool, str]] = []

    def __call__(self, name: str, ok: bool, detail: str = "") -> bool:
        self.results.append((name, bool(ok), detail))
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""),
              flush=True)
        return bool(ok)

    @property
    def failed(self) -> list[str]:
        return [name for name, ok, _ in self.results if not ok]


def partial_files(data: Path) -> list[str]:
    """What a user, a build or a reviewer could reach half-written: hidden or `.part`
    files, or the cut upload, anywhere in the companies' folders outside `.manualgen/`
    (the scratch folder no page lists)."""
    found = []
    for company in sorted((data / "companies").iterdir()):
        for path in company.rglob("*"):
            rel = path.relative_to(company)
            if rel.parts[0] == ".manualgen" or not path.is_file():
                continue
            if path.name.startswith(".") or path.name.endswith(".part") or \
                    "cut by the kill" in path.name:
                found.append(f"{company.name}/{rel}")
    return found


def uploads_on_disk(data: Path, out: Results) -> list[str]:
    """The acknowledged uploads missing, or not as sent, on disk."""
    lost = []
    for folder, rel, sent in out.uploads:
        path = data / "companies" / folder / rel
        if not path.is_file() or path.read_bytes() != sent:
            lost.append(f"{folder}/{rel}")
    return lost


def builds_made(data: Path, out: Results) -> list[str]:
    """The builds said done whose manual or revision record is missing."""
    missing = []
    for record in out.builds:
        if record["outcome"] != "done":
            continue
        folder = data / "companies" / record["company"]
        manual = folder / "output" / "manual.docx"
        if not manual.is_file() or manual.read_bytes()[:2] != b"PK":
            missing.append(f"{record['company']}: no output/manual.docx")
        if not list((folder / "revisions").glob("revision-*.json")):
            missing.append(f"{record['company']}: no revisions/revision-*.json")
    return missing


def wait_for(check, timeout: float, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    return None


def kill_phase(cluster: Cluster, folders: list[str], out: Results, checks: Checks,
               background_users: int) -> dict:
    """kill -9 of the worker mid-build and of a web process mid-upload; the checks."""
    figures: dict = {}
    victim, survivor = 0, len(cluster.ports) - 1
    one = User(0, folders[0], cluster.base(victim), out)
    one.sign_in("kill")
    two = Browser(cluster.base(survivor))              # the same session, another process
    for cookie in one.browser.jar:
        two.jar.set_cookie(cookie)

    def page(browser: Browser, job: str) -> tuple[int, str, bytes]:
        try:
            return browser.get(f"/jobs/{job}/")
        except Exception:  # noqa: BLE001
            return 0, "", b""

    one.timed("kill", "/manual/", one.browser.get, "/manual/")
    _status, url, _page = one.timed("kill", "build", one.browser.post, "/manual/build/",
                                    {"what": "manual"})
    job = JOB.search(url).group(1) if JOB.search(url) else None
    if not checks("a build asked for on one web process", job, url):
        return figures
    views = [page(b, job) for b in (one.browser, two)]
    checks("both web processes show the queued build",
           all(s == 200 and b"Building the manual" in p for s, _u, p in views),
           ", ".join(str(s) for s, _u, _p in views))
    laying = wait_for(lambda: b"Laying out" in page(two, job)[2], 300)
    checks("the build reached its layout on the worker", laying)

    # the worker killed mid-build, another started (it finds the lost build at once)
    killed_at = time.monotonic()
    old_worker = cluster.workers[-1]
    cluster.kill(old_worker)
    stopped_manual = (cluster.data / "companies" / folders[0] / "output" / "manual.docx")
    cluster.start_worker()

    # other users keep using the surviving web process through the web process's kill
    serving = threading.Event()
    helpers = [User(n, folders[n], cluster.base(survivor), out)
               for n in range(1, min(background_users, len(folders) - 1) + 1)]

    def keep_serving(user: User) -> None:
        if not user.sign_in("kill"):
            return
        while not serving.is_set():
            user.step("kill")
            time.sleep(user.rng.uniform(0.5, 2))

    threads = [threading.Thread(target=keep_serving, args=(u,), daemon=True)
               for u in helpers]
    for t in threads:
        t.start()
    time.sleep(2)

    # a web process killed in the middle of an upload
    one.timed("kill", f"/submission/{SUBMISSION}/", one.browser.get,
              f"/submission/{SUBMISSION}/")
    sock = half_upload(one.browser, cluster.ports[victim], f"/submission/{SUBMISSION}/upload/",
                       {"category": CATEGORY},
                       [("files", "2026-04-01 cut by the kill.pdf",
                         pdf("cut") + b"\0" * 8_000_000)])
    time.sleep(0.5)
    cluster.kill(cluster.webs[victim])
    sock.close()
    leftovers = partial_files(cluster.data)
    checks("no partial file reachable right after the kill (before any restart)",
           not leftovers, ", ".join(leftovers[:5]))
    status, _url, listing = two.get(f"/submission/{SUBMISSION}/")
    checks("the surviving web process lists no part of the cut upload",
           status == 200 and b"cut by the kill" not in listing, str(status))
    # the owner, sent to the surviving process, uploads again there
    again = User(0, folders[0], cluster.base(survivor), out)
    again.browser = two
    again.count = 1000
    before = len(out.uploads)
    again.upload("kill")
    checks("an upload right after the kill, on the surviving process, acknowledged",
           len(out.uploads) == before + 1)

    began = time.monotonic()
    cluster.start_web(victim)
    figures["web_restart_s"] = round(time.monotonic() - began, 1)
    restarted = Browser(cluster.base(victim))
    for cookie in two.jar:
        restarted.jar.set_cookie(cookie)
    mid = [page(b, job) for b in (restarted, two)]
    running = all(s == 200 and JOB.search(u) for s, u, _p in mid)
    if running:                             # the build is still being made (run again)
        checks("both web processes (restarted and surviving) show the build running",
               all(b"Building the manual" in p for _s, _u, p in mid))

    def finished():
        s, u, p = page(two, job)
        return (s, u, p) if (s == 200 and not JOB.search(u)) or b"It did not work" in p \
            else None

    final = wait_for(finished, 600, every=1)
    figures["rebuild_after_kill_s"] = round(time.monotonic() - killed_at, 1)
    serving.set()
    for t in threads:
        t.join(timeout=120)
    rows = builds(cluster.env)
    row = rows.get(job, {})
    figures["killed_build"] = {k: row.get(k) for k in ("state", "attempts", "stage", "error")}
    if final is None:
        checks("the lost build re-run or reported to its owner", False,
               f"still {row.get('state')} after 600 s")
    elif b"It did not work" in final[2]:
        checks("the lost build reported failed to its owner, with a message",
               row.get("state") == "failed" and _message(final[2]), _message(final[2]))
    else:
        manual = stopped_manual.read_bytes()[:2] if stopped_manual.is_file() else b""
        checks("the lost build re-run and finished (attempts 2)",
               row.get("state") == "done" and row.get("attempts") == 2 and manual == b"PK",
               f"state {row.get('state')}, attempts {row.get('attempts')}")
    ends = [page(b, job) for b in (restarted, two)]
    checks("both web processes show the same build page at the end",
           ends[0][0] == ends[1][0] and ends[0][1].replace(cluster.base(victim), "") ==
           ends[1][1].replace(cluster.base(survivor), "") and
           _message(ends[0][2]) == _message(ends[1][2]),
           " / ".join(f"{s} {urllib.parse.urlsplit(u).path}" for s, u, _p in ends))
    served = out.times("kill")
    errors = out.errors_in("kill")
    figures["kill_phase_pages"] = len(served)
    figures["kill_phase_errors"] = len(errors)
    checks("the surviving web process kept serving through the kill",
           served and not errors, f"{len(served)} pages, {len(errors)} errors"
           + (f": {errors[:3]}" if errors else ""))
    return figures


# --------------------------------------------------------------------------- report


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:<{width}}  {v}" for k, v in rows)


def _seconds(row: dict, start: str, end: str) -> float | None:
    if not row.get(start) or not row.get(end):
        return None
    return (dt.datetime.fromisoformat(row[end]) - dt.datetime.fromisoformat(row[start])
            ).total_seconds()


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _stat(pid: str) -> tuple[int, int]:
    """A process's parent and CPU ticks (user and system) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0, 0


def processes() -> dict[int, tuple[int, int]]:
    return {int(e.name): _stat(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()}


def descendants(roots: set[int], table: dict[int, tuple[int, int]] | None = None
                ) -> set[int]:
    """The processes started (directly or not) by `roots`, the roots included: a worker's
    LibreOffice runs in a session of its own, but is still its child."""
    table = processes() if table is None else table
    found = set(roots) & set(table)
    grew = True
    while grew:
        more = {pid for pid, (parent, _t) in table.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return found


def cpu_snapshot(cluster: Cluster) -> dict[str, int]:
    """CPU ticks so far (/proc): the machine's busy and total (all cores), the web
    processes', the workers' (with their LibreOffice), this bench's (the simulated
    users); the rest of the machine's busy ticks are other people's."""
    try:
        fields = [int(x) for x in
                  Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return {}
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    table = processes()
    webs = descendants({p.pid for p in cluster.webs if p is not None}, table)
    workers = descendants({p.pid for p in cluster.workers}, table)
    return {"busy": sum(fields) - idle, "total": sum(fields),
            "web": sum(table[p][1] for p in webs), "worker": sum(table[p][1] for p in workers),
            "bench": table.get(os.getpid(), (0, 0))[1]}


def cpu_share(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """Each one's share of the machine (all its cores) between two snapshots, in %."""
    if not a or not b:
        return {}
    total = max(1, b["total"] - a["total"])
    share = {k: round(100 * (b[k] - a[k]) / total) for k in ("busy", "web", "worker",
                                                            "bench")}
    share["others"] = max(0, share["busy"] - share["web"] - share["worker"] - share["bench"])
    return share


def main() -> int:  # noqa: C901 - one bench, told in order
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120, help="the load phase")
    parser.add_argument("--peer-seconds", type=int, default=None,
                        help="the first phase, with no builds (default: a quarter of "
                             "--seconds, at least 10)")
    parser.add_argument("--builders", type=int, default=10)
    parser.add_argument("--webs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8, help="of each web process")
    parser.add_argument("--kill", action="store_true",
                        help="then kill -9 the worker mid-build and a web process "
                             "mid-upload, and check what survived")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: 8 users, 20 s, 2 builders")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch folder (its path is printed)")
    args = parser.parse_args()
    if args.quick:
        args.users, args.seconds, args.builders = 8, 20, 2
    peer_seconds = args.peer_seconds or max(10, args.seconds // 4)
    warm_seconds = 5 if args.quick else 10
    if not 1 <= args.users <= 200 or not 10 <= args.seconds <= 600 or \
            not 0 <= args.builders <= args.users or not 1 <= args.webs <= 8 or \
            not 1 <= args.workers <= 4:
        parser.error("at most 200 users, 10-600 seconds, 1-8 web processes and 1-4 "
                     "workers (this is a bounded test)")
    if args.kill and args.webs < 2:
        parser.error("--kill needs two web processes or more (one is killed)")

    def terminated(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # also when run in background
    scratch = Path(tempfile.mkdtemp(prefix="manualgen-portal-bench-"))
    data = scratch / "data"
    env = environment(data)
    cluster = Cluster(scratch, data, env, args.threads)
    out = Results()
    checks = Checks()
    stop_all = threading.Event()
    figures: dict = {}
    try:
        load_at_start = round(os.getloadavg()[0], 2)
        began = time.monotonic()
        folders = prepare(data, args.users, env)
        for _ in range(args.webs):
            cluster.start_web()
        for _ in range(args.workers):
            cluster.start_worker()
        print(f"scratch {scratch}: {args.users} companies, {args.webs} web processes "
              f"({args.threads} threads each), {args.workers} worker(s) ready in "
              f"{time.monotonic() - began:.0f} s; {warm_seconds} s of warm-up, "
              f"{peer_seconds} s without builds, then "
              f"{args.seconds} s with {args.builders} manual builds", file=sys.stderr,
              flush=True)
        now = time.monotonic()
        clock = {"arrive": 5.0, "start": now + 8, "warm": now + 8 + warm_seconds}
        clock["peer"] = clock["warm"] + peer_seconds
        clock["load"] = clock["peer"] + args.seconds
        users = [User(n, folders[n], cluster.base(n % args.webs), out)
                 for n in range(args.users)]
        builders = set(random.Random(7).sample(range(args.users), args.builders))
        threads = [threading.Thread(target=run_user, daemon=True,
                                    args=(u, clock, u.n in builders, stop_all))
                   for u in users]
        for t in threads:
            t.start()
        while time.monotonic() < clock["warm"]:
            time.sleep(0.2)
        ticks = [cpu_snapshot(cluster)]
        for mark in ("peer", "load"):
            while time.monotonic() < clock[mark]:
                time.sleep(0.2)
            ticks.append(cpu_snapshot(cluster))
        load_at_end = round(os.getloadavg()[0], 2)
        for t in threads:                      # the builds are waited for (the drain)
            t.join(timeout=max(0.1, clock["load"] - time.monotonic() + 1200))
        busy = [cpu_share(ticks[0], ticks[1]), cpu_share(ticks[1], ticks[2])]

        rows = builds(env)
        runs = [s for r in rows.values() if (s := _seconds(r, "started", "finished"))]
        waits = [s for r in rows.values() if (s := _seconds(r, "created", "started"))]
        turnaround = [b["turnaround_s"] for b in out.builds if b["outcome"] == "done"]
        peer = out.times("peer")
        load = out.times("load")
        peer_p95, load_p95 = percentile(peer, 95), percentile(load, 95)
        # the ratio over the same pages (the builders' own requests left out)
        same = tuple({s.what for s in out.samples if s.phase == "peer"})
        same_p95 = percentile(out.times("load", what=same), 95)
        on_disk = uploads_on_disk(data, out)
        made = builds_made(data, out)
        figures.update({
            "users": args.users, "webs": args.webs, "workers": args.workers,
            "threads": args.threads, "peer_seconds": peer_seconds,
            "load_seconds": args.seconds, "cores": os.cpu_count(),
            "load_average_at_start": load_at_start, "load_average_at_end": load_at_end,
            "cpu_pct": {"peer": busy[0], "load": busy[1]},
            "requests": {"sign_in": len(out.times("sign-in")),
                         "warm_up": len(out.times("warm")), "peer": len(peer),
                         "load": len(load), "drain": len(out.times("drain"))},
            "sign_in_p95_ms": round(percentile(out.times("sign-in"), 95) * 1000)
            if out.times("sign-in") else None,
            "peer_p50_ms": round(statistics.median(peer) * 1000) if peer else None,
            "peer_p95_ms": round(peer_p95 * 1000) if peer else None,
            "load_p50_ms": round(statistics.median(load) * 1000) if load else None,
            "load_p95_ms": round(load_p95 * 1000) if load else None,
            "load_max_ms": round(max(load) * 1000) if load else None,
            "load_same_pages_p95_ms": round(same_p95 * 1000) if same_p95 else None,
            "p95_ratio_builds_vs_none": round(same_p95 / peer_p95, 2)
            if peer_p95 and same_p95 else None,
            "peer_p95_by_page_ms": {
                what: round(percentile(out.times("peer", what=(what,)), 95) * 1000)
                for what in sorted({s.what for s in out.samples if s.phase == "peer"})},
            "load_p95_by_page_ms": {
                what: round(percentile(out.times("load", what=(what,)), 95) * 1000)
                for what in sorted({s.what for s in out.samples if s.phase == "load"})},
            "errors": len(out.errors), "error_examples": out.errors[:5],
            "uploads_acknowledged": len(out.uploads), "uploads_refused": len(out.upload_refused),
            "uploads_missing_on_disk": len(on_disk),
            "builds_asked": len(out.builds),
            "builds_done": len(turnaround),
            "build_turnaround_p50_s": round(statistics.median(turnaround), 1)
            if turnaround else None,
            "build_turnaround_max_s": round(max(turnaround), 1) if turnaround else None,
            "build_run_p50_s": round(statistics.median(runs), 1) if runs else None,
            "build_queue_wait_max_s": round(max(waits), 1) if waits else None,
        })
        print()
        print(table([
            ("users / web processes / workers",
             f"{args.users} / {args.webs} x {args.threads} threads / {args.workers}"),
            *[(f"CPU of the {os.cpu_count()} cores, {name}", ", ".join(
                f"{k} {v} %" for k, v in share.items())) for name, share in
              (("no builds", busy[0]), ("with builds", busy[1]))],
            ("load average", f"{load_at_start} before, {load_at_end} at the end"),
            ("sign-ins (p95)", f"{figures['requests']['sign_in']} "
                               f"({ms(percentile(out.times('sign-in'), 95))})"),
            ("pages without builds (peer)",
             f"{len(peer)}: p50 {ms(percentile(peer, 50))}, p95 {ms(peer_p95)}"),
            ("all requests with builds running",
             f"{len(load)}: p50 {ms(percentile(load, 50))}, p95 {ms(load_p95)}, "
             f"max {ms(max(load) if load else None)}"),
            ("the same pages with builds: p95, ratio",
             f"{ms(same_p95)}, {figures['p95_ratio_builds_vs_none']} x the peer's"),
            ("slowest pages (p95, with builds)", ", ".join(
                f"{k} {v} ms" for k, v in sorted(figures["load_p95_by_page_ms"].items(),
                                                 key=lambda kv: -kv[1])[:4])),
            ("errors", str(len(out.errors))),
            ("uploads acknowledged / on disk",
             f"{len(out.uploads)} / {len(out.uploads) - len(on_disk)}"),
            ("builds asked / done", f"{len(out.builds)} / {len(turnaround)}"),
            ("build turnaround p50 / max",
             f"{figures['build_turnaround_p50_s']} s / {figures['build_turnaround_max_s']} s"),
            ("one build's run (p50), longest wait",
             f"{figures['build_run_p50_s']} s, {figures['build_queue_wait_max_s']} s"),
        ]))
        print()
        checks("page p95 under 500 ms with builds running", load_p95 is not None and
               load_p95 < P95_TARGET, ms(load_p95))
        checks("no errors (no answer of 400 or more, none missing)", not out.errors,
               "; ".join(out.errors[:3]))
        checks("every acknowledged upload on disk, byte for byte (none refused)",
               out.uploads and not on_disk and not out.upload_refused,
               f"{len(out.uploads)} acknowledged"
               + (f", missing {on_disk[:3]}" if on_disk else "")
               + (f", refused {out.upload_refused[:2]}" if out.upload_refused else ""))
        checks("every build done, its manual.docx and revision record written",
               len(turnaround) == args.builders and not made,
               f"{len(turnaround)} of {args.builders}" + (f"; {made[:3]}" if made else "")
               + "".join(f"; {b['outcome']}" for b in out.builds if b["outcome"] != "done"))
        if args.kill:
            print(file=sys.stderr)
            print("kill phase: kill -9 of the worker mid-build and of a web process "
                  "mid-upload", file=sys.stderr, flush=True)
            figures.update(kill_phase(cluster, folders, out, checks,
                                      background_users=min(8, args.users - 1)))
            leftovers = partial_files(data)
            checks("no partial file in any company's folder at the end", not leftovers,
                   ", ".join(leftovers[:5]))
            lost = uploads_on_disk(data, out)
            checks("every acknowledged upload on disk after the kills", not lost,
                   f"{len(out.uploads)} acknowledged" + (f", missing {lost[:3]}"
                                                         if lost else ""))
        figures["checks"] = {name: ok for name, ok, _ in checks.results}
        figures["failed"] = checks.failed
        print()
        print("RESULT " + ("PASS" if not checks.failed else
                           f"FAIL ({len(checks.failed)} check(s))"))
        print(json.dumps(figures, separators=(",", ":")))
        return 1 if checks.failed else 0
    except KeyboardInterrupt:
        print("interrupted: stopping every process started", file=sys.stderr)
        return 130
    finally:
        stop_all.set()
        cluster.close()
        if args.keep:
            print(f"kept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
