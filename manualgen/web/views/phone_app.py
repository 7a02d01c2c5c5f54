"""The phone app's own files (issue 26): its page, its service worker and its manifest.

The app itself is static JavaScript (`static/phone/app.js`) that reads the company's forms
from `/forms/app.json` and sends completed ones to `/forms/submit/` (views of
`phone_forms`). These three views only make it installable and usable offline:

- `shell` (GET /forms/): the page the app runs in; the same bytes for everyone, so the
  service worker can keep it (the CSRF token is read from its cookie, set here).
- `service_worker` (GET /forms/sw.js): `static/phone/sw.js` preceded by the list of files
  to keep on the phone, each with a hash of its content as its revision, so a new release
  replaces exactly the files that changed.
- `manifest` (GET /forms/app.webmanifest): name, icons, start address and scope.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render

from manualgen.web.permissions import Action, open_to_all, requires
from manualgen.web.views.common import STATIC

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "web" / "phone.html"
SCOPE = "/forms/"
# Kept on the phone by the service worker at install: the page, the app and its packages.
PRECACHE = ("phone/app.js", "phone/app.css", "phone/icon-192.png", "phone/icon-512.png",
            "vendor/idb.js", "vendor/signature_pad.js")
NAME = "Safety forms"
THEME = "#0b5d8c"


def _digest(*paths: Path) -> str:
    hashed = hashlib.sha256()
    for path in paths:
        hashed.update(path.read_bytes())
    return hashed.hexdigest()[:16]


def precache_list() -> list[dict[str, str]]:
    """Every address the service worker keeps, with the hash of what it serves."""
    files = [{"url": f"/static/{name}", "revision": _digest(STATIC / name)}
             for name in PRECACHE]
    # The page itself changes with its template only.
    return [{"url": SCOPE, "revision": _digest(TEMPLATE)}, *files]


@requires(Action.FILL_FORMS)
def shell(request: HttpRequest) -> HttpResponse:
    """The app's page. Everything on it is drawn by app.js from the forms' definitions."""
    get_token(request)                         # sets the CSRF cookie app.js sends back
    response = render(request, "web/phone.html", {
        "csrf_cookie": settings.CSRF_COOKIE_NAME, "name": NAME, "theme": THEME})
    response["Cache-Control"] = "no-cache"
    return response


@open_to_all
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker: checked for a new version on every visit (no-cache)."""
    head = (f"// Made by manualgen.web.views.phone_app from static/phone/sw.js.\n"
            f"self.PRECACHE = {json.dumps(precache_list())};\n")
    body = head + (STATIC / "phone" / "sw.js").read_text(encoding="utf-8")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SCOPE
    response["Cache-Control"] = "no-cache"
    return response


@open_to_all
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: what "Add to Home Screen" installs."""
    data = {
        "name": NAME, "short_name": "Forms", "id": SCOPE, "start_url": SCOPE,
        "scope": SCOPE, "display": "standalone", "background_color": "#f4f6f7",
        "theme_color": THEME,
        "description": "The company's safety forms, filled in on a phone, with or "
                       "without a signal.",
        "icons": [{"src": f"/static/phone/icon-{size}.png", "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any"} for size in (192, 512)]
        + [{"src": "/static/phone/icon-512.png", "sizes": "512x512", "type": "image/png",
            "purpose": "maskable"}],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response
