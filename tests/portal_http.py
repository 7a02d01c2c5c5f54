"""A small HTTP client for the portal as a real server (a subprocess): cookies, the CSRF
token read from the page, forms and uploads (used by the deployment tests and the load
benchmark)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from web_fixtures import multipart

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """One visitor: its cookies, and the last page's CSRF token."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def _open(self, request, timeout: float):
        try:
            response = self.opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            response = exc
        data = response.read()
        text = data.decode("utf-8", "replace")
        found = CSRF.search(text)
        if found:
            self.token = found.group(1)
        return response.status, response.geturl(), data

    def get(self, path: str, timeout: float = 60):
        return self._open(urllib.request.Request(self.base + path), timeout)

    def post(self, path: str, fields: dict[str, str], timeout: float = 60):
        fields = {"csrfmiddlewaretoken": self.token, **fields}
        request = urllib.request.Request(self.base + path,
                                         data=urllib.parse.urlencode(fields).encode(),
                                         headers={"Referer": self.base + path})
        return self._open(request, timeout)

    def upload(self, path: str, fields: dict[str, str], files: list[tuple[str, str, bytes]],
               timeout: float = 120):
        body, kind = multipart({"csrfmiddlewaretoken": self.token, **fields}, files)
        request = urllib.request.Request(self.base + path, data=body,
                                         headers={"Content-Type": kind,
                                                  "Referer": self.base + path})
        return self._open(request, timeout)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manualgen() -> list[str]:
    return [sys.executable, "-m", "manualgen"]


def start_server(data: Path, env: dict[str, str], port: int, *, log: Path,
                 threads: int = 8) -> subprocess.Popen:
    """`manualgen portal serve` in its own process group; returns once it answers."""
    with log.open("ab") as out:
        proc = subprocess.Popen(manualgen() + ["portal", "serve", str(data), "--port",
                                               str(port), "--threads", str(threads)],
                                env=env, stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("the portal stopped: " + log.read_text(errors="replace"))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the portal did not start: " + log.read_text(errors="replace"))


def stop(proc: subprocess.Popen, *, kill: bool = False) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 9 if kill else 15)
        proc.wait(timeout=60)


def start_worker(data: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`manualgen portal worker` in its own process group."""
    with log.open("ab") as out:
        return subprocess.Popen(manualgen() + ["portal", "worker", str(data)], env=env,
                                stdout=out, stderr=out, start_new_session=True)


def half_upload(browser: Browser, port: int, path: str, fields: dict[str, str],
                files: list[tuple[str, str, bytes]]) -> socket.socket:
    """An upload cut off halfway: the headers and half the body sent on a raw socket, left
    open (the caller kills the server, then closes the socket)."""
    body, kind = multipart({"csrfmiddlewaretoken": browser.token, **fields}, files)
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
                  f"Cookie: {browser.cookie_header()}\r\n"
                  f"Referer: http://127.0.0.1:{port}/\r\n\r\n").encode())
    sock.sendall(body[: len(body) // 2])
    return sock
