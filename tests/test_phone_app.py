"""The phone app's own files without a browser: the page, the service worker and the
manifest as the server sends them, and the npm packages vendored as the lock says."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from web_fixtures import client_for, example_folder, make_site

ROOT = Path(__file__).resolve().parent.parent


def test_page_worker_and_manifest(tmp_path):
    client = client_for(make_site(example_folder(tmp_path / "co", submission=False)))
    page = client.get("/forms/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-cache"
    html = page.content.decode()
    assert 'rel="manifest" href="/forms/app.webmanifest"' in html
    assert '<script type="module" src="/static/phone/app.js">' in html
    assert "https://" not in html                              # nothing from a CDN
    worker = client.get("/forms/sw.js")
    assert worker["Service-Worker-Allowed"] == "/forms/"
    assert worker["Cache-Control"] == "no-cache"
    assert worker["Content-Type"].startswith("text/javascript")
    body = worker.content.decode()
    kept = json.loads(body.split("self.PRECACHE = ", 1)[1].split(";\n", 1)[0])
    assert {k["url"] for k in kept} >= {"/forms/", "/static/phone/app.js",
                                        "/static/vendor/idb.js"}
    for entry in kept:                                        # each one served
        assert client.get(entry["url"]).status_code == 200, entry
    assert "modulePathPrefix: '/static/vendor/'" in body
    manifest = client.get("/forms/app.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == data["scope"] == "/forms/"
    assert data["display"] == "standalone"
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}


def test_static_subfolders_are_served_and_nothing_else(tmp_path):
    client = client_for(make_site(example_folder(tmp_path / "co", submission=False)))
    assert client.get("/static/vendor/workbox-sw.js").status_code == 200
    assert client.get("/static/phone/icon-192.png")["Content-Type"] == "image/png"
    for bad in ("/static/templates/web/phone.html", "/static/phone/../app.css",
                "/static/vendor/.hidden.js", "/static/a/b/c.js", "/static/vendor/"):
        assert client.get(bad).status_code == 404, bad


def test_vendored_files_are_those_the_lock_names():
    sys.path.insert(0, str(ROOT / "tools"))
    import vendor_js

    assert vendor_js.check_manifest() == []
    lock = json.loads((ROOT / "tools" / "js" / "package-lock.json").read_text())
    versions = json.loads((vendor_js.VENDOR / "VERSIONS.json").read_text())["packages"]
    for name, locked in versions.items():
        entry = lock["packages"][f"node_modules/{name}"]
        assert (entry["version"], entry["integrity"]) == (locked["version"],
                                                          locked["integrity"])
