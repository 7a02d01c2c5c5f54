"""Load test of the portal on this machine (loopback only, bounded in users and time).

    .venv/bin/python bench/bench_portal.py [--users 50] [--seconds 120] [--builders 10]

Makes a scratch data folder with one company per user (each a copy of the example
company), starts `manualgen portal serve` on 127.0.0.1, and lets each simulated user sign
in, then browse (overview, status, the company pages, the submission and its records)
and upload a sample now and then, with a pause of 1-4 s between pages (`--pause`); `--builders` of
them also build their manual once, to fill the build queue. Reports the page times
(median, p95, max), the errors (any answer of 400 or more, or none at all), the uploads
saved, and the build queue's wait, read from the server's log. Everything it writes is
in the scratch folder, removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from portal_http import Browser, free_port, start_server, stop  # noqa: E402
from web_fixtures import pdf  # noqa: E402

PASSWORD = "Spruce-Grouse-Tundra-42"
PAGES = ("/overview/", "/status/", "/company/company/", "/company/people/",
         "/submission/2026-submission/", "/submission/2026-submission/records/activity-log/",
         "/manual/")


def prepare(data: Path, users: int, env: dict[str, str]) -> None:
    """The data folder, its admin, and one company with its owner per user."""
    subprocess.run([sys.executable, "-m", "manualgen", "portal", "init", str(data),
                    "--admin-email", "admin@nsny.example"], env=env, check=True,
                   capture_output=True)
    script = f"""
import os, shutil
from pathlib import Path
from manualgen.portal.server import configure
configure(os.environ, None)
from django_scopes import scopes_disabled
from manualgen import resources
from manualgen.portal import accounts, models as m
example = resources.examples_dir()
with scopes_disabled():
    for n in range({users}):
        user = m.User.objects.create_user(f"owner{{n}}@load.example", {PASSWORD!r})
        company = accounts.company_named(f"Load Test Company {{n}}")
        m.Membership.objects.create(user=user, company=company, role="owner")
        folder = Path({str(data)!r}) / "companies" / company.folder
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(example / "company.yaml", folder / "company.yaml")
        shutil.copy(example / "logo.png", folder / "logo.png")
        shutil.copytree(example / "2026-submission", folder / "2026-submission")
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True)


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.by_page: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.uploads = 0
        self.builds = 0

    def page(self, seconds: float, status: int, what: str) -> None:
        with self.lock:
            self.times.append(seconds)
            self.by_page.setdefault(what, []).append(seconds)
            if status >= 400 or status == 0:
                self.errors.append(f"{status} {what}")


def user(n: int, base: str, until: float, builder: bool, out: Results,
         pause: tuple[float, float] = (1, 4)) -> None:
    rng = random.Random(n)
    browser = Browser(base)

    def timed(call, what: str, *args):
        began = time.monotonic()
        try:
            status, url, page = call(*args)
        except Exception as exc:  # noqa: BLE001 - a failed request is counted, not raised
            out.page(time.monotonic() - began, 0, f"{what}: {exc}")
            return 0, "", b""
        out.page(time.monotonic() - began, status, what)
        return status, url, page

    time.sleep(rng.uniform(0, 5))                 # users do not all arrive at once
    timed(browser.get, "sign-in page", "/accounts/login/")
    status, url, _ = timed(browser.post, "sign in", "/accounts/login/",
                           {"login": f"owner{n}@load.example", "password": PASSWORD})
    if not url.endswith("/overview/"):
        out.page(0, 0, f"sign in of user {n} landed on {url}")
        return
    built = not builder
    count = 0
    while time.monotonic() < until:
        count += 1
        path = rng.choice(PAGES)
        timed(browser.get, path, path)
        if count % 5 == 0:
            timed(browser.get, "submission", "/submission/2026-submission/")
            status, _url, page = timed(
                browser.upload, "upload", "/submission/2026-submission/upload/",
                {"category": "toolbox-meetings"},
                [("files", f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} load {n}-"
                           f"{count}.pdf", pdf(f"user {n} upload {count}"))])
            if b"Saved 1 file" in page:
                with out.lock:
                    out.uploads += 1
        if not built and count >= 3:
            built = True
            timed(browser.get, "manual", "/manual/")
            status, url, _ = timed(browser.post, "build", "/manual/build/", {"what": "manual"})
            with out.lock:
                out.builds += 1
        time.sleep(rng.uniform(*pause))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--builders", type=int, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pause", default="1,4", metavar="MIN,MAX",
                        help="seconds a user waits between two pages (default 1,4)")
    args = parser.parse_args()
    pause = tuple(float(x) for x in args.pause.split(","))
    if not 1 <= args.users <= 200 or not 10 <= args.seconds <= 600:
        parser.error("at most 200 users and 600 seconds (this is a bounded test)")
    scratch = Path(tempfile.mkdtemp(prefix="manualgen-portal-bench-"))
    data = scratch / "data"
    env = {**os.environ, "MANUALGEN_PORTAL_DATA": str(data), "MANUALGEN_PORTAL_HTTPS": "0",
           "MANUALGEN_PORTAL_HOSTS": "127.0.0.1", "MANUALGEN_ADMIN_PASSWORD": PASSWORD,
           "MANUALGEN_PORTAL_LOGINS_PER_MINUTE": "1000",
           "MANUALGEN_PORTAL_STAFF_MFA": "optional"}
    env.pop("MANUALGEN_PORTAL_DATABASE", None)
    if os.environ.get("MANUALGEN_PORTAL_DATABASE"):
        env["MANUALGEN_PORTAL_DATABASE"] = os.environ["MANUALGEN_PORTAL_DATABASE"]
    server = None
    try:
        began = time.monotonic()
        prepare(data, args.users, env)
        print(f"prepared {args.users} companies in {time.monotonic() - began:.0f} s",
              file=sys.stderr)
        port = free_port()
        log = scratch / "server.log"
        server = start_server(data, env, port, log=log, threads=args.threads)
        results = Results()
        until = time.monotonic() + args.seconds
        threads = [threading.Thread(target=user, args=(n, f"http://127.0.0.1:{port}", until,
                                                       n < args.builders, results, pause))
                   for n in range(args.users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 300)
        time.sleep(2)
        waits = [float(w) for w in re.findall(r"build queue wait \S+ ([\d.]+) s",
                                              log.read_text(errors="replace"))]
        saved = sum(1 for _ in (data / "companies").glob("*/2026-submission/toolbox-meetings"
                                                          "/*load*.pdf"))
        report = {
            "users": args.users, "seconds": args.seconds, "requests": len(results.times),
            "page_p50_s": round(statistics.median(results.times), 3),
            "page_p95_s": round(percentile(results.times, 95), 3),
            "page_max_s": round(max(results.times), 3),
            "p95_by_page_s": {k: round(percentile(v, 95), 3)
                              for k, v in sorted(results.by_page.items())},
            "errors": len(results.errors), "error_examples": results.errors[:5],
            "uploads_answered_saved": results.uploads, "upload_files_on_disk": saved,
            "builds_started": results.builds, "builds_queued": len(waits),
            "queue_wait_max_s": round(max(waits), 2) if waits else None,
            "queue_wait_p50_s": round(statistics.median(waits), 2) if waits else None,
        }
        print(json.dumps(report, indent=1))
        return 0 if not results.errors and saved == results.uploads else 1
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
