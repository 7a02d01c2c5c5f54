"""Benchmark: `manualgen serve` as the employer uses it, over HTTP on 127.0.0.1.

Starts the server on a copy of the example company, then measures: the resident memory
of the server (with every process it started) when idle, before and after builds; the
time from pressing "Build the manual" to the finished page (Word with numbered contents,
the PDF, the first pages as pictures), first build and rebuilds (median); and the time of
the Status and Submission pages. Usage: python bench/bench_web.py [--runs N]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, AttributeError):
            continue
        pids += [int(c) for c in children]
    return total / 1024


class Browser:
    """Just enough of a browser: cookies, the CSRF token of the last page."""

    def __init__(self, address: str):
        self.base = address.split("/?")[0]
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""
        self.get(address)

    def get(self, url: str) -> str:
        with self.opener.open(url if url.startswith("http") else self.base + url) as r:
            page = r.read().decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        self.csrf = found.group(1) if found else self.csrf
        return page

    def post(self, path: str, fields: dict[str, str]) -> str:
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf}).encode()
        with self.opener.open(self.base + path, data) as r:
            return r.geturl()


def build(browser: Browser) -> float:
    browser.get("/manual/")
    start = time.perf_counter()
    url = browser.post("/manual/build/", {"what": "manual"})
    while "/jobs/" in url:
        time.sleep(0.05)
        with browser.opener.open(url) as r:
            url = r.geturl()
            page = r.read().decode()
        if "It did not work" in page:
            raise SystemExit("the build failed:\n" + page)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        folder = Path(tmp) / "kluane"
        folder.mkdir()
        for name in ("company.yaml", "logo.png"):
            shutil.copy(EXAMPLES / name, folder / name)
        shutil.copytree(EXAMPLES / "2026-submission", folder / "2026-submission")
        manualgen = Path(sys.executable).parent / "manualgen"
        proc = subprocess.Popen([str(manualgen), "serve", str(folder), "--no-browser"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                env=dict(os.environ))
        try:
            address = proc.stdout.readline().strip()
            started = time.perf_counter()
            browser = Browser(address)
            first_page = time.perf_counter() - started
            time.sleep(1)
            idle = rss_mb(proc.pid)
            first = build(browser)
            rebuilds = [build(browser) for _ in range(args.runs)]
            time.sleep(2)
            after = rss_mb(proc.pid)
            pages = {}
            for path in ("/status/", "/submission/2026-submission/", "/company/people/"):
                start = time.perf_counter()
                browser.get(path)
                pages[path] = time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"first page (token exchange, status): {first_page:.2f} s")
    print(f"idle resident memory: {idle:.0f} MB at start, {after:.0f} MB after "
          f"{args.runs + 1} builds (server and its children)")
    print(f"manual build through the app (Word + PDF + page pictures): first {first:.2f} s, "
          f"rebuild median {statistics.median(rebuilds):.2f} s "
          f"({', '.join(f'{t:.2f}' for t in rebuilds)})")
    for path, seconds in pages.items():
        print(f"page {path}: {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
