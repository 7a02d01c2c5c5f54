"""Helpers of the web app's tests: a site on a scratch company folder, a client holding
its token, waiting for a build to finish."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import time
from pathlib import Path

from manualgen import api, resources

TODAY = dt.date(2026, 12, 1)       # the example company's submission is due 2026-12-15
HOST = "127.0.0.1"


def example_folder(root: Path, *, submission: bool = True) -> Path:
    """A copy of the example company folder (profile, logo and its 2026 submission)."""
    source = resources.examples_dir()
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "company.yaml", root / "company.yaml")
    shutil.copy(source / "logo.png", root / "logo.png")
    if submission:
        shutil.copytree(source / "2026-submission", root / "2026-submission")
    return root


def make_site(folder: Path, **kwargs):
    from manualgen.web.settings import configure
    from manualgen.web.site import Site

    logs: list[str] = []
    kwargs.setdefault("today", lambda: TODAY)
    site = Site(folder, log=logs.append, **kwargs)
    site.logs = logs
    configure(site)
    return site


def client_for(site, *, token: bool = True, csrf: bool = False):
    """A Django test client; with `token`, it has exchanged the token for its cookie."""
    from django.test import Client

    client = Client(enforce_csrf_checks=csrf, HTTP_HOST=HOST)
    if token:
        response = client.get("/", {"token": site.token})
        assert response.status_code == 302
    return client


def wait_for_job(client, response, timeout: float = 120) -> str:
    """Follow a build's progress page until it redirects to its result; the result URL."""
    assert response.status_code == 302, response
    url = response["Location"]
    assert url.startswith("/jobs/"), url
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(url)
        if page.status_code == 302:
            return page["Location"]
        assert page.status_code == 200
        text = page.content.decode()
        assert "It did not work" not in text, text
        time.sleep(0.2)
    raise AssertionError(f"the job at {url} did not finish in {timeout} s")


def profile_of(folder: Path) -> api.CompanyProfile:
    return api.load_profile(folder / "company.yaml", api.load_library())


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]], *,
              content_type: str = "application/octet-stream") -> tuple[bytes, str]:
    """A multipart body with file names exactly as given (Django's test client and a
    browser's file picker keep only their last part), and its Content-Type."""
    boundary = "----manualgen-test-boundary"
    out = b""
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for field, filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
                ).encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def pdf(text: str = "sample") -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return out.getvalue()
